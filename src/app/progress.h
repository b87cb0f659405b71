// Progress of long batch work on stderr: done/total, rate and ETA, at most every few
// seconds, then a one-line summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sas::app {

/// Reports progress of a job counting ledgers.
class Progress {
 public:
  /// Starts a job named `verb` ("archived") over `total` ledgers (0: unknown).
  Progress(std::string verb, uint64_t total,
           std::chrono::milliseconds interval = std::chrono::seconds(2));

  /// Records that `done` ledgers are finished; prints a line when the interval passed.
  void Update(uint64_t done);

  /// Returns seconds since the start.
  double Seconds() const;

 private:
  std::string verb_;
  uint64_t total_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace sas::app
