"""The archive when its disk fills up: a small tmpfs runs out of space mid-run. The batch
command and the live archive must fail clearly, leave no broken file visible, and, once
space returns, resume without losing or duplicating a row."""

import subprocess
import time

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import Server, binary, load_tool

TABLES = ["stellar_ledger", "transactions", "operations", "token_transfers", "contract_events"]
ARGS = ["--source", "generator:tx=20", "--network", "standalone", "--start", "2",
        "--partition-format", "ledger_range:10"]


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (needs root, as in CI); resize(size) gives it more room."""
    mount = tmp_path / "disk"
    mount.mkdir()
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")

    def resize(size: str):
        subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)

    yield mount, resize
    subprocess.run(["umount", "-l", str(mount)], check=False)


def visible_files_open(root):
    for path in root.rglob("*.parquet"):
        pq.ParquetFile(path).metadata  # raises for a broken file


def test_a_full_disk_is_a_clear_error_and_the_rerun_completes_the_range(small_disk, tmp_path):
    disk, resize = small_disk
    out = disk / "archive"
    command = [str(binary()), "archive", *ARGS, "--end", "300", "--out", str(out)]
    full = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert full.returncode == 1, full.stdout
    assert "No space left on device" in full.stderr, full.stderr
    visible_files_open(out)

    resize("64m")
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".inprogress")]

    clean = tmp_path / "uninterrupted"
    subprocess.run([str(binary()), "archive", *ARGS, "--end", "300", "--out", str(clean)],
                   check=True, capture_output=True)
    crash = load_tool("archive_crash_test")
    con = duckdb.connect()
    for table in TABLES:
        assert crash.rows_differ(con, out, clean, table, 300) == 0, table
    assert crash.checkpoints(out) == {table: 300 for table in TABLES}


def test_the_live_archive_retries_a_full_disk_without_gap_or_duplicate(small_disk):
    disk, resize = small_disk
    server = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20",
                     "MOCK_TX_PER_LEDGER": "20", "PARQUET_BASE_PATH": str(disk / "archive"),
                     "PARQUET_PARTITION_FORMAT": "ledger_range:10",
                     "PARQUET_ARCHIVE_INTERVAL_MINUTES": "1"}).wait_ready()
    try:
        time.sleep(4)  # the disk fills within the first few files
        resize("64m")
        time.sleep(8)  # the follower retries after 5 s
    finally:
        assert server.stop() == 0
    failures = [l for l in server.log_lines()
                if l["component"] == "archive" and l["message"] == "failed; retrying"]
    assert failures and "No space left on device" in failures[0]["error"]

    con = duckdb.connect()
    scan = lambda table: f"read_parquet('{disk}/archive/{table}/**/*.parquet')"
    rows, distinct, first, last = con.execute(
        f"select count(*), count(distinct ledger_sequence), min(ledger_sequence), "
        f"max(ledger_sequence) from {scan('stellar_ledger')}").fetchone()
    assert (rows, distinct, first) == (last - 1, last - 1, 2)
    assert last > failures[-1]["resume_at"] + 20  # it went on well past the failure
    dupes = con.execute(f"select count(*) from (select ledger_sequence, application_order "
                        f"from {scan('transactions')} group by all having count(*) > 1)"
                        ).fetchone()[0]
    assert dupes == 0
    assert con.execute(f"select count(*) from {scan('transactions')}").fetchone()[0] == 20 * rows
