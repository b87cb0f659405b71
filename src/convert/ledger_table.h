// The `stellar_ledger` table: one row per ledger, the 14 columns users of the predecessor
// already consume (names, types and order fixed), then the ledger's own totals and
// versions, converted straight from the codec's views.
#pragma once

#include <memory>
#include <optional>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/column_builders.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// Resolution of `ledger_close_time` in seconds: the XDR TimePoint counts whole seconds.
inline constexpr uint32_t kCloseTimeResolutionSeconds = 1;

/// Returns the schema of the `stellar_ledger` table.
std::shared_ptr<arrow::Schema> LedgerTableSchema();

/// Appends `stellar_ledger` rows into reusable builders and flushes them as record
/// batches.
class LedgerTableBuilder {
 public:
  /// Creates a builder whose buffers come from `pool`; `network_id` (null when the
  /// network is not known yet) fills the `network_id` column.
  static arrow::Result<std::unique_ptr<LedgerTableBuilder>> Make(
      std::optional<xdr::Digest> network_id = std::nullopt,
      arrow::MemoryPool* pool = arrow::default_memory_pool());

  /// Appends the row of one ledger.
  arrow::Status Append(const xdr::LedgerCloseMetaFrame& frame);

  /// Returns the rows appended since the last flush as one batch and resets the builders.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush();

  /// Returns the number of rows appended since the last flush.
  int64_t num_rows() const { return columns_.num_rows(); }

  /// Use Make().
  LedgerTableBuilder(ColumnBuilders columns, std::optional<xdr::Digest> network_id)
      : columns_(std::move(columns)), network_id_(network_id) {}

 private:
  /// Appends the columns after the predecessor's 14.
  arrow::Status AppendLedgerTotals(const xdr::LedgerCloseMetaFrame& frame);

  ColumnBuilders columns_;
  std::optional<xdr::Digest> network_id_;
};

}  // namespace sas::convert
