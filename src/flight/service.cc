#include "flight/service.h"

#include <array>

#include <arrow/flight/middleware.h>

namespace sas::flight {
namespace {

namespace fl = arrow::flight;

constexpr const char* kNoStreamsYet =
    "no ledger stream is served yet: streams become available once the ingest pipeline "
    "and converters are wired into this server";

/// Middleware of one call: on completion, counts it under (method, status).
class CallMetricsMiddleware : public fl::ServerMiddleware {
 public:
  CallMetricsMiddleware(ops::MetricFamily* calls, fl::FlightMethod method)
      : calls_(calls), method_(method) {}

  void SendingHeaders(fl::AddCallHeaders*) override {}

  void CallCompleted(const arrow::Status& status) override {
    std::array<std::string, 2> labels = {fl::ToString(method_),
                                         status.ok() ? "OK" : status.CodeAsString()};
    calls_->Add(labels, 1);
  }

  std::string name() const override { return "CallMetricsMiddleware"; }

 private:
  ops::MetricFamily* calls_;
  fl::FlightMethod method_;
};

}  // namespace

arrow::Status StellarFlightService::ListFlights(
    const fl::ServerCallContext&, const fl::Criteria*,
    std::unique_ptr<fl::FlightListing>* listings) {
  *listings = std::make_unique<fl::SimpleFlightListing>(std::vector<fl::FlightInfo>{});
  return arrow::Status::OK();
}

arrow::Status StellarFlightService::GetFlightInfo(const fl::ServerCallContext&,
                                                  const fl::FlightDescriptor& request,
                                                  std::unique_ptr<fl::FlightInfo>*) {
  return arrow::Status::NotImplemented("GetFlightInfo(", request.ToString(),
                                       "): ", kNoStreamsYet);
}

arrow::Status StellarFlightService::GetSchema(const fl::ServerCallContext&,
                                              const fl::FlightDescriptor& request,
                                              std::unique_ptr<fl::SchemaResult>*) {
  return arrow::Status::NotImplemented("GetSchema(", request.ToString(),
                                       "): ", kNoStreamsYet);
}

arrow::Status StellarFlightService::DoGet(const fl::ServerCallContext&,
                                          const fl::Ticket& request,
                                          std::unique_ptr<fl::FlightDataStream>*) {
  return arrow::Status::NotImplemented("DoGet('", request.ticket, "'): ", kNoStreamsYet);
}

arrow::Status CallMetricsMiddlewareFactory::StartCall(
    const fl::CallInfo& info, const fl::ServerCallContext&,
    std::shared_ptr<fl::ServerMiddleware>* middleware) {
  *middleware = std::make_shared<CallMetricsMiddleware>(calls_, info.method);
  return arrow::Status::OK();
}

}  // namespace sas::flight
