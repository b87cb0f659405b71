// The `transactions` table: one row per transaction in apply order (docs/SCHEMAS.md).
#pragma once

#include <memory>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/column_builders.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// Returns the schema of `transactions`; `include_xdr` keeps the three XDR columns.
std::shared_ptr<arrow::Schema> TransactionTableSchema(bool include_xdr = true);

/// Appends `transactions` rows into reusable builders.
class TransactionTableBuilder {
 public:
  /// Creates a builder; `network_id` identifies the network (inner fee-bump hashes).
  static arrow::Result<std::unique_ptr<TransactionTableBuilder>> Make(
      const xdr::Digest& network_id, bool include_xdr = true,
      arrow::MemoryPool* pool = arrow::default_memory_pool());

  /// Appends the rows of one ledger whose envelopes have been joined (JoinEnvelopes).
  arrow::Status Append(const xdr::LedgerCloseMetaFrame& frame);

  /// Returns the rows appended since the last flush and resets the builders.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush() { return columns_.Flush(); }

  /// Returns the number of rows appended since the last flush.
  int64_t num_rows() const { return columns_.num_rows(); }

  /// Use Make().
  TransactionTableBuilder(ColumnBuilders columns, const xdr::Digest& network_id,
                          bool include_xdr)
      : columns_(std::move(columns)),
        network_id_(network_id),
        include_xdr_(include_xdr) {}

 private:
  arrow::Status AppendTransaction(const xdr::LedgerCloseMetaFrame& frame,
                                  const xdr::AppliedTransaction& tx);

  ColumnBuilders columns_;
  xdr::Digest network_id_;
  bool include_xdr_;
};

}  // namespace sas::convert
