"""One-shot analytics benchmark: a 24-hour sliding-window aggregation (1 h windows sliding
by 5 min, grouped by asset: sum, count and p99 of transfer amounts) over generator ledgers,
our engine against DuckDB running the same windows over the same token_transfers rows, both
on Arrow data held in memory, in one run: ours is `bench_analytics`'s
BM_OneShotOnConvertedLake (the lake converted first, then the aggregation timed alone, one
thread), DuckDB's the query over the same table converted to Arrow (its own threads). The
`analyze` command's aggregation time (measured while conversion runs beside it) is printed
too.

usage: analytics_oneshot.py BUILD_DIR [--ledgers N] [--tx T]
"""

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

WINDOW = {"type": "sliding", "size": "1h", "slide": "5m"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--ledgers", type=int, default=16_000)  # ~24 h at 5-6 s; a multiple of 64
    parser.add_argument("--tx", type=int, default=50)
    a = parser.parse_args()
    binary = str(a.build / "stellar-arrow-source")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        run = subprocess.run([str(a.build / "tools" / "make_lake"), "--out", str(work / "lake"),
                              "--ledgers", str(a.ledgers), "--per-file", "64", "--tx",
                              str(a.tx)], check=True, capture_output=True, text=True)
        first, last = map(int, re.search(r"wrote ledgers (\d+)-(\d+)", run.stdout).groups())
        config = work / "agg.json"
        config.write_text(json.dumps({"aggregations": [{
            "name": "volume", "table": "token_transfers",
            "filters": [{"field": "event_type", "op": "eq", "value": "transfer"}],
            "group_by": ["asset"],
            "measures": [{"type": "sum", "field": "amount"}, {"type": "count"},
                         {"type": "percentile", "field": "amount", "p": 99}],
            "window": WINDOW}]}))
        run = subprocess.run([binary, "analyze", "--source", f"file://{work / 'lake'}",
                              "--network", "standalone", "--start", str(first), "--end",
                              str(last), "--config", str(config), "--format", "jsonl", "--out",
                              str(work / "ours.jsonl")], check=True, capture_output=True,
                             text=True)
        analyze_seconds = float(re.search(r"aggregation ([\d.e+-]+) s", run.stderr).group(1))
        windows = len((work / "ours.jsonl").read_text().splitlines())
        bench = subprocess.run(
            [str(a.build / "bench" / "bench_analytics"), "--benchmark_filter=OneShot",
             "--benchmark_format=json"], check=True, capture_output=True, text=True,
            env={**os.environ, "SAS_ONESHOT_LAKE": f"file://{work / 'lake'}",
                 "SAS_ONESHOT_FIRST": str(first), "SAS_ONESHOT_LAST": str(last),
                 "SAS_ONESHOT_CONFIG": str(config)}, timeout=600)
        [result] = json.loads(bench.stdout)["benchmarks"]
        if result.get("error_occurred"):
            raise SystemExit(f"bench_analytics: {result['error_message']}")
        ours = result["real_time"] / 1e3  # milliseconds per iteration

        files = sorted(str(p) for p in (work / "lake").rglob("*.zst"))
        subprocess.run([binary, "convert", "--table", "token_transfers", "--format", "arrow",
                        "--network", "standalone", "--out", str(work / "tt.arrow"), *files],
                       check=True, capture_output=True)
        transfers = pa.ipc.open_file(work / "tt.arrow").read_all()
        con = duckdb.connect()
        con.register("transfers", transfers)
        sql = """
          with rows as (select asset, amount, epoch(ledger_close_time)::bigint // 300 as pane
                        from transfers where event_type = 'transfer'),
               windowed as (select rows.*, (pane - o) * 300 as window_start
                            from rows, range(0, 12) t(o))
          select window_start, asset, sum(amount), count(*), quantile_cont(amount, 0.99)
          from windowed group by all"""
        best = None
        for _ in range(3):
            started = time.perf_counter()
            duck_rows = len(con.execute(sql).fetchall())
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
    print(f"24 h sliding window (1 h / 5 min) by asset over {a.ledgers} generator ledgers "
          f"({transfers.num_rows} token transfers): ours {ours:.3f} s on one thread "
          f"({windows} windows; inside `analyze`, beside conversion: {analyze_seconds:.3f} s), "
          f"DuckDB {best:.3f} s ({duck_rows} rows, best of 3); ratio {best / ours:.2f}x")


if __name__ == "__main__":
    main()
