"""The README's examples run verbatim: its Python snippets against a started server on the
generator, and the 5-minute tour's shell snippets with the binary under test."""

import json
import os
import re
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, Server, binary, http_get

README = (ROOT / "README.md").read_text()


def section(title):
    """The README text from `## title` up to the next `## `."""
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def blocks(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def run_python(code, env, cwd):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env}, cwd=cwd)


def test_readme_python_example_works_verbatim(tmp_path):
    [code] = blocks(section("Reading with Python"), "python")
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "5",
                "MOCK_TX_PER_LEDGER": "50"}).wait_ready()
    try:
        run = run_python(code, {"ARROW_PORT": str(s.arrow_port)}, tmp_path)
        assert run.returncode == 0, run.stderr
        assert "stellar_ledger" in run.stdout and "op_type_count" in run.stdout
    finally:
        s.stop()


@pytest.fixture(scope="module")
def tour_server(tmp_path_factory):
    """The server as `make run` starts it, faster: the generator, analytics and an archive."""
    base = tmp_path_factory.mktemp("tour") / "demo-archive"
    s = Server({"MOCK_DATA": "true", "MOCK_CLOSE_TIME": "now", "MOCK_LEDGERS_PER_SECOND": "5",
                "MOCK_TX_PER_LEDGER": "50", "ENABLE_ANALYTICS": "true",
                "PARQUET_BASE_PATH": str(base),
                "PARQUET_ARCHIVE_INTERVAL_MINUTES": "0.02"}).wait_ready()
    deadline = time.monotonic() + 60
    while not list(base.glob("operations/**/*.parquet")):
        assert time.monotonic() < deadline, "the archive committed no file"
        time.sleep(0.2)
    yield s, base
    s.stop()


def test_the_tour_shell_snippets_run(tour_server, tmp_path):
    s, _ = tour_server
    snippets = blocks(section("A 5-minute tour"), "sh")
    assert len(snippets) == 2
    for snippet in snippets:
        script = snippet.replace("build/release/stellar-arrow-source", str(binary()))
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                             text=True, timeout=120, cwd=tmp_path,
                             env={**os.environ, "ARROW_PORT": str(s.arrow_port)})
        assert run.returncode == 0, (snippet, run.stderr)
    fetched = pq.read_table(tmp_path / "transactions.parquet")
    assert fetched.num_rows == 6 * 50
    assert "payment_volume" in run.stdout and "sum_amount" in run.stdout


def test_the_tour_python_snippets_run(tour_server, tmp_path):
    s, base = tour_server
    pyarrow_snippet, duckdb_snippet = blocks(section("A 5-minute tour"), "python")
    env = {"ARROW_PORT": str(s.arrow_port), "PARQUET_BASE_PATH": str(base)}
    run = run_python(pyarrow_snippet, env, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "asset_code" in run.stdout and "amount_count" in run.stdout
    run = run_python(duckdb_snippet, env, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "payment" in run.stdout and "operations" in run.stdout


def test_the_dashboard_the_tour_opens_is_served(tour_server):
    s, _ = tour_server
    assert "<http://localhost:8088/>" in section("A 5-minute tour")
    status, page = http_get(s.health_port, "/")
    assert status == 200 and "stellar-arrow-source" in page
    assert json.loads(http_get(s.health_port, "/health")[1])["analytics"] is True


@pytest.mark.parametrize("title", ["Archive and analytics", "Working with ledger files"])
def test_the_local_shell_snippets_run_verbatim(tmp_path, title):
    """Run from a folder beside `shared` (so `$PWD/../shared` resolves), with the binary
    under test and this Python (for `.venv/bin/python`)."""
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    snippets = blocks(section(title), "sh")
    assert snippets
    for snippet in snippets:
        script = (snippet.replace("build/release/stellar-arrow-source", str(binary()))
                  .replace(".venv/bin/python", sys.executable))
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                             text=True, timeout=600, cwd=work)
        assert run.returncode == 0, (snippet, run.stderr[-2000:])
    if title == "Archive and analytics":
        assert "payment" in run.stdout and '"name":"volume"' in run.stdout
        assert list((work / "archive" / "operations").rglob("*.parquet"))
    else:
        assert (work / "ops.parquet").exists() and (work / "transfers.jsonl").exists()


def test_the_pubnet_lake_uri_is_the_public_one():
    text = section("Pointing it at pubnet")
    uri = "s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet?region=us-east-2&anonymous=true"
    assert text.count(uri) == 2
