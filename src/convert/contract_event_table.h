// The `contract_events` table: one row per contract event of every transaction — the
// operations' events, transaction-level events (TransactionMeta v4: fees and refunds) and
// diagnostic events — with typed topics and data plus their raw XDR (docs/SCHEMAS.md).
#pragma once

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/column_builders.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// Returns the schema of `contract_events`.
std::shared_ptr<arrow::Schema> ContractEventTableSchema();

/// Appends `contract_events` rows into reusable builders.
class ContractEventTableBuilder {
 public:
  /// Creates a builder whose buffers come from `pool`.
  static arrow::Result<std::unique_ptr<ContractEventTableBuilder>> Make(
      arrow::MemoryPool* pool = arrow::default_memory_pool());

  /// Appends the events of one ledger.
  arrow::Status Append(const xdr::LedgerCloseMetaFrame& frame);

  /// Returns the rows appended since the last flush and resets the builders.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush() { return columns_.Flush(); }

  /// Returns the number of rows appended since the last flush.
  int64_t num_rows() const { return columns_.num_rows(); }

  /// Use Make().
  explicit ContractEventTableBuilder(ColumnBuilders columns)
      : columns_(std::move(columns)) {}

 private:
  ColumnBuilders columns_;
};

}  // namespace sas::convert
