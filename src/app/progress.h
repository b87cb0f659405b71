// Progress of long batch work on stderr, the same for every command: on a terminal one
// line redrawn in place (bar, counts, rate, ETA); otherwise a plain line every few
// seconds. Every job ends with a one-line summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "convert/ledger_converter.h"
#include "pipeline/chunk_reader.h"

namespace sas::app {

/// What a job has finished so far.
struct ProgressCounts {
  uint64_t ledgers = 0;
  /// Table rows produced (0 for jobs that count none).
  uint64_t rows = 0;
  /// Bytes read or received.
  uint64_t bytes = 0;
};

/// Returns `counts` plus the ledgers, XDR bytes and rows of `tables` in `chunk`.
ProgressCounts AddChunk(ProgressCounts counts, const pipeline::ConvertedLedgers& chunk,
                        std::span<const convert::Table> tables);

/// How progress is drawn.
enum class ProgressStyle {
  /// A line redrawn in place (stderr is a terminal).
  kTerminal,
  /// A plain line every interval (stderr is a file or a pipe).
  kPlain,
  /// Only the summary (e.g. while the terminal shows the command's own output).
  kSummaryOnly,
};

/// Reports the progress of a job over ledgers.
class Progress {
 public:
  /// Starts a job named `verb` ("archived") over `total_ledgers` (0: unknown), drawn in
  /// the style that suits stderr.
  Progress(std::string verb, uint64_t total_ledgers);

  /// Starts a job drawn in `style` on `out`.
  Progress(std::string verb, uint64_t total_ledgers, ProgressStyle style,
           std::FILE* out = stderr);

  /// Records what is finished; draws when the interval of the style has passed.
  void Update(const ProgressCounts& counts);

  /// Clears the progress line and prints the summary line, with `more` appended after a
  /// "; "; returns it (no newline).
  std::string Finish(std::string_view more = {});

  /// Returns seconds since the start.
  double Seconds() const;

  /// Returns the summary line of `counts` after `seconds` (what Finish() prints).
  std::string Summary(const ProgressCounts& counts, double seconds) const;

 private:
  /// Returns the parts of a progress line, most important first.
  std::vector<std::string> Fields(const ProgressCounts& counts, double seconds) const;
  /// Returns the progress line of `counts`: the fields that fit in `columns`.
  std::string Line(const ProgressCounts& counts, double seconds, size_t columns) const;

  std::string verb_;
  uint64_t total_;
  ProgressStyle style_;
  std::FILE* out_;
  ProgressCounts counts_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// Formats a byte count for people: "812 B", "45.6 MB", "1.23 GB" (powers of 1000).
std::string FormatBytes(uint64_t bytes);

}  // namespace sas::app
