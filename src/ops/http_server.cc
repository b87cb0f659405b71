#include "ops/http_server.h"

#include <sys/socket.h>

#include <arrow/memory_pool.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ops/log.h"

namespace sas::ops {

OpsHttpServer::OpsHttpServer(PrivateTag, OpsHttpOptions options,
                             const MetricsRegistry* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      started_(std::chrono::steady_clock::now()),
      server_(std::make_unique<httplib::Server>()) {}

arrow::Result<std::unique_ptr<OpsHttpServer>> OpsHttpServer::Start(
    OpsHttpOptions options, const MetricsRegistry* metrics) {
  auto server =
      std::make_unique<OpsHttpServer>(PrivateTag{}, std::move(options), metrics);
  server->InstallRoutes();
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second
  // process silently share HEALTH_PORT instead of failing.
  server->server_->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const std::string& host = server->options_.bind_address;
  if (server->options_.port == 0) {
    int port = server->server_->bind_to_any_port(host);
    if (port <= 0) return arrow::Status::IOError("HTTP: cannot bind any port on ", host);
    server->port_ = static_cast<uint16_t>(port);
  } else {
    if (!server->server_->bind_to_port(host, server->options_.port)) {
      return arrow::Status::IOError("HTTP: cannot bind ", host, ":",
                                    server->options_.port, " (HEALTH_PORT in use?)");
    }
    server->port_ = server->options_.port;
  }
  server->thread_ =
      std::thread([raw = server->server_.get()] { raw->listen_after_bind(); });
  // stop() is a no-op until the listen loop runs, so wait for it before handing out
  // Stop().
  while (!server->server_->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

OpsHttpServer::~OpsHttpServer() { Stop(); }

void OpsHttpServer::Stop() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void OpsHttpServer::InstallRoutes() {
  server_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-cache");
    response.set_content(std::string(kDashboardPage), "text/html; charset=utf-8");
  });
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& response) {
    double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
            .count();
    nlohmann::json body = {
        {"status", "ok"},
        {"version", options_.version},
        {"uptime_seconds", uptime},
        {"arrow_memory_pool_bytes", arrow::default_memory_pool()->bytes_allocated()},
        {"ready", options_.is_ready && options_.is_ready()},
        {"sources", nlohmann::json::parse(options_.sources_json, nullptr, false)},
        {"analytics", static_cast<bool>(options_.analytics)}};
    response.set_content(body.dump(), "application/json");
  });
  server_->Get("/ready", [this](const httplib::Request&, httplib::Response& response) {
    bool ready = options_.is_ready && options_.is_ready();
    response.status = ready ? 200 : 503;
    nlohmann::json body = {{"ready", ready}};
    response.set_content(body.dump(), "application/json");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics_->RenderPrometheus(), "text/plain; version=0.0.4");
  });
  server_->Get(
      R"(/analytics(/([A-Za-z0-9_.-]+))?)",
      [this](const httplib::Request& request, httplib::Response& response) {
        std::string name = request.matches.size() > 2 ? request.matches[2].str() : "";
        std::string windows = request.get_param_value("windows");
        if (!windows.empty() && windows != "newest" && windows != "all") {
          response.status = 400;
          nlohmann::json error = {
              {"error", "windows='" + windows + "': expected newest or all"}};
          response.set_content(error.dump(), "application/json");
          return;
        }
        auto body = options_.analytics ? options_.analytics(name, windows == "newest")
                                       : std::nullopt;
        if (!body) {
          response.status = 404;
          nlohmann::json error = {
              {"error", options_.analytics ? "no aggregation named '" + name + "'"
                                           : "analytics are off (ENABLE_ANALYTICS)"}};
          response.set_content(error.dump(), "application/json");
          return;
        }
        response.set_content(*body, "application/json");
      });
}

}  // namespace sas::ops
