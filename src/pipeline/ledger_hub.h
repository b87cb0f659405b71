// The live pipeline: one thread pulls ledgers from the live source, converts each into
// every table once, and keeps the newest ones (bounded in bytes) for any number of
// readers. Readers hold a cursor (the next sequence they want), never a queue, so a slow
// reader costs no memory and never delays the others: when its cursor falls out of the
// retained window it reads from history instead, or is told that it fell behind.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/ledger_converter.h"
#include "ingest/ledger_source.h"

namespace sas::pipeline {

/// Consecutive ledgers' rows joined into one batch per table (done once, in the
/// background of the hub), so readers serve them as zero-copy slices.
struct Segment {
  uint32_t first = 0;
  std::array<std::shared_ptr<arrow::RecordBatch>, convert::kAllTables.size()> tables;
};

/// One ledger converted into every table.
struct ConvertedLedger {
  uint32_t sequence = 0;
  /// Close time, unix seconds.
  int64_t close_time = 0;
  /// Per table (indexed like convert::kAllTables), the ledger's rows.
  std::array<std::shared_ptr<arrow::RecordBatch>, convert::kAllTables.size()> tables;
  /// Bytes held by the batches.
  int64_t bytes = 0;
  /// Bytes of every ledger the hub published before this one (readers' lag is measured
  /// against it).
  int64_t bytes_before = 0;
  /// Once compacted: the segment whose slices `tables` are, and the first row of this
  /// ledger in each of its tables.
  std::shared_ptr<const Segment> segment;
  std::array<int64_t, convert::kAllTables.size()> segment_offsets{};

  /// Returns the rows of one table.
  const std::shared_ptr<arrow::RecordBatch>& rows(convert::Table table) const {
    return tables[static_cast<size_t>(table)];
  }
};

/// How the hub converts and how much it keeps.
struct HubOptions {
  convert::ConverterOptions converter;
  /// Bound on the bytes of retained converted ledgers (the newest is always kept).
  int64_t retain_bytes = int64_t{256} << 20;
  /// Ledgers joined into one segment (0: never compact).
  uint32_t segment_ledgers = 64;
};

/// What the hub holds for a cursor.
struct HubLookup {
  /// Consecutive ledgers from the cursor on (empty when none is available yet).
  std::vector<std::shared_ptr<const ConvertedLedger>> ledgers;
  /// The cursor is older than the oldest retained ledger.
  bool evicted = false;
  /// Oldest ledger retained or still to come (the hub's first ledger before any).
  uint32_t oldest = 0;
  /// Bytes of converted ledgers published from the cursor on: how far behind it is.
  int64_t bytes_behind = 0;
  /// Set when the live source failed or was stopped: no ledger will follow.
  arrow::Status status;
};

/// Counters of the hub, for metrics.
struct HubStats {
  uint64_t ledgers_converted = 0;
  /// Transactions of the converted ledgers that succeeded and that failed, and their
  /// operations (of successful transactions).
  uint64_t successful_transactions = 0;
  uint64_t failed_transactions = 0;
  uint64_t operations = 0;
  /// LedgerCloseMeta XDR bytes received from the live source.
  int64_t xdr_bytes = 0;
  uint64_t ledgers_retained = 0;
  int64_t bytes_retained = 0;
  std::optional<uint32_t> newest;
  std::optional<int64_t> newest_close_time;
};

/// Fans one live source out to every reader.
class LedgerHub {
 public:
  /// Starts pulling from `source`, whose first ledger is `first_sequence`.
  static arrow::Result<std::shared_ptr<LedgerHub>> Start(
      std::unique_ptr<ingest::LedgerSource> source, uint32_t first_sequence,
      HubOptions options);

  /// Stops the source and joins the thread.
  ~LedgerHub();

  /// Stops pulling; waiting readers wake up with a Cancelled status.
  void Stop();

  /// Returns up to `max_ledgers` consecutive retained ledgers from `cursor` on.
  HubLookup Get(uint32_t cursor, size_t max_ledgers) const;

  /// Waits until `cursor` is available, the hub failed or stopped, or `timeout` passed.
  void WaitFor(uint32_t cursor, std::chrono::milliseconds timeout) const;

  /// Returns the newest converted ledger's sequence, if any.
  std::optional<uint32_t> newest() const;

  /// Returns the first ledger the hub delivers.
  uint32_t first_sequence() const { return first_sequence_; }

  /// Returns counters for metrics.
  HubStats stats() const;

  /// Use Start().
  LedgerHub(std::unique_ptr<ingest::LedgerSource> source, uint32_t first_sequence,
            HubOptions options, std::unique_ptr<convert::LedgerConverter> converter);

 private:
  void Run();
  arrow::Status Publish(const ingest::SourcedLedger& ledger);
  void Evict();
  /// Joins the newest `segment_ledgers` ledgers into a segment (hub thread only).
  arrow::Status Compact();

  std::unique_ptr<ingest::LedgerSource> source_;
  const uint32_t first_sequence_;
  HubOptions options_;
  std::unique_ptr<convert::LedgerConverter> converter_;

  mutable std::mutex mutex_;
  mutable std::condition_variable published_;
  std::deque<std::shared_ptr<const ConvertedLedger>> retained_;
  int64_t retained_bytes_ = 0;
  int64_t published_bytes_ = 0;
  int64_t xdr_bytes_ = 0;
  uint64_t converted_ = 0;
  uint64_t successful_transactions_ = 0;
  uint64_t failed_transactions_ = 0;
  uint64_t operations_ = 0;
  arrow::Status status_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sas::pipeline
