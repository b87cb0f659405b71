#include "app/server.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <arrow/flight/server.h>
#include <arrow/memory_pool.h>
#include <arrow/util/compression.h>
#include <nlohmann/json.hpp>

#include "build_info.h"
#include "flight/service.h"
#include "ingest/galexie_lake.h"
#include "ingest/lake_source.h"
#include "ingest/source_uri.h"
#include "ops/http_server.h"
#include "ops/log.h"
#include "ops/metric_catalog.h"
#include "ops/metrics.h"
#include "pipeline/ledger_hub.h"

namespace sas::app {
namespace {

namespace fl = arrow::flight;

/// Signal that asked the server to stop (0: none yet); written by the signal handler.
volatile std::sig_atomic_t g_signal = 0;

void RecordSignal(int signal) { g_signal = signal; }

constexpr auto kSignalPoll = std::chrono::milliseconds(50);
constexpr auto kShutdownGrace = std::chrono::seconds(3);

/// The sources the server reads: a live hub and a history opener (either may be absent).
struct Sources {
  std::shared_ptr<pipeline::LedgerHub> hub;
  pipeline::HistoryOpener history;
  nlohmann::json description;
};

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

/// Registers the live pipeline's gauges.
void RegisterHubMetrics(const std::shared_ptr<pipeline::LedgerHub>& hub,
                        ops::MetricsRegistry* registry) {
  std::weak_ptr<pipeline::LedgerHub> weak = hub;
  auto read = [weak](auto field) {
    return [weak, field] {
      auto locked = weak.lock();
      return locked ? field(locked->stats()) : 0.0;
    };
  };
  registry->RegisterCallbackGauge(ops::metric::kLiveLedgers,
                                  read([](const pipeline::HubStats& s) {
                                    return static_cast<double>(s.ledgers_converted);
                                  }));
  registry->RegisterCallbackGauge(ops::metric::kLiveNewestLedger,
                                  read([](const pipeline::HubStats& s) {
                                    return static_cast<double>(s.newest.value_or(0));
                                  }));
  registry->RegisterCallbackGauge(ops::metric::kLiveBufferBytes,
                                  read([](const pipeline::HubStats& s) {
                                    return static_cast<double>(s.bytes_retained);
                                  }));
  registry->RegisterCallbackGauge(
      ops::metric::kLiveLagSeconds, read([](const pipeline::HubStats& s) {
        if (!s.newest_close_time) return 0.0;
        auto now = std::chrono::system_clock::now();
        double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
        return seconds - static_cast<double>(*s.newest_close_time);
      }));
}

pipeline::HubOptions HubOptionsFor(const ops::ServerOptions& options) {
  pipeline::HubOptions hub;
  hub.converter.network_passphrase = options.network_passphrase;
  hub.retain_bytes = int64_t{options.live_buffer_mb} << 20;
  return hub;
}

/// The generator as live source (MOCK_DATA=true); it keeps no history beyond the buffer.
arrow::Result<Sources> OpenGenerator(const ops::ServerOptions& options) {
  ingest::GeneratorOptions generator;
  generator.start = options.mock_start_ledger;
  generator.transactions_per_ledger = options.mock_transactions_per_ledger;
  generator.ledgers_per_second = options.mock_ledgers_per_second;
  generator.network_passphrase = options.network_passphrase;
  Sources sources;
  ARROW_ASSIGN_OR_RAISE(sources.hub, pipeline::LedgerHub::Start(
                                         std::make_unique<ingest::GeneratorLedgerSource>(
                                             generator, std::nullopt),
                                         generator.start, HubOptionsFor(options)));
  sources.description = {{"live", "generator"},
                         {"ledgers_per_second", generator.ledgers_per_second},
                         {"transactions_per_ledger", generator.transactions_per_ledger},
                         {"first_ledger", generator.start}};
  return sources;
}

/// A lake serves history, and its tail (from its newest ledger) the live streams.
arrow::Result<Sources> OpenLake(const ops::ServerOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto lake, ingest::GalexieLake::Open(options.ledger_lake_uri,
                                                             options.network_passphrase));
  ARROW_ASSIGN_OR_RAISE(auto newest, lake->FindNewestLedger());
  if (!newest) {
    return arrow::Status::Invalid("lake ", options.ledger_lake_uri, " holds no ledger");
  }
  ingest::LakeSourceOptions tail;
  tail.uri = options.ledger_lake_uri;
  tail.network_passphrase = options.network_passphrase;
  tail.start = *newest;
  ARROW_ASSIGN_OR_RAISE(auto live, ingest::LakeLedgerSource::Open(tail));
  Sources sources;
  ARROW_ASSIGN_OR_RAISE(sources.hub, pipeline::LedgerHub::Start(std::move(live), *newest,
                                                                HubOptionsFor(options)));
  sources.history = [uri = options.ledger_lake_uri, network = options.network_passphrase](
                        uint32_t start, std::optional<uint32_t> end)
      -> arrow::Result<std::unique_ptr<ingest::LedgerSource>> {
    ingest::SourceRequest request;
    request.uri = uri;
    request.network_passphrase = network;
    request.start = start;
    request.end = end;
    request.prefetch_bytes = int64_t{64} << 20;
    return ingest::OpenLedgerSource(request);
  };
  sources.description = {{"live", "lake tail"},
                         {"history", "lake"},
                         {"lake", options.ledger_lake_uri},
                         {"lake_newest_ledger_at_start", *newest}};
  return sources;
}

arrow::Result<Sources> OpenSources(const ops::ServerOptions& options) {
  if (options.mock_data) return OpenGenerator(options);
  if (!options.ledger_lake_uri.empty()) return OpenLake(options);
  ops::LogWarn("server", "no ledger source",
               {{"detail",
                 "set MOCK_DATA=true or LEDGER_LAKE_URI; reading the gRPC upstream "
                 "(SOURCE_ENDPOINT) is not implemented yet"}});
  Sources sources;
  sources.description = {{"live", nullptr},
                         {"source_endpoint", options.source_endpoint},
                         {"note", "the gRPC upstream is not read yet"}};
  return sources;
}

arrow::Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream file(path);
  if (!file) return arrow::Status::IOError("cannot read ", what, " file '", path, "'");
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

/// The host clients are told to connect to.
std::string AdvertisedHost(const ops::ServerOptions& options) {
  if (!options.advertised_host.empty()) return options.advertised_host;
  if (options.bind_address != "0.0.0.0" && options.bind_address != "::") {
    return options.bind_address;
  }
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) == 0) return name.data();
  return "localhost";
}

