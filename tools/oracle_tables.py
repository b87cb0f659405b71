#!/usr/bin/env python3
"""oracle_tables: the reference rows of our `stellar_ledger`, `transactions` and `operations` tables.

Computes, for every LedgerCloseMeta of the given files, the rows that docs/SCHEMAS.md
specifies for the `stellar_ledger`, `transactions` and `operations` tables, decoded and hashed by the
``stellar-sdk`` Python package only (nothing from this project's C++ code is used). The
rows use the encoding of ``stellar-arrow-source convert --format jsonl``: one JSON object
per row with every column; binary as base64; timestamps as RFC 3339 UTC strings
("2019-10-05T08:29:32Z"); decimal128 as decimal strings; dictionary columns as their
strings; lists as JSON arrays; nulls as null.

Usage: oracle_tables.py --table stellar_ledger|transactions|operations --network PASSPHRASE FILE...

File reading (zstd, Galexie batches, record-marked streams, base64 lines, raw XDR) and
transaction hashing come from tools/sdk_dump.py.

Readings of SCHEMAS.md where it leaves room (see also the comments at each rule):

* stellar_ledger.operation_count: the operation results of successful transactions
  (a fee bump's inner ones); failed transactions count none.
* stellar_ledger.network_id: SHA-256 of the passphrase given, for every ledger.

* fee_account_muxed: the M… form of whichever account paid the fee, i.e. the fee-bump
  fee source, else the (muxed) transaction source.
* time_bounds_*: the raw TimeBounds values whenever the transaction has time bounds
  (PRECOND_TIME, PRECOND_V2 with timeBounds, a v0 envelope with timeBounds); a max of 0
  stays 0 ("0 max = none" describes its meaning). Null without time bounds.
* ledger_bounds_*, min_sequence_number: null when the optional field is absent, even
  under PRECOND_V2; min_sequence_age/min_sequence_ledger_gap/extra_signer_count are set
  for every PRECOND_V2 transaction and null otherwise.
* memo: "valid UTF-8" is Python's strict decoder (RFC 3629: no surrogates, no overlong
  forms, nothing above U+10FFFF); NUL bytes are valid and kept.
* inner_result_code: the code of the fee bump's innerResultPair when the result has one
  (txFEE_BUMP_INNER_SUCCESS/FAILED), else null.
* soroban_*_fee_charged: from sorobanMeta.ext.v1 of TransactionMeta v3 or v4.
* operations.result_code of a fee bump: from the inner transaction's result.
* asset_* for allow_trust: its AssetCode, issued by the operation's source account;
  for change_trust of a pool share: asset_type pool_share, code and issuer null.
* asset_* stay null for manage_sell/buy_offer and create_passive_sell_offer (they use
  selling_*/buying_*), while amount holds their amount as SCHEMAS.md lists it.
* amount of path_payment_strict_send / account_merge: taken from the operation result
  only when the transaction succeeded (`successful`, as Horizon does); null otherwise.
* path: [] for a path payment without intermediate assets; null for other operations.
* offer_id: null for create_passive_sell_offer (the operation has no offer id).
* price_n/price_d: the operation's Price as written in the XDR, for manage_buy_offer
  too (there it is the price of the bought asset in terms of the sold one).
* set_options columns (flags, weights, thresholds, inflation destination, home domain,
  signer): null when the optional field is absent; signer_key is the signer's StrKey
  (G…, T…, X…, P…) as stellar-sdk's SignerKey encodes it.
* home_domain, data_name: null when the bytes are not valid UTF-8 (as for memos);
  data_value: base64, null when manage_data deletes the entry.
* contract_id: the StrKey of the invoked SCAddress (C… for contracts); for
  create_contract(_v2), the C… id of the created contract (stellar-core's derivation).
* claimants: every claimant's G… and predicate as compact JSON ({"unconditional":true},
  {"and":[…]}, {"or":[…]}, {"not":…}, {"abs_before":N}, {"rel_before":N}).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from datetime import datetime, timezone

from stellar_sdk import Address, Asset, Keypair, MuxedAccount, SignerKey, StrKey, xdr as sx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sdk_dump  # noqa: E402  (tools/sdk_dump.py: reading fixture files, transaction hashes)

OT = sx.OperationType
TRC = sx.TransactionResultCode
ENV = sx.EnvelopeType

SUCCESS_CODES = (TRC.txSUCCESS, TRC.txFEE_BUMP_INNER_SUCCESS)
CODES_WITH_OP_RESULTS = (TRC.txSUCCESS, TRC.txFAILED)
FEE_BUMP_INNER_CODES = (TRC.txFEE_BUMP_INNER_SUCCESS, TRC.txFEE_BUMP_INNER_FAILED)

# --------------------------------------------------------------------------------------
# Value encodings
# --------------------------------------------------------------------------------------


def b64(xdr_object) -> str:
    """Base64 of an XDR object's bytes (binary columns)."""
    return base64.b64encode(xdr_object.to_xdr_bytes()).decode()


def rfc3339(seconds: int) -> str:
    """A TimePoint as an RFC 3339 UTC string."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal(value: int | None) -> str | None:
    """decimal128 columns: the integer as a decimal string."""
    return None if value is None else str(value)


def account_id(account: sx.AccountID) -> str:
    """G… of an AccountID."""
    return StrKey.encode_ed25519_public_key(account.account_id.ed25519.uint256)


def muxed(account: sx.MuxedAccount) -> tuple[str, str | None, int | None]:
    """(G…, M… or None, muxed id or None) of a MuxedAccount."""
    high = MuxedAccount.from_xdr_object(account)
    return high.account_id, high.account_muxed, high.account_muxed_id


def asset_code(raw: bytes) -> str:
    """An AssetCode4/12 without its trailing NUL padding."""
    return raw.rstrip(b"\0").decode("utf-8", "replace")


ASSET_TYPE_NAMES = {
    sx.AssetType.ASSET_TYPE_NATIVE: "native",
    sx.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4: "credit_alphanum4",
    sx.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12: "credit_alphanum12",
    sx.AssetType.ASSET_TYPE_POOL_SHARE: "pool_share",
}


def asset(a: sx.Asset | sx.ChangeTrustAsset | sx.TrustLineAsset) -> tuple[str, str | None, str | None]:
    """(type, code, issuer) of an Asset; code and issuer null for native and pool shares."""
    if a.type == sx.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4:
        return "credit_alphanum4", asset_code(a.alpha_num4.asset_code.asset_code4), \
            account_id(a.alpha_num4.issuer)
    if a.type == sx.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12:
        return "credit_alphanum12", asset_code(a.alpha_num12.asset_code.asset_code12), \
            account_id(a.alpha_num12.issuer)
    return ASSET_TYPE_NAMES[a.type], None, None


def path_item(a: sx.Asset) -> str:
    """A path asset as `native` or `CODE:ISSUER`."""
    kind, code, issuer = asset(a)
    return kind if code is None else f"{code}:{issuer}"


# --------------------------------------------------------------------------------------
# Envelopes and results
# --------------------------------------------------------------------------------------


def inner_tx(envelope: sx.TransactionEnvelope) -> sx.Transaction | sx.TransactionV0:
    """The transaction whose operations run: v0/v1 tx, or a fee bump's inner v1 tx."""
    if envelope.type == ENV.ENVELOPE_TYPE_TX_V0:
        return envelope.v0.tx
    if envelope.type == ENV.ENVELOPE_TYPE_TX:
        return envelope.v1.tx
    return envelope.fee_bump.tx.inner_tx.v1.tx


def tx_source(envelope: sx.TransactionEnvelope) -> tuple[str, str | None, int | None]:
    """(G…, M…, id) of the (inner) transaction's source."""
    if envelope.type == ENV.ENVELOPE_TYPE_TX_V0:
        key = envelope.v0.tx.source_account_ed25519.uint256
        return StrKey.encode_ed25519_public_key(key), None, None
    return muxed(inner_tx(envelope).source_account)


def inner_hash(envelope: sx.TransactionEnvelope, net: sx.Hash) -> str:
    """Hash of a fee bump's inner v1 transaction."""
    inner = sx.TransactionEnvelope(ENV.ENVELOPE_TYPE_TX, v1=envelope.fee_bump.tx.inner_tx.v1)
    return sdk_dump.transaction_hash(inner, net).hex()


def op_results(result: sx.TransactionResultResult) -> list[sx.OperationResult] | None:
    """The OperationResults (the inner transaction's for fee bumps), or None if not applied."""
    if result.code in CODES_WITH_OP_RESULTS:
        return result.results
    if result.code in FEE_BUMP_INNER_CODES:
        inner = result.inner_result_pair.result.result
        if inner.code in CODES_WITH_OP_RESULTS:
            return inner.results
    return None


def inner_result(op_result: sx.OperationResult):
    """The operation-specific result (PaymentResult, ...) of an opINNER result."""
    tr = op_result.tr
    return next(v for k, v in vars(tr).items() if k != "type" and v is not None)


def op_result_code(op_result: sx.OperationResult | None) -> str | None:
    """`PAYMENT_SUCCESS`-style inner code when the operation ran, else the outer code."""
    if op_result is None:
        return None
    if op_result.code == sx.OperationResultCode.opINNER:
        return inner_result(op_result).code.name
    return op_result.code.name


