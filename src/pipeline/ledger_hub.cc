#include "pipeline/ledger_hub.h"

#include <arrow/util/byte_size.h>

#include "ops/log.h"

namespace sas::pipeline {
namespace {

/// What the hub keeps of one ledger's `stellar_ledger` row.
struct LedgerSummary {
  /// Unix seconds.
  int64_t close_time = 0;
  uint64_t successful = 0;
  uint64_t failed = 0;
  uint64_t operations = 0;
};

/// Reads close time and counts from a one-ledger `stellar_ledger` batch (the converter
/// already parsed the ledger: no second walk of its bytes).
arrow::Result<LedgerSummary> SummaryOf(const arrow::RecordBatch& ledger) {
  if (ledger.num_rows() != 1) {
    return arrow::Status::Invalid("stellar_ledger holds ", ledger.num_rows(),
                                  " rows for one ledger");
  }
  auto u32 = [&ledger](const char* name) -> arrow::Result<uint64_t> {
    auto column =
        std::dynamic_pointer_cast<arrow::UInt32Array>(ledger.GetColumnByName(name));
    if (column == nullptr) return arrow::Status::Invalid("stellar_ledger has no ", name);
    return column->Value(0);
  };
  auto close_time = std::dynamic_pointer_cast<arrow::TimestampArray>(
      ledger.GetColumnByName("ledger_close_time"));
  if (close_time == nullptr) {
    return arrow::Status::Invalid("stellar_ledger has no ledger_close_time");
  }
  LedgerSummary summary;
  summary.close_time = close_time->Value(0) / 1'000'000;
  ARROW_ASSIGN_OR_RAISE(summary.successful, u32("successful_transaction_count"));
  ARROW_ASSIGN_OR_RAISE(summary.failed, u32("failed_transaction_count"));
  ARROW_ASSIGN_OR_RAISE(summary.operations, u32("operation_count"));
  return summary;
}

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

arrow::Result<std::shared_ptr<LedgerHub>> LedgerHub::Start(
    std::unique_ptr<ingest::LedgerSource> source, uint32_t first_sequence,
    HubOptions options) {
  ARROW_ASSIGN_OR_RAISE(auto converter,
                        convert::LedgerConverter::Make(options.converter));
  auto hub = std::make_shared<LedgerHub>(std::move(source), first_sequence,
                                         std::move(options), std::move(converter));
  hub->thread_ = std::thread([raw = hub.get()] { raw->Run(); });
  return hub;
}

LedgerHub::LedgerHub(std::unique_ptr<ingest::LedgerSource> source,
                     uint32_t first_sequence, HubOptions options,
                     std::unique_ptr<convert::LedgerConverter> converter)
    : source_(std::move(source)),
      first_sequence_(first_sequence),
      options_(std::move(options)),
      converter_(std::move(converter)) {}

LedgerHub::~LedgerHub() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void LedgerHub::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  source_->Cancel();
  published_.notify_all();
}

void LedgerHub::Run() {
  arrow::Status status;
  while (status.ok()) {
    auto next = source_->Next();
    if (!next.ok()) {
      status = next.status();
    } else if (!next->has_value()) {
      status = arrow::Status::Cancelled("the live source ended");
    } else {
      int64_t received = UnixMicros();
      status = Publish(**next);
      ops::Log(ops::LogLevel::kDebug, "pipeline", "ledger published",
               {{"sequence", (*next)->sequence},
                {"received_unix_us", received},
                {"published_unix_us", UnixMicros()}});
    }
  }
  std::lock_guard lock(mutex_);
  if (!stopping_ && status.IsCancelled()) {
    ops::LogInfo("pipeline", "live source ended", {{"detail", status.ToString()}});
  } else if (!stopping_) {
    ops::LogError("pipeline", "live source failed", {{"error", status.ToString()}});
  }
  status_ = stopping_ ? arrow::Status::Cancelled("the server is stopping")
                      : status.WithMessage("live source: ", status.message());
  published_.notify_all();
}

arrow::Status LedgerHub::Publish(const ingest::SourcedLedger& ledger) {
  std::span<const uint8_t> bytes = ledger.bytes;
  ARROW_ASSIGN_OR_RAISE(auto chunk, converter_->Convert({&bytes, 1}));
  auto converted = std::make_shared<ConvertedLedger>();
  converted->sequence = ledger.sequence;
  for (convert::Table table : convert::kAllTables) {
    ARROW_ASSIGN_OR_RAISE(auto batch, chunk.batch(table));
    converted->bytes += arrow::util::TotalBufferSize(*batch);
    converted->tables[static_cast<size_t>(table)] = std::move(batch);
  }
  ARROW_ASSIGN_OR_RAISE(
      LedgerSummary summary,
      SummaryOf(*converted->tables[static_cast<size_t>(convert::Table::kStellarLedger)]));
  converted->close_time = summary.close_time;
  {
    std::lock_guard lock(mutex_);
    uint32_t expected =
        retained_.empty() ? first_sequence_ : retained_.back()->sequence + 1;
    if (ledger.sequence != expected) {
      return arrow::Status::Invalid("live source gave ledger ", ledger.sequence,
                                    " where ", expected, " was due");
    }
    converted->bytes_before = published_bytes_;
    published_bytes_ += converted->bytes;
    retained_bytes_ += converted->bytes;
    retained_.push_back(std::move(converted));
    ++converted_;
    successful_transactions_ += summary.successful;
    failed_transactions_ += summary.failed;
    operations_ += summary.operations;
    xdr_bytes_ += static_cast<int64_t>(ledger.bytes.size());
    Evict();
  }
  published_.notify_all();
  uint32_t per_segment = options_.segment_ledgers;
  if (per_segment > 1 && (ledger.sequence - first_sequence_ + 1) % per_segment == 0) {
    ARROW_RETURN_NOT_OK(Compact());
  }
  return arrow::Status::OK();
}

arrow::Status LedgerHub::Compact() {
  std::vector<std::shared_ptr<const ConvertedLedger>> ledgers;
  {
    std::lock_guard lock(mutex_);
    if (retained_.size() < options_.segment_ledgers) return arrow::Status::OK();
    ledgers.assign(retained_.end() - options_.segment_ledgers, retained_.end());
  }
  auto segment = std::make_shared<Segment>();
  segment->first = ledgers.front()->sequence;
  std::vector<std::shared_ptr<ConvertedLedger>> compacted;
  for (const auto& ledger : ledgers)
    compacted.push_back(std::make_shared<ConvertedLedger>(*ledger));
  for (size_t t = 0; t < convert::kAllTables.size(); ++t) {
    arrow::RecordBatchVector parts;
    for (const auto& ledger : ledgers) parts.push_back(ledger->tables[t]);
    ARROW_ASSIGN_OR_RAISE(segment->tables[t], arrow::ConcatenateRecordBatches(
                                                  parts, options_.converter.pool));
    int64_t offset = 0;
    for (auto& ledger : compacted) {
      int64_t rows = ledger->tables[t]->num_rows();
      ledger->segment_offsets[t] = offset;
      ledger->tables[t] = segment->tables[t]->Slice(offset, rows);
      offset += rows;
    }
  }
  std::lock_guard lock(mutex_);
  for (auto& ledger : compacted) {
    ledger->segment = segment;
    if (retained_.empty() || ledger->sequence < retained_.front()->sequence) continue;
    retained_[ledger->sequence - retained_.front()->sequence] = std::move(ledger);
  }
  return arrow::Status::OK();
}

void LedgerHub::Evict() {
  while (retained_.size() > 1 && retained_bytes_ > options_.retain_bytes) {
    retained_bytes_ -= retained_.front()->bytes;
    retained_.pop_front();
  }
}

HubLookup LedgerHub::Get(uint32_t cursor, size_t max_ledgers) const {
  HubLookup lookup;
  std::lock_guard lock(mutex_);
  lookup.status = stopping_ && status_.ok()
                      ? arrow::Status::Cancelled("the server is stopping")
                      : status_;
  lookup.oldest = retained_.empty() ? first_sequence_ : retained_.front()->sequence;
  if (cursor < lookup.oldest) {
    lookup.evicted = true;
    return lookup;
  }
  size_t index = cursor - lookup.oldest;
  if (index < retained_.size()) {
    lookup.bytes_behind = published_bytes_ - retained_[index]->bytes_before;
  }
  for (; index < retained_.size() && lookup.ledgers.size() < max_ledgers; ++index) {
    lookup.ledgers.push_back(retained_[index]);
  }
  return lookup;
}

void LedgerHub::WaitFor(uint32_t cursor, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  published_.wait_for(lock, timeout, [&] {
    return !status_.ok() || stopping_ ||
           (!retained_.empty() && retained_.back()->sequence >= cursor);
  });
}

std::optional<uint32_t> LedgerHub::newest() const {
  std::lock_guard lock(mutex_);
  if (retained_.empty()) return std::nullopt;
  return retained_.back()->sequence;
}

HubStats LedgerHub::stats() const {
  std::lock_guard lock(mutex_);
  HubStats stats;
  stats.ledgers_converted = converted_;
  stats.successful_transactions = successful_transactions_;
  stats.failed_transactions = failed_transactions_;
  stats.operations = operations_;
  stats.xdr_bytes = xdr_bytes_;
  stats.ledgers_retained = retained_.size();
  stats.bytes_retained = retained_bytes_;
  if (!retained_.empty()) {
    stats.newest = retained_.back()->sequence;
    stats.newest_close_time = retained_.back()->close_time;
  }
  return stats;
}

}  // namespace sas::pipeline
