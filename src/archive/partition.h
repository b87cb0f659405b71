// Where an archived ledger's rows go: a date folder from the ledger's close time (UTC),
// written as a Go time layout (`2006/01/02`, `date=2006-01-02`), or a ledger-range
// folder (`ledger_range=<start>-<end>` of a fixed width).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <arrow/result.h>

namespace sas::archive {

/// A parsed PARQUET_PARTITION_FORMAT.
class Partitioning {
 public:
  /// Parses a Go layout made of 2006 (year), 01 (month), 02 (day), 15 (hour) and literal
  /// text, or `ledger_range[:WIDTH]` (default width 10000).
  static arrow::Result<Partitioning> Parse(std::string_view format);

  /// Returns the folder (relative, '/'-separated) of a ledger.
  std::string FolderOf(uint32_t sequence, int64_t close_time_seconds) const;

  /// Returns the format as given.
  const std::string& format() const { return format_; }

 private:
  std::string format_;
  /// Ledgers per folder; 0 for date layouts.
  uint32_t ledger_width_ = 0;
};

}  // namespace sas::archive
