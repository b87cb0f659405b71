// `stellar-arrow-source ingest`: read ledgers from a source in order, each exactly once.
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `ingest --source URI [--network N] [--start S] [--end E] [--print]`; returns the
/// exit code.
int RunIngestCommand(std::span<const std::string> args);

}  // namespace sas::app
