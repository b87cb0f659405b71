// LedgerSource over a Galexie lake: batch objects fetched and decompressed ahead of the
// consumer on Arrow's IO thread pool (bounded in bytes and in requests in flight), order
// preserved, transient errors retried with exponential backoff, and past the newest
// object a live tail that polls for new ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <arrow/util/future.h>

#include "ingest/galexie_lake.h"
#include "ingest/ledger_source.h"

namespace sas::ingest {

/// How a lake is read.
struct LakeSourceOptions {
  std::string uri;
  /// Must equal the lake's manifest when not empty.
  std::string network_passphrase;
  uint32_t start = 2;
  /// Last ledger; without one the source tails the lake forever.
  std::optional<uint32_t> end;
  /// Bound on fetched-but-undelivered decompressed bytes.
  int64_t prefetch_bytes = int64_t{256} << 20;
  /// Objects requested at once.
  int workers = 4;
  /// Attempts for an object failing with a transient error.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  /// How often the live tail looks for the next object.
  std::chrono::milliseconds tail_poll{1000};
};

/// Reads a lake as a LedgerSource.
class LakeLedgerSource : public LedgerSource {
 public:
  /// Opens the lake (manifest checked against the network).
  static arrow::Result<std::unique_ptr<LakeLedgerSource>> Open(LakeSourceOptions options);

  arrow::Result<std::optional<SourcedLedger>> Next() override;

  void Cancel() override;

  /// Returns the lake read.
  const std::shared_ptr<GalexieLake>& lake() const { return lake_; }

  /// Use Open().
  LakeLedgerSource(LakeSourceOptions options, std::shared_ptr<GalexieLake> lake);
  ~LakeLedgerSource() override;

 private:
  using Batch = std::vector<SourcedLedger>;
  struct Stop;

  void FillPipeline();
  int64_t ReadyBytes() const;
  bool PastEnd(uint32_t sequence) const {
    return options_.end && sequence > *options_.end;
  }

  LakeSourceOptions options_;
  std::shared_ptr<GalexieLake> lake_;
  /// Set when the source is destroyed: fetches (and tail polls) give up.
  std::shared_ptr<Stop> stop_;
  /// Batches requested, in ledger order.
  std::deque<arrow::Future<Batch>> pending_;
  /// First ledger of the next batch to request.
  uint32_t next_request_;
  /// Next ledger to deliver.
  uint32_t next_ledger_;
  Batch current_;
  size_t current_index_ = 0;
};

}  // namespace sas::ingest
