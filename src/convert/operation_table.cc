#include "convert/operation_table.h"

#include <optional>
#include <string>
#include <vector>

#include <arrow/util/logging.h>

#include "convert/scval.h"
#include "convert/values.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;
using OpType = sx::OperationType;

/// Column positions, in schema order.
enum Column : int {
  kLedgerSequence,
  kLedgerCloseTime,
  kTransactionHash,
  kTransactionOrder,
  kOperationIndex,
  kOpType,
  kSourceAccount,
  kSourceAccountMuxed,
  kResultCode,
  kSuccessful,
  kAssetType,
  kAssetCode,
  kAssetIssuer,
  kAmount,
  kDestination,
  kDestinationMuxed,
  kSourceAssetType,
  kSourceAssetCode,
  kSourceAssetIssuer,
  kSourceAmount,
  kDestinationMin,
  kPath,
  kSellingAssetType,
  kSellingAssetCode,
  kSellingAssetIssuer,
  kBuyingAssetType,
  kBuyingAssetCode,
  kBuyingAssetIssuer,
  kPriceN,
  kPriceD,
  kOfferId,
  kTrustor,
  kTrustLimit,
  kSetFlags,
  kClearFlags,
  kInflationDestination,
  kMasterWeight,
  kLowThreshold,
  kMedThreshold,
  kHighThreshold,
  kHomeDomain,
  kSignerKey,
  kSignerWeight,
  kBalanceId,
  kLiquidityPoolId,
  kMaxAmountA,
  kMaxAmountB,
  kMinPriceN,
  kMinPriceD,
  kMaxPriceN,
  kMaxPriceD,
  kMinAmountA,
  kMinAmountB,
  kClaimantCount,
  kClaimants,
  kBumpTo,
  kDataName,
  kDataValue,
  kSponsoredId,
  kExtendTo,
  kHostFunctionType,
  kContractId,
  kFunctionName,
  kBodyXdr,
};

/// Hex of a claimable balance id (its 4-byte type, then the 32-byte hash).
using BalanceIdHex = xdr::InlineText<72>;

/// Returns lowercase hex of a claimable balance id.
BalanceIdHex BalanceIdText(sx::ClaimableBalanceIDView id) {
  BalanceIdHex hex;
  auto bytes = id.bytes();
  ARROW_DCHECK_LE(2 * bytes.size(), BalanceIdHex::capacity());
  xdr::WriteHex(bytes, hex.Resize(2 * bytes.size()));
  return hex;
}

/// The typed fields of one operation row, held inline or as views of the ledger's bytes
/// (a row allocates nothing but a set_options signer key); absent fields become nulls.
struct OperationRow {
  AccountColumns source;
  std::optional<std::string_view> result_code;
  std::optional<AssetColumns> asset;
  std::optional<int64_t> amount;
  std::optional<AccountColumns> destination;
  std::optional<AssetColumns> source_asset;
  std::optional<int64_t> source_amount;
  std::optional<int64_t> destination_min;
  std::optional<sx::ArrayView<sx::AssetView>> path;
  std::optional<AssetColumns> selling_asset;
  std::optional<AssetColumns> buying_asset;
  std::optional<int32_t> price_n;
  std::optional<int32_t> price_d;
  std::optional<int64_t> offer_id;
  std::optional<xdr::StrKeyText> trustor;
  std::optional<int64_t> trust_limit;
  std::optional<uint32_t> set_flags;
  std::optional<uint32_t> clear_flags;
  std::optional<xdr::StrKeyText> inflation_destination;
  std::optional<uint32_t> master_weight;
  std::optional<uint32_t> low_threshold;
  std::optional<uint32_t> med_threshold;
  std::optional<uint32_t> high_threshold;
  std::optional<std::string_view> home_domain;
  std::optional<std::string> signer_key;
  std::optional<uint32_t> signer_weight;
  std::optional<BalanceIdHex> balance_id;
  std::optional<xdr::HexText> liquidity_pool_id;
  std::optional<int64_t> max_amount_a;
  std::optional<int64_t> max_amount_b;
  std::optional<sx::PriceView> min_price;
  std::optional<sx::PriceView> max_price;
  std::optional<int64_t> min_amount_a;
  std::optional<int64_t> min_amount_b;
  std::optional<uint32_t> claimant_count;
  std::optional<sx::ArrayView<sx::ClaimantView>> claimants;
  std::optional<int64_t> bump_to;
  std::optional<std::string_view> data_name;
  std::optional<std::span<const uint8_t>> data_value;
  std::optional<xdr::StrKeyText> sponsored_id;
  std::optional<uint32_t> extend_to;
  std::optional<std::string_view> host_function_type;
  std::optional<xdr::StrKeyText> contract_id;
  std::optional<std::string_view> function_name;
};

