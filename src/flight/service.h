// The Arrow Flight service of stellar-arrow-source: one stream per table, served from
// the live hub and the history source, with call metrics and bearer-token middleware.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <arrow/flight/server.h>
#include <arrow/flight/server_middleware.h>
#include <arrow/ipc/options.h>

#include "analytics/engine.h"
#include "flight/stream_watchdog.h"
#include "ops/metrics.h"
#include "pipeline/ledger_hub.h"
#include "pipeline/table_stream.h"

namespace sas::flight {

/// How the service serves.
struct FlightServiceOptions {
  /// Most rows per record batch (BATCH_SIZE).
  int64_t batch_rows = 1000;
  /// Host named in the locations of FlightInfo endpoints.
  std::string advertised_host = "127.0.0.1";
  /// Locations use grpc+tls instead of grpc+tcp.
  bool tls = false;
  /// Concurrent DoGet streams allowed (MAX_CONNECTIONS).
  uint32_t max_streams = 100;
  /// A live tail further behind than this (once it kept up) is ended (0: never).
  int64_t max_lag_bytes = 0;
  /// A client that took no data on any stream of its connection for this long while a
  /// write waits for it is disconnected (0: never).
  std::chrono::milliseconds stall_timeout{0};
  /// Network and XDR-column settings of every stream.
  convert::ConverterOptions converter;
  /// IPC options of DoGet streams (body compression).
  arrow::ipc::IpcWriteOptions ipc = arrow::ipc::IpcWriteOptions::Defaults();
  /// What the server reads from, as JSON (answer of the `sources` action).
  std::string sources_json = "{}";
};

/// Metric families the service updates.
struct FlightMetrics {
  /// Rows and IPC bytes handed to gRPC, by stream.
  ops::MetricFamily* rows_sent = nullptr;
  ops::MetricFamily* bytes_sent = nullptr;
  /// Live tails ended for falling behind.
  ops::MetricFamily* dropped_streams = nullptr;
  /// Streams ended because the client stopped reading.
  ops::MetricFamily* stalled_streams = nullptr;
};

/// One DoGet stream counted against MAX_CONNECTIONS while it lives (service.cc).
class StreamSlot;

/// Serves the ledger streams over Arrow Flight.
class StellarFlightService : public arrow::flight::FlightServerBase {
 public:
  /// Serves from `hub` (may be null) and `history` (may be empty).
  StellarFlightService(FlightServiceOptions options,
                       std::shared_ptr<pipeline::LedgerHub> hub,
                       pipeline::HistoryOpener history, FlightMetrics metrics);

  /// Lists every stream with its schema and description.
  arrow::Status ListFlights(
      const arrow::flight::ServerCallContext& context,
      const arrow::flight::Criteria* criteria,
      std::unique_ptr<arrow::flight::FlightListing>* listings) override;

  /// Describes one stream range: schema, one endpoint, ordered.
  arrow::Status GetFlightInfo(const arrow::flight::ServerCallContext& context,
                              const arrow::flight::FlightDescriptor& request,
                              std::unique_ptr<arrow::flight::FlightInfo>* info) override;

  /// Returns the schema of one stream.
  arrow::Status GetSchema(const arrow::flight::ServerCallContext& context,
                          const arrow::flight::FlightDescriptor& request,
                          std::unique_ptr<arrow::flight::SchemaResult>* schema) override;

  /// Streams the rows a ticket asks for.
  arrow::Status DoGet(const arrow::flight::ServerCallContext& context,
                      const arrow::flight::Ticket& request,
                      std::unique_ptr<arrow::flight::FlightDataStream>* stream) override;

  /// Answers the `health` and `sources` actions.
  arrow::Status DoAction(const arrow::flight::ServerCallContext& context,
                         const arrow::flight::Action& action,
                         std::unique_ptr<arrow::flight::ResultStream>* result) override;

  /// Lists the actions DoAction answers.
  arrow::Status ListActions(const arrow::flight::ServerCallContext& context,
                            std::vector<arrow::flight::ActionType>* actions) override;

