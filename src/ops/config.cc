#include "ops/config.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "xdr/network.h"

namespace sas::ops {
namespace {

/// Parses an unsigned decimal integer in [min, max].
arrow::Result<uint64_t> ParseUnsigned(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value < min || value > max) {
    return arrow::Status::Invalid("not an integer in [", min, ", ", max, "]");
  }
  return value;
}

arrow::Status ApplyPort(std::string_view text, uint16_t* port) {
  ARROW_ASSIGN_OR_RAISE(uint64_t value, ParseUnsigned(text, 1, 65535));
  *port = static_cast<uint16_t>(value);
  return arrow::Status::OK();
}

arrow::Status ApplyBool(std::string_view text, bool* flag) {
  if (text == "true" || text == "1" || text == "yes") {
    *flag = true;
  } else if (text == "false" || text == "0" || text == "no") {
    *flag = false;
  } else {
    return arrow::Status::Invalid("not a boolean");
  }
  return arrow::Status::OK();
}

arrow::Status ApplyNonEmpty(std::string_view text, std::string* target) {
  if (text.empty()) return arrow::Status::Invalid("empty");
  *target = std::string(text);
  return arrow::Status::OK();
}

constexpr std::array kServerOptions = {
    OptionSpec{"--arrow-port", "ARROW_PORT", "8815", "an integer port 1-65535",
               "Arrow Flight (gRPC) port",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyPort(v, &o->arrow_port);
               }},
    OptionSpec{"--health-port", "HEALTH_PORT", "8088", "an integer port 1-65535",
               "HTTP port of the dashboard (/), /health, /ready, /metrics and /analytics",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyPort(v, &o->health_port);
               }},
    OptionSpec{"--bind-address", "BIND_ADDRESS", "127.0.0.1", "a host name or IP address",
               "address both servers listen on (loopback unless set)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->bind_address);
               }},
    OptionSpec{"--source-endpoint", "SOURCE_ENDPOINT", "localhost:50053", "host:port",
               "upstream RawLedgerService gRPC address",
               [](std::string_view v, ServerOptions* o) {
                 if (v.find(':') == std::string_view::npos) {
                   return arrow::Status::Invalid("no port");
                 }
                 o->source_endpoint_set = true;
                 return ApplyNonEmpty(v, &o->source_endpoint);
               }},
    OptionSpec{"--start-ledger", "START_LEDGER", "0", "an integer 0-4294967295",
               "first ledger asked of SOURCE_ENDPOINT (0: the one after the lake's "
               "newest; required without a lake)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 0xFFFFFFFFu));
                 o->start_ledger = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--source-tls", "SOURCE_TLS", "false", "true or false",
               "connect to SOURCE_ENDPOINT with TLS",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyBool(v, &o->source_tls);
               }},
    OptionSpec{"--source-tls-ca", "SOURCE_TLS_CA_FILE", "", "a PEM file",
               "root certificates for SOURCE_TLS (default: the system's)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->source_tls_ca_file);
               }},
    OptionSpec{"--source-max-message-mb", "SOURCE_MAX_MESSAGE_MB", "64",
               "an integer 1-2047",
               "largest upstream message (one ledger) accepted, in MiB",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 2047));
                 o->source_max_message_mb = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--source-keepalive", "SOURCE_KEEPALIVE_SECONDS", "30",
               "an integer 1-86400",
               "interval of keepalive pings on the upstream connection",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 86400));
                 o->source_keepalive_seconds = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{
        "--mock-data", "MOCK_DATA", "false", "true or false",
        "use the built-in ledger generator instead of a real source",
        [](std::string_view v, ServerOptions* o) { return ApplyBool(v, &o->mock_data); }},
    OptionSpec{"--batch-size", "BATCH_SIZE", "1000", "an integer 1-1000000",
               "maximum rows per Arrow record batch",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 1000000));
                 o->batch_size = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--network", "NETWORK_PASSPHRASE", "Test SDF Network ; September 2015",
               "pubnet, testnet, futurenet, standalone or a passphrase",
               "network of the ledgers (transaction hashes, lake manifest check)",
               [](std::string_view v, ServerOptions* o) {
                 if (v.empty()) return arrow::Status::Invalid("empty");
                 o->network_passphrase = xdr::ResolveNetworkPassphrase(v);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--log-level", "LOG_LEVEL", "info", "debug, info, warn or error",
               "least severe level that is logged",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(o->log_level, ParseLogLevel(v));
                 return arrow::Status::OK();
               }},
    OptionSpec{"--max-connections", "MAX_CONNECTIONS", "100", "an integer 1-100000",
               "concurrent Flight streams allowed",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 100000));
                 o->max_connections = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--ledger-lake-uri", "LEDGER_LAKE_URI", "",
               "file:///path, s3://… or gs://…",
               "Galexie data lake: history of every stream, and the live tail unless "
               "MOCK_DATA is true",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->ledger_lake_uri);
               }},
    OptionSpec{"--client-max-lag-mb", "CLIENT_MAX_LAG_MB", "64", "an integer 0-1000000",
               "a live-tail client that falls this far behind (MiB of converted ledgers) "
               "after keeping up is ended with a clear error (0: never)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 1000000));
                 o->client_max_lag_mb = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--client-stall-timeout", "CLIENT_STALL_TIMEOUT_SECONDS", "60",
               "an integer 0-86400",
               "a Flight client that took no data on any stream for this long while a "
               "write waits for it is disconnected, freeing its MAX_CONNECTIONS slots "
               "(0: never; behind a gRPC proxy this ends the proxy's connection)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 86400));
                 o->client_stall_timeout_seconds = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--live-buffer-mb", "LIVE_BUFFER_MB", "256", "an integer 1-1000000",
               "converted live ledgers kept for readers, in MiB",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 1000000));
                 o->live_buffer_mb = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--mock-rate", "MOCK_LEDGERS_PER_SECOND", "1", "an integer 0-100000",
               "generator ledgers per second (0: as fast as possible)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 100000));
                 o->mock_ledgers_per_second = static_cast<double>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--mock-tx", "MOCK_TX_PER_LEDGER", "300", "an integer 0-100000",
               "generator transactions per ledger",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 100000));
                 o->mock_transactions_per_ledger = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--mock-start", "MOCK_START_LEDGER", "2", "an integer 1-4294967295",
               "first generated ledger",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 0xFFFFFFFFu));
                 o->mock_start_ledger = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--mock-end", "MOCK_END_LEDGER", "0", "an integer 0-4294967295",
               "last generated ledger (0: generate forever)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 0, 0xFFFFFFFFu));
                 o->mock_end_ledger = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{
        "--mock-close-time", "MOCK_CLOSE_TIME", "fixed", "fixed or now",
        "close times of generated ledgers: fixed (from 2023-11-14T22:13:20Z, 5-6 s "
        "apart, the same every run) or now (from the server's start, 1/rate s "
        "apart, at least 1 s)",
        [](std::string_view v, ServerOptions* o) {
          if (v != "fixed" && v != "now") return arrow::Status::Invalid("unknown");
          o->mock_close_time_now = v == "now";
          return arrow::Status::OK();
        }},
    OptionSpec{"--auth-token", "AUTH_TOKEN", "", "a token",
               "bearer token every Flight call must present (no authentication when "
               "unset)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->auth_token);
               }},
    OptionSpec{"--auth-token-file", "AUTH_TOKEN_FILE", "", "a readable file",
               "file holding the bearer token (surrounding whitespace ignored)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(o->auth_token, ReadTokenFile(v));
                 return arrow::Status::OK();
               }},
    OptionSpec{"--tls-cert", "TLS_CERT_FILE", "", "a PEM certificate file",
               "TLS certificate of the Flight server (with TLS_KEY_FILE)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->tls_cert_file);
               }},
    OptionSpec{"--tls-key", "TLS_KEY_FILE", "", "a PEM private key file",
               "TLS private key of the Flight server (with TLS_CERT_FILE)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->tls_key_file);
               }},
    OptionSpec{"--arrow-compression", "ARROW_COMPRESSION", "none", "none, zstd or lz4",
               "IPC body compression of Flight streams",
               [](std::string_view v, ServerOptions* o) {
                 if (v != "none" && v != "zstd" && v != "lz4") {
                   return arrow::Status::Invalid("unknown codec");
                 }
                 o->arrow_compression = std::string(v);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--arrow-compression-level", "ARROW_COMPRESSION_LEVEL", "",
               "an integer (zstd 1-22, lz4 1-12)",
               "level of ARROW_COMPRESSION (default: the codec's)",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 22));
                 o->arrow_compression_level = static_cast<int>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--advertised-host", "ADVERTISED_HOST", "", "a host name or IP address",
               "host named in Flight endpoint locations (default: the bind address)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->advertised_host);
               }},
    OptionSpec{"--enable-analytics", "ENABLE_ANALYTICS", "false", "true or false",
               "run the live analytics engine with the built-in aggregations",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyBool(v, &o->enable_analytics);
               }},
    OptionSpec{"--analytics-window-size", "ANALYTICS_WINDOW_SIZE", "1h",
               "a duration such as 30s, 5m, 1h",
               "tumbling window of the built-in aggregations",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->analytics_window_size);
               }},
    OptionSpec{
        "--analytics-buffer-size", "ANALYTICS_BUFFER_SIZE", "10000",
        "an integer 1-1000000000",
        "input values an aggregation may hold for its exact measures (exact "
        "percentiles keep every value, distinct every distinct value, over the open "
        "panes); past it the aggregation stops with an error, the others go on",
        [](std::string_view v, ServerOptions* o) {
          ARROW_ASSIGN_OR_RAISE(o->analytics_buffer_size,
                                ParseUnsigned(v, 1, 1'000'000'000));
          return arrow::Status::OK();
        }},
    OptionSpec{"--analytics-config", "ANALYTICS_CONFIG", "", "a JSON file",
               "more aggregations ({\"aggregations\": [...]}, docs/ANALYTICS.md)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->analytics_config);
               }},
    OptionSpec{"--parquet-base-path", "PARQUET_BASE_PATH", "",
               "a path or file://, s3://, gs:// URI",
               "archive every table to Parquet under this root (off when unset)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->parquet_base_path);
               }},
    OptionSpec{"--parquet-compression", "PARQUET_COMPRESSION", "zstd",
               "none, snappy, gzip, lz4 or zstd[:LEVEL]",
               "Parquet compression of the archive",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->parquet_compression);
               }},
    OptionSpec{"--parquet-max-file-size", "PARQUET_MAX_FILE_SIZE", "268435456",
               "an integer number of bytes", "archive files are rotated at this size",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n,
                                       ParseUnsigned(v, 1, uint64_t{1} << 40));
                 o->parquet_max_file_size = static_cast<int64_t>(n);
                 return arrow::Status::OK();
               }},
    OptionSpec{"--parquet-partition-format", "PARQUET_PARTITION_FORMAT", "2006/01/02",
               "a Go date layout or ledger_range[:WIDTH]", "archive partition folders",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->parquet_partition_format);
               }},
    OptionSpec{"--parquet-tables", "PARQUET_TABLES", "", "comma-separated table names",
               "tables the archive writes (default: all five)",
               [](std::string_view v, ServerOptions* o) {
                 return ApplyNonEmpty(v, &o->parquet_tables);
               }},
    OptionSpec{"--parquet-archive-interval-minutes", "PARQUET_ARCHIVE_INTERVAL_MINUTES",
               "5", "minutes 0.01-1440 (fractions allowed)",
               "open archive files are committed at least this often",
               [](std::string_view v, ServerOptions* o) {
                 double minutes = 0;
                 auto [end, error] =
                     std::from_chars(v.data(), v.data() + v.size(), minutes);
                 if (v.empty() || error != std::errc() || end != v.data() + v.size() ||
                     !(minutes >= 0.01 && minutes <= 1440)) {
                   return arrow::Status::Invalid("out of range");
                 }
                 o->parquet_archive_interval_minutes = minutes;
                 return arrow::Status::OK();
               }},
    OptionSpec{"--parquet-archive-buffer-size", "PARQUET_ARCHIVE_BUFFER_SIZE", "1000",
               "an integer 1-100000000",
               "rows buffered per table before a row group is written",
               [](std::string_view v, ServerOptions* o) {
                 ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseUnsigned(v, 1, 100000000));
                 o->parquet_archive_buffer_size = static_cast<uint32_t>(n);
                 return arrow::Status::OK();
               }},
};

