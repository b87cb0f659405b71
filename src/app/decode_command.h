// `stellar-arrow-source decode`: one JSON object per ledger of the given files.
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `decode [--format F] [--network N] FILE...`; returns the exit code.
int RunDecodeCommand(std::span<const std::string> args);

}  // namespace sas::app
