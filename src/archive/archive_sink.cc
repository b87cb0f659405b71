#include "archive/archive_sink.h"

namespace sas::archive {

ArchiveSink::ArchiveSink(std::unique_ptr<Archiver> archiver, uint32_t start,
                         std::chrono::milliseconds interval)
    : archiver_(std::move(archiver)),
      start_(start),
      interval_(interval),
      last_flush_(std::chrono::steady_clock::now()) {}

arrow::Status ArchiveSink::Consume(const pipeline::ConvertedLedgers& ledgers) {
  return archiver_->Append(ledgers.ledgers, ledgers.chunk);
}

arrow::Status ArchiveSink::Tick() {
  if (std::chrono::steady_clock::now() - last_flush_ < interval_)
    return arrow::Status::OK();
  last_flush_ = std::chrono::steady_clock::now();
  return archiver_->Flush();
}

arrow::Status ArchiveSink::Close() { return archiver_->Flush(); }

std::optional<uint32_t> ArchiveSink::Rewind() { return archiver_->Abandon(start_); }

}  // namespace sas::archive