AccountColumns PlainAccount(sx::PublicKeyView account) {
  return {AccountId(account), std::nullopt, std::nullopt};
}

template <class OfferOp>
void FillOffer(OfferOp op, OperationRow* row) {
  row->selling_asset = Asset(op.selling());
  row->buying_asset = Asset(op.buying());
  row->price_n = op.price().n();
  row->price_d = op.price().d();
}

AssetColumns AllowTrustAsset(sx::AssetCodeView code, const xdr::StrKeyText& issuer) {
  if (code.type() == sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM4) {
    return {"credit_alphanum4", AssetCode(code.assetCode4()), issuer};
  }
  return {"credit_alphanum12", AssetCode(code.assetCode12()), issuer};
}

std::string_view HostFunctionTypeName(sx::HostFunctionType type) {
  switch (type) {
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_INVOKE_CONTRACT:
      return "invoke_contract";
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_CREATE_CONTRACT:
      return "create_contract";
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_UPLOAD_CONTRACT_WASM:
      return "upload_contract_wasm";
    default:
      return "create_contract_v2";
  }
}

/// Fills the Soroban fields of an invoke_host_function operation.
void FillHostFunction(sx::HostFunctionView function, const xdr::Digest& network_id,
                      OperationRow* row) {
  row->host_function_type = HostFunctionTypeName(function.type());
  switch (function.type()) {
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_INVOKE_CONTRACT:
      row->contract_id = ScAddressString(function.invokeContract().contractAddress());
      row->function_name = function.invokeContract().functionName();
      break;
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_CREATE_CONTRACT:
      row->contract_id = ContractIdFromPreimage(
          function.createContract().contractIDPreimage().bytes(), network_id);
      break;
    case sx::HostFunctionType::HOST_FUNCTION_TYPE_CREATE_CONTRACT_V2:
      row->contract_id = ContractIdFromPreimage(
          function.createContractV2().contractIDPreimage().bytes(), network_id);
      break;
    default:
      break;
  }
}

/// Returns `text` when it is valid UTF-8, else nullopt (the bytes stay in body_xdr).
std::optional<std::string_view> Utf8OrNull(std::string_view text) {
  std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(text.data()),
                               text.size());
  if (!IsValidUtf8(raw)) return std::nullopt;
  return text;
}

/// Returns a signer key as its StrKey: G… ed25519, T… pre-authorized transaction,
/// X… SHA-256 hash, P… ed25519 signed payload.
std::string SignerKeyText(sx::SignerKeyView key) {
  switch (key.type()) {
    case sx::SignerKeyType::SIGNER_KEY_TYPE_ED25519:
      return std::string(xdr::AccountStrKey(key.ed25519()).view());
    case sx::SignerKeyType::SIGNER_KEY_TYPE_PRE_AUTH_TX:
      return xdr::EncodeStrKey(xdr::StrKeyKind::kPreAuthTx, key.preAuthTx());
    case sx::SignerKeyType::SIGNER_KEY_TYPE_HASH_X:
      return xdr::EncodeStrKey(xdr::StrKeyKind::kSha256Hash, key.hashX());
    case sx::SignerKeyType::SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD:
      // The payload of a P… key is the XDR of SignerKeyEd25519SignedPayload (SEP-23).
      return xdr::EncodeStrKey(xdr::StrKeyKind::kSignedPayload,
                               key.ed25519SignedPayload().bytes());
  }
  return {};  // unreachable: a validated view holds one of the types above
}

/// Fills the fields of set_options (every one optional in the operation).
void FillSetOptions(sx::SetOptionsOpView op, OperationRow* row) {
  auto fields = op.fields();
  auto copy = [](auto optional, std::optional<uint32_t>* out) {
    if (optional.has_value()) *out = optional.value();
  };
  if (fields.inflationDest.has_value()) {
    row->inflation_destination = AccountId(fields.inflationDest.value());
  }
  copy(fields.clearFlags, &row->clear_flags);
  copy(fields.setFlags, &row->set_flags);
  copy(fields.masterWeight, &row->master_weight);
  copy(fields.lowThreshold, &row->low_threshold);
  copy(fields.medThreshold, &row->med_threshold);
  copy(fields.highThreshold, &row->high_threshold);
  if (fields.homeDomain.has_value())
    row->home_domain = Utf8OrNull(fields.homeDomain.value());
  if (fields.signer.has_value()) {
    row->signer_key = SignerKeyText(fields.signer.value().key());
    row->signer_weight = fields.signer.value().weight();
  }
}

