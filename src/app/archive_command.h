// `stellar-arrow-source archive`: backfill a ledger range into the Parquet archive.
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `archive --source URI [--network N] --start S --end E [--out BASE]`; returns the
/// exit code.
int RunArchiveCommand(std::span<const std::string> args);

}  // namespace sas::app
