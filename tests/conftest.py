"""Shared pytest fixtures: the binary under test, free ports, a running server."""

import contextlib
import importlib.util
import json
import os
import re
import sys
from collections import defaultdict
from functools import lru_cache
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


# Network passphrases of the fixture sets (ORACLE-ledgers.jsonl `network` names).
PASSPHRASES = {
    "pubnet": "Public Global Stellar Network ; September 2015",
    "testnet": "Test SDF Network ; September 2015",
    "standalone": "Standalone Network ; February 2017",
    "coretest": "(V) (;,,;) (V)",
}

# The pubnet base64 file holds the four line<N>-ledger-*.xdr files, one per line.
BASE64_LINES_FILE = "pubnet/stellar-go-ttp-example/ledgers-base64.txt"
LIGHTHORIZON = "testnet/lighthorizon-1410048-1410367"


def is_fixture(rel: str) -> bool:
    """True for ledger files (relative to the testdata folder): raw/record-marked XDR,
    base64, Galexie zstd objects; not the derived lakes, manifests or oracle files."""
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith("derived/") or "/" not in rel:
        return False
    if name == "latest" or name.startswith(".") or name.endswith((".json", ".gz", ".md")):
        return False
    if name.endswith((".xdr", ".b64", ".zst", ".zstd")) or rel == BASE64_LINES_FILE:
        return True
    return rel.startswith(LIGHTHORIZON + "/") and name.isdigit()


@lru_cache(maxsize=None)
def oracle_by_file() -> dict:
    """ORACLE-ledgers.jsonl rows grouped by file, in file order."""
    rows = defaultdict(list)
    with open(SHARED_TESTDATA / "ORACLE-ledgers.jsonl") as f:
        for line in f:
            row = json.loads(line)
            rows[row["file"]].append(row)
    return dict(rows)


def oracle_rows(rel: str) -> list:
    """The oracle rows of a fixture file (base64 copies map to their raw XDR files)."""
    oracle = oracle_by_file()
    if rel == BASE64_LINES_FILE:
        folder = rel.rsplit("/", 1)[0]
        line_files = [f for f in oracle
                      if re.fullmatch(re.escape(folder) + r"/line\d+-ledger-\d+\.xdr", f)]
        line_files.sort(key=lambda f: int(re.search(r"/line(\d+)-", f).group(1)))
        return [row for f in line_files for row in oracle[f]]
    if rel.endswith(".b64"):
        return oracle.get(rel[:-len(".b64")] + ".xdr", [])
    return oracle.get(rel, [])


def load_tool(name: str):
    """Imports tools/<name>.py by path (registered as module `name`)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                  "AWS_DEFAULT_REGION": "us-east-1"}


@contextlib.contextmanager
def moto_s3():
    """A real S3 protocol server (moto in server mode) on loopback: yields (port, client)."""
    boto3 = pytest.importorskip("boto3")
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H",
                               "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 region_name="us-east-1")
    finally:
        server.terminate()
        server.wait(10)


def self_signed_certificate(folder: Path):
    """A self-signed certificate for localhost and 127.0.0.1 in `folder`: (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def binary() -> Path:
    """Path of the stellar-arrow-source binary under test (BIN overrides the debug build)."""
    path = Path(os.environ.get("BIN", "build/debug/stellar-arrow-source"))
    return path if path.is_absolute() else ROOT / path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 2.0):
    """GET http://127.0.0.1:port/path; returns (status, body text)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for_metric(port: int, text: str, seconds: float, why: str):
    """Polls /metrics on `port` until its page contains `text`; fails with `why` after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while text not in http_get(port, "/metrics")[1]:
        assert time.monotonic() < deadline, why
        time.sleep(0.05)


class Server:
    """A running stellar-arrow-source process on free ports."""

    def __init__(self, extra_env=None, args=()):
        self.arrow_port = free_port()
        self.health_port = free_port()
        env = {**os.environ, "ARROW_PORT": str(self.arrow_port),
               "HEALTH_PORT": str(self.health_port), **(extra_env or {})}
        self.proc = subprocess.Popen([str(binary()), *args], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_ready(self, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                if http_get(self.health_port, "/ready", 0.5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError("server did not become ready")

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()

    def log_lines(self):
        """The JSON log lines written to stderr so far (after the process ended)."""
        return [json.loads(l) for l in self.proc.stderr.read().splitlines() if l.startswith("{")]


@pytest.fixture
def server():
    s = Server().wait_ready()
    yield s
    s.stop()
