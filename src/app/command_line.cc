#include "app/command_line.h"

#include <sstream>

namespace sas::app {

arrow::Result<CommandLine> CommandLine::Parse(std::span<const std::string> args,
                                              std::span<const FlagSpec> flags) {
  CommandLine line;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg == "--") {
      line.positionals_.emplace_back(arg);
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& candidate : flags) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) return arrow::Status::Invalid("unknown option '", arg, "'");
    if (!spec->takes_value) {
      if (inline_value) return arrow::Status::Invalid("option ", name, " takes no value");
      line.values_[std::string(name)] = "";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size())
        return arrow::Status::Invalid("option ", name, " needs a value");
      inline_value = args[++i];
    }
    line.values_[std::string(name)] = std::string(*inline_value);
  }
  return line;
}

std::optional<std::string> CommandLine::Value(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string FormatFlags(std::span<const FlagSpec> flags) {
  std::ostringstream out;
  for (const FlagSpec& flag : flags) {
    out << "  " << flag.name << (flag.takes_value ? " VALUE" : "") << "\n      "
        << flag.help << "\n";
  }
  return out.str();
}

}  // namespace sas::app
