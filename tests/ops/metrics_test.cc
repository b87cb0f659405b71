#include "ops/metrics.h"

#include <array>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ops/metric_catalog.h"

namespace sas::ops {
namespace {

TEST(Metrics, RendersPrometheusTextWithHelpTypeAndLabels) {
  MetricsRegistry registry;
  registry.RegisterCallbackGauge(metric::kUptimeSeconds, [] { return 12.5; });
  MetricFamily* calls = registry.Register(metric::kFlightCallsTotal);
  std::array<std::string, 2> labels = {"DoGet", "OK"};
  calls->Add(labels, 1);
  calls->Add(labels, 2);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE stellar_arrow_source_uptime_seconds gauge\n"),
            std::string::npos);
  EXPECT_NE(text.find("stellar_arrow_source_uptime_seconds 12.5\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE stellar_arrow_source_flight_calls_total counter\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "stellar_arrow_source_flight_calls_total{method=\"DoGet\",status=\"OK\"} 3\n"),
      std::string::npos)
      << text;
}

TEST(Metrics, EscapesLabelValues) {
  MetricsRegistry registry;
  MetricFamily* calls = registry.Register(metric::kFlightCallsTotal);
  std::array<std::string, 2> labels = {"a\"b", "c\\d"};
  calls->Set(labels, 1);
  EXPECT_NE(registry.RenderPrometheus().find("{method=\"a\\\"b\",status=\"c\\\\d\"} 1"),
            std::string::npos);
}

TEST(Metrics, ConcurrentAddsAreNotLost) {
  MetricsRegistry registry;
  MetricFamily* calls = registry.Register(metric::kFlightCallsTotal);
  std::array<std::string, 2> labels = {"DoGet", "OK"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) calls->Add(labels, 1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(calls->Value(labels), 4000.0);
}

TEST(Metrics, HistogramsRenderCumulativeBucketsSumAndCount) {
  static constexpr std::array<std::string_view, 1> kLabels = {"method"};
  static constexpr std::array<double, 2> kBuckets = {0.01, 0.1};
  MetricsRegistry registry;
  MetricFamily* latency = registry.Register(
      {"test_latency_seconds", MetricType::kHistogram, "Latency.", kLabels, kBuckets});
  std::array<std::string, 1> labels = {"DoGet"};
  for (double seconds : {0.005, 0.05, 0.07, 3.0}) latency->Observe(labels, seconds);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE test_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("test_latency_seconds_bucket{method=\"DoGet\",le=\"0.01\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("test_latency_seconds_bucket{method=\"DoGet\",le=\"0.1\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("test_latency_seconds_bucket{method=\"DoGet\",le=\"+Inf\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("test_latency_seconds_sum{method=\"DoGet\"} 3.125\n"),
            std::string::npos);
  EXPECT_NE(text.find("test_latency_seconds_count{method=\"DoGet\"} 4\n"),
            std::string::npos);
  EXPECT_EQ(latency->Value(labels), 4.0);
}

TEST(Metrics, CatalogNamesCarryUnitsOrTotals) {
  for (const MetricSpec& spec : metric::kAllMetrics) {
    std::string_view name = spec.name;
    bool has_suffix = name.ends_with("_seconds") || name.ends_with("_bytes") ||
                      name.ends_with("_total") || name.ends_with("_ledgers") ||
                      name.ends_with("_rows") || name.ends_with("_streams") ||
                      name.ends_with("_sequence") || name.ends_with("_files");
    // The exported analytics measures carry their unit in the `measure` label.
    bool mixed_units = name == metric::kAnalyticsValue.name;
    EXPECT_TRUE(has_suffix || mixed_units) << name;
    EXPECT_TRUE(name.starts_with("stellar_arrow_source_")) << name;
  }
}

}  // namespace
}  // namespace sas::ops
