// The operator HTTP endpoints: GET / (the live dashboard), GET /health (JSON), GET
// /ready, GET /metrics (Prometheus), GET /analytics[/NAME] (JSON).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <arrow/result.h>

#include "ops/metrics.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace sas::ops {

/// What the operator endpoints need to know about the process.
struct OpsHttpOptions {
  std::string bind_address = "127.0.0.1";
  /// Port to listen on; 0 picks a free one (see OpsHttpServer::port()).
  uint16_t port = 8088;
  std::string version;
  /// What the server reads from, as JSON (shown by /health and the dashboard).
  std::string sources_json = "{}";
  /// Returns true when the service is ready to serve clients.
  std::function<bool()> is_ready;
  /// Answers GET /analytics and /analytics/<name> with JSON, all retained windows or
  /// (`?windows=newest`) only the newest (nullopt: 404).
  std::function<std::optional<std::string>(std::string_view name, bool newest_only)>
      analytics;
};

/// The dashboard page (src/ops/dashboard/index.html, embedded at build time).
extern const std::string_view kDashboardPage;

/// Serves the dashboard, /health, /ready, /metrics and /analytics on a background thread
/// until stopped.
class OpsHttpServer {
 public:
  /// Binds the port and starts serving; fails when the port cannot be bound.
  static arrow::Result<std::unique_ptr<OpsHttpServer>> Start(
      OpsHttpOptions options, const MetricsRegistry* metrics);

  /// Stops serving and joins the thread.
  ~OpsHttpServer();

  OpsHttpServer(const OpsHttpServer&) = delete;
  OpsHttpServer& operator=(const OpsHttpServer&) = delete;

  /// Returns the bound port.
  uint16_t port() const { return port_; }

  /// Stops serving; idempotent.
  void Stop();

 private:
  struct PrivateTag {};

 public:
  /// Use Start(); public only for std::make_unique.
  OpsHttpServer(PrivateTag, OpsHttpOptions options, const MetricsRegistry* metrics);

 private:
  void InstallRoutes();

  OpsHttpOptions options_;
  const MetricsRegistry* metrics_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace sas::ops
