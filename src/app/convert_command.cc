#include "app/convert_command.h"

#include <array>
#include <charconv>
#include <iostream>

#include <arrow/util/thread_pool.h>

#include "app/command_line.h"
#include "app/run_main.h"
#include "convert/batch_writer.h"
#include "convert/ledger_converter.h"
#include "ingest/ledger_file.h"
#include "xdr/network.h"

namespace sas::app {
namespace {

constexpr std::array kConvertFlags = {
    FlagSpec{"--table", true,
             "stellar_ledger, transactions, operations, token_transfers (ttp_events) or "
             "contract_events"},
    FlagSpec{"--format", true,
             "parquet, arrow, jsonl or csv (default: from --out's extension)"},
    FlagSpec{"--out", true, "output file"},
    FlagSpec{
        "--network", true,
        "pubnet, testnet, futurenet, standalone or a passphrase (default: recognised)"},
    FlagSpec{"--input-format", true, "auto (default), raw, base64, galexie or framed"},
    FlagSpec{"--no-xdr", false, "leave the XDR columns out of `transactions`"},
    FlagSpec{"--best-effort", false,
             "skip undecodable ledgers (reported) instead of failing"},
    FlagSpec{"--threads", true,
             "ledgers converted concurrently (default: Arrow's CPU pool size)"},
};

constexpr const char* kConvertUsage =
    "Usage: stellar-arrow-source convert --table NAME [--format parquet|arrow|jsonl|csv] "
    "--out PATH "
    "FILE...\n";

/// What the command line asks for.
struct ConvertRequest {
  convert::Table table = convert::Table::kStellarLedger;
  convert::OutputFormat format = convert::OutputFormat::kParquet;
  std::string out;
  ingest::LedgerFileFormat input_format = ingest::LedgerFileFormat::kAuto;
  convert::ConverterOptions options;
  std::vector<std::string> files;
};

arrow::Result<ConvertRequest> ParseRequest(std::span<const std::string> args) {
  ARROW_ASSIGN_OR_RAISE(auto line, CommandLine::Parse(args, kConvertFlags));
  ConvertRequest request;
  auto table = line.Value("--table");
  auto out = line.Value("--out");
  if (!table) return arrow::Status::Invalid("--table is required");
  if (!out) return arrow::Status::Invalid("--out is required");
  if (line.positionals().empty()) return arrow::Status::Invalid("no input file");
  ARROW_ASSIGN_OR_RAISE(request.table, convert::ParseTableName(*table));
  request.options.tables = {request.table};
  request.out = *out;
  // Parquet unless the extension names another format (the command's default).
  request.format =
      convert::OutputFormatFromExtension(*out).value_or(convert::OutputFormat::kParquet);
  if (auto format = line.Value("--format")) {
    ARROW_ASSIGN_OR_RAISE(request.format, convert::ParseOutputFormat(*format));
  }
  if (auto input_format = line.Value("--input-format")) {
    ARROW_ASSIGN_OR_RAISE(request.input_format,
                          ingest::ParseLedgerFileFormat(*input_format));
  }
  if (auto network = line.Value("--network")) {
    request.options.network_passphrase = xdr::ResolveNetworkPassphrase(*network);
  }
  request.options.include_xdr = !line.Has("--no-xdr");
  request.options.best_effort = line.Has("--best-effort");
  request.options.parallelism = arrow::GetCpuThreadPoolCapacity();
  if (auto threads = line.Value("--threads")) {
    int value = 0;
    auto [end, error] =
        std::from_chars(threads->data(), threads->data() + threads->size(), value);
    if (error != std::errc() || end != threads->data() + threads->size() || value < 1) {
      return arrow::Status::Invalid("--threads='", *threads,
                                    "': expected an integer >= 1");
    }
    request.options.parallelism = value;
  }
  request.files = line.positionals();
  return request;
}

/// Ledgers converted per chunk: bounds the memory of the tables being built.
constexpr size_t kLedgersPerChunk = 64;

/// Output of a conversion: the writer, opened with the first batch's schema (which names
/// the network once it is known), and what was written.
struct ConvertOutput {
  std::unique_ptr<convert::BatchFileWriter> writer;
  int64_t ledgers = 0;
  int64_t rows = 0;
};

/// Converts one chunk of a file's ledgers and writes the requested table's batches.
arrow::Status ConvertChunk(const ConvertRequest& request, const std::string& path,
                           std::span<const std::span<const uint8_t>> slices,
                           convert::LedgerConverter* converter, ConvertOutput* output) {
  auto chunk = converter->Convert(slices);
  if (!chunk.ok())
    return chunk.status().WithMessage(path, ": ", chunk.status().message());
  for (const auto& error : chunk->errors) {
    std::cerr << "skipped: " << path << ": " << error.status.ToString() << "\n";
  }
  for (const auto& batch : chunk->batches(request.table)) {
    if (output->writer == nullptr) {
      ARROW_ASSIGN_OR_RAISE(
          output->writer,
          convert::OpenBatchFileWriter(request.out, request.format, batch->schema()));
    }
    ARROW_RETURN_NOT_OK(output->writer->Write(*batch));
    output->rows += batch->num_rows();
  }
  output->ledgers += static_cast<int64_t>(slices.size() - chunk->errors.size());
  return arrow::Status::OK();
}

/// Converts every file, chunk by chunk.
arrow::Status ConvertFiles(const ConvertRequest& request,
                           convert::LedgerConverter* converter, ConvertOutput* output) {
  for (const std::string& path : request.files) {
    ARROW_ASSIGN_OR_RAISE(auto contents,
                          ingest::ReadLedgerFile(path, request.input_format));
    std::vector<std::span<const uint8_t>> slices;
    for (size_t i = 0; i < contents.ledgers.size(); ++i) {
      const auto& ledger = contents.ledgers[i];
      if (!ledger.status.ok()) {
        auto error = ledger.status.WithMessage(path, ": ledger ", i, ": ",
                                               ledger.status.message());
        if (!request.options.best_effort) return error;
        std::cerr << "skipped: " << error.ToString() << "\n";
        continue;
      }
      slices.push_back(ledger.bytes);
      if (slices.size() == kLedgersPerChunk) {
        ARROW_RETURN_NOT_OK(ConvertChunk(request, path, slices, converter, output));
        slices.clear();
      }
    }
    if (!slices.empty()) {
      ARROW_RETURN_NOT_OK(ConvertChunk(request, path, slices, converter, output));
    }
  }
  return arrow::Status::OK();
}

arrow::Status RunConvert(const ConvertRequest& request) {
  ARROW_ASSIGN_OR_RAISE(auto converter, convert::LedgerConverter::Make(request.options));
  ConvertOutput output;
  ARROW_RETURN_NOT_OK(ConvertFiles(request, converter.get(), &output));
  if (output.writer == nullptr) {
    ARROW_ASSIGN_OR_RAISE(
        output.writer,
        convert::OpenBatchFileWriter(
            request.out, request.format,
            convert::TableSchema(request.table, request.options.include_xdr,
                                 converter->network_passphrase())));
  }
  ARROW_RETURN_NOT_OK(output.writer->Close());
  std::cerr << "converted " << output.ledgers << " ledgers into " << output.rows << " "
            << convert::TableName(request.table) << " rows: " << request.out << "\n";
  return arrow::Status::OK();
}

}  // namespace

int RunConvertCommand(std::span<const std::string> args) {
  auto request = ParseRequest(args);
  if (!request.ok()) {
    std::cerr << "stellar-arrow-source convert: " << request.status().message() << "\n"
              << kConvertUsage << FormatFlags(kConvertFlags);
    return kExitUsage;
  }
  arrow::Status status = RunConvert(*request);
  if (!status.ok()) {
    std::cerr << "stellar-arrow-source convert: " << status.ToString() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace sas::app
