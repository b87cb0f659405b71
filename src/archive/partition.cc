#include "archive/partition.h"

#include <charconv>
#include <ctime>

namespace sas::archive {
namespace {

constexpr std::string_view kLedgerRange = "ledger_range";
constexpr uint32_t kDefaultLedgerWidth = 10000;

/// A Go layout token we accept: year, month, day, hour.
struct GoToken {
  std::string_view go;
};
constexpr GoToken kGoTokens[] = {{"2006"}, {"01"}, {"02"}, {"15"}};

std::string Pad(uint32_t value, size_t width) {
  std::string text = std::to_string(value);
  return std::string(text.size() < width ? width - text.size() : 0, '0') + text;
}

}  // namespace

arrow::Result<Partitioning> Partitioning::Parse(std::string_view format) {
  Partitioning partitioning;
  partitioning.format_ = std::string(format);
  if (format.starts_with(kLedgerRange)) {
    std::string_view rest = format.substr(kLedgerRange.size());
    partitioning.ledger_width_ = kDefaultLedgerWidth;
    if (!rest.empty()) {
      uint32_t width = 0;
      auto [end, error] =
          std::from_chars(rest.data() + 1, rest.data() + rest.size(), width);
      if (rest[0] != ':' || error != std::errc() || end != rest.data() + rest.size() ||
          width == 0) {
        return arrow::Status::Invalid("partition format '", format,
                                      "': expected ledger_range or ledger_range:WIDTH");
      }
      partitioning.ledger_width_ = width;
    }
    return partitioning;
  }
  bool has_token = false;
  for (const GoToken& token : kGoTokens) {
    has_token = has_token || format.find(token.go) != std::string_view::npos;
  }
  if (!has_token || format.find("..") != std::string_view::npos ||
      format.starts_with('/')) {
    return arrow::Status::Invalid(
        "partition format '", format,
        "': expected a Go time layout using 2006, 01, 02 and 15 (e.g. 2006/01/02 or "
        "date=2006-01-02) or ledger_range[:WIDTH]");
  }
  return partitioning;
}

std::string Partitioning::FolderOf(uint32_t sequence, int64_t close_time_seconds) const {
  if (ledger_width_ > 0) {
    uint32_t start = sequence / ledger_width_ * ledger_width_;
    return "ledger_range=" + std::to_string(start) + "-" +
           std::to_string(start + (ledger_width_ - 1));
  }
  std::time_t time = close_time_seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::string folder;
  for (size_t i = 0; i < format_.size();) {
    const GoToken* matched = nullptr;
    for (const GoToken& token : kGoTokens) {
      if (std::string_view(format_).substr(i).starts_with(token.go)) matched = &token;
    }
    if (matched == nullptr) {
      folder += format_[i++];
      continue;
    }
    if (matched->go == "2006")
      folder += Pad(static_cast<uint32_t>(utc.tm_year + 1900), 4);
    if (matched->go == "01") folder += Pad(static_cast<uint32_t>(utc.tm_mon + 1), 2);
    if (matched->go == "02") folder += Pad(static_cast<uint32_t>(utc.tm_mday), 2);
    if (matched->go == "15") folder += Pad(static_cast<uint32_t>(utc.tm_hour), 2);
    i += matched->go.size();
  }
  return folder;
}

}  // namespace sas::archive
