#include "app/server.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <arrow/flight/server.h>
#include <arrow/memory_pool.h>
#include <arrow/util/compression.h>
#include <nlohmann/json.hpp>

#include "analytics/engine.h"
#include "archive/archive_sink.h"
#include "build_info.h"
#include "flight/service.h"
#include "ingest/galexie_lake.h"
#include "ingest/lake_source.h"
#include "ingest/source_uri.h"
#include "ingest/upstream_source.h"
#include "ops/http_server.h"
#include "ops/log.h"
#include "ops/metric_catalog.h"
#include "ops/metrics.h"
#include "pipeline/ledger_follower.h"
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
  /// Counters of the upstream gRPC source, when it is the live source.
  std::function<ingest::UpstreamStats()> upstream_stats;
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
  registry->RegisterCallbackFamily(ops::metric::kLiveTransactions, [weak] {
    std::vector<ops::MetricsRegistry::LabelledSample> samples;
    if (auto locked = weak.lock()) {
      pipeline::HubStats stats = locked->stats();
      samples.push_back(
          {{"successful"}, static_cast<double>(stats.successful_transactions)});
      samples.push_back({{"failed"}, static_cast<double>(stats.failed_transactions)});
    }
    return samples;
  });
  registry->RegisterCallbackGauge(ops::metric::kLiveOperations,
                                  read([](const pipeline::HubStats& s) {
                                    return static_cast<double>(s.operations);
                                  }));
  registry->RegisterCallbackGauge(
      ops::metric::kLiveSourceBytes,
      read([](const pipeline::HubStats& s) { return static_cast<double>(s.xdr_bytes); }));
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

/// Registers the upstream source's counters.
void RegisterUpstreamMetrics(const std::function<ingest::UpstreamStats()>& stats,
                             ops::MetricsRegistry* registry) {
  auto read = [stats](uint64_t ingest::UpstreamStats::*field) {
    return [stats, field] { return static_cast<double>(stats().*field); };
  };
  registry->RegisterCallbackGauge(ops::metric::kUpstreamLedgers,
                                  read(&ingest::UpstreamStats::ledgers));
  registry->RegisterCallbackGauge(ops::metric::kUpstreamBytes,
                                  read(&ingest::UpstreamStats::bytes));
  registry->RegisterCallbackGauge(ops::metric::kUpstreamReconnects,
                                  read(&ingest::UpstreamStats::reconnects));
  registry->RegisterCallbackGauge(ops::metric::kUpstreamDuplicates,
                                  read(&ingest::UpstreamStats::duplicates_dropped));
  registry->RegisterCallbackGauge(ops::metric::kUpstreamBadLedgers,
                                  read(&ingest::UpstreamStats::bad_ledgers));
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
  if (options.mock_close_time_now) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    generator.first_close_time = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now).count());
    double spacing = options.mock_ledgers_per_second > 0
                         ? std::round(1.0 / options.mock_ledgers_per_second)
                         : 1.0;
    generator.close_interval_seconds = static_cast<uint32_t>(std::max(1.0, spacing));
    generator.slow_close_one_in = 0;
  }
  Sources sources;
  std::optional<uint32_t> last;
  if (options.mock_end_ledger > 0) last = options.mock_end_ledger;
  auto source = std::make_unique<ingest::GeneratorLedgerSource>(generator, last);
  ARROW_ASSIGN_OR_RAISE(sources.hub,
                        pipeline::LedgerHub::Start(std::move(source), generator.start,
                                                   HubOptionsFor(options)));
  sources.description = {{"live", "generator"},
                         {"ledgers_per_second", generator.ledgers_per_second},
                         {"transactions_per_ledger", generator.transactions_per_ledger},
                         {"first_ledger", generator.start}};
  return sources;
}

/// Opens history ranges of the lake at `uri`.
pipeline::HistoryOpener LakeHistory(const ops::ServerOptions& options) {
  return [uri = options.ledger_lake_uri, network = options.network_passphrase](
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
}

/// Returns the newest ledger of the configured lake.
arrow::Result<uint32_t> LakeNewestLedger(const ops::ServerOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto lake, ingest::GalexieLake::Open(options.ledger_lake_uri,
                                                             options.network_passphrase));
  ARROW_ASSIGN_OR_RAISE(auto newest, lake->FindNewestLedger());
  if (!newest) {
    return arrow::Status::Invalid("lake ", options.ledger_lake_uri, " holds no ledger");
  }
  return *newest;
}

