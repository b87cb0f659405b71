"""The README's Python client example runs verbatim against a server on the generator."""

import os
import re
import subprocess
import sys

from conftest import ROOT, Server


def test_readme_python_example_works_verbatim():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Reading with Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "5",
                "MOCK_TX_PER_LEDGER": "50"}).wait_ready()
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, env={**os.environ, "ARROW_PORT": str(s.arrow_port)})
        assert run.returncode == 0, run.stderr
        assert "stellar_ledger" in run.stdout and "op_type_count" in run.stdout
    finally:
        s.stop()