/// Fills the fields an operation body carries.
void FillBody(sx::OperationBodyView body, const xdr::Digest& network_id,
              OperationRow* row) {
  switch (body.type()) {
    case OpType::CREATE_ACCOUNT:
      row->destination = PlainAccount(body.createAccountOp().destination());
      row->asset = AssetColumns{"native", std::nullopt, std::nullopt};
      row->amount = body.createAccountOp().startingBalance();
      break;
    case OpType::PAYMENT: {
      auto op = body.paymentOp();
      row->destination = MuxedAccount(op.destination());
      row->asset = Asset(op.asset());
      row->amount = op.amount();
      break;
    }
    case OpType::PATH_PAYMENT_STRICT_RECEIVE: {
      auto op = body.pathPaymentStrictReceiveOp();
      row->destination = MuxedAccount(op.destination());
      row->asset = Asset(op.destAsset());
      row->amount = op.destAmount();
      row->source_asset = Asset(op.sendAsset());
      row->source_amount = op.sendMax();
      row->path = op.path();
      break;
    }
    case OpType::PATH_PAYMENT_STRICT_SEND: {
      auto op = body.pathPaymentStrictSendOp();
      row->destination = MuxedAccount(op.destination());
      row->asset = Asset(op.destAsset());
      row->source_asset = Asset(op.sendAsset());
      row->source_amount = op.sendAmount();
      row->destination_min = op.destMin();
      row->path = op.path();
      break;
    }
    case OpType::MANAGE_SELL_OFFER:
      FillOffer(body.manageSellOfferOp(), row);
      row->amount = body.manageSellOfferOp().amount();
      row->offer_id = body.manageSellOfferOp().offerID();
      break;
    case OpType::CREATE_PASSIVE_SELL_OFFER:
      FillOffer(body.createPassiveSellOfferOp(), row);
      row->amount = body.createPassiveSellOfferOp().amount();
      break;
    case OpType::MANAGE_BUY_OFFER:
      FillOffer(body.manageBuyOfferOp(), row);
      row->amount = body.manageBuyOfferOp().buyAmount();
      row->offer_id = body.manageBuyOfferOp().offerID();
      break;
    case OpType::SET_OPTIONS:
      FillSetOptions(body.setOptionsOp(), row);
      break;
    case OpType::CHANGE_TRUST:
      row->asset = Asset(body.changeTrustOp().line());
      row->trust_limit = body.changeTrustOp().limit();
      break;
    case OpType::ALLOW_TRUST: {
      auto op = body.allowTrustOp();
      row->trustor = AccountId(op.trustor());
      row->asset = AllowTrustAsset(op.asset(), row->source.account);
      row->set_flags = op.authorize();
      break;
    }
    case OpType::ACCOUNT_MERGE:
      row->destination = MuxedAccount(body.destination());
      row->asset = AssetColumns{"native", std::nullopt, std::nullopt};
      break;
    case OpType::INFLATION:
      row->asset = AssetColumns{"native", std::nullopt, std::nullopt};
      break;
    case OpType::CREATE_CLAIMABLE_BALANCE: {
      auto op = body.createClaimableBalanceOp();
      row->asset = Asset(op.asset());
      row->amount = op.amount();
      row->claimant_count = op.claimants().size();
      row->claimants = op.claimants();
      break;
    }
    case OpType::CLAIM_CLAIMABLE_BALANCE:
      row->balance_id = BalanceIdText(body.claimClaimableBalanceOp().balanceID());
      break;
    case OpType::CLAWBACK: {
      auto op = body.clawbackOp();
      row->asset = Asset(op.asset());
      row->amount = op.amount();
      row->destination = MuxedAccount(op.from_());
      break;
    }
    case OpType::CLAWBACK_CLAIMABLE_BALANCE:
      row->balance_id = BalanceIdText(body.clawbackClaimableBalanceOp().balanceID());
      break;
    case OpType::SET_TRUST_LINE_FLAGS: {
      auto op = body.setTrustLineFlagsOp();
      row->trustor = AccountId(op.trustor());
      row->asset = Asset(op.asset());
      row->set_flags = op.setFlags();
      row->clear_flags = op.clearFlags();
      break;
    }
    case OpType::LIQUIDITY_POOL_DEPOSIT: {
      auto op = body.liquidityPoolDepositOp();
      row->liquidity_pool_id = xdr::HashHex(op.liquidityPoolID());
      row->max_amount_a = op.maxAmountA();
      row->max_amount_b = op.maxAmountB();
      row->min_price = op.minPrice();
      row->max_price = op.maxPrice();
      break;
    }
    case OpType::LIQUIDITY_POOL_WITHDRAW: {
      auto op = body.liquidityPoolWithdrawOp();
      row->liquidity_pool_id = xdr::HashHex(op.liquidityPoolID());
      row->amount = op.amount();
      row->min_amount_a = op.minAmountA();
      row->min_amount_b = op.minAmountB();
      break;
    }
    case OpType::BUMP_SEQUENCE:
      row->bump_to = body.bumpSequenceOp().bumpTo();
      break;
    case OpType::MANAGE_DATA: {
      auto op = body.manageDataOp();
      row->data_name = Utf8OrNull(op.dataName());
      if (op.dataValue().has_value()) row->data_value = op.dataValue().value();
      break;
    }
    case OpType::BEGIN_SPONSORING_FUTURE_RESERVES:
      row->sponsored_id = AccountId(body.beginSponsoringFutureReservesOp().sponsoredID());
      break;
    case OpType::EXTEND_FOOTPRINT_TTL:
      row->extend_to = body.extendFootprintTTLOp().extendTo();
      break;
    case OpType::INVOKE_HOST_FUNCTION:
      FillHostFunction(body.invokeHostFunctionOp().hostFunction(), network_id, row);
      break;
    default:
      break;
  }
}

