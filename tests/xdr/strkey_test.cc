#include "xdr/strkey.h"

#include <array>

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

TEST(StrKey, DecodesWhatItEncodesAndRejectsCorruption) {
  auto key = Counting();
  auto decoded = DecodeStrKey32(StrKeyKind::kAccount, AccountStrKey(key));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, key);
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kContract, AccountStrKey(key)).has_value());
  std::string corrupt = AccountStrKey(key);
  corrupt[10] = corrupt[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kAccount, corrupt).has_value());
  EXPECT_FALSE(DecodeStrKey32(StrKeyKind::kAccount, "G123").has_value());
}

}  // namespace
}  // namespace sas::xdr
