// The live analytics engine: named aggregations updated from the pipeline (as a ledger
// sink), queried at any time, created and dropped at run time.
#pragma once

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

/// Returns the built-in aggregations (payment_volume, tx_stats, fee_stats, ledger_rate)
/// with tumbling windows of `window_size` (e.g. "1h").
arrow::Result<std::vector<AggregationDef>> BuiltinAggregations(
    const std::string& window_size);

/// Holds aggregations and feeds them every converted ledger.
class AnalyticsEngine : public pipeline::LedgerSink {
 public:
  /// Adds an aggregation; its name must be new.
  arrow::Status Add(AggregationDef def);

  /// Removes an aggregation.
  arrow::Status Drop(const std::string& name);

  /// Returns the definitions, by name.
  std::vector<nlohmann::json> Definitions() const;

  /// Returns the current windows (final and open) of one aggregation.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Results(
      const std::string& name) const;

  /// Returns one aggregation's windows as JSON, or every aggregation's when `name` is
  /// empty; nullopt for an unknown name.
  std::optional<std::string> ResultsJson(const std::string& name) const;

  /// Returns the bytes of state held by every aggregation.
  int64_t StateBytes() const;

  arrow::Status Consume(const pipeline::ConvertedLedgers& ledgers) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Aggregation>> aggregations_;
};

}  // namespace sas::analytics
