#include "ingest/lake_source.h"

#include <atomic>
#include <thread>

#include <arrow/io/interfaces.h>
#include <arrow/util/thread_pool.h>

namespace sas::ingest {
namespace {

/// Reads one batch: retries transient failures with exponential backoff; a missing object
/// is final inside a bounded range and awaited (polled) in a live tail.
arrow::Result<std::vector<SourcedLedger>> FetchBatch(GalexieLake& lake, uint32_t sequence,
                                                     const LakeSourceOptions& options,
                                                     bool tail,
                                                     const std::atomic<bool>& stop) {
  auto backoff = options.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    auto batch = lake.ReadBatch(sequence);
    if (batch.ok() || stop.load()) return batch;
    if (batch.status().IsKeyError()) {
      if (!tail) return batch.status();
      std::this_thread::sleep_for(options.tail_poll);
      attempt = 0;
      continue;
    }
    if (attempt >= options.max_attempts) {
      return batch.status().WithMessage(batch.status().message(), " (after ", attempt,
                                        " attempts)");
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

int64_t BatchBytes(const std::vector<SourcedLedger>& batch) {
  int64_t bytes = 0;
  for (const auto& ledger : batch) bytes += static_cast<int64_t>(ledger.bytes.size());
  return bytes;
}

}  // namespace

struct LakeLedgerSource::Stop {
  std::atomic<bool> requested{false};
};

arrow::Result<std::unique_ptr<LakeLedgerSource>> LakeLedgerSource::Open(
    LakeSourceOptions options) {
  if (options.end && *options.end < options.start) {
    return arrow::Status::Invalid("end ", *options.end, " is before start ",
                                  options.start);
  }
  if (options.workers < 1 || options.prefetch_bytes < 1) {
    return arrow::Status::Invalid("workers and prefetch bytes must be positive");
  }
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<GalexieLake> lake,
                        GalexieLake::Open(options.uri, options.network_passphrase));
  return std::make_unique<LakeLedgerSource>(std::move(options), std::move(lake));
}

LakeLedgerSource::LakeLedgerSource(LakeSourceOptions options,
                                   std::shared_ptr<GalexieLake> lake)
    : options_(std::move(options)),
      lake_(std::move(lake)),
      stop_(std::make_shared<Stop>()),
      next_request_(options_.start),
      next_ledger_(options_.start) {}

LakeLedgerSource::~LakeLedgerSource() {
  stop_->requested = true;
  for (auto& future : pending_) future.Wait();
}

void LakeLedgerSource::Cancel() { stop_->requested = true; }

int64_t LakeLedgerSource::ReadyBytes() const {
  int64_t bytes = 0;
  for (const auto& future : pending_) {
    if (future.is_finished() && future.result().ok())
      bytes += BatchBytes(*future.result());
  }
  return bytes;
}

void LakeLedgerSource::FillPipeline() {
  uint32_t per_batch = lake_->manifest().ledgers_per_batch;
  while (static_cast<int>(pending_.size()) < options_.workers &&
         !PastEnd(next_request_) && ReadyBytes() < options_.prefetch_bytes) {
    uint32_t sequence = next_request_;
    bool tail = !options_.end.has_value();
    auto fetch = [lake = lake_, sequence, options = options_, tail, stop = stop_] {
      return FetchBatch(*lake, sequence, options, tail, stop->requested);
    };
    auto submitted = arrow::io::default_io_context().executor()->Submit(std::move(fetch));
    if (!submitted.ok()) {
      pending_.push_back(arrow::Future<Batch>::MakeFinished(submitted.status()));
    } else {
      pending_.push_back(std::move(*submitted));
    }
    next_request_ = (sequence / per_batch + 1) * per_batch;
  }
}

arrow::Result<std::optional<SourcedLedger>> LakeLedgerSource::Next() {
  while (true) {
    while (current_index_ < current_.size()) {
      SourcedLedger& ledger = current_[current_index_++];
      if (ledger.sequence < next_ledger_) continue;
      if (PastEnd(ledger.sequence)) return std::nullopt;
      ++next_ledger_;
      return std::move(ledger);
    }
    if (PastEnd(next_ledger_)) return std::nullopt;
    FillPipeline();
    if (pending_.empty()) return arrow::Status::Invalid("lake source: nothing requested");
    arrow::Future<Batch> front = std::move(pending_.front());
    pending_.pop_front();
    auto batch = front.result();
    if (stop_->requested) return arrow::Status::Cancelled("lake source cancelled");
    ARROW_ASSIGN_OR_RAISE(current_, std::move(batch));
    current_index_ = 0;
    FillPipeline();
  }
}

}  // namespace sas::ingest
