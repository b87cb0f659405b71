// xdr_dump: a canonical JSON dump of selected LedgerCloseMeta paths, decoded by our
// codec, for the differential test against stellar-sdk (tools/sdk_dump.py prints the same
// keys).
//
// Usage: xdr_dump --network PASSPHRASE FILE...
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ingest/ledger_file.h"
#include "xdr/ledger_close_meta.h"
#include "xdr/network.h"

namespace {

namespace sx = stellar::xdr;
using sas::xdr::ToHex;

/// Returns the operation types of an envelope (the inner transaction's for fee bumps).
nlohmann::json OperationTypes(sx::TransactionEnvelopeView envelope) {
  nlohmann::json types = nlohmann::json::array();
  auto append = [&types](auto operations) {
    for (auto op : operations) types.push_back(sx::ToString(op.body().type()));
  };
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      append(envelope.v0().tx().operations());
      break;
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      append(envelope.v1().tx().operations());
      break;
    default:
      append(envelope.feeBump().tx().innerTx().v1().tx().operations());
      break;
  }
  return types;
}

/// Returns the length of the operation-result array, or null when the code has none.
nlohmann::json OperationResults(sx::TransactionResultView result) {
  auto outcome = result.result();
  auto has_results = [](sx::TransactionResultCode code) {
    return code == sx::TransactionResultCode::txSUCCESS ||
           code == sx::TransactionResultCode::txFAILED;
  };
  if (has_results(outcome.code())) return outcome.results().size();
  if (outcome.code() == sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS ||
      outcome.code() == sx::TransactionResultCode::txFEE_BUMP_INNER_FAILED) {
    auto inner = outcome.innerResultPair().result().result();
    if (has_results(inner.code())) return inner.results().size();
  }
  return nullptr;
}

nlohmann::json TransactionJson(const sas::xdr::AppliedTransaction& tx) {
  auto result = tx.result.result();
  nlohmann::json json = {
      {"apply_order", tx.apply_order},
      {"hash", ToHex(tx.result.transactionHash())},
      {"fee_charged", result.feeCharged()},
      {"result_code", sx::ToString(result.result().code())},
      {"successful", sas::xdr::IsSuccess(result.result().code())},
      {"op_results", OperationResults(result)},
      {"meta_version", tx.meta.v()},
      {"envelope_type", nullptr},
      {"op_types", nullptr},
  };
  if (tx.envelope) {
    json["envelope_type"] = sx::ToString(tx.envelope->type());
    json["op_types"] = OperationTypes(*tx.envelope);
  }
  return json;
}

nlohmann::json LedgerJson(const sas::xdr::LedgerCloseMetaFrame& frame) {
  auto header = frame.header();
  nlohmann::json transactions = nlohmann::json::array();
  for (const auto& tx : frame.transactions()) transactions.push_back(TransactionJson(tx));
  return {
      {"sequence", header.ledgerSeq()},
      {"lcm_version", frame.version()},
      {"protocol_version", header.ledgerVersion()},
      {"close_time", header.scpValue().closeTime()},
      {"ledger_hash", ToHex(frame.ledger_hash())},
      {"previous_ledger_hash", ToHex(frame.previous_ledger_hash())},
      {"tx_set_result_hash", ToHex(header.txSetResultHash())},
      {"base_fee", header.baseFee()},
      {"base_reserve", header.baseReserve()},
      {"max_tx_set_size", header.maxTxSetSize()},
      {"total_coins", header.totalCoins()},
      {"fee_pool", header.feePool()},
      {"upgrade_count", frame.upgrade_count()},
      {"transactions", std::move(transactions)},
  };
}

int DumpFile(const std::string& path, const sas::xdr::Digest& network_id) {
  auto contents = sas::ingest::ReadLedgerFile(path, sas::ingest::LedgerFileFormat::kAuto);
  if (!contents.ok()) {
    std::cerr << path << ": " << contents.status().ToString() << "\n";
    return 1;
  }
  int failures = 0;
  for (const auto& slice : contents->ledgers) {
    auto frame = slice.status.ok()
                     ? sas::xdr::LedgerCloseMetaFrame::Parse(slice.bytes)
                     : arrow::Result<sas::xdr::LedgerCloseMetaFrame>(slice.status);
    if (frame.ok()) {
      if (auto joined = frame->JoinEnvelopes(network_id); !joined.ok()) {
        std::cerr << path << ": " << joined.ToString() << "\n";
        ++failures;
      }
      std::cout << LedgerJson(*frame).dump() << "\n";
    } else {
      std::cerr << path << ": " << frame.status().ToString() << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3 || args[0] != "--network") {
    std::cerr << "usage: xdr_dump --network PASSPHRASE FILE...\n";
    return 2;
  }
  auto network_id = sas::xdr::NetworkId(sas::xdr::ResolveNetworkPassphrase(args[1]));
  int status = 0;
  for (size_t i = 2; i < args.size(); ++i) status |= DumpFile(args[i], network_id);
  return status;
}
