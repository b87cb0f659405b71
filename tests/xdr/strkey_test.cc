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

}  // namespace
}  // namespace sas::xdr
