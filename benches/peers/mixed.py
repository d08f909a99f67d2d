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
Each repetition runs the crate once, then one R process that times both. Prints the times, the
ratios, and the largest relative difference between the crate's and lme4's fixed effects and
variance components.

Usage: python3 benches/peers/mixed.py [--repeats 3]
Needs: `cargo build --release -p therapeutic-alliance-cli`; Rscript with lme4 and lmerTest
(Debian: r-cran-lme4, r-cran-lmertest).
"""
import argparse
import json
import os
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
fit <- system.time(m <- lme4::lmer(f, d))[["elapsed"]]
full <- system.time({
  m2 <- lmerTest::lmer(f, d)
  s <- summary(m2)
  r <- ranef(m2, condVar = TRUE)
})[["elapsed"]]
vc <- as.data.frame(VarCorr(m))
cat(toJSON(list(fit = fit, full = full, fixed = unname(fixef(m)), vcov = vc$vcov),
           digits = NA, auto_unbox = TRUE), "\n")
"""


def crate(exe, path):
    started = time.perf_counter()
    out = subprocess.run(
        [exe, "mixed", "--csv", path, "--y", "score", "--group", "client",
         "--fixed", "session", "--slope", "session"],
        capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(out.stdout)


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
        best = {"crate": float("inf"), "fit": float("inf"), "full": float("inf")}
        ours = theirs = None
        for i in range(args.repeats):
            t, ours = crate(exe, path)
            best["crate"] = min(best["crate"], t)
            line = f"  run {i + 1}: crate {t:.3f} s"
            if have_r:
                r = r_peer(script, path)
                if r is not None:
                    theirs = r
                    best["fit"] = min(best["fit"], r["fit"])
                    best["full"] = min(best["full"], r["full"])
                    line += f", lme4::lmer {r['fit']:.3f} s, lmerTest + summary + ranef {r['full']:.3f} s"
            print(line, flush=True)
    print(f"\n10,000 clients x 12 sessions (120,000 rows), score ~ session + (1 + session | client), REML")
    print(f"  {'what':<66} {'seconds':>8} {'x crate':>8}")
    c = best["crate"]
    print(f"  {'crate: alliance mixed, whole process (read, fit, df, modes, JSON)':<66} {c:>8.3f} {1:>8.1f}")
    if theirs is not None:
        print(f"  {'R lme4::lmer, fit only (data already read)':<66} {best['fit']:>8.3f} {best['fit'] / c:>8.1f}")
        print(f"  {'R lmerTest::lmer + summary (Satterthwaite) + ranef(condVar)':<66} {best['full']:>8.3f} {best['full'] / c:>8.1f}")
        fixed = [f["estimate"] for f in ours["fixed"]]
        vcov = [v["vcov"] for v in ours["varcor"]]
        gap = max(abs(a - b) / abs(b) for a, b in zip(fixed + vcov, theirs["fixed"] + theirs["vcov"]))
        print(f"  largest relative difference from lme4 (default optimizer) in fixed effects and variance components: {gap:.1e}")


if __name__ == "__main__":
    main()