/// Applies one value, turning a parse failure into a message naming source and value.
arrow::Status ApplyOption(const OptionSpec& spec, std::string_view source,
                          std::string_view value, ServerOptions* options) {
  arrow::Status status = spec.apply(value, options);
  if (status.ok()) return status;
  return arrow::Status::Invalid("invalid ", source, "='", value, "': expected ",
                                spec.accepted);
}

const OptionSpec* FindByFlag(std::string_view flag) {
  for (const OptionSpec& spec : kServerOptions) {
    if (spec.flag == flag) return &spec;
  }
  return nullptr;
}

arrow::Status ApplyEnvironment(const EnvLookup& env, ServerOptions* options) {
  for (const OptionSpec& spec : kServerOptions) {
    if (std::optional<std::string> value = env(spec.env)) {
      ARROW_RETURN_NOT_OK(ApplyOption(spec, spec.env, *value, options));
    }
  }
  return arrow::Status::OK();
}

arrow::Status ApplyFlags(std::span<const std::string> args, ServerOptions* options) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view value;
    bool has_inline_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    const OptionSpec* spec = FindByFlag(arg);
    if (spec == nullptr) {
      return arrow::Status::Invalid("unknown option '", args[i], "' (see --help)");
    }
    if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        return arrow::Status::Invalid("option ", arg, " needs a value: ", spec->accepted);
      }
      value = args[++i];
    }
    ARROW_RETURN_NOT_OK(ApplyOption(*spec, spec->flag, value, options));
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<std::string> ReadTokenFile(std::string_view path) {
  std::ifstream file{std::string(path)};
  if (!file) return arrow::Status::Invalid("cannot read the file");
  std::stringstream contents;
  contents << file.rdbuf();
  std::string token = contents.str();
  size_t first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return arrow::Status::Invalid("the file is empty");
  size_t last = token.find_last_not_of(" \t\r\n");
  return token.substr(first, last - first + 1);
}

