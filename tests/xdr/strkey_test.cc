#include "xdr/strkey.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

namespace sas::xdr {
namespace {

/// Bytes 0..31; expected strings computed with stellar-sdk's StrKey.
std::array<uint8_t, 32> Counting() {
  std::array<uint8_t, 32> key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  return key;
}

TEST(StrKey, MatchesStellarSdk) {
  auto key = Counting();
  EXPECT_EQ(AccountStrKey(key),
            "GAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB7JZX");
  EXPECT_EQ(MuxedAccountStrKey(key, 1234567890123),
            "MAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6AAAAEPXD6YEZPFDQ");
  EXPECT_EQ(ContractStrKey(key),
            "CAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6N4O");
}

TEST(StrKey, EncodesEveryPayloadSizeLikeStellarSdk) {
  auto key = Counting();
  std::array<uint8_t, 33> balance{};
  std::copy(key.begin(), key.end(), balance.begin() + 1);
  EXPECT_EQ(ShortStrKey(StrKeyKind::kClaimableBalance, balance),
            "BAAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H2TOM");
  EXPECT_EQ(ShortStrKey(StrKeyKind::kLiquidityPool, key),
            "LAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6UWD");
  // A signed payload (P…): the key, a 4-byte length and 64 payload bytes, 100 in all.
  std::vector<uint8_t> signed_payload(key.begin(), key.end());
  signed_payload.insert(signed_payload.end(), {0, 0, 0, 64});
  for (int b = 100; b < 164; ++b) signed_payload.push_back(static_cast<uint8_t>(b));
  EXPECT_EQ(EncodeStrKey(StrKeyKind::kSignedPayload, signed_payload),
            "PAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6AAAABAGIZLGM5UGS2TLNRWW"
            "433QOFZ"
            "HG5DVOZ3XQ6L2PN6H27T7QCAYFA4EQWDIPCEJRKFYZDMOR6IJDEUTSSKZNF4YTGNJXHE5T2P2BIN"
            "CUMBCE");
  // The same key twice: the second comes from the per-thread cache and must be equal.
  EXPECT_EQ(AccountStrKey(key), AccountStrKey(key));
  EXPECT_EQ(EncodeStrKey(StrKeyKind::kAccount, key), AccountStrKey(key).view());
}

TEST(StrKey, DecodesWhatItEncodesAndRejectsCorruption) {
  auto key = Counting();
  auto decoded = DecodeStrKey32(StrKeyKind::kAccount, AccountStrKey(key));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, key);
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kContract, AccountStrKey(key)).has_value());
  std::string corrupt = AccountStrKey(key).str();
  corrupt[10] = corrupt[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kAccount, corrupt).has_value());
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kAccount, "G123").has_value());
}

}  // namespace
}  // namespace sas::xdr