/// Returns the name of an operation's inner result code (e.g. PAYMENT_UNDERFUNDED).
std::string_view InnerResultCode(sx::OperationResultTrView tr) {
  switch (tr.type()) {
    case OpType::CREATE_ACCOUNT:
      return sx::ToString(tr.createAccountResult().code());
    case OpType::PAYMENT:
      return sx::ToString(tr.paymentResult().code());
    case OpType::PATH_PAYMENT_STRICT_RECEIVE:
      return sx::ToString(tr.pathPaymentStrictReceiveResult().code());
    case OpType::MANAGE_SELL_OFFER:
      return sx::ToString(tr.manageSellOfferResult().code());
    case OpType::CREATE_PASSIVE_SELL_OFFER:
      return sx::ToString(tr.createPassiveSellOfferResult().code());
    case OpType::SET_OPTIONS:
      return sx::ToString(tr.setOptionsResult().code());
    case OpType::CHANGE_TRUST:
      return sx::ToString(tr.changeTrustResult().code());
    case OpType::ALLOW_TRUST:
      return sx::ToString(tr.allowTrustResult().code());
    case OpType::ACCOUNT_MERGE:
      return sx::ToString(tr.accountMergeResult().code());
    case OpType::INFLATION:
      return sx::ToString(tr.inflationResult().code());
    case OpType::MANAGE_DATA:
      return sx::ToString(tr.manageDataResult().code());
    case OpType::BUMP_SEQUENCE:
      return sx::ToString(tr.bumpSeqResult().code());
    case OpType::MANAGE_BUY_OFFER:
      return sx::ToString(tr.manageBuyOfferResult().code());
    case OpType::PATH_PAYMENT_STRICT_SEND:
      return sx::ToString(tr.pathPaymentStrictSendResult().code());
    case OpType::CREATE_CLAIMABLE_BALANCE:
      return sx::ToString(tr.createClaimableBalanceResult().code());
    case OpType::CLAIM_CLAIMABLE_BALANCE:
      return sx::ToString(tr.claimClaimableBalanceResult().code());
    case OpType::BEGIN_SPONSORING_FUTURE_RESERVES:
      return sx::ToString(tr.beginSponsoringFutureReservesResult().code());
    case OpType::END_SPONSORING_FUTURE_RESERVES:
      return sx::ToString(tr.endSponsoringFutureReservesResult().code());
    case OpType::REVOKE_SPONSORSHIP:
      return sx::ToString(tr.revokeSponsorshipResult().code());
    case OpType::CLAWBACK:
      return sx::ToString(tr.clawbackResult().code());
    case OpType::CLAWBACK_CLAIMABLE_BALANCE:
      return sx::ToString(tr.clawbackClaimableBalanceResult().code());
    case OpType::SET_TRUST_LINE_FLAGS:
      return sx::ToString(tr.setTrustLineFlagsResult().code());
    case OpType::LIQUIDITY_POOL_DEPOSIT:
      return sx::ToString(tr.liquidityPoolDepositResult().code());
    case OpType::LIQUIDITY_POOL_WITHDRAW:
      return sx::ToString(tr.liquidityPoolWithdrawResult().code());
    case OpType::INVOKE_HOST_FUNCTION:
      return sx::ToString(tr.invokeHostFunctionResult().code());
    case OpType::EXTEND_FOOTPRINT_TTL:
      return sx::ToString(tr.extendFootprintTTLResult().code());
    case OpType::RESTORE_FOOTPRINT:
      return sx::ToString(tr.restoreFootprintResult().code());
  }
  return "unknown";
}

