#include "app/server.h"

#include <atomic>
#include <chrono>
#include <csignal>

#include <arrow/flight/server.h>
#include <arrow/memory_pool.h>

#include "build_info.h"
#include "flight/service.h"
#include "ops/http_server.h"
#include "ops/log.h"
#include "ops/metric_catalog.h"
#include "ops/metrics.h"

namespace sas::app {
namespace {

namespace fl = arrow::flight;

/// Registers the process-wide gauges.
void RegisterProcessMetrics(ops::MetricsRegistry* registry) {
  auto started = std::chrono::steady_clock::now();
  registry->RegisterCallbackGauge(ops::metric::kUptimeSeconds, [started] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
        .count();
  });
  registry->RegisterCallbackGauge(ops::metric::kArrowPoolBytes, [] {
    return static_cast<double>(arrow::default_memory_pool()->bytes_allocated());
  });
}

arrow::Result<fl::FlightServerOptions> MakeFlightOptions(
    const ops::ServerOptions& options, ops::MetricFamily* calls) {
  ARROW_ASSIGN_OR_RAISE(
      auto location, fl::Location::ForGrpcTcp(options.bind_address, options.arrow_port));
  fl::FlightServerOptions flight_options(location);
  flight_options.middleware.emplace_back(
      "call-metrics", std::make_shared<flight::CallMetricsMiddlewareFactory>(calls));
  return flight_options;
}

}  // namespace

arrow::Status RunServer(const ops::ServerOptions& options) {
  ops::MetricsRegistry metrics;
  RegisterProcessMetrics(&metrics);
  ops::MetricFamily* calls = metrics.Register(ops::metric::kFlightCallsTotal);

  flight::StellarFlightService service;
  ARROW_ASSIGN_OR_RAISE(auto flight_options, MakeFlightOptions(options, calls));
  arrow::Status init = service.Init(flight_options);
  if (!init.ok()) {
    return init.WithMessage("Flight: cannot listen on ", options.bind_address, ":",
                            options.arrow_port, " (ARROW_PORT): ", init.message());
  }
  std::atomic<bool> serving{true};

  ops::OpsHttpOptions http_options;
  http_options.bind_address = options.bind_address;
  http_options.port = options.health_port;
  http_options.version = kVersion;
  http_options.is_ready = [&serving] { return serving.load(); };
  ARROW_ASSIGN_OR_RAISE(auto http, ops::OpsHttpServer::Start(http_options, &metrics));

  ops::LogInfo("server", "serving",
               {{"flight_port", service.port()},
                {"health_port", http->port()},
                {"bind_address", options.bind_address},
                {"mock_data", options.mock_data},
                {"source_endpoint", options.source_endpoint},
                {"network_passphrase", options.network_passphrase},
                {"version", kVersion}});

  ARROW_RETURN_NOT_OK(service.SetShutdownOnSignals({SIGINT, SIGTERM}));
  arrow::Status served = service.Serve();
  serving = false;
  ops::LogInfo("server", "stopping", {{"signal", service.GotSignal()}});
  http->Stop();
  ARROW_RETURN_NOT_OK(served);
  ops::LogInfo("server", "stopped");
  return arrow::Status::OK();
}

}  // namespace sas::app
