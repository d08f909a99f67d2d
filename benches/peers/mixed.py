#!/usr/bin/env python3
"""Time `alliance mixed` against R's lme4 (and lmerTest) on the same growth-curve data.

Generates 10,000 clients x 12 sessions (120,000 rows: a random intercept and slope per client)
with `tests/data/scripts/mixed_simulate.py --large` (the data `tests/multilevel_large.rs` checks
against lme4), then, interleaved and REPEATS times each, the fastest run counting:
  - the crate, the whole process: `alliance mixed --csv F --y score --group client --fixed
    session --slope session` (start-up, reading and checking the CSV, the REML fit, Satterthwaite
    df, conditional modes and SDs of every client, the JSON written), wall-clock time;
  - R, fit only (timed by system.time inside a running R, the data already read):
    `lme4::lmer(score ~ session + (1 + session | client), d)` with lme4's default optimizer,
    and the equivalent of the crate's output: `lmerTest::lmer(...)`, `summary()` (Satterthwaite)
    and `ranef(condVar = TRUE)`.
Each repetition runs the crate once, then one R process that times both. Prints the wall-clock
and the CPU (user + system) times, the ratios, and the largest relative difference between the crate's and lme4's fixed effects and
variance components.

Usage: python3 benches/peers/mixed.py [--repeats 3]
Needs: `cargo build --release -p therapeutic-alliance-cli`; Rscript with lme4 and lmerTest
(Debian: r-cran-lme4, r-cran-lmertest).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

R_SCRIPT = r"""
suppressMessages({library(lme4); library(lmerTest); library(jsonlite)})
d <- read.csv(commandArgs(TRUE)[1], colClasses = c("character", "numeric", "numeric"))
f <- score ~ session + (1 + session | client)
cpu <- function(t) t[["user.self"]] + t[["sys.self"]]
t1 <- system.time(m <- lme4::lmer(f, d))
t2 <- system.time({
  m2 <- lmerTest::lmer(f, d)
  s <- summary(m2)
  r <- ranef(m2, condVar = TRUE)
})
vc <- as.data.frame(VarCorr(m))
cat(toJSON(list(fit = t1[["elapsed"]], full = t2[["elapsed"]], fit_cpu = cpu(t1),
                full_cpu = cpu(t2), fixed = unname(fixef(m)), vcov = vc$vcov),
           digits = NA, auto_unbox = TRUE), "\n")
"""


def crate(exe, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [exe, "mixed", "--csv", path, "--y", "score", "--group", "client",
         "--fixed", "session", "--slope", "session"],
        capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, json.loads(out.stdout)


def r_peer(script, path):
    out = subprocess.run(["Rscript", script, path], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    exe = os.path.join(ROOT, "target", "release", "alliance")
    if not os.path.exists(exe):
        sys.exit("build first: cargo build --release -p therapeutic-alliance-cli")
    have_r = shutil.which("Rscript") is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "growth.csv")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "data", "scripts",
                                                     "mixed_simulate.py"), "--large", path],
                       check=True)
        script = os.path.join(tmp, "lmer.R")
        with open(script, "w") as f:
            f.write(R_SCRIPT)
        keys = ["crate", "fit", "full", "crate_cpu", "fit_cpu", "full_cpu"]
        best = {k: float("inf") for k in keys}
        ours = theirs = None
        for i in range(args.repeats):
            t, cpu, ours = crate(exe, path)
            best["crate"] = min(best["crate"], t)
            best["crate_cpu"] = min(best["crate_cpu"], cpu)
            line = f"  run {i + 1}: crate {t:.3f} s (CPU {cpu:.3f} s)"
            if have_r:
                r = r_peer(script, path)
                if r is not None:
                    theirs = r
                    for k in ["fit", "full", "fit_cpu", "full_cpu"]:
                        best[k] = min(best[k], r[k])
                    line += (f", lme4::lmer {r['fit']:.3f} s (CPU {r['fit_cpu']:.3f} s),"
                             f" lmerTest + summary + ranef {r['full']:.3f} s (CPU {r['full_cpu']:.3f} s)")
            print(line, flush=True)
    print(f"\n10,000 clients x 12 sessions (120,000 rows), score ~ session + (1 + session | client), REML")
    print(f"  {'what':<66} {'wall s':>8} {'x crate':>8} {'CPU s':>8} {'x crate':>8}")
    c, cc = best["crate"], best["crate_cpu"]
    print(f"  {'crate: alliance mixed, whole process (read, fit, df, modes, JSON)':<66} {c:>8.3f} {1:>8.1f} {cc:>8.3f} {1:>8.1f}")
    if theirs is not None:
        for label, k in [("R lme4::lmer, fit only (data already read)", "fit"),
                         ("R lmerTest::lmer + summary (Satterthwaite) + ranef(condVar)", "full")]:
            w, u = best[k], best[k + "_cpu"]
            print(f"  {label:<66} {w:>8.3f} {w / c:>8.1f} {u:>8.3f} {u / cc:>8.1f}")
        fixed = [f["estimate"] for f in ours["fixed"]]
        vcov = [v["vcov"] for v in ours["varcor"]]
        gap = max(abs(a - b) / abs(b) for a, b in zip(fixed + vcov, theirs["fixed"] + theirs["vcov"]))
        print(f"  largest relative difference from lme4 (default optimizer) in fixed effects and variance components: {gap:.1e}")


if __name__ == "__main__":
    main()
