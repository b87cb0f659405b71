// Opening a LedgerSource from a URI: a Galexie lake (file://, s3://, gs://), the upstream
// gRPC stream (grpc://host:port, grpcs://host:port) or the generator
// (`generator:seed=N,tx=N,rate=R`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <arrow/result.h>

#include "ingest/generator.h"
#include "ingest/ledger_source.h"
#include "ingest/upstream_source.h"

namespace sas::ingest {

/// What to read and how.
struct SourceRequest {
  /// `file://…`, `s3://…`, `gs://…`, `grpc://host:port` or
  /// `generator:[seed=N][,tx=N][,rate=R][,origin=N]`.
  std::string uri;
  /// Network of the ledgers; empty: the lake's (checked against it when given).
  std::string network_passphrase;
  uint32_t start = 2;
  /// Last ledger; without one the source follows the newest ledger forever.
  std::optional<uint32_t> end;
  /// Lake objects requested at once.
  int workers = 4;
  /// Bound on fetched, undelivered lake bytes.
  int64_t prefetch_bytes = int64_t{256} << 20;
};

/// True when `uri` names the generator.
bool IsGeneratorUri(std::string_view uri);

/// True when `uri` names the upstream gRPC stream (`grpc://` or, with TLS, `grpcs://`).
bool IsUpstreamUri(std::string_view uri);

/// Parses `grpc://host:port` or `grpcs://host:port` (TLS with the system's roots).
arrow::Result<UpstreamOptions> ParseUpstreamUri(std::string_view uri);

/// Parses the options of a `generator:` URI on top of `base`: seed=N, tx=N (transactions
/// per ledger), rate=R (ledgers per second, 0 = as fast as possible), origin=N (its
/// first ledger, default 2; a later start skips ahead so ledger N is always the same).
arrow::Result<GeneratorOptions> ParseGeneratorUri(std::string_view uri,
                                                  GeneratorOptions base = {});

/// Opens the source `request.uri` names.
arrow::Result<std::unique_ptr<LedgerSource>> OpenLedgerSource(
    const SourceRequest& request);

}  // namespace sas::ingest
