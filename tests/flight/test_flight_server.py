"""End-to-end Flight: the real server on a fixture lake and on the generator, read with
pyarrow.flight as an independent client."""

import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as fl
import pytest

from conftest import (PASSPHRASES, SHARED_TESTDATA, Server, binary, http_get,
                      self_signed_certificate, wait_for_metric)

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-32perfile"
FIRST, LAST = 1410048, 1410367
STREAMS = ["stellar_ledger", "transactions", "operations", "token_transfers", "contract_events"]
LAKE_ENV = {"LEDGER_LAKE_URI": f"file://{LAKE}", "NETWORK_PASSPHRASE": PASSPHRASES["testnet"],
            "BATCH_SIZE": "100"}


def client_of(server, **kwargs):
    return fl.FlightClient(f"grpc://127.0.0.1:{server.arrow_port}", **kwargs)


@pytest.fixture(scope="module")
def lake_server():
    s = Server(LAKE_ENV).wait_ready()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Every table of the lake's ledgers, as the `convert` command writes them."""
    out = tmp_path_factory.mktemp("converted")
    files = sorted(str(p) for p in LAKE.rglob("*.xdr.zst*"))
    tables = {}
    for name in STREAMS:
        path = out / f"{name}.arrow"
        subprocess.run([str(binary()), "convert", "--table", name, "--format", "arrow",
                        "--network", "testnet", "--out", str(path), *files],
                       check=True, capture_output=True)
        with pa.ipc.open_file(path) as reader:
            tables[name] = reader.read_all()
    return tables


def rows(table):
    return table.to_pylist()


def in_range(table, start, end):
    """Rows of ledgers start..end in ledger order (the lake's files list newest first)."""
    picked = [r for r in rows(table) if start <= r["ledger_sequence"] <= end]
    return sorted(picked, key=lambda r: r["ledger_sequence"])


@pytest.mark.parametrize("stream", STREAMS)
def test_every_stream_serves_exactly_the_converted_rows(lake_server, converted, stream):
    start, end = FIRST + 10, LAST
    got = client_of(lake_server).do_get(fl.Ticket(f"{stream}:{start}:{end}".encode())).read_all()
    assert rows(got) == in_range(converted[stream], start, end)
    assert got.schema.names == converted[stream].schema.names


def test_batches_hold_at_most_batch_size_rows(lake_server):
    reader = client_of(lake_server).do_get(fl.Ticket(f"operations:{FIRST}:{LAST}".encode()))
    sizes = [chunk.data.num_rows for chunk in reader]
    assert sizes and max(sizes) <= 100 and sum(sizes) > 100


def test_cmd_and_path_descriptors_give_the_same_endpoint(lake_server):
    c = client_of(lake_server)
    by_cmd = c.get_flight_info(fl.FlightDescriptor.for_command(f"transactions:{FIRST}:{FIRST + 5}"))
    by_path = c.get_flight_info(fl.FlightDescriptor.for_path("transactions", str(FIRST), str(FIRST + 5)))
    assert by_cmd.endpoints[0].ticket == by_path.endpoints[0].ticket
    loc = by_cmd.endpoints[0].locations[0]
    assert loc.uri.decode().startswith("grpc+tcp://127.0.0.1:")
    assert by_cmd.schema.equals(c.get_schema(fl.FlightDescriptor.for_command("transactions")).schema)
    t = c.do_get(by_path.endpoints[0].ticket).read_all()
    assert t.num_rows > 0
    assert set(t["ledger_sequence"].to_pylist()) <= set(range(FIRST, FIRST + 6))


def test_an_empty_range_still_sends_the_schema(lake_server, converted):
    c = client_of(lake_server)
    seqs = set(converted["contract_events"]["ledger_sequence"].to_pylist())
    empty = next(s for s in range(FIRST, LAST) if s not in seqs)
    t = c.do_get(fl.Ticket(f"contract_events:{empty}:{empty}".encode())).read_all()
    assert t.num_rows == 0 and "contract_id" in t.schema.names


@pytest.mark.parametrize("ticket, fragment", [
    ("stellar_ledger:abc:1", "'abc' is not a ledger sequence"),
    ("nope", "unknown stream 'nope'"),
    ("operations:200:100", "end 100 is before start 200"),
    ("operations:0:", "0 is not a ledger"),
])
def test_malformed_tickets_are_invalid_argument(lake_server, ticket, fragment):
    with pytest.raises(pa.ArrowInvalid, match=fragment):
        client_of(lake_server).do_get(fl.Ticket(ticket.encode())).read_all()


