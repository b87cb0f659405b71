#include "app/decode_command.h"

#include <array>
#include <iostream>
#include <optional>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "app/command_line.h"
#include "app/ledger_json.h"
#include "app/run_main.h"
#include "ingest/ledger_file.h"
#include "xdr/ledger_close_meta.h"
#include "xdr/network.h"

namespace sas::app {
namespace {

constexpr std::array kDecodeFlags = {
    FlagSpec{"--format", true, "auto (default), raw, base64, galexie or framed"},
    FlagSpec{
        "--network", true,
        "pubnet, testnet, futurenet, standalone or a passphrase: also check that every "
        "recomputed transaction hash is among the results (tx_hashes_ok)"},
};

constexpr const char* kDecodeUsage =
    "Usage: stellar-arrow-source decode [--format F] [--network N] FILE...\n"
    "Prints one JSON object per ledger; undecodable ledgers print an error object.\n";

/// Turns "Type.path: what at offset N" into an error object with path and offset.
nlohmann::json ErrorJson(const std::string& file, size_t ledger_index,
                         const arrow::Status& status) {
  std::string message = status.message();
  nlohmann::json error = {
      {"error", message}, {"file", file}, {"ledger_index", ledger_index}};
  if (size_t colon = message.find(": "); colon != std::string::npos) {
    error["path"] = message.substr(0, colon);
  }
  if (size_t at = message.rfind("at offset "); at != std::string::npos) {
    error["offset"] = std::stoull(message.substr(at + 10));
  }
  return error;
}

/// Decodes one file; prints its ledgers and errors; returns false when any ledger failed.
bool DecodeFile(const std::string& path, ingest::LedgerFileFormat format,
                const std::optional<xdr::Digest>& network_id) {
  auto contents = ingest::ReadLedgerFile(path, format);
  if (!contents.ok()) {
    std::cout << ErrorJson(path, 0, contents.status()).dump() << "\n";
    return false;
  }
  bool all_ok = true;
  for (size_t i = 0; i < contents->ledgers.size(); ++i) {
    const ingest::LedgerSlice& slice = contents->ledgers[i];
    arrow::Result<xdr::LedgerCloseMetaFrame> frame =
        slice.status.ok() ? xdr::LedgerCloseMetaFrame::Parse(slice.bytes)
                          : arrow::Result<xdr::LedgerCloseMetaFrame>(slice.status);
    if (!frame.ok()) {
      std::cout << ErrorJson(path, i, frame.status()).dump() << "\n";
      all_ok = false;
      continue;
    }
    std::cout << LedgerJson(*frame, network_id).dump() << "\n";
  }
  return all_ok;
}

}  // namespace

int RunDecodeCommand(std::span<const std::string> args) {
  auto line = CommandLine::Parse(args, kDecodeFlags);
  if (!line.ok() || line->positionals().empty()) {
    std::cerr << "stellar-arrow-source decode: "
              << (line.ok() ? "no input file" : line.status().message()) << "\n"
              << kDecodeUsage << FormatFlags(kDecodeFlags);
    return kExitUsage;
  }
  auto format = ingest::ParseLedgerFileFormat(line->Value("--format").value_or("auto"));
  if (!format.ok()) {
    std::cerr << "stellar-arrow-source decode: --format: " << format.status().message()
              << "\n";
    return kExitUsage;
  }
  std::optional<xdr::Digest> network_id;
  if (auto network = line->Value("--network")) {
    network_id = xdr::NetworkId(xdr::ResolveNetworkPassphrase(*network));
  }
  bool all_ok = true;
  for (const std::string& path : line->positionals()) {
    all_ok = DecodeFile(path, *format, network_id) && all_ok;
  }
  std::cout.flush();
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace sas::app