arrow::Result<arrow::ipc::IpcWriteOptions> IpcOptionsFor(
    const ops::ServerOptions& options) {
  auto ipc = arrow::ipc::IpcWriteOptions::Defaults();
  if (options.arrow_compression == "zstd") {
    ARROW_ASSIGN_OR_RAISE(ipc.codec,
                          arrow::util::Codec::Create(arrow::Compression::ZSTD));
  } else if (options.arrow_compression == "lz4") {
    ARROW_ASSIGN_OR_RAISE(ipc.codec,
                          arrow::util::Codec::Create(arrow::Compression::LZ4_FRAME));
  }
  return ipc;
}

arrow::Result<fl::FlightServerOptions> MakeFlightOptions(
    const ops::ServerOptions& options, ops::MetricsRegistry* metrics) {
  bool tls = !options.tls_cert_file.empty();
  ARROW_ASSIGN_OR_RAISE(
      auto location,
      tls ? fl::Location::ForGrpcTls(options.bind_address, options.arrow_port)
          : fl::Location::ForGrpcTcp(options.bind_address, options.arrow_port));
  fl::FlightServerOptions flight_options(location);
  if (tls) {
    fl::CertKeyPair pair;
    ARROW_ASSIGN_OR_RAISE(pair.pem_cert,
                          ReadFile(options.tls_cert_file, "TLS_CERT_FILE"));
    ARROW_ASSIGN_OR_RAISE(pair.pem_key, ReadFile(options.tls_key_file, "TLS_KEY_FILE"));
    flight_options.tls_certificates.push_back(std::move(pair));
  }
  flight_options.middleware.emplace_back(
      "call-metrics", std::make_shared<flight::CallMetricsMiddlewareFactory>(
                          metrics->Register(ops::metric::kFlightCallsTotal),
                          metrics->Register(ops::metric::kFlightCallSeconds)));
  if (!options.auth_token.empty()) {
    flight_options.middleware.emplace_back(
        "bearer-token",
        std::make_shared<flight::BearerTokenMiddlewareFactory>(options.auth_token));
  }
  return flight_options;
}

