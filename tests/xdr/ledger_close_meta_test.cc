// The codec and the LedgerCloseMeta wrapper on every real fixture ledger (LCM V0/V1/V2,
// TransactionMeta v2/v3/v4): validation, byte-identical re-encoding, header hashes,
// transaction hashes in the right network, hash chains and the oracle's counts.
#include "xdr/ledger_close_meta.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <span>

#include <gtest/gtest.h>

#include "stellar_xdr_types.h"
#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::xdr {
namespace {

using sas::testing::AllFixtureLedgers;
using sas::testing::FixtureLedger;

std::string Where(const FixtureLedger& ledger) {
  return ledger.file + " #" + std::to_string(ledger.index);
}

TEST(FixtureLedgers, CoverEveryVersionAndFormat) {
  const auto& ledgers = AllFixtureLedgers();
  ASSERT_GE(ledgers.size(), 900u);
  std::map<int, int> lcm_versions;
  std::map<int, int> meta_versions;
  for (const auto& ledger : ledgers) {
    auto frame = LedgerCloseMetaFrame::Parse(ledger.bytes);
    if (!frame.ok()) continue;
    ++lcm_versions[frame->version()];
    for (const auto& tx : frame->transactions()) ++meta_versions[tx.meta.v()];
  }
  EXPECT_EQ(lcm_versions.size(), 3u);
  for (int v : {2, 3, 4}) EXPECT_GT(meta_versions[v], 0) << "TransactionMeta v" << v;
}

TEST(FixtureLedgers, EveryLedgerValidatesAndReencodesByteIdentically) {
  for (const auto& ledger : AllFixtureLedgers()) {
    SCOPED_TRACE(Where(ledger));
    ASSERT_OK_AND_ASSIGN(
        auto view, stellar::xdr::ParseView<stellar::xdr::LedgerCloseMeta>(ledger.bytes));
    EXPECT_EQ(view.size(), ledger.bytes.size());
    EXPECT_EQ(stellar::xdr::SkipLedgerCloseMeta(ledger.bytes.data()),
              ledger.bytes.data() + ledger.bytes.size());
    ASSERT_OK_AND_ASSIGN(
        auto owned, stellar::xdr::DecodeXdr<stellar::xdr::LedgerCloseMeta>(ledger.bytes));
    std::vector<uint8_t> encoded = stellar::xdr::EncodeXdr(owned);
    EXPECT_TRUE(std::equal(encoded.begin(), encoded.end(), ledger.bytes.begin(),
                           ledger.bytes.end()));
  }
}

/// Expects `parts` to be where the generated accessors find each operation's meta.
template <class OperationMetas>
void ExpectOperationMetas(OperationMetas accessors,
                          std::span<const OperationMetaParts> parts) {
  ASSERT_EQ(parts.size(), accessors.size());
  size_t i = 0;
  for (auto op : accessors) {
    EXPECT_EQ(parts[i].changes.data(), op.changes().data()) << "operation " << i;
    EXPECT_EQ(parts[i].changes.size(), op.changes().size()) << "operation " << i;
    if constexpr (requires { op.events(); }) {
      EXPECT_EQ(parts[i].events.data(), op.events().data()) << "operation " << i;
      EXPECT_EQ(parts[i].events.size(), op.events().size()) << "operation " << i;
    }
    ++i;
  }
}

/// Expects the frame's ledger-level fields to be what the generated accessors read.
template <class MetaFields>
void ExpectLedgerFields(const LedgerCloseMetaFrame& frame, const MetaFields& meta) {
  EXPECT_EQ(frame.header_entry().data(), meta.ledgerHeader.data());
  EXPECT_EQ(frame.transactions().size(), meta.txProcessing.size());
  EXPECT_EQ(frame.upgrade_count(), meta.upgradesProcessing.size());
  if constexpr (requires { meta.evictedKeys; }) {
    EXPECT_EQ(frame.live_soroban_state_bytes(), meta.totalByteSizeOfLiveSorobanState);
    EXPECT_EQ(frame.evicted_key_count(), meta.evictedKeys.size());
  }
}

TEST(FixtureLedgers, LedgerFieldsAreWhatTheGeneratedAccessorsRead) {
  for (const auto& ledger : AllFixtureLedgers()) {
    SCOPED_TRACE(Where(ledger));
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(ledger.bytes));
    ASSERT_OK_AND_ASSIGN(
        auto view, stellar::xdr::ParseView<stellar::xdr::LedgerCloseMeta>(ledger.bytes));
    switch (view.v()) {
      case 0:
        ExpectLedgerFields(frame, view.v0().fields());
        break;
      case 1:
        ExpectLedgerFields(frame, view.v1().fields());
        break;
      default:
        ExpectLedgerFields(frame, view.v2().fields());
        break;
    }
  }
}

