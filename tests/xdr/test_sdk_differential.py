"""Differential test: our C++ XDR codec (tools/xdr_dump) against stellar-sdk (tools/sdk_dump.py).

For every real ledger fixture under ../shared/testdata (raw XDR, base64, Galexie objects,
record-marked streams; not the derived lakes), both dumps are computed with the file's
network passphrase and compared ledger by ledger, field by field. Both are also checked
against ORACLE-ledgers.jsonl (written by a third decoder, @stellar/stellar-base).

The stellar-sdk side runs in-process (tools/sdk_dump.py imported by path, a pool of 2
processes, nothing cached on disk); test_sdk_dump_cli checks that its CLI prints the same.
Tests that need the xdr_dump binary (XDR_DUMP overrides build/debug/tools/xdr_dump) skip
when it does not exist.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import (BASE64_LINES_FILE, PASSPHRASES, ROOT, is_fixture, load_tool,
                      oracle_rows)

TESTDATA = ROOT.parent / "shared" / "testdata"

sdk_dump = load_tool("sdk_dump")


# --------------------------------------------------------------------------------------
# Fixture files, their oracle rows and network
# --------------------------------------------------------------------------------------


def fixture_files() -> list[str]:
    """Every fixture file, relative to the testdata folder, sorted."""
    if not TESTDATA.is_dir():
        return []
    return sorted(str(p.relative_to(TESTDATA)) for p in TESTDATA.rglob("*")
                  if p.is_file() and is_fixture(str(p.relative_to(TESTDATA))))


def network_of(rel: str) -> str:
    """The file's network from the oracle; the top folder's when no ledger has transactions."""
    networks = {row["network"] for row in oracle_rows(rel)} - {None}
    assert len(networks) <= 1, f"{rel}: ledgers of several networks {networks}"
    return networks.pop() if networks else rel.split("/", 1)[0]


FILES = fixture_files()


# --------------------------------------------------------------------------------------
# Running the dumps
# --------------------------------------------------------------------------------------


def xdr_dump_binary() -> Path:
    """Path of our xdr_dump tool (XDR_DUMP overrides the debug build)."""
    path = Path(os.environ.get("XDR_DUMP", "build/debug/tools/xdr_dump"))
    return path if path.is_absolute() else ROOT / path


def require_xdr_dump() -> Path:
    """The xdr_dump path, or skips the test when the binary is not built."""
    path = xdr_dump_binary()
    if not path.is_file():
        pytest.skip(f"xdr_dump binary not built: {path} does not exist")
    return path


def run_xdr_dump(rel: str) -> list[dict]:
    """Runs our xdr_dump on one fixture file and parses its JSON lines."""
    proc = subprocess.run(
        [str(require_xdr_dump()), "--network", PASSPHRASES[network_of(rel)], str(TESTDATA / rel)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"xdr_dump failed on {rel} (exit {proc.returncode}): {proc.stderr}"
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def sdk_dump_one(rel: str):
    """Pool worker: (rel, dump objects) or (rel, error text); JSON round-tripped."""
    try:
        ledgers = sdk_dump.dump_file(str(TESTDATA / rel), PASSPHRASES[network_of(rel)])
        return rel, json.loads(json.dumps(ledgers))
    except Exception as e:  # reported by the test of that file
        return rel, f"{type(e).__name__}: {e}"


@pytest.fixture(scope="session")
def sdk_dumps() -> dict:
    """stellar-sdk dumps of every fixture file, computed once per session with 2 processes."""
    order = sorted(FILES, key=lambda rel: -(TESTDATA / rel).stat().st_size)  # big first
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return dict(pool.imap_unordered(sdk_dump_one, order, chunksize=1))


def sdk_ledgers(sdk_dumps: dict, rel: str) -> list[dict]:
    """The stellar-sdk dump of one file; fails the test if stellar-sdk could not decode it."""
    result = sdk_dumps[rel]
    if isinstance(result, str):
        pytest.fail(f"sdk_dump could not decode {rel}: {result}")
    return result


# --------------------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------------------


def first_difference(ours, sdk, path: str = ""):
    """The first (path, ours, sdk) where two JSON values differ, or None if they are equal.

    Types count (1 != true, 1 != "1"); a missing key shows as <missing>.
    """
    if type(ours) is not type(sdk):
        return path or ".", ours, sdk
    if isinstance(ours, dict):
        for key in sorted(set(ours) | set(sdk)):
            if key not in ours or key not in sdk:
                return f"{path}.{key}", ours.get(key, "<missing>"), sdk.get(key, "<missing>")
            found = first_difference(ours[key], sdk[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list):
        for i, (a, b) in enumerate(zip(ours, sdk)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(ours) != len(sdk):
            return f"{path}.length", len(ours), len(sdk)
        return None
    return None if ours == sdk else (path or ".", ours, sdk)


def js_code_name(code: str) -> str:
    """XDR constant name -> stellar-base JS name: txFEE_BUMP_INNER_SUCCESS -> txFeeBumpInnerSuccess."""
    return "tx" + "".join(w.capitalize() for w in code[len("tx"):].split("_"))


def js_op_name(op_type: str) -> str:
    """XDR constant name -> stellar-base JS name: EXTEND_FOOTPRINT_TTL -> extendFootprintTtl."""
    first, *rest = op_type.lower().split("_")
    return first + "".join(w.capitalize() for w in rest)


def oracle_facts(ledger: dict) -> dict:
    """The ORACLE-ledgers.jsonl fields (oracle names) computed from one dump object."""
    txs = ledger["transactions"]
    known = [tx for tx in txs if tx["op_types"] is not None]
    return {
        "sequence": ledger["sequence"],
        "lcmVersion": ledger["lcm_version"],
        "protocol": ledger["protocol_version"],
        "closeTime": str(ledger["close_time"]),
        "ledgerHash": ledger["ledger_hash"],
        "previousLedgerHash": ledger["previous_ledger_hash"],
        "txSetResultHash": ledger["tx_set_result_hash"],
        "totalCoins": str(ledger["total_coins"]),
        "feePool": str(ledger["fee_pool"]),
        "txCount": len(txs),
        "successfulTx": sum(tx["successful"] for tx in txs),
        "failedTx": sum(not tx["successful"] for tx in txs),
        "txResultCodes": dict(Counter(js_code_name(tx["result_code"]) for tx in txs)),
        "opCount": sum(len(tx["op_types"]) for tx in known),
        "opCountInSuccessfulTxs": sum(len(tx["op_types"]) for tx in known if tx["successful"]),
        "opTypes": dict(Counter(js_op_name(op) for tx in known for op in tx["op_types"])),
        "txMetaVersions": dict(Counter(f"v{tx['meta_version']}" for tx in txs)),
        "feeBumpTxs": sum(tx["envelope_type"] == "ENVELOPE_TYPE_TX_FEE_BUMP" for tx in txs),
        "firstTxHash": txs[0]["hash"] if txs else None,
        "lastTxHash": txs[-1]["hash"] if txs else None,
    }


# The oracle fields the xdr_dump test checks (the sdk_dump test checks every oracle_facts key).
XDR_DUMP_ORACLE_FIELDS = ("sequence", "ledgerHash", "previousLedgerHash", "txCount",
                          "successfulTx", "failedTx", "firstTxHash", "lastTxHash")


def oracle_mismatches(rel: str, ledgers: list[dict], fields=None) -> list[str]:
    """Differences between dump objects and the file's oracle rows, as readable lines."""
    rows = oracle_rows(rel)
    problems = []
    if len(ledgers) != len(rows):
        problems.append(f"{len(ledgers)} ledgers, oracle has {len(rows)}")
    for i, (ledger, row) in enumerate(zip(ledgers, rows)):
        facts = oracle_facts(ledger)
        for field in fields or facts:
            if facts[field] != row[field]:
                problems.append(f"ledger #{i} ({row['where']}, seq {row['sequence']}) {field}: "
                                f"dump={facts[field]!r} oracle={row[field]!r}")
    return problems


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_fixtures_found():
    """The fixture folder is there and every fixture file has oracle rows."""
    assert FILES, f"no fixture files under {TESTDATA}"
    assert not [rel for rel in FILES if not oracle_rows(rel)], "fixture files without oracle rows"