/// A lake serves history, and its tail (from its newest ledger) the live streams.
arrow::Result<Sources> OpenLake(const ops::ServerOptions& options) {
  ARROW_ASSIGN_OR_RAISE(uint32_t newest, LakeNewestLedger(options));
  ingest::LakeSourceOptions tail;
  tail.uri = options.ledger_lake_uri;
  tail.network_passphrase = options.network_passphrase;
  tail.start = newest;
  ARROW_ASSIGN_OR_RAISE(auto live, ingest::LakeLedgerSource::Open(tail));
  Sources sources;
  ARROW_ASSIGN_OR_RAISE(sources.hub, pipeline::LedgerHub::Start(std::move(live), newest,
                                                                HubOptionsFor(options)));
  sources.history = LakeHistory(options);
  sources.description = {{"live", "lake tail"},
                         {"history", "lake"},
                         {"lake", options.ledger_lake_uri},
                         {"lake_newest_ledger_at_start", newest}};
  return sources;
}

ingest::UpstreamOptions UpstreamOptionsFor(const ops::ServerOptions& options,
                                           uint32_t start) {
  ingest::UpstreamOptions upstream;
  upstream.endpoint = options.source_endpoint;
  upstream.start = start;
  upstream.tls = options.source_tls;
  upstream.tls_root_cert_file = options.source_tls_ca_file;
  upstream.max_message_bytes = static_cast<int>(options.source_max_message_mb) << 20;
  upstream.keepalive_time = std::chrono::seconds(options.source_keepalive_seconds);
  return upstream;
}

/// Opens history ranges as streams of their own from the upstream (which serves any
/// range it holds): used when no lake is configured.
pipeline::HistoryOpener UpstreamHistory(const ops::ServerOptions& options) {
  return [options](uint32_t start, std::optional<uint32_t> end)
             -> arrow::Result<std::unique_ptr<ingest::LedgerSource>> {
    ingest::UpstreamOptions upstream = UpstreamOptionsFor(options, start);
    upstream.end = end;
    ARROW_ASSIGN_OR_RAISE(auto source, ingest::UpstreamLedgerSource::Open(upstream));
    return std::unique_ptr<ingest::LedgerSource>(std::move(source));
  };
}

/// The upstream gRPC stream (SOURCE_ENDPOINT) feeds the live streams, from START_LEDGER
/// or the ledger after the lake's newest; history comes from the lake when set, else from
/// further upstream streams (ranges older than the live buffer, and an archive resuming
/// before START_LEDGER, have no gap).
arrow::Result<Sources> OpenUpstream(const ops::ServerOptions& options) {
  uint32_t start = options.start_ledger;
  bool lake = !options.ledger_lake_uri.empty();
  if (lake && start == 0) {
    ARROW_ASSIGN_OR_RAISE(uint32_t newest, LakeNewestLedger(options));
    start = newest + 1;
  }
  if (start == 0) {
    return arrow::Status::Invalid("SOURCE_ENDPOINT ", options.source_endpoint,
                                  ": set START_LEDGER (the first ledger to ask the "
                                  "upstream for) or LEDGER_LAKE_URI");
  }
  ARROW_ASSIGN_OR_RAISE(
      auto live, ingest::UpstreamLedgerSource::Open(UpstreamOptionsFor(options, start)));
  Sources sources;
  ingest::UpstreamLedgerSource* upstream = live.get();
  ARROW_ASSIGN_OR_RAISE(sources.hub, pipeline::LedgerHub::Start(std::move(live), start,
                                                                HubOptionsFor(options)));
  sources.upstream_stats = [hub = std::weak_ptr(sources.hub), upstream] {
    return hub.lock() ? upstream->stats() : ingest::UpstreamStats{};
  };
  sources.history = lake ? LakeHistory(options) : UpstreamHistory(options);
  sources.description = {{"live", "upstream"},
                         {"source_endpoint", options.source_endpoint},
                         {"start_ledger", start},
                         {"history", lake ? "lake" : "upstream"}};
  if (lake) sources.description["lake"] = options.ledger_lake_uri;
  return sources;
}