TEST(FixtureLedgers, OperationMetasAreWhereTheGeneratedAccessorsFindThem) {
  std::map<int, size_t> checked;  // transactions by meta version
  for (const auto& ledger : AllFixtureLedgers()) {
    SCOPED_TRACE(Where(ledger));
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(ledger.bytes));
    for (const auto& tx : frame.transactions()) {
      auto meta = tx.meta;
      EXPECT_EQ(tx.meta_bytes.data() + tx.meta_bytes.size(),
                stellar::xdr::TransactionMetaView::Skip(meta.data()));
      auto parts = frame.operation_metas(tx);
      std::optional<stellar::xdr::LedgerEntryChangesView> after;
      switch (meta.v()) {
        case 0:
          ExpectOperationMetas(meta.operations(), parts);
          break;
        case 1:
          ExpectOperationMetas(meta.v1().operations(), parts);
          break;
        case 2:
          ExpectOperationMetas(meta.v2().operations(), parts);
          after = meta.v2().txChangesAfter();
          break;
        case 3:
          ExpectOperationMetas(meta.v3().operations(), parts);
          after = meta.v3().txChangesAfter();
          break;
        default:
          ExpectOperationMetas(meta.v4().operations(), parts);
          after = meta.v4().txChangesAfter();
          EXPECT_EQ(tx.transaction_events.data(), meta.v4().events().data());
          EXPECT_EQ(tx.transaction_events.size(), meta.v4().events().size());
          EXPECT_EQ(tx.diagnostic_events.data(), meta.v4().diagnosticEvents().data());
          EXPECT_EQ(tx.diagnostic_events.size(), meta.v4().diagnosticEvents().size());
          break;
      }
      if (meta.v() == 3) {
        auto soroban = meta.v3().sorobanMeta();
        ASSERT_EQ(tx.soroban_meta_v3.has_value(), soroban.has_value());
        if (soroban) {
          EXPECT_EQ(tx.soroban_meta_v3->data(), soroban.value().data());
        }
      }
      if (meta.v() == 4) {
        auto soroban = meta.v4().sorobanMeta();
        ASSERT_EQ(tx.soroban_meta_v4.has_value(), soroban.has_value());
        if (soroban) {
          EXPECT_EQ(tx.soroban_meta_v4->data(), soroban.value().data());
        }
      }
      ASSERT_EQ(tx.changes_after.has_value(), after.has_value());
      if (after) {
        EXPECT_EQ(tx.changes_after->data(), after->data());
      }
      ++checked[meta.v()];
    }
  }
  for (int v : {2, 3, 4}) EXPECT_GT(checked[v], 0u) << "TransactionMeta v" << v;
}

TEST(FixtureLedgers, HeaderHashesMatchAndAgreeWithTheOracle) {
  size_t with_oracle = 0;
  for (const auto& ledger : AllFixtureLedgers()) {
    SCOPED_TRACE(Where(ledger));
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(ledger.bytes));
    EXPECT_TRUE(frame.HeaderHashMatches());
    if (ledger.oracle.is_null()) continue;
    ++with_oracle;
    const auto& oracle = ledger.oracle;
    ResultCounts counts = frame.CountResults();
    EXPECT_EQ(frame.sequence(), oracle["sequence"].get<uint32_t>());
    EXPECT_EQ(frame.version(), oracle["lcmVersion"].get<int>());
    EXPECT_EQ(frame.header().ledgerVersion(), oracle["protocol"].get<uint32_t>());
    EXPECT_EQ(std::to_string(frame.header().scpValue().closeTime()),
              oracle["closeTime"].get<std::string>());
    EXPECT_EQ(ToHex(frame.previous_ledger_hash()), oracle["previousLedgerHash"]);
    EXPECT_EQ(counts.transactions, oracle["txCount"].get<uint32_t>());
    EXPECT_EQ(counts.successful, oracle["successfulTx"].get<uint32_t>());
    EXPECT_EQ(counts.failed, oracle["failedTx"].get<uint32_t>());
    EXPECT_EQ(counts.successful_operations,
              oracle["opCountInSuccessfulTxs"].get<uint32_t>());
    EXPECT_EQ(frame.TxSetOperationCount(), oracle["opCount"].get<uint32_t>());
    EXPECT_EQ(std::to_string(frame.header().totalCoins()), oracle["totalCoins"]);
    EXPECT_EQ(std::to_string(frame.header().feePool()), oracle["feePool"]);
  }
  EXPECT_GE(with_oracle, 900u);
}

