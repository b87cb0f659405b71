// The conservation check of token transfer events: per transaction, the balance deltas
// the events imply equal the balance changes in the ledger-entry changes (accounts,
// trustlines, claimable balances, liquidity pool reserves). docs/TOKEN_TRANSFERS.md §6.2.
#pragma once

#include <string>
#include <vector>

#include "convert/token_transfers.h"
#include "xdr/ledger_close_meta.h"

namespace sas::convert {

/// A holder and asset whose events and ledger changes disagree within one transaction.
struct BalanceDifference {
  uint32_t transaction_index = 0;
  std::string holder;
  std::string asset;
  /// Net change implied by the events and shown by the ledger changes (decimal text).
  std::string from_events;
  std::string from_changes;
};

/// Returns every disagreement (empty when the events account for every balance change).
/// Contract (C…) holders and custom-token events are not checked: their balances live in
/// contract storage.
std::vector<BalanceDifference> CheckConservation(
    const xdr::LedgerCloseMetaFrame& frame,
    const std::vector<TokenTransferEvent>& events);

}  // namespace sas::convert
