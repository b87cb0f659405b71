#include "app/progress.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <vector>

#include "app/terminal.h"

namespace sas::app {
namespace {

constexpr std::chrono::milliseconds kTerminalInterval{200};
constexpr std::chrono::seconds kPlainInterval{5};
constexpr int kBarWidth = 16;

/// Returns printf-style `format` of the arguments as a string.
[[gnu::format(printf, 1, 2)]] std::string Printf(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::array<char, 512> text{};
  std::vsnprintf(text.data(), text.size(), format, args);
  va_end(args);
  return text.data();
}

ProgressStyle StyleFor(std::FILE* out) {
  return IsTerminal(out) ? ProgressStyle::kTerminal : ProgressStyle::kPlain;
}

double PerSecond(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

/// Returns "[=====>      ]" for `fraction` of the job done.
std::string Bar(double fraction) {
  int filled = static_cast<int>(std::floor(std::clamp(fraction, 0.0, 1.0) * kBarWidth));
  std::string bar = "[" + std::string(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.append(static_cast<size_t>(std::max(0, kBarWidth - filled - 1)), ' ');
  return bar + "]";
}

}  // namespace

ProgressCounts AddChunk(ProgressCounts counts, const pipeline::ConvertedLedgers& chunk,
                        std::span<const convert::Table> tables) {
  counts.ledgers += chunk.ledgers.size();
  for (const auto& ledger : chunk.ledgers)
    counts.bytes += static_cast<uint64_t>(ledger.bytes);
  for (convert::Table table : tables) {
    for (const auto& batch : chunk.chunk.batches(table)) {
      counts.rows += static_cast<uint64_t>(batch->num_rows());
    }
  }
  return counts;
}

std::string FormatBytes(uint64_t bytes) {
  auto value = static_cast<double>(bytes);
  if (bytes < 1000) return Printf("%" PRIu64 " B", bytes);
  if (bytes < 1'000'000) return Printf("%.1f kB", value / 1e3);
  if (bytes < 1'000'000'000) return Printf("%.1f MB", value / 1e6);
  return Printf("%.2f GB", value / 1e9);
}

Progress::Progress(std::string verb, uint64_t total_ledgers)
    : Progress(std::move(verb), total_ledgers, StyleFor(stderr), stderr) {}

Progress::Progress(std::string verb, uint64_t total_ledgers, ProgressStyle style,
                   std::FILE* out)
    : verb_(std::move(verb)),
      total_(total_ledgers),
      style_(style),
      out_(out),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {}

double Progress::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
      .count();
}

std::vector<std::string> Progress::Fields(const ProgressCounts& counts,
                                          double seconds) const {
  double rate = PerSecond(counts.ledgers, seconds);
  std::vector<std::string> fields;
  std::string head = verb_;
  if (style_ == ProgressStyle::kTerminal && total_ > 0) {
    head += " " + Bar(static_cast<double>(counts.ledgers) / static_cast<double>(total_));
  }
  if (total_ > 0) {
    head +=
        Printf(" %.1f%% %" PRIu64 "/%" PRIu64 " ledgers",
               100.0 * static_cast<double>(counts.ledgers) / static_cast<double>(total_),
               counts.ledgers, total_);
  } else {
    head += Printf(" %" PRIu64 " ledgers", counts.ledgers);
  }
  fields.push_back(head);
  if (total_ > 0 && rate > 0) {
    double left = static_cast<double>(total_ - std::min(counts.ledgers, total_));
    fields.push_back(Printf("ETA %.0f s", left / rate));
  }
  fields.push_back(Printf("%.1f ledgers/s", rate));
  if (counts.rows > 0) fields.push_back(Printf("%" PRIu64 " rows", counts.rows));
  fields.push_back(FormatBytes(counts.bytes) +
                   Printf(" (%.2f MB/s)", PerSecond(counts.bytes, seconds) / 1e6));
  return fields;
}

std::string Progress::Line(const ProgressCounts& counts, double seconds,
                           size_t columns) const {
  std::vector<std::string> fields = Fields(counts, seconds);
  std::string line = fields.front().substr(0, columns);
  for (size_t i = 1; i < fields.size(); ++i) {
    if (line.size() + 2 + fields[i].size() > columns) break;
    line += ", " + fields[i];
  }
  return line;
}

void Progress::Update(const ProgressCounts& counts) {
  counts_ = counts;
  auto now = std::chrono::steady_clock::now();
  auto interval = style_ == ProgressStyle::kTerminal
                      ? std::chrono::steady_clock::duration(kTerminalInterval)
                      : std::chrono::steady_clock::duration(kPlainInterval);
  if (now - last_draw_ < interval) return;
  last_draw_ = now;
  if (style_ == ProgressStyle::kTerminal) {
    auto columns = static_cast<size_t>(std::max(TerminalColumns(out_) - 1, 10));
    std::string line = Line(counts, Seconds(), columns);
    std::fprintf(out_, "\r\x1b[K%s", line.c_str());
    drawn_ = true;
  } else if (style_ == ProgressStyle::kPlain) {
    std::string line = Line(counts, Seconds(), std::string::npos);
    std::fprintf(out_, "%s\n", line.c_str());
  } else {
    return;
  }
  std::fflush(out_);
}

std::string Progress::Summary(const ProgressCounts& counts, double seconds) const {
  std::string line = Printf("%s %" PRIu64 " ledgers", verb_.c_str(), counts.ledgers);
  if (counts.rows > 0) line += Printf(", %" PRIu64 " rows", counts.rows);
  line +=
      Printf(", %s in %.2f s (%.1f ledgers/s, %.2f MB/s)",
             FormatBytes(counts.bytes).c_str(), seconds,
             PerSecond(counts.ledgers, seconds), PerSecond(counts.bytes, seconds) / 1e6);
  return line;
}

std::string Progress::Finish(std::string_view more) {
  std::string line = Summary(counts_, Seconds());
  if (!more.empty()) line += "; " + std::string(more);
  if (drawn_) std::fputs("\r\x1b[K", out_);
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
  drawn_ = false;
  return line;
}

}  // namespace sas::app
