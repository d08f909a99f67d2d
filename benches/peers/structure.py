#!/usr/bin/env python3
"""Time the crate's confirmatory factor analysis and omega hierarchical against lavaan and psych.

Generates N x 12 five-point answers shaped like the WAI-SR (three correlated factors of four
items on the WAI-SR key, 3% of cells missing), writes them as CSV, then times only the
computation of:
  - the crate: `alliance cfa --timing` (listwise covariance from the rows, ML fit, SEs, fit
    measures) and `alliance omega --timing` (pairwise correlations, minres, varimax, oblimin,
    Schmid-Leiman), on both cores and on one (RAYON_NUM_THREADS=1);
  - R lavaan: `cfa(model, x)` and psych: `omega(x, nfactors = 3, plot = FALSE)`
    (system.time around the call only, the data already read).
The machine is shared, so the runs are interleaved: each round runs the crate (fastest of 5
processes per command and thread count) and then one R process (fastest of 2 calls each); a
ratio is taken within a round. Prints the load average, each round, and the fastest times of
all rounds with their ratio.

Usage: python3 benches/peers/structure.py [--rows 100000] [--rounds 3]
Needs: `cargo build --release -p therapeutic-alliance-cli`; Rscript with lavaan, psych and
GPArotation (Debian: r-cran-lavaan r-cran-psych r-cran-gparotation).
"""
import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITEMS = [f"w{n}" for n in range(1, 13)]
GOALS, TASKS, BOND = [4, 6, 8, 11], [1, 2, 10, 12], [3, 5, 7, 9]
MODEL = "; ".join(
    f"{name} =~ " + " + ".join(f"w{i}" for i in items)
    for name, items in [("goals", GOALS), ("tasks", TASKS), ("bond", BOND)]
)
REPEATS = 5


def write_data(path, rows):
    rng = random.Random(20261207)
    factor = {}
    for f, items in enumerate([GOALS, TASKS, BOND]):
        for i in items:
            factor[i] = f
    with open(path, "w") as out:
        out.write(",".join(ITEMS) + "\n")
        for _ in range(rows):
            g = rng.gauss(0, 1)
            fs = [0.85 * g + math.sqrt(1 - 0.85 ** 2) * rng.gauss(0, 1) for _ in range(3)]
            cells = []
            for i in range(1, 13):
                if rng.random() < 0.03:
                    cells.append("")
                    continue
                z = 0.7 * fs[factor[i]] + math.sqrt(0.51) * rng.gauss(0, 1)
                cells.append(str(1 + sum(z > c for c in (-1.5, -0.6, 0.2, 1.0))))
            out.write(",".join(cells) + "\n")


def crate(path, args, threads=None):
    exe = os.path.join(ROOT, "target", "release", "alliance")
    env = dict(os.environ)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads)
    best = float("inf")
    for _ in range(REPEATS):
        out = subprocess.run([exe, *args, "--csv", path, "--timing"],
                             capture_output=True, text=True, check=True, env=env)
        line = [l for l in out.stderr.splitlines() if "computed in" in l][0]
        best = min(best, float(line.split("computed in ")[1].split(" s")[0]))
    return best


def r(path):
    """lavaan's cfa and psych's omega, each the fastest of two calls, in one R process."""
    if not shutil.which("Rscript"):
        return None
    script = (
        "suppressMessages({library(lavaan); library(psych); library(GPArotation)});"
        f"x <- read.csv('{path}'); model <- '{MODEL}';"
        "a <- min(sapply(1:2, function(i) system.time(fit <- cfa(model, x))[['elapsed']]));"
        "b <- min(sapply(1:2, function(i) "
        "system.time(o <- omega(x, nfactors = 3, plot = FALSE))[['elapsed']]));"
        "cat(a, b, '\\n')"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    a, b = out.stdout.split()[-2:]
    return float(a), float(b)


def load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    cfa_args = ["cfa", "--model", MODEL]
    omega_args = ["omega", "--items", ",".join(ITEMS), "--factors", "3"]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "wai.csv")
        write_data(path, args.rows)
        print(f"{args.rows:,} x 12, three factors, 3% missing cells; load average {load()}")
        print(f"  {'round':<6} {'cfa':>8} {'cfa 1t':>8} {'lavaan':>8} {'ratio':>6}"
              f" {'omega':>8} {'omega 1t':>8} {'psych':>8} {'ratio':>6}  load")
        best = {}
        ratios = {"cfa": [], "omega": []}
        for round_ in range(1, args.rounds + 1):
            t = {
                "cfa": crate(path, cfa_args),
                "cfa1": crate(path, cfa_args, threads=1),
                "omega": crate(path, omega_args),
                "omega1": crate(path, omega_args, threads=1),
            }
            peers = r(path)
            if peers is not None:
                t["lavaan"], t["psych"] = peers
            for k, v in t.items():
                best[k] = min(best.get(k, float("inf")), v)
            cells = []
            for what, peer in (("cfa", "lavaan"), ("omega", "psych")):
                c = min(t[what], t[what + "1"])
                if peer in t:
                    ratios[what].append(t[peer] / c)
                    cells.append(f"{t[what]:>8.4f} {t[what + '1']:>8.4f} {t[peer]:>8.3f}"
                                 f" {t[peer] / c:>5.0f}x")
                else:
                    cells.append(f"{t[what]:>8.4f} {t[what + '1']:>8.4f} {'-':>8} {'-':>6}")
            print(f"  {round_:<6} {cells[0]} {cells[1]}  {load()}")
        print("fastest of all rounds (the crate: two threads or one, whichever was faster):")
        for what, peer, name in (("cfa", "lavaan", "R lavaan::cfa"),
                                 ("omega", "psych", "R psych::omega")):
            c = min(best[what], best[what + "1"])
            line = (f"  crate {what}: {c:.4f} s (two threads {best[what]:.4f},"
                    f" one {best[what + '1']:.4f})")
            if ratios[what]:
                line += (f"; {name}: {best[peer]:.3f} s; ratio {best[peer] / c:.0f}x"
                         f" (per round {min(ratios[what]):.0f}-{max(ratios[what]):.0f}x)")
            print(line)
        print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
