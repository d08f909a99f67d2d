#!/usr/bin/env python3
"""End to end against the peers: a wide CSV of WAI-SR answers -> prorated subscales and total -> CSV.

Generates N WAI-SR rows (an id and items 1..12, five-point answers with a common factor) with a
share of unanswered (empty) cells, then times, whole process, best of --repeats, interleaved
(every tool once per round, so a load spike hits them alike):
  - the crate: `alliance score --instrument wai-sr --csv FILE` (CSV; and `--output json`, to a
    file and to /dev/null);
  - polars: read_csv, the WAI-SR rule (a subscale of 4 items prorated as mean x 4 when at least 3
    are answered, else empty; total the sum of the three subscales, empty if any is), write_csv;
  - pandas and R data.table: the same rule (skipped when not installed);
  - the floor of the JSON output: `dd if=/dev/zero bs=1M` of as many bytes as the JSON document
    (the page cache taking that many bytes, with nothing computed).
Every output goes to a fresh file in a temporary directory (the old one is removed before each
run, outside the timing, so no run pays for truncating the previous run's pages; the gigabyte
ones right after their run, so that the next tool does not share the machine with their
writeback), and `sync` runs before each run (outside the timing), so that no run pays for an
earlier one's writes or removals.
Then checks that the crate and polars agree on every score (bit for bit where both print the
shortest round-trip double; the count of cells within 1e-12 relative otherwise is printed).

Usage: python3 benches/peers/wide.py [--rows 1000000] [--missing 0.03] [--repeats 3]
       python3 benches/peers/wide.py --generate FILE [--rows N] [--missing P]
       python3 benches/peers/wide.py --data FILE --tools crate,json,json-null,floor
Needs: `cargo build --release -p therapeutic-alliance-cli` (target/release/alliance); polars,
pandas (pip), Rscript with data.table (optional).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.path.join(ROOT, "target", "release", "alliance")
SUBSCALES = {"goals": [4, 6, 8, 11], "collaboration": [1, 2, 10, 12], "bond": [3, 5, 7, 9]}


def generate(path, rows, missing, seed=20261207):
    import numpy as np

    rng = np.random.default_rng(seed)
    base = rng.random(rows)[:, None]
    v = 1 + np.floor(5 * (0.6 * base + 0.4 * rng.random((rows, 12)))).astype(np.int64)
    v = np.minimum(v, 5)
    cells = v.astype(str).astype(object)
    cells[rng.random((rows, 12)) < missing] = ""
    ids = np.char.add("c", np.char.zfill(np.arange(1, rows + 1).astype(str), 7))
    with open(path, "w") as f:
        f.write("id," + ",".join(str(i) for i in range(1, 13)) + "\n")
        chunk = 100_000
        for start in range(0, rows, chunk):
            block = cells[start:start + chunk]
            lines = [ids[start + r] + "," + ",".join(block[r]) for r in range(len(block))]
            f.write("\n".join(lines) + "\n")


POLARS = """
import polars as pl, sys
df = pl.read_csv(sys.argv[1], schema_overrides={str(i): pl.Float64 for i in range(1, 13)})
subs = %r
cols = [pl.col("id")]
for name, items in subs.items():
    xs = [pl.col(str(i)) for i in items]
    n = pl.sum_horizontal([x.is_not_null().cast(pl.Int32) for x in xs])
    s = pl.sum_horizontal(xs)
    cols.append(pl.when(n >= 3).then(s / n * len(items)).otherwise(None).alias(name))
out = df.select(cols)
out = out.with_columns(total=pl.col("goals") + pl.col("collaboration") + pl.col("bond"))
out.write_csv(sys.argv[2])
""" % (SUBSCALES,)

PANDAS = """
import pandas as pd, sys
df = pd.read_csv(sys.argv[1], dtype={"id": str})
subs = %r
out = pd.DataFrame({"id": df["id"]})
for name, items in subs.items():
    x = df[[str(i) for i in items]]
    n = x.notna().sum(axis=1)
    out[name] = (x.sum(axis=1) / n * len(items)).where(n >= 3)