# --------------------------------------------------------------------------------------
# Ledgers
# --------------------------------------------------------------------------------------


def ledger_transactions(lcm: sx.LedgerCloseMeta, net: sx.Hash):
    """(seq, close time, [(apply order, processing, envelope)]) of one ledger."""
    body = sdk_dump.lcm_body(lcm)
    header = body.ledger_header.header
    by_hash = {sdk_dump.transaction_hash(e, net): e for e in sdk_dump.tx_set_envelopes(lcm)}
    txs = []
    for order, processing in enumerate(body.tx_processing, start=1):
        tx_hash = processing.result.transaction_hash.hash
        if tx_hash not in by_hash:
            raise ValueError(f"ledger {header.ledger_seq.uint32}: no envelope hashes to "
                             f"{tx_hash.hex()} (wrong network passphrase?)")
        txs.append((order, processing, by_hash[tx_hash]))
    return header.ledger_seq.uint32, rfc3339(header.scp_value.close_time.time_point.uint64), txs


# --------------------------------------------------------------------------------------
# stellar_ledger
# --------------------------------------------------------------------------------------


def successful_operation_count(result: sx.TransactionResultResult) -> int:
    """Operations counted for a successful transaction: its (inner) operation results."""
    if result.code == TRC.txSUCCESS:
        return len(result.results)
    if result.code == TRC.txFEE_BUMP_INNER_SUCCESS:
        return len(result.inner_result_pair.result.result.results)
    return 0


