#include "convert/scval.h"

#include <array>

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

std::string Text(std::string_view bytes) { return std::string(bytes); }

std::string Int256String(uint64_t hi_hi, uint64_t hi_lo, uint64_t lo_hi, uint64_t lo_lo) {
  std::array<uint64_t, 4> little_endian = {lo_lo, lo_hi, hi_lo, hi_hi};
  return arrow::Decimal256(little_endian).ToIntegerString();
}

nlohmann::json MapJson(sx::ArrayView<sx::SCMapEntryView> entries, int depth) {
  nlohmann::json map = nlohmann::json::array();
  for (auto entry : entries) {
    map.push_back({{"key", ScValJson(entry.key(), depth + 1)},
                   {"val", ScValJson(entry.val(), depth + 1)}});
  }
  return map;
}

}  // namespace

std::string Int128String(sx::Int128PartsView parts) {
  return arrow::Decimal128(parts.hi(), parts.lo()).ToIntegerString();
}

std::string UInt128String(sx::UInt128PartsView parts) {
  return Int256String(0, 0, parts.hi(), parts.lo());
}

std::optional<arrow::Decimal128> Int128Decimal(sx::Int128PartsView parts) {
  arrow::Decimal128 value(parts.hi(), parts.lo());
  if (!value.FitsInPrecision(38)) return std::nullopt;
  return value;
}

std::string ScAddressString(sx::SCAddressView address) {
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
      return xdr::EncodeStrKey(xdr::StrKeyKind::kClaimableBalance, payload);
    }
    case sx::SCAddressType::SC_ADDRESS_TYPE_LIQUIDITY_POOL:
      return xdr::EncodeStrKey(xdr::StrKeyKind::kLiquidityPool,
                               address.liquidityPoolId());
  }
  return xdr::ToHex(address.bytes());
}

nlohmann::json ScValJson(sx::SCValView value, int depth) {
  std::string type = LowerName(sx::ToString(value.type()), "SCV_");
  if (depth >= kMaxScValRenderDepth) return {{"truncated", type}};
  switch (value.type()) {
    case sx::SCValType::SCV_BOOL:
      return {{"bool", value.b()}};
    case sx::SCValType::SCV_VOID:
      return {{"void", nullptr}};
    case sx::SCValType::SCV_ERROR:
      return {{"error",
               {{"type", LowerName(sx::ToString(value.error().type()), "SCE_")},
                {"code", value.error().type() == sx::SCErrorType::SCE_CONTRACT
                             ? nlohmann::json(value.error().contractCode())
                             : nlohmann::json(LowerName(
                                   sx::ToString(value.error().code()), "SCEC_"))}}}};
    case sx::SCValType::SCV_U32:
      return {{"u32", value.u32()}};
    case sx::SCValType::SCV_I32:
      return {{"i32", value.i32()}};
    case sx::SCValType::SCV_U64:
      return {{"u64", std::to_string(value.u64())}};
    case sx::SCValType::SCV_I64:
      return {{"i64", std::to_string(value.i64())}};
    case sx::SCValType::SCV_TIMEPOINT:
      return {{"timepoint", std::to_string(value.timepoint())}};
    case sx::SCValType::SCV_DURATION:
      return {{"duration", std::to_string(value.duration())}};
    case sx::SCValType::SCV_U128:
      return {{"u128", UInt128String(value.u128())}};
    case sx::SCValType::SCV_I128:
      return {{"i128", Int128String(value.i128())}};
    case sx::SCValType::SCV_U256: {
      auto v = value.u256();
      return {{"u256", Int256String(v.hi_hi(), v.hi_lo(), v.lo_hi(), v.lo_lo())}};
    }
    case sx::SCValType::SCV_I256: {
      auto v = value.i256();
      return {{"i256", Int256String(static_cast<uint64_t>(v.hi_hi()), v.hi_lo(),
                                    v.lo_hi(), v.lo_lo())}};
    }
    case sx::SCValType::SCV_BYTES:
      return {{"bytes", xdr::ToHex(value.bytes_())}};
    case sx::SCValType::SCV_STRING:
      return {{"string", Text(value.str())}};
    case sx::SCValType::SCV_SYMBOL:
      return {{"symbol", Text(value.sym())}};
    case sx::SCValType::SCV_VEC: {
      nlohmann::json items = nlohmann::json::array();
      if (value.vec().has_value()) {
        for (auto item : value.vec().value()) items.push_back(ScValJson(item, depth + 1));
      }
      return {{"vec", items}};
    }
    case sx::SCValType::SCV_MAP:
      return {{"map", value.map().has_value() ? MapJson(value.map().value(), depth)
                                              : nlohmann::json::array()}};
    case sx::SCValType::SCV_ADDRESS:
      return {{"address", ScAddressString(value.address())}};
    case sx::SCValType::SCV_LEDGER_KEY_NONCE:
      return {{"ledger_key_nonce", std::to_string(value.nonce_key().nonce())}};
    case sx::SCValType::SCV_EXECUTABLE_TAG:
      return {{"executable_tag", Text(value.executable_tag())}};
    default:
      return {{type, xdr::ToHex(value.bytes())}};
  }
}

}  // namespace sas::convert