/// Fills what the operation's result says: its code and, when the transaction succeeded
/// (a failed one is rolled back and delivers nothing), the amounts only results know.
void FillResult(sx::OperationResultView result, bool transaction_successful,
                OperationRow* row) {
  if (result.code() != sx::OperationResultCode::opINNER) {
    row->result_code = sx::ToString(result.code());
    return;
  }
  auto tr = result.tr();
  row->result_code = InnerResultCode(tr);
  if (!transaction_successful) return;
  if (tr.type() == OpType::PATH_PAYMENT_STRICT_SEND &&
      tr.pathPaymentStrictSendResult().code() ==
          sx::PathPaymentStrictSendResultCode::PATH_PAYMENT_STRICT_SEND_SUCCESS) {
    row->amount = tr.pathPaymentStrictSendResult().success().last().amount();
  } else if (tr.type() == OpType::ACCOUNT_MERGE &&
             tr.accountMergeResult().code() ==
                 sx::AccountMergeResultCode::ACCOUNT_MERGE_SUCCESS) {
    row->amount = tr.accountMergeResult().sourceAccountBalance();
  }
}

/// The operation results of a transaction result, when its code carries them.
std::optional<sx::ArrayView<sx::OperationResultView>> OperationResults(
    sx::TransactionResultView result) {
  auto has_results = [](sx::TransactionResultCode code) {
    return code == sx::TransactionResultCode::txSUCCESS ||
           code == sx::TransactionResultCode::txFAILED;
  };
  auto outcome = result.result();
  if (has_results(outcome.code())) return outcome.results();
  if (outcome.code() == sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS ||
      outcome.code() == sx::TransactionResultCode::txFEE_BUMP_INNER_FAILED) {
    auto inner = outcome.innerResultPair().result().result();
    if (has_results(inner.code())) return inner.results();
  }
  return std::nullopt;
}

/// The operations and source of the transaction an envelope carries.
struct EnvelopeOperations {
  sx::ArrayView<sx::OperationView> operations;
  AccountColumns source;
};

EnvelopeOperations ReadOperations(sx::TransactionEnvelopeView envelope) {
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0: {
      auto tx = envelope.v0().tx();
      return {
          tx.operations(),
          {xdr::AccountStrKey(tx.sourceAccountEd25519()), std::nullopt, std::nullopt}};
    }
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      return {envelope.v1().tx().operations(),
              MuxedAccount(envelope.v1().tx().sourceAccount())};
    default: {
      auto tx = envelope.feeBump().tx().innerTx().v1().tx();
      return {tx.operations(), MuxedAccount(tx.sourceAccount())};
    }
  }
}

arrow::Status AppendAsset(ColumnBuilders& c, int type_column,
                          const std::optional<AssetColumns>& asset) {
  auto* type = c.column<EnumStringBuilder>(type_column);
  auto* code = c.column<arrow::StringDictionary32Builder>(type_column + 1);
  auto* issuer = c.column<arrow::StringBuilder>(type_column + 2);
  if (!asset) {
    ARROW_RETURN_NOT_OK(type->AppendNull());
    ARROW_RETURN_NOT_OK(code->AppendNull());
    return issuer->AppendNull();
  }
  ARROW_RETURN_NOT_OK(type->AppendName(asset->type));
  ARROW_RETURN_NOT_OK(asset->code ? code->Append(*asset->code) : code->AppendNull());
  return AppendOptional(issuer, asset->issuer);
}

arrow::Status AppendPath(ColumnBuilders& c,
                         const std::optional<sx::ArrayView<sx::AssetView>>& path) {
  auto* list = c.column<arrow::ListBuilder>(kPath);
  if (!path) return list->AppendNull();
  ARROW_RETURN_NOT_OK(list->Append());
  auto* values = static_cast<arrow::StringBuilder*>(list->value_builder());
  for (auto asset : *path) ARROW_RETURN_NOT_OK(values->Append(CanonicalAsset(asset)));
  return arrow::Status::OK();
}

/// Appends a claim predicate as JSON: {"unconditional":true}, {"and":[p,q]},
/// {"or":[p,q]}, {"not":p} (null when absent), {"abs_before":unix seconds} or
/// {"rel_before":seconds after the balance was created}.
void AppendPredicateJson(sx::ClaimPredicateView predicate, std::string* out) {
  auto list = [out](std::string_view name, sx::ArrayView<sx::ClaimPredicateView> items) {
    out->append("{\"").append(name).append("\":[");
    bool first = true;
    for (auto item : items) {
      if (!first) out->push_back(',');
      first = false;
      AppendPredicateJson(item, out);
    }
    out->append("]}");
  };
  switch (predicate.type()) {
    case sx::ClaimPredicateType::CLAIM_PREDICATE_UNCONDITIONAL:
      out->append("{\"unconditional\":true}");
      break;
    case sx::ClaimPredicateType::CLAIM_PREDICATE_AND:
      list("and", predicate.andPredicates());
      break;
    case sx::ClaimPredicateType::CLAIM_PREDICATE_OR:
      list("or", predicate.orPredicates());
      break;
    case sx::ClaimPredicateType::CLAIM_PREDICATE_NOT: {
      out->append("{\"not\":");
      auto negated = predicate.notPredicate();
      if (negated.has_value()) {
        AppendPredicateJson(negated.value(), out);
      } else {
        out->append("null");
      }
      out->push_back('}');
      break;
    }
    case sx::ClaimPredicateType::CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
      out->append("{\"abs_before\":").append(std::to_string(predicate.absBefore()));
      out->push_back('}');
      break;
    case sx::ClaimPredicateType::CLAIM_PREDICATE_BEFORE_RELATIVE_TIME:
      out->append("{\"rel_before\":").append(std::to_string(predicate.relBefore()));
      out->push_back('}');
      break;
  }
}

