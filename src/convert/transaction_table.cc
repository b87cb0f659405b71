#include "convert/transaction_table.h"

#include <optional>

#include "convert/values.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;

/// Column positions, in schema order.
enum Column : int {
  kLedgerSequence,
  kLedgerCloseTime,
  kApplicationOrder,
  kTransactionHash,
  kFeeBump,
  kInnerTransactionHash,
  kSourceAccount,
  kSourceAccountMuxed,
  kSourceAccountMuxedId,
  kFeeAccount,
  kFeeAccountMuxed,
  kSequenceNumber,
  kMaxFee,
  kFeeCharged,
  kOperationCount,
  kMemoType,
  kMemo,
  kMemoBytes,
  kTimeBoundsMin,
  kTimeBoundsMax,
  kLedgerBoundsMin,
  kLedgerBoundsMax,
  kMinSequenceNumber,
  kMinSequenceAge,
  kMinSequenceLedgerGap,
  kExtraSignerCount,
  kResultCode,
  kInnerResultCode,
  kSuccessful,
  kMetaVersion,
  kSorobanInstructions,
  kSorobanDiskReadBytes,
  kSorobanWriteBytes,
  kSorobanResourceFee,
  kSorobanNonRefundableFeeCharged,
  kSorobanRefundableFeeCharged,
  kSorobanRentFeeCharged,
  kEnvelopeXdr,
  kResultXdr,
  kMetaXdr,
};

/// Validity conditions of a transaction, whatever the envelope version.
struct Preconditions {
  std::optional<uint64_t> time_min, time_max;
  std::optional<uint32_t> ledger_min, ledger_max;
  std::optional<int64_t> min_seq_num;
  std::optional<uint64_t> min_seq_age;
  std::optional<uint32_t> min_seq_ledger_gap;
  std::optional<uint32_t> extra_signers;
};

/// The fields of the transaction an envelope carries (the inner one for fee bumps).
struct TransactionFields {
  AccountColumns source;
  AccountColumns fee_account;
  int64_t sequence_number = 0;
  int64_t max_fee = 0;
  uint32_t operation_count = 0;
  std::optional<sx::MemoView> memo;
  Preconditions preconditions;
  std::optional<sx::SorobanTransactionDataView> soroban;
  std::optional<xdr::Digest> inner_hash;
};

void SetTimeBounds(sx::TimeBoundsView bounds, Preconditions* out) {
  out->time_min = bounds.minTime();
  out->time_max = bounds.maxTime();
}

Preconditions ReadPreconditions(sx::PreconditionsView cond) {
  Preconditions out;
  switch (cond.type()) {
    case sx::PreconditionType::PRECOND_TIME:
      SetTimeBounds(cond.timeBounds(), &out);
      break;
    case sx::PreconditionType::PRECOND_V2: {
      auto v2 = cond.v2();
      if (v2.timeBounds().has_value()) SetTimeBounds(v2.timeBounds().value(), &out);
      if (v2.ledgerBounds().has_value()) {
        out.ledger_min = v2.ledgerBounds().value().minLedger();
        out.ledger_max = v2.ledgerBounds().value().maxLedger();
      }
      if (v2.minSeqNum().has_value()) out.min_seq_num = v2.minSeqNum().value();
      out.min_seq_age = v2.minSeqAge();
      out.min_seq_ledger_gap = v2.minSeqLedgerGap();
      out.extra_signers = v2.extraSigners().size();
      break;
    }
    default:
      break;
  }
  return out;
}

TransactionFields ReadV1(sx::TransactionView tx) {
  TransactionFields fields;
  fields.source = MuxedAccount(tx.sourceAccount());
  fields.fee_account = fields.source;
  fields.sequence_number = tx.seqNum();
  fields.max_fee = tx.fee();
  fields.operation_count = tx.operations().size();
  fields.memo = tx.memo();
  fields.preconditions = ReadPreconditions(tx.cond());
  if (tx.ext().v() == 1) fields.soroban = tx.ext().sorobanData();
  return fields;
}

TransactionFields ReadEnvelope(sx::TransactionEnvelopeView envelope,
                               const xdr::Digest& network_id) {
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0: {
      auto tx = envelope.v0().tx();
      TransactionFields fields;
      fields.source = {xdr::AccountStrKey(tx.sourceAccountEd25519()), std::nullopt,
                       std::nullopt};
      fields.fee_account = fields.source;
      fields.sequence_number = tx.seqNum();
      fields.max_fee = tx.fee();
      fields.operation_count = tx.operations().size();
      fields.memo = tx.memo();
      if (tx.timeBounds().has_value()) {
        SetTimeBounds(tx.timeBounds().value(), &fields.preconditions);
      }
      return fields;
    }
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      return ReadV1(envelope.v1().tx());
    default: {
      auto fee_bump = envelope.feeBump();
      TransactionFields fields = ReadV1(fee_bump.tx().innerTx().v1().tx());
      fields.fee_account = MuxedAccount(fee_bump.tx().feeSource());
      fields.max_fee = fee_bump.tx().fee();
      fields.inner_hash = xdr::InnerTransactionHash(fee_bump, network_id);
      return fields;
    }
  }
}