def test_actions_health_and_sources(lake_server):
    c = client_of(lake_server)
    assert {"health", "sources", "create_aggregation"} <= {a.type for a in c.list_actions()}
    sources = json.loads(next(iter(c.do_action(fl.Action("sources", b"")))).body.to_pybytes())
    assert sources["history"] == "lake" and sources["newest_ledger"] == LAST
    health = json.loads(next(iter(c.do_action(fl.Action("health", b"")))).body.to_pybytes())
    assert health["status"] == "ok"


def metric(text: str, name: str) -> float:
    """The value of one sample (name with its labels) of a Prometheus text page."""
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith(name + " ")]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def test_stream_metrics_are_exported(lake_server):
    def sent(stream):
        page = http_get(lake_server.health_port, "/metrics")[1]
        labels = f'{{stream="{stream}"}}'
        if f"stellar_arrow_source_flight_rows_sent_total{labels}" not in page:
            return 0.0, 0.0
        return (metric(page, f"stellar_arrow_source_flight_rows_sent_total{labels}"),
                metric(page, f"stellar_arrow_source_flight_bytes_sent_total{labels}"))

    rows_before, bytes_before = sent("operations")
    t = client_of(lake_server).do_get(fl.Ticket(f"operations:{FIRST}:{FIRST + 40}".encode())).read_all()
    rows_after, bytes_after = sent("operations")
    # Rows exactly; bytes are the IPC messages handed to gRPC: what pyarrow writes for the
    # same batches as an IPC stream, less its 8-byte message prefixes and padding.
    assert rows_after - rows_before == t.num_rows > 0
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, t.schema) as writer:
        for batch in t.to_batches():
            writer.write_batch(batch)
    stream_bytes = sink.getvalue().size
    assert stream_bytes - 16 * 64 <= bytes_after - bytes_before <= stream_bytes  # < 64 messages
    client_of(lake_server).do_get(fl.Ticket(f"stellar_ledger:{FIRST}:{FIRST + 3}".encode())).read_all()
    metrics = http_get(lake_server.health_port, "/metrics")[1]
    assert "# TYPE stellar_arrow_source_flight_call_latency_seconds histogram" in metrics
    assert 'stellar_arrow_source_flight_call_latency_seconds_bucket{method="DoGet",status="OK",le="+Inf"}' in metrics
    assert 'stellar_arrow_source_flight_bytes_sent_total{stream="stellar_ledger"}' in metrics
    assert "stellar_arrow_source_flight_active_streams " in metrics
    assert 'stellar_arrow_source_flight_rows_sent_total{stream="stellar_ledger"}' in metrics
    assert "stellar_arrow_source_live_newest_ledger_sequence 1410367" in metrics


