"""Crash test of the archive: start `archive` on the generator over a range it cannot finish,
kill -9 it at random moments N times in a row (each restart resumes from the checkpoint),
then let one start-up recover and check, for every table:
- no partial file was ever visible: after every kill, every `*.parquet` file opens;
- no temporary file is left after recovery;
- the table covers exactly [2, its checkpoint]: its rows equal, row for row, those of an
  uninterrupted archive of the same ledgers (no gap, no duplicate).

usage: archive_crash_test.py BINARY OUT_DIR [--kills N] [--seed S] [--max-delay SECONDS]
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

TABLES = ["stellar_ledger", "transactions", "operations", "token_transfers", "contract_events"]
ARGS = ["--source", "generator:tx=20", "--network", "standalone", "--start", "2",
        "--row-group-rows", "100", "--partition-format", "ledger_range:10"]
UNREACHABLE_END = 10_000_000


def archive(binary: str, out: Path, end: int) -> list:
    return [binary, "archive", *ARGS, "--end", str(end), "--out", str(out)]


def unreadable_files(out: Path) -> list:
    """Visible Parquet files that do not open."""
    bad = []
    for path in out.rglob("*.parquet"):
        try:
            pq.ParquetFile(path).metadata
        except Exception as error:  # noqa: BLE001 (any failure to open is the finding)
            bad.append(f"{path}: {error}")
    return bad


def checkpoints(out: Path) -> dict:
    result = {}
    for table in TABLES:
        path = out / table / "_checkpoint.json"
        result[table] = json.loads(path.read_text())["last_ledger"] if path.exists() else None
    return result


def rows_differ(con, killed: Path, clean: Path, table: str, last: int) -> int:
    """Rows in one archive and not the other (as multisets), for ledgers <= last."""
    def scan(root):
        return (f"(select * from read_parquet('{root}/{table}/**/*.parquet', union_by_name=true)"
                f" where ledger_sequence <= {last})")
    a, b = scan(killed), scan(clean)
    return con.execute(f"select (select count(*) from ({a} except all {b})) + "
                       f"(select count(*) from ({b} except all {a}))").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("out", type=Path)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-delay", type=float, default=4.0)
    a = parser.parse_args()
    rng = random.Random(a.seed)
    problems, mid_run = [], 0
    started = time.monotonic()
    for kill in range(a.kills):
        proc = subprocess.Popen(archive(a.binary, a.out, UNREACHABLE_END),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, a.max_delay))
        if proc.poll() is None:
            mid_run += 1
        else:
            problems.append(f"run {kill} ended by itself: {proc.stderr.read()[-300:]!r}")
        proc.kill()
        proc.wait()
        problems += unreadable_files(a.out)
    # One more start-up recovers (adopts files renamed before their checkpoint was saved).
    recover = subprocess.run(archive(a.binary, a.out, 2), capture_output=True, text=True)
    if recover.returncode != 0:
        problems.append(f"recovery failed: {recover.stderr[-500:]}")
    leftovers = [p for p in a.out.rglob("*") if p.name.endswith(".inprogress")]
    if leftovers:
        problems.append(f"temporary files left: {leftovers[:3]}")
    marks = checkpoints(a.out)
    covered = [m for m in marks.values() if m is not None]
    if len(covered) != len(TABLES):
        problems.append(f"tables without a checkpoint: {marks}")
    clean = a.out.parent / (a.out.name + "-uninterrupted")
    if covered:
        subprocess.run(archive(a.binary, clean, max(covered)), check=True, capture_output=True)
        con = duckdb.connect()
        for table, last in marks.items():
            if last is None:
                continue
            span = con.execute(f"select min(ledger_sequence), max(ledger_sequence) from "
                               f"read_parquet('{a.out}/{table}/**/*.parquet')").fetchone()
            if table == "stellar_ledger" and span != (2, last):
                problems.append(f"{table} spans {span}, its checkpoint says (2, {last})")
            if span[1] is not None and span[1] > last:
                problems.append(f"{table} holds ledger {span[1]} past its checkpoint {last}")
            differ = rows_differ(con, a.out, clean, table, last)
            if differ:
                problems.append(f"{table}: {differ} rows differ from the uninterrupted archive")
    files = len(list(a.out.rglob("*.parquet")))
    print(f"{a.kills} kills ({mid_run} while writing) in {time.monotonic() - started:.0f} s; "
          f"{files} files; checkpoints {marks}: " + ("OK" if not problems else
                                                      "; ".join(problems[:10])))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
