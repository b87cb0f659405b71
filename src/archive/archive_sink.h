// The live archive: a ledger sink appending to the Parquet archive, committing open files
// at least every PARQUET_ARCHIVE_INTERVAL_MINUTES so the archive is never further behind.
#pragma once

#include <chrono>
#include <memory>

#include "archive/archiver.h"
#include "pipeline/ledger_follower.h"

namespace sas::archive {

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

  /// Returns the archive.
  const Archiver& archiver() const { return *archiver_; }

 private:
  std::unique_ptr<Archiver> archiver_;
  uint32_t start_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace sas::archive
