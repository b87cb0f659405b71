#!/usr/bin/env python3
"""sdk_dump: the reference side of the XDR differential test.

Prints, for every LedgerCloseMeta in the given files, one JSON object with the same keys
as our C++ ``xdr_dump`` tool, but decoded and hashed by the ``stellar-sdk`` Python package
only (an independent implementation of the Stellar XDR codec). Nothing from this project
is imported.

Usage: sdk_dump.py --network PASSPHRASE FILE...

Input formats are detected from the content, not the file name:

* zstd (magic ``28 b5 2f fd``) is decompressed first; the result is either a Galexie
  ``LedgerCloseMetaBatch`` or a record-marked stream (below);
* RFC 5531 record-marked streams (first word has the high bit set): each record is a
  sequence of fragments ``[4-byte big-endian header: bit 31 = last fragment, bits 0-30 =
  length][bytes]`` and holds one LedgerCloseMeta;
* base64 text: one LedgerCloseMeta per non-empty line;
* anything else: one raw XDR LedgerCloseMeta (the whole file).

Output: one canonical JSON object per ledger (sorted keys, compact separators), in file
order. Exit status 1 if any file could not be decoded.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from typing import Iterator

from stellar_sdk import xdr as sx

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
LAST_FRAGMENT = 0x80000000

# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------


def zstd_decompress(data: bytes) -> bytes:
    """Decompresses a (possibly multi-frame) zstd stream of unknown content size."""
    import zstandard  # only needed for zstd inputs

    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    with reader:
        return reader.read()


def is_record_marked(data: bytes) -> bool:
    """True if data starts with an RFC 5531 record-marking word (high bit set).

    A raw LedgerCloseMeta or LedgerCloseMetaBatch starts with a small uint32 (union
    discriminant 0..2 or a ledger sequence < 2^31), so its high bit is never set.
    """
    return len(data) >= 4 and data[0] & 0x80 != 0


def split_records(data: bytes) -> Iterator[bytes]:
    """Yields the records of an RFC 5531 record-marked stream (fragments joined)."""
    pos = 0
    record = bytearray()
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError(f"truncated record-marking header at offset {pos}")
        header = int.from_bytes(data[pos:pos + 4], "big")
        length = header & ~LAST_FRAGMENT
        pos += 4
        if pos + length > len(data):
            raise ValueError(f"record fragment of {length} bytes at offset {pos} is truncated")
        record += data[pos:pos + length]
        pos += length
        if header & LAST_FRAGMENT:
            yield bytes(record)
            record = bytearray()
    if record:
        raise ValueError("stream ends inside a record (no last-fragment flag)")


def base64_lines(data: bytes) -> list[bytes] | None:
    """Decodes one base64 value per non-empty line; None if data is not base64 text."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return [base64.b64decode(line, validate=True) for line in lines]
    except binascii.Error:
        return None


def ledger_close_metas(data: bytes) -> list[sx.LedgerCloseMeta]:
    """Decodes every LedgerCloseMeta held in the bytes of one fixture file."""
    if data.startswith(ZSTD_MAGIC):
        data = zstd_decompress(data)
        if is_record_marked(data):
            return [sx.LedgerCloseMeta.from_xdr_bytes(r) for r in split_records(data)]
        return list(sx.LedgerCloseMetaBatch.from_xdr_bytes(data).ledger_close_metas)
    if is_record_marked(data):
        return [sx.LedgerCloseMeta.from_xdr_bytes(r) for r in split_records(data)]
    decoded = base64_lines(data)
    if decoded is not None:
        return [sx.LedgerCloseMeta.from_xdr_bytes(b) for b in decoded]
    return [sx.LedgerCloseMeta.from_xdr_bytes(data)]


# --------------------------------------------------------------------------------------
# Transaction hashes
# --------------------------------------------------------------------------------------


def network_id(passphrase: str) -> sx.Hash:
    """The network id: SHA-256 of the network passphrase."""
    return sx.Hash(hashlib.sha256(passphrase.encode()).digest())


