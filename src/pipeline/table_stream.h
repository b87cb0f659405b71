// The rows of one table over a ledger range (or from a ledger on, forever), in ledger
// order, each ledger exactly once: older ledgers from a history source (a lake) and
// converted on the reader's thread, newer ones from the live hub without conversion.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "convert/ledger_converter.h"
#include "ingest/ledger_source.h"
#include "pipeline/ledger_hub.h"

namespace sas::pipeline {

/// Opens a history source from `start` to `end` (inclusive; nullopt: follow it forever).
using HistoryOpener = std::function<arrow::Result<std::unique_ptr<ingest::LedgerSource>>(
    uint32_t start, std::optional<uint32_t> end)>;

/// Which rows to stream.
struct TableRange {
  convert::Table table = convert::Table::kStellarLedger;
  /// First ledger; nullopt: the newest ledger the hub has when the stream starts.
  std::optional<uint32_t> start;
  /// Last ledger; nullopt: follow the live source forever.
  std::optional<uint32_t> end;
};

/// How a stream reads.
struct TableStreamOptions {
  /// Most rows per batch.
  int64_t batch_rows = 1000;
  /// Ledgers of history converted at once.
  size_t history_chunk = 64;
  /// Converter settings of history ledgers (the table is set by the stream).
  convert::ConverterOptions converter;
  /// Polled while waiting; true ends the stream with Cancelled.
  std::function<bool()> cancelled = [] { return false; };
  /// How long one wait for the live source lasts before `cancelled` is polled again.
  std::chrono::milliseconds poll{100};
  /// A live tail that was once within this many bytes of converted ledgers of the
  /// newest one and falls further behind is ended with CapacityError (0: never).
  int64_t max_lag_bytes = 0;
};

/// Pull-based stream of one table's rows.
class TableStream {
 public:
  /// Creates a stream; `hub` may be null (history only) and `history` empty (live only).
  static arrow::Result<std::unique_ptr<TableStream>> Make(TableRange range,
                                                          std::shared_ptr<LedgerHub> hub,
                                                          HistoryOpener history,
                                                          TableStreamOptions options);

  /// Returns the next batch (never empty), or null once the range's end was delivered.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Next();

  /// Makes a blocked or later Next() return Cancelled, a blocked history read too; safe
  /// from any thread while the stream lives.
  void Cancel();

  /// Returns the schema of every batch.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

  /// Returns the next ledger the stream will read.
  uint32_t cursor() const { return cursor_; }

  /// Returns true once the stream was ended for falling behind the live source (too far
  /// behind, or past what it holds with no history to fall back on).
  bool fell_behind() const { return fell_behind_; }

  /// Use Make().
  TableStream(TableRange range, std::shared_ptr<LedgerHub> hub, HistoryOpener history,
              TableStreamOptions options,
              std::unique_ptr<convert::LedgerConverter> converter);

 private:
  bool Done() const { return range_.end && cursor_ > *range_.end; }
  bool Cancelled() const { return cancel_requested_.load() || options_.cancelled(); }
  /// Replaces the open history source (the old one is closed).
  arrow::Status SetHistorySource(std::unique_ptr<ingest::LedgerSource> source);
  /// Queues one batch of whole ledgers the hub holds, all of one segment or all loose;
  /// false when it holds none.
  arrow::Result<bool> TakeFromHub(HubLookup* lookup);
  /// Queues rows of up to one chunk of history ledgers before `limit`.
  arrow::Status TakeFromHistory(std::optional<uint32_t> limit);
  /// Ends a live tail that fell too far behind after it had kept up.
  arrow::Status CheckLag(const HubLookup& lookup);
  /// Queues `batch` in slices of at most batch_rows rows.
  void Enqueue(const std::shared_ptr<arrow::RecordBatch>& batch);

  TableRange range_;
  std::shared_ptr<LedgerHub> hub_;
  HistoryOpener history_;
  TableStreamOptions options_;
  std::unique_ptr<convert::LedgerConverter> converter_;
  std::shared_ptr<arrow::Schema> schema_;
  /// Guards history_source_ against Cancel() from another thread.
  std::mutex history_mutex_;
  std::unique_ptr<ingest::LedgerSource> history_source_;
  std::atomic<bool> cancel_requested_{false};
  /// Last ledger the open history source delivers (nullopt: it follows forever).
  std::optional<uint32_t> history_end_;
  uint32_t cursor_ = 0;
  /// A live tail came within max_lag_bytes of the newest ledger.
  bool within_lag_ = false;
  bool fell_behind_ = false;
  std::deque<std::shared_ptr<arrow::RecordBatch>> ready_;
};

}  // namespace sas::pipeline
