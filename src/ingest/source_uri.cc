#include "ingest/source_uri.h"

#include <charconv>

#include "ingest/lake_source.h"
#include "ingest/upstream_source.h"

namespace sas::ingest {
namespace {

constexpr std::string_view kGeneratorScheme = "generator:";
constexpr std::string_view kGrpcScheme = "grpc://";
constexpr std::string_view kGrpcTlsScheme = "grpcs://";

arrow::Result<uint32_t> ParseCount(std::string_view key, std::string_view text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return arrow::Status::Invalid("option ", key, "='", text,
                                  "': expected a non-negative integer");
  }
  return value;
}

arrow::Result<double> ParseRate(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value < 0 || value > 1e6) {
    return arrow::Status::Invalid("generator option rate='", text,
                                  "': expected ledgers per second in [0, 1e6]");
  }
  return value;
}

/// Applies one `key=value` generator option.
arrow::Status ApplyGeneratorOption(std::string_view key, std::string_view value,
                                   GeneratorOptions* options) {
  if (key == "rate") {
    ARROW_ASSIGN_OR_RAISE(options->ledgers_per_second, ParseRate(value));
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(uint32_t number, ParseCount(key, value));
  if (key == "seed") {
    options->seed = number;
  } else if (key == "origin") {
    options->start = number;
  } else if (key == "tx") {
    options->transactions_per_ledger = number;
  } else {
    return arrow::Status::Invalid("generator: unknown option '", key,
                                  "' (expected seed, tx, rate or origin)");
  }
  return arrow::Status::OK();
}

}  // namespace

bool IsGeneratorUri(std::string_view uri) { return uri.starts_with(kGeneratorScheme); }

bool IsUpstreamUri(std::string_view uri) {
  return uri.starts_with(kGrpcScheme) || uri.starts_with(kGrpcTlsScheme);
}

arrow::Result<UpstreamOptions> ParseUpstreamUri(std::string_view uri) {
  UpstreamOptions options;
  options.tls = uri.starts_with(kGrpcTlsScheme);
  std::string_view endpoint =
      uri.substr(options.tls ? kGrpcTlsScheme.size() : kGrpcScheme.size());
  size_t colon = endpoint.rfind(':');
  if (endpoint.empty() || colon == std::string_view::npos || colon == 0 ||
      colon + 1 == endpoint.size() || endpoint.find('/') != std::string_view::npos) {
    return arrow::Status::Invalid("source '", uri,
                                  "': expected grpc://host:port or grpcs://host:port");
  }
  ARROW_ASSIGN_OR_RAISE(uint32_t port, ParseCount("port", endpoint.substr(colon + 1)));
  if (port == 0 || port > 65535) {
    return arrow::Status::Invalid("source '", uri, "': port ", port,
                                  " is not in 1-65535");
  }
  options.endpoint = std::string(endpoint);
  return options;
}

arrow::Result<GeneratorOptions> ParseGeneratorUri(std::string_view uri,
                                                  GeneratorOptions base) {
  if (!IsGeneratorUri(uri)) {
    return arrow::Status::Invalid("'", uri, "' is not a generator: URI");
  }
  std::string_view rest = uri.substr(kGeneratorScheme.size());
  while (!rest.empty()) {
    std::string_view item = rest.substr(0, rest.find(','));
    rest = item.size() < rest.size() ? rest.substr(item.size() + 1) : std::string_view();
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return arrow::Status::Invalid("generator option '", item, "' has no value");
    }
    ARROW_RETURN_NOT_OK(
        ApplyGeneratorOption(item.substr(0, eq), item.substr(eq + 1), &base));
  }
  return base;
}

arrow::Result<std::unique_ptr<LedgerSource>> OpenLedgerSource(
    const SourceRequest& request) {
  if (IsGeneratorUri(request.uri)) {
    GeneratorOptions base;
    if (!request.network_passphrase.empty()) {
      base.network_passphrase = request.network_passphrase;
    }
    ARROW_ASSIGN_OR_RAISE(auto options, ParseGeneratorUri(request.uri, base));
    if (request.start < options.start) {
      return arrow::Status::Invalid("generator: start ", request.start,
                                    " is before its first ledger (origin=", options.start,
                                    ")");
    }
    options.deliver_from = request.start;
    return std::make_unique<GeneratorLedgerSource>(std::move(options), request.end);
  }
  if (IsUpstreamUri(request.uri)) {
    ARROW_ASSIGN_OR_RAISE(auto options, ParseUpstreamUri(request.uri));
    options.start = request.start;
    options.end = request.end;
    ARROW_ASSIGN_OR_RAISE(auto source, UpstreamLedgerSource::Open(std::move(options)));
    return source;
  }
  LakeSourceOptions options;
  options.uri = request.uri;
  options.network_passphrase = request.network_passphrase;
  options.start = request.start;
  options.end = request.end;
  options.workers = request.workers;
  options.prefetch_bytes = request.prefetch_bytes;
  ARROW_ASSIGN_OR_RAISE(auto source, LakeLedgerSource::Open(options));
  return source;
}

}  // namespace sas::ingest
