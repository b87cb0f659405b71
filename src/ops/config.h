// Server configuration: every option declared once as data (flag, environment variable,
// default, accepted form, meaning), parsed from the environment and then from flags.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

#include "ops/log.h"

namespace sas::ops {

/// Everything the server reads from its environment and command-line flags.
struct ServerOptions {
  uint16_t arrow_port = 8815;
  uint16_t health_port = 8088;
  std::string bind_address = "127.0.0.1";
  std::string source_endpoint = "localhost:50053";
  /// True when SOURCE_ENDPOINT was given (with a lake, it then serves the live tail).
  bool source_endpoint_set = false;
  /// First ledger asked of the upstream (0: after the lake's newest).
  uint32_t start_ledger = 0;
  /// TLS to the upstream, its roots, message size cap and keepalive interval.
  bool source_tls = false;
  std::string source_tls_ca_file;
  uint32_t source_max_message_mb = 64;
  uint32_t source_keepalive_seconds = 30;
  bool mock_data = false;
  uint32_t batch_size = 1000;
  std::string network_passphrase = "Test SDF Network ; September 2015";
  LogLevel log_level = LogLevel::kInfo;
  uint32_t max_connections = 100;
  /// Galexie lake of history (and, without MOCK_DATA, of the live tail); empty: none.
  std::string ledger_lake_uri;
  /// Bound on converted live ledgers kept for readers.
  uint32_t live_buffer_mb = 256;
  /// How far (MiB) a live-tail client may fall behind once it kept up.
  uint32_t client_max_lag_mb = 64;
  /// How long a client may take no data while a write waits for it before its connection
  /// is closed (0: never).
  uint32_t client_stall_timeout_seconds = 60;
  /// Generator pace and size (MOCK_DATA=true).
  double mock_ledgers_per_second = 1;
  uint32_t mock_transactions_per_ledger = 300;
  uint32_t mock_start_ledger = 2;
  /// Last generated ledger (0: generate forever).
  uint32_t mock_end_ledger = 0;
  /// Generated close times start now, one ledger per 1/rate seconds (else they are
  /// fixed: 2023-11-14T22:13:20Z on, 5-6 s apart, the same every run).
  bool mock_close_time_now = false;
  /// Bearer token every Flight call must present; empty: no authentication.
  std::string auth_token;
  /// TLS certificate and key (PEM files); both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// IPC body compression of DoGet streams: none, zstd or lz4.
  std::string arrow_compression = "none";
  /// Its level; nullopt: the codec's default.
  std::optional<int> arrow_compression_level;
  /// Host named in FlightInfo locations; empty: the bind address.
  std::string advertised_host;
  /// Live analytics: on/off, the built-ins' window, and a definitions file.
  bool enable_analytics = false;
  std::string analytics_window_size = "1h";
  /// Input values each aggregation may hold for exact measures (ANALYTICS_BUFFER_SIZE).
  uint64_t analytics_buffer_size = 10000;
  std::string analytics_config;
  /// Live Parquet archive (on when the base path is set).
  std::string parquet_base_path;
  std::string parquet_compression = "zstd";
  int64_t parquet_max_file_size = int64_t{256} << 20;
  std::string parquet_partition_format = "2006/01/02";
  /// Tables archived, comma-separated; empty: all.
  std::string parquet_tables;
  double parquet_archive_interval_minutes = 5;
  uint32_t parquet_archive_buffer_size = 1000;
};

/// One configurable option: used for parsing, for --help and for the documentation.
struct OptionSpec {
  std::string_view flag;
  std::string_view env;
  std::string_view default_value;
  std::string_view accepted;
  std::string_view help;
  arrow::Status (*apply)(std::string_view value, ServerOptions* options);
};

/// Returns the table of every server option.
std::span<const OptionSpec> ServerOptionSpecs();

/// Reads one environment variable; std::nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads a bearer token from a file, without surrounding whitespace.
arrow::Result<std::string> ReadTokenFile(std::string_view path);

/// Returns an EnvLookup over the real process environment.
EnvLookup ProcessEnvironment();

/// Builds options from defaults, then the environment, then `args` (flags win).
///
/// Every error is a usage error whose message names the variable or flag, the value and
/// the accepted form; nothing falls back silently to a default.
arrow::Result<ServerOptions> ParseServerOptions(std::span<const std::string> args,
                                                const EnvLookup& env);

/// Renders the option table for --help: flag, environment variable, default, meaning.
std::string FormatOptionsHelp();

/// Returns docs/CONFIGURATION.md: every option as a Markdown table row.
std::string FormatOptionsMarkdown();

}  // namespace sas::ops
