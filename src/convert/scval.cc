#include "convert/scval.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <arrow/util/utf8.h>

#include "xdr/sha256.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

std::string LowerName(std::string_view name, std::string_view prefix) {
  if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  std::string lower(name);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

/// Returns an unsigned 256-bit integer (most significant limb first) as decimal text.
std::string UInt256String(const std::array<uint64_t, 4>& limbs) {
  constexpr uint64_t kChunk = 1'000'000'000;  // 10^9: 32-bit halves divide in 64 bits
  std::array<uint32_t, 8> halves;
  for (size_t i = 0; i < limbs.size(); ++i) {
    halves[2 * i] = static_cast<uint32_t>(limbs[i] >> 32);
    halves[2 * i + 1] = static_cast<uint32_t>(limbs[i]);
  }
  std::vector<uint32_t> chunks;  // base 10^9 digits, least significant first
  while (halves != std::array<uint32_t, 8>{}) {
    uint64_t remainder = 0;
    for (uint32_t& half : halves) {
      uint64_t value = (remainder << 32) | half;
      half = static_cast<uint32_t>(value / kChunk);
      remainder = value % kChunk;
    }
    chunks.push_back(static_cast<uint32_t>(remainder));
  }
  if (chunks.empty()) return "0";
  std::string text = std::to_string(chunks.back());
  for (size_t i = chunks.size() - 1; i-- > 0;) {
    std::string digits = std::to_string(chunks[i]);
    text.append(9 - digits.size(), '0').append(digits);
  }
  return text;
}

/// Returns a signed (two's complement) 256-bit integer as decimal text.
std::string Int256String(std::array<uint64_t, 4> limbs) {
  if ((limbs[0] >> 63) == 0) return UInt256String(limbs);
  // The magnitude: invert and add one.
  bool carry = true;
  for (size_t i = limbs.size(); i-- > 0;) {
    limbs[i] = ~limbs[i] + (carry ? 1 : 0);
    carry = carry && limbs[i] == 0;
  }
  return "-" + UInt256String(limbs);
}

/// Returns the length of the prefix of `text` that JSON takes as is: no byte below 0x20,
/// no '"' nor '\\' and, unless `utf8`, no byte from 0x80. Eight bytes at a time (SWAR).
size_t PlainJsonPrefix(std::string_view text, bool utf8) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_byte = [](uint64_t word, uint8_t value) {
    uint64_t x = word ^ (kOnes * value);
    return (x - kOnes) & ~x & kHighs;
  };
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    // A byte below 0x20 (may flag bytes after one: they go to the exact loop), '"', '\\'.
    uint64_t special = (word - kOnes * 0x20) & ~word & kHighs;
    special |= has_byte(word, '"') | has_byte(word, '\\');
    if (!utf8) special |= word & kHighs;
    if (special != 0) break;
  }
  return i;
}

/// Appends a JSON string literal; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view text, std::string* out) {
  static std::once_flag once;
  std::call_once(once, [] { arrow::util::InitializeUTF8(); });
  bool valid = arrow::util::ValidateUTF8(text);
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = PlainJsonPrefix(text, valid); i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    bool plain = byte >= 0x20 && byte != '"' && byte != '\\' && (byte < 0x80 || valid);
    if (plain) continue;
    out->append(text.substr(run_start, i - run_start));
    run_start = i + 1;
    if (byte == '"' || byte == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(byte));
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", byte);
      out->append(escaped);
    } else {
      out->append("\\ufffd");
    }
  }
  out->append(text.substr(run_start));
  out->push_back('"');
}

/// Appends {"name":<value>} where `value` is already JSON text.
void AppendTagged(std::string_view name, std::string_view json_value, std::string* out) {
  out->append("{\"").append(name).append("\":").append(json_value).push_back('}');
}

/// Appends {"name":"text"}.
void AppendTaggedString(std::string_view name, std::string_view text, std::string* out) {
  out->append("{\"").append(name).append("\":");
  AppendJsonString(text, out);
  out->push_back('}');
}

}  // namespace

std::string Int128String(sx::Int128PartsView parts) {
  return arrow::Decimal128(parts.hi(), parts.lo()).ToIntegerString();
}

std::string UInt128String(sx::UInt128PartsView parts) {
  return UInt256String({0, 0, parts.hi(), parts.lo()});
}

std::optional<arrow::Decimal128> Int128Decimal(sx::Int128PartsView parts) {
  arrow::Decimal128 value(parts.hi(), parts.lo());
  if (!value.FitsInPrecision(38)) return std::nullopt;
  return value;
}

