#include "ingest/generator.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "convert/token_transfer_check.h"
#include "convert/token_transfers.h"
#include "stellar_xdr_types.h"
#include "testing/status_matchers.h"
#include "xdr/ledger_close_meta.h"
#include "xdr/sha256.h"

namespace sas::ingest {
namespace {

GeneratorOptions SmallOptions(uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.start = 100;
  options.transactions_per_ledger = 60;
  options.accounts = 50;
  return options;
}

/// What the generated ledgers hold, summed over several of them.
struct Content {
  uint32_t failed = 0;
  uint32_t fee_bumps = 0;
  std::map<std::string, uint32_t> operations;  // by type name
};

/// Adds the transactions and operations of one ledger's tx set to `content`.
void CountContent(std::span<const uint8_t> bytes, Content* content) {
  ASSERT_OK_AND_ASSIGN(auto lcm,
                       stellar::xdr::DecodeXdr<stellar::xdr::LedgerCloseMeta>(bytes));
  for (const auto& processing : lcm.v2->txProcessing) {
    auto code = processing.result.result.result.code;
    if (code == stellar::xdr::TransactionResultCode::txFAILED ||
        code == stellar::xdr::TransactionResultCode::txFEE_BUMP_INNER_FAILED) {
      ++content->failed;
    }
  }
  for (const auto& phase : lcm.v2->txSet.v1TxSet->phases) {
    for (const auto& component : phase.v0Components) {
      for (const auto& envelope : component.txsMaybeDiscountedFee->txs) {
        bool bump =
            envelope.type == stellar::xdr::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP;
        content->fee_bumps += bump ? 1 : 0;
        const auto& tx = bump ? envelope.feeBump->tx.innerTx.v1->tx : envelope.v1->tx;
        for (const auto& op : tx.operations) {
          ++content->operations[std::string(stellar::xdr::ToString(op.body.type))];
        }
      }
    }
  }
}

TEST(LedgerGenerator, LedgersAreValidChainedAndBalanced) {
  GeneratorOptions options = SmallOptions(7);
  LedgerGenerator generator(options);
  auto network_id = xdr::NetworkId(options.network_passphrase);
  std::optional<std::array<uint8_t, 32>> previous;
  uint64_t previous_close = 0;
  Content content;
  std::set<uint64_t> close_intervals;
  for (int i = 0; i < 20; ++i) {
    std::vector<uint8_t> bytes = generator.Next();
    ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(bytes));
    EXPECT_EQ(frame.sequence(), 100u + static_cast<uint32_t>(i));
    EXPECT_EQ(frame.version(), 2);
    EXPECT_TRUE(frame.HeaderHashMatches());
    if (previous) {
      EXPECT_TRUE(std::equal(previous->begin(), previous->end(),
                             frame.previous_ledger_hash().begin()));
      close_intervals.insert(frame.header().scpValue().closeTime() - previous_close);
    }
    previous.emplace();
    std::copy(frame.ledger_hash().begin(), frame.ledger_hash().end(), previous->begin());
    previous_close = frame.header().scpValue().closeTime();
    ASSERT_OK(frame.JoinEnvelopes(network_id));
    EXPECT_EQ(frame.CountResults().transactions, 60u);
    ASSERT_OK_AND_ASSIGN(auto events, convert::DeriveTokenTransfers(frame, network_id));
    EXPECT_TRUE(convert::CheckConservation(frame, events).empty());
    CountContent(bytes, &content);
  }
  EXPECT_EQ(close_intervals, (std::set<uint64_t>{5, 6}));
  EXPECT_GT(content.failed, 20u);
  EXPECT_GT(content.fee_bumps, 20u);
  EXPECT_GT(content.operations["PAYMENT"],
            content.operations["PATH_PAYMENT_STRICT_SEND"]);
  EXPECT_GT(content.operations["PATH_PAYMENT_STRICT_SEND"], 50u);
  EXPECT_GT(content.operations["MANAGE_SELL_OFFER"], 50u);
  EXPECT_GT(content.operations["INVOKE_HOST_FUNCTION"], 20u);
}

TEST(LedgerGenerator, DeterministicFromTheSeed) {
  LedgerGenerator a(SmallOptions(1));
  LedgerGenerator b(SmallOptions(1));
  LedgerGenerator c(SmallOptions(2));
  for (int i = 0; i < 3; ++i) {
    auto bytes = a.Next();
    EXPECT_EQ(bytes, b.Next());
    EXPECT_NE(bytes, c.Next());
  }
}

TEST(LedgerGenerator, LedgersArePinned) {
  // The bytes of the first ledgers at the defaults, as make_lake writes them (start 10).
  // Update the digest only for a deliberate change of what the generator produces.
  GeneratorOptions options;
  options.start = 10;
  LedgerGenerator generator(options);
  xdr::Sha256 digest;
  for (int i = 0; i < 3; ++i) digest.Update(generator.Next());
  EXPECT_EQ(xdr::ToHex(digest.Finish()),
            "e3f0562332a024d38bd3646e2cd3096fb495ae309a3538b52565812081693597");
}

TEST(GeneratorLedgerSource, StopsAfterTheEnd) {
  GeneratorLedgerSource source(SmallOptions(3), 102);
  std::vector<uint32_t> sequences;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto ledger, source.Next());
    if (!ledger) break;
    sequences.push_back(ledger->sequence);
  }
  EXPECT_EQ(sequences, (std::vector<uint32_t>{100, 101, 102}));
}

}  // namespace
}  // namespace sas::ingest