arrow::Result<Sources> OpenSources(const ops::ServerOptions& options) {
  if (options.mock_data) return OpenGenerator(options);
  if (options.source_endpoint_set || options.start_ledger > 0)
    return OpenUpstream(options);
  if (!options.ledger_lake_uri.empty()) return OpenLake(options);
  ops::LogWarn("server", "no ledger source",
               {{"detail",
                 "set MOCK_DATA=true, LEDGER_LAKE_URI, or SOURCE_ENDPOINT with "
                 "START_LEDGER"}});
  Sources sources;
  sources.description = {{"live", nullptr}, {"source_endpoint", options.source_endpoint}};
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
  if (options.arrow_compression == "none") return ipc;
  auto type = options.arrow_compression == "zstd" ? arrow::Compression::ZSTD
                                                  : arrow::Compression::LZ4_FRAME;
  int level =
      options.arrow_compression_level.value_or(arrow::util::kUseDefaultCompressionLevel);
  auto codec = arrow::util::Codec::Create(type, level);
  if (!codec.ok()) {
    return codec.status().WithMessage("ARROW_COMPRESSION_LEVEL ", level, " for ",
                                      options.arrow_compression, ": ",
                                      codec.status().message());
  }
  ipc.codec = std::move(*codec);
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
                          metrics->Register(ops::metric::kFlightCallSeconds),
                          metrics->Register(ops::metric::kFlightCallLatency)));
  if (!options.auth_token.empty()) {
    flight_options.middleware.emplace_back(
        "bearer-token",
        std::make_shared<flight::BearerTokenMiddlewareFactory>(options.auth_token));
  }
  return flight_options;
}

arrow::Result<std::string> ReadConfigFile(const std::string& path) {
  return ReadFile(path, "ANALYTICS_CONFIG");
}

/// The analytics engine with the built-ins and ANALYTICS_CONFIG, following the hub.
arrow::Result<std::shared_ptr<analytics::AnalyticsEngine>> StartAnalytics(
    const ops::ServerOptions& options, const Sources& sources,
    std::vector<std::unique_ptr<pipeline::LedgerFollower>>* followers) {
  if (!options.enable_analytics && options.analytics_config.empty()) return nullptr;
  if (!sources.hub) {
    return arrow::Status::Invalid(
        "ENABLE_ANALYTICS needs a live source (MOCK_DATA, LEDGER_LAKE_URI or "
        "SOURCE_ENDPOINT)");
  }
  auto engine = std::make_shared<analytics::AnalyticsEngine>(
      static_cast<size_t>(options.analytics_buffer_size));
  if (options.enable_analytics) {
    ARROW_ASSIGN_OR_RAISE(auto builtins,
                          analytics::BuiltinAggregations(options.analytics_window_size));
    for (auto& def : builtins) ARROW_RETURN_NOT_OK(engine->Add(std::move(def)));
  }
  if (!options.analytics_config.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto text, ReadConfigFile(options.analytics_config));
    auto defs = analytics::ParseAggregations(text);
    if (!defs.ok()) {
      return defs.status().WithMessage("ANALYTICS_CONFIG ", options.analytics_config,
                                       ": ", defs.status().message());
    }
    for (auto& def : *defs) ARROW_RETURN_NOT_OK(engine->Add(std::move(def)));
  }
  convert::ConverterOptions converter;
  converter.network_passphrase = options.network_passphrase;
  followers->push_back(std::make_unique<pipeline::LedgerFollower>(
      "analytics", sources.hub, sources.history, converter, sources.hub->first_sequence(),
      engine));
  return engine;
}