def test_concurrent_clients_get_exactly_the_single_client_rows(lake_server):
    """64 clients at once (ranges of every stream and tails) against one server."""
    c = client_of(lake_server)
    tickets = [f"{STREAMS[i % 5]}:{FIRST + 5 * i}:{FIRST + 5 * i + 40}" for i in range(48)]
    expected = {t: c.do_get(fl.Ticket(t.encode())).read_all() for t in set(tickets)}
    results, errors = {}, []

    def read_range(i, ticket):
        try:
            results[i] = client_of(lake_server).do_get(fl.Ticket(ticket.encode())).read_all()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    def read_tail(i):
        try:
            reader = client_of(lake_server).do_get(fl.Ticket(f"stellar_ledger:{LAST - 20}:".encode()))
            seqs = []
            while len(seqs) < 21:
                seqs += reader.read_chunk().data["ledger_sequence"].to_pylist()
            results[i] = seqs
            reader.cancel()
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=read_range, args=(i, t)) for i, t in enumerate(tickets)]
    threads += [threading.Thread(target=read_tail, args=(100 + i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    for i, t in enumerate(tickets):
        assert results[i].equals(expected[t])
    for i in range(16):
        assert results[100 + i] == list(range(LAST - 20, LAST + 1))
    rss_kib = int(next(l for l in open(f"/proc/{lake_server.proc.pid}/status")
                       if l.startswith("VmHWM")).split()[1])
    assert rss_kib < 1024 * 1024, f"server peak RSS {rss_kib} KiB over the 1 GiB cap"


def test_auth_token_is_required_when_configured(tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    s = Server({**LAKE_ENV, "AUTH_TOKEN_FILE": str(token)}).wait_ready()
    try:
        with pytest.raises(fl.FlightUnauthenticatedError):
            client_of(s).do_get(fl.Ticket(f"stellar_ledger:{FIRST}:{FIRST}".encode())).read_all()
        options = fl.FlightCallOptions(headers=[(b"authorization", b"Bearer s3cret")])
        t = client_of(s).do_get(fl.Ticket(f"stellar_ledger:{FIRST}:{FIRST}".encode()),
                                options).read_all()
        assert t.num_rows == 1
    finally:
        s.stop()


def test_tls_with_a_self_signed_certificate(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    s = Server({**LAKE_ENV, "TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)}).wait_ready()
    try:
        c = fl.FlightClient(f"grpc+tls://127.0.0.1:{s.arrow_port}",
                            tls_root_certs=cert.read_bytes())
        info = c.get_flight_info(fl.FlightDescriptor.for_command(f"stellar_ledger:{FIRST}:{FIRST}"))
        assert info.endpoints[0].locations[0].uri.decode().startswith("grpc+tls://")
        assert c.do_get(info.endpoints[0].ticket).read_all().num_rows == 1
    finally:
        s.stop()


def test_generator_live_tail_delivers_each_ledger_as_it_is_made():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "10",
                "ARROW_COMPRESSION": "zstd"}).wait_ready()
    try:
        reader = client_of(s).do_get(fl.Ticket(b"stellar_ledger"))
        seqs = []
        while len(seqs) < 5:
            chunk = reader.read_chunk().data
            assert chunk.num_rows >= 1
            seqs += chunk["ledger_sequence"].to_pylist()
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        reader.cancel()
        ops = client_of(s).do_get(fl.Ticket(f"operations:{seqs[0]}:{seqs[0] + 1}".encode())).read_all()
        assert set(ops["ledger_sequence"].to_pylist()) == {seqs[0], seqs[0] + 1}
    finally:
        assert s.stop() == 0


def test_a_slow_client_does_not_delay_the_others():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "50", "MOCK_TX_PER_LEDGER": "10",
                "LIVE_BUFFER_MB": "1"}).wait_ready()
    try:
        slow = client_of(s).do_get(fl.Ticket(b"transactions:2:"))
        slow.read_chunk()  # then never reads again
        started = time.monotonic()
        reader = client_of(s).do_get(fl.Ticket(b"stellar_ledger"))
        seqs = []
        while len(seqs) < 20:
            seqs += reader.read_chunk().data["ledger_sequence"].to_pylist()
        elapsed = time.monotonic() - started
        # 20 ledgers at 50/s take 0.4 s; the bound leaves room for a loaded machine.
        assert elapsed < 5, f"fast client took {elapsed:.1f}s next to a stalled one"
        reader.cancel()
    finally:
        assert s.stop() == 0


@pytest.mark.parametrize("stream", ["stellar_ledger", "transactions", "operations",
                                    "token_transfers", "contract_events"])
def test_every_stream_tails_the_generator_with_the_rows_of_a_later_range_read(stream):
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20",
                "MOCK_TX_PER_LEDGER": "50"}).wait_ready()
    try:
        c = client_of(s)
        newest = c.do_get(fl.Ticket(b"stellar_ledger")).read_chunk().data["ledger_sequence"][0].as_py()
        reader = c.do_get(fl.Ticket(f"{stream}:{newest}:".encode()))
        tailed = []
        while not tailed or tailed[-1]["ledger_sequence"] < newest + 5:
            tailed += reader.read_chunk().data.to_pylist()
        reader.cancel()
        last = tailed[-1]["ledger_sequence"] - 1  # the last ledger may be incomplete
        tailed = [r for r in tailed if r["ledger_sequence"] <= last]
        ranged = c.do_get(fl.Ticket(f"{stream}:{newest}:{last}".encode())).read_all().to_pylist()
        assert tailed == ranged
        # Every ledger has rows in these tables (not every one has a Soroban call).
        if stream != "contract_events":
            assert {r["ledger_sequence"] for r in ranged} == set(range(newest, last + 1))
    finally:
        assert s.stop() == 0


def test_a_tail_of_a_table_without_rows_still_sends_its_schema():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20",
                "MOCK_TX_PER_LEDGER": "0"}).wait_ready()
    try:  # ledgers without transactions: every per-transaction table stays empty
        reader = client_of(s).do_get(fl.Ticket(b"contract_events"))
        assert "contract_id" in reader.schema.names
        reader.cancel()
    finally:
        assert s.stop() == 0


