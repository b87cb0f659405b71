// Structured logging: one JSON object per line on stderr (level, time, component,
// message, fields). The sink is the only process-wide state of the program.
#pragma once

#include <iosfwd>
#include <string_view>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace sas::ops {

/// Severity of a log line, least severe first.
enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// Parses "debug", "info", "warn" or "error".
arrow::Result<LogLevel> ParseLogLevel(std::string_view text);

/// Returns the lowercase name of a level.
std::string_view LogLevelName(LogLevel level);

/// Sets the least severe level that is written.
void SetLogLevel(LogLevel level);

/// Redirects log lines to `sink` (stderr when null); for tests.
void SetLogSink(std::ostream* sink);

/// Writes one log line if `level` is enabled; `fields` must be a JSON object or null.
void Log(LogLevel level, std::string_view component, std::string_view message,
         const nlohmann::json& fields = nullptr);

/// Logs at info level.
inline void LogInfo(std::string_view component, std::string_view message,
                    const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kInfo, component, message, fields);
}

/// Logs at warn level.
inline void LogWarn(std::string_view component, std::string_view message,
                    const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kWarn, component, message, fields);
}

/// Logs at error level.
inline void LogError(std::string_view component, std::string_view message,
                     const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kError, component, message, fields);
}

}  // namespace sas::ops
