// `stellar-arrow-source analyze`: compute aggregations over a ledger range.
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `analyze --source URI [--network N] --start S --end E --config FILE
/// [--format jsonl|parquet|arrow] [--out PATH]`; returns the exit code.
int RunAnalyzeCommand(std::span<const std::string> args);

}  // namespace sas::app
