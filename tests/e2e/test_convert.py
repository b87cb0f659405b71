"""End-to-end: `stellar-arrow-source convert` writes every table in every format, readable by
pyarrow, with the same rows whatever the format, thread count or chunking."""

import json
import subprocess

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from conftest import SHARED_TESTDATA, binary

LIGHTHORIZON = sorted((SHARED_TESTDATA / "testnet/lighthorizon-1410048-1410367").glob("14*"))
# Two pubnet ledgers with Soroban events (LedgerCloseMeta V1 and V2), repeated so that a
# conversion makes several batches (64-ledger chunks, 2 threads).
SOROBAN = [SHARED_TESTDATA / "pubnet/wallet-backend/ledger-51000294.xdr",
           SHARED_TESTDATA / "pubnet/wallet-backend/ledger-63092988.xdr"] * 40
TABLES = ["stellar_ledger", "transactions", "operations", "token_transfers", "contract_events"]


def convert(table, out, *extra, files=LIGHTHORIZON):
    p = subprocess.run([str(binary()), "convert", "--table", table, "--out", str(out), *extra,
                        *map(str, files)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return p


def plain(table: pa.Table) -> pa.Table:
    """The table with dictionary columns decoded, for comparing across formats."""
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
               for c in table.columns]
    return pa.table(columns, names=table.column_names)


def fields(schema: pa.Schema) -> list[tuple]:
    """(name, type, nullable) of every field; Parquet names list items `element`."""
    return [(f.name, str(f.type).replace("<element:", "<item:"), f.nullable) for f in schema]


@pytest.mark.parametrize("files", [LIGHTHORIZON, SOROBAN], ids=["testnet", "soroban"])
@pytest.mark.parametrize("table", TABLES)
def test_formats_and_threads_agree(table, files, tmp_path):
    convert(table, tmp_path / "a.parquet", "--threads", "1", files=files)
    convert(table, tmp_path / "b.arrow", "--threads", "2", files=files)
    convert(table, tmp_path / "c.jsonl", files=files)
    parquet = pq.read_table(tmp_path / "a.parquet")
    arrow_file = ipc.open_file(tmp_path / "b.arrow")
    arrow = arrow_file.read_all()
    assert parquet.schema.metadata[b"stellar_arrow_source.table"] == table.encode()
    # Both files keep the table's own schema, dictionary columns included (the Arrow file
    # grows one dictionary per column across its batches).
    assert fields(arrow.schema) == fields(parquet.schema)
    assert arrow.schema.metadata == parquet.schema.metadata
    assert arrow_file.num_record_batches > 1
    assert plain(parquet).equals(plain(arrow))
    rows = [json.loads(line) for line in open(tmp_path / "c.jsonl")]
    assert len(rows) == parquet.num_rows
    if files is SOROBAN and table != "stellar_ledger":
        assert parquet.num_rows > 0
    if table == "stellar_ledger" and files is LIGHTHORIZON:
        assert parquet.num_rows == 320
        assert parquet["ledger_sequence"].to_pylist() == list(range(1410048, 1410368))


def test_parquet_is_zstd(tmp_path):
    convert("operations", tmp_path / "ops.parquet")
    metadata = pq.ParquetFile(tmp_path / "ops.parquet").metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_unknown_table_and_format_are_usage_errors(tmp_path):
    for args in (["--table", "nope"], ["--table", "operations", "--format", "xml"]):
        p = subprocess.run([str(binary()), "convert", *args, "--out", str(tmp_path / "x"),
                            str(LIGHTHORIZON[0])], capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, p.stderr
