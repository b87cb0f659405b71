"""End-to-end: the real binary serves Flight and the operator HTTP endpoints, validates its
configuration and stops cleanly on signals."""

import json
import signal
import subprocess

import pyarrow as pa
import pyarrow.flight as fl
import pytest

from conftest import Server, binary, http_get


def test_flight_client_lists_every_stream(server):
    client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
    names = [f.descriptor.path[0].decode() for f in client.list_flights()]
    assert names == ["stellar_ledger", "transactions", "operations", "token_transfers",
                     "contract_events"]


def test_without_a_source_streams_say_what_to_configure(server):
    client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
    with pytest.raises(pa.ArrowInvalid, match="no ledger source is configured"):
        client.do_get(fl.Ticket(b"stellar_ledger:1:2")).read_all()


def test_health_ready_and_metrics(server):
    status, body = http_get(server.health_port, "/health")
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["version"]
    assert health["uptime_seconds"] >= 0
    assert "arrow_memory_pool_bytes" in health
    assert http_get(server.health_port, "/ready")[0] == 200

    client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
    list(client.list_flights())
    status, metrics = http_get(server.health_port, "/metrics")
    assert status == 200
    assert "# TYPE stellar_arrow_source_uptime_seconds gauge" in metrics
    assert "stellar_arrow_source_arrow_memory_pool_bytes" in metrics
    assert 'stellar_arrow_source_flight_calls_total{method="ListFlights",status="OK"}' in metrics


@pytest.mark.parametrize("env,fragment", [
    ({"ARROW_PORT": "abc"}, "invalid ARROW_PORT='abc': expected an integer port 1-65535"),
    ({"HEALTH_PORT": "70000"}, "invalid HEALTH_PORT='70000'"),
    ({"LOG_LEVEL": "loud"}, "invalid LOG_LEVEL='loud': expected debug, info, warn or error"),
    ({"MOCK_DATA": "maybe"}, "invalid MOCK_DATA='maybe': expected true or false"),
    ({"BATCH_SIZE": "-5"}, "invalid BATCH_SIZE='-5'"),
])
def test_bad_environment_exits_2_naming_the_variable(env, fragment):
    p = subprocess.run([str(binary())], env=env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert fragment in p.stderr


def test_bad_flag_exits_2():
    p = subprocess.run([str(binary()), "--arrow-port", "0"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 2
    assert "--arrow-port='0'" in p.stderr


def test_help_lists_options_with_env_names():
    p = subprocess.run([str(binary()), "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0
    for name in ("ARROW_PORT", "HEALTH_PORT", "SOURCE_ENDPOINT", "MOCK_DATA", "BATCH_SIZE",
                 "NETWORK_PASSPHRASE", "LOG_LEVEL"):
        assert name in p.stdout


def test_version_names_arrow():
    p = subprocess.run([str(binary()), "--version"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0
    assert "Arrow C++ 26." in p.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_with_exit_0(sig):
    s = Server().wait_ready()
    assert s.stop(sig) == 0
    lines = s.log_lines()
    assert all({"time", "level", "component", "message"} <= set(l) for l in lines)
    assert any(l["message"] == "stopped" for l in lines)


def test_busy_port_is_a_clear_failure():
    first = Server().wait_ready()
    try:
        second = Server(extra_env={"ARROW_PORT": str(first.arrow_port)})
        assert second.proc.wait(20) == 1
        assert "ARROW_PORT" in second.proc.stderr.read()
    finally:
        first.stop()
