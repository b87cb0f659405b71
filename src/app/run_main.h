// Command-line entry: subcommand dispatch and the mapping of Status to exit codes.
#pragma once

namespace sas::app {

/// Exit code of a successful run.
inline constexpr int kExitOk = 0;
/// Exit code of a run that failed while working.
inline constexpr int kExitFailure = 1;
/// Exit code of invalid options or arguments.
inline constexpr int kExitUsage = 2;

/// Parses the command line and environment, runs the command, returns the exit code.
int RunMain(int argc, char** argv);

}  // namespace sas::app
