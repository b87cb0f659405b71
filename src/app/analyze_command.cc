#include "app/analyze_command.h"

#include <array>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <arrow/util/thread_pool.h>

#include "analytics/aggregation.h"
#include "app/command_line.h"
#include "app/progress.h"
#include "app/run_main.h"
#include "convert/batch_writer.h"
#include "ingest/source_uri.h"
#include "pipeline/chunk_reader.h"
#include "xdr/network.h"

namespace sas::app {
namespace {

constexpr std::array kAnalyzeFlags = {
    FlagSpec{"--source", true,
             "a Galexie lake (file://, s3://, gs://), grpc://host:port or generator:…"},
    FlagSpec{"--network", true, "pubnet, testnet, futurenet, standalone or a passphrase"},
    FlagSpec{"--start", true, "first ledger"},
    FlagSpec{"--end", true, "last ledger"},
    FlagSpec{"--config", true, "aggregation definitions (JSON, docs/ANALYTICS.md)"},
    FlagSpec{"--format", true, "jsonl (default), parquet or arrow"},
    FlagSpec{
        "--out", true,
        "output file (default: standard output, jsonl); with several aggregations and "
        "parquet/arrow, one file per aggregation named OUT-<name>"},
    FlagSpec{"--threads", true, "conversion threads (default: Arrow's CPU pool size)"},
};

constexpr const char* kAnalyzeUsage =
    "Usage: stellar-arrow-source analyze --source URI [--network N] --start S --end E "
    "--config FILE [--format jsonl|parquet|arrow] [--out PATH]\n";

struct AnalyzeRequest {
  ingest::SourceRequest source;
  std::string config;
  convert::OutputFormat format = convert::OutputFormat::kJsonl;
  std::string out;
  int threads = 1;
};

arrow::Result<uint32_t> ParseLedger(std::string_view flag, std::string_view text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value == 0) {
    return arrow::Status::Invalid(flag, "='", text, "': expected a ledger sequence >= 1");
  }
  return value;
}

arrow::Result<AnalyzeRequest> ParseRequest(std::span<const std::string> args) {
  ARROW_ASSIGN_OR_RAISE(auto line, CommandLine::Parse(args, kAnalyzeFlags));
  if (!line.positionals().empty()) {
    return arrow::Status::Invalid("unexpected argument '", line.positionals()[0], "'");
  }
  auto source = line.Value("--source");
  auto start = line.Value("--start");
  auto end = line.Value("--end");
  auto config = line.Value("--config");
  if (!source || !start || !end || !config) {
    return arrow::Status::Invalid("--source, --start, --end and --config are required");
  }
  AnalyzeRequest request;
  request.source.uri = *source;
  if (auto network = line.Value("--network")) {
    request.source.network_passphrase = xdr::ResolveNetworkPassphrase(*network);
  }
  ARROW_ASSIGN_OR_RAISE(request.source.start, ParseLedger("--start", *start));
  ARROW_ASSIGN_OR_RAISE(request.source.end, ParseLedger("--end", *end));
  if (*request.source.end < request.source.start) {
    return arrow::Status::Invalid("--end is before --start");
  }
  request.config = *config;
  if (auto format = line.Value("--format")) {
    ARROW_ASSIGN_OR_RAISE(request.format, convert::ParseOutputFormat(*format));
  }
  request.out = line.Value("--out").value_or("");
  if (request.out.empty() && request.format != convert::OutputFormat::kJsonl) {
    return arrow::Status::Invalid("--format parquet or arrow needs --out");
  }
  request.threads = arrow::GetCpuThreadPoolCapacity();
  if (auto threads = line.Value("--threads")) {
    ARROW_ASSIGN_OR_RAISE(uint32_t n, ParseLedger("--threads", *threads));
    request.threads = static_cast<int>(std::min<uint32_t>(n, 256));
  }
  return request;
}

arrow::Result<std::string> ReadText(const std::string& path) {
  std::ifstream file(path);
  if (!file) return arrow::Status::IOError("cannot read --config file '", path, "'");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Writes every aggregation's results where the request says.
arrow::Status WriteResults(
    const AnalyzeRequest& request,
    const std::vector<std::unique_ptr<analytics::Aggregation>>& aggs) {
  if (request.format == convert::OutputFormat::kJsonl) {
    std::string lines;
    for (const auto& agg : aggs) {
      ARROW_ASSIGN_OR_RAISE(auto results, agg->Results(true));
      ARROW_RETURN_NOT_OK(convert::AppendJsonLines(*results, &lines));
    }
    if (request.out.empty()) {
      std::cout << lines;
      return arrow::Status::OK();
    }
    std::ofstream out(request.out, std::ios::binary);
    out << lines;
    if (!out) return arrow::Status::IOError("cannot write ", request.out);
    return arrow::Status::OK();
  }
  for (const auto& agg : aggs) {
    std::string path =
        aggs.size() == 1 ? request.out : request.out + "-" + agg->def().name;
    ARROW_ASSIGN_OR_RAISE(auto results, agg->Results(true));
    ARROW_ASSIGN_OR_RAISE(
        auto writer, convert::OpenBatchFileWriter(path, request.format, agg->schema()));
    ARROW_RETURN_NOT_OK(writer->Write(*results));
    ARROW_RETURN_NOT_OK(writer->Close());
  }
  return arrow::Status::OK();
}

arrow::Status RunAnalyze(const AnalyzeRequest& request) {
  ARROW_ASSIGN_OR_RAISE(auto text, ReadText(request.config));
  ARROW_ASSIGN_OR_RAISE(auto defs, analytics::ParseAggregations(text));
  std::vector<std::unique_ptr<analytics::Aggregation>> aggs;
  convert::ConverterOptions options;
  options.network_passphrase = request.source.network_passphrase;
  options.parallelism = request.threads;
  for (auto& def : defs) {
    if (std::find(options.tables.begin(), options.tables.end(), def.table) ==
        options.tables.end()) {
      options.tables.push_back(def.table);
    }
    ARROW_ASSIGN_OR_RAISE(auto agg,
                          analytics::Aggregation::Make(std::move(def), SIZE_MAX));
    aggs.push_back(std::move(agg));
  }
  ARROW_ASSIGN_OR_RAISE(auto source, ingest::OpenLedgerSource(request.source));
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        pipeline::ChunkReader::Make(std::move(source), options));
  Progress progress("analyzed", *request.source.end - request.source.start + 1);
  ProgressCounts counts;
  std::chrono::steady_clock::duration aggregating{};
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, reader->Next());
    if (!chunk) break;
    auto started = std::chrono::steady_clock::now();
    for (const auto& agg : aggs) {
      ARROW_ASSIGN_OR_RAISE(auto rows, chunk->chunk.batch(agg->def().table));
      ARROW_RETURN_NOT_OK(agg->Update(chunk->ledgers, rows));
    }
    aggregating += std::chrono::steady_clock::now() - started;
    counts = AddChunk(counts, *chunk, options.tables);
    progress.Update(counts);
  }
  auto started = std::chrono::steady_clock::now();
  ARROW_RETURN_NOT_OK(WriteResults(request, aggs));
  aggregating += std::chrono::steady_clock::now() - started;
  progress.Finish("aggregation " +
                  std::to_string(std::chrono::duration<double>(aggregating).count()) +
                  " s of it (" + std::to_string(aggs.size()) +
                  " aggregations), the rest reading and converting");
  return arrow::Status::OK();
}

}  // namespace

int RunAnalyzeCommand(std::span<const std::string> args) {
  auto request = ParseRequest(args);
  if (!request.ok()) {
    std::cerr << "stellar-arrow-source analyze: " << request.status().message() << "\n"
              << kAnalyzeUsage << FormatFlags(kAnalyzeFlags);
    return kExitUsage;
  }
  arrow::Status status = RunAnalyze(*request);
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << "stellar-arrow-source analyze: " << status.ToString() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace sas::app
