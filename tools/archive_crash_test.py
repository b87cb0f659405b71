"""Crash test of the archive: start `archive` on the generator, kill -9 it at random moments
N times in a row (each restart resumes), then finish the range and check that every file
opens, no temporary file is left, and ledger coverage is exactly [2, END] with no duplicate.

usage: archive_crash_test.py BINARY OUT_DIR [--kills N] [--end END] [--seed S]
"""

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

ARGS = ["--source", "generator:tx=20", "--network", "standalone", "--start", "2",
        "--row-group-rows", "500", "--partition-format", "ledger_range:97"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("out", type=Path)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--end", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    a = parser.parse_args()
    command = [a.binary, "archive", *ARGS, "--end", str(a.end), "--out", str(a.out)]
    rng = random.Random(a.seed)
    for _ in range(a.kills):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        proc.kill()
        proc.wait()
    subprocess.run(command, check=True, capture_output=True)
    problems = []
    leftovers = [p for p in a.out.rglob("*") if p.name.endswith(".inprogress")]
    if leftovers:
        problems.append(f"temporary files left: {leftovers[:3]}")
    files = list(a.out.rglob("*.parquet"))
    for p in files:
        pq.ParquetFile(p).metadata
    con = duckdb.connect()
    q = lambda t: f"read_parquet('{a.out}/{t}/**/*.parquet')"
    n = con.execute(f"select count(*), count(distinct ledger_sequence), min(ledger_sequence), "
                    f"max(ledger_sequence) from {q('stellar_ledger')}").fetchone()
    if n != (a.end - 1, a.end - 1, 2, a.end):
        problems.append(f"stellar_ledger coverage {n}, want {(a.end - 1, a.end - 1, 2, a.end)}")
    dupes = con.execute(f"select count(*) from (select ledger_sequence, application_order, "
                        f"count(*) c from {q('transactions')} group by all having c > 1)").fetchone()[0]
    tx = con.execute(f"select count(*) from {q('transactions')}").fetchone()[0]
    if dupes or tx != 20 * (a.end - 1):
        problems.append(f"transactions: {tx} rows, {dupes} duplicated keys")
    print(f"{a.kills} kills, {len(files)} files, ledgers 2-{a.end}: "
          + ("OK" if not problems else "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
