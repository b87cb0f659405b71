// Typed, readable renderings of Soroban SCVal values (JSON with the type as the key, e.g.
// {"symbol":"transfer"}, {"i128":"-5"}, {"address":"C…"}) and exact 128/256-bit integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <arrow/util/decimal.h>

#include "stellar_xdr_views.h"
#include "xdr/strkey.h"

namespace sas::convert {

namespace sx = stellar::xdr;

/// Nesting beyond which values are summarised as {"truncated": "<type>"}.
inline constexpr int kMaxScValRenderDepth = 32;

/// Appends the typed JSON rendering of a value (compact JSON text) to `out`. Strings that
/// are not valid UTF-8 have their non-ASCII bytes rendered as U+FFFD.
void AppendScValJson(sx::SCValView value, std::string* out, int depth = 0);

/// Returns the typed JSON rendering of a value.
std::string ScValJson(sx::SCValView value);

/// Returns a signed 128-bit integer as decimal text.
std::string Int128String(sx::Int128PartsView parts);

/// Returns an unsigned 128-bit integer as decimal text.
std::string UInt128String(sx::UInt128PartsView parts);

/// Returns the value of an i128 as decimal128(38, 0), or nullopt when it does not fit
/// (|v| >= 10^38).
std::optional<arrow::Decimal128> Int128Decimal(sx::Int128PartsView parts);

/// Returns an SCAddress as a StrKey (G…, C…, M…, B…, L…).
xdr::StrKeyText ScAddressString(sx::SCAddressView address);

}  // namespace sas::convert
