// A consumer of the live pipeline on its own thread (the archive, the analytics engine):
// it follows the hub with a cursor from a start ledger, reads what the hub no longer
// holds from history, and hands chunks of converted ledgers to a sink, in order, each
// ledger exactly once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <arrow/status.h>

#include "pipeline/chunk_reader.h"
#include "pipeline/ledger_hub.h"
#include "pipeline/table_stream.h"

namespace sas::pipeline {

/// Receives converted ledgers in order.
class LedgerSink {
 public:
  virtual ~LedgerSink() = default;

  /// Takes a chunk of consecutive converted ledgers.
  virtual arrow::Status Consume(const ConvertedLedgers& ledgers) = 0;

  /// Called about every `tick` while the follower runs (periodic flushes).
  virtual arrow::Status Tick() { return arrow::Status::OK(); }

  /// Called once when the follower stops.
  virtual arrow::Status Close() { return arrow::Status::OK(); }

  /// Called after a failed step: drops what the sink held uncommitted and returns the
  /// ledger to go on from (nullopt: where the follower was).
  virtual std::optional<uint32_t> Rewind() { return std::nullopt; }
};

/// Follows a hub into a sink on a background thread.
class LedgerFollower {
 public:
  /// Starts following `hub` from `start` into `sink` (named `name` in logs).
  LedgerFollower(std::string name, std::shared_ptr<LedgerHub> hub, HistoryOpener history,
                 convert::ConverterOptions converter, uint32_t start,
                 std::shared_ptr<LedgerSink> sink,
                 std::chrono::milliseconds tick = std::chrono::seconds(1));

  /// Stops and joins the thread, then closes the sink.
  ~LedgerFollower();

  /// Returns the next ledger the follower will hand to the sink.
  uint32_t cursor() const { return cursor_.load(); }

  /// Returns ledgers skipped because they were neither held nor in history.
  uint64_t skipped() const { return skipped_.load(); }

 private:
  void Run();
  arrow::Status Step();
  arrow::Status FromHistory(uint32_t last);

  std::string name_;
  std::shared_ptr<LedgerHub> hub_;
  HistoryOpener history_;
  convert::ConverterOptions converter_;
  std::shared_ptr<LedgerSink> sink_;
  std::chrono::milliseconds tick_;
  std::atomic<uint32_t> cursor_;
  std::atomic<uint64_t> skipped_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sas::pipeline
