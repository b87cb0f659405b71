#include "xdr/strkey.h"

#include <array>
#include <vector>

namespace sas::xdr {
namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// CRC-16/XMODEM (polynomial 0x1021, initial value 0), as SEP-23 specifies.
uint16_t Crc16Xmodem(std::span<const uint8_t> bytes) {
  uint16_t crc = 0;
  for (uint8_t byte : bytes) {
    crc = static_cast<uint16_t>(crc ^ (byte << 8));
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

/// RFC 4648 base32 without padding.
std::string Base32(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

}  // namespace

std::string EncodeStrKey(StrKeyKind kind, std::span<const uint8_t> payload) {
  std::vector<uint8_t> data;
  data.reserve(payload.size() + 3);
  data.push_back(static_cast<uint8_t>(kind));
  data.insert(data.end(), payload.begin(), payload.end());
  uint16_t crc = Crc16Xmodem(data);
  data.push_back(static_cast<uint8_t>(crc & 0xFF));
  data.push_back(static_cast<uint8_t>(crc >> 8));
  return Base32(data);
}

std::string AccountStrKey(std::span<const uint8_t, 32> ed25519) {
  return EncodeStrKey(StrKeyKind::kAccount, ed25519);
}

std::string MuxedAccountStrKey(std::span<const uint8_t, 32> ed25519, uint64_t id) {
  std::array<uint8_t, 40> payload;
  std::copy(ed25519.begin(), ed25519.end(), payload.begin());
  for (size_t i = 0; i < 8; ++i)
    payload[32 + i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  return EncodeStrKey(StrKeyKind::kMuxedAccount, payload);
}

std::string ContractStrKey(std::span<const uint8_t, 32> contract_id) {
  return EncodeStrKey(StrKeyKind::kContract, contract_id);
}

}  // namespace sas::xdr
