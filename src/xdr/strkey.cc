#include "xdr/strkey.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include <arrow/util/logging.h>

namespace sas::xdr {
namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// CRC-16/XMODEM lookup table (polynomial 0x1021), as SEP-23 specifies.
constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte << 8;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = static_cast<uint16_t>(crc);
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = MakeCrcTable();

uint16_t Crc16Xmodem(std::span<const uint8_t> bytes) {
  uint16_t crc = 0;
  for (uint8_t byte : bytes) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ byte) & 0xFF]);
  }
  return crc;
}

/// Writes RFC 4648 base32 of `bytes` without padding to `out` (room for
/// Base32Length(bytes.size()) characters): five bytes make eight characters.
void WriteBase32(std::span<const uint8_t> bytes, char* out) {
  size_t whole = bytes.size() / 5 * 5;
  for (size_t i = 0; i < whole; i += 5) {
    uint64_t group = 0;
    for (size_t j = 0; j < 5; ++j) group = (group << 8) | bytes[i + j];
    for (int shift = 35; shift >= 0; shift -= 5)
      *out++ = kBase32Alphabet[(group >> shift) & 0x1F];
  }
  uint64_t buffer = 0;
  int bits = 0;
  for (size_t i = whole; i < bytes.size(); ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      *out++ = kBase32Alphabet[(buffer >> bits) & 0x1F];
    }
  }
  if (bits > 0) *out = kBase32Alphabet[(buffer << (5 - bits)) & 0x1F];
}

constexpr size_t Base32Length(size_t bytes) { return (bytes * 8 + 4) / 5; }

/// Version byte, payload and checksum: what a StrKey's base32 encodes.
template <size_t kMaxPayload>
struct StrKeyBytes {
  std::array<uint8_t, kMaxPayload + 3> data;
  size_t size;

  StrKeyBytes(StrKeyKind kind, std::span<const uint8_t> payload)
      : size(std::min(payload.size(), kMaxPayload) + 3) {
    data[0] = static_cast<uint8_t>(kind);
    std::copy_n(payload.begin(), size - 3, data.begin() + 1);
    uint16_t crc = Crc16Xmodem({data.data(), size - 2});
    data[size - 2] = static_cast<uint8_t>(crc & 0xFF);
    data[size - 1] = static_cast<uint8_t>(crc >> 8);
  }

  std::span<const uint8_t> bytes() const { return {data.data(), size}; }
};

/// Recently encoded 32-byte payloads per thread: the same accounts, issuers and contracts
/// recur across a ledger's rows, and base32 with a checksum is the costlier part. An
/// open-addressing table (linear probing, power-of-two slots, at most half full): one
/// multiply to place a key, compares without calls, no node per entry.
class StrKeyCache {
 public:
  using Key = std::array<uint8_t, 33>;

  StrKeyCache() : slots_(kSlots) {}

  /// Returns the cached text of `key`, or nullptr.
  const StrKeyText* Find(const Key& key) const {
    for (size_t i = Home(key);; i = (i + 1) & (kSlots - 1)) {
      const Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (SameKey(slot.key, key)) return &slot.text;
    }
  }

  /// Caches the text of `key` (not cached yet); starts over when half full.
  void Insert(const Key& key, const StrKeyText& text) {
    if (size_ >= kSlots / 2) {
      std::fill(slots_.begin(), slots_.end(), Slot{});
      size_ = 0;
    }
    size_t i = Home(key);
    while (slots_[i].used) i = (i + 1) & (kSlots - 1);
    slots_[i] = {key, true, text};
    ++size_;
  }

 private:
  struct Slot {
    Key key{};
    bool used = false;
    StrKeyText text;
  };

  static size_t Home(const Key& key) {
    uint64_t head;
    std::memcpy(&head, key.data() + 1, sizeof(head));
    constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
    return static_cast<size_t>(((head ^ key[0]) * kGolden) >> (64 - kSlotBits));
  }

