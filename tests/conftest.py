"""Shared pytest fixtures: the binary under test, free ports, a running server."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


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
