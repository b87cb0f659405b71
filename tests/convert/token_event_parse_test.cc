// The rules by which a contract event becomes a token transfer (docs/TOKEN_TRANSFERS.md
// §3.4) on hand-made events: the v4 topic layouts, the SAC check, the data map, and the
// events that are dropped.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "convert/token_transfers.h"
#include "stellar_xdr_types.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;

const xdr::Digest kNetwork = xdr::NetworkId("Test SDF Network ; September 2015");

sx::SCVal Symbol(std::string text) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_SYMBOL;
  value.sym = std::move(text);
  return value;
}

sx::SCVal String(std::string text) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_STRING;
  value.str = std::move(text);
  return value;
}

sx::SCVal Account(uint8_t fill) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_ADDRESS;
  value.address->type = sx::SCAddressType::SC_ADDRESS_TYPE_ACCOUNT;
  value.address->accountId.ed25519.fill(fill);
  return value;
}

sx::SCVal I128(int64_t hi, uint64_t lo) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_I128;
  value.i128 = {hi, lo};
  return value;
}

sx::SCVal U32(uint32_t v) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_U32;
  value.u32 = v;
  return value;
}

sx::SCVal Map(std::vector<sx::SCMapEntry> entries) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_MAP;
  value.map = sx::Box<sx::SCMap>(std::move(entries));
  return value;
}

/// Parses a CONTRACT event of contract 0x07… with `topics` and `data` in the v4 layout.
std::optional<TokenTransferEvent> Parse(std::vector<sx::SCVal> topics, sx::SCVal data) {
  sx::ContractEvent event;
  event.type = sx::ContractEventType::CONTRACT;
  sx::ContractID contract;
  contract.fill(7);
  event.contractID = sx::Box<sx::ContractID>(contract);
  event.body.v0->topics = std::move(topics);
  event.body.v0->data = std::move(data);
  std::vector<uint8_t> bytes = sx::EncodeXdr(event);
  auto view = sx::ParseView<sx::ContractEvent>(bytes);
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return ParseTokenContractEvent(*view, /*v4_layout=*/true, kNetwork);
}

TEST(TokenEventParse, CustomTokenTransferKeepsNoAsset) {
  auto event = Parse({Symbol("transfer"), Account(1), Account(2)}, I128(0, 5));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, TransferKind::kTransfer);
  EXPECT_EQ(event->asset.kind, TokenAsset::Kind::kNone);
  EXPECT_EQ(event->amount.ToIntegerString(), "5");
}

TEST(TokenEventParse, MintAndClawbackDropANonStringThirdTopicBurnDoesNot) {
  EXPECT_FALSE(Parse({Symbol("mint"), Account(1), U32(1)}, I128(0, 5)));
  EXPECT_FALSE(Parse({Symbol("clawback"), Account(1), U32(1)}, I128(0, 5)));
  auto burn = Parse({Symbol("burn"), Account(1), U32(1)}, I128(0, 5));
  ASSERT_TRUE(burn);
  EXPECT_EQ(burn->kind, TransferKind::kBurn);
  // A string that is no SAC's asset leaves the mint a custom token's.
  auto mint = Parse({Symbol("mint"), Account(1), String("native")}, I128(0, 5));
  ASSERT_TRUE(mint);
  EXPECT_EQ(mint->asset.kind, TokenAsset::Kind::kNone);
}

TEST(TokenEventParse, AmountsBeyondDecimal128AreDropped) {
  auto transfer = [](sx::SCVal amount) {
    return Parse({Symbol("transfer"), Account(1), Account(2)}, std::move(amount));
  };
  // The largest i128, about 1.7e38, is beyond 10^38 - 1; 2^126 (8.5e37) and -2^64 fit.
  EXPECT_FALSE(transfer(I128(std::numeric_limits<int64_t>::max(), ~0ull)));
  EXPECT_TRUE(transfer(I128(int64_t{1} << 62, 0)));
  EXPECT_TRUE(transfer(I128(-1, 0)));
}

TEST(TokenEventParse, DataMapCarriesAmountAndMuxedText) {
  auto event = Parse({Symbol("transfer"), Account(1), Account(2)},
                     Map({{Symbol("amount"), I128(0, 9)},
                          {Symbol("to_muxed_id"), String("memo \xff")}}));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->amount.ToIntegerString(), "9");
  EXPECT_EQ(event->to_muxed_type, "text");
  EXPECT_EQ(event->to_muxed_value, "memo \xEF\xBF\xBD");
  EXPECT_FALSE(
      Parse({Symbol("transfer"), Account(1), Account(2)},
            Map({{Symbol("amount"), I128(0, 9)}, {Symbol("to_muxed_id"), U32(3)}})));
  EXPECT_FALSE(Parse({Symbol("transfer"), Account(1), Account(2)},
                     Map({{Symbol("to_muxed_id"), String("no amount")}})));
}

TEST(TokenEventParse, OtherNamesAndNonAddressHoldersAreDropped) {
  EXPECT_FALSE(Parse({Symbol("approve"), Account(1), Account(2)}, I128(0, 1)));
  EXPECT_FALSE(Parse({Symbol("transfer"), Account(1), U32(2)}, I128(0, 1)));
  EXPECT_FALSE(Parse({Symbol("transfer"), Account(1)}, I128(0, 1)));
}

}  // namespace
}  // namespace sas::convert