/// The live archive (PARQUET_BASE_PATH), resuming after its checkpoint; returns its sink
/// (nullptr when the archive is off).
arrow::Result<std::shared_ptr<archive::ArchiveSink>> StartArchive(
    const ops::ServerOptions& options, const Sources& sources,
    std::vector<std::unique_ptr<pipeline::LedgerFollower>>* followers) {
  if (options.parquet_base_path.empty()) return nullptr;
  if (!sources.hub) {
    return arrow::Status::Invalid(
        "PARQUET_BASE_PATH needs a live source (MOCK_DATA, LEDGER_LAKE_URI or "
        "SOURCE_ENDPOINT)");
  }
  archive::ArchiveOptions archive_options;
  archive_options.base = options.parquet_base_path;
  archive_options.compression = options.parquet_compression;
  archive_options.max_file_bytes = options.parquet_max_file_size;
  archive_options.partition_format = options.parquet_partition_format;
  archive_options.row_group_rows = options.parquet_archive_buffer_size;
  archive_options.network_passphrase = options.network_passphrase;
  if (!options.parquet_tables.empty()) {
    auto tables = archive::ParseTableList(options.parquet_tables);
    if (!tables.ok()) {
      return tables.status().WithMessage("PARQUET_TABLES='", options.parquet_tables,
                                         "': ", tables.status().message());
    }
    archive_options.tables = *tables;
  }
  ARROW_ASSIGN_OR_RAISE(auto archiver, archive::Archiver::Open(archive_options));
  uint32_t resume = archiver->NextLedger(1);
  uint32_t start = resume > 1 ? resume : sources.hub->first_sequence();
  convert::ConverterOptions converter;
  converter.network_passphrase = options.network_passphrase;
  converter.tables = archiver->tables();
  ops::LogInfo("archive", "archiving",
               {{"base", options.parquet_base_path}, {"from", start}});
  auto sink = std::make_shared<archive::ArchiveSink>(
      std::move(archiver), start,
      std::chrono::milliseconds(
          std::llround(options.parquet_archive_interval_minutes * 60'000)));
  followers->push_back(std::make_unique<pipeline::LedgerFollower>(
      "archive", sources.hub, sources.history, converter, start, sink));
  return sink;
}

/// Registers the live archive's progress: its cursor and what each table holds.
void RegisterArchiveMetrics(const pipeline::LedgerFollower* follower,
                            std::shared_ptr<const archive::ArchiveSink> sink,
                            ops::MetricsRegistry* registry) {
  registry->RegisterCallbackGauge(ops::metric::kArchiveCursor, [follower] {
    return static_cast<double>(follower->cursor());
  });
  using Field = double (*)(const archive::TableArchiveStats&);
  auto register_per_table = [&](const ops::MetricSpec& spec, Field field) {
    registry->RegisterCallbackFamily(spec, [sink, field] {
      std::vector<ops::MetricsRegistry::LabelledSample> samples;
      for (const auto& stats : sink->stats()) {
        samples.push_back({{std::string(convert::TableName(stats.table))}, field(stats)});
      }
      return samples;
    });
  };
  register_per_table(ops::metric::kArchiveLastLedger, [](const auto& s) {
    return static_cast<double>(s.last_ledger.value_or(0));
  });
  register_per_table(ops::metric::kArchiveFiles,
                     [](const auto& s) { return static_cast<double>(s.files); });
  register_per_table(ops::metric::kArchiveRows,
                     [](const auto& s) { return static_cast<double>(s.rows); });
  register_per_table(ops::metric::kArchiveBytes,
                     [](const auto& s) { return static_cast<double>(s.bytes); });
}

flight::FlightServiceOptions ServiceOptionsFor(const ops::ServerOptions& options,
                                               const Sources& sources) {
  flight::FlightServiceOptions service;
  service.batch_rows = options.batch_size;
  service.advertised_host = AdvertisedHost(options);
  service.tls = !options.tls_cert_file.empty();
  service.max_streams = options.max_connections;
  service.max_lag_bytes = int64_t{options.client_max_lag_mb} << 20;
  service.stall_timeout = std::chrono::seconds(options.client_stall_timeout_seconds);
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
  if (sources.upstream_stats) RegisterUpstreamMetrics(sources.upstream_stats, &metrics);
  std::vector<std::unique_ptr<pipeline::LedgerFollower>> followers;
  ARROW_ASSIGN_OR_RAISE(auto engine, StartAnalytics(options, sources, &followers));
  ARROW_ASSIGN_OR_RAISE(auto archive_sink, StartArchive(options, sources, &followers));
  if (archive_sink) {
    RegisterArchiveMetrics(followers.back().get(), archive_sink, &metrics);
  }
  if (engine) {
    metrics.RegisterCallbackGauge(ops::metric::kAnalyticsStateBytes, [engine] {
      return static_cast<double>(engine->StateBytes());
    });
    metrics.RegisterCallbackFamily(ops::metric::kAnalyticsValue, [engine] {
      std::vector<ops::MetricsRegistry::LabelledSample> samples;
      for (auto& exported : engine->ExportedValues()) {
        samples.push_back({{std::move(exported.aggregation), std::move(exported.measure),
                            std::move(exported.group)},
                           exported.value});
      }
      return samples;
    });
  }

  flight::FlightServiceOptions service_options = ServiceOptionsFor(options, sources);
  ARROW_ASSIGN_OR_RAISE(service_options.ipc, IpcOptionsFor(options));
  flight::FlightMetrics flight_metrics{
      metrics.Register(ops::metric::kFlightRowsSent),
      metrics.Register(ops::metric::kFlightBytesSent),
      metrics.Register(ops::metric::kFlightDroppedStreams),
      metrics.Register(ops::metric::kFlightStalledStreams)};
  flight::StellarFlightService service(service_options, sources.hub, sources.history,
                                       flight_metrics);
  service.SetAnalytics(engine);
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
  http_options.sources_json = sources.description.dump();
  if (engine) {
    http_options.analytics = [engine](std::string_view name, bool newest_only) {
      return engine->ResultsJson(std::string(name), newest_only);
    };
  }
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
  http->Stop();  // before the followers its gauges read
  followers.clear();
  if (sources.hub) sources.hub->Stop();
  ARROW_RETURN_NOT_OK(served);
  ops::LogInfo("server", "stopped");
  return arrow::Status::OK();
}

}  // namespace sas::app
