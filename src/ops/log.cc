#include "ops/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

namespace sas::ops {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_sink_mutex;
std::ostream* g_sink = nullptr;

/// Formats now as RFC 3339 UTC with milliseconds.
std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof(text) - length, ".%03dZ",
                static_cast<int>(millis.count() % 1000));
  return text;
}

}  // namespace

arrow::Result<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn" || text == "warning") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return arrow::Status::Invalid("unknown log level '", text, "'");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void SetLogLevel(LogLevel level) { g_level.store(level); }

void SetLogSink(std::ostream* sink) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = sink;
}

void Log(LogLevel level, std::string_view component, std::string_view message,
         const nlohmann::json& fields) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = {{"time", UtcNow()},
                         {"level", LogLevelName(level)},
                         {"component", component},
                         {"message", message}};
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(g_sink_mutex);
  std::ostream& out = g_sink != nullptr ? *g_sink : std::cerr;
  out << text << '\n' << std::flush;
}

}  // namespace sas::ops
