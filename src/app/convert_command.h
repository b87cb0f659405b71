// `stellar-arrow-source convert`: ledger files into one table, as Parquet, Arrow or JSON
// lines.
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `convert --table NAME [--format F] --out PATH FILE...`; returns the exit code.
int RunConvertCommand(std::span<const std::string> args);

}  // namespace sas::app