/// Soroban fee components charged, from TransactionMeta v3/v4 (ext v1 of the Soroban
/// meta).
struct SorobanFeesCharged {
  int64_t non_refundable = 0;
  int64_t refundable = 0;
  int64_t rent = 0;
};

std::optional<SorobanFeesCharged> ReadSorobanFees(const xdr::AppliedTransaction& tx) {
  auto from_ext =
      [](sx::SorobanTransactionMetaExtView ext) -> std::optional<SorobanFeesCharged> {
    if (ext.v() != 1) return std::nullopt;
    auto v1 = ext.v1();
    return SorobanFeesCharged{v1.totalNonRefundableResourceFeeCharged(),
                              v1.totalRefundableResourceFeeCharged(),
                              v1.rentFeeCharged()};
  };
  // The frame located the Soroban meta while parsing (it follows every operation's meta).
  if (tx.soroban_meta_v3) return from_ext(tx.soroban_meta_v3->ext());
  if (tx.soroban_meta_v4) return from_ext(tx.soroban_meta_v4->ext());
  return std::nullopt;
}

arrow::Status AppendMemo(ColumnBuilders& columns,
                         const std::optional<sx::MemoView>& memo) {
  auto* type = columns.column<arrow::StringDictionary32Builder>(kMemoType);
  auto* text = columns.column<arrow::StringBuilder>(kMemo);
  auto* bytes = columns.column<arrow::BinaryBuilder>(kMemoBytes);
  sx::MemoType memo_type = memo ? memo->type() : sx::MemoType::MEMO_NONE;
  switch (memo_type) {
    case sx::MemoType::MEMO_TEXT: {
      std::string_view value = memo->text();
      std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(value.data()),
                                   value.size());
      ARROW_RETURN_NOT_OK(type->Append("text"));
      if (IsValidUtf8(raw)) {
        ARROW_RETURN_NOT_OK(text->Append(value));
        return bytes->AppendNull();
      }
      ARROW_RETURN_NOT_OK(text->AppendNull());
      return bytes->Append(value);
    }
    case sx::MemoType::MEMO_ID:
      ARROW_RETURN_NOT_OK(type->Append("id"));
      ARROW_RETURN_NOT_OK(text->Append(std::to_string(memo->id())));
      return bytes->AppendNull();
    case sx::MemoType::MEMO_HASH:
      ARROW_RETURN_NOT_OK(type->Append("hash"));
      ARROW_RETURN_NOT_OK(text->Append(xdr::ToHex(memo->hash())));
      return bytes->AppendNull();
    case sx::MemoType::MEMO_RETURN:
      ARROW_RETURN_NOT_OK(type->Append("return"));
      ARROW_RETURN_NOT_OK(text->Append(xdr::ToHex(memo->retHash())));
      return bytes->AppendNull();
    default:
      ARROW_RETURN_NOT_OK(type->Append("none"));
      ARROW_RETURN_NOT_OK(text->AppendNull());
      return bytes->AppendNull();
  }
}

arrow::Status AppendPreconditions(ColumnBuilders& columns, const Preconditions& p) {
  ARROW_RETURN_NOT_OK(
      AppendOptional(columns.column<arrow::UInt64Builder>(kTimeBoundsMin), p.time_min));
  ARROW_RETURN_NOT_OK(
      AppendOptional(columns.column<arrow::UInt64Builder>(kTimeBoundsMax), p.time_max));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kLedgerBoundsMin), p.ledger_min));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kLedgerBoundsMax), p.ledger_max));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::Int64Builder>(kMinSequenceNumber), p.min_seq_num));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt64Builder>(kMinSequenceAge), p.min_seq_age));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kMinSequenceLedgerGap), p.min_seq_ledger_gap));
  return AppendOptional(columns.column<arrow::UInt32Builder>(kExtraSignerCount),
                        p.extra_signers);
}

