// The Flight client commands: `tail` (follow a stream), `fetch` (download a range to a
// file) and `analytics` (print an aggregation's windows).
#pragma once

#include <span>
#include <string>

namespace sas::app {

/// Runs `stellar-arrow-source tail ARGS`; returns the exit code.
int RunTailCommand(std::span<const std::string> args);

/// Runs `stellar-arrow-source fetch ARGS`; returns the exit code.
int RunFetchCommand(std::span<const std::string> args);

/// Runs `stellar-arrow-source analytics ARGS`; returns the exit code.
int RunAnalyticsCommand(std::span<const std::string> args);

}  // namespace sas::app
