#!/usr/bin/env python3
"""Time the crate's reliability analysis against its peers on the same data.

Generates 1,000,000 x 12 five-point responses (complete, and with 5% missing cells), writes them
as CSV, then times only the computation of:
  - the crate: `alliance reliability --timing` (alpha, item statistics, alpha if dropped,
    split-half, omega), which also times a plain pass summing the same cells (the floor) and
    gives the kernel apart (the one pass over the rows that every statistic is computed from);
  - R psych: `psych::alpha(x, check.keys = FALSE)` (system.time around the call only);
  - Python pingouin: `pingouin.cronbach_alpha(df)` (time.perf_counter around the call only).
Each is run several times and the fastest run counts (R, slow, twice). With --rounds N the
three are run in turn N times (interleaved, so a load spike on the shared machine hits them
alike) and the fastest of all rounds counts. Peers that are not installed are skipped. Prints a
table of seconds and ratios, with the load average before and after.

With --whole, times whole processes instead, best of 3, interleaved: `alliance reliability`
(reading the CSV file included) against polars' `read_csv` of the same file alone (Python
started, polars imported, the file read).

Usage: python3 benches/peers/run.py [--rows 1000000] [--rounds 1] [--whole]
Needs: the command built with `cargo build --release -p therapeutic-alliance-cli`
(target/release/alliance); optionally Rscript with psych (Debian: r-cran-psych), pingouin and
polars (pip).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITEMS = [f"i{n}" for n in range(1, 13)]
EXE = os.path.join(ROOT, "target", "release", "alliance")


def write_data(path, rows, missing):
    rng = random.Random(20261129)
    with open(path, "w") as f:
        f.write(",".join(ITEMS) + "\n")
        for _ in range(rows):
            # A common factor so the items correlate, as a scale's do.
            base = rng.random()
            cells = []
            for _ in ITEMS:
                if rng.random() < missing:
                    cells.append("")
                    continue
                v = 1 + int(5 * (0.6 * base + 0.4 * rng.random()))
                cells.append(str(min(v, 5)))
            f.write(",".join(cells) + "\n")


REPEATS = 5


def crate(path):
    exe = EXE
    best = (float("inf"), float("inf"), float("inf"))
    for _ in range(REPEATS):
        out = subprocess.run(
            [exe, "reliability", "--csv", path, "--items", ",".join(ITEMS),
             "--min", "1", "--max", "5", "--timing"],
            capture_output=True, text=True, check=True)
        lines = out.stderr.splitlines()
        computed = float(lines[0].split("computed in ")[1].split(" s")[0])
        floor = float(lines[1].split(" took ")[1].split(" s")[0])
        # The kernel alone: the one pass over the rows every statistic is computed from.
        kernel = float(lines[2].split("the moments) ")[1].split(" s")[0])
        best = (min(best[0], computed), min(best[1], floor), min(best[2], kernel))
    return best


def psych(path):
    if not shutil.which("Rscript"):
        return None
    script = (
        "suppressMessages(library(psych));"
        f"x <- read.csv('{path}');"
        "t <- min(sapply(1:2, function(i) system.time(a <- alpha(x, check.keys = FALSE))[['elapsed']]));"
        "cat(t, '\\n')"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    return float(out.stdout.split()[-1])


def pingouin(path):
    try:
        import pandas as pd
        import pingouin as pg
    except ImportError:
        return None
    df = pd.read_csv(path)
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        pg.cronbach_alpha(data=df)
        best = min(best, time.perf_counter() - started)
    return best


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def least(a, b):
    """The smaller of two timings, either of which may be missing."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def whole(path, repeats=3):
    """Whole processes, best of `repeats`, interleaved: the crate's command, polars read_csv."""
    crate_cmd = [EXE, "reliability", "--csv", path, "--items", ",".join(ITEMS),
                 "--min", "1", "--max", "5"]
    polars_cmd = [sys.executable, "-c",
                  f"import polars as pl; pl.read_csv({path!r})"]
    best = {"crate": float("inf"), "polars": float("inf")}
    # Write-only, as a shell's `> /dev/null` (the command takes a read-write descriptor on
    # stdout for a closed one).
    with open(os.devnull, "w") as sink:
        for _ in range(repeats):
            for name, cmd in [("crate", crate_cmd), ("polars", polars_cmd)]:
                started = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=sink)
                best[name] = min(best[name], time.perf_counter() - started)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--whole", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the crate, psych and pingouin in turn this many times")
    args = ap.parse_args()
    if args.whole:
        with tempfile.TemporaryDirectory() as tmp:
            for label, missing in [("complete", 0.0), ("5% missing", 0.05)]:
                path = os.path.join(tmp, "data.csv")
                write_data(path, args.rows, missing)
                best = whole(path)
                with open("/proc/loadavg") as f:
                    load = " ".join(f.read().split()[:3])
                print(f"\n{args.rows:,} x 12, {label}, whole process, best of 3 (load {load})")
                print(f"  alliance reliability (read + every statistic) {best['crate']:.3f} s")
                print(f"  polars read_csv alone                          {best['polars']:.3f} s"
                      f"  ({best['polars'] / best['crate']:.2f}x the crate)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for label, missing in [("complete", 0.0), ("5% missing", 0.05)]:
            path = os.path.join(tmp, "data.csv")
            write_data(path, args.rows, missing)
            load_before = loadavg()
            computed = floor = kernel = p = g = None
            for _ in range(max(args.rounds, 1)):
                c, f, k = crate(path)
                computed, floor, kernel = least(computed, c), least(floor, f), least(kernel, k)
                p = least(p, psych(path))
                g = least(g, pingouin(path))
            print(f"\n{args.rows:,} x 12, {label} (load average {load_before} before, "
                  f"{loadavg()} after; {max(args.rounds, 1)} round(s) in turn)")
            print(f"  {'what':<52} {'seconds':>9} {'x crate':>9}")
            print(f"  {'plain pass summing the same cells (floor)':<52} {floor:>9.4f} {floor / computed:>9.3f}"
                  f"  (crate {computed / floor:.1f}x the floor)")
            print(f"  {'crate: full reliability analysis':<52} {computed:>9.4f} {1:>9.1f}")
            print(f"  {'crate: of which the kernel (the pass over the rows)':<52} {kernel:>9.4f}"
                  f" {kernel / computed:>9.2f}  (kernel {kernel / floor:.1f}x the floor)")
            if p is not None:
                print(f"  {'R psych::alpha (computation only)':<52} {p:>9.3f} {p / computed:>9.0f}"
                      f"  ({p / kernel:.0f}x the kernel)")
            if g is not None:
                print(f"  {'pingouin.cronbach_alpha (alpha only)':<52} {g:>9.3f} {g / computed:>9.1f}"
                      f"  ({g / kernel:.1f}x the kernel)")


if __name__ == "__main__":
    main()