TEST(FixtureLedgers, TransactionHashesJoinInTheirNetworkOnly) {
  size_t joined = 0;
  for (const auto& ledger : AllFixtureLedgers()) {
    if (ledger.oracle.is_null() || ledger.oracle["network"].is_null()) continue;
    SCOPED_TRACE(Where(ledger));
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(ledger.bytes));
    std::string passphrase = sas::testing::PassphraseOf(ledger.oracle["network"]);
    ASSERT_OK(frame.JoinEnvelopes(NetworkId(passphrase)));
    for (const auto& tx : frame.transactions()) ASSERT_TRUE(tx.envelope.has_value());
    EXPECT_EQ(ToHex(frame.transactions().front().result.transactionHash()),
              ledger.oracle["firstTxHash"]);
    EXPECT_FALSE(frame.JoinEnvelopes(NetworkId("Some Other Network ; 2015")).ok());
    ++joined;
  }
  EXPECT_GE(joined, 800u);
}

TEST(FixtureLedgers, ConsecutiveLedgersOfAFileOrSetChain) {
  std::map<uint32_t, std::pair<std::string, std::string>>
      by_sequence;  // seq -> hash, prev
  for (const auto& ledger : AllFixtureLedgers()) {
    if (ledger.file.find("lighthorizon") == std::string::npos) continue;
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(ledger.bytes));
    by_sequence[frame.sequence()] = {ToHex(frame.ledger_hash()),
                                     ToHex(frame.previous_ledger_hash())};
  }
  ASSERT_EQ(by_sequence.size(), 320u);
  for (auto it = std::next(by_sequence.begin()); it != by_sequence.end(); ++it) {
    auto previous = std::prev(it);
    ASSERT_EQ(previous->first + 1, it->first);
    EXPECT_EQ(it->second.second, previous->second.first) << "ledger " << it->first;
  }
}

/// A fixture ledger of the given LedgerCloseMeta version with at least one transaction.
std::vector<uint8_t> LedgerWithTransactions(int version) {
  for (const auto& ledger : AllFixtureLedgers()) {
    auto frame = LedgerCloseMetaFrame::Parse(ledger.bytes);
    if (frame.ok() && frame->version() == version && !frame->transactions().empty()) {
      return {ledger.bytes.begin(), ledger.bytes.end()};
    }
  }
  return {};
}

TEST(BadInput, TruncationNamesTypeAndOffset) {
  auto bytes = LedgerWithTransactions(2);
  ASSERT_FALSE(bytes.empty());
  bytes.resize(bytes.size() / 2);
  auto frame = LedgerCloseMetaFrame::Parse(bytes);
  ASSERT_FALSE(frame.ok());
  EXPECT_TRUE(frame.status().message().starts_with("LedgerCloseMeta.v2."))
      << frame.status();
  EXPECT_NE(frame.status().message().find("truncated"), std::string::npos);
  EXPECT_NE(frame.status().message().find("at offset"), std::string::npos);
}

