// The Arrow Flight service of stellar-arrow-source and its call-metrics middleware.
#pragma once

#include <memory>
#include <string>

#include <arrow/flight/server.h>
#include <arrow/flight/server_middleware.h>

#include "ops/metrics.h"

namespace sas::flight {

/// Serves the ledger streams over Arrow Flight.
///
/// Streams are registered by the ingest pipeline; until one is, ListFlights lists nothing
/// and the stream calls answer Unimplemented with an explanation.
class StellarFlightService : public arrow::flight::FlightServerBase {
 public:
  /// Lists the streams this server serves.
  arrow::Status ListFlights(
      const arrow::flight::ServerCallContext& context,
      const arrow::flight::Criteria* criteria,
      std::unique_ptr<arrow::flight::FlightListing>* listings) override;

  /// Describes one stream.
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
};

/// Counts completed Flight calls by method and status in a metrics family.
class CallMetricsMiddlewareFactory : public arrow::flight::ServerMiddlewareFactory {
 public:
  /// Records into `calls`, a family labelled (method, status).
  explicit CallMetricsMiddlewareFactory(ops::MetricFamily* calls) : calls_(calls) {}

  /// Starts tracking one call.
  arrow::Status StartCall(
      const arrow::flight::CallInfo& info,
      const arrow::flight::ServerCallContext& context,
      std::shared_ptr<arrow::flight::ServerMiddleware>* middleware) override;

 private:
  ops::MetricFamily* calls_;
};

}  // namespace sas::flight