  /// Serves `engine`'s aggregations (`analytics:<name>` tickets, aggregation actions).
  void SetAnalytics(std::shared_ptr<analytics::AnalyticsEngine> engine) {
    analytics_ = std::move(engine);
  }

  /// Returns the number of DoGet streams being served.
  int64_t active_streams() const { return active_streams_->load(); }

 private:
  arrow::Result<arrow::flight::FlightInfo> MakeInfo(
      const arrow::flight::FlightDescriptor& descriptor,
      const pipeline::TableRange& range, std::string description);
  /// Rows and Arrow buffer bytes of a bounded range, -1 where not known in advance.
  struct RangeTotals {
    int64_t rows = -1;
    int64_t bytes = -1;
  };
  /// Returns the totals of a range held by the live buffer (rows and bytes) or of a
  /// bounded stellar_ledger range (rows: one per ledger).
  arrow::Result<RangeTotals> KnownTotals(const pipeline::TableRange& range) const;
  std::string HealthJson() const;
  /// Counts one more stream against MAX_CONNECTIONS (Unavailable past it) until the
  /// returned slot is destroyed.
  arrow::Result<std::unique_ptr<StreamSlot>> TakeStreamSlot();
  /// Serves `reader` as a DoGet stream named `name` (logs; metric label: MetricLabel)
  /// holding `slot`, watched by the watchdog (`cancel` makes a blocked read return).
  std::unique_ptr<arrow::flight::FlightDataStream> ServeStream(
      std::shared_ptr<arrow::RecordBatchReader> reader, std::unique_ptr<StreamSlot> slot,
      const arrow::flight::ServerCallContext& context, std::string name,
      std::function<void()> cancel);
  /// Ends the connections of a client that stopped reading (the watchdog's remedy).
  arrow::Result<int> EndConnection(const std::string& peer);
  /// Serves `analytics:<name>` (the current windows) and `analytics:<name>:live` (them
  /// again after every update).
  arrow::Status DoGetAnalytics(const std::string& ticket,
                               const arrow::flight::ServerCallContext& context,
                               std::unique_ptr<arrow::flight::FlightDataStream>* stream);
  arrow::Result<nlohmann::json> AnalyticsAction(const arrow::flight::Action& action);

  FlightServiceOptions options_;
  std::shared_ptr<pipeline::LedgerHub> hub_;
  pipeline::HistoryOpener history_;
  FlightMetrics metrics_;
  std::shared_ptr<std::atomic<int64_t>> active_streams_;
  std::shared_ptr<analytics::AnalyticsEngine> analytics_;
  /// Last: its thread uses the members above (metrics_, port()) until it is joined.
  StreamWatchdog watchdog_;
};

/// Counts completed Flight calls by method and status, and their duration.
class CallMetricsMiddlewareFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  /// Records into `calls`, `seconds` and the histogram `latency` (may be null), families
  /// labelled (method, status).
  CallMetricsMiddlewareFactory(ops::MetricFamily* calls, ops::MetricFamily* seconds,
                               ops::MetricFamily* latency = nullptr)
      : calls_(calls), seconds_(seconds), latency_(latency) {}

  /// Starts tracking one call.
  arrow::Status StartCall(
      const arrow::flight::CallInfo& info,
      const arrow::flight::ServerCallContext& context,
      std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  ops::MetricFamily* calls_;
  ops::MetricFamily* seconds_;
  ops::MetricFamily* latency_;
};

/// Rejects calls without `authorization: Bearer <token>` (Unauthenticated).
class BearerTokenMiddlewareFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  /// Accepts exactly `token`.
  explicit BearerTokenMiddlewareFactory(std::string token) : token_(std::move(token)) {}

  /// Checks the call's authorization header.
  arrow::Status StartCall(
      const arrow::flight::CallInfo& info,
      const arrow::flight::ServerCallContext& context,
      std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  std::string token_;
};

}  // namespace sas::flight
