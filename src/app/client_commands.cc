#include "app/client_commands.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <vector>

#include <arrow/util/byte_size.h>
#include <nlohmann/json.hpp>

#include "app/command_line.h"
#include "app/progress.h"
#include "app/row_printer.h"
#include "app/run_main.h"
#include "app/terminal.h"
#include "convert/batch_writer.h"
#include "flight/client.h"
#include "ops/config.h"

namespace sas::app {
namespace {

/// The flags every client command takes: where the server is and how to authenticate.
constexpr std::array kConnectionFlags = {
    FlagSpec{"--server", true,
             "grpc://HOST:PORT or grpc+tls://HOST:PORT (default: "
             "grpc://localhost:ARROW_PORT)"},
    FlagSpec{"--auth-token", true, "bearer token (default: AUTH_TOKEN)"},
    FlagSpec{"--auth-token-file", true,
             "file holding the bearer token (default: AUTH_TOKEN_FILE)"},
    FlagSpec{"--tls-ca", true,
             "PEM root certificates to trust for grpc+tls:// (default: the system's; for "
             "a self-signed server, its TLS_CERT_FILE)"},
};

/// Returns the connection flags followed by a command's own.
std::vector<FlagSpec> WithConnectionFlags(std::span<const FlagSpec> own) {
  std::vector<FlagSpec> flags(kConnectionFlags.begin(), kConnectionFlags.end());
  flags.insert(flags.end(), own.begin(), own.end());
  return flags;
}

/// Returns how to reach the server: flags first, then ARROW_PORT, AUTH_TOKEN and
/// AUTH_TOKEN_FILE from the environment.
arrow::Result<flight::ClientOptions> ConnectionOf(const CommandLine& line) {
  ops::EnvLookup env = ops::ProcessEnvironment();
  flight::ClientOptions options;
  options.server =
      line.Value("--server")
          .value_or("grpc://localhost:" + env("ARROW_PORT").value_or("8815"));
  if (auto token = line.Value("--auth-token")) {
    options.auth_token = *token;
  } else if (auto file = line.Value("--auth-token-file")
                             .value_or(env("AUTH_TOKEN_FILE").value_or(""));
             !file.empty()) {
    auto token_from_file = ops::ReadTokenFile(file);
    if (!token_from_file.ok()) {
      return arrow::Status::Invalid("--auth-token-file='", file,
                                    "': ", token_from_file.status().message());
    }
    options.auth_token = *token_from_file;
  } else {
    options.auth_token = env("AUTH_TOKEN").value_or("");
  }
  options.tls_ca_file = line.Value("--tls-ca").value_or("");
  if (!options.server.starts_with("grpc://") &&
      !options.server.starts_with("grpc+tcp://") &&
      !options.server.starts_with("grpc+tls://")) {
    return arrow::Status::Invalid("--server='", options.server,
                                  "': expected grpc://host:port or grpc+tls://host:port");
  }
  return options;
}

/// Returns a usage error: RunClientCommand prints it with the usage text.
arrow::Status Usage(std::string_view message) {
  return arrow::Status::Invalid("usage: ", message);
}

/// Parses a flag's value as an integer 1-4294967295 (`what` names it in the error).
arrow::Result<uint32_t> ParsePositive(std::string_view flag, std::string_view text,
                                      std::string_view what = "a ledger") {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) {
    return Usage(std::string(flag) + "='" + std::string(text) + "': expected " +
                 std::string(what) + " 1-4294967295");
  }
  return value;
}

/// Splits "a,b,c" into its names (empty: none).
std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) names.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return names;
}

