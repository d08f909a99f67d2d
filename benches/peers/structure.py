#!/usr/bin/env python3
"""Time the crate's confirmatory factor analysis and omega hierarchical against lavaan and psych.

Generates N x 12 five-point answers shaped like the WAI-SR (three correlated factors of four
items on the WAI-SR key, 3% of cells missing), writes them as CSV, then times only the
computation of:
  - the crate: `alliance cfa --timing` (listwise covariance from the rows, ML fit, SEs, fit
    measures) and `alliance omega --timing` (pairwise correlations, minres, varimax, oblimin,
    Schmid-Leiman);
  - R lavaan: `cfa(model, x)` and psych: `omega(x, nfactors = 3, plot = FALSE)`
    (system.time around the call only, the data already read).
The fastest of several runs counts (R's of two). Prints seconds and ratios.

Usage: python3 benches/peers/structure.py [--rows 100000]
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


def crate(path, args):
    exe = os.path.join(ROOT, "target", "release", "alliance")
    best = float("inf")
    for _ in range(REPEATS):
        out = subprocess.run([exe, *args, "--csv", path, "--timing"],
                             capture_output=True, text=True, check=True)
        line = [l for l in out.stderr.splitlines() if "computed in" in l][0]
        best = min(best, float(line.split("computed in ")[1].split(" s")[0]))
    return best


def r(path, call):
    if not shutil.which("Rscript"):
        return None
    script = (
        "suppressMessages({library(lavaan); library(psych); library(GPArotation)});"
        f"x <- read.csv('{path}'); model <- '{MODEL}';"
        f"t <- min(sapply(1:2, function(i) system.time(fit <- {call})[['elapsed']]));"
        "cat(t, '\\n')"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    return float(out.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "wai.csv")
        write_data(path, args.rows)
        cfa = crate(path, ["cfa", "--model", MODEL])
        omega = crate(path, ["omega", "--items", ",".join(ITEMS), "--factors", "3"])
        lavaan = r(path, "cfa(model, x)")
        psych = r(path, "omega(x, nfactors = 3, plot = FALSE)")
        print(f"\n{args.rows:,} x 12, three factors, 3% missing cells")
        print(f"  {'what':<44} {'seconds':>9} {'x crate':>9}")
        print(f"  {'crate: cfa (listwise, ML, SEs, fit)':<44} {cfa:>9.4f} {1:>9.1f}")
        if lavaan is not None:
            print(f"  {'R lavaan::cfa':<44} {lavaan:>9.3f} {lavaan / cfa:>9.0f}")
        print(f"  {'crate: omega (pairwise, 3 factors)':<44} {omega:>9.4f} {1:>9.1f}")
        if psych is not None:
            print(f"  {'R psych::omega':<44} {psych:>9.3f} {psych / omega:>9.0f}")


if __name__ == "__main__":
    main()