TEST(BadInput, TheFramesWalkRejectsWhatTheGeneratedValidatorRejectsWithItsMessage) {
  // The frame validates in its own walk over the spine of the ledger: on corrupted and
  // truncated copies of every fixture it must accept and reject exactly what the
  // generated validator does, with the same error (path, cause, offset).
  std::mt19937 random(20261201);
  size_t rejected = 0;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    SCOPED_TRACE(ledger.file);
    std::vector<std::vector<uint8_t>> variants;
    std::vector<uint8_t> bytes(ledger.bytes.begin(), ledger.bytes.end());
    for (int i = 0; i < 24; ++i) {
      std::vector<uint8_t> corrupt = bytes;
      size_t word =
          std::uniform_int_distribution<size_t>(0, bytes.size() / 4 - 1)(random);
      const uint32_t values[] = {0xFFFFFFFFu, 7, 2, 1, static_cast<uint32_t>(random())};
      stellar::xdr::StoreU32(corrupt.data() + 4 * word, values[i % 5]);
      variants.push_back(std::move(corrupt));
      std::vector<uint8_t> truncated(
          bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(
                                             std::uniform_int_distribution<size_t>(
                                                 0, bytes.size() - 1)(random)));
      variants.push_back(std::move(truncated));
    }
    for (const auto& variant : variants) {
      auto frame = LedgerCloseMetaFrame::Parse(variant);
      auto view = stellar::xdr::ParseView<stellar::xdr::LedgerCloseMeta>(variant);
      ASSERT_EQ(frame.ok(), view.ok()) << frame.status() << " vs " << view.status();
      if (!view.ok()) {
        EXPECT_EQ(frame.status().ToString(), view.status().ToString());
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 100u);
}

TEST(BadInput, ALedgerThatFailsToParseIsNamedByItsHeadersSequence) {
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    SCOPED_TRACE(ledger.file);
    std::vector<uint8_t> bytes(ledger.bytes.begin(), ledger.bytes.end());
    ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(bytes));
    uint32_t sequence = frame.sequence();
    EXPECT_EQ(PeekLedgerSequence(bytes), sequence);
    // Cut after the header: the ledger no longer parses, its header still names it.
    size_t header_end = static_cast<size_t>(frame.header_entry().data() - bytes.data()) +
                        frame.header_entry().size();
    bytes.resize(header_end + 4);
    EXPECT_FALSE(LedgerCloseMetaFrame::Parse(bytes).ok());
    EXPECT_EQ(PeekLedgerSequence(bytes), sequence);
    bytes.resize(header_end - 1);
    EXPECT_EQ(PeekLedgerSequence(bytes), std::nullopt);
  }
  const std::vector<uint8_t> unknown_version = {0, 0, 0, 7};
  EXPECT_EQ(PeekLedgerSequence(unknown_version), std::nullopt);
}

TEST(BadInput, UnknownDiscriminantNamesThePath) {
  auto bytes = LedgerWithTransactions(2);
  ASSERT_FALSE(bytes.empty());
  ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(bytes));
  size_t meta_offset =
      static_cast<size_t>(frame.transactions()[0].meta.data() - bytes.data());
  std::vector<uint8_t> corrupt = bytes;
  stellar::xdr::StoreU32(corrupt.data() + meta_offset, 9);
  auto bad = LedgerCloseMetaFrame::Parse(corrupt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "LedgerCloseMeta.v2.txProcessing[0].txApplyProcessing: unknown union "
            "discriminant 9 at offset " +
                std::to_string(meta_offset));

  stellar::xdr::StoreU32(bytes.data(), 7);
  auto top = LedgerCloseMetaFrame::Parse(bytes);
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(),
            "LedgerCloseMeta: unknown union discriminant 7 at offset 0");
}

TEST(BadInput, TrailingBytesAreRejected) {
  auto bytes = LedgerWithTransactions(0);
  ASSERT_FALSE(bytes.empty());
  size_t size = bytes.size();
  bytes.insert(bytes.end(), {0, 0, 0, 0});
  auto frame = LedgerCloseMetaFrame::Parse(bytes);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().message(),
            "4 trailing bytes after LedgerCloseMeta at offset " + std::to_string(size));
}

TEST(BadInput, HugeLengthFieldsDoNotAllocate) {
  // A V0 ledger whose tx-set array claims 2^31 envelopes: rejected before any allocation.
  auto bytes = LedgerWithTransactions(0);
  ASSERT_FALSE(bytes.empty());
  ASSERT_OK_AND_ASSIGN(auto frame, LedgerCloseMetaFrame::Parse(bytes));
  size_t txs_count_offset =
      static_cast<size_t>(frame.tx_set_envelopes()[0].data() - bytes.data()) - 4;
  stellar::xdr::StoreU32(bytes.data() + txs_count_offset, 0x7FFFFFFF);
  auto owned = stellar::xdr::DecodeXdr<stellar::xdr::LedgerCloseMeta>(bytes);
  ASSERT_FALSE(owned.ok());
  EXPECT_NE(owned.status().message().find("v0.txSet.txs"), std::string::npos)
      << owned.status();
  EXPECT_FALSE(LedgerCloseMetaFrame::Parse(bytes).ok());
}

}  // namespace
}  // namespace sas::xdr
