"""The shared acceptance checks whose issues have landed, run in `make test` against the
binary under test (they need only the fixture ledgers): all six."""

import os
import subprocess

import pytest

from conftest import ROOT, SHARED_TESTDATA, binary

RUN_ALL = SHARED_TESTDATA.parent / "acceptance" / "run-all"


@pytest.mark.skipif(not RUN_ALL.exists(), reason="../shared/acceptance is not present")
@pytest.mark.parametrize("check", ["decode", "payments", "ingest", "flight", "analytics", "archive"])
def test_acceptance_check_passes(check):
    env = {**os.environ, "BIN": str(binary()), "PY": str(ROOT / ".venv" / "bin" / "python")}
    p = subprocess.run([str(RUN_ALL), check], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
