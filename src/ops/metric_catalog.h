// Every metric the program exports, declared once: name (with unit), type, help, labels.
#pragma once

#include <array>
#include <span>
#include <string>
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

inline constexpr std::array<std::string_view, 1> kStreamLabel = {"stream"};

/// Total duration of completed Flight calls, by method and status code.
inline constexpr MetricSpec kFlightCallSeconds{
    "stellar_arrow_source_flight_call_duration_seconds_total", MetricType::kCounter,
    "Seconds spent in completed Arrow Flight calls, by method and status code.",
    kMethodStatusLabels};

/// Upper bounds (seconds) of the Flight call latency buckets.
inline constexpr std::array<double, 12> kCallLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10, 60};

/// Latency of completed Flight calls, by method and status code.
inline constexpr MetricSpec kFlightCallLatency{
    "stellar_arrow_source_flight_call_latency_seconds", MetricType::kHistogram,
    "Latency of completed Arrow Flight calls (a DoGet lasts as long as its stream), by "
    "method and status code.",
    kMethodStatusLabels, kCallLatencyBuckets};

/// Rows sent by DoGet streams, by stream.
inline constexpr MetricSpec kFlightRowsSent{
    "stellar_arrow_source_flight_rows_sent_total", MetricType::kCounter,
    "Rows sent by DoGet streams, by stream.", kStreamLabel};

/// IPC bytes handed to gRPC by DoGet streams, by stream.
inline constexpr MetricSpec kFlightBytesSent{
    "stellar_arrow_source_flight_bytes_sent_total", MetricType::kCounter,
    "IPC message bytes (metadata and body, as compressed) handed to gRPC by DoGet "
    "streams: schema, dictionaries and batches, by stream (live aggregations as "
    "analytics).",
    kStreamLabel};

/// Streams ended because their reader fell behind the live buffer.
inline constexpr MetricSpec kFlightDroppedStreams{
    "stellar_arrow_source_flight_slow_client_drops_total", MetricType::kCounter,
    "DoGet streams ended because the client fell behind the live buffer, by stream.",
    kStreamLabel};

/// Streams whose client stopped reading, ended by closing its connection.
inline constexpr MetricSpec kFlightStalledStreams{
    "stellar_arrow_source_flight_stalled_client_drops_total", MetricType::kCounter,
    "DoGet streams whose client took no data on any stream of its connection for "
    "CLIENT_STALL_TIMEOUT_SECONDS while a write waited, ended by closing that "
    "connection, by stream (live aggregations as analytics).",
    kStreamLabel};

/// DoGet streams being served.
inline constexpr MetricSpec kFlightActiveStreams{
    "stellar_arrow_source_flight_active_streams",
    MetricType::kGauge,
    "DoGet streams being served.",
    {}};

/// Ledgers the live pipeline converted.
inline constexpr MetricSpec kLiveLedgers{"stellar_arrow_source_live_ledgers_total",
                                         MetricType::kCounter,
                                         "Ledgers the live pipeline converted.",
                                         {}};

inline constexpr std::array<std::string_view, 1> kResultLabel = {"result"};

/// Transactions of the ledgers the live pipeline converted, by result.
inline constexpr MetricSpec kLiveTransactions{
    "stellar_arrow_source_live_transactions_total", MetricType::kCounter,
    "Transactions of the ledgers the live pipeline converted, by result (successful or "
    "failed).",
    kResultLabel};

/// Operations of the successful transactions the live pipeline converted.
inline constexpr MetricSpec kLiveOperations{
    "stellar_arrow_source_live_operations_total",
    MetricType::kCounter,
    "Operations of the successful transactions of the ledgers the live pipeline "
    "converted.",
    {}};

/// Sequence of the newest live ledger.
inline constexpr MetricSpec kLiveNewestLedger{
    "stellar_arrow_source_live_newest_ledger_sequence",
    MetricType::kGauge,
    "Sequence of the newest ledger the live pipeline converted.",
    {}};

/// Seconds between now and the newest live ledger's close time.
inline constexpr MetricSpec kLiveLagSeconds{
    "stellar_arrow_source_live_lag_seconds",
    MetricType::kGauge,
    "Seconds between now and the close time of the newest live ledger.",
    {}};

/// Bytes of converted ledgers the live buffer holds.
inline constexpr MetricSpec kLiveBufferBytes{
    "stellar_arrow_source_live_buffer_bytes",
    MetricType::kGauge,
    "Bytes of converted ledgers held in the live buffer.",
    {}};

/// Next ledger the live archive will write.
inline constexpr MetricSpec kArchiveCursor{
    "stellar_arrow_source_archive_next_ledger_sequence",
    MetricType::kGauge,
    "Next ledger the live Parquet archive takes from the pipeline (earlier ones are "
    "committed or in open files; committed: archive_last_ledger_sequence).",
    {}};

