// Stellar StrKey (SEP-23) encoding: base32 of version byte ‖ payload ‖ CRC16-XModem
// (little endian), e.g. G... accounts, M... muxed accounts, C... contracts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "xdr/inline_text.h"

namespace sas::xdr {

/// The kinds of StrKey, by their leading letter.
enum class StrKeyKind : uint8_t {
  kAccount = 6 << 3,           // G: ed25519 public key
  kMuxedAccount = 12 << 3,     // M: ed25519 key + uint64 id
  kSeed = 18 << 3,             // S: ed25519 secret seed
  kPreAuthTx = 19 << 3,        // T: pre-authorized transaction hash
  kSha256Hash = 23 << 3,       // X: hash(x) signer
  kSignedPayload = 15 << 3,    // P: ed25519 signed payload signer
  kContract = 2 << 3,          // C: contract id
  kLiquidityPool = 11 << 3,    // L: liquidity pool id
  kClaimableBalance = 1 << 3,  // B: claimable balance id (with its 1-byte type)
};

/// The longest payload a StrKeyText holds: a muxed account's key and id.
inline constexpr size_t kMaxShortStrKeyPayload = 40;

/// A StrKey of at most kMaxShortStrKeyPayload payload bytes (G…, M…, C…, L…, B…), held
/// inline.
using StrKeyText = InlineText<(kMaxShortStrKeyPayload + 3) * 8 / 5 + 1>;

/// Encodes `payload` as a StrKey of `kind` (any payload size, e.g. P… signed payloads).
std::string EncodeStrKey(StrKeyKind kind, std::span<const uint8_t> payload);

/// Encodes a payload of at most kMaxShortStrKeyPayload bytes (longer ones are cut).
StrKeyText ShortStrKey(StrKeyKind kind, std::span<const uint8_t> payload);

/// Encodes a 32-byte ed25519 key as a G... account id.
StrKeyText AccountStrKey(std::span<const uint8_t, 32> ed25519);

/// Encodes an ed25519 key and a multiplexing id as an M... muxed account.
StrKeyText MuxedAccountStrKey(std::span<const uint8_t, 32> ed25519, uint64_t id);

/// Encodes a 32-byte contract id as a C... address.
StrKeyText ContractStrKey(std::span<const uint8_t, 32> contract_id);

/// Decodes a StrKey of `kind` carrying a 32-byte payload (G…, C…, L…); nullopt when the
/// text is not one (wrong kind, length, alphabet or checksum).
std::optional<std::array<uint8_t, 32>> DecodeStrKey32(StrKeyKind kind,
                                                      std::string_view text);

}  // namespace sas::xdr
