// The one entry point of conversion: the bytes of N ledgers in, one record batch per
// table out, with per-ledger errors (which ledger, which path, why).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/contract_event_table.h"
#include "convert/ledger_table.h"
#include "convert/operation_table.h"
#include "convert/token_transfer_table.h"
#include "convert/transaction_table.h"

namespace sas::convert {

/// The tables conversion produces.
enum class Table {
  kStellarLedger,
  kTransactions,
  kOperations,
  kTokenTransfers,
  kContractEvents
};

/// Every table, in a fixed order.
inline constexpr std::array kAllTables = {Table::kStellarLedger, Table::kTransactions,
                                          Table::kOperations, Table::kTokenTransfers,
                                          Table::kContractEvents};

/// Returns the name of a table (`stellar_ledger`, `transactions`, ...).
std::string_view TableName(Table table);

/// Parses a table name (`ttp_events` is the predecessor's name of `token_transfers`).
arrow::Result<Table> ParseTableName(std::string_view name);

/// Version of the table schemas (docs/SCHEMAS.md); bumped on any incompatible change.
inline constexpr const char* kSchemaVersion = "1";

/// Returns the schema of a table, with its metadata: schema version, XDR definitions
/// hash, table name and, when not empty, the network passphrase.
std::shared_ptr<arrow::Schema> TableSchema(Table table, bool include_xdr = true,
                                           const std::string& network_passphrase = "");

/// How to convert.
struct ConverterOptions {
  /// Network passphrase; when empty it is recognised from the ledgers (known networks).
  std::string network_passphrase;
  /// Keep the XDR columns of `transactions`.
  bool include_xdr = true;
  /// Skip undecodable ledgers (reporting them) instead of failing the chunk.
  bool best_effort = false;
  /// Tables to build (empty: all); the others come out as empty batches.
  std::vector<Table> tables;
  /// Parts a chunk is split into, converted concurrently on Arrow's CPU thread pool
  /// (1 = on the calling thread). Output order is the input order either way.
  int parallelism = 1;
  arrow::MemoryPool* pool = arrow::default_memory_pool();
};

/// A ledger that could not be converted.
struct LedgerError {
  /// Position of the ledger in the chunk.
  size_t index = 0;
  arrow::Status status;
};

/// A ledger a chunk converted: where it was, its sequence and close time.
struct ConvertedLedgerStamp {
  /// Position of the ledger in the chunk.
  size_t index = 0;
  uint32_t sequence = 0;
  /// `header.scpValue.closeTime`, unix seconds.
  int64_t close_time = 0;
};

/// The result of converting one chunk of ledgers.
struct ConvertedChunk {
  /// Per table (indexed like kAllTables), its batches in ledger order: one per part the
  /// chunk was converted in (no copy to join them), or more where best-effort mode
  /// dropped a failed ledger's rows.
  std::array<arrow::RecordBatchVector, kAllTables.size()> parts;
  std::vector<LedgerError> errors;
  /// The ledgers converted, in chunk order (best-effort mode leaves out the failed ones):
  /// callers need not parse the ledgers again for their sequence and close time.
  std::vector<ConvertedLedgerStamp> converted;

  /// Returns the batches of one table, in ledger order.
  const arrow::RecordBatchVector& batches(Table table) const {
    return parts[static_cast<size_t>(table)];
  }

  /// Returns the rows of one table as one batch (concatenated when there are several).
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> batch(
      Table table, arrow::MemoryPool* pool = arrow::default_memory_pool()) const;
};

/// Converts chunks of ledgers into the tables, reusing its builders between chunks.
class LedgerConverter {
 public:
  /// Creates a converter.
  static arrow::Result<std::unique_ptr<LedgerConverter>> Make(ConverterOptions options);

  /// Converts the ledgers (LedgerCloseMeta bytes) in order. Strict mode fails on the
  /// first bad ledger, naming it; best-effort mode reports it in `errors` and keeps the
  /// others.
  arrow::Result<ConvertedChunk> Convert(
      std::span<const std::span<const uint8_t>> ledgers);

  /// Returns the network passphrase in use (given, or recognised so far; may be empty).
  const std::string& network_passphrase() const { return network_passphrase_; }

  /// Use Make().
  explicit LedgerConverter(ConverterOptions options);

 private:
  class Worker;

  arrow::Status DetectNetwork(std::span<const std::span<const uint8_t>> ledgers);
  arrow::Status ConvertParts(std::span<const std::span<const uint8_t>> ledgers,
                             ConvertedChunk* chunk);

  ConverterOptions options_;
  std::string network_passphrase_;
  std::vector<std::unique_ptr<Worker>> workers_;

 public:
  ~LedgerConverter();
};

}  // namespace sas::convert
