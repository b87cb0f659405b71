// The Parquet archive of every table (or a chosen subset) under `<base>/<table>/…`:
// settings from PARQUET_* options, resume points from each table's checkpoint, and chunks
// of converted ledgers appended to every table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "archive/table_archive.h"
#include "convert/ledger_converter.h"

namespace sas::archive {

/// What an archive is and how it is written (PARQUET_* options).
struct ArchiveOptions {
  /// Local path or URI (file://, s3://, gs://) of the archive root.
  std::string base;
  /// Tables to archive (empty: all).
  std::vector<convert::Table> tables;
  /// PARQUET_PARTITION_FORMAT.
  std::string partition_format = "2006/01/02";
  /// PARQUET_COMPRESSION: none, snappy, gzip, lz4 or zstd, optionally `:LEVEL`.
  std::string compression = "zstd";
  /// PARQUET_MAX_FILE_SIZE.
  int64_t max_file_bytes = int64_t{256} << 20;
  /// Rows per row group.
  int64_t row_group_rows = 128 * 1024;
  /// Bytes buffered per table before a row group is written, whatever the rows.
  int64_t row_group_bytes = int64_t{64} << 20;
  std::string network_passphrase;
  bool sync = true;
};

/// Parses `codec[:level]` into a codec and an optional level.
arrow::Result<std::pair<arrow::Compression::type, std::optional<int>>> ParseCompression(
    std::string_view text);

/// Parses a comma-separated list of table names (`operations,transactions`).
arrow::Result<std::vector<convert::Table>> ParseTableList(std::string_view text);

/// Archives converted ledgers into every table's files.
class Archiver {
 public:
  /// Opens (and recovers) the archive of every table.
  static arrow::Result<std::unique_ptr<Archiver>> Open(const ArchiveOptions& options);

  /// Returns the first ledger at or after `start` some table still needs.
  uint32_t NextLedger(uint32_t start) const;

  /// Checks that archiving from `start` keeps every table one contiguous range: not
  /// before a table's first file, not past the ledger after its checkpoint.
  arrow::Status CheckContiguous(uint32_t start) const;

  /// Returns the tables archived.
  const std::vector<convert::Table>& tables() const { return tables_; }

  /// Appends a converted chunk of consecutive `ledgers` to every table.
  arrow::Status Append(std::span<const pipeline::LedgerInfo> ledgers,
                       const convert::ConvertedChunk& chunk);

  /// Commits every open file.
  arrow::Status Flush();

  /// Drops every table's open file after a failure; returns the first ledger to append
  /// again (the one after the oldest checkpoint), or `start` when nothing was committed.
  uint32_t Abandon(uint32_t start);

  /// Returns the archive of one table (must be archived).
  const TableArchive& table(convert::Table table) const;

  /// Use Open().
  Archiver(std::vector<convert::Table> tables,
           std::vector<std::unique_ptr<TableArchive>> archives);

 private:
  std::vector<convert::Table> tables_;
  std::vector<std::unique_ptr<TableArchive>> archives_;
};

}  // namespace sas::archive
