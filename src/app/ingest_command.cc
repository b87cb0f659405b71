#include "app/ingest_command.h"

#include <array>
#include <charconv>
#include <chrono>
#include <iostream>

#include "app/command_line.h"
#include "app/ledger_json.h"
#include "app/progress.h"
#include "app/run_main.h"
#include "app/terminal.h"
#include "ingest/source_uri.h"
#include "xdr/network.h"

namespace sas::app {
namespace {

constexpr std::array kIngestFlags = {
    FlagSpec{"--source", true,
             "a Galexie lake (file:///path, s3://bucket/prefix, gs://bucket/prefix), the "
             "upstream RawLedgerService (grpc://host:port, grpcs://host:port) or the "
             "generator (generator: or generator:seed=N,tx=N,rate=R)"},
    FlagSpec{
        "--network", true,
        "pubnet, testnet, futurenet, standalone or a passphrase; must match the lake"},
    FlagSpec{"--start", true, "first ledger"},
    FlagSpec{"--end", true, "last ledger (default: follow the lake as it grows)"},
    FlagSpec{"--print", false, "one JSON line per ledger, in the `decode` format"},
    FlagSpec{"--workers", true, "lake objects fetched at once (default 4)"},
    FlagSpec{"--prefetch-mb", true,
             "bound on fetched, undelivered ledger data (default 256)"},
};

constexpr const char* kIngestUsage =
    "Usage: stellar-arrow-source ingest --source URI [--network N] --start S [--end E] "
    "[--print]\n";

/// What the command line asks for.
struct IngestRequest {
  std::string source;
  std::string network_passphrase;
  uint32_t start = 0;
  std::optional<uint32_t> end;
  bool print = false;
  int workers = 4;
  int64_t prefetch_mb = 256;
};

arrow::Result<uint32_t> ParseSequence(const std::string& flag, const std::string& text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value == 0) {
    return arrow::Status::Invalid(flag, "='", text, "': expected a ledger sequence >= 1");
  }
  return value;
}

arrow::Result<IngestRequest> ParseRequest(std::span<const std::string> args) {
  ARROW_ASSIGN_OR_RAISE(auto line, CommandLine::Parse(args, kIngestFlags));
  IngestRequest request;
  auto source = line.Value("--source");
  if (!source) return arrow::Status::Invalid("--source is required");
  request.source = *source;
  if (auto network = line.Value("--network")) {
    request.network_passphrase = xdr::ResolveNetworkPassphrase(*network);
  }
  auto start = line.Value("--start");
  bool generator = ingest::IsGeneratorUri(request.source);
  if (!start && !generator) {
    return arrow::Status::Invalid("--start is required for a lake or upstream source");
  }
  request.start = 2;
  if (start) {
    ARROW_ASSIGN_OR_RAISE(request.start, ParseSequence("--start", *start));
  }
  if (auto end = line.Value("--end")) {
    ARROW_ASSIGN_OR_RAISE(request.end, ParseSequence("--end", *end));
    if (*request.end < request.start) {
      return arrow::Status::Invalid("--end ", *request.end, " is before --start ",
                                    request.start);
    }
  }
  request.print = line.Has("--print");
  if (auto workers = line.Value("--workers")) {
    ARROW_ASSIGN_OR_RAISE(uint32_t value, ParseSequence("--workers", *workers));
    request.workers = static_cast<int>(std::min<uint32_t>(value, 256));
  }
  if (auto prefetch = line.Value("--prefetch-mb")) {
    ARROW_ASSIGN_OR_RAISE(uint32_t value, ParseSequence("--prefetch-mb", *prefetch));
    request.prefetch_mb = value;
  }
  if (!line.positionals().empty()) {
    return arrow::Status::Invalid("unexpected argument '", line.positionals()[0], "'");
  }
  return request;
}

/// Progress of a run: ledgers and bytes delivered, and the last ledger's hash for the
/// chain.
struct IngestState {
  uint64_t ledgers = 0;
  uint64_t bytes = 0;
  std::optional<std::array<uint8_t, 32>> previous_hash;
};

/// Checks order and the hash chain of one ledger, then prints or counts it.
arrow::Status Deliver(const IngestRequest& request, const ingest::SourcedLedger& ledger,
                      const std::optional<xdr::Digest>& network_id, IngestState* state) {
  ARROW_ASSIGN_OR_RAISE(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledger.bytes));
  if (frame.sequence() != ledger.sequence) {
    return arrow::Status::Invalid("expected ledger ", ledger.sequence,
                                  ", the source gave ", frame.sequence());
  }
  auto previous = frame.previous_ledger_hash();
  if (state->previous_hash &&
      !std::equal(previous.begin(), previous.end(), state->previous_hash->begin())) {
    return arrow::Status::Invalid(
        "ledger ", ledger.sequence, " does not chain: its previous-ledger hash ",
        xdr::ToHex(previous), " is not the hash of ledger ", ledger.sequence - 1);
  }
  state->previous_hash.emplace();
  std::copy(frame.ledger_hash().begin(), frame.ledger_hash().end(),
            state->previous_hash->begin());
  ++state->ledgers;
  state->bytes += ledger.bytes.size();
  if (request.print) std::cout << LedgerJson(frame, network_id).dump() << "\n";
  return arrow::Status::OK();
}

/// Opens the source the request names.
arrow::Result<std::unique_ptr<ingest::LedgerSource>> OpenSource(
    const IngestRequest& request) {
  ingest::SourceRequest source;
  source.uri = request.source;
  source.network_passphrase = request.network_passphrase;
  source.start = request.start;
  source.end = request.end;
  source.workers = request.workers;
  source.prefetch_bytes = request.prefetch_mb << 20;
  return ingest::OpenLedgerSource(source);
}

arrow::Status RunIngest(const IngestRequest& request) {
  ARROW_ASSIGN_OR_RAISE(auto source, OpenSource(request));
  std::optional<xdr::Digest> network_id;
  if (!request.network_passphrase.empty()) {
    network_id = xdr::NetworkId(request.network_passphrase);
  }
  uint64_t total = request.end ? *request.end - request.start + 1 : 0;
  // Ledgers printed to the terminal would be interleaved with a redrawn progress line.
  bool printing_to_terminal = request.print && IsTerminal(stdout);
  Progress progress = printing_to_terminal
                          ? Progress("ingested", total, ProgressStyle::kSummaryOnly)
                          : Progress("ingested", total);
  IngestState state;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto ledger, source->Next());
    if (!ledger) break;
    ARROW_RETURN_NOT_OK(Deliver(request, *ledger, network_id, &state));
    progress.Update({.ledgers = state.ledgers, .bytes = state.bytes});
  }
  progress.Finish();
  return arrow::Status::OK();
}

}  // namespace

int RunIngestCommand(std::span<const std::string> args) {
  auto request = ParseRequest(args);
  if (!request.ok()) {
    std::cerr << "stellar-arrow-source ingest: " << request.status().message() << "\n"
              << kIngestUsage << FormatFlags(kIngestFlags);
    return kExitUsage;
  }
  arrow::Status status = RunIngest(*request);
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << "stellar-arrow-source ingest: " << status.ToString() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace sas::app
