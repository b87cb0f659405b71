#include "archive/archive_sink.h"

namespace sas::archive {

ArchiveSink::ArchiveSink(std::unique_ptr<Archiver> archiver, uint32_t start,
                         std::chrono::milliseconds interval)
    : archiver_(std::move(archiver)),
      start_(start),
      interval_(interval),
      last_flush_(std::chrono::steady_clock::now()) {
  RecordStats();
}

arrow::Status ArchiveSink::Consume(const pipeline::ConvertedLedgers& ledgers) {
  arrow::Status status = archiver_->Append(ledgers.ledgers, ledgers.chunk);
  RecordStats();
  return status;
}

arrow::Status ArchiveSink::Tick() {
  if (std::chrono::steady_clock::now() - last_flush_ < interval_)
    return arrow::Status::OK();
  last_flush_ = std::chrono::steady_clock::now();
  arrow::Status status = archiver_->Flush();
  RecordStats();
  return status;
}

arrow::Status ArchiveSink::Close() {
  arrow::Status status = archiver_->Flush();
  RecordStats();
  return status;
}

void ArchiveSink::RecordStats() {
  std::vector<TableArchiveStats> stats;
  for (convert::Table table : archiver_->tables()) {
    const TableArchive& archive = archiver_->table(table);
    TableArchiveStats table_stats{.table = table, .last_ledger = archive.checkpoint()};
    table_stats.files = static_cast<int64_t>(archive.files().size());
    for (const ArchivedFile& file : archive.files()) {
      table_stats.rows += file.rows;
      table_stats.bytes += file.bytes;
    }
    stats.push_back(table_stats);
  }
  std::lock_guard lock(stats_mutex_);
  stats_ = std::move(stats);
}

std::vector<TableArchiveStats> ArchiveSink::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::optional<uint32_t> ArchiveSink::Rewind() { return archiver_->Abandon(start_); }

}  // namespace sas::archive
