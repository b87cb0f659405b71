// Real ledgers of ../shared/testdata for data-driven tests: every file in every format,
// split into LedgerCloseMeta byte ranges, with the independent oracle's facts per ledger.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ingest/ledger_file.h"

namespace sas::testing {

/// One ledger of a fixture file.
struct FixtureLedger {
  /// Path relative to the testdata folder, e.g.
  /// "pubnet/wallet-backend/ledger-51000294.xdr".
  std::string file;
  /// Position of the ledger in its file (0-based).
  size_t index = 0;
  std::span<const uint8_t> bytes;
  /// The ORACLE-ledgers.jsonl entry with these exact bytes (null when none).
  nlohmann::json oracle;
};

/// Returns the testdata folder (../shared/testdata beside the checkout).
std::filesystem::path TestdataDir();

/// Returns every ledger of every fixture file, loaded once and kept for the process.
const std::vector<FixtureLedger>& AllFixtureLedgers();

/// Returns the ledgers of one fixture file (path relative to the testdata folder).
std::vector<FixtureLedger> FixtureFileLedgers(const std::string& relative_path);

/// Returns the passphrase of an oracle network name (pubnet, testnet, coretest, ...).
std::string PassphraseOf(const std::string& network);

/// Returns the lowercase hex ledger hash stored in a LedgerCloseMeta's header entry.
std::string StoredLedgerHash(std::span<const uint8_t> ledger_close_meta);

}  // namespace sas::testing
