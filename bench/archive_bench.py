"""Archive benchmark: (1) end-to-end backfill of a local lake of pubnet-like generator
ledgers through all five tables to Parquet (zstd), 1 and 2 threads; (2) the write path
(bench_archive: converted tables to committed Parquet files) against pyarrow's
pq.write_table writing the same tables with the same settings, time and size.

usage: archive_bench.py BUILD_DIR [--ledgers N]
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def end_to_end(build, ledgers, work):
    lake = work / "lake"
    subprocess.run([str(build / "tools" / "make_lake"), "--out", str(lake), "--ledgers",
                    str(ledgers), "--per-file", "64"], check=True, capture_output=True)
    xdr_mb = sum(p.stat().st_size for p in lake.rglob("*.zst")) / 1e6
    for threads in (1, 2):
        out = work / f"archive{threads}"
        started = time.perf_counter()
        run = subprocess.run([str(build / "stellar-arrow-source"), "archive", "--source",
                              f"file://{lake}", "--network", "standalone", "--start", "64",
                              "--end", str(63 + ledgers), "--out", str(out), "--threads",
                              str(threads)], check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        print(f"end to end, {threads} thread(s): {ledgers} ledgers in {seconds:.2f} s = "
              f"{ledgers / seconds:.0f} ledgers/s ({ledgers / seconds / threads:.0f} per core), "
              f"{xdr_mb:.0f} MB compressed XDR in")
        shutil.rmtree(out)


def ours_best(build, dump, sync: bool):
    """Best of 5 repetitions of bench_archive (seconds), and its counters."""
    env = {**os.environ, "SAS_BENCH_DUMP_DIR": str(dump)}
    if not sync:
        env["SAS_BENCH_NO_SYNC"] = "1"
    run = subprocess.run([str(build / "bench" / "bench_archive"), "--benchmark_format=json",
                          "--benchmark_repetitions=5"],
                         check=True, capture_output=True, text=True, env=env)
    runs = [b for b in json.loads(run.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
    def fastest(name):
        return min((b for b in runs if b["name"].startswith(name)), key=lambda b: b["real_time"])
    best = fastest("BM_ArchiveWritePath")
    best["yardstick_seconds"] = fastest("BM_ParquetWriteTableYardstick")["real_time"] / 1e3
    return best["real_time"] / 1e3, best


def pyarrow_best(tables, work, sync: bool):
    """Best of 5 writes of the same tables by pq.write_table (seconds), and total size."""
    best, size = None, 0
    for _ in range(5):
        size = 0
        started = time.perf_counter()
        for name, table in tables.items():
            path = work / f"{name}.parquet"
            pq.write_table(table, path, compression="zstd", use_dictionary=True,
                           write_statistics=True, write_page_index=True, row_group_size=131072,
                           store_schema=True)
            if sync:
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
            size += path.stat().st_size
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, size


def write_path(build, work):
    dump = work / "tables"
    for sync in (False, True):
        ours_seconds, ours = ours_best(build, dump, sync)
        tables = {p.stem: pa.ipc.open_file(p).read_all() for p in sorted(dump.glob("*.arrow"))}
        best, size = pyarrow_best(tables, work, sync)
        arrow_mb = ours["arrow_bytes"] / 1e6
        label = "with fsync (ours: commit protocol)" if sync else "without fsync"
        print(f"write path {label}, {arrow_mb:.0f} MB of Arrow tables, best of 5: ours "
              f"{ours_seconds * 1e3:.0f} ms ({arrow_mb / ours_seconds:.0f} MB/s), pyarrow "
              f"{best * 1e3:.0f} ms ({arrow_mb / best:.0f} MB/s); speed ratio "
              f"{best / ours_seconds:.2f}; size ours {ours['parquet_bytes'] / 1e6:.2f} MB vs "
              f"pyarrow {size / 1e6:.2f} MB (ratio {ours['parquet_bytes'] / size:.3f}); "
              f"in-process parquet::arrow::WriteTable {ours['yardstick_seconds'] * 1e3:.0f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--ledgers", type=int, default=640)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        end_to_end(a.build, a.ledgers, Path(work))
        write_path(a.build, Path(work))


if __name__ == "__main__":
    main()
