#include "analytics/engine.h"

#include <algorithm>

#include <arrow/array.h>
#include <arrow/scalar.h>

#include "convert/batch_writer.h"
#include "ops/log.h"

namespace sas::analytics {
namespace {

/// Final windows kept per live aggregation.
constexpr size_t kLiveFinalWindows = 1000;

nlohmann::json Tumbling(const std::string& size) {
  return {{"type", "tumbling"}, {"size", size}};
}

}  // namespace

arrow::Result<std::vector<AggregationDef>> BuiltinAggregations(
    const std::string& window_size) {
  nlohmann::json window = Tumbling(window_size);
  nlohmann::json defs = nlohmann::json::array({
      {{"name", "payment_volume"},
       {"table", "token_transfers"},
       {"filters", {{{"field", "event_type"}, {"op", "eq"}, {"value", "transfer"}}}},
       {"group_by", {"asset"}},
       {"measures", {{{"type", "sum"}, {"field", "amount"}}, {{"type", "count"}}}},
       {"window", window},
       {"export", true}},
      {{"name", "payment_volume_usdc"},
       {"table", "token_transfers"},
       {"filters",
        {{{"field", "event_type"}, {"op", "eq"}, {"value", "transfer"}},
         {{"field", "asset_code"}, {"op", "eq"}, {"value", "USDC"}}}},
       {"group_by", {"asset"}},
       {"measures", {{{"type", "sum"}, {"field", "amount"}}, {{"type", "count"}}}},
       {"window", window},
       {"export", true}},
      {{"name", "tx_stats"},
       {"table", "transactions"},
       {"measures",
        {{{"type", "count"}},
         {{"type", "avg"}, {"field", "successful"}},
         {{"type", "sum"}, {"field", "operation_count"}},
         {{"type", "avg"}, {"field", "operation_count"}}}},
       {"window", window},
       {"export", true}},
      {{"name", "fee_stats"},
       {"table", "transactions"},
       {"measures",
        {{{"type", "percentile"}, {"field", "fee_charged"}, {"p", 50}},
         {{"type", "percentile"}, {"field", "fee_charged"}, {"p", 90}},
         {{"type", "percentile"}, {"field", "fee_charged"}, {"p", 99}},
         {{"type", "max"}, {"field", "fee_charged"}}}},
       {"window", window},
       {"export", true}},
      {{"name", "ledger_rate"},
       {"table", "stellar_ledger"},
       {"measures",
        {{{"type", "count"}},
         {{"type", "min"}, {"field", "ledger_sequence"}},
         {{"type", "max"}, {"field", "ledger_sequence"}},
         {{"type", "min"}, {"field", "ledger_close_time"}},
         {{"type", "max"}, {"field", "ledger_close_time"}}}},
       {"window", window},
       {"export", true}},
  });
  std::vector<AggregationDef> parsed;
  for (const auto& def : defs) {
    ARROW_ASSIGN_OR_RAISE(auto one, ParseAggregation(def));
    parsed.push_back(std::move(one));
  }
  return parsed;
}

arrow::Status AnalyticsEngine::Add(AggregationDef def) {
  std::string name = def.name;
  ARROW_ASSIGN_OR_RAISE(
      auto aggregation,
      Aggregation::Make(std::move(def), kLiveFinalWindows, max_retained_values_));
  std::lock_guard lock(mutex_);
  if (!aggregations_.emplace(name, std::move(aggregation)).second) {
    return arrow::Status::AlreadyExists("an aggregation named '", name, "' exists");
  }
  return arrow::Status::OK();
}

arrow::Status AnalyticsEngine::Drop(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (aggregations_.erase(name) == 0) {
    return arrow::Status::KeyError("no aggregation named '", name, "'");
  }
  stopped_.erase(name);
  return arrow::Status::OK();
}

std::vector<nlohmann::json> AnalyticsEngine::Definitions() const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> defs;
  for (const auto& [name, aggregation] : aggregations_) {
    nlohmann::json def = aggregation->def().source;
    if (auto stopped = stopped_.find(name); stopped != stopped_.end()) {
      def["error"] = stopped->second.message();
    }
    defs.push_back(std::move(def));
  }
  return defs;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> AnalyticsEngine::Results(
    const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = aggregations_.find(name);
  if (found == aggregations_.end()) {
    return arrow::Status::KeyError("no aggregation named '", name, "'");
  }
  if (auto stopped = stopped_.find(name); stopped != stopped_.end()) {
    return stopped->second.WithMessage("stopped: ", stopped->second.message());
  }
  return found->second->Results(true);
}

namespace {

/// The value of a numeric cell as a double; nullopt for null or non-numeric cells.
std::optional<double> NumericCell(const arrow::Array& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  switch (column.type_id()) {
    case arrow::Type::INT64:
      return static_cast<double>(
          static_cast<const arrow::Int64Array&>(column).Value(row));
    case arrow::Type::UINT64:
      return static_cast<double>(
          static_cast<const arrow::UInt64Array&>(column).Value(row));
    case arrow::Type::UINT32:
      return static_cast<double>(
          static_cast<const arrow::UInt32Array&>(column).Value(row));
    case arrow::Type::DOUBLE:
      return static_cast<const arrow::DoubleArray&>(column).Value(row);
    case arrow::Type::DECIMAL128: {
      const auto& decimals = static_cast<const arrow::Decimal128Array&>(column);
      return arrow::Decimal128(decimals.GetValue(row)).ToDouble(0);
    }
    default:
      return std::nullopt;
  }
}

/// The group-by values of a result row, joined by ','.
std::string GroupLabel(const arrow::RecordBatch& results,
                       const std::vector<std::string>& group_by, int64_t row) {
  std::string label;
  for (const auto& name : group_by) {
    if (!label.empty()) label += ",";
    auto scalar = results.GetColumnByName(name)->GetScalar(row);
    if (scalar.ok() && (*scalar)->is_valid) label += (*scalar)->ToString();
  }
  return label;
}

/// Returns the rows of `results` whose window starts last (results are in window order).
std::shared_ptr<arrow::RecordBatch> NewestWindowRows(const arrow::RecordBatch& results) {
  auto starts = std::static_pointer_cast<arrow::TimestampArray>(
      results.GetColumnByName("window_start"));
  if (!starts || starts->length() == 0) return results.Slice(0, 0);
  int64_t newest = starts->Value(starts->length() - 1);
  int64_t first = starts->length() - 1;
  while (first > 0 && starts->Value(first - 1) == newest) --first;
  return results.Slice(first);
}

/// Adds the measures of the rows of `results` in its newest window to `out`.
void ExportNewestWindow(const AggregationDef& def, const arrow::RecordBatch& results,
                        std::vector<AnalyticsEngine::ExportedValue>* out) {
  auto newest = NewestWindowRows(results);
  for (int64_t row = 0; row < newest->num_rows(); ++row) {
    std::string group = GroupLabel(*newest, def.group_by, row);
    for (const MeasureDef& measure : def.measures) {
      auto column = newest->GetColumnByName(measure.column);
      if (!column) continue;
      if (auto value = NumericCell(*column, row)) {
        out->push_back({def.name, measure.column, group, *value});
      }
    }
  }
}

}  // namespace

std::vector<AnalyticsEngine::ExportedValue> AnalyticsEngine::ExportedValues() const {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, aggregation] : aggregations_) {
      if (aggregation->def().export_metrics) names.push_back(name);
    }
  }
  std::vector<ExportedValue> out;
  for (const auto& name : names) {
    auto results = Results(name);
    if (!results.ok()) continue;  // dropped meanwhile
    std::lock_guard lock(mutex_);
    auto found = aggregations_.find(name);
    if (found == aggregations_.end()) continue;
    ExportNewestWindow(found->second->def(), **results, &out);
  }
  return out;
}

