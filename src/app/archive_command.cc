#include "app/archive_command.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include <arrow/util/thread_pool.h>

#include "app/command_line.h"
#include "app/progress.h"
#include "app/run_main.h"
#include "archive/archiver.h"
#include "ingest/galexie_lake.h"
#include "ingest/source_uri.h"
#include "ops/config.h"
#include "pipeline/chunk_reader.h"
#include "xdr/network.h"

namespace sas::app {
namespace {

constexpr std::array kArchiveFlags = {
    FlagSpec{"--source", true,
             "a Galexie lake (file://, s3://, gs://), grpc://host:port or generator:…"},
    FlagSpec{"--network", true, "pubnet, testnet, futurenet, standalone or a passphrase"},
    FlagSpec{"--start", true, "first ledger"},
    FlagSpec{"--end", true, "last ledger"},
    FlagSpec{"--out", true, "archive root (default: PARQUET_BASE_PATH)"},
    FlagSpec{"--tables", true, "comma-separated tables (default: all five)"},
    FlagSpec{
        "--compression", true,
        "none, snappy, gzip, lz4 or zstd[:LEVEL] (default: PARQUET_COMPRESSION or zstd)"},
    FlagSpec{
        "--partition-format", true,
        "Go date layout or ledger_range[:WIDTH] (default: PARQUET_PARTITION_FORMAT or "
        "2006/01/02)"},
    FlagSpec{
        "--max-file-size", true,
        "rotate files at this many bytes (default: PARQUET_MAX_FILE_SIZE or 256 MiB)"},
    FlagSpec{"--row-group-rows", true,
             "rows per Parquet row group (default: PARQUET_ROW_GROUP_ROWS or 131072)"},
    FlagSpec{"--threads", true, "conversion threads (default: Arrow's CPU pool size)"},
};

constexpr const char* kArchiveUsage =
    "Usage: stellar-arrow-source archive --source URI [--network N] --start S --end E "
    "[--out BASE]\n";

/// What the command line (and the PARQUET_* environment) asks for.
struct ArchiveRequest {
  ingest::SourceRequest source;
  archive::ArchiveOptions archive;
  int threads = 1;
};

arrow::Result<uint64_t> ParseNumber(std::string_view what, std::string_view text,
                                    uint64_t min) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value < min) {
    return arrow::Status::Invalid(what, "='", text, "': expected an integer >= ", min);
  }
  return value;
}

std::optional<std::string> Env(const ops::EnvLookup& env, std::string_view name,
                               const CommandLine& line, std::string_view flag) {
  if (auto value = line.Value(flag)) return value;
  return env(name);
}

arrow::Result<ArchiveRequest> ParseRequest(std::span<const std::string> args,
                                           const ops::EnvLookup& env) {
  ARROW_ASSIGN_OR_RAISE(auto line, CommandLine::Parse(args, kArchiveFlags));
  if (!line.positionals().empty()) {
    return arrow::Status::Invalid("unexpected argument '", line.positionals()[0], "'");
  }
  ArchiveRequest request;
  auto source = line.Value("--source");
  auto start = line.Value("--start");
  auto end = line.Value("--end");
  if (!source || !start || !end) {
    return arrow::Status::Invalid("--source, --start and --end are required");
  }
  request.source.uri = *source;
  if (auto network = line.Value("--network")) {
    request.source.network_passphrase = xdr::ResolveNetworkPassphrase(*network);
  }
  ARROW_ASSIGN_OR_RAISE(uint64_t first, ParseNumber("--start", *start, 1));
  ARROW_ASSIGN_OR_RAISE(uint64_t last, ParseNumber("--end", *end, first));
  if (last > UINT32_MAX) return arrow::Status::Invalid("--end is past the last ledger");
  request.source.start = static_cast<uint32_t>(first);
  request.source.end = static_cast<uint32_t>(last);
  request.archive.base = Env(env, "PARQUET_BASE_PATH", line, "--out").value_or("");
  if (auto value = Env(env, "PARQUET_COMPRESSION", line, "--compression")) {
    request.archive.compression = *value;
  }
  if (auto value = Env(env, "PARQUET_PARTITION_FORMAT", line, "--partition-format")) {
    request.archive.partition_format = *value;
  }
  if (auto value = Env(env, "PARQUET_MAX_FILE_SIZE", line, "--max-file-size")) {
    ARROW_ASSIGN_OR_RAISE(uint64_t bytes,
                          ParseNumber("PARQUET_MAX_FILE_SIZE", *value, 1));
    request.archive.max_file_bytes = static_cast<int64_t>(bytes);
  }
  if (auto value = Env(env, "PARQUET_ROW_GROUP_ROWS", line, "--row-group-rows")) {
    ARROW_ASSIGN_OR_RAISE(uint64_t rows,
                          ParseNumber("PARQUET_ROW_GROUP_ROWS", *value, 1));
    request.archive.row_group_rows = static_cast<int64_t>(rows);
  }
  if (auto tables = Env(env, "PARQUET_TABLES", line, "--tables")) {
    ARROW_ASSIGN_OR_RAISE(request.archive.tables, archive::ParseTableList(*tables));
  }
  request.threads = arrow::GetCpuThreadPoolCapacity();
  if (auto threads = line.Value("--threads")) {
    ARROW_ASSIGN_OR_RAISE(uint64_t n, ParseNumber("--threads", *threads, 1));
    request.threads = static_cast<int>(std::min<uint64_t>(n, 256));
  }
  return request;
}

