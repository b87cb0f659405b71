"""ANALYTICS_BUFFER_SIZE bounds the input values an aggregation keeps for exact measures: an
aggregation that needs more stops with an error naming the setting, and every other
aggregation goes on counting."""

import json
import time

import pyarrow.flight as fl
import pytest

from conftest import Server, http_get


def test_an_aggregation_past_the_buffer_stops_alone(tmp_path):
    config = tmp_path / "aggs.json"
    config.write_text(json.dumps({"aggregations": [
        {"name": "accounts", "table": "operations",
         "measures": [{"type": "distinct", "field": "source_account"}],
         "window": {"type": "tumbling", "size": "1h"}},
        {"name": "small", "table": "stellar_ledger", "measures": [{"type": "count"},
         {"type": "percentile", "field": "transaction_count", "p": 50, "mode": "exact"}],
         "window": {"type": "tumbling", "size": "1h"}}]}))
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "50",
                "ENABLE_ANALYTICS": "true", "ANALYTICS_CONFIG": str(config),
                "ANALYTICS_BUFFER_SIZE": "100", "MOCK_END_LEDGER": "61"}).wait_ready()
    try:
        deadline = time.monotonic() + 30
        while "error" not in json.loads(http_get(s.health_port, "/analytics/accounts")[1]):
            assert time.monotonic() < deadline, "the aggregation never hit the bound"
            time.sleep(0.2)
        error = json.loads(http_get(s.health_port, "/analytics/accounts")[1])["error"]
        assert "ANALYTICS_BUFFER_SIZE=100" in error and "'accounts'" in error

        # The others count every ledger to the generator's last (60 ledgers: 2-61).
        def ledgers_counted():
            return json.loads(http_get(s.health_port, "/analytics/ledger_rate")[1])[0]["count"]
        deadline = time.monotonic() + 30
        while ledgers_counted() < 60:
            assert time.monotonic() < deadline, "the other aggregations stopped too"
            time.sleep(0.2)
        small = json.loads(http_get(s.health_port, "/analytics/small")[1])
        assert small[0]["count"] == 60  # one exact value per ledger: within the bound

        client = fl.FlightClient(f"grpc://127.0.0.1:{s.arrow_port}")
        listed = json.loads(b"".join(r.body.to_pybytes() for r in
                                     client.do_action(fl.Action("list_aggregations", b""))))
        errors = {d["name"]: d.get("error") for d in listed}
        assert "ANALYTICS_BUFFER_SIZE" in errors["accounts"] and errors["tx_stats"] is None
        with pytest.raises(fl.FlightError, match="ANALYTICS_BUFFER_SIZE"):
            client.do_get(fl.Ticket(b"analytics:accounts")).read_all()
    finally:
        s.stop()