arrow::Status AppendSoroban(ColumnBuilders& columns,
                            const std::optional<sx::SorobanTransactionDataView>& data,
                            const std::optional<SorobanFeesCharged>& fees) {
  std::optional<uint32_t> instructions, read_bytes, write_bytes;
  std::optional<int64_t> resource_fee;
  if (data) {
    auto resources = data->resources();
    instructions = resources.instructions();
    read_bytes = resources.diskReadBytes();
    write_bytes = resources.writeBytes();
    resource_fee = data->resourceFee();
  }
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kSorobanInstructions), instructions));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kSorobanDiskReadBytes), read_bytes));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::UInt32Builder>(kSorobanWriteBytes), write_bytes));
  ARROW_RETURN_NOT_OK(AppendOptional(
      columns.column<arrow::Int64Builder>(kSorobanResourceFee), resource_fee));
  auto fee = [&fees](int64_t SorobanFeesCharged::*member) -> std::optional<int64_t> {
    if (!fees) return std::nullopt;
    return (*fees).*member;
  };
  ARROW_RETURN_NOT_OK(
      AppendOptional(columns.column<arrow::Int64Builder>(kSorobanNonRefundableFeeCharged),
                     fee(&SorobanFeesCharged::non_refundable)));
  ARROW_RETURN_NOT_OK(
      AppendOptional(columns.column<arrow::Int64Builder>(kSorobanRefundableFeeCharged),
                     fee(&SorobanFeesCharged::refundable)));
  return AppendOptional(columns.column<arrow::Int64Builder>(kSorobanRentFeeCharged),
                        fee(&SorobanFeesCharged::rent));
}

std::optional<sx::TransactionResultCode> InnerResultCode(
    sx::TransactionResultView result) {
  auto code = result.result().code();
  if (code != sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS &&
      code != sx::TransactionResultCode::txFEE_BUMP_INNER_FAILED) {
    return std::nullopt;
  }
  return result.result().innerResultPair().result().result().code();
}

}  // namespace

std::shared_ptr<arrow::Schema> TransactionTableSchema(bool include_xdr) {
  auto timestamp = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  arrow::FieldVector fields = {
      arrow::field("ledger_sequence", arrow::uint32(), false),
      arrow::field("ledger_close_time", timestamp, false),
      arrow::field("application_order", arrow::uint32(), false),
      arrow::field("transaction_hash", arrow::utf8(), false),
      arrow::field("fee_bump", arrow::boolean(), false),
      arrow::field("inner_transaction_hash", arrow::utf8()),
      arrow::field("source_account", arrow::utf8(), false),
      arrow::field("source_account_muxed", arrow::utf8()),
      arrow::field("source_account_muxed_id", arrow::uint64()),
      arrow::field("fee_account", arrow::utf8(), false),
      arrow::field("fee_account_muxed", arrow::utf8()),
      arrow::field("sequence_number", arrow::int64(), false),
      arrow::field("max_fee", arrow::int64(), false),
      arrow::field("fee_charged", arrow::int64(), false),
      arrow::field("operation_count", arrow::uint32(), false),
      arrow::field("memo_type", EnumStringType(), false),
      arrow::field("memo", arrow::utf8()),
      arrow::field("memo_bytes", arrow::binary()),
      arrow::field("time_bounds_min", arrow::uint64()),
      arrow::field("time_bounds_max", arrow::uint64()),
      arrow::field("ledger_bounds_min", arrow::uint32()),
      arrow::field("ledger_bounds_max", arrow::uint32()),
      arrow::field("min_sequence_number", arrow::int64()),
      arrow::field("min_sequence_age", arrow::uint64()),
      arrow::field("min_sequence_ledger_gap", arrow::uint32()),
      arrow::field("extra_signer_count", arrow::uint32()),
      arrow::field("result_code", EnumStringType(), false),
      arrow::field("inner_result_code", EnumStringType()),
      arrow::field("successful", arrow::boolean(), false),
      arrow::field("meta_version", arrow::uint32(), false),
      arrow::field("soroban_instructions", arrow::uint32()),
      arrow::field("soroban_disk_read_bytes", arrow::uint32()),
      arrow::field("soroban_write_bytes", arrow::uint32()),
      arrow::field("soroban_resource_fee", arrow::int64()),
      arrow::field("soroban_non_refundable_fee_charged", arrow::int64()),
      arrow::field("soroban_refundable_fee_charged", arrow::int64()),
      arrow::field("soroban_rent_fee_charged", arrow::int64()),
  };
  if (include_xdr) {
    fields.push_back(arrow::field("envelope_xdr", arrow::binary(), false));
    fields.push_back(arrow::field("result_xdr", arrow::binary(), false));
    fields.push_back(arrow::field("meta_xdr", arrow::binary(), false));
  }
  return arrow::schema(std::move(fields));
}

arrow::Result<std::unique_ptr<TransactionTableBuilder>> TransactionTableBuilder::Make(
    const xdr::Digest& network_id, bool include_xdr, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns,
                        ColumnBuilders::Make(TransactionTableSchema(include_xdr), pool));
  return std::make_unique<TransactionTableBuilder>(std::move(columns), network_id,
                                                   include_xdr);
}