def ledger_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The one `stellar_ledger` row of a ledger."""
    body = sdk_dump.lcm_body(lcm)
    entry = body.ledger_header
    header = entry.header
    results = [p.result.result.result for p in body.tx_processing]
    successful = sum(r.code in SUCCESS_CODES for r in results)
    soroban_fee = None
    live_state = None
    if lcm.v >= 1:
        if body.ext.v == 1:
            soroban_fee = body.ext.v1.soroban_fee_write1_kb.int64
        live_state = body.total_byte_size_of_live_soroban_state.uint64
    return [{
        "ledger_sequence": header.ledger_seq.uint32,
        "ledger_close_time": rfc3339(header.scp_value.close_time.time_point.uint64),
        "ledger_hash": entry.hash.hash.hex(),
        "previous_ledger_hash": header.previous_ledger_hash.hash.hex(),
        "transaction_count": len(results),
        "operation_count": sum(successful_operation_count(r) for r in results),
        "successful_transaction_count": successful,
        "failed_transaction_count": len(results) - successful,
        "protocol_version": header.ledger_version.uint32,
        "base_fee": header.base_fee.uint32,
        "base_reserve": header.base_reserve.uint32,
        "max_tx_set_size": header.max_tx_set_size.uint32,
        "close_time_resolution": 1,  # a TimePoint counts whole seconds
        "ledger_close_meta_xdr": b64(lcm),
        "total_coins": header.total_coins.int64,
        "fee_pool": header.fee_pool.int64,
        "soroban_fee_write_1kb": soroban_fee,
        "live_soroban_state_bytes": live_state,
        "upgrade_count": len(body.upgrades_processing),
        "ledger_close_meta_version": lcm.v,
        "network_id": sdk_dump.network_id(network_passphrase).hash.hex(),
    }]


# --------------------------------------------------------------------------------------
# transactions
# --------------------------------------------------------------------------------------

MEMO_TYPES = {
    sx.MemoType.MEMO_NONE: "none",
    sx.MemoType.MEMO_TEXT: "text",
    sx.MemoType.MEMO_ID: "id",
    sx.MemoType.MEMO_HASH: "hash",
    sx.MemoType.MEMO_RETURN: "return",
}


def utf8_or_none(raw: bytes) -> str | None:
    """The text of an XDR string when it is valid UTF-8 (Python's strict decoder), else None."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def utf8_or_replaced(raw: bytes) -> str:
    """The text of an XDR string; when it is not valid UTF-8, each byte from 0x80 as U+FFFD."""
    text = utf8_or_none(raw)
    return text if text is not None else "".join(chr(b) if b < 0x80 else "\ufffd" for b in raw)


def memo_columns(memo: sx.Memo) -> dict:
    """memo_type, memo (text / decimal id / hex hash), memo_bytes (non-UTF-8 text, base64)."""
    text = raw = None
    if memo.type == sx.MemoType.MEMO_TEXT:
        try:
            text = memo.text.decode("utf-8")
        except UnicodeDecodeError:
            raw = base64.b64encode(memo.text).decode()
    elif memo.type == sx.MemoType.MEMO_ID:
        text = str(memo.id.uint64)
    elif memo.type == sx.MemoType.MEMO_HASH:
        text = memo.hash.hash.hex()
    elif memo.type == sx.MemoType.MEMO_RETURN:
        text = memo.ret_hash.hash.hex()
    return {"memo_type": MEMO_TYPES[memo.type], "memo": text, "memo_bytes": raw}


def precondition_columns(tx: sx.Transaction | sx.TransactionV0) -> dict:
    """time bounds, and the PRECOND_V2 columns (null unless the transaction has them)."""
    cols = dict.fromkeys(("time_bounds_min", "time_bounds_max", "ledger_bounds_min",
                          "ledger_bounds_max", "min_sequence_number", "min_sequence_age",
                          "min_sequence_ledger_gap", "extra_signer_count"))
    if isinstance(tx, sx.TransactionV0):
        time_bounds, v2 = tx.time_bounds, None
    elif tx.cond.type == sx.PreconditionType.PRECOND_TIME:
        time_bounds, v2 = tx.cond.time_bounds, None
    elif tx.cond.type == sx.PreconditionType.PRECOND_V2:
        time_bounds, v2 = tx.cond.v2.time_bounds, tx.cond.v2
    else:
        time_bounds, v2 = None, None
    if time_bounds is not None:
        cols["time_bounds_min"] = time_bounds.min_time.time_point.uint64
        cols["time_bounds_max"] = time_bounds.max_time.time_point.uint64
    if v2 is not None:
        if v2.ledger_bounds is not None:
            cols["ledger_bounds_min"] = v2.ledger_bounds.min_ledger.uint32
            cols["ledger_bounds_max"] = v2.ledger_bounds.max_ledger.uint32
        if v2.min_seq_num is not None:
            cols["min_sequence_number"] = v2.min_seq_num.sequence_number.int64
        cols["min_sequence_age"] = v2.min_seq_age.duration.uint64
        cols["min_sequence_ledger_gap"] = v2.min_seq_ledger_gap.uint32
        cols["extra_signer_count"] = len(v2.extra_signers)
    return cols


def soroban_columns(tx: sx.Transaction | sx.TransactionV0, meta: sx.TransactionMeta) -> dict:
    """Declared Soroban resources (tx.ext v1) and the fees charged (sorobanMeta ext v1)."""
    cols = dict.fromkeys(("soroban_instructions", "soroban_disk_read_bytes", "soroban_write_bytes",
                          "soroban_resource_fee", "soroban_non_refundable_fee_charged",
                          "soroban_refundable_fee_charged", "soroban_rent_fee_charged"))
    if isinstance(tx, sx.Transaction) and tx.ext.v == 1:
        data = tx.ext.soroban_data
        cols["soroban_instructions"] = data.resources.instructions.uint32
        cols["soroban_disk_read_bytes"] = data.resources.disk_read_bytes.uint32
        cols["soroban_write_bytes"] = data.resources.write_bytes.uint32
        cols["soroban_resource_fee"] = data.resource_fee.int64
    soroban_meta = {3: meta.v3, 4: meta.v4}.get(meta.v)
    soroban_meta = soroban_meta.soroban_meta if soroban_meta is not None else None
    if soroban_meta is not None and soroban_meta.ext.v == 1:
        fees = soroban_meta.ext.v1
        cols.update(
            soroban_non_refundable_fee_charged=fees.total_non_refundable_resource_fee_charged.int64,
            soroban_refundable_fee_charged=fees.total_refundable_resource_fee_charged.int64,
            soroban_rent_fee_charged=fees.rent_fee_charged.int64)
    return cols


def transaction_row(seq: int, close_time: str, order: int, processing,
                    envelope: sx.TransactionEnvelope, net: sx.Hash) -> dict:
    """The `transactions` row of one applied transaction."""
    pair = processing.result
    result = pair.result.result
    meta = processing.tx_apply_processing
    tx = inner_tx(envelope)
    fee_bump = envelope.type == ENV.ENVELOPE_TYPE_TX_FEE_BUMP
    source, source_muxed, source_id = tx_source(envelope)
    if fee_bump:
        fee_account, fee_muxed, _ = muxed(envelope.fee_bump.tx.fee_source)
        max_fee = envelope.fee_bump.tx.fee.int64
    else:
        fee_account, fee_muxed = source, source_muxed
        max_fee = tx.fee.uint32
    inner_code = None
    if result.code in FEE_BUMP_INNER_CODES:
        inner_code = result.inner_result_pair.result.result.code.name
        recorded = result.inner_result_pair.transaction_hash.hash.hex()
        if recorded != inner_hash(envelope, net):  # core's own inner hash must agree
            raise ValueError(f"ledger {seq} tx {order}: inner hash {inner_hash(envelope, net)} "
                             f"differs from the result's {recorded}")
    return {
        "ledger_sequence": seq,
        "ledger_close_time": close_time,
        "application_order": order,
        "transaction_hash": pair.transaction_hash.hash.hex(),
        "fee_bump": fee_bump,
        "inner_transaction_hash": inner_hash(envelope, net) if fee_bump else None,
        "source_account": source,
        "source_account_muxed": source_muxed,
        "source_account_muxed_id": source_id,
        "fee_account": fee_account,
        "fee_account_muxed": fee_muxed,
        "sequence_number": tx.seq_num.sequence_number.int64,
        "max_fee": max_fee,
        "fee_charged": pair.result.fee_charged.int64,
        "operation_count": len(tx.operations),
        **memo_columns(tx.memo),
        **precondition_columns(tx),
        "result_code": result.code.name,
        "inner_result_code": inner_code,
        "successful": result.code in SUCCESS_CODES,
        "meta_version": meta.v,
        **soroban_columns(tx, meta),
        "envelope_xdr": b64(envelope),
        "result_xdr": b64(pair.result),
        "meta_xdr": b64(meta),
    }


def transactions_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The `transactions` rows of one ledger, in apply order."""
    net = sdk_dump.network_id(network_passphrase)
    seq, close_time, txs = ledger_transactions(lcm, net)
    return [transaction_row(seq, close_time, order, processing, envelope, net)
            for order, processing, envelope in txs]


# --------------------------------------------------------------------------------------
# operations
# --------------------------------------------------------------------------------------

OPERATION_COLUMNS = (
    "ledger_sequence", "ledger_close_time", "transaction_hash", "transaction_order",
    "operation_index", "op_type", "source_account", "source_account_muxed", "result_code",
    "successful", "asset_type", "asset_code", "asset_issuer", "amount", "destination",
    "destination_muxed", "source_asset_type", "source_asset_code", "source_asset_issuer",
    "source_amount", "destination_min", "path", "selling_asset_type", "selling_asset_code",
    "selling_asset_issuer", "buying_asset_type", "buying_asset_code", "buying_asset_issuer",
    "price_n", "price_d", "offer_id", "trustor", "trust_limit", "set_flags", "clear_flags",
    "inflation_destination", "master_weight", "low_threshold", "med_threshold",
    "high_threshold", "home_domain", "signer_key", "signer_weight", "balance_id",
    "liquidity_pool_id", "max_amount_a", "max_amount_b", "min_price_n", "min_price_d",
    "max_price_n", "max_price_d", "min_amount_a", "min_amount_b", "claimant_count",
    "claimants", "bump_to", "data_name", "data_value", "sponsored_id", "extend_to",
    "host_function_type", "contract_id", "function_name", "body_xdr",
)

HOST_FUNCTION_TYPES = {
    sx.HostFunctionType.HOST_FUNCTION_TYPE_INVOKE_CONTRACT: "invoke_contract",
    sx.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT: "create_contract",
    sx.HostFunctionType.HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM: "upload_contract_wasm",
    sx.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2: "create_contract_v2",
}


def set_asset(row: dict, prefix: str, a) -> None:
    """Fills `<prefix>asset_type/_code/_issuer` from an XDR asset."""
    row[prefix + "asset_type"], row[prefix + "asset_code"], row[prefix + "asset_issuer"] = asset(a)


def set_destination(row: dict, account: sx.MuxedAccount) -> None:
    """Fills destination (G…) and destination_muxed (M… or null)."""
    row["destination"], row["destination_muxed"], _ = muxed(account)


def set_native(row: dict) -> None:
    row["asset_type"] = "native"


def operation_details(row: dict, op: sx.Operation, op_result: sx.OperationResult | None,
                      successful: bool, network_passphrase: str) -> None:
    """Fills the operation-specific columns of a row (the rest stay null)."""
    body = op.body
    kind = body.type
    if kind == OT.CREATE_ACCOUNT:
        o = body.create_account_op
        set_native(row)
        row["amount"] = decimal(o.starting_balance.int64)
        row["destination"] = account_id(o.destination)
    elif kind == OT.PAYMENT:
        o = body.payment_op
        set_asset(row, "", o.asset)
        row["amount"] = decimal(o.amount.int64)
        set_destination(row, o.destination)
    elif kind == OT.PATH_PAYMENT_STRICT_RECEIVE:
        o = body.path_payment_strict_receive_op
        set_asset(row, "", o.dest_asset)
        row["amount"] = decimal(o.dest_amount.int64)
        set_destination(row, o.destination)
        set_asset(row, "source_", o.send_asset)
        row["source_amount"] = decimal(o.send_max.int64)
        row["path"] = [path_item(a) for a in o.path]
    elif kind == OT.PATH_PAYMENT_STRICT_SEND:
        o = body.path_payment_strict_send_op
        set_asset(row, "", o.dest_asset)
        if successful:  # the delivered amount (the last payment of the result)
            row["amount"] = decimal(inner_result(op_result).success.last.amount.int64)
        set_destination(row, o.destination)
        set_asset(row, "source_", o.send_asset)
        row["source_amount"] = decimal(o.send_amount.int64)
        row["destination_min"] = decimal(o.dest_min.int64)
        row["path"] = [path_item(a) for a in o.path]
    elif kind in (OT.MANAGE_SELL_OFFER, OT.CREATE_PASSIVE_SELL_OFFER, OT.MANAGE_BUY_OFFER):
        o = {OT.MANAGE_SELL_OFFER: body.manage_sell_offer_op,
             OT.CREATE_PASSIVE_SELL_OFFER: body.create_passive_sell_offer_op,
             OT.MANAGE_BUY_OFFER: body.manage_buy_offer_op}[kind]
        set_asset(row, "selling_", o.selling)
        set_asset(row, "buying_", o.buying)
        amount = o.buy_amount if kind == OT.MANAGE_BUY_OFFER else o.amount
        row["amount"] = decimal(amount.int64)
        row["price_n"] = o.price.n.int32
        row["price_d"] = o.price.d.int32
        if kind != OT.CREATE_PASSIVE_SELL_OFFER:
            row["offer_id"] = o.offer_id.int64
    elif kind == OT.SET_OPTIONS:
        o = body.set_options_op
        for column, value in (("set_flags", o.set_flags), ("clear_flags", o.clear_flags),
                              ("master_weight", o.master_weight),
                              ("low_threshold", o.low_threshold),
                              ("med_threshold", o.med_threshold),
                              ("high_threshold", o.high_threshold)):
            row[column] = value.uint32 if value is not None else None
        if o.inflation_dest is not None:
            row["inflation_destination"] = account_id(o.inflation_dest)
        if o.home_domain is not None:
            row["home_domain"] = utf8_or_none(o.home_domain.string32)
        if o.signer is not None:
            row["signer_key"] = SignerKey.from_xdr_object(o.signer.key).encoded_signer_key
            row["signer_weight"] = o.signer.weight.uint32
    elif kind == OT.CHANGE_TRUST:
        o = body.change_trust_op
        set_asset(row, "", o.line)
        row["trust_limit"] = decimal(o.limit.int64)
    elif kind == OT.ALLOW_TRUST:
        o = body.allow_trust_op
        code = o.asset
        if code.type == sx.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4:
            row["asset_type"] = "credit_alphanum4"
            row["asset_code"] = asset_code(code.asset_code4.asset_code4)
        else:
            row["asset_type"] = "credit_alphanum12"
            row["asset_code"] = asset_code(code.asset_code12.asset_code12)
        row["asset_issuer"] = row["source_account"]  # the issuer authorizes its own asset
        row["trustor"] = account_id(o.trustor)
        row["set_flags"] = o.authorize.uint32
    elif kind == OT.ACCOUNT_MERGE:
        set_native(row)
        set_destination(row, body.destination)
        if successful:  # the merged balance
            row["amount"] = decimal(inner_result(op_result).source_account_balance.int64)
    elif kind == OT.INFLATION:
        set_native(row)
    elif kind == OT.CREATE_CLAIMABLE_BALANCE:
        o = body.create_claimable_balance_op
        set_asset(row, "", o.asset)
        row["amount"] = decimal(o.amount.int64)
        row["claimant_count"] = len(o.claimants)
        row["claimants"] = [{"destination": account_id(c.v0.destination),
                             "predicate": json.dumps(predicate_json(c.v0.predicate),
                                                     separators=(",", ":"))}
                            for c in o.claimants]
    elif kind == OT.CLAIM_CLAIMABLE_BALANCE:
        row["balance_id"] = body.claim_claimable_balance_op.balance_id.to_xdr_bytes().hex()
    elif kind == OT.CLAWBACK:
        o = body.clawback_op
        set_asset(row, "", o.asset)
        row["amount"] = decimal(o.amount.int64)
        set_destination(row, o.from_)
    elif kind == OT.CLAWBACK_CLAIMABLE_BALANCE:
        row["balance_id"] = body.clawback_claimable_balance_op.balance_id.to_xdr_bytes().hex()
    elif kind == OT.SET_TRUST_LINE_FLAGS:
        o = body.set_trust_line_flags_op
        set_asset(row, "", o.asset)
        row["trustor"] = account_id(o.trustor)
        row["set_flags"] = o.set_flags.uint32
        row["clear_flags"] = o.clear_flags.uint32
    elif kind == OT.LIQUIDITY_POOL_DEPOSIT:
        o = body.liquidity_pool_deposit_op
        row["liquidity_pool_id"] = o.liquidity_pool_id.pool_id.hash.hex()
        row["max_amount_a"] = decimal(o.max_amount_a.int64)
        row["max_amount_b"] = decimal(o.max_amount_b.int64)
        row["min_price_n"], row["min_price_d"] = o.min_price.n.int32, o.min_price.d.int32
        row["max_price_n"], row["max_price_d"] = o.max_price.n.int32, o.max_price.d.int32
    elif kind == OT.LIQUIDITY_POOL_WITHDRAW:
        o = body.liquidity_pool_withdraw_op
        row["liquidity_pool_id"] = o.liquidity_pool_id.pool_id.hash.hex()
        row["amount"] = decimal(o.amount.int64)
        row["min_amount_a"] = decimal(o.min_amount_a.int64)
        row["min_amount_b"] = decimal(o.min_amount_b.int64)
    elif kind == OT.BUMP_SEQUENCE:
        row["bump_to"] = body.bump_sequence_op.bump_to.sequence_number.int64
    elif kind == OT.MANAGE_DATA:
        o = body.manage_data_op
        row["data_name"] = utf8_or_none(o.data_name.string64)
        if o.data_value is not None:
            row["data_value"] = base64.b64encode(o.data_value.data_value).decode()
    elif kind == OT.BEGIN_SPONSORING_FUTURE_RESERVES:
        row["sponsored_id"] = account_id(body.begin_sponsoring_future_reserves_op.sponsored_id)
    elif kind == OT.EXTEND_FOOTPRINT_TTL:
        row["extend_to"] = body.extend_footprint_ttl_op.extend_to.uint32
    elif kind == OT.INVOKE_HOST_FUNCTION:
        function = body.invoke_host_function_op.host_function
        row["host_function_type"] = HOST_FUNCTION_TYPES[function.type]
        if function.type == sx.HostFunctionType.HOST_FUNCTION_TYPE_INVOKE_CONTRACT:
            call = function.invoke_contract
            row["contract_id"] = Address.from_xdr_sc_address(call.contract_address).address
            row["function_name"] = call.function_name.sc_symbol.decode("utf-8", "replace")
        elif function.type == sx.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT:
            row["contract_id"] = created_contract_id(
                function.create_contract.contract_id_preimage, network_passphrase)
        elif function.type == sx.HostFunctionType.HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2:
            row["contract_id"] = created_contract_id(
                function.create_contract_v2.contract_id_preimage, network_passphrase)


def predicate_json(p: sx.ClaimPredicate):
    """A claim predicate as SCHEMAS.md writes it (the `claimants` column)."""
    CPT = sx.ClaimPredicateType
    if p.type == CPT.CLAIM_PREDICATE_UNCONDITIONAL:
        return {"unconditional": True}
    if p.type == CPT.CLAIM_PREDICATE_AND:
        return {"and": [predicate_json(q) for q in p.and_predicates]}
    if p.type == CPT.CLAIM_PREDICATE_OR:
        return {"or": [predicate_json(q) for q in p.or_predicates]}
    if p.type == CPT.CLAIM_PREDICATE_NOT:
        return {"not": None if p.not_predicate is None else predicate_json(p.not_predicate)}
    if p.type == CPT.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
        return {"abs_before": p.abs_before.int64}
    return {"rel_before": p.rel_before.int64}


def created_contract_id(preimage: sx.ContractIDPreimage, network_passphrase: str) -> str:
    """C… of the contract a create_contract preimage makes: SHA-256 of its HashIDPreimage."""
    hash_preimage = sx.HashIDPreimage(
        sx.EnvelopeType.ENVELOPE_TYPE_CONTRACT_ID,
        contract_id=sx.HashIDPreimageContractID(
            network_id=sdk_dump.network_id(network_passphrase), contract_id_preimage=preimage))
    return StrKey.encode_contract(hashlib.sha256(hash_preimage.to_xdr_bytes()).digest())


def operations_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The `operations` rows of one ledger: every operation of every applied transaction."""
    net = sdk_dump.network_id(network_passphrase)
    seq, close_time, txs = ledger_transactions(lcm, net)
    rows = []
    for order, processing, envelope in txs:
        result = processing.result.result.result
        successful = result.code in SUCCESS_CODES
        results = op_results(result)
        tx_source_columns = tx_source(envelope)[:2]
        for index, op in enumerate(inner_tx(envelope).operations, start=1):
            op_result = results[index - 1] if results is not None and index <= len(results) else None
            row = dict.fromkeys(OPERATION_COLUMNS)
            source, source_muxed = (muxed(op.source_account)[:2] if op.source_account is not None
                                    else tx_source_columns)
            row.update({
                "ledger_sequence": seq,
                "ledger_close_time": close_time,
                "transaction_hash": processing.result.transaction_hash.hash.hex(),
                "transaction_order": order,
                "operation_index": index,
                "op_type": op.body.type.name.lower(),
                "source_account": source,
                "source_account_muxed": source_muxed,
                "result_code": op_result_code(op_result),
                "successful": successful,
                "body_xdr": b64(op.body),
            })
            operation_details(row, op, op_result, successful, network_passphrase)
            rows.append(row)
    return rows


# --------------------------------------------------------------------------------------
# contract_events
# --------------------------------------------------------------------------------------

SCV = sx.SCValType
MAX_RENDER_DEPTH = 32  # SCHEMAS.md: values nested this deep are not rendered


def json_text(raw: bytes) -> str:
    """A JSON string literal of an XDR string as SCHEMAS.md writes it: UTF-8 as is, `"`
    and `\\` escaped, bytes below 0x20 as \\u00xx; if not valid UTF-8, bytes from 0x80
    as the escape \\ufffd."""
    valid = utf8_or_none(raw) is not None
    text = raw.decode("utf-8") if valid else raw.decode("latin-1")  # latin-1: byte = code point
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        elif not valid and ord(ch) >= 0x80:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def tagged(name: str, json_value: str) -> str:
    return '{"' + name + '":' + json_value + "}"


def lower_name(enum_member, prefix: str) -> str:
    return enum_member.name.removeprefix(prefix).lower()


def sc_address(address: sx.SCAddress) -> str:
    """The StrKey of an SCAddress (G…, C…, M…, B…, L…), as stellar-sdk encodes it."""
    kind = sx.SCAddressType
    if address.type == kind.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE:
        balance = address.claimable_balance_id
        return StrKey.encode_claimable_balance(bytes([balance.type.value]) + balance.v0.hash)
    if address.type == kind.SC_ADDRESS_TYPE_LIQUIDITY_POOL:
        return StrKey.encode_liquidity_pool(address.liquidity_pool_id.pool_id.hash)
    return Address.from_xdr_sc_address(address).address


def scval_json(value: sx.SCVal, depth: int = 0) -> str:
    """The typed JSON of an SCVal (SCHEMAS.md, "Typed JSON of Soroban values")."""
    kind = value.type
    if depth >= MAX_RENDER_DEPTH:
        return tagged("truncated", json_text(lower_name(kind, "SCV_").encode()))
    if kind == SCV.SCV_BOOL:
        return tagged("bool", "true" if value.b else "false")
    if kind == SCV.SCV_VOID:
        return tagged("void", "null")
    if kind == SCV.SCV_ERROR:
        error = value.error
        error_type = lower_name(error.type, "SCE_")
        code = (str(error.contract_code.uint32) if error.type == sx.SCErrorType.SCE_CONTRACT
                else json_text(lower_name(error.code, "SCEC_").encode()))
        return tagged("error", '{"type":' + json_text(error_type.encode()) + ',"code":' + code + "}")
    numbers = {SCV.SCV_U32: ("u32", lambda v: v.u32.uint32), SCV.SCV_I32: ("i32", lambda v: v.i32.int32)}
    if kind in numbers:
        name, get = numbers[kind]
        return tagged(name, str(get(value)))
    decimals = {
        SCV.SCV_U64: ("u64", lambda v: v.u64.uint64),
        SCV.SCV_I64: ("i64", lambda v: v.i64.int64),
        SCV.SCV_TIMEPOINT: ("timepoint", lambda v: v.timepoint.time_point.uint64),
        SCV.SCV_DURATION: ("duration", lambda v: v.duration.duration.uint64),
        SCV.SCV_U128: ("u128", lambda v: (v.u128.hi.uint64 << 64) | v.u128.lo.uint64),
        SCV.SCV_I128: ("i128", lambda v: (v.i128.hi.int64 << 64) | v.i128.lo.uint64),
        SCV.SCV_U256: ("u256", lambda v: int256(v.u256, signed=False)),
        SCV.SCV_I256: ("i256", lambda v: int256(v.i256, signed=True)),
        SCV.SCV_LEDGER_KEY_NONCE: ("ledger_key_nonce", lambda v: v.nonce_key.nonce.int64),
    }
    if kind in decimals:
        name, get = decimals[kind]
        return tagged(name, '"' + str(get(value)) + '"')
    if kind == SCV.SCV_BYTES:
        return tagged("bytes", '"' + value.bytes.sc_bytes.hex() + '"')
    if kind == SCV.SCV_STRING:
        return tagged("string", json_text(value.str.sc_string))
    if kind == SCV.SCV_SYMBOL:
        return tagged("symbol", json_text(value.sym.sc_symbol))
    if kind == SCV.SCV_EXECUTABLE_TAG:
        return tagged("executable_tag", json_text(value.executable_tag.sc_string))
    if kind == SCV.SCV_VEC:
        items = value.vec.sc_vec if value.vec is not None else []
        return tagged("vec", "[" + ",".join(scval_json(i, depth + 1) for i in items) + "]")
    if kind == SCV.SCV_MAP:
        entries = value.map.sc_map if value.map is not None else []
        return tagged("map", "[" + ",".join(
            '{"key":' + scval_json(e.key, depth + 1) + ',"val":' + scval_json(e.val, depth + 1) + "}"
            for e in entries) + "]")
    if kind == SCV.SCV_ADDRESS:
        return tagged("address", '"' + sc_address(value.address) + '"')
    return tagged(lower_name(kind, "SCV_"), '"' + value.to_xdr_bytes().hex() + '"')


def int256(parts, signed: bool) -> int:
    hi_hi = parts.hi_hi.int64 if signed else parts.hi_hi.uint64
    return (hi_hi << 192) | (parts.hi_lo.uint64 << 128) | (parts.lo_hi.uint64 << 64) | parts.lo_lo.uint64


EVENT_TYPES = {sx.ContractEventType.SYSTEM: "system", sx.ContractEventType.CONTRACT: "contract",
               sx.ContractEventType.DIAGNOSTIC: "diagnostic"}


def event_columns(event: sx.ContractEvent) -> dict:
    """The columns of one ContractEvent: type, emitter, topics and data."""
    body = event.body.v0
    return {
        "type": EVENT_TYPES[event.type],
        "contract_id": (StrKey.encode_contract(event.contract_id.contract_id.hash)
                        if event.contract_id is not None else None),
        "topics": [scval_json(t) for t in body.topics],
        "topics_xdr": [b64(t) for t in body.topics],
        "data": scval_json(body.data),
        "data_xdr": b64(body.data),
    }


def transaction_events(meta: sx.TransactionMeta, successful: bool):
    """[(origin, operation index, stage, in successful call, ContractEvent)] of one
    transaction in SCHEMAS.md's order (TransactionMeta v3 and v4; earlier ones have none)."""
    found = []
    if meta.v == 3:
        soroban = meta.v3.soroban_meta
        if soroban is None:
            return found
        found += [("operation", 1, None, successful, e) for e in soroban.events]
        diagnostics = soroban.diagnostic_events
    elif meta.v == 4:
        for index, op_meta in enumerate(meta.v4.operations, start=1):
            found += [("operation", index, None, successful, e) for e in op_meta.events]
        found += [("transaction", None, lower_name(t.stage, "TRANSACTION_EVENT_STAGE_"), True, t.event)
                  for t in meta.v4.events]
        diagnostics = meta.v4.diagnostic_events
    else:
        return found
    found += [("diagnostic", None, None, d.in_successful_contract_call, d.event) for d in diagnostics]
    return found


def contract_events_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The `contract_events` rows of one ledger, transaction by transaction in apply order."""
    net = sdk_dump.network_id(network_passphrase)
    seq, close_time, txs = ledger_transactions(lcm, net)
    rows = []
    for order, processing, _ in txs:
        successful = processing.result.result.result.code in SUCCESS_CODES
        events = transaction_events(processing.tx_apply_processing, successful)
        for index, (origin, op_index, stage, in_call, event) in enumerate(events, start=1):
            rows.append({
                "ledger_sequence": seq,
                "ledger_close_time": close_time,
                "transaction_hash": processing.result.transaction_hash.hash.hex(),
                "transaction_order": order,
                "successful": successful,
                "operation_index": op_index,
                "event_index": index,
                "origin": origin,
                "stage": stage,
                **event_columns(event),
                "in_successful_contract_call": in_call,
            })
    return rows


# --------------------------------------------------------------------------------------
# token_transfers (ledgers whose TransactionMeta v4 embeds the CAP-67 events)
# --------------------------------------------------------------------------------------


class NotEmbedded(ValueError):
    """A ledger's metas do not embed the unified events: a transaction without
    TransactionMeta v4, or v4 metas without fee events (stellar-core without
    EMIT_CLASSIC_EVENTS, as in its unit tests: then classic operations emit none either).
    Its token transfers can only be derived (docs/TOKEN_TRANSFERS.md), which this oracle
    does not do."""


TOKEN_TRANSFER_COLUMNS = (
    "ledger_sequence", "ledger_close_time", "transaction_hash", "transaction_index",
    "operation_index", "event_type", "from", "to", "asset", "asset_type", "asset_code",
    "asset_issuer", "amount", "contract_id", "to_muxed_type", "to_muxed_value",
)
TOKEN_EVENT_NAMES = ("transfer", "mint", "burn", "clawback")


def symbol(value: sx.SCVal) -> str | None:
    return value.sym.sc_symbol.decode("utf-8", "replace") if value.type == SCV.SCV_SYMBOL else None


def i128(value: sx.SCVal) -> int | None:
    if value.type != SCV.SCV_I128:
        return None
    return (value.i128.hi.int64 << 64) | value.i128.lo.uint64


def sep11_asset(value: sx.SCVal, contract_id: str, network_passphrase: str):
    """The stellar-sdk Asset a SAC event names in its last topic, when that topic is a
    SEP-11 string whose asset's contract is the emitting one (TOKEN_TRANSFERS.md §3.4.5)."""
    if value.type != SCV.SCV_STRING or not value.str.sc_string:
        return None
    text = value.str.sc_string.decode("utf-8", "replace")
    try:
        if text == "native":
            candidate = Asset.native()
        else:
            code, issuer = text.split(":")
            candidate = Asset(code, issuer)
    except Exception:  # not SEP-11
        return None
    return candidate if candidate.contract_id(network_passphrase) == contract_id else None


def asset_columns(a) -> dict:
    if a is None:
        return {"asset": None, "asset_type": "none", "asset_code": None, "asset_issuer": None}
    if a.is_native():
        return {"asset": "native", "asset_type": "native", "asset_code": None, "asset_issuer": None}
    return {"asset": f"{a.code}:{a.issuer}", "asset_type": a.type, "asset_code": a.code,
            "asset_issuer": a.issuer}


def event_amount_and_mux(data: sx.SCVal):
    """(amount, to_muxed_type, to_muxed_value) of a v4 token event's data, or None when
    the event is to be dropped (§3.4.3)."""
    amount = i128(data)
    if amount is not None:
        return (amount, None, None) if abs(amount) < 10**38 else None
    if data.type != SCV.SCV_MAP or data.map is None:
        return None
    fields = {}
    for entry in data.map.sc_map:
        name = symbol(entry.key)
        if name is None:
            return None
        fields[name] = entry.val
    if "amount" not in fields or i128(fields["amount"]) is None:
        return None
    if abs(i128(fields["amount"])) >= 10**38:  # TOKEN_TRANSFERS.md §3.4.3: beyond decimal128(38,0)
        return None
    muxed = fields.get("to_muxed_id")
    kind = value = None
    if muxed is not None:
        if muxed.type == SCV.SCV_U64:
            kind, value = "id", str(muxed.u64.uint64)
        elif muxed.type == SCV.SCV_BYTES:
            kind, value = "hash", muxed.bytes.sc_bytes.hex()
        elif muxed.type == SCV.SCV_STRING:
            kind, value = "text", utf8_or_replaced(muxed.str.sc_string)
        elif muxed.type != SCV.SCV_VOID:
            return None
    return i128(fields["amount"]), kind, value


def operation_token_event(event: sx.ContractEvent, network_passphrase: str) -> dict | None:
    """The token_transfers columns of one v4 operation event, None when it is not a token
    movement (TOKEN_TRANSFERS.md §3.4, v4 layout)."""
    if (event.type != sx.ContractEventType.CONTRACT or event.contract_id is None
            or event.body.v != 0):
        return None
    topics, data = event.body.v0.topics, event.body.v0.data
    if len(topics) < 2 or symbol(topics[0]) not in TOKEN_EVENT_NAMES:
        return None
    name = symbol(topics[0])
    if name == "transfer":
        if len(topics) < 3:
            return None
        holders, sac_topics = topics[1:3], 4
    else:
        if name != "burn" and len(topics) >= 3 and topics[2].type != SCV.SCV_STRING:
            return None  # v4 mint/clawback: a third topic can only be the asset
        holders, sac_topics = topics[1:2], 3
    if any(t.type != SCV.SCV_ADDRESS for t in holders):
        return None
    amount_mux = event_amount_and_mux(data)
    if amount_mux is None:
        return None
    amount, mux_type, mux_value = amount_mux
    contract = StrKey.encode_contract(event.contract_id.contract_id.hash)
    found = (sep11_asset(topics[-1], contract, network_passphrase)
             if len(topics) == sac_topics else None)
    holder = [sc_address(t.address) for t in holders]
    if name == "transfer":
        source, destination = holder
    elif name == "mint":
        source, destination = None, holder[0]
    else:  # burn, clawback
        source, destination = holder[0], None
    return {"event_type": name, "from": source, "to": destination, **asset_columns(found),
            "amount": str(amount), "contract_id": contract, "to_muxed_type": mux_type,
            "to_muxed_value": mux_value}


def fee_events(meta_v4, native_contract: str) -> list[dict]:
    """The 1–2 fee events of a transaction (charge, then refund), as §6.1 reads them."""
    found = []
    for tx_event in meta_v4.events:
        event = tx_event.event
        if (event.type != sx.ContractEventType.CONTRACT or event.contract_id is None
                or event.body.v != 0):
            raise ValueError("a transaction-level event that is not a contract event")
        topics, data = event.body.v0.topics, event.body.v0.data
        if not topics or symbol(topics[0]) != "fee":
            continue
        contract = StrKey.encode_contract(event.contract_id.contract_id.hash)
        if (len(topics) != 2 or i128(data) is None or topics[1].type != SCV.SCV_ADDRESS
                or contract != native_contract):
            raise ValueError("a malformed fee event")
        found.append({"event_type": "fee", "from": sc_address(topics[1].address), "to": None,
                      **asset_columns(Asset.native()), "amount": str(i128(data)),
                      "contract_id": contract, "to_muxed_type": None, "to_muxed_value": None})
    if len(found) > 2:
        raise ValueError(f"{len(found)} fee events in one transaction")
    return found


def embeds_fee_events(lcm: sx.LedgerCloseMeta) -> bool:
    """Whether a ledger's TransactionMeta v4 carry fee events (stellar-core's
    EMIT_CLASSIC_EVENTS, which also makes classic operations emit theirs)."""
    return any(processing.tx_apply_processing.v == 4 and any(
        e.event.body.v0.topics and symbol(e.event.body.v0.topics[0]) == "fee"
        for e in processing.tx_apply_processing.v4.events)
        for processing in sdk_dump.lcm_body(lcm).tx_processing)


LEC = sx.LedgerEntryChangeType
# §3's operations that move no value ("all others"), and so are not reconciled (§7.6).
VALUELESS_OPERATIONS = (OT.SET_OPTIONS, OT.CHANGE_TRUST, OT.MANAGE_DATA, OT.BUMP_SEQUENCE,
                        OT.BEGIN_SPONSORING_FUTURE_RESERVES, OT.END_SPONSORING_FUTURE_RESERVES,
                        OT.REVOKE_SPONSORSHIP, OT.EXTEND_FOOTPRINT_TTL, OT.RESTORE_FOOTPRINT)


def balance_delta(changes, payer: str) -> int:
    """§2.1's balance scan: the account's UPDATED XLM balance minus its STATE balance (the
    last of each wins, a missing side counts as 0)."""
    start = end = 0
    for change in changes:
        entry = (change.state if change.type == LEC.LEDGER_ENTRY_STATE else
                 change.updated if change.type == LEC.LEDGER_ENTRY_UPDATED else None)
        if entry is None or entry.data.type != sx.LedgerEntryType.ACCOUNT:
            continue
        if account_id(entry.data.account.account_id) != payer:
            continue
        if change.type == LEC.LEDGER_ENTRY_STATE:
            start = entry.data.account.balance.int64
        else:
            end = entry.data.account.balance.int64
    return end - start


def v3_token_event(event: sx.ContractEvent, network_passphrase: str) -> dict | None:
    """§3.4 in the pre-CAP-67 (TransactionMeta v3) layout: `[mint, admin, to, (asset)]`,
    `[clawback, admin, from, (asset)]`, i128 data only; a SAC transfer from or to the
    issuer becomes a mint or burn (§3.4.5)."""
    if (event.type != sx.ContractEventType.CONTRACT or event.contract_id is None
            or event.body.v != 0):
        return None
    topics, data = event.body.v0.topics, event.body.v0.data
    name = symbol(topics[0]) if len(topics) >= 2 else None
    if name not in TOKEN_EVENT_NAMES or i128(data) is None or abs(i128(data)) >= 10**38:
        return None
    if name == "burn":
        holders, sac_topics = topics[1:2], 3
    else:
        if len(topics) < 3:
            return None
        holders, sac_topics = topics[1:3], 4
    if any(t.type != SCV.SCV_ADDRESS for t in holders):
        return None
    holder = [sc_address(t.address) for t in holders]
    contract = StrKey.encode_contract(event.contract_id.contract_id.hash)
    found = (sep11_asset(topics[-1], contract, network_passphrase)
             if len(topics) == sac_topics else None)
    source, destination = {"transfer": (holder[0], holder[-1]), "mint": (None, holder[-1]),
                           "clawback": (holder[-1], None), "burn": (holder[0], None)}[name]
    if name == "transfer" and found is not None and not found.is_native():
        if source == found.issuer and destination != found.issuer:
            name, source = "mint", None
        elif destination == found.issuer and source != found.issuer:
            name, destination = "burn", None
    return {"event_type": name, "from": source, "to": destination, **asset_columns(found),
            "amount": str(i128(data)), "contract_id": contract, "to_muxed_type": None,
            "to_muxed_value": None}


def paired_changes(changes) -> list[tuple]:
    """§7.8: (pre, post) entries of a change list: UPDATED and REMOVED paired with the
    STATE just before them (REMOVED's post is None), CREATED with no pre."""
    pairs, state = [], None
    for change in changes:
        if change.type == LEC.LEDGER_ENTRY_STATE:
            state = change.state
        elif change.type == LEC.LEDGER_ENTRY_CREATED:
            pairs.append((None, change.created))
        elif change.type == LEC.LEDGER_ENTRY_UPDATED:
            pairs.append((state, change.updated))
        elif change.type == LEC.LEDGER_ENTRY_REMOVED:
            pairs.append((state, None))
    return pairs


def operation_changes(meta: sx.TransactionMeta, op_index: int):
    """The ledger-entry changes of the operation at 1-based `op_index`."""
    operations = {1: lambda m: m.v1.operations, 2: lambda m: m.v2.operations,
                  3: lambda m: m.v3.operations, 4: lambda m: m.v4.operations}
    if meta.v == 0:
        return meta.operations[op_index - 1].changes.ledger_entry_changes
    return operations[meta.v](meta)[op_index - 1].changes.ledger_entry_changes


def sdk_asset(a: sx.Asset) -> Asset:
    return Asset.from_xdr_object(a)


class Deriver:
    """TOKEN_TRANSFERS.md §2.1, §3, §3.1, §3.2, §3.3, §3.4, §4, §5, §7.1, §7.4 and §7.6, with
    the choices the document says stellar-arrow-source makes (core's: each trade's bought
    leg first, no fee event of amount 0)."""

    def __init__(self, network_passphrase: str, place: dict, envelope: sx.TransactionEnvelope,
                 meta: sx.TransactionMeta):
        self.passphrase, self.place, self.envelope, self.meta = (network_passphrase, place,
                                                                 envelope, meta)
        self.events = []

    def reconcile(self, first: int, op: sx.Operation, op_index: int) -> None:
        """§7.6 (before protocol 8): an XLM mint to the op source before the operation's
        events (from `first` on), or a burn from it after them, for what its balance change
        in the operation's changes shows beyond them."""
        source = (muxed(op.source_account)[0] if op.source_account is not None
                  else tx_source(self.envelope)[0])
        change = balance_delta(operation_changes(self.meta, op_index), source)
        moved = 0
        for event in self.events[first:]:
            if event["asset_type"] == "native":
                moved += int(event["amount"]) * ((event["to"] == source) - (event["from"] == source))
        missing = change - moved
        native = Asset.native()
        if missing > 0:
            self.add("mint", native, None, source, missing, op_index)
            self.events.insert(first, self.events.pop())
        elif missing < 0:
            self.add("burn", native, source, None, -missing, op_index)

    def revocation_balance_id(self, op_index: int, pool: sx.PoolID, a: sx.Asset) -> bytes:
        """§3.3: the claimable balance id a revocation gives asset `a` of `pool`."""
        tx = inner_tx(self.envelope)
        if self.envelope.type == ENV.ENVELOPE_TYPE_TX_V0:
            source = sx.AccountID(sx.PublicKey(sx.PublicKeyType.PUBLIC_KEY_TYPE_ED25519,
                                               tx.source_account_ed25519))
        else:
            source = Keypair.from_public_key(muxed(tx.source_account)[0]).xdr_account_id()
        preimage = sx.HashIDPreimage(
            ENV.ENVELOPE_TYPE_POOL_REVOKE_OP_ID,
            revoke_id=sx.HashIDPreimageRevokeID(source, tx.seq_num, sx.Uint32(op_index - 1),
                                                pool, a))
        return hashlib.sha256(preimage.to_xdr_bytes()).digest()

    def revocations(self, op_index: int) -> None:
        """§3.3: pool shares a revocation drained into claimable balances."""
        pairs = paired_changes(operation_changes(self.meta, op_index))
        created = [post.data.claimable_balance for pre, post in pairs
                   if pre is None and post.data.type == sx.LedgerEntryType.CLAIMABLE_BALANCE]
        pools = [(pre, post) for pre, post in pairs
                 if (post or pre).data.type == sx.LedgerEntryType.LIQUIDITY_POOL]
        if not created or not pools:
            return
        by_id = {c.balance_id.v0.hash: c for c in created}
        pool_id = lambda pair: (pair[1] or pair[0]).data.liquidity_pool.liquidity_pool_id.pool_id.hash
        for pre, post in sorted(pools, key=pool_id):  # §7.8: by ledger key, i.e. pool id
            pool = (post or pre).data.liquidity_pool
            params = pool.body.constant_product.params
            reserves = [(e.data.liquidity_pool.body.constant_product.reserve_a.int64,
                         e.data.liquidity_pool.body.constant_product.reserve_b.int64)
                        if e is not None else (0, 0) for e in (pre, post)]
            deltas = [abs(reserves[1][i] - reserves[0][i]) for i in (0, 1)]
            assets = [params.asset_a, params.asset_b]
            matched = [by_id.get(self.revocation_balance_id(op_index, pool.liquidity_pool_id, a))
                       for a in assets]
            count = sum(m is not None for m in matched)
            if count == 0:
                continue
            holder = StrKey.encode_liquidity_pool(pool.liquidity_pool_id.pool_id.hash)
            for balance in matched:
                if balance is not None:
                    cb = StrKey.encode_claimable_balance(
                        bytes([balance.balance_id.type.value]) + balance.balance_id.v0.hash)
                    self.move(sdk_asset(balance.asset), holder, cb, balance.amount.int64, op_index)
            if count == 1:
                other = 1 if matched[0] is not None else 0
                self.add("burn", sdk_asset(assets[other]), holder, None, deltas[other], op_index)

    def removed_balance(self, op_index: int) -> sx.ClaimableBalanceEntry:
        """§7.4: the pre-state of the one claimable balance the operation removed."""
        removed = [pre.data.claimable_balance for pre, post in
                   paired_changes(operation_changes(self.meta, op_index))
                   if post is None and pre is not None
                   and pre.data.type == sx.LedgerEntryType.CLAIMABLE_BALANCE]
        if len(removed) != 1:
            raise ValueError(f"{len(removed)} claimable balances removed, expected 1")
        return removed[0]

    def pool_deltas(self, op_index: int):
        """§3.2: (pool L…, asset A, asset B, |ΔA|, |ΔB|) of the operation's one pool change."""
        found = []
        for pre, post in paired_changes(operation_changes(self.meta, op_index)):
            entry = post if post is not None else pre
            if entry.data.type != sx.LedgerEntryType.LIQUIDITY_POOL:
                continue
            pool = entry.data.liquidity_pool
            product = pool.body.constant_product
            reserves = [(e.data.liquidity_pool.body.constant_product.reserve_a.int64,
                         e.data.liquidity_pool.body.constant_product.reserve_b.int64)
                        if e is not None else (0, 0) for e in (pre, post)]
            found.append((StrKey.encode_liquidity_pool(pool.liquidity_pool_id.pool_id.hash),
                          sdk_asset(product.params.asset_a), sdk_asset(product.params.asset_b),
                          abs(reserves[1][0] - reserves[0][0]),
                          abs(reserves[1][1] - reserves[0][1])))
        if len(found) != 1:
            raise ValueError(f"{len(found)} liquidity pool changes, expected 1")
        return found[0]

    def mux_of(self, destination: sx.MuxedAccount) -> tuple[str | None, str | None]:
        """§7.1: the muxed id of an M… destination, else what the (inner) memo says."""
        _, muxed_address, muxed_id = muxed(destination)
        if muxed_address is not None:
            return "id", str(muxed_id)
        memo = inner_tx(self.envelope).memo
        if memo.type == sx.MemoType.MEMO_ID:
            return "id", str(memo.id.uint64)
        if memo.type == sx.MemoType.MEMO_TEXT:
            return "text", utf8_or_replaced(memo.text)
        if memo.type == sx.MemoType.MEMO_HASH:
            return "hash", memo.hash.hash.hex()
        if memo.type == sx.MemoType.MEMO_RETURN:
            return "hash", memo.ret_hash.hash.hex()
        return None, None

    def add(self, kind: str, a: Asset, source, destination, amount: int, op_index,
            mux=(None, None)) -> None:
        self.events.append({**self.place, "operation_index": op_index, "event_type": kind,
                            "from": source, "to": destination, **asset_columns(a),
                            "amount": str(amount), "contract_id": a.contract_id(self.passphrase),
                            "to_muxed_type": mux[0], "to_muxed_value": mux[1]})

    def move(self, a: Asset, source: str, destination: str, amount: int, op_index: int,
             mux_destination: sx.MuxedAccount | None = None) -> None:
        """§4: a transfer, or a mint from / burn to the asset's issuer."""
        issuer = None if a.is_native() else a.issuer
        mux = self.mux_of(mux_destination) if mux_destination is not None else (None, None)
        if source == issuer and destination != issuer:
            self.add("mint", a, None, destination, amount, op_index, mux)
        elif destination == issuer and source != issuer:
            self.add("burn", a, source, None, amount, op_index)
        else:
            self.add("transfer", a, source, destination, amount, op_index, mux)

    def claim_atoms(self, atoms, source: str, op_index: int) -> None:
        """§3.1 in core's order: the bought leg (source → seller), then the sold leg."""
        for atom in atoms:
            kind = atom.type
            if kind == sx.ClaimAtomType.CLAIM_ATOM_TYPE_V0:
                a = atom.v0
                seller = StrKey.encode_ed25519_public_key(a.seller_ed25519.uint256)
            elif kind == sx.ClaimAtomType.CLAIM_ATOM_TYPE_ORDER_BOOK:
                a = atom.order_book
                seller = account_id(a.seller_id)
            else:
                a = atom.liquidity_pool
                seller = StrKey.encode_liquidity_pool(a.liquidity_pool_id.pool_id.hash)
            self.move(sdk_asset(a.asset_bought), source, seller, a.amount_bought.int64, op_index)
            self.move(sdk_asset(a.asset_sold), seller, source, a.amount_sold.int64, op_index)

    def operation(self, op: sx.Operation, result: sx.OperationResult, op_index: int) -> None:
        """§3: the events of one operation of a successful transaction."""
        body, kind = op.body, op.body.type
        if op.source_account is not None:
            source_muxed = op.source_account
        elif self.envelope.type == ENV.ENVELOPE_TYPE_TX_V0:
            source_muxed = sx.MuxedAccount(sx.CryptoKeyType.KEY_TYPE_ED25519,
                                           ed25519=self.envelope.v0.tx.source_account_ed25519)
        else:
            source_muxed = inner_tx(self.envelope).source_account
        source = (muxed(op.source_account)[0] if op.source_account is not None
                  else tx_source(self.envelope)[0])
        native = Asset.native()
        tr = inner_result(result)
        if kind == OT.CREATE_ACCOUNT:
            o = body.create_account_op
            self.move(native, source, account_id(o.destination), o.starting_balance.int64,
                      op_index, sx.MuxedAccount(sx.CryptoKeyType.KEY_TYPE_ED25519,
                                                ed25519=o.destination.account_id.ed25519))
        elif kind == OT.PAYMENT:
            o = body.payment_op
            self.move(sdk_asset(o.asset), source, muxed(o.destination)[0], o.amount.int64,
                      op_index, o.destination)
        elif kind in (OT.PATH_PAYMENT_STRICT_RECEIVE, OT.PATH_PAYMENT_STRICT_SEND):
            strict_receive = kind == OT.PATH_PAYMENT_STRICT_RECEIVE
            o = body.path_payment_strict_receive_op if strict_receive else body.path_payment_strict_send_op
            self.claim_atoms(tr.success.offers, source, op_index)
            amount = o.dest_amount.int64 if strict_receive else tr.success.last.amount.int64
            self.move(sdk_asset(o.dest_asset), source, muxed(o.destination)[0], amount,
                      op_index, o.destination)
        elif kind in (OT.MANAGE_SELL_OFFER, OT.CREATE_PASSIVE_SELL_OFFER, OT.MANAGE_BUY_OFFER):
            self.claim_atoms(tr.success.offers_claimed, source, op_index)
        elif kind == OT.ACCOUNT_MERGE:
            if tr.source_account_balance is not None:
                self.move(native, source, muxed(body.destination)[0],
                          tr.source_account_balance.int64, op_index, body.destination)
        elif kind == OT.CREATE_CLAIMABLE_BALANCE:
            o = body.create_claimable_balance_op
            balance = tr.balance_id
            holder = StrKey.encode_claimable_balance(bytes([balance.type.value]) + balance.v0.hash)
            self.move(sdk_asset(o.asset), source, holder, o.amount.int64, op_index)
        elif kind in (OT.CLAIM_CLAIMABLE_BALANCE, OT.CLAWBACK_CLAIMABLE_BALANCE):
            o = (body.claim_claimable_balance_op if kind == OT.CLAIM_CLAIMABLE_BALANCE
                 else body.clawback_claimable_balance_op)
            holder = StrKey.encode_claimable_balance(
                bytes([o.balance_id.type.value]) + o.balance_id.v0.hash)
            entry = self.removed_balance(op_index)
            if kind == OT.CLAIM_CLAIMABLE_BALANCE:
                self.move(sdk_asset(entry.asset), holder, source, entry.amount.int64, op_index,
                          source_muxed)
            else:
                self.add("clawback", sdk_asset(entry.asset), holder, None, entry.amount.int64,
                         op_index)
        elif kind in (OT.LIQUIDITY_POOL_DEPOSIT, OT.LIQUIDITY_POOL_WITHDRAW):
            pool, asset_a, asset_b, delta_a, delta_b = self.pool_deltas(op_index)
            for a, delta in ((asset_a, delta_a), (asset_b, delta_b)):
                if kind == OT.LIQUIDITY_POOL_DEPOSIT:
                    self.move(a, source, pool, delta, op_index)
                else:
                    self.move(a, pool, source, delta, op_index, source_muxed)
        elif kind in (OT.ALLOW_TRUST, OT.SET_TRUST_LINE_FLAGS):
            self.revocations(op_index)
        elif kind == OT.CLAWBACK:
            o = body.clawback_op
            self.add("clawback", sdk_asset(o.asset), muxed(o.from_)[0], None, o.amount.int64,
                     op_index)
        elif kind == OT.INVOKE_HOST_FUNCTION:
            meta = self.meta
            if meta.v == 3:
                events = meta.v3.soroban_meta.events if meta.v3.soroban_meta else []
                parse = v3_token_event
            else:
                events = meta.v4.operations[op_index - 1].events if meta.v4.operations else []
                parse = operation_token_event
            for event in events:
                columns = parse(event, self.passphrase)
                if columns is not None:
                    self.events.append({**self.place, "operation_index": op_index, **columns})
        elif kind == OT.INFLATION:
            for payout in tr.payouts or []:
                self.add("mint", native, None, account_id(payout.destination),
                         payout.amount.int64, op_index)


def derived_fee_events(place: dict, envelope: sx.TransactionEnvelope, processing,
                       network_passphrase: str) -> tuple[list[dict], list[dict]]:
    """§2.1: ([charge], [refund]) of a transaction, each list empty for a zero amount (as
    core): classic: `feeCharged`; Soroban: the fee payer's balance drop in fee processing,
    and the rise in txChangesAfter and postTxApplyFeeProcessing, negated."""
    if envelope.type == ENV.ENVELOPE_TYPE_TX_FEE_BUMP:
        payer = muxed(envelope.fee_bump.tx.fee_source)[0]
    else:
        payer = tx_source(envelope)[0]
    refund = 0
    if is_soroban(envelope):
        charge = -balance_delta(processing.fee_processing.ledger_entry_changes, payer)
        meta = processing.tx_apply_processing
        after = {3: lambda m: m.v3.tx_changes_after, 4: lambda m: m.v4.tx_changes_after}
        changes = list(after[meta.v](meta).ledger_entry_changes) if meta.v in after else []
        post = getattr(processing, "post_tx_apply_fee_processing", None)
        if post is not None:
            changes += post.ledger_entry_changes
        refund = balance_delta(changes, payer)
        if charge < 0 or refund < 0:
            raise ValueError(f"fee payer {payer}: charge {charge}, refund {refund}")
    else:
        charge = processing.result.result.fee_charged.int64
    native = Asset.native()

    def event(amount: int) -> list[dict]:
        return [{**place, "operation_index": None, "event_type": "fee", "from": payer,
                 "to": None, **asset_columns(native), "amount": str(amount),
                 "contract_id": native.contract_id(network_passphrase),
                 "to_muxed_type": None, "to_muxed_value": None}] if amount else []

    return event(charge), event(-refund)


def is_soroban(envelope: sx.TransactionEnvelope) -> bool:
    tx = inner_tx(envelope)
    return envelope.type != ENV.ENVELOPE_TYPE_TX_V0 and tx.ext.v == 1


def derived_token_transfers_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The `token_transfers` rows of a ledger derived from its operations, results, changes
    and Soroban events."""
    net = sdk_dump.network_id(network_passphrase)
    seq, close_time, txs = ledger_transactions(lcm, net)
    protocol = sdk_dump.lcm_body(lcm).ledger_header.header.ledger_version.uint32
    charges, operations, refunds = [], [], []
    for order, processing, envelope in txs:
        ops = inner_tx(envelope).operations
        place = {"ledger_sequence": seq, "ledger_close_time": close_time,
                 "transaction_hash": processing.result.transaction_hash.hash.hex(),
                 "transaction_index": order}
        result = processing.result.result
        charge, refund = derived_fee_events(place, envelope, processing, network_passphrase)
        charges += charge
        events = []
        if result.result.code in SUCCESS_CODES:
            deriver = Deriver(network_passphrase, place, envelope,
                                     processing.tx_apply_processing)
            for index, (op, op_result) in enumerate(zip(ops, op_results(result.result)), start=1):
                first = len(deriver.events)
                deriver.operation(op, op_result, index)
                if protocol < 8 and op.body.type not in VALUELESS_OPERATIONS:
                    deriver.reconcile(first, op, index)
            events = deriver.events
        if protocol >= 23:  # §5
            operations += events
            refunds += refund
        else:
            operations += events + refund
    rows = charges + operations + refunds
    return [{column: row[column] for column in TOKEN_TRANSFER_COLUMNS} for row in rows]


def token_transfers_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The `token_transfers` rows of a ledger from its embedded CAP-67 events (raises
    NotEmbedded for a ledger whose metas do not embed them)."""
    net = sdk_dump.network_id(network_passphrase)
    seq, close_time, txs = ledger_transactions(lcm, net)
    protocol = sdk_dump.lcm_body(lcm).ledger_header.header.ledger_version.uint32
    native_contract = Asset.native().contract_id(network_passphrase)
    if txs and not embeds_fee_events(lcm):
        raise NotEmbedded(f"ledger {seq}: its TransactionMeta v4 carry no fee events")
    charges, operations, refunds = [], [], []
    for order, processing, _ in txs:
        meta = processing.tx_apply_processing
        if meta.v != 4:
            raise NotEmbedded(f"ledger {seq}: transaction {order} has TransactionMeta v{meta.v}")
        place = {"ledger_sequence": seq, "ledger_close_time": close_time,
                 "transaction_hash": processing.result.transaction_hash.hash.hex(),
                 "transaction_index": order}
        fees = [{**place, "operation_index": None, **f}
                for f in fee_events(meta.v4, native_contract)]
        if not fees:
            raise ValueError(f"ledger {seq}: transaction {order} has no fee event")
        ops = []
        if processing.result.result.result.code in SUCCESS_CODES:
            for index, op_meta in enumerate(meta.v4.operations, start=1):
                for event in op_meta.events:
                    columns = operation_token_event(event, network_passphrase)
                    if columns is not None:
                        ops.append({**place, "operation_index": index, **columns})
        charges += fees[:1]
        if protocol >= 23:
            operations += ops
            refunds += fees[1:]
        else:
            operations += ops + fees[1:]
    rows = charges + operations + refunds
    return [{column: row[column] for column in TOKEN_TRANSFER_COLUMNS} for row in rows]


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def token_transfer_oracle_rows(lcm: sx.LedgerCloseMeta, network_passphrase: str) -> list[dict]:
    """The embedded events where the metas carry them, else the derivation."""
    try:
        return token_transfers_rows(lcm, network_passphrase)
    except NotEmbedded:
        return derived_token_transfers_rows(lcm, network_passphrase)


TABLES = {"stellar_ledger": ledger_rows, "transactions": transactions_rows,
          "operations": operations_rows, "token_transfers": token_transfer_oracle_rows,
          "contract_events": contract_events_rows}


def file_tables(path: str, network_passphrase: str,
                tables=tuple(TABLES)) -> dict[str, list[dict]]:
    """{table: rows} for every ledger of a fixture file (decoded once), in file order."""
    with open(path, "rb") as f:
        data = f.read()
    lcms = sdk_dump.ledger_close_metas(data)
    return {table: [row for lcm in lcms for row in TABLES[table](lcm, network_passphrase)]
            for table in tables}


def file_rows(path: str, table: str, network_passphrase: str) -> list[dict]:
    """The rows of one table for every ledger of a fixture file, in file order."""
    return file_tables(path, network_passphrase, (table,))[table]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: prints the rows of every file as JSON lines (sorted keys)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", required=True, choices=sorted(TABLES))
    parser.add_argument("--network", required=True, help="network passphrase")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            rows = file_rows(path, args.table, args.network)
        except Exception as e:  # report and continue with the next file
            print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
            status = 1
            continue
        for row in rows:
            sys.stdout.write(json.dumps(row, sort_keys=True, separators=(",", ":")) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