inline constexpr std::array<std::string_view, 1> kTableLabel = {"table"};

/// Last ledger committed to each table's live archive.
inline constexpr MetricSpec kArchiveLastLedger{
    "stellar_arrow_source_archive_last_ledger_sequence", MetricType::kGauge,
    "Last ledger committed to the live Parquet archive, by table (0: none yet).",
    kTableLabel};

/// Committed Parquet files of each table's live archive.
inline constexpr MetricSpec kArchiveFiles{
    "stellar_arrow_source_archive_files", MetricType::kGauge,
    "Parquet files committed to the archive (its manifest), by table.", kTableLabel};

/// Rows in the committed Parquet files of each table's live archive.
inline constexpr MetricSpec kArchiveRows{
    "stellar_arrow_source_archive_rows", MetricType::kGauge,
    "Rows in the Parquet files committed to the archive, by table.", kTableLabel};

/// Bytes of the committed Parquet files of each table's live archive.
inline constexpr MetricSpec kArchiveBytes{
    "stellar_arrow_source_archive_bytes", MetricType::kGauge,
    "Bytes of the Parquet files committed to the archive, by table.", kTableLabel};

/// Bytes of state the analytics engine holds.
inline constexpr MetricSpec kAnalyticsStateBytes{
    "stellar_arrow_source_analytics_state_bytes",
    MetricType::kGauge,
    "Estimated bytes of partial aggregates held by the analytics engine.",
    {}};

/// Ledgers the upstream gRPC source delivered.
inline constexpr MetricSpec kUpstreamLedgers{
    "stellar_arrow_source_upstream_ledgers_total",
    MetricType::kCounter,
    "Ledgers the upstream gRPC stream delivered.",
    {}};

/// XDR bytes the upstream gRPC source delivered.
inline constexpr MetricSpec kUpstreamBytes{
    "stellar_arrow_source_upstream_bytes_total",
    MetricType::kCounter,
    "LedgerCloseMeta XDR bytes the upstream gRPC stream delivered.",
    {}};

/// Upstream streams opened again after a break.
inline constexpr MetricSpec kUpstreamReconnects{
    "stellar_arrow_source_upstream_reconnects_total",
    MetricType::kCounter,
    "Upstream gRPC streams reopened (after a break or a bad ledger).",
    {}};

/// Ledgers the upstream sent again and that were dropped.
inline constexpr MetricSpec kUpstreamDuplicates{
    "stellar_arrow_source_upstream_duplicate_ledgers_total",
    MetricType::kCounter,
    "Ledgers the upstream sent again after they were delivered (dropped).",
    {}};

/// Ledgers of the upstream that were rejected.
inline constexpr MetricSpec kUpstreamBadLedgers{
    "stellar_arrow_source_upstream_bad_ledgers_total",
    MetricType::kCounter,
    "Upstream ledgers rejected: a skipped sequence, invalid XDR or a broken hash chain.",
    {}};

/// XDR bytes the live pipeline received from its source.
inline constexpr MetricSpec kLiveSourceBytes{
    "stellar_arrow_source_live_source_bytes_total",
    MetricType::kCounter,
    "LedgerCloseMeta XDR bytes the live pipeline received from its source (rate: "
    "bytes/s).",
    {}};

inline constexpr std::array<std::string_view, 3> kAnalyticsValueLabels = {
    "aggregation", "measure", "group"};

/// Measures of the newest window of aggregations defined with "export": true.
inline constexpr MetricSpec kAnalyticsValue{
    "stellar_arrow_source_analytics_value", MetricType::kGauge,
    "A measure of the newest window of an exported aggregation, by aggregation, measure "
    "and group (group-by values joined by ','; amounts in stroops).",
    kAnalyticsValueLabels};

/// Returns every metric declaration (for documentation and tests).
inline constexpr std::array kAllMetrics = {
    kUptimeSeconds,       kArrowPoolBytes,       kFlightCallsTotal,
    kFlightCallSeconds,   kFlightCallLatency,    kFlightRowsSent,
    kFlightBytesSent,     kFlightDroppedStreams, kFlightStalledStreams,
    kFlightActiveStreams, kLiveLedgers,          kLiveTransactions,
    kLiveOperations,      kLiveNewestLedger,     kLiveLagSeconds,
    kLiveBufferBytes,     kLiveSourceBytes,      kArchiveCursor,
    kArchiveLastLedger,   kArchiveFiles,         kArchiveRows,
    kArchiveBytes,        kAnalyticsStateBytes,  kAnalyticsValue,
    kUpstreamLedgers,     kUpstreamBytes,        kUpstreamReconnects,
    kUpstreamDuplicates,  kUpstreamBadLedgers};

/// Returns docs/METRICS.md: every metric as a Markdown table row.
std::string FormatMetricsMarkdown();

}  // namespace sas::ops::metric
