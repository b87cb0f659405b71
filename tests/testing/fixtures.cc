#include "testing/fixtures.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>

#include "xdr/ledger_close_meta.h"

namespace sas::testing {
namespace {

namespace fs = std::filesystem;

/// Folders holding ledger files (the derived lakes repeat the lighthorizon ledgers).
constexpr const char* kFixtureFolders[] = {"pubnet", "testnet", "standalone", "coretest"};

bool IsLedgerFile(const fs::path& path) {
  std::string name = path.filename().string();
  return !(name.ends_with(".json") || name.ends_with(".gz") || name == "latest" ||
           name.ends_with(".md"));
}

/// Indexes the oracle by SHA-256 of each ledger's LedgerCloseMeta bytes (unique by
/// content; ledger hashes are not: some core-test ledgers share a header but differ in
/// their meta).
std::map<std::string, nlohmann::json> LoadOracleByContent() {
  std::map<std::string, nlohmann::json> by_hash;
  std::ifstream in(TestdataDir() / "ORACLE-ledgers.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto entry = nlohmann::json::parse(line);
    by_hash.emplace(entry["sha256"].get<std::string>(), std::move(entry));
  }
  return by_hash;
}

/// Keeps every loaded file's bytes alive for the whole test process.
std::vector<ingest::LedgerFileContents>& LoadedFiles() {
  static std::vector<ingest::LedgerFileContents> files;
  return files;
}

std::vector<FixtureLedger> LoadFile(const fs::path& path,
                                    const std::map<std::string, nlohmann::json>& oracle) {
  std::vector<FixtureLedger> ledgers;
  auto contents = ingest::ReadLedgerFile(path.string(), ingest::LedgerFileFormat::kAuto);
  if (!contents.ok()) return ledgers;
  std::string relative = fs::relative(path, TestdataDir()).string();
  for (size_t i = 0; i < contents->ledgers.size(); ++i) {
    const auto& slice = contents->ledgers[i];
    FixtureLedger ledger{relative, i, slice.bytes, nullptr};
    if (slice.status.ok()) {
      auto it = oracle.find(xdr::ToHex(xdr::Sha256Of(slice.bytes)));
      if (it != oracle.end()) ledger.oracle = it->second;
    }
    ledgers.push_back(std::move(ledger));
  }
  LoadedFiles().push_back(std::move(*contents));
  return ledgers;
}

}  // namespace

fs::path TestdataDir() { return fs::path(SAS_SHARED_TESTDATA); }

const std::vector<FixtureLedger>& AllFixtureLedgers() {
  static const std::vector<FixtureLedger> all = [] {
    auto oracle = LoadOracleByContent();
    std::vector<fs::path> paths;
    for (const char* folder : kFixtureFolders) {
      for (const auto& entry : fs::recursive_directory_iterator(TestdataDir() / folder)) {
        if (entry.is_regular_file() && IsLedgerFile(entry.path())) paths.push_back(entry);
      }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<FixtureLedger> ledgers;
    for (const auto& path : paths) {
      auto file_ledgers = LoadFile(path, oracle);
      ledgers.insert(ledgers.end(), file_ledgers.begin(), file_ledgers.end());
    }
    return ledgers;
  }();
  return all;
}

std::vector<FixtureLedger> FixtureFileLedgers(const std::string& relative_path) {
  return LoadFile(TestdataDir() / relative_path, LoadOracleByContent());
}

std::string PassphraseOf(const std::string& network) {
  if (network == "pubnet") return "Public Global Stellar Network ; September 2015";
  if (network == "testnet") return "Test SDF Network ; September 2015";
  if (network == "standalone") return "Standalone Network ; February 2017";
  if (network == "coretest") return "(V) (;,,;) (V)";
  return "";
}

std::string StoredLedgerHash(std::span<const uint8_t> ledger_close_meta) {
  auto frame = xdr::LedgerCloseMetaFrame::Parse(ledger_close_meta);
  return frame.ok() ? xdr::ToHex(frame->ledger_hash()) : std::string();
}

}  // namespace sas::testing
