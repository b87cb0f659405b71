"""The `archive` command end to end: Parquet that DuckDB reads and that equals the
converted tables, deterministic names, replay and resume, crash safety under kill -9,
and an S3 destination on a loopback moto server."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import S3_CREDENTIALS, SHARED_TESTDATA, binary, moto_s3

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-32perfile"
FIRST, LAST = 1410048, 1410367
TABLES = ["stellar_ledger", "transactions", "operations", "token_transfers", "contract_events"]


def archive(out, *args, env=None, source=f"file://{LAKE}", start=FIRST, end=LAST, check=True):
    run = subprocess.run([str(binary()), "archive", "--source", source, "--network", "testnet",
                          "--start", str(start), "--end", str(end), "--out", str(out), *args],
                         env={**os.environ, **(env or {})}, capture_output=True, text=True,
                         timeout=600)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def one(query):
    """The first row of a DuckDB query."""
    return duckdb.connect().execute(query).fetchone()


def digests(root):
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*.parquet"))}


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    out = tmp_path_factory.mktemp("archive")
    archive(out)
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("converted")
    files = sorted(str(p) for p in LAKE.rglob("*.xdr.zst*"))
    tables = {}
    for name in TABLES:
        subprocess.run([str(binary()), "convert", "--table", name, "--format", "arrow",
                        "--network", "testnet", "--out", str(out / f"{name}.arrow"), *files],
                       check=True, capture_output=True)
        tables[name] = pa.ipc.open_file(out / f"{name}.arrow").read_all()
    return tables


def by_ledger(rows):
    return sorted(rows, key=lambda r: r["ledger_sequence"])


@pytest.mark.parametrize("table", TABLES)
def test_archived_rows_equal_the_converted_table(archived, converted, table):
    got = pq.read_table(sorted((archived / table).rglob("*.parquet")))
    assert by_ledger(got.to_pylist()) == by_ledger(converted[table].to_pylist())
    n = one(f"select count(*) from read_parquet('{archived}/{table}/**/*.parquet')")[0]
    assert n == converted[table].num_rows


def test_files_carry_zstd_statistics_and_metadata(archived):
    path = next((archived / "operations").rglob("*.parquet"))
    meta = pq.ParquetFile(path).metadata
    kv = {k.decode(): v.decode() for k, v in meta.metadata.items()}
    assert kv["stellar.table"] == "operations"
    assert (kv["stellar.first_ledger"], kv["stellar.last_ledger"]) == (str(FIRST), str(LAST))
    assert kv["stellar.network_passphrase"] == "Test SDF Network ; September 2015"
    assert len(kv["stellar.xdr_definitions_hash"]) == 64 and kv["stellar.schema_version"]
    column = meta.row_group(0).column(0)
    assert column.compression == "ZSTD" and column.statistics is not None
    assert path.name == f"operations-{FIRST}-{LAST}.parquet"


def test_manifest_and_checkpoint_describe_every_file(archived):
    for table in TABLES:
        lines = [json.loads(l) for l in (archived / table / "_manifest.jsonl").read_text().splitlines()]
        assert lines and lines[0]["first_ledger"] == FIRST and lines[-1]["last_ledger"] == LAST
        for entry in lines:
            data = (archived / entry["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["bytes"]
            assert pq.ParquetFile(archived / entry["path"]).metadata.num_rows == entry["rows"]
        checkpoint = json.loads((archived / table / "_checkpoint.json").read_text())
        assert checkpoint["last_ledger"] == LAST


def test_replay_changes_nothing_and_a_fresh_run_gives_identical_files(archived, tmp_path):
    before = digests(archived)
    run = archive(archived)
    assert "nothing to do" in run.stdout
    assert digests(archived) == before
    archive(tmp_path)
    assert digests(tmp_path) == before


def test_resume_continues_after_the_checkpoint(tmp_path):
    archive(tmp_path, end=FIRST + 99)
    first = digests(tmp_path)
    run = archive(tmp_path)
    assert f"resuming after the checkpoint at ledger {FIRST + 99}" in run.stderr
    after = digests(tmp_path)
    assert all(after[k] == v for k, v in first.items())
    n = one(f"select count(*), count(distinct ledger_sequence) from "
                   f"read_parquet('{tmp_path}/stellar_ledger/**/*.parquet')")
    assert n == (LAST - FIRST + 1, LAST - FIRST + 1)


def test_partition_formats_and_size_rotation(tmp_path):
    archive(tmp_path / "hive", "--partition-format", "date=2006-01-02")
    n = one(f"select count(distinct date) from read_parquet("
                   f"'{tmp_path}/hive/stellar_ledger/**/*.parquet', hive_partitioning=true)")
    assert n == (1,)
    archive(tmp_path / "ranges", "--partition-format", "ledger_range:100", "--max-file-size", "1",
            "--row-group-rows", "50")
    files = sorted(p.name for p in (tmp_path / "ranges" / "operations").rglob("*.parquet"))
    assert len(files) > 4
    folders = {p.parent.name for p in (tmp_path / "ranges" / "stellar_ledger").rglob("*.parquet")}
    assert folders == {"ledger_range=1410000-1410099", "ledger_range=1410100-1410199",
                       "ledger_range=1410200-1410299", "ledger_range=1410300-1410399"}
    ops = one(f"select count(*) from read_parquet('{tmp_path}/ranges/operations/**/*.parquet')")
    assert ops == one(
        f"select count(*) from read_parquet('{tmp_path}/hive/operations/**/*.parquet')")


@pytest.mark.parametrize("codec, footer", [
    ("none", {"UNCOMPRESSED"}), ("snappy", {"SNAPPY"}), ("gzip", {"GZIP"}),
    ("lz4", {"LZ4", "LZ4_RAW"}), ("zstd:3", {"ZSTD"}),
])
def test_every_codec_is_written_as_asked(tmp_path, codec, footer):
    archive(tmp_path, "--compression", codec, "--tables", "operations", end=FIRST + 31)
    path = next((tmp_path / "operations").rglob("*.parquet"))
    meta = pq.ParquetFile(path).metadata
    codecs = {meta.row_group(0).column(i).compression for i in range(meta.num_columns)}
    assert codecs <= footer | {"UNCOMPRESSED"} and codecs & footer


def test_the_zstd_level_is_applied(tmp_path):
    sizes = {}
    for level in (1, 19):
        out = tmp_path / str(level)
        archive(out, "--compression", f"zstd:{level}", "--tables", "transactions")
        sizes[level] = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    assert sizes[19] < sizes[1]


def test_a_table_subset_from_the_flag_or_parquet_tables(tmp_path):
    archive(tmp_path / "flag", "--tables", "operations,transactions", end=FIRST + 9)
    archive(tmp_path / "env", env={"PARQUET_TABLES": "token_transfers"}, end=FIRST + 9)
    assert sorted(p.name for p in (tmp_path / "flag").iterdir()) == ["operations", "transactions"]
    assert sorted(p.name for p in (tmp_path / "env").iterdir()) == ["token_transfers"]
    bad = archive(tmp_path / "bad", "--tables", "operations,nope", check=False)
    assert bad.returncode != 0 and "nope" in bad.stderr


def test_date_partitions_are_utc_whatever_the_host_time_zone(tmp_path):
    folders = {}
    for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        out = tmp_path / tz.replace("/", "_")
        archive(out, "--tables", "stellar_ledger", env={"TZ": tz})
        folders[tz] = sorted(str(p.parent.relative_to(out)) for p in out.rglob("*.parquet"))
    days = one(f"select list(distinct strftime(ledger_close_time at time zone 'UTC', "
               f"'stellar_ledger/%Y/%m/%d') order by 1) from "
               f"read_parquet('{tmp_path}/UTC/stellar_ledger/**/*.parquet')")[0]
    assert folders["UTC"] == folders["Pacific/Kiritimati"] == folders["Pacific/Pago_Pago"]
    assert sorted(set(folders["UTC"])) == days


def test_a_range_that_would_leave_a_gap_or_go_before_the_archive_is_refused(tmp_path):
    archive(tmp_path, start=FIRST + 10, end=FIRST + 19)
    gap = archive(tmp_path, start=FIRST + 30, end=FIRST + 39, check=False)
    assert gap.returncode != 0
    assert f"would leave ledgers {FIRST + 20}-{FIRST + 29} out" in gap.stderr
    before = archive(tmp_path, start=FIRST, end=FIRST + 19, check=False)
    assert before.returncode != 0 and f"starts at ledger {FIRST + 10}" in before.stderr
    assert archive(tmp_path, start=FIRST + 10, end=FIRST + 29).returncode == 0


@pytest.mark.parametrize("flag, value, fragment", [
    ("--compression", "brotli9", "expected none, snappy, gzip, lz4 or zstd"),
    ("--partition-format", "daily", "Go time layout"),
])
def test_bad_settings_are_clear_errors(tmp_path, flag, value, fragment):
    run = archive(tmp_path, flag, value, check=False)
    assert run.returncode != 0 and fragment in run.stderr


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(tmp_path):
    """10 kills of tools/archive_crash_test.py (the note reports its 100-kill run)."""
    tool = Path(__file__).resolve().parents[2] / "tools" / "archive_crash_test.py"
    run = subprocess.run([sys.executable, str(tool), str(binary()), str(tmp_path / "archive"),
                          "--kills", "10"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "10 kills (10 while writing)" in run.stdout and run.stdout.rstrip().endswith("OK")


def test_s3_destination(tmp_path):
    with moto_s3() as (port, s3):
        s3.create_bucket(Bucket="archive")
        base = f"s3://archive/stellar?endpoint_override=127.0.0.1:{port}&scheme=http"
        archive(base, env=S3_CREDENTIALS, end=FIRST + 63)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="archive")["Contents"]]
        assert "stellar/operations/2022/06/10/operations-1410048-1410111.parquet" in keys
        assert not [k for k in keys if k.endswith(".inprogress")]
        body = s3.get_object(Bucket="archive",
                             Key="stellar/stellar_ledger/2022/06/10/stellar_ledger-1410048-1410111.parquet")
        table = pq.read_table(pa.BufferReader(body["Body"].read()))
        assert table["ledger_sequence"].to_pylist() == list(range(FIRST, FIRST + 64))


@pytest.mark.parametrize("out", ["./relative-archive", "relative-archive"])
def test_a_relative_destination_is_taken_from_the_working_directory(tmp_path, out):
    run = subprocess.run([str(binary()), "archive", "--source", f"file://{LAKE}", "--network",
                          "testnet", "--start", str(FIRST), "--end", str(FIRST + 31), "--out", out],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = one(f"select count(*) from read_parquet('{tmp_path}/relative-archive/stellar_ledger/**/*.parquet')")
    assert rows == (32,)
