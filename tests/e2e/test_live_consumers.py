"""The server's live consumers on the generator: the analytics engine (HTTP /analytics,
Flight `analytics:<name>` tickets and aggregation actions) and the Parquet archive
(PARQUET_BASE_PATH), which resumes after a restart with no gap and no duplicate."""

import json
import time

import duckdb
import pyarrow.flight as fl
import pytest

from conftest import Server, http_get

FAST = {"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "20"}


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError("condition not met")


def test_live_analytics_over_http_and_flight(tmp_path):
    config = tmp_path / "agg.json"
    config.write_text(json.dumps({"aggregations": [{
        "name": "tx_by_result", "table": "transactions", "group_by": ["successful"],
        "measures": [{"type": "count"}, {"type": "max", "field": "fee_charged"}],
        "window": {"type": "ledgers", "count": 10}}]}))
    s = Server({**FAST, "ENABLE_ANALYTICS": "true", "ANALYTICS_WINDOW_SIZE": "1m",
                "ANALYTICS_CONFIG": str(config)}).wait_ready()
    try:
        def ten_ledgers():
            status, body = http_get(s.health_port, "/analytics/tx_by_result")
            rows = json.loads(body) if status == 200 else []
            return rows if sum(r["rows"] for r in rows) >= 200 else None
        rows = wait_for(ten_ledgers)
        assert sum(r["count"] for r in rows) == sum(r["rows"] for r in rows) == 200
        everything = json.loads(http_get(s.health_port, "/analytics")[1])
        assert {"payment_volume", "payment_volume_usdc", "tx_stats", "fee_stats", "ledger_rate",
                "tx_by_result"} <= set(everything)
        usdc = everything["payment_volume_usdc"]
        assert usdc and all(w["asset"].startswith("USDC:") for w in usdc)
        assert http_get(s.health_port, "/analytics/nope")[0] == 404

        c = fl.FlightClient(f"grpc://127.0.0.1:{s.arrow_port}")
        table = c.do_get(fl.Ticket(b"analytics:ledger_rate")).read_all()
        assert {"window_start", "window_end", "count", "min_ledger_sequence", "rows", "final"} <= set(table.schema.names)
        new = {"name": "ops", "table": "operations", "measures": [{"type": "count"}],
               "window": {"type": "tumbling", "size": "30s"}}
        list(c.do_action(fl.Action("create_aggregation", json.dumps(new).encode())))
        names = [d["name"] for d in json.loads(
            next(iter(c.do_action(fl.Action("list_aggregations", b"")))).body.to_pybytes())]
        assert "ops" in names
        with pytest.raises(Exception, match="has no column"):
            bad = dict(new, name="bad", group_by=["nope"])
            list(c.do_action(fl.Action("create_aggregation", json.dumps(bad).encode())))
        with pytest.raises(Exception, match="wrong JSON type"):
            wrong_kind = dict(new, name="wrong_kind", window={"type": "tumbling", "size": 30})
            list(c.do_action(fl.Action("create_aggregation", json.dumps(wrong_kind).encode())))
        assert http_get(s.health_port, "/health")[0] == 200  # still serving
        list(c.do_action(fl.Action("drop_aggregation", b"ops")))
        metrics = http_get(s.health_port, "/metrics")[1]
        assert "stellar_arrow_source_analytics_state_bytes" in metrics
        exported = {line.split(" ")[0]: float(line.split(" ")[1]) for line in metrics.splitlines()
                    if line.startswith("stellar_arrow_source_analytics_value{")}
        rate = 'stellar_arrow_source_analytics_value{aggregation="tx_stats",measure="avg_successful",group=""}'
        assert 0 < exported[rate] <= 1  # the newest window may be too young for a failure
        windows = json.loads(http_get(s.health_port, "/analytics/tx_stats")[1])
        assert any(w["avg_successful"] < 1 for w in windows)  # the generator's failures
        assert any('aggregation="payment_volume",measure="sum_amount",group="USDC:' in k
                   for k in exported)
    finally:
        assert s.stop() == 0


def test_live_archive_resumes_after_restart_without_gap_or_duplicate(tmp_path):
    env = {**FAST, "PARQUET_BASE_PATH": str(tmp_path), "PARQUET_PARTITION_FORMAT": "ledger_range:25",
           "PARQUET_ARCHIVE_INTERVAL_MINUTES": "1"}
    for _ in range(2):
        s = Server(env).wait_ready()
        try:
            def archived_past(n):
                metrics = http_get(s.health_port, "/metrics")[1]
                line = next(l for l in metrics.splitlines()
                            if l.startswith("stellar_arrow_source_archive_next_ledger_sequence "))
                return float(line.split()[1]) > n
            start = time.monotonic()
            wait_for(lambda: archived_past(60 if _ == 0 else 120))
        finally:
            assert s.stop() == 0
    q = f"read_parquet('{tmp_path}/stellar_ledger/**/*.parquet')"
    n, distinct, low, high = duckdb.connect().execute(
        f"select count(*), count(distinct ledger_sequence), min(ledger_sequence), "
        f"max(ledger_sequence) from {q}").fetchone()
    assert n == distinct == high - low + 1 and low == 2 and high >= 120
    tx = duckdb.connect().execute(
        f"select count(*), count(distinct (ledger_sequence, application_order)) from "
        f"read_parquet('{tmp_path}/transactions/**/*.parquet')").fetchone()
    assert tx[0] == tx[1] == 20 * n


def test_the_live_archive_commits_at_least_every_interval(tmp_path):
    env = {**FAST, "PARQUET_BASE_PATH": str(tmp_path), "PARQUET_TABLES": "stellar_ledger",
           "PARQUET_PARTITION_FORMAT": "ledger_range:1000000",
           "PARQUET_ARCHIVE_INTERVAL_MINUTES": "0.05"}  # 3 s; no partition boundary is met
    s = Server(env).wait_ready()
    try:
        def committed():
            return sorted(p.name for p in tmp_path.rglob("*.parquet"))
        first = wait_for(lambda: committed() or None)
        wait_for(lambda: len(committed()) > len(first) or None)
        assert [p.name for p in tmp_path.iterdir()] == ["stellar_ledger"]
    finally:
        assert s.stop() == 0


def test_a_live_analytics_ticket_streams_window_updates():
    s = Server({**FAST, "ENABLE_ANALYTICS": "true", "ANALYTICS_WINDOW_SIZE": "1h"}).wait_ready()
    try:
        c = fl.FlightClient(f"grpc://127.0.0.1:{s.arrow_port}")
        reader = c.do_get(fl.Ticket(b"analytics:ledger_rate:live"))
        counts = []
        while len(counts) < 4:
            update = reader.read_chunk().data
            assert {"window_start", "window_end", "count", "rows", "final"} <= set(update.schema.names)
            counts.append(sum(update["count"].to_pylist()))
        reader.cancel()
        assert counts == sorted(counts) and counts[-1] > counts[0]  # each update saw more ledgers
        with pytest.raises(Exception, match="nope"):
            c.do_get(fl.Ticket(b"analytics:nope:live")).read_all()
    finally:
        assert s.stop() == 0
