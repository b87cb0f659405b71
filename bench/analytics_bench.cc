// Analytics benchmark: the cost of one incremental update of the built-in aggregations
// (payment_volume, tx_stats, fee_stats, ledger_rate) per pubnet-like generator ledger,
// reported as p50 and p99 microseconds over many ledgers.
#include <algorithm>
#include <chrono>
#include <vector>

#include <arrow/compute/initialize.h>
#include <benchmark/benchmark.h>

#include "analytics/engine.h"
#include "ingest/generator.h"
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
    auto converter = *sas::convert::LedgerConverter::Make(converter_options);
    for (int i = 0; i < kLedgers; ++i) {
      uint32_t sequence = generator.next_sequence();
      std::vector<uint8_t> bytes = generator.Next();
      std::span<const uint8_t> span(bytes);
      ConvertedLedgers ledger;
      auto frame = *sas::xdr::LedgerCloseMetaFrame::Parse(span);
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

}  // namespace

BENCHMARK_MAIN();
