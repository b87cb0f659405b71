// Tickets and descriptors of the Flight streams: `table[:start[:end]]` as a ticket or a
// CMD descriptor, or the same parts as a PATH descriptor.
#pragma once

#include <string>
#include <string_view>

#include <arrow/flight/types.h>
#include <arrow/result.h>

#include "pipeline/table_stream.h"

namespace sas::flight {

/// Parses `table[:start[:end]]`: `table` alone is a live tail from the newest ledger,
/// `table:start` and `table:start:` a tail from `start`, `table:start:end` an inclusive
/// range. Anything else is InvalidArgument naming the problem.
arrow::Result<pipeline::TableRange> ParseTicket(std::string_view ticket);

/// Parses a CMD descriptor (a ticket string) or a PATH descriptor (its parts).
arrow::Result<pipeline::TableRange> ParseDescriptor(
    const arrow::flight::FlightDescriptor& descriptor);

/// Returns the canonical ticket of a range (ParseTicket's inverse).
std::string FormatTicket(const pipeline::TableRange& range);

}  // namespace sas::flight
