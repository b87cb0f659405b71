#include "app/ledger_json.h"

#include <string>
#include <unordered_set>

namespace sas::app {
namespace {

/// Returns true when every envelope's recomputed hash is among the result hashes.
bool TransactionHashesMatch(const xdr::LedgerCloseMetaFrame& frame,
                            const xdr::Digest& network_id) {
  std::unordered_set<std::string> result_hashes;
  for (const auto& tx : frame.transactions()) {
    auto hash = tx.result.transactionHash();
    result_hashes.emplace(hash.begin(), hash.end());
  }
  for (auto envelope : frame.tx_set_envelopes()) {
    xdr::Digest hash = xdr::TransactionHash(envelope, network_id);
    if (!result_hashes.contains(std::string(hash.begin(), hash.end()))) return false;
  }
  return frame.tx_set_envelopes().size() == frame.transactions().size();
}

}  // namespace

nlohmann::json LedgerJson(const xdr::LedgerCloseMetaFrame& frame,
                          const std::optional<xdr::Digest>& network_id) {
  xdr::ResultCounts counts = frame.CountResults();
  nlohmann::json line = {
      {"sequence", frame.sequence()},
      {"lcm_version", frame.version()},
      {"protocol_version", frame.header().ledgerVersion()},
      {"close_time", frame.header().scpValue().closeTime()},
      {"ledger_hash", xdr::ToHex(frame.ledger_hash())},
      {"previous_ledger_hash", xdr::ToHex(frame.previous_ledger_hash())},
      {"transaction_count", counts.transactions},
      {"successful_transaction_count", counts.successful},
      {"failed_transaction_count", counts.failed},
      {"operation_count", counts.successful_operations},
      {"tx_set_operation_count", frame.TxSetOperationCount()},
      {"header_hash_ok", frame.HeaderHashMatches()},
  };
  if (network_id) line["tx_hashes_ok"] = TransactionHashesMatch(frame, *network_id);
  return line;
}

}  // namespace sas::app