xdr::StrKeyText ScAddressString(sx::SCAddressView address) {
  switch (address.type()) {
    case sx::SCAddressType::SC_ADDRESS_TYPE_ACCOUNT:
      return xdr::AccountStrKey(address.accountId().ed25519());
    case sx::SCAddressType::SC_ADDRESS_TYPE_CONTRACT:
      return xdr::ContractStrKey(address.contractId());
    case sx::SCAddressType::SC_ADDRESS_TYPE_MUXED_ACCOUNT:
      return xdr::MuxedAccountStrKey(address.muxedAccount().ed25519(),
                                     address.muxedAccount().id());
    case sx::SCAddressType::SC_ADDRESS_TYPE_CLAIMABLE_BALANCE: {
      // B…: the ClaimableBalanceID type byte, then the hash.
      auto id = address.claimableBalanceId();
      std::array<uint8_t, 33> payload{};
      payload[0] = static_cast<uint8_t>(id.type());
      std::copy(id.v0().begin(), id.v0().end(), payload.begin() + 1);
      return xdr::ShortStrKey(xdr::StrKeyKind::kClaimableBalance, payload);
    }
    case sx::SCAddressType::SC_ADDRESS_TYPE_LIQUIDITY_POOL:
      return xdr::ShortStrKey(xdr::StrKeyKind::kLiquidityPool, address.liquidityPoolId());
  }
  return xdr::StrKeyText();  // unreachable: a validated view holds one of the types above
}

void AppendScValJson(sx::SCValView value, std::string* out, int depth) {
  auto type_name = [&value] { return LowerName(sx::ToString(value.type()), "SCV_"); };
  if (depth >= kMaxScValRenderDepth) {
    return AppendTaggedString("truncated", type_name(), out);
  }
  switch (value.type()) {
    case sx::SCValType::SCV_BOOL:
      return AppendTagged("bool", value.b() ? "true" : "false", out);
    case sx::SCValType::SCV_VOID:
      return AppendTagged("void", "null", out);
    case sx::SCValType::SCV_ERROR: {
      auto error = value.error();
      std::string body = "{\"type\":";
      AppendJsonString(LowerName(sx::ToString(error.type()), "SCE_"), &body);
      body.append(",\"code\":");
      if (error.type() == sx::SCErrorType::SCE_CONTRACT) {
        body.append(std::to_string(error.contractCode()));
      } else {
        AppendJsonString(LowerName(sx::ToString(error.code()), "SCEC_"), &body);
      }
      body.push_back('}');
      return AppendTagged("error", body, out);
    }
    case sx::SCValType::SCV_U32:
      return AppendTagged("u32", std::to_string(value.u32()), out);
    case sx::SCValType::SCV_I32:
      return AppendTagged("i32", std::to_string(value.i32()), out);
    case sx::SCValType::SCV_U64:
      return AppendTaggedString("u64", std::to_string(value.u64()), out);
    case sx::SCValType::SCV_I64:
      return AppendTaggedString("i64", std::to_string(value.i64()), out);
    case sx::SCValType::SCV_TIMEPOINT:
      return AppendTaggedString("timepoint", std::to_string(value.timepoint()), out);
    case sx::SCValType::SCV_DURATION:
      return AppendTaggedString("duration", std::to_string(value.duration()), out);
    case sx::SCValType::SCV_U128:
      return AppendTaggedString("u128", UInt128String(value.u128()), out);
    case sx::SCValType::SCV_I128:
      return AppendTaggedString("i128", Int128String(value.i128()), out);
    case sx::SCValType::SCV_U256: {
      auto v = value.u256();
      return AppendTaggedString(
          "u256", UInt256String({v.hi_hi(), v.hi_lo(), v.lo_hi(), v.lo_lo()}), out);
    }
    case sx::SCValType::SCV_I256: {
      auto v = value.i256();
      return AppendTaggedString("i256",
                                Int256String({static_cast<uint64_t>(v.hi_hi()), v.hi_lo(),
                                              v.lo_hi(), v.lo_lo()}),
                                out);
    }
    case sx::SCValType::SCV_BYTES:
      return AppendTaggedString("bytes", xdr::ToHex(value.bytes_()), out);
    case sx::SCValType::SCV_STRING:
      return AppendTaggedString("string", value.str(), out);
    case sx::SCValType::SCV_SYMBOL:
      return AppendTaggedString("symbol", value.sym(), out);
    case sx::SCValType::SCV_VEC: {
      out->append("{\"vec\":[");
      if (value.vec().has_value()) {
        bool first = true;
        for (auto item : value.vec().value()) {
          if (!first) out->push_back(',');
          first = false;
          AppendScValJson(item, out, depth + 1);
        }
      }
      out->append("]}");
      return;
    }
    case sx::SCValType::SCV_MAP: {
      out->append("{\"map\":[");
      if (value.map().has_value()) {
        bool first = true;
        for (auto entry : value.map().value()) {
          if (!first) out->push_back(',');
          first = false;
          out->append("{\"key\":");
          AppendScValJson(entry.key(), out, depth + 1);
          out->append(",\"val\":");
          AppendScValJson(entry.val(), out, depth + 1);
          out->push_back('}');
        }
      }
      out->append("]}");
      return;
    }
    case sx::SCValType::SCV_ADDRESS:
      return AppendTaggedString("address", ScAddressString(value.address()), out);
    case sx::SCValType::SCV_LEDGER_KEY_NONCE:
      return AppendTaggedString("ledger_key_nonce",
                                std::to_string(value.nonce_key().nonce()), out);
    case sx::SCValType::SCV_EXECUTABLE_TAG:
      return AppendTaggedString("executable_tag", value.executable_tag(), out);
    default:
      return AppendTaggedString(type_name(), xdr::ToHex(value.bytes()), out);
  }
}

std::string ScValJson(sx::SCValView value) {
  std::string out;
  AppendScValJson(value, &out);
  return out;
}

}  // namespace sas::convert
