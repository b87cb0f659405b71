#include "analytics/engine.h"

#include "convert/batch_writer.h"

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
       {"window", window}},
      {{"name", "payment_volume_usdc"},
       {"table", "token_transfers"},
       {"filters",
        {{{"field", "event_type"}, {"op", "eq"}, {"value", "transfer"}},
         {{"field", "asset_code"}, {"op", "eq"}, {"value", "USDC"}}}},
       {"group_by", {"asset"}},
       {"measures", {{{"type", "sum"}, {"field", "amount"}}, {{"type", "count"}}}},
       {"window", window}},
      {{"name", "tx_stats"},
       {"table", "transactions"},
       {"measures",
        {{{"type", "count"}},
         {{"type", "avg"}, {"field", "successful"}},
         {{"type", "sum"}, {"field", "operation_count"}},
         {{"type", "avg"}, {"field", "operation_count"}}}},
       {"window", window}},
      {{"name", "fee_stats"},
       {"table", "transactions"},
       {"measures",
        {{{"type", "percentile"}, {"field", "fee_charged"}, {"p", 50}},
         {{"type", "percentile"}, {"field", "fee_charged"}, {"p", 90}},
         {{"type", "percentile"}, {"field", "fee_charged"}, {"p", 99}},
         {{"type", "max"}, {"field", "fee_charged"}}}},
       {"window", window}},
      {{"name", "ledger_rate"},
       {"table", "stellar_ledger"},
       {"measures",
        {{{"type", "count"}},
         {{"type", "min"}, {"field", "ledger_sequence"}},
         {{"type", "max"}, {"field", "ledger_sequence"}}}},
       {"window", window}},
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
  ARROW_ASSIGN_OR_RAISE(auto aggregation,
                        Aggregation::Make(std::move(def), kLiveFinalWindows));
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
  return arrow::Status::OK();
}

std::vector<nlohmann::json> AnalyticsEngine::Definitions() const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> defs;
  for (const auto& [name, aggregation] : aggregations_)
    defs.push_back(aggregation->def().source);
  return defs;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> AnalyticsEngine::Results(
    const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = aggregations_.find(name);
  if (found == aggregations_.end()) {
    return arrow::Status::KeyError("no aggregation named '", name, "'");
  }
  return found->second->Results(true);
}

std::optional<std::string> AnalyticsEngine::ResultsJson(const std::string& name) const {
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
    std::string lines;
    if (!results.ok() || !convert::AppendJsonLines(**results, &lines).ok()) continue;
    nlohmann::json rows = nlohmann::json::array();
    size_t begin = 0;
    while (begin < lines.size()) {
      size_t end = lines.find('\n', begin);
      rows.push_back(nlohmann::json::parse(lines.substr(begin, end - begin)));
      begin = end + 1;
    }
    out[n] = std::move(rows);
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
      ARROW_ASSIGN_OR_RAISE(auto rows, ledgers.chunk.batch(aggregation->def().table));
      ARROW_RETURN_NOT_OK(aggregation->Update(ledgers.ledgers, rows));
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