def v0_to_v1(tx: sx.TransactionV0) -> sx.Transaction:
    """Converts a pre-protocol-13 TransactionV0 into the equivalent v1 Transaction.

    This is what stellar-core hashes for ENVELOPE_TYPE_TX_V0 envelopes: the source key
    becomes a KEY_TYPE_ED25519 MuxedAccount, the optional time bounds become
    PRECOND_TIME (or PRECOND_NONE), the ext stays v0.
    """
    if tx.time_bounds is None:
        cond = sx.Preconditions(sx.PreconditionType.PRECOND_NONE)
    else:
        cond = sx.Preconditions(sx.PreconditionType.PRECOND_TIME, time_bounds=tx.time_bounds)
    return sx.Transaction(
        source_account=sx.MuxedAccount(sx.CryptoKeyType.KEY_TYPE_ED25519,
                                       ed25519=tx.source_account_ed25519),
        fee=tx.fee,
        seq_num=tx.seq_num,
        cond=cond,
        memo=tx.memo,
        operations=tx.operations,
        ext=sx.TransactionExt(0),
    )


def signature_payload_tx(envelope: sx.TransactionEnvelope):
    """The TransactionSignaturePayload.taggedTransaction that an envelope's hash covers."""
    tagged = sx.TransactionSignaturePayloadTaggedTransaction
    kind = envelope.type
    if kind == sx.EnvelopeType.ENVELOPE_TYPE_TX_V0:
        return tagged(sx.EnvelopeType.ENVELOPE_TYPE_TX, tx=v0_to_v1(envelope.v0.tx))
    if kind == sx.EnvelopeType.ENVELOPE_TYPE_TX:
        return tagged(sx.EnvelopeType.ENVELOPE_TYPE_TX, tx=envelope.v1.tx)
    if kind == sx.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP:
        return tagged(sx.EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP, fee_bump=envelope.fee_bump.tx)
    raise ValueError(f"unexpected envelope type {kind!r}")


def transaction_hash(envelope: sx.TransactionEnvelope, net: sx.Hash) -> bytes:
    """SHA-256 of the envelope's TransactionSignaturePayload XDR (the transaction hash)."""
    payload = sx.TransactionSignaturePayload(net, signature_payload_tx(envelope))
    return hashlib.sha256(payload.to_xdr_bytes()).digest()


# --------------------------------------------------------------------------------------
# LedgerCloseMeta accessors (over the three versions)
# --------------------------------------------------------------------------------------


def lcm_body(lcm: sx.LedgerCloseMeta):
    """The LedgerCloseMetaV0/V1/V2 arm of the union."""
    body = {0: lcm.v0, 1: lcm.v1, 2: lcm.v2}.get(lcm.v)
    if body is None:
        raise ValueError(f"unsupported LedgerCloseMeta version {lcm.v}")
    return body


def tx_set_envelopes(lcm: sx.LedgerCloseMeta) -> list[sx.TransactionEnvelope]:
    """Every envelope of the ledger's transaction set (in tx-set order, not apply order)."""
    body = lcm_body(lcm)
    if lcm.v == 0:
        return list(body.tx_set.txs)
    envelopes = []
    for phase in body.tx_set.v1_tx_set.phases:
        if phase.v == 0:
            for component in phase.v0_components:
                envelopes.extend(component.txs_maybe_discounted_fee.txs)
        elif phase.v == 1:
            for stage in phase.parallel_txs_component.execution_stages:
                for cluster in stage.parallel_tx_execution_stage:
                    envelopes.extend(cluster.dependent_tx_cluster)
        else:
            raise ValueError(f"unsupported TransactionPhase version {phase.v}")
    return envelopes