def test_locations_name_the_advertised_host_and_bounded_ledger_ranges_have_totals():
    s = Server({**LAKE_ENV, "ADVERTISED_HOST": "flight.example.internal"}).wait_ready()
    try:
        info = client_of(s).get_flight_info(
            fl.FlightDescriptor.for_command(f"stellar_ledger:{FIRST}:{FIRST + 99}"))
        assert info.endpoints[0].locations[0].uri.decode() == \
            f"grpc+tcp://flight.example.internal:{s.arrow_port}"
        assert info.total_records == 100
    finally:
        assert s.stop() == 0


def test_ranges_held_by_the_live_buffer_have_row_and_byte_totals():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "0", "MOCK_END_LEDGER": "130",
                "MOCK_TX_PER_LEDGER": "10"}).wait_ready()
    try:
        c = client_of(s)
        wait_for_metric(s.health_port, "live_newest_ledger_sequence 130", 60,
                        "the generator never reached ledger 130")
        for stream in ("operations", "transactions", "token_transfers"):
            # 2..40 lies in the first compacted segment (64 ledgers from 2); 60..130 crosses
            # its end into the next segment and loose ledgers
            for first, last in ((2, 40), (60, 130)):
                info = c.get_flight_info(fl.FlightDescriptor.for_command(f"{stream}:{first}:{last}"))
                table = c.do_get(info.endpoints[0].ticket).read_all()
                assert info.total_records == table.num_rows > 0
                assert table.nbytes <= info.total_bytes <= 1.1 * table.nbytes, \
                    (stream, first, last, info.total_bytes, table.nbytes)
        tail = c.get_flight_info(fl.FlightDescriptor.for_command(b"operations:2:"))
        assert (tail.total_records, tail.total_bytes) == (-1, -1)
    finally:
        assert s.stop() == 0


@pytest.mark.parametrize("codec, level", [("zstd", "9"), ("lz4", "4")])
def test_compressed_streams_with_a_level_read_back_exactly(lake_server, codec, level):
    s = Server({**LAKE_ENV, "ARROW_COMPRESSION": codec,
                "ARROW_COMPRESSION_LEVEL": level}).wait_ready()
    try:
        ticket = fl.Ticket(f"operations:{FIRST}:{LAST}".encode())
        compressed = client_of(s).do_get(ticket).read_all()
        plain = client_of(lake_server).do_get(ticket).read_all()
        assert compressed.equals(plain)
    finally:
        assert s.stop() == 0


def test_a_cancelled_tail_frees_its_stream_slot():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "10",
                "MAX_CONNECTIONS": "1"}).wait_ready()
    try:
        c = client_of(s)
        for _ in range(3):  # with one slot, each tail can only start once the last one ended
            reader = c.do_get(fl.Ticket(b"stellar_ledger"))
            reader.read_chunk()
            with pytest.raises(fl.FlightUnavailableError, match="MAX_CONNECTIONS"):
                client_of(s).do_get(fl.Ticket(b"stellar_ledger")).read_chunk()
            reader.cancel()
            wait_for_metric(s.health_port, "active_streams 0", 5,
                            "the cancelled stream kept its slot")
    finally:
        assert s.stop() == 0


def test_a_tail_that_falls_too_far_behind_is_ended_clearly_and_counted():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "100", "MOCK_TX_PER_LEDGER": "50",
                "CLIENT_MAX_LAG_MB": "1"}).wait_ready()
    try:
        slow = client_of(s).do_get(fl.Ticket(b"transactions"))
        slow.read_chunk()  # it kept up once...
        time.sleep(4)      # ...then stalls while 400 ledgers (several MiB) go by
        with pytest.raises(pa.ArrowException, match="behind the live source") as error:
            while True:
                slow.read_chunk()
        assert "resume with ticket transactions:" in str(error.value)
        metrics = http_get(s.health_port, "/metrics")[1]
        assert 'stellar_arrow_source_flight_slow_client_drops_total{stream="transactions"} 1' in metrics
        fresh = client_of(s).do_get(fl.Ticket(b"stellar_ledger")).read_chunk()  # others go on
        assert fresh.data.num_rows >= 1
    finally:
        assert s.stop() == 0


