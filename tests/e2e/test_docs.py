"""docs/CONFIGURATION.md and docs/METRICS.md are generated from the option table and the
metric catalog; they must equal what the binary prints, and every metric a running server
exports must be documented."""

import subprocess

from conftest import ROOT, Server, binary, http_get


def generated(topic):
    return subprocess.run([str(binary()), "docs", topic], check=True, capture_output=True,
                          text=True).stdout


def test_configuration_doc_is_the_option_table():
    assert (ROOT / "docs" / "CONFIGURATION.md").read_text() == generated("configuration"), \
        "regenerate: stellar-arrow-source docs configuration > docs/CONFIGURATION.md"


def test_metrics_doc_is_the_metric_catalog():
    assert (ROOT / "docs" / "METRICS.md").read_text() == generated("metrics"), \
        "regenerate: stellar-arrow-source docs metrics > docs/METRICS.md"


def test_every_exported_metric_is_documented(tmp_path):
    doc = (ROOT / "docs" / "METRICS.md").read_text()
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "20",
                "ENABLE_ANALYTICS": "true", "PARQUET_BASE_PATH": str(tmp_path)}).wait_ready()
    try:
        http_get(s.health_port, "/metrics")
        metrics = http_get(s.health_port, "/metrics")[1]
        names = {line.split()[2] for line in metrics.splitlines() if line.startswith("# TYPE ")}
        assert len(names) > 10
        assert not [n for n in names if f"`{n}`" not in doc]
    finally:
        assert s.stop() == 0


def test_schemas_doc_names_every_column_of_every_table(tmp_path):
    """docs/SCHEMAS.md has a section per table that names each of its columns (as the
    binary writes them, in backticks)."""
    import re
    import pyarrow.parquet as pq
    from conftest import SHARED_TESTDATA
    doc = (ROOT / "docs" / "SCHEMAS.md").read_text()
    fixture = sorted((SHARED_TESTDATA / "testnet" / "horizon-testbucket").glob("*.zst"))[0]
    for table in ["stellar_ledger", "transactions", "operations", "token_transfers",
                  "contract_events"]:
        out = tmp_path / f"{table}.parquet"
        subprocess.run([str(binary()), "convert", "--table", table, "--out", str(out),
                        str(fixture)], check=True, capture_output=True)
        start = doc.index(f"## `{table}`")
        end = doc.find("\n## ", start + 1)
        section = doc[start:end if end > 0 else None]
        documented = set(re.findall(r"`([a-z0-9_]+)`", section))
        missing = [n for n in pq.read_schema(out).names if n not in documented]
        assert not missing, f"{table}: undocumented columns {missing}"
