// The `token_transfers` table: one row per CAP-67 token movement (docs/SCHEMAS.md,
// docs/TOKEN_TRANSFERS.md), derived for every ledger in history.
#pragma once

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/column_builders.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// Returns the schema of `token_transfers`.
std::shared_ptr<arrow::Schema> TokenTransferTableSchema();

/// Appends `token_transfers` rows into reusable builders.
class TokenTransferTableBuilder {
 public:
  /// Creates a builder; `network_id` identifies the network (SAC contract ids).
  static arrow::Result<std::unique_ptr<TokenTransferTableBuilder>> Make(
      const xdr::Digest& network_id,
      arrow::MemoryPool* pool = arrow::default_memory_pool());

  /// Appends the events of one ledger whose envelopes have been joined. Events stream
  /// into the columns as they are derived, so a ledger that fails may leave some of its
  /// rows behind; LedgerConverter drops them (best effort) or starts afresh (strict).
  arrow::Status Append(const xdr::LedgerCloseMetaFrame& frame);

  /// Returns the rows appended since the last flush and resets the builders.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush() { return columns_.Flush(); }

  /// Returns the number of rows appended since the last flush.
  int64_t num_rows() const { return columns_.num_rows(); }

  /// Use Make().
  TokenTransferTableBuilder(ColumnBuilders columns, const xdr::Digest& network_id)
      : columns_(std::move(columns)), network_id_(network_id) {}

 private:
  ColumnBuilders columns_;
  xdr::Digest network_id_;
};

}  // namespace sas::convert