/// Parses a command line, runs `body` on it, and maps both steps to an exit code with
/// the command's name on every message.
template <class Body>
int RunClientCommand(std::string_view name, std::string_view usage,
                     std::span<const std::string> args, std::span<const FlagSpec> own,
                     Body body) {
  std::vector<FlagSpec> flags = WithConnectionFlags(own);
  auto line = CommandLine::Parse(args, flags);
  arrow::Result<flight::ClientOptions> connection =
      line.ok() ? ConnectionOf(*line)
                : arrow::Result<flight::ClientOptions>(line.status());
  if (!connection.ok()) {
    std::cerr << "stellar-arrow-source " << name << ": " << connection.status().message()
              << "\n"
              << usage << FormatFlags(flags);
    return kExitUsage;
  }
  arrow::Status status = body(*line, *connection);
  if (status.IsInvalid() && status.message().starts_with("usage: ")) {
    std::cerr << "stellar-arrow-source " << name << ": " << status.message().substr(7)
              << "\n"
              << usage << FormatFlags(flags);
    return kExitUsage;
  }
  if (!status.ok()) {
    std::cerr << "stellar-arrow-source " << name << ": " << status.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

/// Reads a stream to its end (or forever), handing each batch to `consume`.
template <class Consume>
arrow::Status ReadStream(flight::StellarFlightClient* client,
                         arrow::flight::FlightStreamReader* reader, Consume consume) {
  while (true) {
    auto chunk = reader->Next();
    if (!chunk.ok()) return client->Explain(chunk.status());
    if (chunk->data == nullptr) return arrow::Status::OK();
    ARROW_RETURN_NOT_OK(consume(*chunk->data));
  }
}

// ---- tail ----

constexpr std::array kTailFlags = {
    FlagSpec{"--stream", true,
             "stellar_ledger (default), transactions, operations, token_transfers or "
             "contract_events"},
    FlagSpec{"--start", true, "first ledger (default: the newest)"},
    FlagSpec{"--format", true, "table (default), jsonl or csv"},
    FlagSpec{"--columns", true, "comma-separated columns to show (default: all)"},
    FlagSpec{"--limit", true, "stop after this many rows (default: follow forever)"},
};

constexpr const char* kTailUsage =
    "Usage: stellar-arrow-source tail [--server grpc://HOST:PORT] [--stream NAME] "
    "[--format table|jsonl|csv]\n";

arrow::Status RunTail(const CommandLine& line, const flight::ClientOptions& connection) {
  std::string ticket = line.Value("--stream").value_or("stellar_ledger");
  if (auto start = line.Value("--start")) {
    ARROW_ASSIGN_OR_RAISE(uint32_t first, ParsePositive("--start", *start));
    ticket += ":" + std::to_string(first) + ":";
  }
  RowFormat format = RowFormat::kTable;
  if (auto name = line.Value("--format")) {
    ARROW_ASSIGN_OR_RAISE(format, ParseRowFormat(*name));
  }
  uint64_t limit = UINT64_MAX;
  if (auto text = line.Value("--limit")) {
    ARROW_ASSIGN_OR_RAISE(limit, ParsePositive("--limit", *text, "a row count"));
  }
  RowPrinter printer(format, stdout, TerminalColumns(stdout),
                     SplitNames(line.Value("--columns").value_or("")));
  ARROW_ASSIGN_OR_RAISE(auto client, flight::StellarFlightClient::Connect(connection));
  ARROW_ASSIGN_OR_RAISE(auto reader, client->DoGet(ticket));
  uint64_t printed = 0;
  arrow::Status status =
      ReadStream(client.get(), reader.get(), [&](const arrow::RecordBatch& batch) {
        auto rows = static_cast<int64_t>(
            std::min<uint64_t>(static_cast<uint64_t>(batch.num_rows()), limit - printed));
        ARROW_RETURN_NOT_OK(printer.Print(*batch.Slice(0, rows)));
        printed += static_cast<uint64_t>(rows);
        if (printed < limit) return arrow::Status::OK();
        reader->Cancel();
        return arrow::Status::Cancelled("printed --limit rows");
      });
  return printed >= limit ? arrow::Status::OK() : status;
}

// ---- fetch ----

constexpr std::array kFetchFlags = {
    FlagSpec{"--stream", true,
             "stellar_ledger, transactions, operations, token_transfers or "
             "contract_events"},
    FlagSpec{"--start", true, "first ledger"},
    FlagSpec{"--end", true, "last ledger (inclusive)"},
    FlagSpec{"--out", true, "output file: .parquet, .arrow, .csv or .jsonl"},
    FlagSpec{"--format", true, "parquet, arrow, csv or jsonl (default: from --out)"},
};

constexpr const char* kFetchUsage =
    "Usage: stellar-arrow-source fetch [--server grpc://HOST:PORT] --stream NAME --start "
    "S "
    "--end E --out FILE.(parquet|arrow|csv|jsonl)\n";

/// Returns the highest ledger_sequence of `batch` (0 when it has no such column).
uint32_t LastLedgerOf(const arrow::RecordBatch& batch) {
  auto column = batch.GetColumnByName("ledger_sequence");
  if (column == nullptr || column->type_id() != arrow::Type::UINT32 ||
      batch.num_rows() == 0) {
    return 0;
  }
  const auto& sequences = static_cast<const arrow::UInt32Array&>(*column);
  return sequences.Value(sequences.length() - 1);
}

arrow::Status RunFetch(const CommandLine& line, const flight::ClientOptions& connection) {
  auto stream = line.Value("--stream");
  auto start_text = line.Value("--start");
  auto end_text = line.Value("--end");
  auto out = line.Value("--out");
  if (!stream || !start_text || !end_text || !out) {
    return Usage("--stream, --start, --end and --out are required");
  }
  ARROW_ASSIGN_OR_RAISE(uint32_t start, ParsePositive("--start", *start_text));
  ARROW_ASSIGN_OR_RAISE(uint32_t end, ParsePositive("--end", *end_text));
  if (end < start) return Usage("--end must not be before --start");
  std::optional<convert::OutputFormat> format = convert::OutputFormatFromExtension(*out);
  if (auto name = line.Value("--format")) {
    ARROW_ASSIGN_OR_RAISE(format, convert::ParseOutputFormat(*name));
  } else if (!format) {
    return Usage("--out='" + *out +
                 "': name a .parquet, .arrow, .csv or .jsonl file, or give --format");
  }
  std::string ticket = *stream + ":" + std::to_string(start) + ":" + std::to_string(end);
  ARROW_ASSIGN_OR_RAISE(auto client, flight::StellarFlightClient::Connect(connection));
  ARROW_ASSIGN_OR_RAISE(auto info, client->GetFlightInfo(ticket));
  ARROW_ASSIGN_OR_RAISE(auto reader, client->DoGet(ticket));
  ARROW_ASSIGN_OR_RAISE(auto schema, reader->GetSchema());
  ARROW_ASSIGN_OR_RAISE(auto writer, convert::OpenBatchFileWriter(*out, *format, schema));
  Progress progress("fetched", end - start + 1);
  ProgressCounts counts;
  arrow::Status status =
      ReadStream(client.get(), reader.get(), [&](const arrow::RecordBatch& batch) {
        ARROW_RETURN_NOT_OK(writer->Write(batch));
        counts.rows += static_cast<uint64_t>(batch.num_rows());
        counts.bytes += static_cast<uint64_t>(arrow::util::TotalBufferSize(batch));
        if (uint32_t last = LastLedgerOf(batch); last >= start) {
          counts.ledgers = last - start + 1;
        }
        progress.Update(counts);
        return arrow::Status::OK();
      });
  if (status.ok()) status = writer->Close();
  if (!status.ok()) {
    std::filesystem::remove(convert::InProgressPath(*out));
    return status;
  }
  counts.ledgers = end - start + 1;
  progress.Update(counts);
  progress.Finish();
  std::cout << "wrote " << *out << "\n";
  return arrow::Status::OK();
}

// ---- analytics ----

constexpr std::array kAnalyticsFlags = {
    FlagSpec{"--format", true, "table (default), jsonl or csv"},
};

constexpr const char* kAnalyticsUsage =
    "Usage: stellar-arrow-source analytics [--server grpc://HOST:PORT] [NAME]\n";

/// Prints one line per aggregation the server runs (its definition, for jsonl).
arrow::Status PrintAggregations(flight::StellarFlightClient* client, RowFormat format) {
  ARROW_ASSIGN_OR_RAISE(std::string body, client->DoAction("list_aggregations", ""));
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_array()) {
    return arrow::Status::IOError("list_aggregations: expected a JSON array, got ", body);
  }
  if (format == RowFormat::kCsv) {
    return Usage("--format csv lists no aggregations: use table or jsonl, or name one");
  }
  for (const auto& definition : json) {
    if (format == RowFormat::kJsonl) {
      std::cout << definition.dump() << "\n";
      continue;
    }
    std::cout << definition.value("name", "?") << "  " << definition.value("table", "?")
              << "  window " << definition.value("window", nlohmann::json{}).dump()
              << "  measures " << definition.value("measures", nlohmann::json{}).dump()
              << "\n";
  }
  return arrow::Status::OK();
}

arrow::Status RunAnalytics(const CommandLine& line,
                           const flight::ClientOptions& connection) {
  if (line.positionals().size() > 1) return Usage("at most one aggregation name");
  RowFormat format = RowFormat::kTable;
  if (auto name = line.Value("--format")) {
    ARROW_ASSIGN_OR_RAISE(format, ParseRowFormat(*name));
  }
  ARROW_ASSIGN_OR_RAISE(auto client, flight::StellarFlightClient::Connect(connection));
  if (line.positionals().empty()) return PrintAggregations(client.get(), format);
  ARROW_ASSIGN_OR_RAISE(auto reader, client->DoGet("analytics:" + line.positionals()[0]));
  RowPrinter printer(format, stdout, TerminalColumns(stdout));
  return ReadStream(client.get(), reader.get(), [&](const arrow::RecordBatch& batch) {
    return printer.Print(batch);
  });
}

}  // namespace

int RunTailCommand(std::span<const std::string> args) {
  return RunClientCommand("tail", kTailUsage, args, kTailFlags, RunTail);
}

int RunFetchCommand(std::span<const std::string> args) {
  return RunClientCommand("fetch", kFetchUsage, args, kFetchFlags, RunFetch);
}

int RunAnalyticsCommand(std::span<const std::string> args) {
  return RunClientCommand("analytics", kAnalyticsUsage, args, kAnalyticsFlags,
                          RunAnalytics);
}

}  // namespace sas::app
