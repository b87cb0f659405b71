// SHA-256 over byte ranges (OpenSSL's libcrypto): ledger hashes, transaction hashes and
// network ids.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "xdr/inline_text.h"

namespace sas::xdr {

/// A 32-byte SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256.
class Sha256 {
 public:
  /// Starts an empty digest.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Appends bytes.
  void Update(std::span<const uint8_t> bytes);

  /// Returns the digest of everything appended; the object may not be used afterwards.
  Digest Finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// Returns SHA-256 of `bytes`.
Digest Sha256Of(std::span<const uint8_t> bytes);

/// Returns the network id: SHA-256 of the passphrase.
Digest NetworkId(std::string_view passphrase);

/// Returns lowercase hexadecimal of `bytes`.
std::string ToHex(std::span<const uint8_t> bytes);

/// Writes lowercase hexadecimal of `bytes` (two characters per byte) to `out`.
void WriteHex(std::span<const uint8_t> bytes, char* out);

/// Lowercase hexadecimal of a 32-byte hash or id, held inline.
using HexText = InlineText<64>;

/// Returns lowercase hexadecimal of a 32-byte hash or id.
HexText HashHex(std::span<const uint8_t, 32> bytes);

}  // namespace sas::xdr
