// Analytics benchmarks: the cost of one incremental update of the built-in aggregations
// (payment_volume, tx_stats, fee_stats, ledger_rate) per pubnet-like generator ledger,
// reported as p50 and p99 microseconds over many ledgers; and, when SAS_ONESHOT_LAKE,
// _FIRST, _LAST and _CONFIG are set (bench/analytics_oneshot.py), one aggregation over a
// whole lake's converted tables held in memory (the same Arrow data DuckDB is given),
// timed alone on one thread: reading and converting happen before the clock starts.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <arrow/compute/initialize.h>
#include <benchmark/benchmark.h>

#include "analytics/engine.h"
#include "ingest/generator.h"
#include "ingest/source_uri.h"
#include "pipeline/chunk_reader.h"
#include "xdr/ledger_close_meta.h"

namespace {

using sas::pipeline::ConvertedLedgers;

constexpr int kLedgers = 200;

/// Pubnet-like generator ledgers, each converted into every table.
const std::vector<ConvertedLedgers>& Ledgers() {
  static const std::vector<ConvertedLedgers> ledgers = [] {
    std::vector<ConvertedLedgers> out;
    sas::ingest::GeneratorOptions options;
    sas::ingest::LedgerGenerator generator(options);
    sas::convert::ConverterOptions converter_options;
    converter_options.network_passphrase = options.network_passphrase;
    auto converter = sas::convert::LedgerConverter::Make(converter_options).ValueOrDie();
    for (int i = 0; i < kLedgers; ++i) {
      uint32_t sequence = generator.next_sequence();
      std::vector<uint8_t> bytes = generator.Next();
      std::span<const uint8_t> span(bytes);
      ConvertedLedgers ledger;
      auto frame = sas::xdr::LedgerCloseMetaFrame::Parse(span).ValueOrDie();
      ledger.ledgers.push_back(
          {sequence, static_cast<int64_t>(frame.header().scpValue().closeTime()),
           static_cast<int64_t>(bytes.size())});
      ledger.chunk = *converter->Convert({&span, 1});
      out.push_back(std::move(ledger));
    }
    return out;
  }();
  return ledgers;
}

void BM_BuiltinUpdatePerLedger(benchmark::State& state) {
  (void)arrow::compute::Initialize();
  const auto& ledgers = Ledgers();
  std::vector<double> micros;
  for (auto _ : state) {
    sas::analytics::AnalyticsEngine engine;
    for (auto& def : *sas::analytics::BuiltinAggregations("1h"))
      (void)engine.Add(std::move(def));
    for (const auto& ledger : ledgers) {
      auto started = std::chrono::steady_clock::now();
      arrow::Status status = engine.Consume(ledger);
      micros.push_back(std::chrono::duration<double, std::micro>(
                           std::chrono::steady_clock::now() - started)
                           .count());
      if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    }
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["ledgers"] = static_cast<double>(micros.size());
}
BENCHMARK(BM_BuiltinUpdatePerLedger)->Iterations(5)->Unit(benchmark::kMillisecond);

/// Every chunk of ledgers first..last of the lake at `uri`, converted into the tables the
/// aggregations read.
arrow::Result<std::vector<ConvertedLedgers>> ReadLake(
    const std::string& uri, uint32_t first, uint32_t last,
    const std::vector<sas::analytics::AggregationDef>& defs) {
  sas::ingest::SourceRequest request;
  request.uri = uri;
  request.start = first;
  request.end = last;
  ARROW_ASSIGN_OR_RAISE(auto lake, sas::ingest::OpenLedgerSource(request));
  sas::convert::ConverterOptions options;
  for (const auto& def : defs) options.tables.push_back(def.table);
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        sas::pipeline::ChunkReader::Make(std::move(lake), options));
  std::vector<ConvertedLedgers> chunks;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, reader->Next());
    if (!chunk) return chunks;
    chunks.push_back(std::move(*chunk));
  }
}

/// Runs the aggregations of SAS_ONESHOT_CONFIG over every chunk, then builds results.
void BM_OneShotOnConvertedLake(benchmark::State& state) {
  (void)arrow::compute::Initialize();
  std::ifstream file(std::getenv("SAS_ONESHOT_CONFIG"));
  std::stringstream text;
  text << file.rdbuf();
  auto defs = sas::analytics::ParseAggregations(text.str());
  if (!defs.ok()) return state.SkipWithError(defs.status().ToString().c_str());
  auto chunks =
      ReadLake(std::getenv("SAS_ONESHOT_LAKE"),
               static_cast<uint32_t>(std::atol(std::getenv("SAS_ONESHOT_FIRST"))),
               static_cast<uint32_t>(std::atol(std::getenv("SAS_ONESHOT_LAST"))), *defs);
  if (!chunks.ok()) return state.SkipWithError(chunks.status().ToString().c_str());
  for (auto _ : state) {
    for (const auto& def : *defs) {
      auto aggregation = sas::analytics::Aggregation::Make(def, SIZE_MAX).ValueOrDie();
      for (const auto& chunk : *chunks) {
        auto rows = chunk.chunk.batch(def.table).ValueOrDie();
        arrow::Status status = aggregation->Update(chunk.ledgers, rows);
        if (!status.ok()) return state.SkipWithError(status.ToString().c_str());
      }
      benchmark::DoNotOptimize(aggregation->Results(true).ValueOrDie());
    }
  }
}

/// Registers the one-shot benchmark when its inputs are given.
const bool kOneShotRegistered = [] {
  if (std::getenv("SAS_ONESHOT_LAKE") == nullptr ||
      std::getenv("SAS_ONESHOT_CONFIG") == nullptr ||
      std::getenv("SAS_ONESHOT_FIRST") == nullptr ||
      std::getenv("SAS_ONESHOT_LAST") == nullptr) {
    return false;
  }
  benchmark::RegisterBenchmark("BM_OneShotOnConvertedLake", BM_OneShotOnConvertedLake)
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
