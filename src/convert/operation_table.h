// The `operations` table: one row per operation of every applied transaction, failed ones
// included (docs/SCHEMAS.md), with the typed fields of every value-moving operation.
#pragma once

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/column_builders.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// Returns the schema of `operations`.
std::shared_ptr<arrow::Schema> OperationTableSchema();

/// Appends `operations` rows into reusable builders.
class OperationTableBuilder {
 public:
  /// Creates a builder; `network_id` identifies the network (ids of created contracts).
  static arrow::Result<std::unique_ptr<OperationTableBuilder>> Make(
      const xdr::Digest& network_id,
      arrow::MemoryPool* pool = arrow::default_memory_pool());

  /// Appends the rows of one ledger whose envelopes have been joined (JoinEnvelopes).
  arrow::Status Append(const xdr::LedgerCloseMetaFrame& frame);

  /// Returns the rows appended since the last flush and resets the builders.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush() { return columns_.Flush(); }

  /// Returns the number of rows appended since the last flush.
  int64_t num_rows() const { return columns_.num_rows(); }

  /// Use Make().
  OperationTableBuilder(ColumnBuilders columns, const xdr::Digest& network_id)
      : columns_(std::move(columns)), network_id_(network_id) {}

 private:
  ColumnBuilders columns_;
  xdr::Digest network_id_;
};

}  // namespace sas::convert
