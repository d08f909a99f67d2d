#!/usr/bin/env python3
"""Simulates the held-out data of the `multilevel` known-answer tests (issue 14), written for this
crate. Deterministic: splitmix64 draws, a normal deviate as the sum of 12 uniforms minus 6 (only
additions and multiplications, so `tests/multilevel_large.rs` regenerates the large set bit for
bit), every value written with 2 decimals.

  python3 tests/data/scripts/mixed_simulate.py            # tests/data/mixed_therapists.csv, mixed_growth.csv
  python3 tests/data/scripts/mixed_simulate.py --large F  # 10,000 clients x 12 sessions to F

Then `Rscript tests/data/scripts/mixed_lme4.R` fits them with lme4 and lmerTest.
"""
import argparse
import os

MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)

    def normal(self):
        s = 0.0
        for _ in range(12):
            s += self.uniform()
        return s - 6.0


def fmt(v):
    return f"{v:.2f}"


def therapists(path):
    """Clients (one row each) within 40 therapists: outcome over severity and alliance, the
    alliance with a therapist part (its between effect -2, within -0.3); therapist t07 has one
    client; 6 outcomes and 2 alliances missing (empty, or NA)."""
    rng = Rng(14_2026_1)
    rows = []
    for t in range(1, 41):
        n = 1 if t == 7 else 3 + int(rng.uniform() * 13)
        a_t = 0.5 * rng.normal()
        u_t = 1.5 * rng.normal()
        for c in range(n):
            severity = 20 + 5 * rng.normal()
            dev = 0.8 * rng.normal()
            alliance = 5 + a_t + dev
            outcome = 20 + 0.5 * (severity - 20) - 2.0 * a_t - 0.3 * dev + u_t + 4 * rng.normal()
            rows.append([f"t{t:02d}", f"c{t:02d}_{c + 1:02d}", fmt(severity), fmt(alliance), fmt(outcome)])
    # Missing cells: outcome empty or NA, alliance empty.
    for i, token in [(3, ""), (25, "NA"), (60, ""), (110, "NA"), (150, ""), (200, "")]:
        rows[i % len(rows)][4] = token
    for i in [40, 90]:
        rows[i][3] = ""
    with open(path, "w") as f:
        f.write("therapist,client,severity,alliance,outcome\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def growth_rows(rng, clients, sessions, missing):
    """Each client's score over sessions 1..sessions: intercept 40 (SD 6), slope -1.2 (SD 0.8,
    correlation with the intercept about 0.35), residual SD 4; a session missed with
    probability `missing`."""
    for i in range(1, clients + 1):
        z0, z1 = rng.normal(), rng.normal()
        b0 = 6 * z0
        b1 = 0.8 * (0.35 * z0 + 0.9367496997597597 * z1)
        for s in range(1, sessions + 1):
            e = 4 * rng.normal()
            miss = rng.uniform() < missing
            y = 40 + b0 + (-1.2 + b1) * s + e
            yield i, s, None if miss else fmt(y)


def growth(path):
    rng = Rng(14_2026_2)
    with open(path, "w") as f:
        f.write("client,session,score\n")
        for i, s, y in growth_rows(rng, 150, 12, 0.15):
            cell = "" if y is None else y
            if y is not None and (i * 12 + s) % 97 == 0:
                cell = "NA"  # an NA token the command reads with --na NA
            f.write(f"p{i:03d},{s},{cell}\n")


def large(path):
    rng = Rng(14_2026_3)
    with open(path, "w") as f:
        f.write("client,session,score\n")
        for i, s, y in growth_rows(rng, 10_000, 12, 0.0):
            f.write(f"c{i},{s},{y}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--large")
    args = ap.parse_args()
    if args.large:
        large(args.large)
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    therapists(os.path.join(here, "mixed_therapists.csv"))
    growth(os.path.join(here, "mixed_growth.csv"))


if __name__ == "__main__":
    main()
