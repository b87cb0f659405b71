"""The upstream gRPC source against a fake RawLedgerService (tools/fake_upstream.py) that
serves the 320-ledger testnet lake and misbehaves on request: the client must deliver
exactly the lake's ledgers, resume where it stopped, and name what went wrong."""

import contextlib
import json
import subprocess
import sys
import time

import pyarrow.flight as fl
import pyarrow.parquet as pq
import pytest

from conftest import (PASSPHRASES, ROOT, SHARED_TESTDATA, Server, binary, free_port, http_get,
                      wait_for_metric)

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-32perfile"
FIRST, LAST = 1410048, 1410367


@contextlib.contextmanager
def fake_upstream(**faults):
    """Runs the fake upstream; yields (port, requests) where requests() returns the
    start ledgers asked for so far (read once the fake has stopped)."""
    port = free_port()
    args = [sys.executable, str(ROOT / "tools" / "fake_upstream.py"), "--lake", str(LAKE),
            "--port", str(port)]
    for name, value in faults.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "serving", first
        assert (first["first"], first["last"]) == (FIRST, LAST)

        def requests():
            proc.terminate()
            proc.wait(10)
            lines.extend(json.loads(line) for line in proc.stdout)
            return [line["start_ledger"] for line in lines if line["event"] == "request"]

        yield port, requests
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def ingest(source: str, start: int = FIRST, end: int = LAST, timeout: float = 120):
    return subprocess.run([str(binary()), "ingest", "--source", source, "--network", "testnet",
                           "--start", str(start), "--end", str(end), "--print"],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def lake_lines():
    run = ingest(f"file://{LAKE}")
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def log_lines(stderr: str) -> list:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_a_clean_stream_gives_exactly_the_lake_ledgers(lake_lines):
    with fake_upstream() as (port, requests):
        run = ingest(f"grpc://127.0.0.1:{port}")
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == lake_lines
        assert requests() == [FIRST]


def test_a_dropped_stream_resumes_at_the_next_ledger(lake_lines):
    with fake_upstream(drop_after=50) as (port, requests):
        run = ingest(f"grpc://127.0.0.1:{port}")
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == lake_lines
        assert requests() == [FIRST, FIRST + 50]
    warnings = [l for l in log_lines(run.stderr) if l["message"] == "reconnecting"]
    assert warnings and warnings[0]["resume_at"] == FIRST + 50
    assert "dropped the stream" in warnings[0]["problem"]


def test_a_ledger_sent_twice_is_delivered_once(lake_lines):
    with fake_upstream(duplicate=FIRST + 10) as (port, requests):
        run = ingest(f"grpc://127.0.0.1:{port}")
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == lake_lines
        assert requests() == [FIRST]
    dropped = [l for l in log_lines(run.stderr) if l["message"] == "dropped a ledger sent again"]
    assert [l["sequence"] for l in dropped] == [FIRST + 10]


@pytest.mark.parametrize("fault,problem", [
    ("skip", f"upstream skipped ledger {FIRST + 100}: it sent {FIRST + 101} next"),
    ("garbage", f"ledger {FIRST + 100} is not a valid LedgerCloseMeta"),
])
def test_a_skipped_or_garbled_ledger_is_reported_and_asked_for_again(lake_lines, fault,
                                                                     problem):
    with fake_upstream(**{fault: FIRST + 100}) as (port, requests):
        run = ingest(f"grpc://127.0.0.1:{port}")
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == lake_lines
        assert requests() == [FIRST, FIRST + 100]
    reports = [l for l in log_lines(run.stderr) if l["message"] == "bad ledger, re-requesting"]
    assert len(reports) == 1 and problem in reports[0]["problem"]
    assert reports[0]["resume_at"] == FIRST + 100


def test_a_ledger_that_never_comes_fails_clearly_without_a_gap(lake_lines):
    with fake_upstream(always_skip=FIRST + 5) as (port, requests):
        run = ingest(f"grpc://127.0.0.1:{port}")
        assert run.returncode != 0
        assert run.stdout.splitlines() == lake_lines[:5]
        assert f"upstream skipped ledger {FIRST + 5}" in run.stderr
        assert "after 5 attempts" in run.stderr
        assert requests() == [FIRST] + [FIRST + 5] * 4


def test_bad_upstream_uris_are_rejected():
    run = ingest("grpc://nohost")
    assert run.returncode != 0
    assert "expected grpc://host:port" in run.stderr


def upstream_server(port: int, start: int, **env) -> Server:
    """A server following the fake upstream from `start`, without a lake."""
    return Server({"SOURCE_ENDPOINT": f"127.0.0.1:{port}", "START_LEDGER": str(start),
                   "NETWORK_PASSPHRASE": PASSPHRASES["testnet"], **env}).wait_ready()


def ledger_sequences(client, first: int, last: int) -> list:
    ticket = fl.Ticket(f"stellar_ledger:{first}:{last}".encode())
    return client.do_get(ticket).read_all()["ledger_sequence"].to_pylist()


def sources_of(client) -> dict:
    return json.loads(next(iter(client.do_action(fl.Action("sources", b"")))).body.to_pybytes())


def test_the_server_serves_the_upstream_as_its_live_source():
    with fake_upstream() as (port, _):
        server = upstream_server(port, FIRST)
        try:
            client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
            assert ledger_sequences(client, FIRST, FIRST + 99) == list(range(FIRST, FIRST + 100))
            sources = sources_of(client)
            assert sources["live"] == "upstream"
            assert sources["start_ledger"] == FIRST
            metrics = http_get(server.health_port, "/metrics")[1]
            delivered = [line for line in metrics.splitlines()
                         if line.startswith("stellar_arrow_source_upstream_ledgers_total ")]
            assert delivered and float(delivered[0].split()[1]) >= 100
            assert "stellar_arrow_source_live_source_bytes_total " in metrics
            assert "stellar_arrow_source_live_lag_seconds " in metrics
        finally:
            assert server.stop() == 0


def test_the_server_needs_a_start_ledger_for_an_upstream_without_a_lake():
    server = Server({"SOURCE_ENDPOINT": "127.0.0.1:1"})
    assert server.proc.wait(20) != 0
    assert "START_LEDGER" in server.proc.stderr.read()


def test_the_server_reads_the_upstream_over_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with fake_upstream(tls_cert=cert, tls_key=key) as (port, _):
        server = Server({"SOURCE_ENDPOINT": f"localhost:{port}", "START_LEDGER": str(FIRST),
                         "SOURCE_TLS": "true", "SOURCE_TLS_CA_FILE": str(cert),
                         "NETWORK_PASSPHRASE": PASSPHRASES["testnet"]}).wait_ready()
        try:
            client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
            assert ledger_sequences(client, FIRST, FIRST + 9) == list(range(FIRST, FIRST + 10))
        finally:
            assert server.stop() == 0


def test_without_a_lake_older_ranges_come_from_further_upstream_streams():
    with fake_upstream() as (port, requests):
        server = upstream_server(port, FIRST + 200)
        try:
            client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
            assert ledger_sequences(client, FIRST, FIRST + 209) == list(range(FIRST, FIRST + 210))
            assert sources_of(client)["history"] == "upstream"
        finally:
            assert server.stop() == 0
        assert requests()[:2] == [FIRST + 200, FIRST]


def test_cancelling_a_range_that_waits_on_the_upstream_ends_its_doget_at_once():
    """The history stream stalls before the range's first batch is full: the DoGet waits
    inside the upstream read. The client's cancel must end that read and the DoGet (its
    MAX_CONNECTIONS slot) within seconds, not when (if ever) the upstream sends again."""
    with fake_upstream(stall_at=FIRST + 10) as (port, requests):
        server = upstream_server(port, FIRST + 200)
        try:
            client = fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}")
            reader = client.do_get(fl.Ticket(f"stellar_ledger:{FIRST}:{FIRST + 99}".encode()))
            time.sleep(1)  # the server is now blocked waiting for ledger FIRST + 10
            assert "flight_active_streams 1" in http_get(server.health_port, "/metrics")[1]
            reader.cancel()
            wait_for_metric(server.health_port, "flight_active_streams 0", 5,
                            "the cancelled DoGet kept waiting upstream")
        finally:
            assert server.stop() == 0
        assert requests()[:2] == [FIRST + 200, FIRST]


def test_an_archive_resuming_before_start_ledger_reads_the_gap_from_the_upstream(tmp_path):
    env = {"PARQUET_BASE_PATH": str(tmp_path), "PARQUET_TABLES": "stellar_ledger,transactions",
           "PARQUET_PARTITION_FORMAT": "ledger_range:50", "PARQUET_ARCHIVE_INTERVAL_MINUTES": "0.02"}

    def archived_next():
        line = next(l for l in http_get(server.health_port, "/metrics")[1].splitlines()
                    if l.startswith("stellar_arrow_source_archive_next_ledger_sequence "))
        return float(line.split()[1])

    with fake_upstream() as (port, _):
        for start, until in ((FIRST, FIRST + 60), (FIRST + 250, LAST + 1)):
            server = upstream_server(port, start, **env)
            try:
                deadline = time.monotonic() + 60
                while archived_next() < until and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert archived_next() >= until
            finally:
                assert server.stop() == 0
    sequences = pq.read_table(tmp_path / "stellar_ledger").column("ledger_sequence").to_pylist()
    assert sorted(sequences) == list(range(FIRST, LAST + 1))