  /// Compares in 8-byte words and the kind byte.
  static bool SameKey(const Key& a, const Key& b) {
    uint64_t difference = static_cast<uint64_t>(a[0] ^ b[0]);
    for (size_t offset = 1; offset < a.size(); offset += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.data() + offset, sizeof(x));
      std::memcpy(&y, b.data() + offset, sizeof(y));
      difference |= x ^ y;
    }
    return difference == 0;
  }

  /// 8,192 slots of 104 bytes (852 KB): room for 4,096 keys, several ledgers' worth (a
  /// pubnet ledger holds some 750). A table eight times larger made each lookup a likely
  /// cache and TLB miss: 7.5% of an all-tables pass against 4.6% (profile).
  static constexpr int kSlotBits = 13;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

StrKeyText EncodeUncached(StrKeyKind kind, std::span<const uint8_t> payload) {
  StrKeyBytes<kMaxShortStrKeyPayload> raw(kind, payload);
  StrKeyText text;
  WriteBase32(raw.bytes(), text.Resize(Base32Length(raw.size)));
  return text;
}

}  // namespace

std::string EncodeStrKey(StrKeyKind kind, std::span<const uint8_t> payload) {
  if (payload.size() <= kMaxShortStrKeyPayload) return ShortStrKey(kind, payload).str();
  constexpr size_t kMaxPayload = 100;
  StrKeyBytes<kMaxPayload> raw(kind, payload);
  std::string out(Base32Length(raw.size), '\0');
  WriteBase32(raw.bytes(), out.data());
  return out;
}

StrKeyText ShortStrKey(StrKeyKind kind, std::span<const uint8_t> payload) {
  ARROW_DCHECK_LE(payload.size(), kMaxShortStrKeyPayload);
  if (payload.size() != 32) return EncodeUncached(kind, payload);
  thread_local StrKeyCache cache;
  StrKeyCache::Key key;
  key[0] = static_cast<uint8_t>(kind);
  std::copy(payload.begin(), payload.end(), key.begin() + 1);
  if (const StrKeyText* hit = cache.Find(key)) return *hit;
  StrKeyText encoded = EncodeUncached(kind, payload);
  cache.Insert(key, encoded);
  return encoded;
}

StrKeyText AccountStrKey(std::span<const uint8_t, 32> ed25519) {
  return ShortStrKey(StrKeyKind::kAccount, ed25519);
}

StrKeyText MuxedAccountStrKey(std::span<const uint8_t, 32> ed25519, uint64_t id) {
  std::array<uint8_t, 40> payload;
  std::copy(ed25519.begin(), ed25519.end(), payload.begin());
  for (size_t i = 0; i < 8; ++i)
    payload[32 + i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  return ShortStrKey(StrKeyKind::kMuxedAccount, payload);
}

StrKeyText ContractStrKey(std::span<const uint8_t, 32> contract_id) {
  return ShortStrKey(StrKeyKind::kContract, contract_id);
}

std::optional<std::array<uint8_t, 32>> DecodeStrKey32(StrKeyKind kind,
                                                      std::string_view text) {
  constexpr size_t kEncodedLength = 56;  // base32 of 1 + 32 + 2 bytes
  if (text.size() != kEncodedLength) return std::nullopt;
  std::array<uint8_t, 35> raw{};
  size_t next = 0;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    uint32_t value;
    if (c >= 'A' && c <= 'Z') {
      value = static_cast<uint32_t>(c - 'A');
    } else if (c >= '2' && c <= '7') {
      value = static_cast<uint32_t>(c - '2' + 26);
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (next < raw.size()) raw[next++] = static_cast<uint8_t>(buffer >> bits);
    }
  }
  if (next != raw.size() || raw[0] != static_cast<uint8_t>(kind)) return std::nullopt;
  uint16_t crc = Crc16Xmodem({raw.data(), 33});
  if (raw[33] != (crc & 0xFF) || raw[34] != (crc >> 8)) return std::nullopt;
  std::array<uint8_t, 32> payload;
  std::copy(raw.begin() + 1, raw.begin() + 33, payload.begin());
  return payload;
}

}  // namespace sas::xdr
