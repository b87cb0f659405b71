#include "flight/ticket.h"

#include <charconv>
#include <vector>

namespace sas::flight {
namespace {

/// Parses a ledger sequence (decimal, >= 1) at position `what` of `ticket`.
arrow::Result<uint32_t> ParseLedger(std::string_view text, std::string_view what,
                                    std::string_view ticket) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return arrow::Status::Invalid("ticket '", ticket, "': ", what, " '", text,
                                  "' is not a ledger sequence (a decimal number)");
  }
  if (value == 0) {
    return arrow::Status::Invalid("ticket '", ticket, "': ", what,
                                  " 0 is not a ledger (sequences start at 1)");
  }
  return value;
}

std::vector<std::string_view> SplitParts(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t colon = text.find(':');
    parts.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) return parts;
    text = text.substr(colon + 1);
  }
}

}  // namespace

arrow::Result<pipeline::TableRange> ParseTicket(std::string_view ticket) {
  std::vector<std::string_view> parts = SplitParts(ticket);
  if (parts.size() > 3) {
    return arrow::Status::Invalid("ticket '", ticket,
                                  "': expected table[:start[:end]], got ", parts.size(),
                                  " parts");
  }
  auto table = convert::ParseTableName(parts[0]);
  if (!table.ok()) {
    return arrow::Status::Invalid("ticket '", ticket, "': unknown stream '", parts[0],
                                  "' (streams: stellar_ledger, transactions, operations, "
                                  "token_transfers, contract_events)");
  }
  pipeline::TableRange range;
  range.table = *table;
  if (parts.size() >= 2) {
    ARROW_ASSIGN_OR_RAISE(range.start, ParseLedger(parts[1], "start", ticket));
  }
  if (parts.size() == 3 && !parts[2].empty()) {
    ARROW_ASSIGN_OR_RAISE(range.end, ParseLedger(parts[2], "end", ticket));
    if (*range.end < *range.start) {
      return arrow::Status::Invalid("ticket '", ticket, "': end ", *range.end,
                                    " is before start ", *range.start);
    }
  }
  return range;
}

arrow::Result<pipeline::TableRange> ParseDescriptor(
    const arrow::flight::FlightDescriptor& descriptor) {
  if (descriptor.type == arrow::flight::FlightDescriptor::CMD) {
    return ParseTicket(descriptor.cmd);
  }
  if (descriptor.path.empty()) {
    return arrow::Status::Invalid("empty PATH descriptor: expected [table, start, end]");
  }
  std::string joined;
  for (const std::string& part : descriptor.path) {
    if (!joined.empty()) joined += ':';
    joined += part;
  }
  return ParseTicket(joined);
}

std::string FormatTicket(const pipeline::TableRange& range) {
  std::string ticket(convert::TableName(range.table));
  if (range.start) {
    ticket += ":" + std::to_string(*range.start) + ":";
    if (range.end) ticket += std::to_string(*range.end);
  }
  return ticket;
}

}  // namespace sas::flight