std::span<const OptionSpec> ServerOptionSpecs() { return kServerOptions; }

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv is only called while the process is single-threaded, at start-up.
    const char* value =
        std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

arrow::Result<ServerOptions> ParseServerOptions(std::span<const std::string> args,
                                                const EnvLookup& env) {
  ServerOptions options;
  ARROW_RETURN_NOT_OK(ApplyEnvironment(env, &options));
  ARROW_RETURN_NOT_OK(ApplyFlags(args, &options));
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return arrow::Status::Invalid(
        "TLS_CERT_FILE and TLS_KEY_FILE must be given together (only one is set)");
  }
  return options;
}

std::string FormatOptionsMarkdown() {
  std::ostringstream out;
  out << "# Configuration\n\n"
         "Generated by `stellar-arrow-source docs configuration` from the option table "
         "(`src/ops/config.cc`); a test fails when this file differs. Every option is an "
         "environment variable and a flag (the flag wins); an invalid value stops the "
         "program with exit code 2, naming the variable, the value and the accepted "
         "form.\n\n"
         "| environment variable | flag | default | accepted | meaning |\n"
         "|---|---|---|---|---|\n";
  auto cell = [](std::string_view text) {
    std::string escaped;
    for (char c : text) {
      if (c == '|') escaped += '\\';
      escaped += c;
    }
    return escaped;
  };
  for (const OptionSpec& spec : kServerOptions) {
    out << "| `" << spec.env << "` | `" << spec.flag << "` | "
        << (spec.default_value.empty() ? std::string("(unset)")
                                       : "`" + cell(spec.default_value) + "`")
        << " | " << cell(spec.accepted) << " | " << cell(spec.help) << " |\n";
  }
  return out.str();
}

std::string FormatOptionsHelp() {
  std::ostringstream out;
  out << "Server options (flag, environment variable, default):\n";
  for (const OptionSpec& spec : kServerOptions) {
    out << "  " << spec.flag << " VALUE  [env " << spec.env << ", default '"
        << spec.default_value << "']\n      " << spec.help << "; " << spec.accepted
        << "\n";
  }
  return out.str();
}

}  // namespace sas::ops