/// Appends the claimants of create_claimable_balance: {destination, predicate JSON}.
arrow::Status AppendClaimants(
    ColumnBuilders& c, const std::optional<sx::ArrayView<sx::ClaimantView>>& claimants) {
  auto* list = c.column<arrow::ListBuilder>(kClaimants);
  if (!claimants) return list->AppendNull();
  ARROW_RETURN_NOT_OK(list->Append());
  auto* claimant = static_cast<arrow::StructBuilder*>(list->value_builder());
  auto* destination = static_cast<arrow::StringBuilder*>(claimant->field_builder(0));
  auto* predicate = static_cast<arrow::StringBuilder*>(claimant->field_builder(1));
  std::string json;
  for (auto entry : *claimants) {
    auto v0 = entry.v0();
    json.clear();
    AppendPredicateJson(v0.predicate(), &json);
    ARROW_RETURN_NOT_OK(claimant->Append());
    ARROW_RETURN_NOT_OK(destination->Append(AccountId(v0.destination()).view()));
    ARROW_RETURN_NOT_OK(predicate->Append(json));
  }
  return arrow::Status::OK();
}

/// Appends the typed fields of a row, whose room ColumnBuilders::ReserveRows made.
arrow::Status AppendRow(ColumnBuilders& c, const OperationRow& row) {
  auto text = [&c](int column, const auto& value) {
    auto* builder = c.column<arrow::StringBuilder>(column);
    if (value) return builder->Append(std::string_view(*value));
    builder->UnsafeAppendNull();
    return arrow::Status::OK();
  };
  auto stroops = [&c](int column, std::optional<int64_t> value) {
    auto* builder = c.column<arrow::Decimal128Builder>(column);
    UnsafeAppendOptional(builder,
                         value ? std::optional(arrow::Decimal128(*value)) : std::nullopt);
  };
  auto uint32 = [&c](int column, std::optional<uint32_t> value) {
    UnsafeAppendOptional(c.column<arrow::UInt32Builder>(column), value);
  };
  auto int32 = [&c](int column, std::optional<int32_t> value) {
    UnsafeAppendOptional(c.column<arrow::Int32Builder>(column), value);
  };
  auto int64 = [&c](int column, std::optional<int64_t> value) {
    UnsafeAppendOptional(c.column<arrow::Int64Builder>(column), value);
  };
  auto price = [&](int n_column, const std::optional<sx::PriceView>& value) {
    int32(n_column, value ? std::optional(value->n()) : std::nullopt);
    int32(n_column + 1, value ? std::optional(value->d()) : std::nullopt);
  };
  // Result codes and host function types: static names.
  auto enum_name = [&c](int column, std::optional<std::string_view> name) {
    auto* builder = c.column<EnumStringBuilder>(column);
    return name ? builder->AppendName(*name) : builder->AppendNull();
  };
  ARROW_RETURN_NOT_OK(
      c.column<arrow::StringBuilder>(kSourceAccount)->Append(row.source.account.view()));
  ARROW_RETURN_NOT_OK(text(kSourceAccountMuxed, row.source.muxed));
  ARROW_RETURN_NOT_OK(enum_name(kResultCode, row.result_code));
  ARROW_RETURN_NOT_OK(AppendAsset(c, kAssetType, row.asset));
  stroops(kAmount, row.amount);
  ARROW_RETURN_NOT_OK(text(kDestination, row.destination
                                             ? std::optional(row.destination->account)
                                             : std::nullopt));
  ARROW_RETURN_NOT_OK(
      text(kDestinationMuxed, row.destination ? row.destination->muxed : std::nullopt));
  ARROW_RETURN_NOT_OK(AppendAsset(c, kSourceAssetType, row.source_asset));
  stroops(kSourceAmount, row.source_amount);
  stroops(kDestinationMin, row.destination_min);
  ARROW_RETURN_NOT_OK(AppendPath(c, row.path));
  ARROW_RETURN_NOT_OK(AppendAsset(c, kSellingAssetType, row.selling_asset));
  ARROW_RETURN_NOT_OK(AppendAsset(c, kBuyingAssetType, row.buying_asset));
  int32(kPriceN, row.price_n);
  int32(kPriceD, row.price_d);
  int64(kOfferId, row.offer_id);
  ARROW_RETURN_NOT_OK(text(kTrustor, row.trustor));
  stroops(kTrustLimit, row.trust_limit);
  uint32(kSetFlags, row.set_flags);
  uint32(kClearFlags, row.clear_flags);
  ARROW_RETURN_NOT_OK(text(kInflationDestination, row.inflation_destination));
  uint32(kMasterWeight, row.master_weight);
  uint32(kLowThreshold, row.low_threshold);
  uint32(kMedThreshold, row.med_threshold);
  uint32(kHighThreshold, row.high_threshold);
  ARROW_RETURN_NOT_OK(text(kHomeDomain, row.home_domain));
  ARROW_RETURN_NOT_OK(text(kSignerKey, row.signer_key));
  uint32(kSignerWeight, row.signer_weight);
  ARROW_RETURN_NOT_OK(text(kBalanceId, row.balance_id));
  ARROW_RETURN_NOT_OK(text(kLiquidityPoolId, row.liquidity_pool_id));
  stroops(kMaxAmountA, row.max_amount_a);
  stroops(kMaxAmountB, row.max_amount_b);
  price(kMinPriceN, row.min_price);
  price(kMaxPriceN, row.max_price);
  stroops(kMinAmountA, row.min_amount_a);
  stroops(kMinAmountB, row.min_amount_b);
  uint32(kClaimantCount, row.claimant_count);
  ARROW_RETURN_NOT_OK(AppendClaimants(c, row.claimants));
  int64(kBumpTo, row.bump_to);
  ARROW_RETURN_NOT_OK(text(kDataName, row.data_name));
  auto* data_value = c.column<arrow::BinaryBuilder>(kDataValue);
  if (row.data_value) {
    ARROW_RETURN_NOT_OK(data_value->Append(row.data_value->data(),
                                           static_cast<int32_t>(row.data_value->size())));
  } else {
    data_value->UnsafeAppendNull();
  }
  ARROW_RETURN_NOT_OK(text(kSponsoredId, row.sponsored_id));
  uint32(kExtendTo, row.extend_to);
  ARROW_RETURN_NOT_OK(enum_name(kHostFunctionType, row.host_function_type));
  ARROW_RETURN_NOT_OK(text(kContractId, row.contract_id));
  return text(kFunctionName, row.function_name);
}

}  // namespace

