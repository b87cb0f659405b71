// The live archive: a ledger sink appending to the Parquet archive, committing open files
// at least every PARQUET_ARCHIVE_INTERVAL_MINUTES so the archive is never further behind.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "archive/archiver.h"
#include "pipeline/ledger_follower.h"

namespace sas::archive {

/// What one table's archive holds (committed files only).
struct TableArchiveStats {
  convert::Table table = convert::Table::kStellarLedger;
  std::optional<uint32_t> last_ledger;
  int64_t files = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
};

/// Archives every ledger the live pipeline converts.
class ArchiveSink : public pipeline::LedgerSink {
 public:
  /// Appends to `archiver` from `start`; commits open files every `interval`.
  ArchiveSink(std::unique_ptr<Archiver> archiver, uint32_t start,
              std::chrono::milliseconds interval);

  arrow::Status Consume(const pipeline::ConvertedLedgers& ledgers) override;
  arrow::Status Tick() override;
  arrow::Status Close() override;
  std::optional<uint32_t> Rewind() override;

  /// Returns what each table's archive holds; safe to call from any thread.
  std::vector<TableArchiveStats> stats() const;

 private:
  /// Refreshes the stats after the archive changed (on the follower's thread).
  void RecordStats();

  std::unique_ptr<Archiver> archiver_;
  uint32_t start_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_flush_;
  mutable std::mutex stats_mutex_;
  std::vector<TableArchiveStats> stats_;
};

}  // namespace sas::archive
