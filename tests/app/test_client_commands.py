"""The Flight client commands (`tail`, `fetch`, `analytics`) against a real server: what
they print and write equals what pyarrow.flight reads, auth/TLS work as the server's, and
every failure is one clear line."""

import csv
import json
import os
import pty
import subprocess

import pyarrow as pa
import pyarrow.flight as fl
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from conftest import PASSPHRASES, SHARED_TESTDATA, Server, binary, http_get, self_signed_certificate

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-32perfile"
LAKE_ENV = {"LEDGER_LAKE_URI": f"file://{LAKE}", "NETWORK_PASSPHRASE": PASSPHRASES["testnet"]}
FIRST, LAST = 1410048, 1410367


def run(*args, env=None, timeout=120):
    return subprocess.run([str(binary()), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def url(server):
    return f"grpc://127.0.0.1:{server.arrow_port}"


@pytest.fixture(scope="module")
def lake_server():
    s = Server(LAKE_ENV).wait_ready()
    yield s
    s.stop()


def flight_rows(server, ticket):
    return fl.FlightClient(url(server)).do_get(fl.Ticket(ticket.encode())).read_all().to_pylist()


@pytest.mark.parametrize("suffix", ["parquet", "arrow"])
def test_fetch_writes_exactly_the_rows_flight_serves(lake_server, tmp_path, suffix):
    out = tmp_path / f"ops.{suffix}"
    p = run("fetch", "--server", url(lake_server), "--stream", "operations",
            "--start", str(FIRST), "--end", str(FIRST + 99), "--out", str(out))
    assert p.returncode == 0, p.stderr
    table = pq.read_table(out) if suffix == "parquet" else ipc.open_file(out).read_all()
    assert table.to_pylist() == flight_rows(lake_server, f"operations:{FIRST}:{FIRST + 99}")
    assert not list(tmp_path.glob("*.inprogress"))


def test_fetch_csv_and_jsonl_agree_with_each_other_and_with_flight(lake_server, tmp_path):
    ticket_rows = flight_rows(lake_server, f"transactions:{FIRST}:{FIRST + 49}")
    for suffix in ("csv", "jsonl"):
        p = run("fetch", "--server", url(lake_server), "--stream", "transactions",
                "--start", str(FIRST), "--end", str(FIRST + 49), "--out", str(tmp_path / f"t.{suffix}"))
        assert p.returncode == 0, p.stderr
    with open(tmp_path / "t.csv", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    json_rows = [json.loads(l) for l in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert len(csv_rows) == len(json_rows) == len(ticket_rows) > 0
    assert list(csv_rows[0]) == list(ticket_rows[0])
    for c, j, t in zip(csv_rows, json_rows, ticket_rows):
        assert c["transaction_hash"] == j["transaction_hash"] == t["transaction_hash"]
        assert int(c["fee_charged"]) == j["fee_charged"] == t["fee_charged"]
        assert c["successful"] == str(j["successful"]).lower()


def test_fetch_progress_is_plain_lines_then_a_summary_off_a_terminal(lake_server, tmp_path):
    p = run("fetch", "--server", url(lake_server), "--stream", "stellar_ledger",
            "--start", str(FIRST), "--end", str(LAST), "--out", str(tmp_path / "l.parquet"))
    assert p.returncode == 0, p.stderr
    summary = p.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"fetched {LAST - FIRST + 1} ledgers, {LAST - FIRST + 1} rows, ")
    assert " in " in summary and "ledgers/s" in summary and "MB/s" in summary
    assert "\r" not in p.stderr


def test_fetch_progress_redraws_one_line_on_a_terminal(lake_server, tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(str(binary()), ["stellar-arrow-source", "fetch", "--server", url(lake_server),
                                 "--stream", "operations", "--start", str(FIRST), "--end",
                                 str(LAST), "--out", str(tmp_path / "o.parquet")])
    output = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        output += data
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    text = output.decode()
    assert f"fetched {LAST - FIRST + 1} ledgers, " in text
    # Whatever was drawn before the summary was drawn in place, never as new lines.
    before_summary = text[:text.index(f"fetched {LAST - FIRST + 1} ledgers, ")]
    assert "\n" not in before_summary


def test_tail_table_prints_aligned_columns_that_fit_the_terminal(lake_server):
    p = run("tail", "--server", url(lake_server), "--start", str(FIRST), "--limit", "5",
            env={"COLUMNS": "70"})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 2 + 5
    assert lines[0].split()[0] == "ledger_sequence" and set(lines[1]) <= {"-", " "}
    assert [int(l.split()[0]) for l in lines[2:]] == list(range(FIRST, FIRST + 5))
    assert all(len(l) <= 70 for l in lines)
    assert len({len(l.rstrip()) for l in lines[2:]}) <= 2  # aligned (last column may be ragged)


def test_tail_jsonl_and_csv_follow_the_live_tail_from_a_start(lake_server):
    p = run("tail", "--server", url(lake_server), "--stream", "operations", "--start", str(LAST - 1),
            "--format", "jsonl", "--limit", "3")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(l) for l in p.stdout.splitlines()]
    expected = flight_rows(lake_server, f"operations:{LAST - 1}:{LAST}")[:3]
    assert [r["op_type"] for r in rows] == [r["op_type"] for r in expected]
    p = run("tail", "--server", url(lake_server), "--stream", "operations", "--start", str(LAST - 1),
            "--format", "csv", "--columns", "ledger_sequence,op_type", "--limit", "3")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == "ledger_sequence,op_type"
    assert p.stdout.splitlines()[1:] == [f"{r['ledger_sequence']},{r['op_type']}" for r in expected]


@pytest.mark.parametrize("args, message", [
    (["--stream", "bogus"], "unknown stream 'bogus'"),
    (["--columns", "nope", "--start", str(FIRST)], "no column 'nope'"),
])
def test_tail_errors_name_the_problem(lake_server, args, message):
    p = run("tail", "--server", url(lake_server), "--limit", "1", *args)
    assert p.returncode == 1 and message in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_unreachable_server_and_bad_usage_are_clear():
    p = run("tail", "--server", "grpc://127.0.0.1:1", "--limit", "1")
    assert p.returncode == 1 and "cannot reach grpc://127.0.0.1:1" in p.stderr
    p = run("fetch", "--server", "http://x:1", "--stream", "operations", "--start", "1",
            "--end", "2", "--out", "x.csv")
    assert p.returncode == 2 and "expected grpc://host:port" in p.stderr
    p = run("fetch", "--stream", "operations", "--start", "9", "--end", "2", "--out", "x.csv")
    assert p.returncode == 2 and "--end must not be before --start" in p.stderr


def test_auth_token_as_flag_file_or_environment(tmp_path):
    s = Server({**LAKE_ENV, "AUTH_TOKEN": "s3cret"}).wait_ready()
    try:
        args = ["tail", "--server", url(s), "--start", str(FIRST), "--limit", "1"]
        denied = run(*args, env={"AUTH_TOKEN": ""})
        assert denied.returncode == 1 and "authentication failed" in denied.stderr
        assert run(*args, "--auth-token", "s3cret").returncode == 0
        (tmp_path / "token").write_text("s3cret\n")
        assert run(*args, "--auth-token-file", str(tmp_path / "token")).returncode == 0
        assert run(*args, env={"AUTH_TOKEN": "s3cret"}).returncode == 0
        wrong = run(*args, "--auth-token", "wrong")
        assert wrong.returncode == 1 and "invalid bearer token" in wrong.stderr
    finally:
        s.stop()


def test_tls_with_the_servers_self_signed_certificate(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    s = Server({**LAKE_ENV, "TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)}).wait_ready()
    try:
        server = f"grpc+tls://localhost:{s.arrow_port}"
        p = run("fetch", "--server", server, "--tls-ca", str(cert), "--stream", "stellar_ledger",
                "--start", str(FIRST), "--end", str(FIRST + 9), "--out", str(tmp_path / "l.jsonl"))
        assert p.returncode == 0, p.stderr
        assert len((tmp_path / "l.jsonl").read_text().splitlines()) == 10
        untrusted = run("tail", "--server", server, "--limit", "1")
        assert untrusted.returncode == 1 and "cannot reach" in untrusted.stderr
        assert len(untrusted.stderr.strip().splitlines()) == 1, untrusted.stderr
    finally:
        s.stop()
    # The failed handshakes left no plain-text gRPC lines in the server's JSON log.
    lines = [l for l in s.proc.stderr.read().splitlines() if l.strip()]
    assert lines and all(l.startswith("{") for l in lines), lines


def test_analytics_lists_aggregations_and_prints_their_windows():
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "20", "MOCK_TX_PER_LEDGER": "20",
                "ENABLE_ANALYTICS": "true", "MOCK_END_LEDGER": "40"}).wait_ready()
    try:
        import time
        deadline = time.monotonic() + 30
        while json.loads(http_get(s.health_port, "/analytics/ledger_rate")[1])[0]["count"] < 39:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        listed = run("analytics", "--server", url(s))
        assert listed.returncode == 0, listed.stderr
        names = [l.split()[0] for l in listed.stdout.splitlines()]
        assert {"tx_stats", "fee_stats", "payment_volume", "ledger_rate"} <= set(names)
        as_json = run("analytics", "--server", url(s), "--format", "jsonl")
        definitions = [json.loads(l) for l in as_json.stdout.splitlines()]
        assert [d["name"] for d in definitions] == names
        p = run("analytics", "--server", url(s), "tx_stats", "--format", "jsonl")
        assert p.returncode == 0, p.stderr
        printed = [json.loads(l) for l in p.stdout.splitlines()]
        assert printed == json.loads(http_get(s.health_port, "/analytics/tx_stats")[1])
        table = run("analytics", "--server", url(s), "ledger_rate")
        assert table.stdout.splitlines()[0].split()[:3] == ["name", "window_start", "window_end"]
        missing = run("analytics", "--server", url(s), "nope")
        assert missing.returncode == 1 and "no aggregation named 'nope'" in missing.stderr
    finally:
        s.stop()


def test_tail_table_never_cuts_a_number(lake_server):
    p = run("tail", "--server", url(lake_server), "--stream", "token_transfers",
            "--start", str(FIRST), "--columns", "ledger_sequence,event_type,amount",
            "--limit", "400", env={"COLUMNS": "200"})
    assert p.returncode == 0, p.stderr
    expected = flight_rows(lake_server, f"token_transfers:{FIRST}:{LAST}")[:400]
    lines = p.stdout.splitlines()[2:]
    assert len(lines) == 400 and "~" not in p.stdout
    amounts = [(line.split()[-1], str(r["amount"])) for line, r in zip(lines, expected)
               if r["amount"] is not None]
    assert amounts and all(shown == exact for shown, exact in amounts)
    assert max(len(exact) for _, exact in amounts) > 7  # wider than the first rows' amounts


def test_fetch_refuses_an_output_it_cannot_name(lake_server, tmp_path):
    p = run("fetch", "--server", url(lake_server), "--stream", "operations", "--start",
            str(FIRST), "--end", str(FIRST), "--out", str(tmp_path / "ops.txt"))
    assert p.returncode == 2 and "name a .parquet, .arrow, .csv or .jsonl file" in p.stderr
    p = run("fetch", "--server", url(lake_server), "--stream", "operations", "--start",
            str(FIRST), "--end", str(FIRST), "--out", str(tmp_path / "ops.txt"), "--format", "csv")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "ops.txt").read_text().startswith("ledger_sequence,")
