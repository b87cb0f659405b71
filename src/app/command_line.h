// Flags and positional arguments of a subcommand (`decode --format raw FILE...`).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

namespace sas::app {

/// One flag a subcommand accepts.
struct FlagSpec {
  std::string_view name;
  /// True for a flag that takes a value (`--format raw`), false for a switch (`--print`).
  bool takes_value;
  std::string_view help;
};

/// The parsed command line of a subcommand.
class CommandLine {
 public:
  /// Parses `args` against `flags`; unknown flags and missing values are usage errors.
  static arrow::Result<CommandLine> Parse(std::span<const std::string> args,
                                          std::span<const FlagSpec> flags);

  /// Returns the value of a flag, if given.
  std::optional<std::string> Value(std::string_view name) const;
  /// Returns true when a switch was given.
  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  /// Returns the positional arguments.
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positionals_;
};

/// Renders the flags of a subcommand for its usage text.
std::string FormatFlags(std::span<const FlagSpec> flags);

}  // namespace sas::app
