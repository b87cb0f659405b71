// Every metric the program exports, declared once: name (with unit), type, help, labels.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "ops/metrics.h"

namespace sas::ops::metric {

inline constexpr std::array<std::string_view, 2> kMethodStatusLabels = {"method",
                                                                        "status"};

/// Seconds since the process started.
inline constexpr MetricSpec kUptimeSeconds{"stellar_arrow_source_uptime_seconds",
                                           MetricType::kGauge,
                                           "Seconds since the process started.",
                                           {}};

/// Bytes currently allocated from Arrow's default memory pool.
inline constexpr MetricSpec kArrowPoolBytes{
    "stellar_arrow_source_arrow_memory_pool_bytes",
    MetricType::kGauge,
    "Bytes currently allocated from the Arrow default memory pool.",
    {}};

/// Flight calls that completed, by method and status code.
inline constexpr MetricSpec kFlightCallsTotal{
    "stellar_arrow_source_flight_calls_total", MetricType::kCounter,
    "Arrow Flight calls completed, by method and status code.", kMethodStatusLabels};

/// Returns every metric declaration (for documentation and tests).
inline constexpr std::array kAllMetrics = {kUptimeSeconds, kArrowPoolBytes,
                                           kFlightCallsTotal};

}  // namespace sas::ops::metric
