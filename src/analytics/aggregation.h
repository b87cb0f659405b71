// One aggregation over a table: filters (Arrow compute), group-by columns, measures with
// mergeable partial states, and event-time windows (tumbling, sliding, last N ledgers)
// built from per-slide panes. Definition format: docs/ANALYTICS.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "analytics/value.h"
#include "convert/ledger_converter.h"
#include "pipeline/chunk_reader.h"

namespace sas::analytics {

/// Kinds of measure.
enum class MeasureType {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kDistinct,
  kPercentile,
  kStddev
};

/// One measure of an aggregation.
struct MeasureDef {
  MeasureType type = MeasureType::kCount;
  /// Input column; empty for a row count.
  std::string field;
  /// Percentile in (0, 100].
  double p = 50;
  /// Percentiles: exact (every value kept, nearest rank) or a t-digest (the default).
  bool exact = false;
  /// Population (not sample) standard deviation.
  bool population = false;
  /// Distinct: this column lists the distinct values (sorted) instead of counting them.
  bool values = false;
  /// Result column name (`sum_amount`, `count`, `p99_amount`, ...).
  std::string column;
};

/// Kinds of window.
enum class WindowType { kTumbling, kSliding, kLedgers };

/// A window on event time (ledger close time) or on a number of ledgers.
struct WindowDef {
  WindowType type = WindowType::kTumbling;
  /// Size and slide in seconds (tumbling: slide == size); ledger count for kLedgers.
  int64_t size = 60;
  int64_t slide = 60;
};

/// A validated aggregation definition.
struct AggregationDef {
  std::string name;
  convert::Table table = convert::Table::kOperations;
  /// Conjunction of the filters, bound to the table schema (nullopt: every row).
  std::optional<arrow::compute::Expression> filter;
  std::vector<std::string> group_by;
  std::vector<MeasureDef> measures;
  WindowDef window;
  /// Export the newest window's measures as Prometheus gauges (`"export": true`).
  bool export_metrics = false;
  /// The definition as given.
  nlohmann::json source;
};

/// Parses and validates `{"aggregations": [...]}` against the table schemas.
arrow::Result<std::vector<AggregationDef>> ParseAggregations(const std::string& json);

/// Parses one aggregation object.
arrow::Result<AggregationDef> ParseAggregation(const nlohmann::json& json);

/// Parses a duration such as `30s`, `5m`, `1h`, `1d` into seconds.
arrow::Result<int64_t> ParseDuration(std::string_view text);

/// Computes an aggregation incrementally as ledgers arrive in order.
class Aggregation {
 public:
  /// Creates the state of `def`; at most `max_final_windows` final windows are kept, and
  /// at most `max_retained_values` input values for exact measures (an update past it
  /// fails with CapacityError).
  static arrow::Result<std::unique_ptr<Aggregation>> Make(
      AggregationDef def, size_t max_final_windows = 10000,
      size_t max_retained_values = SIZE_MAX);

  /// Adds the rows (of the aggregation's table) of consecutive `ledgers`.
  arrow::Status Update(std::span<const pipeline::LedgerInfo> ledgers,
                       const std::shared_ptr<arrow::RecordBatch>& rows);

  /// Returns the kept final windows and, when `include_open`, the open ones, in window
  /// order, one row per window and group.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Results(bool include_open) const;

  /// Returns the result schema.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

  /// Returns the definition.
  const AggregationDef& def() const { return def_; }

  /// Returns an estimate of the bytes of state held.
  int64_t StateBytes() const;

  /// Returns the input values held for exact measures (exact percentiles keep every
  /// value, distinct every distinct value) across the open panes.
  size_t RetainedValues() const;

  struct MeasureState;
  struct GroupState;
  using Groups = std::map<std::vector<Value>, GroupState>;

  /// Use Make().
  Aggregation(AggregationDef def, std::shared_ptr<arrow::Schema> input,
              std::shared_ptr<arrow::Schema> schema, size_t max_final_windows,
              size_t max_retained_values);
  ~Aggregation();

 private:
  /// Fails when the exact measures hold more values than allowed.
  arrow::Status CheckRetainedValues() const;

  /// A window's merged groups, ready to be written.
  struct WindowResult {
    int64_t start = 0;
    int64_t end = 0;
    bool final = false;
    std::shared_ptr<Groups> groups;
  };

  /// The groups of one batch's rows: a key per group id, a group id per row.
  struct BatchGroups {
    std::vector<std::vector<Value>> keys;
    std::vector<uint32_t> ids;
  };
  /// Groups the rows of `rows` (its group-by columns) with Arrow's Grouper.
  arrow::Result<BatchGroups> GroupRows(const arrow::RecordBatch& rows) const;
  /// Adds one row's measures to its group.
  void AddRow(GroupState* group, const arrow::RecordBatch& rows, int64_t row);
  int64_t PaneOf(const pipeline::LedgerInfo& ledger) const;
  WindowResult MergeWindow(int64_t window) const;
  /// Whether measure `measure` reads a floating-point column (its sums are doubles).
  bool IsFloating(size_t measure) const;
  /// Finalizes the windows that end by `newest_time`, each keeping only its results.
  void FinalizeUpTo(int64_t newest_time);
  arrow::Status AppendWindow(
      const WindowResult& window,
      std::vector<std::unique_ptr<arrow::ArrayBuilder>>* builders) const;

  AggregationDef def_;
  std::shared_ptr<arrow::Schema> input_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<int> group_columns_;
  std::vector<int> measure_columns_;
  /// Input columns an update reads, and where the group and measure columns are in them.
  std::vector<int> used_columns_;
  std::vector<int> group_positions_;
  std::vector<int> measure_positions_;
  size_t max_final_windows_;
  size_t max_retained_values_;
  /// True when a measure keeps input values (exact percentiles, distinct): only then is
  /// RetainedValues() checked after an update.
  bool retains_values_;
  /// Partial aggregates per pane (slide period, or ledger for kLedgers windows).
  std::map<int64_t, Groups> panes_;
  /// Close time of each retained ledger pane (kLedgers windows).
  std::map<int64_t, int64_t> ledger_times_;
  std::deque<WindowResult> final_;
  /// First window index not yet final.
  std::optional<int64_t> next_window_;
  int64_t newest_time_ = 0;
};

}  // namespace sas::analytics