flight::FlightServiceOptions ServiceOptionsFor(const ops::ServerOptions& options,
                                               const Sources& sources) {
  flight::FlightServiceOptions service;
  service.batch_rows = options.batch_size;
  service.advertised_host = AdvertisedHost(options);
  service.tls = !options.tls_cert_file.empty();
  service.max_streams = options.max_connections;
  service.converter.network_passphrase = options.network_passphrase;
  service.sources_json = sources.description.dump();
  return service;
}

}  // namespace

arrow::Status RunServer(const ops::ServerOptions& options) {
  ops::MetricsRegistry metrics;
  RegisterProcessMetrics(&metrics);

  ARROW_ASSIGN_OR_RAISE(Sources sources, OpenSources(options));
  if (sources.hub) RegisterHubMetrics(sources.hub, &metrics);

  flight::FlightServiceOptions service_options = ServiceOptionsFor(options, sources);
  ARROW_ASSIGN_OR_RAISE(service_options.ipc, IpcOptionsFor(options));
  flight::FlightMetrics flight_metrics{
      metrics.Register(ops::metric::kFlightRowsSent),
      metrics.Register(ops::metric::kFlightBytesSent),
      metrics.Register(ops::metric::kFlightDroppedStreams)};
  flight::StellarFlightService service(service_options, sources.hub, sources.history,
                                       flight_metrics);
  metrics.RegisterCallbackGauge(ops::metric::kFlightActiveStreams, [&service] {
    return static_cast<double>(service.active_streams());
  });
  ARROW_ASSIGN_OR_RAISE(auto flight_options, MakeFlightOptions(options, &metrics));
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
  http_options.is_ready = [&serving, hub = sources.hub] {
    return serving.load() && (!hub || hub->Get(UINT32_MAX, 0).status.ok());
  };
  ARROW_ASSIGN_OR_RAISE(auto http, ops::OpsHttpServer::Start(http_options, &metrics));

  ops::LogInfo("server", "serving",
               {{"flight_port", service.port()},
                {"health_port", http->port()},
                {"bind_address", options.bind_address},
                {"sources", sources.description},
                {"network_passphrase", options.network_passphrase},
                {"auth", !options.auth_token.empty()},
                {"tls", !options.tls_cert_file.empty()},
                {"version", kVersion}});

  std::signal(SIGINT, RecordSignal);
  std::signal(SIGTERM, RecordSignal);
  std::thread watcher([&] {
    while (serving && g_signal == 0) std::this_thread::sleep_for(kSignalPoll);
    if (g_signal == 0) return;
    ops::LogInfo("server", "stopping", {{"signal", static_cast<int>(g_signal)}});
    // Live tails end once the hub stops; the deadline bounds slow writers.
    if (sources.hub) sources.hub->Stop();
    auto deadline = std::chrono::system_clock::now() + kShutdownGrace;
    arrow::Status shutdown = service.Shutdown(&deadline);
    if (!shutdown.ok())
      ops::LogWarn("server", "shutdown", {{"error", shutdown.ToString()}});
  });
  arrow::Status served = service.Serve();
  serving = false;
  watcher.join();
  if (sources.hub) sources.hub->Stop();
  http->Stop();
  ARROW_RETURN_NOT_OK(served);
  ops::LogInfo("server", "stopped");
  return arrow::Status::OK();
}

}  // namespace sas::app