/// The network of the ledgers: given, or the lake's, or the generator's.
arrow::Result<std::string> NetworkOf(const ingest::SourceRequest& source) {
  if (!source.network_passphrase.empty()) return source.network_passphrase;
  if (ingest::IsGeneratorUri(source.uri)) {
    ARROW_ASSIGN_OR_RAISE(auto options, ingest::ParseGeneratorUri(source.uri));
    return options.network_passphrase;
  }
  ARROW_ASSIGN_OR_RAISE(auto lake, ingest::GalexieLake::Open(source.uri, ""));
  return lake->manifest().network_passphrase;
}

arrow::Status RunArchive(ArchiveRequest request) {
  ARROW_ASSIGN_OR_RAISE(request.source.network_passphrase, NetworkOf(request.source));
  request.archive.network_passphrase = request.source.network_passphrase;
  ARROW_ASSIGN_OR_RAISE(auto archiver, archive::Archiver::Open(request.archive));
  uint32_t end = *request.source.end;
  ARROW_RETURN_NOT_OK(archiver->CheckContiguous(request.source.start));
  uint32_t begin = archiver->NextLedger(request.source.start);
  if (begin > end) {
    std::cout << "archive already holds ledgers " << request.source.start << "-" << end
              << " of every table; nothing to do\n";
    return arrow::Status::OK();
  }
  if (begin > request.source.start) {
    std::cerr << "resuming after the checkpoint at ledger " << begin - 1 << "\n";
  }
  request.source.start = begin;
  ARROW_ASSIGN_OR_RAISE(auto source, ingest::OpenLedgerSource(request.source));
  convert::ConverterOptions options;
  options.network_passphrase = request.source.network_passphrase;
  options.tables = archiver->tables();
  options.parallelism = request.threads;
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        pipeline::ChunkReader::Make(std::move(source), options));
  Progress progress("archived", end - begin + 1);
  ProgressCounts counts;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, reader->Next());
    if (!chunk) break;
    ARROW_RETURN_NOT_OK(archiver->Append(chunk->ledgers, chunk->chunk));
    counts = AddChunk(counts, *chunk, archiver->tables());
    progress.Update(counts);
  }
  ARROW_RETURN_NOT_OK(archiver->Flush());
  if (counts.ledgers != end - begin + 1) {
    return arrow::Status::IOError("the source ended after ", counts.ledgers, " of ",
                                  end - begin + 1, " ledgers");
  }
  size_t files = 0;
  for (convert::Table table : archiver->tables())
    files += archiver->table(table).files().size();
  progress.Finish("ledgers " + std::to_string(begin) + "-" + std::to_string(end) +
                  " into " + std::to_string(archiver->tables().size()) + " tables, " +
                  std::to_string(files) + " files in the archive");
  return arrow::Status::OK();
}

}  // namespace

int RunArchiveCommand(std::span<const std::string> args) {
  auto request = ParseRequest(args, ops::ProcessEnvironment());
  if (!request.ok()) {
    std::cerr << "stellar-arrow-source archive: " << request.status().message() << "\n"
              << kArchiveUsage << FormatFlags(kArchiveFlags);
    return kExitUsage;
  }
  arrow::Status status = RunArchive(std::move(*request));
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << "stellar-arrow-source archive: " << status.ToString() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace sas::app
