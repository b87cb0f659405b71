"""Lake source benchmark on pubnet-like ledgers: make_lake writes local lakes of generator
ledgers (1 and 32 ledgers per object), then `ingest` reads each range in order
(decompressed on Arrow's IO pool, hash chain checked) and reports ledgers/s and MB/s of
XDR delivered (compare with bench_xdr's single-core conversion rate: the bar is 2x).

usage: lake_bench.py BUILD_DIR [--ledgers N]
"""

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

def make_lake(build, out, ledgers, per_file):
    """Writes the lake; returns its (first, last) ledger."""
    run = subprocess.run([str(build / "tools" / "make_lake"), "--out", str(out), "--ledgers",
                          str(ledgers), "--per-file", str(per_file)], check=True,
                         capture_output=True, text=True)
    first, last = re.search(r"wrote ledgers (\d+)-(\d+)", run.stdout).groups()
    return int(first), int(last)


def ingest_rate(build, lake, first, last):
    run = subprocess.run([str(build / "stellar-arrow-source"), "ingest", "--source",
                          f"file://{lake}", "--network", "standalone", "--start", str(first),
                          "--end", str(last)], check=True, capture_output=True, text=True)
    line = run.stderr.strip().splitlines()[-1]
    mb_per_s = float(re.search(r"([\d.]+) MB/s", line).group(1))
    ledgers_per_s = float(re.search(r"([\d.]+) ledgers/s", line).group(1))
    return ledgers_per_s, mb_per_s, line




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--ledgers", type=int, default=320)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for per_file in (1, 32):
            lake = work / f"lake{per_file}"
            first, last = make_lake(a.build, lake, a.ledgers, per_file)
            best = max((ingest_rate(a.build, lake, first, last) for _ in range(3)),
                       key=lambda r: r[1])
            print(f"lake source, {per_file} ledger(s) per file, {a.ledgers} pubnet-like "
                  f"ledgers: {best[0]:.0f} ledgers/s, {best[1]:.0f} MB/s (best of 3)")


if __name__ == "__main__":
    main()