@pytest.mark.parametrize("rel", FILES)
def test_xdr_dump_matches_sdk(rel, sdk_dumps):
    """Our dump equals stellar-sdk's, ledger by ledger and field by field."""
    ours = run_xdr_dump(rel)
    sdk = sdk_ledgers(sdk_dumps, rel)
    expected = len(oracle_rows(rel))
    assert len(sdk) == expected, f"{rel}: sdk_dump found {len(sdk)} ledgers, oracle {expected}"
    assert len(ours) == expected, f"{rel}: xdr_dump found {len(ours)} ledgers, oracle {expected}"
    problems = []
    for i, (a, b) in enumerate(zip(ours, sdk)):
        found = first_difference(a, b)
        if found:
            path, mine, theirs = found
            problems.append(f"ledger #{i} (seq {b['sequence']}) {path}: ours={mine!r} sdk={theirs!r}")
    if problems:
        pytest.fail(f"{rel} ({network_of(rel)}), first difference per ledger:\n"
                    + "\n".join(problems[:20]), pytrace=False)


@pytest.mark.parametrize("rel", FILES)
def test_xdr_dump_matches_oracle(rel):
    """Our dump agrees with ORACLE-ledgers.jsonl on hashes and transaction counts."""
    problems = oracle_mismatches(rel, run_xdr_dump(rel), XDR_DUMP_ORACLE_FIELDS)
    if problems:
        pytest.fail(f"{rel}:\n" + "\n".join(problems[:20]), pytrace=False)


