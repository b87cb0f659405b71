#include "convert/ledger_table.h"

#include <arrow/builder.h>

#include "convert/values.h"

namespace sas::convert {
namespace {

/// Column positions, in the fixed order of the schema.
enum Column : int {
  kSequence,
  kCloseTime,
  kHash,
  kPreviousHash,
  kTransactionCount,
  kOperationCount,
  kSuccessfulCount,
  kFailedCount,
  kProtocolVersion,
  kBaseFee,
  kBaseReserve,
  kMaxTxSetSize,
  kCloseTimeResolution,
  kLedgerCloseMetaXdr,
};

}  // namespace

std::shared_ptr<arrow::Schema> LedgerTableSchema() {
  static const std::shared_ptr<arrow::Schema> schema = arrow::schema({
      arrow::field("ledger_sequence", arrow::uint32(), false),
      arrow::field("ledger_close_time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                   false),
      arrow::field("ledger_hash", arrow::fixed_size_binary(32), false),
      arrow::field("previous_ledger_hash", arrow::fixed_size_binary(32), false),
      arrow::field("transaction_count", arrow::uint32(), false),
      arrow::field("operation_count", arrow::uint32(), false),
      arrow::field("successful_transaction_count", arrow::uint32(), false),
      arrow::field("failed_transaction_count", arrow::uint32(), false),
      arrow::field("protocol_version", arrow::uint32(), false),
      arrow::field("base_fee", arrow::uint32(), false),
      arrow::field("base_reserve", arrow::uint32(), false),
      arrow::field("max_tx_set_size", arrow::uint32(), false),
      arrow::field("close_time_resolution", arrow::uint32(), false),
      arrow::field("ledger_close_meta_xdr", arrow::binary(), false),
  });
  return schema;
}

arrow::Result<std::unique_ptr<LedgerTableBuilder>> LedgerTableBuilder::Make(
    arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns, ColumnBuilders::Make(LedgerTableSchema(), pool));
  return std::make_unique<LedgerTableBuilder>(std::move(columns));
}

arrow::Status LedgerTableBuilder::Append(const xdr::LedgerCloseMetaFrame& frame) {
  auto header = frame.header();
  xdr::ResultCounts counts = frame.CountResults();
  auto u32 = [this](int column, uint32_t value) {
    return columns_.column<arrow::UInt32Builder>(column)->Append(value);
  };
  auto hash = [this](int column, xdr::HashBytes value) {
    return columns_.column<arrow::FixedSizeBinaryBuilder>(column)->Append(value.data());
  };
  ARROW_RETURN_NOT_OK(u32(kSequence, header.ledgerSeq()));
  ARROW_RETURN_NOT_OK(columns_.column<arrow::TimestampBuilder>(kCloseTime)
                          ->Append(CloseTimeMicros(frame)));
  ARROW_RETURN_NOT_OK(hash(kHash, frame.ledger_hash()));
  ARROW_RETURN_NOT_OK(hash(kPreviousHash, frame.previous_ledger_hash()));
  ARROW_RETURN_NOT_OK(u32(kTransactionCount, counts.transactions));
  ARROW_RETURN_NOT_OK(u32(kOperationCount, counts.successful_operations));
  ARROW_RETURN_NOT_OK(u32(kSuccessfulCount, counts.successful));
  ARROW_RETURN_NOT_OK(u32(kFailedCount, counts.failed));
  ARROW_RETURN_NOT_OK(u32(kProtocolVersion, header.ledgerVersion()));
  ARROW_RETURN_NOT_OK(u32(kBaseFee, header.baseFee()));
  ARROW_RETURN_NOT_OK(u32(kBaseReserve, header.baseReserve()));
  ARROW_RETURN_NOT_OK(u32(kMaxTxSetSize, header.maxTxSetSize()));
  ARROW_RETURN_NOT_OK(u32(kCloseTimeResolution, kCloseTimeResolutionSeconds));
  auto bytes = frame.bytes();
  return columns_.column<arrow::BinaryBuilder>(kLedgerCloseMetaXdr)
      ->Append(bytes.data(), static_cast<int32_t>(bytes.size()));
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> LedgerTableBuilder::Flush() {
  return columns_.Flush();
}

}  // namespace sas::convert
