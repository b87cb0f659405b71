// The archive of one table: Parquet files named by their ledger range, committed
// atomically (temporary name, fsync, rename, fsync of the folder), listed in a manifest,
// with a durable checkpoint (the last archived ledger) advanced only after the rename.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <parquet/arrow/writer.h>

#include "archive/partition.h"
#include "convert/ledger_converter.h"
#include "pipeline/chunk_reader.h"

namespace sas::archive {

/// Settings shared by every table's archive.
struct ArchiveSettings {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  /// Root folder of the archive inside `fs`.
  std::string root;
  Partitioning partitioning;
  arrow::Compression::type compression = arrow::Compression::ZSTD;
  std::optional<int> compression_level;
  /// A file is closed once its size reaches this many bytes.
  int64_t max_file_bytes = int64_t{256} << 20;
  /// Rows buffered before they are written as one row group.
  int64_t row_group_rows = 128 * 1024;
  /// Bytes (Arrow buffers) buffered before they are written as one row group, whatever
  /// the rows: bounds memory for tables with large rows (stellar_ledger's XDR).
  int64_t row_group_bytes = int64_t{64} << 20;
  std::string network_passphrase;
  /// fsync files and folders (local filesystems).
  bool sync = true;
};

/// One committed file, as listed in the manifest.
struct ArchivedFile {
  std::string path;
  uint32_t first_ledger = 0;
  uint32_t last_ledger = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string sha256;
};

/// Writes one table's archive.
class TableArchive {
 public:
  /// Opens the archive of `table`: takes its writer lock (`.lock`, on local filesystems;
  /// a second writer fails naming the folder), removes temporary leftovers, reads the
  /// checkpoint and adopts (after verifying) or removes files written after it.
  static arrow::Result<std::unique_ptr<TableArchive>> Open(
      convert::Table table, const ArchiveSettings& settings);

  /// Returns the last archived ledger, if any.
  std::optional<uint32_t> checkpoint() const { return checkpoint_; }

  /// Appends the rows of consecutive `ledgers` (rows in ledger order; ledgers already
  /// committed or in the open file are skipped, so a chunk may be given again).
  arrow::Status Append(std::span<const pipeline::LedgerInfo> ledgers,
                       const std::shared_ptr<arrow::RecordBatch>& rows);

  /// Writes and commits the open file, if any; the checkpoint becomes its last ledger.
  arrow::Status Flush();

  /// Drops the open file after a failure (its temporary file is removed): the ledgers
  /// after the checkpoint must be appended again.
  void Abandon();

  /// Returns the files committed, oldest first (the manifest).
  const std::vector<ArchivedFile>& files() const { return files_; }

  /// Use Open().
  TableArchive(convert::Table table, ArchiveSettings settings);
  ~TableArchive();

 private:
  struct OpenFile;
  class WriterLock;

  /// Takes the table's writer lock (local filesystems): one process per table archive.
  arrow::Status Lock();
  arrow::Status Recover();
  /// True for a ledger this archive committed or holds in its open file.
  bool AlreadyHeld(uint32_t sequence) const;
  arrow::Status StartFile(const pipeline::LedgerInfo& ledger, std::string folder);
  arrow::Status WriteRowGroup();
  arrow::Status CommitFile();
  arrow::Status SaveManifestAndCheckpoint();
  std::string TableDir() const;
  std::string CheckpointPath() const;
  std::string ManifestPath() const;

  convert::Table table_;
  ArchiveSettings settings_;
  std::shared_ptr<arrow::Schema> schema_;
  std::optional<uint32_t> checkpoint_;
  std::vector<ArchivedFile> files_;
  std::unique_ptr<OpenFile> open_;
  std::unique_ptr<WriterLock> lock_;
};

}  // namespace sas::archive