std::shared_ptr<arrow::Schema> OperationTableSchema() {
  static const std::shared_ptr<arrow::Schema> schema = [] {
    auto timestamp = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    return arrow::schema({
        arrow::field("ledger_sequence", arrow::uint32(), false),
        arrow::field("ledger_close_time", timestamp, false),
        arrow::field("transaction_hash", arrow::utf8(), false),
        arrow::field("transaction_order", arrow::uint32(), false),
        arrow::field("operation_index", arrow::uint32(), false),
        arrow::field("op_type", EnumStringType(), false),
        arrow::field("source_account", arrow::utf8(), false),
        arrow::field("source_account_muxed", arrow::utf8()),
        arrow::field("result_code", EnumStringType()),
        arrow::field("successful", arrow::boolean(), false),
        arrow::field("asset_type", EnumStringType()),
        arrow::field("asset_code", EnumStringType()),
        arrow::field("asset_issuer", arrow::utf8()),
        arrow::field("amount", StroopsType()),
        arrow::field("destination", arrow::utf8()),
        arrow::field("destination_muxed", arrow::utf8()),
        arrow::field("source_asset_type", EnumStringType()),
        arrow::field("source_asset_code", EnumStringType()),
        arrow::field("source_asset_issuer", arrow::utf8()),
        arrow::field("source_amount", StroopsType()),
        arrow::field("destination_min", StroopsType()),
        arrow::field("path", arrow::list(arrow::utf8())),
        arrow::field("selling_asset_type", EnumStringType()),
        arrow::field("selling_asset_code", EnumStringType()),
        arrow::field("selling_asset_issuer", arrow::utf8()),
        arrow::field("buying_asset_type", EnumStringType()),
        arrow::field("buying_asset_code", EnumStringType()),
        arrow::field("buying_asset_issuer", arrow::utf8()),
        arrow::field("price_n", arrow::int32()),
        arrow::field("price_d", arrow::int32()),
        arrow::field("offer_id", arrow::int64()),
        arrow::field("trustor", arrow::utf8()),
        arrow::field("trust_limit", StroopsType()),
        arrow::field("set_flags", arrow::uint32()),
        arrow::field("clear_flags", arrow::uint32()),
        arrow::field("inflation_destination", arrow::utf8()),
        arrow::field("master_weight", arrow::uint32()),
        arrow::field("low_threshold", arrow::uint32()),
        arrow::field("med_threshold", arrow::uint32()),
        arrow::field("high_threshold", arrow::uint32()),
        arrow::field("home_domain", arrow::utf8()),
        arrow::field("signer_key", arrow::utf8()),
        arrow::field("signer_weight", arrow::uint32()),
        arrow::field("balance_id", arrow::utf8()),
        arrow::field("liquidity_pool_id", arrow::utf8()),
        arrow::field("max_amount_a", StroopsType()),
        arrow::field("max_amount_b", StroopsType()),
        arrow::field("min_price_n", arrow::int32()),
        arrow::field("min_price_d", arrow::int32()),
        arrow::field("max_price_n", arrow::int32()),
        arrow::field("max_price_d", arrow::int32()),
        arrow::field("min_amount_a", StroopsType()),
        arrow::field("min_amount_b", StroopsType()),
        arrow::field("claimant_count", arrow::uint32()),
        arrow::field("claimants", arrow::list(arrow::struct_({
                                      arrow::field("destination", arrow::utf8(), false),
                                      arrow::field("predicate", arrow::utf8(), false),
                                  }))),
        arrow::field("bump_to", arrow::int64()),
        arrow::field("data_name", arrow::utf8()),
        arrow::field("data_value", arrow::binary()),
        arrow::field("sponsored_id", arrow::utf8()),
        arrow::field("extend_to", arrow::uint32()),
        arrow::field("host_function_type", EnumStringType()),
        arrow::field("contract_id", arrow::utf8()),
        arrow::field("function_name", arrow::utf8()),
        arrow::field("body_xdr", arrow::binary(), false),
    });
  }();
  return schema;
}