def operations(envelope: sx.TransactionEnvelope) -> list[sx.Operation]:
    """The envelope's operations (the inner transaction's for a fee bump)."""
    if envelope.type == sx.EnvelopeType.ENVELOPE_TYPE_TX_V0:
        return envelope.v0.tx.operations
    if envelope.type == sx.EnvelopeType.ENVELOPE_TYPE_TX:
        return envelope.v1.tx.operations
    return envelope.fee_bump.tx.inner_tx.v1.tx.operations


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------

SUCCESS_CODES = (sx.TransactionResultCode.txSUCCESS,
                 sx.TransactionResultCode.txFEE_BUMP_INNER_SUCCESS)
CODES_WITH_RESULTS = (sx.TransactionResultCode.txSUCCESS, sx.TransactionResultCode.txFAILED)
FEE_BUMP_CODES = (sx.TransactionResultCode.txFEE_BUMP_INNER_SUCCESS,
                  sx.TransactionResultCode.txFEE_BUMP_INNER_FAILED)


def op_result_count(result: sx.TransactionResultResult) -> int | None:
    """Length of the OperationResult array (the inner one for fee bumps), else None."""
    if result.code in CODES_WITH_RESULTS:
        return len(result.results)
    if result.code in FEE_BUMP_CODES:
        inner = result.inner_result_pair.result.result
        if inner.code in CODES_WITH_RESULTS:
            return len(inner.results)
    return None


def transaction_json(apply_order: int, processing, envelope: sx.TransactionEnvelope | None) -> dict:
    """One entry of "transactions" for a TransactionResultMeta(V1) and its envelope."""
    pair = processing.result
    result = pair.result.result
    return {
        "apply_order": apply_order,
        "hash": pair.transaction_hash.hash.hex(),
        "fee_charged": pair.result.fee_charged.int64,
        "result_code": result.code.name,
        "successful": result.code in SUCCESS_CODES,
        "op_results": op_result_count(result),
        "envelope_type": envelope.type.name if envelope is not None else None,
        "op_types": ([op.body.type.name for op in operations(envelope)]
                     if envelope is not None else None),
        "meta_version": processing.tx_apply_processing.v,
    }


def ledger_json(lcm: sx.LedgerCloseMeta, net: sx.Hash) -> dict:
    """The dump object of one LedgerCloseMeta (same keys as xdr_dump)."""
    body = lcm_body(lcm)
    entry = body.ledger_header
    header = entry.header
    by_hash = {transaction_hash(e, net): e for e in tx_set_envelopes(lcm)}
    transactions = [
        transaction_json(i, processing, by_hash.get(processing.result.transaction_hash.hash))
        for i, processing in enumerate(body.tx_processing, start=1)
    ]
    return {
        "sequence": header.ledger_seq.uint32,
        "lcm_version": lcm.v,
        "protocol_version": header.ledger_version.uint32,
        "close_time": header.scp_value.close_time.time_point.uint64,
        "ledger_hash": entry.hash.hash.hex(),
        "previous_ledger_hash": header.previous_ledger_hash.hash.hex(),
        "tx_set_result_hash": header.tx_set_result_hash.hash.hex(),
        "base_fee": header.base_fee.uint32,
        "base_reserve": header.base_reserve.uint32,
        "max_tx_set_size": header.max_tx_set_size.uint32,
        "total_coins": header.total_coins.int64,
        "fee_pool": header.fee_pool.int64,
        "upgrade_count": len(body.upgrades_processing),
        "transactions": transactions,
    }


def dump_file(path: str, passphrase: str) -> list[dict]:
    """The dump objects of every ledger in one file, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    net = network_id(passphrase)
    return [ledger_json(lcm, net) for lcm in ledger_close_metas(data)]


def canonical(obj) -> str:
    """Canonical JSON text: sorted keys, compact separators."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: dumps every file, reports undecodable files on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", required=True, help="network passphrase")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            ledgers = dump_file(path, args.network)
        except Exception as e:  # report and continue with the next file
            print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
            status = 1
            continue
        for ledger in ledgers:
            sys.stdout.write(canonical(ledger) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
