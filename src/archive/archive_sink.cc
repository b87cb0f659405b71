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
  {
    std::lock_guard lock(stats_mutex_);
    stats = stats_;
  }
  bool changed = stats.size() != archiver_->tables().size();
  stats.resize(archiver_->tables().size());
  for (size_t i = 0; i < stats.size(); ++i) {
    convert::Table table = archiver_->tables()[i];
    const TableArchive& archive = archiver_->table(table);
    const auto& files = archive.files();
    TableArchiveStats& table_stats = stats[i];
    table_stats.table = table;
    // Committed files are only ever appended: count the new ones.
    for (auto file = files.size(); file > static_cast<size_t>(table_stats.files);
         --file) {
      table_stats.rows += files[file - 1].rows;
      table_stats.bytes += files[file - 1].bytes;
    }
    changed |= table_stats.files != static_cast<int64_t>(files.size()) ||
               table_stats.last_ledger != archive.checkpoint();
    table_stats.files = static_cast<int64_t>(files.size());
    table_stats.last_ledger = archive.checkpoint();
  }
  if (!changed) return;
  std::lock_guard lock(stats_mutex_);
  stats_ = std::move(stats);
}

std::vector<TableArchiveStats> ArchiveSink::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::optional<uint32_t> ArchiveSink::Rewind() { return archiver_->Abandon(start_); }

}  // namespace sas::archive