arrow::Result<std::unique_ptr<OperationTableBuilder>> OperationTableBuilder::Make(
    const xdr::Digest& network_id, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns, ColumnBuilders::Make(OperationTableSchema(), pool));
  return std::make_unique<OperationTableBuilder>(std::move(columns), network_id);
}

arrow::Status OperationTableBuilder::Append(const xdr::LedgerCloseMetaFrame& frame) {
  ColumnBuilders& c = columns_;
  int64_t close_time = CloseTimeMicros(frame);
  for (const xdr::AppliedTransaction& tx : frame.transactions()) {
    if (!tx.envelope) {
      return arrow::Status::Invalid("ledger ", frame.sequence(), ": transaction ",
                                    tx.apply_order, " has no joined envelope");
    }
    EnvelopeOperations ops = ReadOperations(*tx.envelope);
    ARROW_RETURN_NOT_OK(c.ReserveRows(static_cast<int64_t>(ops.operations.size())));
    auto results = OperationResults(tx.result.result());
    bool successful = xdr::IsSuccess(tx.result.result().result().code());
    xdr::HexText hash = xdr::HashHex(tx.result.transactionHash());
    uint32_t index = 0;
    // Results are walked alongside the operations: indexing would re-skip from the start.
    std::optional<sx::ArrayView<sx::OperationResultView>::Iterator> result;
    if (results) result = results->begin();
    for (auto op : ops.operations) {
      OperationRow row;
      row.source = op.sourceAccount().has_value()
                       ? MuxedAccount(op.sourceAccount().value())
                       : ops.source;
      FillBody(op.body(), network_id_, &row);
      if (result && index < results->size()) {
        FillResult(**result, successful, &row);
        ++*result;
      }
      ++index;
      c.column<arrow::UInt32Builder>(kLedgerSequence)->UnsafeAppend(frame.sequence());
      c.column<arrow::TimestampBuilder>(kLedgerCloseTime)->UnsafeAppend(close_time);
      ARROW_RETURN_NOT_OK(
          c.column<arrow::StringBuilder>(kTransactionHash)->Append(hash.view()));
      c.column<arrow::UInt32Builder>(kTransactionOrder)->UnsafeAppend(tx.apply_order);
      c.column<arrow::UInt32Builder>(kOperationIndex)->UnsafeAppend(index);
      ARROW_RETURN_NOT_OK(c.column<EnumStringBuilder>(kOpType)->AppendName(
          OperationTypeName(op.body().type())));
      c.column<arrow::BooleanBuilder>(kSuccessful)->UnsafeAppend(successful);
      ARROW_RETURN_NOT_OK(AppendRow(c, row));
      auto body = op.body().bytes();
      ARROW_RETURN_NOT_OK(c.column<arrow::BinaryBuilder>(kBodyXdr)->Append(
          body.data(), static_cast<int32_t>(body.size())));
    }
  }
  return arrow::Status::OK();
}

}  // namespace sas::convert
