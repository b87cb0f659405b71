#include "convert/token_transfer_check.h"

#include <map>
#include <optional>

#include "convert/values.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;
/// Net balance change per (holder, asset); exact (Arrow's 128-bit decimal integers).
using Balances = std::map<std::pair<std::string, std::string>, arrow::Decimal128>;

void Add(Balances* balances, std::string_view holder, std::string_view asset,
         const arrow::Decimal128& delta) {
  if (holder.empty() || holder[0] == 'C' || asset.empty()) return;
  (*balances)[{std::string(holder), std::string(asset)}] += delta;
}

Balances EventDeltas(const std::vector<TokenTransferEvent>& events, uint32_t tx_index) {
  Balances deltas;
  for (const TokenTransferEvent& e : events) {
    if (e.transaction_index != tx_index) continue;
    CanonicalAssetText asset = e.asset.Canonical();
    const arrow::Decimal128& amount = e.amount;
    switch (e.kind) {
      case TransferKind::kTransfer:
        Add(&deltas, e.from, asset, -amount);
        Add(&deltas, e.to, asset, amount);
        break;
      case TransferKind::kMint:
        Add(&deltas, e.to, asset, amount);
        break;
      default:  // burn, clawback, fee: out of `from`
        Add(&deltas, e.from, asset, -amount);
        break;
    }
  }
  return deltas;
}

std::string IssuedAssetText(std::span<const uint8_t> padded_code,
                            sx::PublicKeyView issuer) {
  return CanonicalIssuedAsset(AssetCode(padded_code), AccountId(issuer)).str();
}

std::string TrustLineAssetText(sx::TrustLineAssetView asset) {
  switch (asset.type()) {
    case sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM4:
      return IssuedAssetText(asset.alphaNum4().assetCode(), asset.alphaNum4().issuer());
    case sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM12:
      return IssuedAssetText(asset.alphaNum12().assetCode(), asset.alphaNum12().issuer());
    default:
      return "";  // pool shares are not a token the events track
  }
}

std::string AssetText(sx::AssetView asset) { return CanonicalAsset(asset).str(); }

/// Adds `sign` × the balances one entry holds.
void AddEntry(Balances* deltas, sx::LedgerEntryView entry, int64_t sign) {
  auto data = entry.data_();
  switch (data.type()) {
    case sx::LedgerEntryType::ACCOUNT:
      Add(deltas, AccountId(data.account().accountID()), "native",
          arrow::Decimal128(sign * data.account().balance()));
      break;
    case sx::LedgerEntryType::TRUSTLINE:
      Add(deltas, AccountId(data.trustLine().accountID()),
          TrustLineAssetText(data.trustLine().asset()),
          arrow::Decimal128(sign * data.trustLine().balance()));
      break;
    case sx::LedgerEntryType::CLAIMABLE_BALANCE: {
      auto balance = data.claimableBalance();
      std::array<uint8_t, 33> payload{};
      payload[0] = static_cast<uint8_t>(balance.balanceID().type());
      std::copy(balance.balanceID().v0().begin(), balance.balanceID().v0().end(),
                payload.begin() + 1);
      Add(deltas, xdr::ShortStrKey(xdr::StrKeyKind::kClaimableBalance, payload),
          AssetText(balance.asset()), arrow::Decimal128(sign * balance.amount()));
      break;
    }
    case sx::LedgerEntryType::LIQUIDITY_POOL: {
      auto pool = data.liquidityPool();
      auto product = pool.body().constantProduct();
      xdr::StrKeyText holder =
          xdr::ShortStrKey(xdr::StrKeyKind::kLiquidityPool, pool.liquidityPoolID());
      Add(deltas, holder, AssetText(product.params().assetA()),
          arrow::Decimal128(sign * product.reserveA()));
      Add(deltas, holder, AssetText(product.params().assetB()),
          arrow::Decimal128(sign * product.reserveB()));
      break;
    }
    default:
      break;
  }
}

/// Adds post − pre of every changed entry (a created entry has no pre, a removed no
/// post).
void AddChanges(Balances* deltas, sx::LedgerEntryChangesView changes) {
  std::optional<sx::LedgerEntryView> state;
  for (auto change : changes) {
    switch (change.type()) {
      case sx::LedgerEntryChangeType::LEDGER_ENTRY_STATE:
        state = change.state();
        continue;
      case sx::LedgerEntryChangeType::LEDGER_ENTRY_CREATED:
        AddEntry(deltas, change.created(), 1);
        break;
      case sx::LedgerEntryChangeType::LEDGER_ENTRY_UPDATED:
        if (state) AddEntry(deltas, *state, -1);
        AddEntry(deltas, change.updated(), 1);
        break;
      case sx::LedgerEntryChangeType::LEDGER_ENTRY_REMOVED:
        if (state) AddEntry(deltas, *state, -1);
        break;
      default:
        break;
    }
    state.reset();
  }
}

template <class OperationMetas>
void AddOperations(Balances* deltas, OperationMetas operations) {
  for (auto op : operations) AddChanges(deltas, op.changes());
}

void AddTransactionChanges(Balances* deltas, sx::TransactionMetaView meta) {
  switch (meta.v()) {
    case 0:
      AddOperations(deltas, meta.operations());
      break;
    case 1:
      AddChanges(deltas, meta.v1().txChanges());
      AddOperations(deltas, meta.v1().operations());
      break;
    case 2:
      AddChanges(deltas, meta.v2().txChangesBefore());
      AddOperations(deltas, meta.v2().operations());
      AddChanges(deltas, meta.v2().txChangesAfter());
      break;
    case 3:
      AddChanges(deltas, meta.v3().txChangesBefore());
      AddOperations(deltas, meta.v3().operations());
      AddChanges(deltas, meta.v3().txChangesAfter());
      break;
    default:
      AddChanges(deltas, meta.v4().txChangesBefore());
      AddOperations(deltas, meta.v4().operations());
      AddChanges(deltas, meta.v4().txChangesAfter());
      break;
  }
}

void DropZeros(Balances* balances) {
  std::erase_if(*balances,
                [](const auto& entry) { return entry.second == arrow::Decimal128(0); });
}

}  // namespace

std::vector<BalanceDifference> CheckConservation(
    const xdr::LedgerCloseMetaFrame& frame,
    const std::vector<TokenTransferEvent>& events) {
  std::vector<BalanceDifference> differences;
  for (const xdr::AppliedTransaction& tx : frame.transactions()) {
    Balances from_events = EventDeltas(events, tx.apply_order);
    Balances from_changes;
    AddChanges(&from_changes, tx.fee_processing);
    AddTransactionChanges(&from_changes, tx.meta);
    if (tx.post_apply_fee_processing)
      AddChanges(&from_changes, *tx.post_apply_fee_processing);
    DropZeros(&from_events);
    DropZeros(&from_changes);
    if (from_events == from_changes) continue;
    std::map<std::pair<std::string, std::string>,
             std::pair<arrow::Decimal128, arrow::Decimal128>>
        merged;
    for (const auto& [key, value] : from_events) merged[key].first = value;
    for (const auto& [key, value] : from_changes) merged[key].second = value;
    for (const auto& [key, values] : merged) {
      if (values.first == values.second) continue;
      differences.push_back({tx.apply_order, key.first, key.second,
                             values.first.ToIntegerString(),
                             values.second.ToIntegerString()});
    }
  }
  return differences;
}

}  // namespace sas::convert