out["total"] = out["goals"] + out["collaboration"] + out["bond"]
out.to_csv(sys.argv[2], index=False)
""" % (SUBSCALES,)

DATATABLE = """
suppressMessages(library(data.table))
a <- commandArgs(TRUE)
d <- fread(a[1], header = TRUE, colClasses = list(character = "id"))
subs <- list(goals = c(4, 6, 8, 11), collaboration = c(1, 2, 10, 12), bond = c(3, 5, 7, 9))
out <- list(id = d$id)
for (s in names(subs)) {
  x <- as.matrix(d[, as.character(subs[[s]]), with = FALSE])
  n <- rowSums(!is.na(x))
  v <- rowSums(x, na.rm = TRUE) / n * 4
  v[n < 3] <- NA
  out[[s]] <- v
}
out$total <- out$goals + out$collaboration + out$bond
fwrite(as.data.table(out), a[2], na = "")
"""


def json_size(exe, data):
    """The bytes of the JSON document of `data` (counted through a pipe, nothing stored)."""
    p = subprocess.Popen([exe, "score", "--instrument", "wai-sr", "--csv", data, "--output", "json"],
                         stdout=subprocess.PIPE)
    n = 0
    while True:
        block = p.stdout.read(1 << 20)
        if not block:
            break
        n += len(block)
    p.wait()
    return n


def timed(cmd):
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--missing", type=float, default=0.03)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--generate", metavar="FILE")
    ap.add_argument("--data", metavar="FILE", help="use this file instead of generating one")
    ap.add_argument("--tools", default="crate,json,json-null,floor,polars,pandas,datatable")
    ap.add_argument("--exe", default=EXE, help="the alliance command to time")
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.rows, args.missing)
        return
    tmp = tempfile.mkdtemp()
    try:
        run(args, tmp)
    finally:
        # The outputs are large (the JSON document is about a gigabyte): none is kept.
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp):
    data = args.data or os.path.join(tmp, "wai.csv")
    if not args.data:
        generate(data, args.rows, args.missing)
    scripts = {}
    for name, text in [("peer_polars.py", POLARS), ("peer_pandas.py", PANDAS), ("dt.R", DATATABLE)]:
        scripts[name] = os.path.join(tmp, name)
        with open(scripts[name], "w") as f:
            f.write(text)
    names = ["crate", "json", "floor", "polars", "pandas", "datatable"]
    out = {t: os.path.join(tmp, t + ".out") for t in names}
    exe = args.exe
    score = f'"{exe}" score --instrument wai-sr --csv "{data}"'
    json_bytes = json_size(exe, data) if "floor" in args.tools.split(",") else 0
    tools = {
        "crate": ["sh", "-c", f'{score} > "{out["crate"]}"'],
        "json": ["sh", "-c", f'{score} --output json > "{out["json"]}"'],
        "json-null": ["sh", "-c", f"{score} --output json > /dev/null"],
        "floor": ["dd", "if=/dev/zero", f"of={out['floor']}", "bs=1M",
                  f"count={-(-json_bytes // (1 << 20))}", "status=none"],
        "polars": [sys.executable, scripts["peer_polars.py"], data, out["polars"]],
        "pandas": [sys.executable, scripts["peer_pandas.py"], data, out["pandas"]],
        "datatable": ["Rscript", scripts["dt.R"], data, out["datatable"]],
    }
    wanted = [t for t in args.tools.split(",") if t in tools]
    if "datatable" in wanted and not shutil.which("Rscript"):
        wanted.remove("datatable")
    best = {t: float("inf") for t in wanted}
    for _ in range(args.repeats):
        for t in wanted:
            if t in out and os.path.exists(out[t]):
                os.remove(out[t])
            # Outside the timing: the file system done with every earlier run's writes and
            # removals (ext4 mounted with `discard` trims a removed gigabyte at the next
            # journal commit, which stalls the next large write).
            os.sync()
            # The floor twice in a row: here the first large write after another program's
            # is often several times slower than the next (the kernel's memory bookkeeping),
            # so the floor is the better of the two.
            for _ in range(2 if t == "floor" else 1):
                try:
                    best[t] = min(best[t], timed(tools[t]))
                except (subprocess.CalledProcessError, FileNotFoundError) as e:
                    print(f"{t} failed: {e}", file=sys.stderr)
                    best[t] = float("nan")
                if t in ("json", "floor") and os.path.exists(out[t]):
                    # A gigabyte removed at once (outside the timing): the kernel drops its
                    # pages instead of writing them to disk while the next tool runs.
                    os.remove(out[t])
                    os.sync()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"{args.rows:,} WAI-SR rows, {args.missing:.0%} unanswered cells; best of {args.repeats}, "
          f"interleaved; load average {' '.join(load)}")
    ref = best.get("crate")
    print(f"  {'tool':<40} {'seconds':>8} {'x crate csv':>12}")
    for t in wanted:
        print(f"  {t:<40} {best[t]:>8.3f} {best[t] / ref if ref else float('nan'):>12.2f}")
    if "json" in wanted and "floor" in wanted:
        print(f"  JSON document {json_bytes / 1e6:,.0f} MB; json / floor (dd bs=1M of as many bytes) "
              f"{best['json'] / best['floor']:.2f}")
    if "crate" in wanted and "polars" in wanted:
        agree(out["crate"], out["polars"])


def agree(crate_path, polars_path):
    import polars as pl

    names = ["goals", "collaboration", "bond", "total"]
    a = pl.read_csv(crate_path, schema_overrides={n: pl.Float64 for n in names})
    b = pl.read_csv(polars_path, schema_overrides={n: pl.Float64 for n in names})
    assert a.height == b.height, (a.height, b.height)
    assert (a["id"] == b["id"]).all()
    cells = exact = close = 0
    for n in names:
        x, y = a[n], b[n]
        same_null = (x.is_null() == y.is_null()).all()
        assert same_null, f"{n}: the unscored rows differ"
        both = x.is_not_null()
        xs, ys = x.filter(both), y.filter(both)
        cells += x.len()
        exact += int((xs == ys).sum()) + int(x.is_null().sum())
        close += int(((xs - ys).abs() <= 1e-12 * ys.abs()).sum()) + int(x.is_null().sum())
    print(f"  agreement crate vs polars: {cells:,} scores, {exact:,} bit-identical, "
          f"{close:,} within 1e-12 relative, same unscored cells")


if __name__ == "__main__":
    main()
