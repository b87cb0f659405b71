// Token transfer derivation: on every fixture ledger whose TransactionMeta v4 embeds the
// unified events, the events derived from operations, results and changes must equal the
// embedded ones, event for event and in order.
#include "convert/token_transfers.h"

#include <map>

#include "convert/token_transfer_check.h"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::convert {
namespace {

std::string Describe(const TokenTransferEvent& e) {
  std::ostringstream out;
  out << "tx " << e.transaction_index << " op "
      << (e.operation_index ? std::to_string(*e.operation_index) : "-") << " "
      << TransferKindName(e.kind) << " " << e.from << " -> " << e.to << " "
      << e.asset.Canonical() << " " << e.amount.ToIntegerString() << " " << e.contract_id
      << (e.to_muxed_type.empty() ? ""
                                  : " mux " + e.to_muxed_type + "=" + e.to_muxed_value);
  return out.str();
}

/// Describes where two event lists first differ ("" when equal).
std::string FirstDifference(const std::vector<TokenTransferEvent>& derived,
                            const std::vector<TokenTransferEvent>& embedded) {
  size_t n = std::min(derived.size(), embedded.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(derived[i] == embedded[i])) {
      return "event " + std::to_string(i) + ":\n  derived  " + Describe(derived[i]) +
             "\n  embedded " + Describe(embedded[i]);
    }
  }
  if (derived.size() != embedded.size()) {
    return "derived " + std::to_string(derived.size()) + " events, embedded " +
           std::to_string(embedded.size());
  }
  return "";
}

TEST(TokenTransfers, DerivedEqualEmbeddedOnEveryV4Ledger) {
  int compared = 0;
  int with_fees = 0;
  size_t events_compared = 0;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    if (ledger.oracle.is_null() || ledger.oracle["network"].is_null()) continue;
    ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledger.bytes));
    auto network_id =
        xdr::NetworkId(sas::testing::PassphraseOf(ledger.oracle["network"]));
    ASSERT_OK(frame.JoinEnvelopes(network_id));
    ASSERT_OK_AND_ASSIGN(auto embedded, EmbeddedTokenTransfers(frame, network_id));
    if (!embedded || embedded->empty()) continue;
    SCOPED_TRACE(ledger.file + " #" + std::to_string(ledger.index) + " ledger " +
                 std::to_string(frame.sequence()));
    ASSERT_OK_AND_ASSIGN(auto derived, DeriveTokenTransfers(frame, network_id));
    // Some test networks ran without fee events: compare what the meta carries.
    auto is_fee = [](const TokenTransferEvent& e) {
      return e.kind == TransferKind::kFee;
    };
    if (std::none_of(embedded->begin(), embedded->end(), is_fee)) {
      std::erase_if(derived, is_fee);
    } else {
      ++with_fees;
    }
    ++compared;
    events_compared += embedded->size();
    EXPECT_EQ(FirstDifference(derived, *embedded), "");
  }
  EXPECT_GE(compared, 25);
  EXPECT_GE(with_fees, 2);  // the pubnet ledgers of the AWS lake carry fee events too
  EXPECT_GE(events_compared, 3000u);
  std::cout << "compared " << events_compared << " events of " << compared << " ledgers ("
            << with_fees << " with fee events)\n";
}

TEST(TokenTransfers, EventsAccountForEveryBalanceChange) {
  int ledgers = 0;
  int with_differences = 0;
  std::map<std::string, int> differences_by_set;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    if (ledger.oracle.is_null()) continue;
    std::string network = ledger.oracle["network"].is_null()
                              ? "testnet"
                              : ledger.oracle["network"].get<std::string>();
    ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledger.bytes));
    auto network_id = xdr::NetworkId(sas::testing::PassphraseOf(network));
    if (!frame.transactions().empty()) {
      ASSERT_OK(frame.JoinEnvelopes(network_id));
    }
    ASSERT_OK_AND_ASSIGN(auto events, DeriveTokenTransfers(frame, network_id));
    auto differences = CheckConservation(frame, events);
    ++ledgers;
    if (differences.empty()) continue;
    ++with_differences;
    ++differences_by_set[ledger.file.substr(0, ledger.file.rfind('/'))];
    if (with_differences <= 5) {
      const auto& d = differences.front();
      ADD_FAILURE() << ledger.file << " #" << ledger.index << " ledger "
                    << frame.sequence() << " protocol " << frame.header().ledgerVersion()
                    << ": tx " << d.transaction_index << " " << d.holder << " " << d.asset
                    << " events " << d.from_events << " changes " << d.from_changes
                    << " (" << differences.size() << " differences)";
    }
  }
  for (const auto& [set, count] : differences_by_set) {
    std::cout << set << ": " << count << " ledgers with differences\n";
  }
  std::cout << ledgers << " ledgers checked, " << with_differences
            << " with differences\n";
  EXPECT_EQ(with_differences, 0);
}

TEST(TokenTransfers, ConservationCheckCatchesAMissingOrWrongEvent) {
  auto ledgers =
      sas::testing::FixtureFileLedgers("pubnet/wallet-backend/ledger-51000294.xdr");
  ASSERT_EQ(ledgers.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledgers[0].bytes));
  auto network_id = xdr::NetworkId("Public Global Stellar Network ; September 2015");
  ASSERT_OK(frame.JoinEnvelopes(network_id));
  ASSERT_OK_AND_ASSIGN(auto events, DeriveTokenTransfers(frame, network_id));
  ASSERT_TRUE(CheckConservation(frame, events).empty());
  auto first_transfer = std::find_if(events.begin(), events.end(), [](const auto& e) {
    return e.kind == TransferKind::kTransfer && e.from[0] == 'G' && e.to[0] == 'G';
  });
  ASSERT_NE(first_transfer, events.end());
  auto wrong_amount = events;
  wrong_amount[static_cast<size_t>(first_transfer - events.begin())].amount += 1;
  auto differences = CheckConservation(frame, wrong_amount);
  ASSERT_EQ(differences.size(), 2u);
  EXPECT_EQ(differences[0].transaction_index, first_transfer->transaction_index);
  auto missing = events;
  missing.erase(missing.begin() + (first_transfer - events.begin()));
  EXPECT_FALSE(CheckConservation(frame, missing).empty());
}

}  // namespace
}  // namespace sas::convert