arrow::Status TransactionTableBuilder::Append(const xdr::LedgerCloseMetaFrame& frame) {
  for (const xdr::AppliedTransaction& tx : frame.transactions()) {
    if (!tx.envelope) {
      return arrow::Status::Invalid("ledger ", frame.sequence(), ": transaction ",
                                    tx.apply_order, " has no joined envelope");
    }
    ARROW_RETURN_NOT_OK(AppendTransaction(frame, tx));
  }
  return arrow::Status::OK();
}

arrow::Status TransactionTableBuilder::AppendTransaction(
    const xdr::LedgerCloseMetaFrame& frame, const xdr::AppliedTransaction& tx) {
  ColumnBuilders& c = columns_;
  TransactionFields fields = ReadEnvelope(*tx.envelope, network_id_);
  auto result = tx.result.result();
  auto u32 = [&c](int column, uint32_t value) {
    return c.column<arrow::UInt32Builder>(column)->Append(value);
  };
  auto i64 = [&c](int column, int64_t value) {
    return c.column<arrow::Int64Builder>(column)->Append(value);
  };
  auto text = [&c](int column, std::string_view value) {
    return c.column<arrow::StringBuilder>(column)->Append(value);
  };
  ARROW_RETURN_NOT_OK(u32(kLedgerSequence, frame.sequence()));
  ARROW_RETURN_NOT_OK(c.column<arrow::TimestampBuilder>(kLedgerCloseTime)
                          ->Append(CloseTimeMicros(frame)));
  ARROW_RETURN_NOT_OK(u32(kApplicationOrder, tx.apply_order));
  ARROW_RETURN_NOT_OK(text(kTransactionHash, xdr::HashHex(tx.result.transactionHash())));
  ARROW_RETURN_NOT_OK(c.column<arrow::BooleanBuilder>(kFeeBump)->Append(
      tx.envelope->type() == sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP));
  std::optional<xdr::HexText> inner_hash;
  if (fields.inner_hash) inner_hash = xdr::HashHex(*fields.inner_hash);
  ARROW_RETURN_NOT_OK(
      AppendOptional(c.column<arrow::StringBuilder>(kInnerTransactionHash), inner_hash));
  ARROW_RETURN_NOT_OK(text(kSourceAccount, fields.source.account));
  ARROW_RETURN_NOT_OK(AppendOptional(c.column<arrow::StringBuilder>(kSourceAccountMuxed),
                                     fields.source.muxed));
  ARROW_RETURN_NOT_OK(AppendOptional(
      c.column<arrow::UInt64Builder>(kSourceAccountMuxedId), fields.source.muxed_id));
  ARROW_RETURN_NOT_OK(text(kFeeAccount, fields.fee_account.account));
  ARROW_RETURN_NOT_OK(AppendOptional(c.column<arrow::StringBuilder>(kFeeAccountMuxed),
                                     fields.fee_account.muxed));
  ARROW_RETURN_NOT_OK(i64(kSequenceNumber, fields.sequence_number));
  ARROW_RETURN_NOT_OK(i64(kMaxFee, fields.max_fee));
  ARROW_RETURN_NOT_OK(i64(kFeeCharged, result.feeCharged()));
  ARROW_RETURN_NOT_OK(u32(kOperationCount, fields.operation_count));
  ARROW_RETURN_NOT_OK(AppendMemo(c, fields.memo));
  ARROW_RETURN_NOT_OK(AppendPreconditions(c, fields.preconditions));
  auto code = result.result().code();
  ARROW_RETURN_NOT_OK(
      c.column<EnumStringBuilder>(kResultCode)->AppendName(sx::ToString(code)));
  auto inner_code = InnerResultCode(result);
  auto* inner_code_column = c.column<EnumStringBuilder>(kInnerResultCode);
  ARROW_RETURN_NOT_OK(inner_code
                          ? inner_code_column->AppendName(sx::ToString(*inner_code))
                          : inner_code_column->AppendNull());
  ARROW_RETURN_NOT_OK(
      c.column<arrow::BooleanBuilder>(kSuccessful)->Append(xdr::IsSuccess(code)));
  ARROW_RETURN_NOT_OK(u32(kMetaVersion, static_cast<uint32_t>(tx.meta.v())));
  ARROW_RETURN_NOT_OK(AppendSoroban(c, fields.soroban, ReadSorobanFees(tx)));
  if (!include_xdr_) return arrow::Status::OK();
  auto binary = [&c](int column, std::span<const uint8_t> bytes) {
    return c.column<arrow::BinaryBuilder>(column)->Append(
        bytes.data(), static_cast<int32_t>(bytes.size()));
  };
  ARROW_RETURN_NOT_OK(binary(kEnvelopeXdr, tx.envelope->bytes()));
  ARROW_RETURN_NOT_OK(binary(kResultXdr, result.bytes()));
  return binary(kMetaXdr, tx.meta_bytes);
}

}  // namespace sas::convert
