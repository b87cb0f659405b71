#include "app/progress.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>

namespace sas::app {

Progress::Progress(std::string verb, uint64_t total, std::chrono::milliseconds interval)
    : verb_(std::move(verb)),
      total_(total),
      interval_(interval),
      started_(std::chrono::steady_clock::now()),
      last_print_(started_) {}

double Progress::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
      .count();
}

void Progress::Update(uint64_t done) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < interval_) return;
  last_print_ = now;
  double seconds = Seconds();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::array<char, 200> line{};
  if (total_ > 0 && rate > 0) {
    double eta = static_cast<double>(total_ - std::min(done, total_)) / rate;
    std::snprintf(
        line.data(), line.size(),
        "%s %llu/%llu ledgers (%.1f%%), %.1f ledgers/s, ETA %.0f s", verb_.c_str(),
        static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
        100.0 * static_cast<double>(done) / static_cast<double>(total_), rate, eta);
  } else {
    std::snprintf(line.data(), line.size(), "%s %llu ledgers, %.1f ledgers/s",
                  verb_.c_str(), static_cast<unsigned long long>(done), rate);
  }
  std::cerr << line.data() << std::endl;
}

}  // namespace sas::app