@pytest.mark.parametrize("rel", FILES)
def test_sdk_dump_matches_oracle(rel, sdk_dumps):
    """The reference dump itself agrees with the third decoder on every field it knows."""
    problems = oracle_mismatches(rel, sdk_ledgers(sdk_dumps, rel))
    if problems:
        pytest.fail(f"{rel}:\n" + "\n".join(problems[:20]), pytrace=False)


def test_sdk_dump_cli(sdk_dumps):
    """The sdk_dump CLI prints the in-process dumps as canonical JSON, one format per file."""
    samples = [rel for rel in (
        "pubnet/stellar-go-ttp-example/line2-ledger-16154623.xdr",  # raw XDR, v0 envelopes
        "testnet/wallet-backend-b64/ledgerMetadataWith1Tx.b64",  # base64
        "testnet/horizon-testbucket/FFFFFC19--998.xdr.zst",  # Galexie object
        "coretest/horizon-test-lcms/MergeTests/d5cacbf63b606f18.xdr",  # record-marked
    ) if rel in sdk_dumps]
    by_network = defaultdict(list)
    for rel in samples:
        by_network[network_of(rel)].append(rel)
    for network, rels in by_network.items():
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "sdk_dump.py"), "--network",
             PASSPHRASES[network], *(str(TESTDATA / rel) for rel in rels)],
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        expected = [sdk_dump.canonical(ledger) for rel in rels for ledger in sdk_dumps[rel]]
        assert proc.stdout.splitlines() == expected


def test_sdk_dump_v0_hash_matches_stellar_sdk_envelope_hash():
    """Our explicit v0 -> v1 conversion hashes like stellar_sdk.TransactionEnvelope.hash()."""
    from stellar_sdk import TransactionEnvelope, xdr as sx

    rel = "pubnet/stellar-go-ttp-example/line3-ledger-26154623.xdr"
    if not (TESTDATA / rel).is_file():
        pytest.skip(f"{rel} missing")
    passphrase = PASSPHRASES["pubnet"]
    lcm, = sdk_dump.ledger_close_metas((TESTDATA / rel).read_bytes())
    envelopes = sdk_dump.tx_set_envelopes(lcm)
    v0 = [e for e in envelopes if e.type == sx.EnvelopeType.ENVELOPE_TYPE_TX_V0]
    assert v0, "expected ENVELOPE_TYPE_TX_V0 envelopes in this ledger"
    net = sdk_dump.network_id(passphrase)
    for envelope in envelopes:
        high_level = TransactionEnvelope.from_xdr_object(envelope, passphrase)
        assert sdk_dump.transaction_hash(envelope, net) == high_level.hash()