def test_a_client_that_stops_reading_is_disconnected_and_frees_its_slot():
    """A client that takes no more data leaves the server's write waiting on it; Arrow
    Flight has no deadline for that write, so past CLIENT_STALL_TIMEOUT_SECONDS the server
    closes the client's connection, and the stream's slot is free again."""
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "100", "MOCK_TX_PER_LEDGER": "100",
                "MAX_CONNECTIONS": "1", "CLIENT_MAX_LAG_MB": "0",
                "CLIENT_STALL_TIMEOUT_SECONDS": "2"}).wait_ready()
    try:
        stalled = client_of(s).do_get(fl.Ticket(b"operations"))
        stalled.read_chunk()  # and never again, while the tail keeps coming
        started = time.monotonic()
        while True:
            try:
                fresh = client_of(s).do_get(fl.Ticket(b"stellar_ledger")).read_chunk()
                break
            except fl.FlightUnavailableError as error:
                assert "MAX_CONNECTIONS" in str(error)
                assert time.monotonic() - started < 60, "the stalled client kept its slot"
                time.sleep(0.2)
        assert fresh.data.num_rows >= 1
        # Counted once the watchdog saw the shutdown succeed.
        wait_for_metric(s.health_port,
                        'stellar_arrow_source_flight_stalled_client_drops_total{stream="operations"} 1',
                        5, "the stall was not counted")
        with pytest.raises((pa.ArrowException, fl.FlightError)):  # its buffer, then the end
            while True:
                stalled.read_chunk()
    finally:
        assert s.stop() == 0
    ended = [line for line in s.log_lines()
             if line.get("message") == "ended the connection of a client that stopped reading"]
    assert len(ended) == 1 and ended[0]["streams"] == ["operations"], ended
    assert ended[0]["connections_ended"] == 1 and ended[0]["stalled_seconds"] >= 2


def test_64_live_clients_with_a_stalled_one_get_exact_rows_in_time():
    """On the generator: 40 range readers, 23 live tails of every stream and one client
    that stalls. Every reader gets exactly the rows a later single read of the same
    ledgers gives, the tails keep pace with the generator (20 ledgers/s) despite the
    stalled client, and the server's peak RSS stays under 1 GiB."""
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "50",
                "MAX_CONNECTIONS": "100"}).wait_ready()
    try:
        c = client_of(s)
        start = c.do_get(fl.Ticket(b"stellar_ledger")).read_chunk().data["ledger_sequence"][0].as_py()
        stalled = client_of(s).do_get(fl.Ticket(f"operations:{start}:".encode()))
        stalled.read_chunk()  # and never again
        results, errors, waits = {}, [], []

        def read_range(i):
            ticket = f"{STREAMS[i % 4]}:{start}:{start + 10 + i % 10}"
            try:
                results[i] = (ticket, client_of(s).do_get(fl.Ticket(ticket.encode())).read_all())
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        def read_tail(i):
            stream = STREAMS[i % 4]
            try:
                began = time.monotonic()
                reader = client_of(s).do_get(fl.Ticket(f"{stream}:{start}:".encode()))
                rows = []
                while not rows or rows[-1]["ledger_sequence"] < start + 30:
                    rows += reader.read_chunk().data.to_pylist()
                reader.cancel()
                waits.append(time.monotonic() - began)
                results[i] = (f"{stream}:{start}:{start + 29}",
                              [r for r in rows if r["ledger_sequence"] < start + 30])
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=read_range, args=(i,)) for i in range(40)]
        threads += [threading.Thread(target=read_tail, args=(100 + i,)) for i in range(23)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors[:3]
        for i, (ticket, got) in results.items():
            want = c.do_get(fl.Ticket(ticket.encode())).read_all()
            # Rows, not chunks: batches cut at other ledgers carry other dictionaries.
            assert (got if isinstance(got, list) else got.to_pylist()) == want.to_pylist(), ticket
        # 30 ledgers at 20/s take 1.5 s from the start ledger; the bound allows a loaded CI.
        assert max(waits) < 10, f"slowest tail took {max(waits):.1f} s"
        rss_kib = int(next(l for l in open(f"/proc/{s.proc.pid}/status")
                           if l.startswith("VmHWM")).split()[1])
        assert rss_kib < 1024 * 1024, f"server peak RSS {rss_kib} KiB over the 1 GiB cap"
        stalled.cancel()
    finally:
        assert s.stop() == 0