std::optional<std::string> AnalyticsEngine::ResultsJson(const std::string& name,
                                                        bool newest_only) const {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [n, aggregation] : aggregations_) {
      if (name.empty() || n == name) names.push_back(n);
    }
  }
  if (!name.empty() && names.empty()) return std::nullopt;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& n : names) {
    auto results = Results(n);
    if (!results.ok()) {
      out[n] = {{"error", results.status().message()}};
      continue;
    }
    std::shared_ptr<arrow::RecordBatch> rows = *results;
    if (newest_only) rows = NewestWindowRows(*rows);
    std::string lines;
    if (!convert::AppendJsonLines(*rows, &lines).ok()) continue;
    nlohmann::json parsed = nlohmann::json::array();
    size_t begin = 0;
    while (begin < lines.size()) {
      size_t end = lines.find('\n', begin);
      parsed.push_back(nlohmann::json::parse(lines.substr(begin, end - begin)));
      begin = end + 1;
    }
    out[n] = std::move(parsed);
  }
  return name.empty() ? out.dump() : out[name].dump();
}

int64_t AnalyticsEngine::StateBytes() const {
  std::lock_guard lock(mutex_);
  int64_t bytes = 0;
  for (const auto& [name, aggregation] : aggregations_)
    bytes += aggregation->StateBytes();
  return bytes;
}

arrow::Status AnalyticsEngine::Consume(const pipeline::ConvertedLedgers& ledgers) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, aggregation] : aggregations_) {
      if (stopped_.count(name) > 0) continue;
      ARROW_ASSIGN_OR_RAISE(auto rows, ledgers.chunk.batch(aggregation->def().table));
      arrow::Status status = aggregation->Update(ledgers.ledgers, rows);
      if (!status.ok()) {
        ops::LogError("analytics", "aggregation stopped",
                      {{"aggregation", name}, {"error", status.ToString()}});
        stopped_.emplace(name, std::move(status));
      }
    }
    ++version_;
  }
  updated_.notify_all();
  return arrow::Status::OK();
}

uint64_t AnalyticsEngine::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

uint64_t AnalyticsEngine::WaitForUpdate(uint64_t seen,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  updated_.wait_for(lock, timeout, [&] { return version_ > seen; });
  return version_;
}

}  // namespace sas::analytics
