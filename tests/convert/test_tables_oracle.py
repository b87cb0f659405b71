"""Golden test: our five tables against an independent oracle (`token_transfers` on the ledgers
whose metas embed the unified events).

For every real ledger fixture under ../shared/testdata (raw XDR, base64, Galexie objects,
record-marked streams; not the derived lakes nor the .gz copies), our binary's
``convert --table T --format jsonl`` output is compared with the rows that
tools/oracle_tables.py computes from the same file with the ``stellar-sdk`` Python package
(docs/SCHEMAS.md read independently; nothing of our C++ is used). Whole tables are compared:
the row count, then every column of every row, values and JSON types (1 != "1" != true).

That covers LedgerCloseMeta v0/v1/v2, TransactionMeta v2/v3/v4 (v0 and v1 in the synthetic
ledger below), the pubnet ledgers, the
Soroban ledgers (standalone load test, core InvokeHostFunctionTests) and every core test
ledger (failed transactions, path payments, offers, sponsorship, fee bumps).
The 320 consecutive testnet lighthorizon ledgers are one case (one convert run).

The fixtures never exercise some columns (non-UTF-8 text memos, muxed operation sources and
destinations, liquidity pool ids, outer operation codes, ...) nor some operation types
(set_trust_line_flags, liquidity pools, clawback_claimable_balance, create_contract_v2,
nested claim predicates, set_options signers of every kind, manage_data deletions,
non-UTF-8 data names and home domains, extend_footprint_ttl, contract events with every
SCVal type, TransactionMeta v4 transaction-level events, ...). The case
"synthetic" is one LedgerCloseMeta v0 built here with stellar-sdk (the header of pubnet
26154623, hand-made envelopes, results and metas) that holds them; its XDR is
structurally valid but no validator ever applied it.

`token_transfers` is derived from operations, results and changes (docs/TOKEN_TRANSFERS.md).
The oracle reads the unified events stellar-core embeds in TransactionMeta v4 where the
metas carry them (fee events present: core's EMIT_CLASSIC_EVENTS); elsewhere it derives
them itself from operations, results, changes and Soroban events (§2.1, §3, §3.1, §3.2,
§3.3, §3.4, §4, §5, §7.1, §7.4, §7.6). The case "synthetic-protocol-7" is a hand-made
ledger of protocol 7 whose operations lose or gain XLM beyond their events (§7.6), and
"synthetic-revocation" one whose revocation drains pool shares into claimable balances
(§3.3).

The network passphrase of each file comes from ORACLE-ledgers.jsonl (a third decoder,
@stellar/stellar-base), which also checks the oracle's row counts and hashes
(test_oracle_agrees_with_stellar_base). The oracle runs in a pool of 2 processes, once per
session. BIN overrides the binary (default build/debug/stellar-arrow-source); the tests
skip when it does not exist.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import re
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest

from conftest import (BASE64_LINES_FILE, LIGHTHORIZON, PASSPHRASES, ROOT, binary, is_fixture,
                      load_tool, oracle_rows)

TESTDATA = ROOT.parent / "shared" / "testdata"
SCHEMAS = ROOT / "docs" / "SCHEMAS.md"
TABLES = ("stellar_ledger", "transactions", "operations", "token_transfers", "contract_events")

# How many differences a failing case prints.
SHOWN = 25


oracle_tables = load_tool("oracle_tables")


# --------------------------------------------------------------------------------------
# Fixture files, cases and networks
# --------------------------------------------------------------------------------------


def cases() -> dict[str, list[str]]:
    """{case id: fixture files}: one case per file, the lighthorizon run as one case."""
    if not TESTDATA.is_dir():
        return {}
    files = sorted(str(p.relative_to(TESTDATA)) for p in TESTDATA.rglob("*")
                   if p.is_file() and is_fixture(str(p.relative_to(TESTDATA))))
    result = {}
    for rel in files:
        if rel.startswith(LIGHTHORIZON + "/"):
            result.setdefault(LIGHTHORIZON, []).append(rel)
        else:
            result[rel] = [rel]
    if LIGHTHORIZON in result:
        result[LIGHTHORIZON].sort(key=lambda rel: int(rel.rsplit("/", 1)[1]))
    return result


CASES = cases()


def passphrase(case: str) -> str:
    """The case's network passphrase: from the oracle, else its top folder's network."""
    if case in (SYNTHETIC, SYNTHETIC_P7, SYNTHETIC_REVOCATION):
        return PASSPHRASES["pubnet"]
    networks = {row["network"] for rel in CASES[case] for row in oracle_rows(rel)} - {None}
    assert len(networks) <= 1, f"{case}: ledgers of several networks {networks}"
    return PASSPHRASES[networks.pop() if networks else case.split("/", 1)[0]]


# --------------------------------------------------------------------------------------
# The synthetic ledger
# --------------------------------------------------------------------------------------

SYNTHETIC = "synthetic"
SYNTHETIC_P7 = "synthetic-protocol-7"
SYNTHETIC_REVOCATION = "synthetic-revocation"
SYNTHETIC_BASE = "pubnet/stellar-go-ttp-example/line3-ledger-26154623.xdr"  # its header


def synthetic_ledger() -> bytes:
    """A LedgerCloseMeta v0 whose transactions cover what the fixtures lack (see above)."""
    from stellar_sdk import (Account, Asset, ClaimPredicate, Claimant, HashMemo, IdMemo, Keypair,
                             LiquidityPoolAsset, MuxedAccount, ReturnHashMemo, SignedPayloadSigner,
                             Signer, SignerKey, SorobanDataBuilder, StrKey, TextMemo,
                             TransactionBuilder, TrustLineFlags, xdr as sx)

    OT, TRC, ORC = sx.OperationType, sx.TransactionResultCode, sx.OperationResultCode
    network = PASSPHRASES["pubnet"]
    a, b, issuer = (Keypair.from_raw_ed25519_seed(bytes([i]) * 32).public_key for i in (1, 2, 3))
    a_muxed = MuxedAccount(a, 7).account_muxed
    b_muxed = MuxedAccount(b, 2**64 - 1).account_muxed
    usd, long_code = Asset("USD", issuer), Asset("LONGASSET12X", issuer)
    balance_id = "00000000" + "ab" * 32
    pool_id = "cd" * 32

    def builder(source: str, seq: int) -> TransactionBuilder:
        return TransactionBuilder(Account(source, seq), network, base_fee=100)

    def result(op_type, code_name: str, **fields) -> sx.OperationResult:
        """opINNER result of an operation: its <Name>Result with code <code_name>."""
        name = "".join(w.capitalize() for w in op_type.name.split("_"))
        arm = op_type.name.lower() + "_result"
        if op_type == OT.BUMP_SEQUENCE:
            name, arm = "BumpSequence", "bump_seq_result"
        if op_type == OT.CREATE_PASSIVE_SELL_OFFER:
            name = "ManageSellOffer"
        if op_type == OT.EXTEND_FOOTPRINT_TTL:
            name = "ExtendFootprintTTL"
        cls = getattr(sx, name + "Result")
        code = getattr(getattr(sx, name + "ResultCode"), code_name)
        tr = sx.OperationResultTr(op_type, **{arm: cls(code, **fields)})
        return sx.OperationResult(ORC.opINNER, tr)

    def outcome(code, results=None) -> sx.TransactionResultResult:
        return sx.TransactionResultResult(code, results=results)

    def meta(n_ops: int, soroban_fees: tuple | None = None, version: int = 2) -> sx.TransactionMeta:
        no_changes = sx.LedgerEntryChanges([])
        ops = [sx.OperationMeta(no_changes)] * n_ops
        if version == 0:  # the fixtures hold no TransactionMeta v0 or v1
            return sx.TransactionMeta(0, operations=ops)
        if version == 1:
            return sx.TransactionMeta(1, v1=sx.TransactionMetaV1(no_changes, ops))
        if soroban_fees is None:
            return sx.TransactionMeta(2, v2=sx.TransactionMetaV2(no_changes, ops, no_changes))
        ext = sx.SorobanTransactionMetaExt(1, v1=sx.SorobanTransactionMetaExtV1(
            sx.ExtensionPoint(0), *(sx.Int64(f) for f in soroban_fees)))
        soroban = sx.SorobanTransactionMeta(ext, [], sx.SCVal(sx.SCValType.SCV_VOID), [])
        return sx.TransactionMeta(3, v3=sx.TransactionMetaV3(sx.ExtensionPoint(0), no_changes, ops,
                                                             no_changes, soroban))

    last_payment = sx.SimplePaymentResult(Keypair.from_public_key(b).xdr_account_id(),
                                          long_code.to_xdr_object(), sx.Int64(123456789))
    strict_send_ok = result(OT.PATH_PAYMENT_STRICT_SEND, "PATH_PAYMENT_STRICT_SEND_SUCCESS",
                            success=sx.PathPaymentStrictSendResultSuccess([], last_payment))
    merge_ok = result(OT.ACCOUNT_MERGE, "ACCOUNT_MERGE_SUCCESS", source_account_balance=sx.Int64(999))
    txs = []  # (envelope, TransactionResultResult, TransactionMeta, fee charged)

    # 1. Succeeded; muxed source; non-UTF-8 text memo; PRECOND_V2 with a 0 max time; every
    #    classic operation type the fixtures lack, several with muxed sources/destinations.
    t = builder(a_muxed, 100)
    t.add_memo(TextMemo(b"\xff\xfe not UTF-8 \x00"))
    t.add_time_bounds(5, 0).set_ledger_bounds(10, 0)
    t.add_extra_signer(SignerKey.sha256_hash(bytes(32)))
    t.append_payment_op(b_muxed, usd, "1.5", source=b_muxed)
    t.append_path_payment_strict_send_op(b_muxed, Asset.native(), "10", long_code, "0.0000001",
                                         [Asset.native(), usd], source=a_muxed)
    t.append_account_merge_op(b_muxed)
    t.append_set_trust_line_flags_op(
        b, usd, clear_flags=TrustLineFlags.AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG,
        set_flags=TrustLineFlags.AUTHORIZED_FLAG, source=issuer)
    t.append_clawback_claimable_balance_op(balance_id, source=issuer)
    t.append_liquidity_pool_deposit_op(pool_id, "1", "2", "0.5", "2")
    t.append_liquidity_pool_withdraw_op(pool_id, "3", "0", "0")
    t.append_change_trust_op(LiquidityPoolAsset(Asset.native(), usd), "1000")
    t.append_create_passive_sell_offer_op(usd, long_code, "4", "2.5")
    t.append_manage_buy_offer_op(usd, Asset.native(), "5", "0.75", offer_id=42)
    t.append_manage_data_op("key", b"value")
    t.append_inflation_op()
    t.append_clawback_op(usd, b_muxed, "6", source=issuer)
    t.append_revoke_account_sponsorship_op(b)
    t.append_allow_trust_op(b, "LONGASSET12X", True, source=issuer)
    t.append_set_options_op(set_flags=2)
    nested = ClaimPredicate.predicate_and(
        ClaimPredicate.predicate_before_absolute_time(1700000000),
        ClaimPredicate.predicate_not(ClaimPredicate.predicate_before_relative_time(3600)))
    either = ClaimPredicate.predicate_or(ClaimPredicate.predicate_unconditional(),
                                         ClaimPredicate.predicate_before_relative_time(60))
    t.append_create_claimable_balance_op(usd, "7", [Claimant(a, nested), Claimant(b, either)])
    t.append_claim_claimable_balance_op(balance_id)
    t.append_bump_sequence_op(1000)
    envelope = t.build().to_xdr_object()
    results = [
        result(OT.PAYMENT, "PAYMENT_SUCCESS"), strict_send_ok, merge_ok,
        result(OT.SET_TRUST_LINE_FLAGS, "SET_TRUST_LINE_FLAGS_SUCCESS"),
        result(OT.CLAWBACK_CLAIMABLE_BALANCE, "CLAWBACK_CLAIMABLE_BALANCE_SUCCESS"),
        result(OT.LIQUIDITY_POOL_DEPOSIT, "LIQUIDITY_POOL_DEPOSIT_SUCCESS"),
        result(OT.LIQUIDITY_POOL_WITHDRAW, "LIQUIDITY_POOL_WITHDRAW_SUCCESS"),
        result(OT.CHANGE_TRUST, "CHANGE_TRUST_SUCCESS"),
        result(OT.CREATE_PASSIVE_SELL_OFFER, "MANAGE_SELL_OFFER_MALFORMED"),
        result(OT.MANAGE_BUY_OFFER, "MANAGE_BUY_OFFER_NOT_FOUND"),
        result(OT.MANAGE_DATA, "MANAGE_DATA_SUCCESS"),
        result(OT.INFLATION, "INFLATION_NOT_TIME"),
        result(OT.CLAWBACK, "CLAWBACK_SUCCESS"),
        result(OT.REVOKE_SPONSORSHIP, "REVOKE_SPONSORSHIP_SUCCESS"),
        result(OT.ALLOW_TRUST, "ALLOW_TRUST_SUCCESS"),
        result(OT.SET_OPTIONS, "SET_OPTIONS_SUCCESS"),
        result(OT.CREATE_CLAIMABLE_BALANCE, "CREATE_CLAIMABLE_BALANCE_SUCCESS",
               balance_id=sx.ClaimableBalanceID.from_xdr_bytes(bytes.fromhex(balance_id))),
        result(OT.CLAIM_CLAIMABLE_BALANCE, "CLAIM_CLAIMABLE_BALANCE_SUCCESS"),
        result(OT.BUMP_SEQUENCE, "BUMP_SEQUENCE_SUCCESS"),
    ]
    txs.append((envelope, outcome(TRC.txSUCCESS, results), meta(len(results)), 1900))

    # 2. Fee bump by a muxed fee source; the inner transaction failed although its
    #    strict-send payment and merge succeeded.
    t = builder(b, 200)
    t.append_path_payment_strict_send_op(a, Asset.native(), "10", long_code, "0.0000001", [])
    t.append_account_merge_op(a)
    t.append_payment_op(a, usd, "1")
    inner = t.build()
    bump = TransactionBuilder.build_fee_bump_transaction(a_muxed, 500, inner, network)
    inner_results = [strict_send_ok, merge_ok, result(OT.PAYMENT, "PAYMENT_UNDERFUNDED")]
    inner_result = sx.InnerTransactionResult(
        sx.Int64(300), sx.InnerTransactionResultResult(TRC.txFAILED, inner_results),
        sx.InnerTransactionResultExt(0))
    outer = sx.TransactionResultResult(
        TRC.txFEE_BUMP_INNER_FAILED,
        inner_result_pair=sx.InnerTransactionResultPair(sx.Hash(inner.hash()), inner_result))
    txs.append((bump.to_xdr_object(), outer, meta(0), 400))

    # 3. Failed on outer operation codes; hash memo; min sequence number, age and gap.
    t = builder(a, 300).add_memo(HashMemo(bytes(range(32))))
    t.set_min_sequence_number(299).set_min_sequence_age(60).set_min_sequence_ledger_gap(2)
    codes = (ORC.opBAD_AUTH, ORC.opNO_ACCOUNT, ORC.opNOT_SUPPORTED, ORC.opTOO_MANY_SUBENTRIES,
             ORC.opEXCEEDED_WORK_LIMIT, ORC.opTOO_MANY_SPONSORING)
    for _ in codes:
        t.append_payment_op(b, Asset.native(), "1")
    outer_codes = outcome(TRC.txFAILED, [sx.OperationResult(c) for c in codes])
    txs.append((t.build().to_xdr_object(), outer_codes, meta(0), 600))

    # 4. Rejected before its operations ran; return-hash memo.
    t = builder(b, 400).add_memo(ReturnHashMemo(bytes([0xee]) * 32))
    t.append_create_account_op(a, "1").append_payment_op(a_muxed, long_code, "2")
    txs.append((t.build().to_xdr_object(), outcome(TRC.txBAD_SEQ), meta(0), 200))

    # 5. Fee bump failed outside its inner transaction (no inner result); id memo.
    t = builder(a, 500).add_memo(IdMemo(2**64 - 1)).append_bump_sequence_op(0)
    bump = TransactionBuilder.build_fee_bump_transaction(b, 100, t.build(), network).to_xdr_object()
    txs.append((bump, outcome(TRC.txINSUFFICIENT_FEE), meta(0), 0))

    # 6. Soroban contract call with declared resources and TransactionMeta v3 fees.
    t = builder(b, 600)
    t.append_invoke_contract_function_op(StrKey.encode_contract(bytes(range(32))), "transfer", [])
    t.set_soroban_data(SorobanDataBuilder().set_resources(1000, 2000, 3000)
                       .set_resource_fee(4000).build())
    ok = result(OT.INVOKE_HOST_FUNCTION, "INVOKE_HOST_FUNCTION_SUCCESS", success=sx.Hash(bytes(32)))
    txs.append((t.build().to_xdr_object(), outcome(TRC.txSUCCESS, [ok]), meta(1, (11, 22, 33)), 4100))

    # 7-9. Text memos: valid UTF-8 with a NUL; a UTF-16 surrogate and a code point above
    #      U+10FFFF, which UTF-8 forbids (RFC 3629). A 5-letter alphanum12 code.
    paid = outcome(TRC.txSUCCESS, [result(OT.PAYMENT, "PAYMENT_SUCCESS")])
    #      Their metas are TransactionMeta v0, v1 and v2.
    for version, (seq, text) in enumerate(((700, "é✓\0".encode()), (800, b"\xed\xa0\x80"),
                                           (900, b"\xf4\x90\x80\x80"))):
        t = builder(a, seq).add_memo(TextMemo(text))
        t.append_payment_op(b, Asset("ABCDE", issuer), "1")
        txs.append((t.build().to_xdr_object(), paid, meta(1, version=version), 100))

    # 10. A contract created with constructor arguments (HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2).
    t = builder(b, 1000)
    t.append_create_contract_op(bytes(range(32)), a, constructor_args=[sx.SCVal(sx.SCValType.SCV_VOID)],
                                salt=bytes([5]) * 32)
    t.set_soroban_data(SorobanDataBuilder().set_resources(10, 20, 30).set_resource_fee(40).build())
    txs.append((t.build().to_xdr_object(), outcome(TRC.txSUCCESS, [ok]), meta(1, (1, 2, 3)), 140))

    # 11. set_options with every field and each signer key kind; manage_data deleting an
    #     entry and with a name that is not UTF-8; a home domain that is not UTF-8;
    #     sponsorship of future reserves.
    t = builder(a, 1100)
    t.append_set_options_op(inflation_dest=b, clear_flags=1, set_flags=2, master_weight=3,
                            low_threshold=4, med_threshold=5, high_threshold=6,
                            home_domain="example.com",
                            signer=Signer.ed25519_public_key(b, 7))
    t.append_set_options_op(signer=Signer.pre_auth_tx(bytes(range(32)), 8))
    t.append_set_options_op(signer=Signer.sha256_hash(bytes([9]) * 32, 0))
    payload_signer = SignedPayloadSigner(b, bytes(range(1, 30)))
    t.append_set_options_op(signer=Signer(SignerKey.ed25519_signed_payload(payload_signer), 10),
                            home_domain="bad")
    t.append_manage_data_op("gone", None)
    t.append_manage_data_op("bad", b"\x00\xff")
    t.append_begin_sponsoring_future_reserves_op(b)
    t.append_end_sponsoring_future_reserves_op(source=b)
    envelope = t.build().to_xdr_object()
    operations = envelope.v1.tx.operations
    operations[3].body.set_options_op.home_domain = sx.String32(b"\xc3\x28 bad")
    operations[5].body.manage_data_op.data_name = sx.String64(b"k\xff")
    results = [result(OT.SET_OPTIONS, "SET_OPTIONS_SUCCESS")] * 4 + [
        result(OT.MANAGE_DATA, "MANAGE_DATA_SUCCESS")] * 2 + [
        result(OT.BEGIN_SPONSORING_FUTURE_RESERVES, "BEGIN_SPONSORING_FUTURE_RESERVES_SUCCESS"),
        result(OT.END_SPONSORING_FUTURE_RESERVES, "END_SPONSORING_FUTURE_RESERVES_SUCCESS")]
    txs.append((envelope, outcome(TRC.txSUCCESS, results), meta(len(results)), 800))

    # 12. A Soroban TTL extension.
    t = builder(b, 1200).append_extend_footprint_ttl_op(500000)
    t.set_soroban_data(SorobanDataBuilder().set_resources(1, 2, 3).set_resource_fee(4).build())
    extended = result(OT.EXTEND_FOOTPRINT_TTL, "EXTEND_FOOTPRINT_TTL_SUCCESS")
    txs.append((t.build().to_xdr_object(), outcome(TRC.txSUCCESS, [extended]), meta(1, (0, 0, 0)),
                104))

    # 13-14. Contract events holding every SCVal type: TransactionMeta v3 (events and
    #        diagnostics of a failed call) and v4 (operation, transaction-level events of
    #        every stage, diagnostics).
    values = scval_samples(a, sx)
    half = len(values) // 2

    def event(topics, data, contract: bytes | None = bytes([7]) * 32,
              kind=sx.ContractEventType.CONTRACT) -> sx.ContractEvent:
        return sx.ContractEvent(sx.ExtensionPoint(0), sx.ContractID(sx.Hash(contract)) if contract else None,
                                kind, sx.ContractEventBody(0, v0=sx.ContractEventV0(topics, data)))

    def diagnostic(in_call: bool, data) -> sx.DiagnosticEvent:
        return sx.DiagnosticEvent(in_call, event([values[0]], data, None, sx.ContractEventType.DIAGNOSTIC))

    no_changes = sx.LedgerEntryChanges([])
    call = builder(b, 1300)
    call.append_invoke_contract_function_op(StrKey.encode_contract(bytes([7]) * 32), "f", [])
    call.set_soroban_data(SorobanDataBuilder().set_resources(1, 2, 3).set_resource_fee(4).build())
    soroban = sx.SorobanTransactionMeta(
        sx.SorobanTransactionMetaExt(0), [event(values[:half], values[half]), event([], values[-1])],
        sx.SCVal(sx.SCValType.SCV_VOID), [diagnostic(False, v) for v in values[half:]])
    v3 = sx.TransactionMeta(3, v3=sx.TransactionMetaV3(sx.ExtensionPoint(0), no_changes,
                                                       [sx.OperationMeta(no_changes)], no_changes, soroban))
    failed_call = result(OT.INVOKE_HOST_FUNCTION, "INVOKE_HOST_FUNCTION_TRAPPED")
    txs.append((call.build().to_xdr_object(), outcome(TRC.txFAILED, [failed_call]), v3, 104))

    t = builder(a, 1400)
    t.append_payment_op(b, Asset.native(), "1").append_payment_op(b, usd, "2")
    stages = sx.TransactionEventStage
    v4 = sx.TransactionMeta(4, v4=sx.TransactionMetaV4(
        sx.ExtensionPoint(0), no_changes,
        [sx.OperationMetaV2(sx.ExtensionPoint(0), no_changes, [event(values[half:], values[0])]),
         sx.OperationMetaV2(sx.ExtensionPoint(0), no_changes,
                            [event([values[1]], values[2], None, sx.ContractEventType.SYSTEM)] * 2)],
        no_changes, None,
        [sx.TransactionEvent(stage, event([values[3]], values[4])) for stage in stages],
        [diagnostic(True, values[5])]))
    paid_twice = [result(OT.PAYMENT, "PAYMENT_SUCCESS")] * 2
    txs.append((t.build().to_xdr_object(), outcome(TRC.txSUCCESS, paid_twice), v4, 200))

    sdk_dump = oracle_tables.sdk_dump
    network_id = sdk_dump.network_id(network)
    processing = []
    for envelope, outcome_, meta_, fee in txs:
        pair = sx.TransactionResultPair(
            sx.Hash(sdk_dump.transaction_hash(envelope, network_id)),
            sx.TransactionResult(sx.Int64(fee), outcome_, sx.TransactionResultExt(0)))
        processing.append(sx.TransactionResultMeta(pair, sx.LedgerEntryChanges([]), meta_))
    base = sdk_dump.ledger_close_metas((TESTDATA / SYNTHETIC_BASE).read_bytes())[0].v0
    tx_set = sx.TransactionSet(base.tx_set.previous_ledger_hash, [e for e, *_ in txs])
    lcm = sx.LedgerCloseMeta(0, v0=sx.LedgerCloseMetaV0(base.ledger_header, tx_set, processing, [], []))
    return lcm.to_xdr_bytes()


def scval_samples(account: str, sx) -> list:
    """One SCVal of every type (and the edge cases of SCHEMAS.md's typed JSON): extreme
    integers, strings with escapes and invalid UTF-8, absent and nested containers, every
    address kind, a value nested past the rendering depth."""
    from stellar_sdk import Address

    SCV = sx.SCValType
    max64 = 2**64 - 1

    def val(kind, **fields):
        return sx.SCVal(kind, **fields)

    def address(kind, **fields):
        return val(SCV.SCV_ADDRESS, address=sx.SCAddress(kind, **fields))

    symbol = val(SCV.SCV_SYMBOL, sym=sx.SCSymbol(b"transfer"))
    deep = val(SCV.SCV_U32, u32=sx.Uint32(1))
    for _ in range(40):
        deep = val(SCV.SCV_VEC, vec=sx.SCVec([deep]))
    kinds = sx.SCAddressType
    return [
        symbol, val(SCV.SCV_BOOL, b=True), val(SCV.SCV_BOOL, b=False), val(SCV.SCV_VOID),
        val(SCV.SCV_ERROR, error=sx.SCError(sx.SCErrorType.SCE_CONTRACT, contract_code=sx.Uint32(42))),
        val(SCV.SCV_ERROR, error=sx.SCError(sx.SCErrorType.SCE_WASM_VM,
                                            code=sx.SCErrorCode.SCEC_ARITH_DOMAIN)),
        val(SCV.SCV_U32, u32=sx.Uint32(2**32 - 1)), val(SCV.SCV_I32, i32=sx.Int32(-2**31)),
        val(SCV.SCV_U64, u64=sx.Uint64(max64)), val(SCV.SCV_I64, i64=sx.Int64(-2**63)),
        val(SCV.SCV_TIMEPOINT, timepoint=sx.TimePoint(sx.Uint64(1700000000))),
        val(SCV.SCV_DURATION, duration=sx.Duration(sx.Uint64(60))),
        val(SCV.SCV_U128, u128=sx.UInt128Parts(sx.Uint64(max64), sx.Uint64(max64))),
        val(SCV.SCV_I128, i128=sx.Int128Parts(sx.Int64(-2**63), sx.Uint64(0))),
        val(SCV.SCV_U256, u256=sx.UInt256Parts(*[sx.Uint64(max64)] * 4)),
        val(SCV.SCV_I256, i256=sx.Int256Parts(sx.Int64(-1), sx.Uint64(max64), sx.Uint64(5),
                                              sx.Uint64(7))),
        val(SCV.SCV_BYTES, bytes=sx.SCBytes(b"\x00\xff")),
        val(SCV.SCV_STRING, str=sx.SCString(b'q " b \\ t \t nul \x00 del \x7f e \xc3\xa9')),
        val(SCV.SCV_STRING, str=sx.SCString(b"bad \xff\xfe utf8 \n")),
        val(SCV.SCV_SYMBOL, sym=sx.SCSymbol(b"")),
        val(SCV.SCV_VEC, vec=None), val(SCV.SCV_MAP, map=None),
        val(SCV.SCV_MAP, map=sx.SCMap([sx.SCMapEntry(symbol, val(SCV.SCV_VEC, vec=sx.SCVec([deep])))])),
        val(SCV.SCV_ADDRESS, address=Address(account).to_xdr_sc_address()),
        address(kinds.SC_ADDRESS_TYPE_CONTRACT, contract_id=sx.ContractID(sx.Hash(bytes(range(32))))),
        address(kinds.SC_ADDRESS_TYPE_MUXED_ACCOUNT,
                muxed_account=sx.MuxedEd25519Account(sx.Uint64(max64), sx.Uint256(bytes([1]) * 32))),
        address(kinds.SC_ADDRESS_TYPE_CLAIMABLE_BALANCE, claimable_balance_id=sx.ClaimableBalanceID(
            sx.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0, v0=sx.Hash(bytes([2]) * 32))),
        address(kinds.SC_ADDRESS_TYPE_LIQUIDITY_POOL, liquidity_pool_id=sx.PoolID(sx.Hash(bytes([3]) * 32))),
        val(SCV.SCV_LEDGER_KEY_NONCE, nonce_key=sx.SCNonceKey(sx.Int64(-5))),
        val(SCV.SCV_LEDGER_KEY_CONTRACT_INSTANCE),
        val(SCV.SCV_CONTRACT_INSTANCE, instance=sx.SCContractInstance(
            sx.ContractExecutable(sx.ContractExecutableType.CONTRACT_EXECUTABLE_STELLAR_ASSET), None)),
        val(SCV.SCV_EXECUTABLE_TAG, executable_tag=sx.SCString(b"tag")),
        deep,
    ]


def one_transaction_ledger(protocol: int, envelope, results: list, op_metas: list,
                           fee: int) -> bytes:
    """A LedgerCloseMeta v0 of protocol `protocol` (the header of SYNTHETIC_BASE otherwise)
    holding one successful transaction: its envelope, operation results and operation
    metas (TransactionMeta v2), and the fee charged."""
    from stellar_sdk import xdr as sx

    sdk_dump = oracle_tables.sdk_dump
    no_changes = sx.LedgerEntryChanges([])
    meta = sx.TransactionMeta(2, v2=sx.TransactionMetaV2(no_changes, op_metas, no_changes))
    network_id = sdk_dump.network_id(PASSPHRASES["pubnet"])
    pair = sx.TransactionResultPair(
        sx.Hash(sdk_dump.transaction_hash(envelope, network_id)),
        sx.TransactionResult(sx.Int64(fee), sx.TransactionResultResult(
            sx.TransactionResultCode.txSUCCESS, results=results), sx.TransactionResultExt(0)))
    base = sdk_dump.ledger_close_metas((TESTDATA / SYNTHETIC_BASE).read_bytes())[0].v0
    base.ledger_header.header.ledger_version = sx.Uint32(protocol)
    tx_set = sx.TransactionSet(base.tx_set.previous_ledger_hash, [envelope])
    processing = [sx.TransactionResultMeta(pair, no_changes, meta)]
    return sx.LedgerCloseMeta(0, v0=sx.LedgerCloseMetaV0(base.ledger_header, tx_set, processing,
                                                         [], [])).to_xdr_bytes()


def synthetic_protocol7_ledger() -> bytes:
    """A protocol 7 LedgerCloseMeta v0 whose operations' changes show XLM lost or gained
    beyond what the operations say (TOKEN_TRANSFERS.md §7.6): a payment whose source
    loses 0.5 XLM more than it pays, an account creation whose source keeps 3 stroops it
    sent, and a set_options (never reconciled) whose source's balance moves."""
    from stellar_sdk import Account, Asset, Keypair, TransactionBuilder, xdr as sx

    OT, LEC = sx.OperationType, sx.LedgerEntryChangeType
    network = PASSPHRASES["pubnet"]
    a, b, c = (Keypair.from_raw_ed25519_seed(bytes([i]) * 32) for i in (4, 5, 6))

    def account(key: Keypair, balance: int) -> sx.LedgerEntry:
        entry = sx.AccountEntry(key.xdr_account_id(), sx.Int64(balance),
                                sx.SequenceNumber(sx.Int64(1)), sx.Uint32(0), None, sx.Uint32(0),
                                sx.String32(b""), sx.Thresholds(bytes([1, 0, 0, 0])), [],
                                sx.AccountEntryExt(0))
        return sx.LedgerEntry(sx.Uint32(1), sx.LedgerEntryData(sx.LedgerEntryType.ACCOUNT,
                                                               account=entry),
                              sx.LedgerEntryExt(0))

    def moved(*balances) -> sx.OperationMeta:
        """STATE then UPDATED (or CREATED when the start is None) per (key, start, end)."""
        changes = []
        for key, start, end in balances:
            if start is None:
                changes.append(sx.LedgerEntryChange(LEC.LEDGER_ENTRY_CREATED, created=account(key, end)))
                continue
            changes.append(sx.LedgerEntryChange(LEC.LEDGER_ENTRY_STATE, state=account(key, start)))
            changes.append(sx.LedgerEntryChange(LEC.LEDGER_ENTRY_UPDATED, updated=account(key, end)))
        return sx.OperationMeta(sx.LedgerEntryChanges(changes))

    def ok(op_type, name):
        arm = op_type.name.lower() + "_result"
        cls = "".join(w.capitalize() for w in op_type.name.split("_"))
        tr = sx.OperationResultTr(op_type, **{arm: getattr(sx, cls + "Result")(
            getattr(getattr(sx, cls + "ResultCode"), name))})
        return sx.OperationResult(sx.OperationResultCode.opINNER, tr)

    t = TransactionBuilder(Account(a.public_key, 10), network, base_fee=100)
    t.append_payment_op(b.public_key, Asset.native(), "1")
    t.append_create_account_op(c.public_key, "10")
    t.append_set_options_op(home_domain="x")
    envelope = t.build().to_xdr_object()
    xlm = 10_000_000
    metas = [moved((a, 100 * xlm, 99 * xlm - xlm // 2), (b, 50 * xlm, 51 * xlm)),
             moved((a, 99 * xlm - xlm // 2, 89 * xlm - xlm // 2 + 3), (c, None, 10 * xlm)),
             moved((a, 7, 9))]
    results = [ok(OT.PAYMENT, "PAYMENT_SUCCESS"), ok(OT.CREATE_ACCOUNT, "CREATE_ACCOUNT_SUCCESS"),
               ok(OT.SET_OPTIONS, "SET_OPTIONS_SUCCESS")]
    return one_transaction_ledger(7, envelope, results, metas, fee=300)


def synthetic_revocation_ledger() -> bytes:
    """A protocol 20 LedgerCloseMeta v0 whose set_trust_line_flags revocation drains two
    pools' shares (TOKEN_TRANSFERS.md §3.3): one pool into a claimable balance per asset,
    the other into one for its asset A only (asset B went back to its issuer); the pools'
    changes come in descending id order. An allow_trust without pool changes emits nothing."""
    import hashlib

    from stellar_sdk import Account, Asset, Keypair, TransactionBuilder, TrustLineFlags, xdr as sx

    OT, LEC = sx.OperationType, sx.LedgerEntryChangeType
    network = PASSPHRASES["pubnet"]
    issuer, trustor = (Keypair.from_raw_ed25519_seed(bytes([i]) * 32) for i in (7, 8))
    usd, eur = Asset("USD", issuer.public_key), Asset("EUR", issuer.public_key)
    t = TransactionBuilder(Account(issuer.public_key, 41), network, base_fee=100)
    t.append_set_trust_line_flags_op(trustor.public_key, usd,
                                     clear_flags=TrustLineFlags.AUTHORIZED_FLAG)
    t.append_allow_trust_op(trustor.public_key, "EUR", False)
    envelope = t.build().to_xdr_object()

    def entry(data: sx.LedgerEntryData) -> sx.LedgerEntry:
        return sx.LedgerEntry(sx.Uint32(1), data, sx.LedgerEntryExt(0))

    def pool(pool_id: bytes, a: Asset, b: Asset, reserve_a: int, reserve_b: int):
        product = sx.LiquidityPoolEntryConstantProduct(
            sx.LiquidityPoolConstantProductParameters(a.to_xdr_object(), b.to_xdr_object(), sx.Int32(30)),
            sx.Int64(reserve_a), sx.Int64(reserve_b), sx.Int64(1000), sx.Int64(1))
        return entry(sx.LedgerEntryData(sx.LedgerEntryType.LIQUIDITY_POOL, liquidity_pool=sx.LiquidityPoolEntry(
            sx.PoolID(sx.Hash(pool_id)), sx.LiquidityPoolEntryBody(
                sx.LiquidityPoolType.LIQUIDITY_POOL_CONSTANT_PRODUCT, constant_product=product))))

    def balance(pool_id: bytes, a: Asset, amount: int) -> sx.LedgerEntryChange:
        preimage = sx.HashIDPreimage(sx.EnvelopeType.ENVELOPE_TYPE_POOL_REVOKE_OP_ID,
                                     revoke_id=sx.HashIDPreimageRevokeID(
                                         issuer.xdr_account_id(), sx.SequenceNumber(sx.Int64(42)),
                                         sx.Uint32(0), sx.PoolID(sx.Hash(pool_id)), a.to_xdr_object()))
        balance_id = sx.ClaimableBalanceID(sx.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
                                           v0=sx.Hash(hashlib.sha256(preimage.to_xdr_bytes()).digest()))
        cb = sx.ClaimableBalanceEntry(balance_id, [], a.to_xdr_object(), sx.Int64(amount),
                                      sx.ClaimableBalanceEntryExt(0))
        return sx.LedgerEntryChange(LEC.LEDGER_ENTRY_CREATED, created=entry(
            sx.LedgerEntryData(sx.LedgerEntryType.CLAIMABLE_BALANCE, claimable_balance=cb)))

    high, low = bytes([0xee]) * 32, bytes([0x11]) * 32
    changes = [
        sx.LedgerEntryChange(LEC.LEDGER_ENTRY_STATE, state=pool(high, Asset.native(), usd, 100, 50)),
        sx.LedgerEntryChange(LEC.LEDGER_ENTRY_UPDATED, updated=pool(high, Asset.native(), usd, 60, 30)),
        balance(high, Asset.native(), 40), balance(high, usd, 20),
        sx.LedgerEntryChange(LEC.LEDGER_ENTRY_STATE, state=pool(low, eur, usd, 9, 8)),
        sx.LedgerEntryChange(LEC.LEDGER_ENTRY_REMOVED, removed=sx.LedgerKey(
            sx.LedgerEntryType.LIQUIDITY_POOL, liquidity_pool=sx.LedgerKeyLiquidityPool(sx.PoolID(sx.Hash(low))))),
        balance(low, eur, 9),
    ]
    no_changes = sx.LedgerEntryChanges([])
    metas = [sx.OperationMeta(sx.LedgerEntryChanges(changes)), sx.OperationMeta(no_changes)]
    results = [sx.OperationResult(sx.OperationResultCode.opINNER, sx.OperationResultTr(
                   OT.SET_TRUST_LINE_FLAGS, set_trust_line_flags_result=sx.SetTrustLineFlagsResult(
                       sx.SetTrustLineFlagsResultCode.SET_TRUST_LINE_FLAGS_SUCCESS))),
               sx.OperationResult(sx.OperationResultCode.opINNER, sx.OperationResultTr(
                   OT.ALLOW_TRUST, allow_trust_result=sx.AllowTrustResult(
                       sx.AllowTrustResultCode.ALLOW_TRUST_SUCCESS)))]
    return one_transaction_ledger(20, envelope, results, metas, fee=200)


@pytest.fixture(scope="session")
def case_files(tmp_path_factory) -> dict[str, list[Path]]:
    """{case: its ledger files}: the fixture cases and the synthetic ledgers (written once)."""
    files = {case: [TESTDATA / rel for rel in rels] for case, rels in CASES.items()}
    if (TESTDATA / SYNTHETIC_BASE).is_file():
        path = tmp_path_factory.mktemp("oracle") / "synthetic.xdr"
        with warnings.catch_warnings():  # stellar-sdk's advice (time bounds, deprecated ops)
            warnings.simplefilter("ignore")
            path.write_bytes(synthetic_ledger())
            p7 = path.with_name("synthetic-protocol-7.xdr")
            p7.write_bytes(synthetic_protocol7_ledger())
            revocation = path.with_name("synthetic-revocation.xdr")
            revocation.write_bytes(synthetic_revocation_ledger())
        files[SYNTHETIC] = [path]
        files[SYNTHETIC_P7] = [p7]
        files[SYNTHETIC_REVOCATION] = [revocation]
    return files


# --------------------------------------------------------------------------------------
# The two sides
# --------------------------------------------------------------------------------------


def oracle_case(case_and_files: tuple[str, list[Path]]):
    """Pool worker: (case, {table: rows}) or (case, error text)."""
    case, files = case_and_files
    try:
        tables = {table: [] for table in TABLES}
        # The synthetic ledger's metas hold no ledger-entry changes to derive transfers from.
        computed = [t for t in TABLES if case != SYNTHETIC or t != "token_transfers"]
        for path in files:
            for table, rows in oracle_tables.file_tables(str(path), passphrase(case),
                                                         computed).items():
                tables[table].extend(rows)
        return case, tables
    except Exception as e:  # reported by the tests of that case
        return case, f"{type(e).__name__}: {e}"


@pytest.fixture(scope="session")
def oracle(case_files) -> dict:
    """The oracle tables of every case, computed once per session with 2 processes."""
    size = {case: sum(path.stat().st_size for path in files) for case, files in case_files.items()}
    order = sorted(case_files.items(), key=lambda item: -size[item[0]])  # big first
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return dict(pool.imap_unordered(oracle_case, order, chunksize=1))


def oracle_table(oracle: dict, case: str, table: str) -> list[dict]:
    """One oracle table; fails the test if the oracle could not compute it."""
    if case not in oracle:
        pytest.skip(f"{case}: no input (missing fixture)")
    result = oracle[case]
    if isinstance(result, str):
        pytest.fail(f"oracle_tables failed on {case}: {result}", pytrace=False)
    return result[table]


def run_convert(case: str, files: list[Path], table: str, tmp_path: Path) -> list[dict]:
    """Our `convert --format jsonl` of the case's files, parsed."""
    path = binary()
    if not path.is_file():
        pytest.skip(f"binary not built: {path} does not exist")
    out = tmp_path / f"{table}.jsonl"
    proc = subprocess.run(
        [str(path), "convert", "--table", table, "--format", "jsonl", "--out", str(out),
         "--network", passphrase(case), *map(str, files)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"convert failed on {case} (exit {proc.returncode}): {proc.stderr}"
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------------------


def same(a, b) -> bool:
    """Equal JSON values of equal JSON types (true != 1, 1 != "1", [] != null)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def row_key(table: str, row: dict) -> str:
    """Where a row is: ledger, transaction order and operation index."""
    if table == "stellar_ledger":
        return f"ledger {row.get('ledger_sequence')}"
    if table == "transactions":
        return f"ledger {row.get('ledger_sequence')} tx {row.get('application_order')}"
    if table == "token_transfers":
        return (f"ledger {row.get('ledger_sequence')} tx {row.get('transaction_index')} "
                f"op {row.get('operation_index')} ({row.get('event_type')})")
    if table == "contract_events":
        return (f"ledger {row.get('ledger_sequence')} tx {row.get('transaction_order')} "
                f"event {row.get('event_index')} ({row.get('origin')})")
    return (f"ledger {row.get('ledger_sequence')} tx {row.get('transaction_order')} "
            f"op {row.get('operation_index')} ({row.get('op_type')})")


def short(value, limit: int = 100) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."


def table_differences(table: str, ours: list[dict], expected: list[dict]) -> list[str]:
    """Readable differences between two tables: count, then (row, column, ours, oracle)."""
    problems = []
    if len(ours) != len(expected):
        problems.append(f"{len(ours)} rows, oracle has {len(expected)}")
    per_column = Counter()
    details = []
    for mine, theirs in zip(ours, expected):
        for column in list(theirs) + [c for c in mine if c not in theirs]:
            a, b = mine.get(column, "<missing>"), theirs.get(column, "<missing>")
            if not same(a, b):
                per_column[column] += 1
                details.append(f"{row_key(table, theirs)} {column}: ours={short(a)} oracle={short(b)}")
    if per_column:
        problems.append("differing cells per column: "
                        + ", ".join(f"{c}={n}" for c, n in per_column.most_common()))
    return problems + details


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def schema_columns(table: str) -> list[str]:
    """The column names of a table's section of docs/SCHEMAS.md, in order."""
    section = re.search(rf"^## `{table}`.*?(?=^## |\Z)", SCHEMAS.read_text(), re.S | re.M)
    assert section, f"no `{table}` section in {SCHEMAS}"
    columns = []
    for line in section.group(0).splitlines():
        if line.startswith("| `"):
            columns += re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])
    return columns


def test_cases_found():
    """The fixtures are there, cover every LCM and TransactionMeta version, and have networks."""
    assert CASES, f"no fixture files under {TESTDATA}"
    rows = [row for rels in CASES.values() for rel in rels for row in oracle_rows(rel)]
    assert {row["lcmVersion"] for row in rows} >= {0, 1, 2}
    assert {v for row in rows for v in row["txMetaVersions"]} >= {"v2", "v3", "v4"}
    for case in CASES:
        passphrase(case)


@pytest.mark.parametrize("table", TABLES)
def test_oracle_columns_follow_schemas_md(table, oracle):
    """The oracle emits exactly the columns of SCHEMAS.md, in its order."""
    rows = next((r[table] for r in oracle.values() if not isinstance(r, str) and r[table]), None)
    assert rows, f"no {table} rows at all"
    assert list(rows[0]) == schema_columns(table)


def test_token_transfer_oracle_covers_the_pubnet_ledgers_with_embedded_events(oracle):
    """The embedded-event oracle has rows to compare: both pubnet protocol 20+ ledgers of
    the wallet-backend fixtures (their metas embed fee and classic events), all kinds."""
    rows = [row for case, result in oracle.items()
            if case.startswith("pubnet/wallet-backend/") and not isinstance(result, str)
            for row in result["token_transfers"]]
    assert len(rows) >= 1500, f"only {len(rows)} token transfer rows from the pubnet ledgers"
    assert {row["event_type"] for row in rows} == {"fee", "transfer", "mint", "clawback"}


def test_token_transfer_oracle_derives_the_classic_ledgers(oracle):
    """The oracle's own derivation covers the 320 testnet lighthorizon ledgers, with fee
    and transfer events."""
    result = oracle.get(LIGHTHORIZON)
    if result is None:
        pytest.skip(f"{LIGHTHORIZON} missing")
    assert not isinstance(result, str), result
    derived = {row["ledger_sequence"] for row in result["token_transfers"]}
    assert len(derived) >= 300, f"only {len(derived)} ledgers derived"
    kinds = Counter(row["event_type"] for row in result["token_transfers"])
    assert kinds["fee"] > 0 and kinds["transfer"] > 0, kinds


@pytest.mark.parametrize("case", list(CASES))
def test_oracle_agrees_with_stellar_base(case, oracle):
    """The oracle's rows agree with the third decoder on counts, op types, contract events
    and hashes."""
    facts = [row for rel in CASES[case] for row in oracle_rows(rel)]
    txs, ops = oracle_table(oracle, case, "transactions"), oracle_table(oracle, case, "operations")
    events = oracle_table(oracle, case, "contract_events")

    def js_op_name(op_type: str) -> str:  # manage_sell_offer -> manageSellOffer
        first, *rest = op_type.split("_")
        return first + "".join(w.capitalize() for w in rest)

    sequences = [f["sequence"] for f in facts]
    assert len(set(sequences)) == len(sequences), f"{case}: repeated ledger sequences"
    assert {row["ledger_sequence"] for row in txs + ops} <= set(sequences)
    problems = []
    for fact in facts:
        seq = fact["sequence"]
        ledger_txs = [t for t in txs if t["ledger_sequence"] == seq]
        ledger_ops = [o for o in ops if o["ledger_sequence"] == seq]
        mine = {
            "txCount": len(ledger_txs),
            "successfulTx": sum(t["successful"] for t in ledger_txs),
            "opCount": len(ledger_ops),
            "opCountInSuccessfulTxs": sum(o["successful"] for o in ledger_ops),
            "opTypes": dict(Counter(js_op_name(o["op_type"]) for o in ledger_ops)),
            "txMetaVersions": dict(Counter(f"v{t['meta_version']}" for t in ledger_txs)),
            "feeBumpTxs": sum(t["fee_bump"] for t in ledger_txs),
            # stellar-base counts operation events only (v3 sorobanMeta.events, v4 operations[i].events)
            "contractEvents": sum(e["ledger_sequence"] == seq and e["origin"] == "operation"
                                  for e in events),
            "firstTxHash": ledger_txs[0]["transaction_hash"] if ledger_txs else None,
            "lastTxHash": ledger_txs[-1]["transaction_hash"] if ledger_txs else None,
        }
        problems += [f"ledger {seq} {k}: oracle_tables={v!r} stellar-base={fact[k]!r}"
                     for k, v in mine.items() if v != fact[k]]
    if problems:
        pytest.fail(f"{case}:\n" + "\n".join(problems[:SHOWN]), pytrace=False)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("case", [*CASES, SYNTHETIC, SYNTHETIC_P7, SYNTHETIC_REVOCATION])
def test_table_matches_oracle(case, table, oracle, case_files, tmp_path):
    """Our table equals the oracle's: same rows in the same order, every column equal."""
    expected = oracle_table(oracle, case, table)
    if case == SYNTHETIC and table == "token_transfers":
        pytest.skip("the synthetic ledger's metas hold no ledger-entry changes to derive from")
    ours = run_convert(case, case_files[case], table, tmp_path)
    problems = table_differences(table, ours, expected)
    if problems:
        more = [f"... {len(problems) - SHOWN} more"] if len(problems) > SHOWN else []
        shown = problems[:SHOWN] + more
        pytest.fail(f"{case} ({table}, {len(expected)} oracle rows):\n" + "\n".join(shown),
                    pytrace=False)


def test_oracle_cli(oracle, case_files):
    """The oracle_tables CLI prints the in-process rows as JSON lines, for both tables."""
    case = "coretest/horizon-test-lcms/MergeTests/d5cacbf63b606f18.xdr"
    if case not in case_files:
        pytest.skip(f"{case} missing")
    for table in TABLES:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "oracle_tables.py"), "--table", table,
             "--network", passphrase(case), *map(str, case_files[case])],
            capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        printed = [json.loads(line) for line in proc.stdout.splitlines()]
        assert printed == oracle_table(oracle, case, table)
