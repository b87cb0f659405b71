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
  kTotalCoins,
  kFeePool,
  kSorobanFeeWrite1Kb,
  kLiveSorobanStateBytes,
  kUpgradeCount,
  kLedgerCloseMetaVersion,
  kNetworkId,
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
      arrow::field("total_coins", arrow::int64(), false),
      arrow::field("fee_pool", arrow::int64(), false),
      arrow::field("soroban_fee_write_1kb", arrow::int64()),
      arrow::field("live_soroban_state_bytes", arrow::uint64()),
      arrow::field("upgrade_count", arrow::uint32(), false),
      arrow::field("ledger_close_meta_version", arrow::uint32(), false),
      arrow::field("network_id", arrow::fixed_size_binary(32)),
  });
  return schema;
}

arrow::Result<std::unique_ptr<LedgerTableBuilder>> LedgerTableBuilder::Make(
    std::optional<xdr::Digest> network_id, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns, ColumnBuilders::Make(LedgerTableSchema(), pool));
  return std::make_unique<LedgerTableBuilder>(std::move(columns), network_id);
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
  ARROW_RETURN_NOT_OK(columns_.column<arrow::BinaryBuilder>(kLedgerCloseMetaXdr)
                          ->Append(bytes.data(), static_cast<int32_t>(bytes.size())));
  return AppendLedgerTotals(frame);
}

arrow::Status LedgerTableBuilder::AppendLedgerTotals(
    const xdr::LedgerCloseMetaFrame& frame) {
  auto header = frame.header();
  auto i64 = [this](int column) { return columns_.column<arrow::Int64Builder>(column); };
  ARROW_RETURN_NOT_OK(i64(kTotalCoins)->Append(header.totalCoins()));
  ARROW_RETURN_NOT_OK(i64(kFeePool)->Append(header.feePool()));
  ARROW_RETURN_NOT_OK(
      AppendOptional(i64(kSorobanFeeWrite1Kb), frame.soroban_fee_write_1kb()));
  ARROW_RETURN_NOT_OK(
      AppendOptional(columns_.column<arrow::UInt64Builder>(kLiveSorobanStateBytes),
                     frame.live_soroban_state_bytes()));
  auto u32 = [this](int column) { return columns_.column<arrow::UInt32Builder>(column); };
  ARROW_RETURN_NOT_OK(
      u32(kUpgradeCount)->Append(static_cast<uint32_t>(frame.upgrade_count())));
  ARROW_RETURN_NOT_OK(
      u32(kLedgerCloseMetaVersion)->Append(static_cast<uint32_t>(frame.version())));
  auto* network = columns_.column<arrow::FixedSizeBinaryBuilder>(kNetworkId);
  return network_id_ ? network->Append(network_id_->data()) : network->AppendNull();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> LedgerTableBuilder::Flush() {
  return columns_.Flush();
}

}  // namespace sas::convert
