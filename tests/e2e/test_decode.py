"""End-to-end: `stellar-arrow-source decode` on every fixture file agrees with the independent
oracle (ORACLE-ledgers.jsonl), and undecodable input gives JSON error objects naming file,
ledger, type path and offset while the other ledgers are still printed."""

import base64
import json
import subprocess
from pathlib import Path

import pytest

from conftest import PASSPHRASES, SHARED_TESTDATA, binary

ORACLE = SHARED_TESTDATA / "ORACLE-ledgers.jsonl"
FOLDERS = ("pubnet", "testnet", "standalone", "coretest")
SKIPPED_SUFFIXES = (".json", ".gz")


def fixture_files():
    files = []
    for folder in FOLDERS:
        for path in sorted((SHARED_TESTDATA / folder).rglob("*")):
            if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES) and path.name != "latest":
                files.append(path)
    return files


def decode(*args):
    p = subprocess.run([str(binary()), "decode", *map(str, args)], capture_output=True,
                       text=True, timeout=600)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]


def oracle_by_ledger():
    """Oracle rows keyed by (sequence, ledger hash)."""
    rows = {}
    for line in ORACLE.read_text().splitlines():
        r = json.loads(line)
        rows[(r["sequence"], r["ledgerHash"])] = r
    return rows


def test_every_fixture_ledger_matches_the_oracle():
    oracle = oracle_by_ledger()
    rc, ledgers = decode(*fixture_files())
    assert rc == 0
    assert all("error" not in l for l in ledgers)
    decoded = {(l["sequence"], l["ledger_hash"]): l for l in ledgers}
    assert set(oracle) <= set(decoded), "oracle ledgers not decoded"
    for key, r in oracle.items():
        got = decoded[key]
        want = {"previous_ledger_hash": r["previousLedgerHash"], "transaction_count": r["txCount"],
                "successful_transaction_count": r["successfulTx"],
                "failed_transaction_count": r["failedTx"],
                "operation_count": r["opCountInSuccessfulTxs"],
                "tx_set_operation_count": r["opCount"], "protocol_version": r["protocol"],
                "lcm_version": r["lcmVersion"], "close_time": int(r["closeTime"]),
                "header_hash_ok": True}
        assert {k: got[k] for k in want} == want, key


@pytest.mark.parametrize("network", ["pubnet", "testnet", "coretest", "standalone"])
def test_transaction_hashes_with_the_right_network(network):
    files = sorted({r["file"] for r in map(json.loads, ORACLE.read_text().splitlines())
                    if r["network"] == network})
    rc, ledgers = decode("--network", PASSPHRASES[network], *(SHARED_TESTDATA / f for f in files))
    assert rc == 0
    with_txs = [l for l in ledgers if l["transaction_count"] > 0]
    assert with_txs and all(l["tx_hashes_ok"] for l in with_txs)
    other = "Test SDF Future Network ; October 2022"
    _, wrong = decode("--network", other, *(SHARED_TESTDATA / f for f in files[:3]))
    assert not any(l["tx_hashes_ok"] for l in wrong if l["transaction_count"] > 0)


def test_bad_ledger_is_an_error_object_and_the_others_still_print(tmp_path):
    raw = (SHARED_TESTDATA / "pubnet/stellar-go-ttp-example/line3-ledger-26154623.xdr").read_bytes()
    corrupt = bytearray(raw)
    corrupt[0:4] = (9).to_bytes(4, "big")
    lines = [base64.b64encode(raw), base64.b64encode(bytes(corrupt)), base64.b64encode(raw[:100])]
    path = tmp_path / "mixed.b64"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rc, out = decode(path)
    assert rc != 0
    assert len(out) == 3
    assert out[0]["sequence"] == 26154623
    assert out[1] == {"error": "LedgerCloseMeta: unknown union discriminant 9 at offset 0",
                      "file": str(path), "ledger_index": 1, "path": "LedgerCloseMeta",
                      "offset": 0}
    assert out[2]["ledger_index"] == 2 and "truncated" in out[2]["error"]
    assert out[2]["path"].startswith("LedgerCloseMeta.v0.")


def test_usage_errors_exit_2():
    p = subprocess.run([str(binary()), "decode"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "no input file" in p.stderr
    p = subprocess.run([str(binary()), "decode", "--format", "xml", "x"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2 and "auto, raw, base64, galexie or framed" in p.stderr


def test_missing_file_is_an_error_object(tmp_path):
    rc, out = decode(tmp_path / "nope.xdr")
    assert rc == 1
    assert out[0]["file"].endswith("nope.xdr") and "error" in out[0]
