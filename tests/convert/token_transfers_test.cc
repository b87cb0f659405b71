// Token transfer derivation: on every fixture ledger whose TransactionMeta v4 embeds the
// unified events, the events derived from operations, results and changes must equal the
// embedded ones, event for event and in order.
#include "convert/token_transfers.h"

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

}  // namespace
}  // namespace sas::convert
