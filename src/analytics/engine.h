// The live analytics engine: named aggregations updated from the pipeline (as a ledger
// sink), queried at any time, created and dropped at run time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "analytics/aggregation.h"
#include "pipeline/ledger_follower.h"

namespace sas::analytics {

/// Returns the built-in aggregations (payment_volume, payment_volume_usdc, tx_stats,
/// fee_stats, ledger_rate)
/// with tumbling windows of `window_size` (e.g. "1h").
arrow::Result<std::vector<AggregationDef>> BuiltinAggregations(
    const std::string& window_size);

/// Holds aggregations and feeds them every converted ledger. An aggregation whose update
/// fails (e.g. past ANALYTICS_BUFFER_SIZE) is stopped and reports its error; the others
/// go on.
class AnalyticsEngine : public pipeline::LedgerSink {
 public:
  /// Creates an engine whose aggregations may each hold `max_retained_values` input
  /// values for exact measures (ANALYTICS_BUFFER_SIZE).
  explicit AnalyticsEngine(size_t max_retained_values = SIZE_MAX)
      : max_retained_values_(max_retained_values) {}

  /// Adds an aggregation; its name must be new.
  arrow::Status Add(AggregationDef def);

  /// Removes an aggregation.
  arrow::Status Drop(const std::string& name);

  /// Returns the definitions, by name (with `"error"` for a stopped aggregation).
  std::vector<nlohmann::json> Definitions() const;

  /// Returns the current windows (final and open) of one aggregation; the error of a
  /// stopped one.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Results(
      const std::string& name) const;

  /// Returns one aggregation's windows as JSON, or every aggregation's when `name` is
  /// empty (only the newest window's rows when `newest_only`); nullopt for an unknown
  /// name.
  std::optional<std::string> ResultsJson(const std::string& name,
                                         bool newest_only = false) const;

  /// One exported measure: aggregation, measure column, group-by values (joined by ','),
  /// and its value in the newest window.
  struct ExportedValue {
    std::string aggregation;
    std::string measure;
    std::string group;
    double value = 0;
  };

  /// Returns the measures of the newest window of every aggregation defined with
  /// `"export": true` (numeric measures only; one per group).
  std::vector<ExportedValue> ExportedValues() const;

  /// Returns the bytes of state held by every aggregation.
  int64_t StateBytes() const;

  arrow::Status Consume(const pipeline::ConvertedLedgers& ledgers) override;

  /// Returns the number of chunks consumed so far (the version of every result).
  uint64_t version() const;

  /// Waits until the version passes `seen` or `timeout` elapses; returns the version.
  uint64_t WaitForUpdate(uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable updated_;
  std::map<std::string, std::unique_ptr<Aggregation>> aggregations_;
  /// Aggregations stopped by a failed update, and why.
  std::map<std::string, arrow::Status> stopped_;
  size_t max_retained_values_;
  uint64_t version_ = 0;
};

}  // namespace sas::analytics
