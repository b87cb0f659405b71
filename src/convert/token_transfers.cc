#include "convert/token_transfers.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>
#include <vector>

#include "convert/scval.h"
#include "convert/values.h"
#include "xdr/sha256.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;
using OpType = sx::OperationType;
using ChangeType = sx::LedgerEntryChangeType;

/// First protocol whose ledgers order all refunds after all operation events.
constexpr uint32_t kProtocolRefundsLast = 23;
/// Before this protocol XLM could appear or vanish in an operation (TOKEN_TRANSFERS.md
/// §7.6).
constexpr uint32_t kProtocolXlmConserved = 8;
/// CONTRACT_ID_PREIMAGE_FROM_ASSET: the SAC id preimage.
constexpr uint32_t kContractIdPreimageFromAsset = 1;

void AppendU32(std::vector<uint8_t>* out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<uint8_t>(value >> shift));
}

/// The contract id of the Stellar Asset Contract of an asset given as XDR `Asset` bytes,
/// remembered per thread (a ledger's events name few assets; each id costs a SHA-256).
xdr::StrKeyText SacContractId(std::span<const uint8_t> asset_xdr,
                              const xdr::Digest& network_id) {
  constexpr size_t kMaxEntries = 1 << 14;
  thread_local std::unordered_map<std::string, xdr::StrKeyText> cache;
  thread_local std::string key;  // reused: a hit allocates nothing
  key.assign(network_id.begin(), network_id.end());
  key.append(asset_xdr.begin(), asset_xdr.end());
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= kMaxEntries) cache.clear();
  std::vector<uint8_t> preimage;
  AppendU32(&preimage, kContractIdPreimageFromAsset);
  preimage.insert(preimage.end(), asset_xdr.begin(), asset_xdr.end());
  xdr::StrKeyText id = ContractIdFromPreimage(preimage, network_id);
  cache.emplace(key, id);
  return id;
}

/// XDR `Asset` of XLM (ASSET_TYPE_NATIVE).
constexpr std::array<uint8_t, 4> kNativeAssetXdr = {0, 0, 0, 0};

/// Encodes an asset as XDR `Asset` bytes; nullopt for an issuer that is not a G… key.
std::optional<std::vector<uint8_t>> AssetXdr(const TokenAsset& asset) {
  std::vector<uint8_t> out;
  if (asset.kind == TokenAsset::Kind::kNative) {
    AppendU32(&out, 0);
    return out;
  }
  auto issuer = xdr::DecodeStrKey32(xdr::StrKeyKind::kAccount, asset.issuer);
  std::string_view code = asset.code;
  if (!issuer || code.empty()) return std::nullopt;
  size_t width = code.size() <= 4 ? 4 : 12;
  AppendU32(&out, width == 4 ? 1 : 2);
  out.insert(out.end(), code.begin(), code.end());
  out.resize(out.size() + width - code.size(), 0);
  AppendU32(&out, 0);  // PUBLIC_KEY_TYPE_ED25519
  out.insert(out.end(), issuer->begin(), issuer->end());
  return out;
}

TokenAsset NativeAsset() { return {TokenAsset::Kind::kNative, {}, {}}; }

TokenAsset ToTokenAsset(sx::AssetView asset) {
  AssetColumns columns = Asset(asset);
  if (!columns.code) return NativeAsset();
  return {TokenAsset::Kind::kIssued, *columns.code, *columns.issuer};
}

/// Parses a SEP-11 asset string: `native` or `CODE:ISSUER` (a code of 1-12 characters, a
/// 56-character issuer).
std::optional<TokenAsset> ParseSep11(std::string_view text) {
  constexpr size_t kMaxCode = 12;
  constexpr size_t kIssuerLength = 56;
  if (text == "native") return NativeAsset();
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > kMaxCode ||
      text.size() - colon - 1 != kIssuerLength) {
    return std::nullopt;
  }
  return TokenAsset{TokenAsset::Kind::kIssued, AssetCodeText(text.substr(0, colon)),
                    xdr::StrKeyText(text.substr(colon + 1))};
}

xdr::StrKeyText ClaimableBalanceStrKey(sx::ClaimableBalanceIDView id) {
  std::array<uint8_t, 33> payload{};
  payload[0] = static_cast<uint8_t>(id.type());
  std::copy(id.v0().begin(), id.v0().end(), payload.begin() + 1);
  return xdr::ShortStrKey(xdr::StrKeyKind::kClaimableBalance, payload);
}

xdr::StrKeyText PoolStrKey(std::span<const uint8_t, 32> pool_id) {
  return xdr::ShortStrKey(xdr::StrKeyKind::kLiquidityPool, pool_id);
}

/// A change paired with the entry state just before it (for UPDATED and REMOVED).
struct PairedChange {
  std::optional<sx::LedgerEntryView> pre;
  std::optional<sx::LedgerEntryView> post;
  std::optional<sx::LedgerKeyView> removed_key;
};

std::vector<PairedChange> PairChanges(sx::LedgerEntryChangesView changes) {
  std::vector<PairedChange> paired;
  std::optional<sx::LedgerEntryView> state;
  for (auto change : changes) {
    switch (change.type()) {
      case ChangeType::LEDGER_ENTRY_STATE:
        state = change.state();
        break;
      case ChangeType::LEDGER_ENTRY_CREATED:
        paired.push_back({std::nullopt, change.created(), std::nullopt});
        state.reset();
        break;
      case ChangeType::LEDGER_ENTRY_UPDATED:
        paired.push_back({state, change.updated(), std::nullopt});
        state.reset();
        break;
      case ChangeType::LEDGER_ENTRY_REMOVED:
        paired.push_back({state, std::nullopt, change.removed()});
        state.reset();
        break;
      default:
        state.reset();
        break;
    }
  }
  return paired;
}

/// The native balance change of the account with ed25519 key `account` across
/// `changes`: last UPDATED − last STATE.
std::optional<int64_t> BalanceChange(sx::LedgerEntryChangesView changes,
                                     std::span<const uint8_t, 32> account) {
  std::optional<int64_t> before, after;
  for (auto change : changes) {
    bool is_state = change.type() == ChangeType::LEDGER_ENTRY_STATE;
    bool is_updated = change.type() == ChangeType::LEDGER_ENTRY_UPDATED;
    if (!is_state && !is_updated) continue;
    auto entry = is_state ? change.state() : change.updated();
    if (entry.data_().type() != sx::LedgerEntryType::ACCOUNT) continue;
    auto key = entry.data_().account().accountID().ed25519();
    if (!std::equal(key.begin(), key.end(), account.begin())) continue;
    (is_state ? before : after) = entry.data_().account().balance();
  }
  if (!before && !after) return std::nullopt;
  return after.value_or(0) - before.value_or(0);
}

/// Returns |post − pre| of a pool change's reserves A and B (a missing side counts as 0;
/// TOKEN_TRANSFERS.md §3.2).
std::pair<int64_t, int64_t> ReserveDeltas(const PairedChange& pool) {
  auto reserves = [](const std::optional<sx::LedgerEntryView>& entry) {
    if (!entry) return std::pair<int64_t, int64_t>{0, 0};
    auto product = entry->data_().liquidityPool().body().constantProduct();
    return std::pair<int64_t, int64_t>{product.reserveA(), product.reserveB()};
  };
  auto [pre_a, pre_b] = reserves(pool.pre);
  auto [post_a, post_b] = reserves(pool.post);
  return {post_a > pre_a ? post_a - pre_a : pre_a - post_a,
          post_b > pre_b ? post_b - pre_b : pre_b - post_b};
}

/// Keeps every event it is given (one operation's, to be reconciled before they go on,
/// §7.6; or a ledger's, for the vector form).
class EventBuffer : public TokenTransferSink {
 public:
  arrow::Status Add(const TokenTransferEvent& event) override {
    events.push_back(event);
    return arrow::Status::OK();
  }
  std::vector<TokenTransferEvent> events;
};

/// Returns what `events` add to (or take from) `holder`'s XLM.
int64_t NativeDelta(const std::vector<TokenTransferEvent>& events,
                    std::string_view holder) {
  int64_t delta = 0;
  for (const auto& event : events) {
    if (event.asset.kind != TokenAsset::Kind::kNative) continue;
    auto amount = static_cast<int64_t>(event.amount.low_bits());
    if (event.to.view() == holder) delta += amount;
    if (event.from.view() == holder) delta -= amount;
  }
  return delta;
}

/// Whether an operation type moves value (§3's table), and so is reconciled (§7.6).
bool MovesValue(sx::OperationType type) {
  switch (type) {
    case OpType::SET_OPTIONS:
    case OpType::CHANGE_TRUST:
    case OpType::MANAGE_DATA:
    case OpType::BUMP_SEQUENCE:
    case OpType::BEGIN_SPONSORING_FUTURE_RESERVES:
    case OpType::END_SPONSORING_FUTURE_RESERVES:
    case OpType::REVOKE_SPONSORSHIP:
    case OpType::EXTEND_FOOTPRINT_TTL:
    case OpType::RESTORE_FOOTPRINT:
      return false;
    default:
      return true;
  }
}

/// The transaction an envelope carries: source, memo, operations, Soroban or not, and
/// who pays its fee.
struct InnerTransaction {
  xdr::StrKeyText source;
  std::optional<sx::MemoView> memo;
  sx::ArrayView<sx::OperationView> operations;
  bool soroban = false;
  xdr::StrKeyText fee_payer;
  std::span<const uint8_t, 32> fee_payer_key;
  /// The (inner) transaction's source key and sequence number (ids of revocations' CBs).
  std::span<const uint8_t, 32> source_key;
  int64_t sequence = 0;
};

/// The ed25519 key of a possibly muxed account.
std::span<const uint8_t, 32> AccountKey(sx::MuxedAccountView account) {
  if (account.type() == sx::CryptoKeyType::KEY_TYPE_ED25519) return account.ed25519();
  return account.med25519().ed25519();
}

InnerTransaction ReadInner(sx::TransactionEnvelopeView envelope) {
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0: {
      auto tx = envelope.v0().tx();
      xdr::StrKeyText source = xdr::AccountStrKey(tx.sourceAccountEd25519());
      return {source,
              tx.memo(),
              tx.operations(),
              false,
              source,
              tx.sourceAccountEd25519(),
              tx.sourceAccountEd25519(),
              tx.seqNum()};
    }
    case sx::EnvelopeType::ENVELOPE_TYPE_TX: {
      auto tx = envelope.v1().tx();
      xdr::StrKeyText source = MuxedAccount(tx.sourceAccount()).account;
      return {source,
              tx.memo(),
              tx.operations(),
              tx.ext().v() == 1,
              source,
              AccountKey(tx.sourceAccount()),
              AccountKey(tx.sourceAccount()),
              tx.seqNum()};
    }
    default: {
      auto fee_bump = envelope.feeBump().tx();
      auto tx = fee_bump.innerTx().v1().tx();
      return {MuxedAccount(tx.sourceAccount()).account,
              tx.memo(),
              tx.operations(),
              tx.ext().v() == 1,
              MuxedAccount(fee_bump.feeSource()).account,
              AccountKey(fee_bump.feeSource()),
              AccountKey(tx.sourceAccount()),
              tx.seqNum()};
    }
  }
}

/// Whether an event's destination may carry multiplexing information, and its muxed id.
struct Mux {
  bool allowed = false;
  std::optional<uint64_t> id;
};

constexpr Mux kNoMux{};

/// Multiplexing of a (possibly muxed) destination account.
Mux MuxOf(sx::MuxedAccountView destination) {
  if (destination.type() == sx::CryptoKeyType::KEY_TYPE_MUXED_ED25519) {
    return {true, destination.med25519().id()};
  }
  return {true, std::nullopt};
}

/// Builds the events of one ledger into a sink: the shared context of every rule.
class Deriver {
 public:
  Deriver(const xdr::LedgerCloseMetaFrame& frame, const xdr::Digest& network_id,
          TokenTransferSink* sink)
      : frame_(frame),
        network_id_(network_id),
        protocol_(frame.header().ledgerVersion()),
        sink_(sink),
        native_contract_id_(SacContractId(kNativeAssetXdr, network_id)) {}

  /// CAP-67 order: every fee charge; then each transaction's operation events (before
  /// protocol 23 each followed by its refund); then, from protocol 23, every refund.
  arrow::Status Run() {
    const auto& transactions = frame_.transactions();
    for (const auto& tx : transactions) {
      if (!tx.envelope) {
        return arrow::Status::Invalid("ledger ", frame_.sequence(), ": transaction ",
                                      tx.apply_order, " has no joined envelope");
      }
      inners_.push_back(ReadInner(*tx.envelope));
    }
    for (size_t i = 0; i < transactions.size(); ++i) {
      Select(i);
      ARROW_RETURN_NOT_OK(AddCharge());
    }
    for (size_t i = 0; i < transactions.size(); ++i) {
      Select(i);
      if (xdr::IsSuccess(tx_->result.result().result().code())) {
        ARROW_RETURN_NOT_OK(AddOperations());
      }
      if (protocol_ < kProtocolRefundsLast) ARROW_RETURN_NOT_OK(AddRefund());
    }
    if (protocol_ < kProtocolRefundsLast) return arrow::Status::OK();
    for (size_t i = 0; i < transactions.size(); ++i) {
      Select(i);
      ARROW_RETURN_NOT_OK(AddRefund());
    }
    return arrow::Status::OK();
  }

 private:
  void Select(size_t index) {
    tx_ = &frame_.transactions()[index];
    inner_ = &inners_[index];
    op_index_.reset();
  }

  arrow::Status Emit(const TokenTransferEvent& event) { return sink_->Add(event); }

  TokenTransferEvent Event(TransferKind kind, std::string_view from, std::string_view to,
                           sx::AssetView asset, int64_t amount) const {
    TokenTransferEvent event;
    event.kind = kind;
    event.from = xdr::StrKeyText(from);
    event.to = xdr::StrKeyText(to);
    event.asset = ToTokenAsset(asset);
    event.amount = arrow::Decimal128(amount);
    event.contract_id = SacContractId(asset.bytes(), network_id_);
    event.transaction_index = tx_->apply_order;
    event.operation_index = op_index_;
    return event;
  }

  TokenTransferEvent NativeEvent(TransferKind kind, std::string_view from,
                                 std::string_view to, int64_t amount) const {
    TokenTransferEvent event;
    event.kind = kind;
    event.from = xdr::StrKeyText(from);
    event.to = xdr::StrKeyText(to);
    event.asset = NativeAsset();
    event.amount = arrow::Decimal128(amount);
    event.contract_id = native_contract_id_;
    event.transaction_index = tx_->apply_order;
    event.operation_index = op_index_;
    return event;
  }

  /// The issuer check: a transfer from the issuer is a mint, to the issuer a burn.
  arrow::Status AddMovement(std::string_view from, std::string_view to,
                            sx::AssetView asset, int64_t amount, const Mux& mux) {
    TokenTransferEvent event = Event(TransferKind::kTransfer, from, to, asset, amount);
    bool issued = event.asset.kind == TokenAsset::Kind::kIssued;
    bool from_issuer = issued && from == event.asset.issuer.view();
    bool to_issuer = issued && to == event.asset.issuer.view();
    if (from_issuer && !to_issuer) {
      event.kind = TransferKind::kMint;
      event.from = {};
    } else if (to_issuer && !from_issuer) {
      event.kind = TransferKind::kBurn;
      event.to = {};
      return Emit(event);
    }
    SetMuxedInfo(&event, mux);
    return Emit(event);
  }

  /// Destination multiplexing: a muxed destination's id, else the transaction memo.
  void SetMuxedInfo(TokenTransferEvent* event, const Mux& mux) const {
    if (!mux.allowed || (inner_->soroban && protocol_ < kProtocolRefundsLast)) return;
    if (mux.id) {
      event->to_muxed_type = "id";
      event->to_muxed_value = std::to_string(*mux.id);
      return;
    }
    if (!inner_->memo) return;
    switch (inner_->memo->type()) {
      case sx::MemoType::MEMO_ID:
        event->to_muxed_type = "id";
        event->to_muxed_value = std::to_string(inner_->memo->id());
        break;
      case sx::MemoType::MEMO_TEXT:
        event->to_muxed_type = "text";
        event->to_muxed_value = std::string(inner_->memo->text());
        break;
      case sx::MemoType::MEMO_HASH:
        event->to_muxed_type = "hash";
        event->to_muxed_value = xdr::ToHex(inner_->memo->hash());
        break;
      case sx::MemoType::MEMO_RETURN:
        event->to_muxed_type = "hash";
        event->to_muxed_value = xdr::ToHex(inner_->memo->retHash());
        break;
      default:
        break;
    }
  }

  /// The fee charged up front (Soroban: the fee payer's balance drop in fee processing).
  arrow::Status AddCharge() {
    int64_t charged = tx_->result.result().feeCharged();
    if (inner_->soroban) {
      auto drop = BalanceChange(tx_->fee_processing, inner_->fee_payer_key);
      charged = drop ? -*drop : 0;
    }
    if (charged == 0) return arrow::Status::OK();
    return Emit(NativeEvent(TransferKind::kFee, inner_->fee_payer, "", charged));
  }

  /// A Soroban transaction's refund: the fee payer's balance rise after it applied.
  arrow::Status AddRefund() {
    op_index_.reset();  // fees belong to no operation
    if (!inner_->soroban) return arrow::Status::OK();
    int64_t refund = 0;
    if (tx_->changes_after)
      refund += BalanceChange(*tx_->changes_after, inner_->fee_payer_key).value_or(0);
    if (tx_->post_apply_fee_processing) {
      refund += BalanceChange(*tx_->post_apply_fee_processing, inner_->fee_payer_key)
                    .value_or(0);
    }
    if (refund < 0) {
      return arrow::Status::Invalid("ledger ", frame_.sequence(), ": transaction ",
                                    tx_->apply_order, ": negative fee refund ", refund);
    }
    if (refund == 0) return arrow::Status::OK();
    return Emit(NativeEvent(TransferKind::kFee, inner_->fee_payer, "", -refund));
  }

  arrow::Status AddOperations() {
    auto results = tx_->result.result().result();
    bool fee_bump = results.code() == sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS;
    auto op_results = fee_bump ? results.innerResultPair().result().result().results()
                               : results.results();
    auto metas = frame_.operation_metas(*tx_);
    auto result = op_results.begin();
    uint32_t index = 0;
    for (auto op : inner_->operations) {
      op_index_ = index + 1;
      xdr::StrKeyText source = op.sourceAccount().has_value()
                                   ? MuxedAccount(op.sourceAccount().value()).account
                                   : inner_->source;
      std::optional<sx::LedgerEntryChangesView> changes;
      if (index < metas.size()) changes = metas[index].changes;
      if (protocol_ < kProtocolXlmConserved && changes && MovesValue(op.body().type())) {
        ARROW_RETURN_NOT_OK(AddReconciled(op.body(), (*result).tr(), source, *changes));
      } else {
        ARROW_RETURN_NOT_OK(AddOperation(op.body(), (*result).tr(), source, changes));
      }
      ++result;
      ++index;
    }
    return arrow::Status::OK();
  }

  /// Before protocol 8 (§7.6): the operation's events, preceded by an XLM mint to its
  /// source or followed by a burn from it for what the source's balance change shows
  /// beyond them.
  arrow::Status AddReconciled(sx::OperationBodyView body,
                              sx::OperationResultTrView result, std::string_view source,
                              sx::LedgerEntryChangesView changes) {
    EventBuffer buffer;
    TokenTransferSink* sink = std::exchange(sink_, &buffer);
    arrow::Status status = AddOperation(body, result, source, changes);
    sink_ = sink;
    ARROW_RETURN_NOT_OK(status);
    auto key = xdr::DecodeStrKey32(xdr::StrKeyKind::kAccount, source);
    if (!key)
      return arrow::Status::Invalid("operation source ", source, " is no account");
    int64_t change = BalanceChange(changes, *key).value_or(0);
    int64_t missing = change - NativeDelta(buffer.events, source);
    if (missing > 0)
      ARROW_RETURN_NOT_OK(Emit(NativeEvent(TransferKind::kMint, "", source, missing)));
    for (const auto& event : buffer.events) ARROW_RETURN_NOT_OK(Emit(event));
    if (missing < 0)
      ARROW_RETURN_NOT_OK(Emit(NativeEvent(TransferKind::kBurn, source, "", -missing)));
    return arrow::Status::OK();
  }

  /// Both legs of each trade, in stellar-core's order: what the taker pays, then what it
  /// receives.
  arrow::Status AddClaimAtoms(sx::ArrayView<sx::ClaimAtomView> atoms,
                              std::string_view source) {
    for (auto atom : atoms) {
      xdr::StrKeyText seller;
      std::optional<sx::AssetView> sold, bought;
      int64_t amount_sold = 0, amount_bought = 0;
      auto read = [&](auto claim) {
        sold = claim.assetSold();
        bought = claim.assetBought();
        amount_sold = claim.amountSold();
        amount_bought = claim.amountBought();
      };
      switch (atom.type()) {
        case sx::ClaimAtomType::CLAIM_ATOM_TYPE_V0:
          seller = xdr::AccountStrKey(atom.v0().sellerEd25519());
          read(atom.v0());
          break;
        case sx::ClaimAtomType::CLAIM_ATOM_TYPE_ORDER_BOOK:
          seller = AccountId(atom.orderBook().sellerID());
          read(atom.orderBook());
          break;
        default:
          seller = PoolStrKey(atom.liquidityPool().liquidityPoolID());
          read(atom.liquidityPool());
          break;
      }
      ARROW_RETURN_NOT_OK(AddMovement(source, seller, *bought, amount_bought, kNoMux));
      ARROW_RETURN_NOT_OK(AddMovement(seller, source, *sold, amount_sold, kNoMux));
    }
    return arrow::Status::OK();
  }

  arrow::Status AddOperation(sx::OperationBodyView body, sx::OperationResultTrView result,
                             std::string_view source,
                             const std::optional<sx::LedgerEntryChangesView>& changes) {
    switch (body.type()) {
      case OpType::CREATE_ACCOUNT: {
        auto op = body.createAccountOp();
        TokenTransferEvent event =
            NativeEvent(TransferKind::kTransfer, source, AccountId(op.destination()),
                        op.startingBalance());
        SetMuxedInfo(&event, Mux{true, std::nullopt});
        return Emit(event);
      }
      case OpType::PAYMENT: {
        auto op = body.paymentOp();
        return AddMovement(source, MuxedAccount(op.destination()).account, op.asset(),
                           op.amount(), MuxOf(op.destination()));
      }
      case OpType::PATH_PAYMENT_STRICT_RECEIVE: {
        auto op = body.pathPaymentStrictReceiveOp();
        ARROW_RETURN_NOT_OK(AddClaimAtoms(
            result.pathPaymentStrictReceiveResult().success().offers(), source));
        return AddMovement(source, MuxedAccount(op.destination()).account, op.destAsset(),
                           op.destAmount(), MuxOf(op.destination()));
      }
      case OpType::PATH_PAYMENT_STRICT_SEND: {
        auto op = body.pathPaymentStrictSendOp();
        auto success = result.pathPaymentStrictSendResult().success();
        ARROW_RETURN_NOT_OK(AddClaimAtoms(success.offers(), source));
        return AddMovement(source, MuxedAccount(op.destination()).account, op.destAsset(),
                           success.last().amount(), MuxOf(op.destination()));
      }
      case OpType::MANAGE_SELL_OFFER:
        return AddClaimAtoms(result.manageSellOfferResult().success().offersClaimed(),
                             source);
      case OpType::CREATE_PASSIVE_SELL_OFFER:
        return AddClaimAtoms(
            result.createPassiveSellOfferResult().success().offersClaimed(), source);
      case OpType::MANAGE_BUY_OFFER:
        return AddClaimAtoms(result.manageBuyOfferResult().success().offersClaimed(),
                             source);
      case OpType::ACCOUNT_MERGE: {
        auto merge = result.accountMergeResult();
        if (merge.code() != sx::AccountMergeResultCode::ACCOUNT_MERGE_SUCCESS) {
          return arrow::Status::OK();
        }
        auto destination = body.destination();
        TokenTransferEvent event =
            NativeEvent(TransferKind::kTransfer, source,
                        MuxedAccount(destination).account, merge.sourceAccountBalance());
        SetMuxedInfo(&event, MuxOf(destination));
        return Emit(event);
      }
      case OpType::CREATE_CLAIMABLE_BALANCE: {
        auto op = body.createClaimableBalanceOp();
        xdr::StrKeyText balance =
            ClaimableBalanceStrKey(result.createClaimableBalanceResult().balanceID());
        return AddMovement(source, balance, op.asset(), op.amount(), kNoMux);
      }
      case OpType::CLAIM_CLAIMABLE_BALANCE:
        return AddClaimableBalanceExit(
            ClaimableBalanceStrKey(body.claimClaimableBalanceOp().balanceID()), source,
            changes, /*clawback=*/false);
      case OpType::CLAWBACK_CLAIMABLE_BALANCE:
        return AddClaimableBalanceExit(
            ClaimableBalanceStrKey(body.clawbackClaimableBalanceOp().balanceID()), source,
            changes, /*clawback=*/true);
      case OpType::CLAWBACK: {
        auto op = body.clawbackOp();
        return Emit(Event(TransferKind::kClawback, MuxedAccount(op.from_()).account, "",
                          op.asset(), op.amount()));
      }
      case OpType::INFLATION:
        for (auto payout : result.inflationResult().payouts()) {
          ARROW_RETURN_NOT_OK(
              Emit(NativeEvent(TransferKind::kMint, "", AccountId(payout.destination()),
                               payout.amount())));
        }
        return arrow::Status::OK();
      case OpType::LIQUIDITY_POOL_DEPOSIT:
      case OpType::LIQUIDITY_POOL_WITHDRAW:
        return AddPoolMovement(body.type() == OpType::LIQUIDITY_POOL_DEPOSIT, source,
                               changes);
      case OpType::INVOKE_HOST_FUNCTION:
        return AddContractEvents();
      case OpType::ALLOW_TRUST:
      case OpType::SET_TRUST_LINE_FLAGS:
        return changes ? AddRevocations(*changes) : arrow::Status::OK();
      default:
        return arrow::Status::OK();
    }
  }

  /// Returns the claimable balance id a revocation gives `asset` of `pool` (§3.3):
  /// SHA-256 of the ENVELOPE_TYPE_POOL_REVOKE_OP_ID preimage of the transaction's source,
  /// sequence number and 0-based operation index.
  xdr::Digest RevocationBalanceId(std::span<const uint8_t, 32> pool,
                                  sx::AssetView asset) const {
    auto be = [](uint64_t value, int bytes, std::vector<uint8_t>* out) {
      for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
        out->push_back(static_cast<uint8_t>(value >> shift));
    };
    std::vector<uint8_t> preimage;
    be(static_cast<uint64_t>(sx::EnvelopeType::ENVELOPE_TYPE_POOL_REVOKE_OP_ID), 4,
       &preimage);
    be(0, 4, &preimage);  // PUBLIC_KEY_TYPE_ED25519
    preimage.insert(preimage.end(), inner_->source_key.begin(), inner_->source_key.end());
    be(static_cast<uint64_t>(inner_->sequence), 8, &preimage);
    be(*op_index_ - 1, 4, &preimage);
    preimage.insert(preimage.end(), pool.begin(), pool.end());
    auto asset_bytes = asset.bytes();
    preimage.insert(preimage.end(), asset_bytes.begin(), asset_bytes.end());
    return xdr::Sha256Of(preimage);
  }

  /// §3.3: a revocation that drains pool shares into claimable balances moves each
  /// pool's assets to the balances created for them (pools in ledger-key order); an asset
  /// with no balance went back to its issuer, the trustor: a burn from the pool.
  arrow::Status AddRevocations(sx::LedgerEntryChangesView changes) {
    std::vector<PairedChange> paired = PairChanges(changes);
    std::vector<sx::ClaimableBalanceEntryView> created;
    std::vector<PairedChange> pools;
    for (const PairedChange& change : paired) {
      auto entry = change.post ? change.post : change.pre;
      if (!entry) continue;
      auto type = entry->data_().type();
      if (type == sx::LedgerEntryType::CLAIMABLE_BALANCE && !change.pre) {
        created.push_back(entry->data_().claimableBalance());
      } else if (type == sx::LedgerEntryType::LIQUIDITY_POOL) {
        pools.push_back(change);
      }
    }
    if (created.empty() || pools.empty()) return arrow::Status::OK();
    auto pool_id = [](const PairedChange& change) {
      auto entry = change.post ? *change.post : *change.pre;
      return entry.data_().liquidityPool().liquidityPoolID();
    };
    std::stable_sort(pools.begin(), pools.end(), [&](const auto& x, const auto& y) {
      auto a = pool_id(x), b = pool_id(y);
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    });
    for (const PairedChange& pool : pools)
      ARROW_RETURN_NOT_OK(AddRevokedPool(pool, created));
    return arrow::Status::OK();
  }

  /// One pool of a revocation (§3.3.3).
  arrow::Status AddRevokedPool(
      const PairedChange& pool,
      const std::vector<sx::ClaimableBalanceEntryView>& created) {
    auto entry = pool.post ? *pool.post : *pool.pre;
    auto id = entry.data_().liquidityPool().liquidityPoolID();
    auto params = entry.data_().liquidityPool().body().constantProduct().params();
    std::array<sx::AssetView, 2> assets = {params.assetA(), params.assetB()};
    auto [delta_a, delta_b] = ReserveDeltas(pool);
    std::array<int64_t, 2> deltas = {delta_a, delta_b};
    std::array<std::optional<sx::ClaimableBalanceEntryView>, 2> matched;
    int matches = 0;
    for (size_t i = 0; i < assets.size(); ++i) {
      xdr::Digest want = RevocationBalanceId(id, assets[i]);
      for (auto balance : created) {
        auto got = balance.balanceID().v0();
        if (std::equal(got.begin(), got.end(), want.begin())) {
          matched[i] = balance;
          ++matches;
        }
      }
    }
    if (matches > 2) {
      return arrow::Status::Invalid(
          "ledger ", frame_.sequence(), ": transaction ", tx_->apply_order, " operation ",
          *op_index_, ": ", matches, " claimable balances match one pool's revocation");
    }
    if (matches == 0) return arrow::Status::OK();
    xdr::StrKeyText pool_key = PoolStrKey(id);
    for (size_t i = 0; i < assets.size(); ++i) {
      if (!matched[i]) continue;
      ARROW_RETURN_NOT_OK(AddMovement(pool_key,
                                      ClaimableBalanceStrKey(matched[i]->balanceID()),
                                      matched[i]->asset(), matched[i]->amount(), kNoMux));
    }
    if (matches == 2) return arrow::Status::OK();
    size_t burned = matched[0] ? 1 : 0;
    return Emit(Event(TransferKind::kBurn, pool_key, "", assets[burned], deltas[burned]));
  }

  /// Claim or clawback of a claimable balance: asset and amount from its removed entry.
  arrow::Status AddClaimableBalanceExit(
      std::string_view balance, std::string_view source,
      const std::optional<sx::LedgerEntryChangesView>& changes, bool clawback) {
    std::optional<sx::ClaimableBalanceEntryView> removed;
    int count = 0;
    if (changes) {
      for (const PairedChange& change : PairChanges(*changes)) {
        if (!change.removed_key || !change.pre) continue;
        if (change.pre->data_().type() != sx::LedgerEntryType::CLAIMABLE_BALANCE)
          continue;
        removed = change.pre->data_().claimableBalance();
        ++count;
      }
    }
    if (count != 1) {
      return arrow::Status::Invalid("ledger ", frame_.sequence(), ": transaction ",
                                    tx_->apply_order, " operation ", *op_index_, ": ",
                                    count, " claimable balances removed, expected 1");
    }
    if (clawback) {
      return Emit(Event(TransferKind::kClawback, balance, "", removed->asset(),
                        removed->amount()));
    }
    return AddMovement(balance, source, removed->asset(), removed->amount(),
                       Mux{true, std::nullopt});
  }

  /// Liquidity pool deposit (source → pool) or withdrawal (pool → source), reserve
  /// deltas.
  arrow::Status AddPoolMovement(
      bool deposit, std::string_view source,
      const std::optional<sx::LedgerEntryChangesView>& changes) {
    std::optional<PairedChange> pool;
    int count = 0;
    if (changes) {
      for (const PairedChange& change : PairChanges(*changes)) {
        auto entry = change.post ? change.post : change.pre;
        if (!entry || entry->data_().type() != sx::LedgerEntryType::LIQUIDITY_POOL)
          continue;
        pool = change;
        ++count;
      }
    }
    if (count != 1) {
      return arrow::Status::Invalid("ledger ", frame_.sequence(), ": transaction ",
                                    tx_->apply_order, " operation ", *op_index_, ": ",
                                    count, " liquidity pool changes, expected 1");
    }
    auto entry = pool->post ? *pool->post : *pool->pre;
    auto product = entry.data_().liquidityPool().body().constantProduct();
    xdr::StrKeyText pool_key =
        PoolStrKey(entry.data_().liquidityPool().liquidityPoolID());
    auto [delta_a, delta_b] = ReserveDeltas(*pool);
    if (deposit) {
      ARROW_RETURN_NOT_OK(
          AddMovement(source, pool_key, product.params().assetA(), delta_a, kNoMux));
      return AddMovement(source, pool_key, product.params().assetB(), delta_b, kNoMux);
    }
    ARROW_RETURN_NOT_OK(AddMovement(pool_key, source, product.params().assetA(), delta_a,
                                    Mux{true, std::nullopt}));
    return AddMovement(pool_key, source, product.params().assetB(), delta_b,
                       Mux{true, std::nullopt});
  }

  /// Token events among a Soroban operation's contract events (v3: the Soroban meta's).
  arrow::Status AddContractEvents();

  const xdr::LedgerCloseMetaFrame& frame_;
  const xdr::Digest& network_id_;
  uint32_t protocol_;
  TokenTransferSink* sink_;
  /// The XLM contract: every fee event's, looked up once per ledger.
  xdr::StrKeyText native_contract_id_;
  /// Every transaction's envelope, read once for the three passes.
  std::vector<InnerTransaction> inners_;
  const xdr::AppliedTransaction* tx_ = nullptr;
  const InnerTransaction* inner_ = nullptr;
  std::optional<uint32_t> op_index_;
};

/// Returns the address of an SCVal topic, or nullopt when it is not an address.
std::optional<xdr::StrKeyText> TopicAddress(sx::SCValView topic) {
  if (topic.type() != sx::SCValType::SCV_ADDRESS) return std::nullopt;
  return ScAddressString(topic.address());
}

/// The amount and destination multiplexing of a token event's data (i128 or v4 map).
struct EventData {
  arrow::Decimal128 amount;
  std::string muxed_type;
  std::string muxed_value;
};

std::optional<EventData> ReadEventData(sx::SCValView data, bool v4_layout) {
  if (data.type() == sx::SCValType::SCV_I128) {
    auto amount = Int128Decimal(data.i128());
    if (!amount) return std::nullopt;
    return EventData{*amount, "", ""};
  }
  if (!v4_layout || data.type() != sx::SCValType::SCV_MAP || !data.map().has_value()) {
    return std::nullopt;
  }
  std::optional<EventData> out;
  std::string muxed_type, muxed_value;
  for (auto entry : data.map().value()) {
    if (entry.key().type() != sx::SCValType::SCV_SYMBOL) return std::nullopt;
    std::string_view key = entry.key().sym();
    auto value = entry.val();
    if (key == "amount") {
      if (value.type() != sx::SCValType::SCV_I128) return std::nullopt;
      auto amount = Int128Decimal(value.i128());
      if (!amount) return std::nullopt;
      out = EventData{*amount, "", ""};
    } else if (key == "to_muxed_id") {
      switch (value.type()) {
        case sx::SCValType::SCV_U64:
          muxed_type = "id";
          muxed_value = std::to_string(value.u64());
          break;
        case sx::SCValType::SCV_BYTES:
          muxed_type = "hash";
          muxed_value = xdr::ToHex(value.bytes_());
          break;
        case sx::SCValType::SCV_STRING:
          muxed_type = "text";
          muxed_value = Utf8OrReplaced(value.str());
          break;
        case sx::SCValType::SCV_VOID:
          break;
        default:
          return std::nullopt;
      }
    }
  }
  if (out) {
    out->muxed_type = muxed_type;
    out->muxed_value = muxed_value;
  }
  return out;
}

}  // namespace

std::optional<TokenTransferEvent> ParseTokenContractEvent(sx::ContractEventView event,
                                                          bool v4_layout,
                                                          const xdr::Digest& network_id) {
  if (event.type() != sx::ContractEventType::CONTRACT ||
      !event.contractID().has_value() || event.body().v() != 0) {
    return std::nullopt;
  }
  auto topics = event.body().v0().topics();
  if (topics.size() < 2 || topics[0].type() != sx::SCValType::SCV_SYMBOL)
    return std::nullopt;
  std::string_view name = topics[0].sym();
  TokenTransferEvent out;
  uint32_t sac_topics = 0;
  if (name == "transfer") {
    if (topics.size() < 3) return std::nullopt;
    auto from = TopicAddress(topics[1]);
    auto to = TopicAddress(topics[2]);
    if (!from || !to) return std::nullopt;
    out.kind = TransferKind::kTransfer;
    out.from = *from;
    out.to = *to;
    sac_topics = 4;
  } else if (name == "mint" || name == "clawback") {
    uint32_t holder = v4_layout ? 1 : 2;
    if (topics.size() < holder + 1) return std::nullopt;
    // v4: a third topic can only be the asset's SEP-11 string.
    if (v4_layout && topics.size() >= 3 && topics[2].type() != sx::SCValType::SCV_STRING)
      return std::nullopt;
    auto address = TopicAddress(topics[holder]);
    if (!address) return std::nullopt;
    if (name == "mint") {
      out.kind = TransferKind::kMint;
      out.to = *address;
    } else {
      out.kind = TransferKind::kClawback;
      out.from = *address;
    }
    sac_topics = v4_layout ? 3 : 4;
  } else if (name == "burn") {
    auto from = TopicAddress(topics[1]);
    if (!from) return std::nullopt;
    out.kind = TransferKind::kBurn;
    out.from = *from;
    sac_topics = 3;
  } else {
    return std::nullopt;
  }
  auto data = ReadEventData(event.body().v0().data_(), v4_layout);
  if (!data) return std::nullopt;
  out.amount = data->amount;
  out.to_muxed_type = data->muxed_type;
  out.to_muxed_value = data->muxed_value;
  out.contract_id = xdr::ContractStrKey(event.contractID().value());
  if (topics.size() == sac_topics &&
      topics[sac_topics - 1].type() == sx::SCValType::SCV_STRING) {
    auto asset = ParseSep11(topics[sac_topics - 1].str());
    auto asset_xdr = asset ? AssetXdr(*asset) : std::nullopt;
    if (asset_xdr && SacContractId(*asset_xdr, network_id) == out.contract_id)
      out.asset = *asset;
  }
  if (!v4_layout && out.kind == TransferKind::kTransfer &&
      out.asset.kind == TokenAsset::Kind::kIssued) {
    bool from_issuer = out.from == out.asset.issuer;
    bool to_issuer = out.to == out.asset.issuer;
    if (from_issuer && !to_issuer) {
      out.kind = TransferKind::kMint;
      out.from = {};
    } else if (to_issuer && !from_issuer) {
      out.kind = TransferKind::kBurn;
      out.to = {};
    }
  }
  return out;
}

namespace {

arrow::Status Deriver::AddContractEvents() {
  auto add = [&](sx::ArrayView<sx::ContractEventView> contract_events, bool v4_layout) {
    for (auto event : contract_events) {
      auto parsed = ParseTokenContractEvent(event, v4_layout, network_id_);
      if (!parsed) continue;
      parsed->transaction_index = tx_->apply_order;
      parsed->operation_index = op_index_;
      ARROW_RETURN_NOT_OK(Emit(*parsed));
    }
    return arrow::Status::OK();
  };
  if (tx_->soroban_meta_v3) return add(tx_->soroban_meta_v3->events(), false);
  auto metas = frame_.operation_metas(*tx_);
  if (tx_->meta.v() == 4 && *op_index_ <= metas.size()) {
    return add(metas[*op_index_ - 1].events, true);
  }
  return arrow::Status::OK();
}

/// Reads the fee events of a transaction's TransactionMeta v4 `events`.
arrow::Status ReadFeeEvents(sx::TransactionMetaV4View meta, uint32_t transaction_index,
                            const xdr::Digest& network_id,
                            std::vector<TokenTransferEvent>* charges,
                            std::vector<TokenTransferEvent>* refunds) {
  int seen = 0;
  for (auto tx_event : meta.events()) {
    auto event = tx_event.event();
    if (event.body().v() != 0) continue;
    auto topics = event.body().v0().topics();
    if (topics.size() != 2 || topics[0].type() != sx::SCValType::SCV_SYMBOL ||
        topics[0].sym() != "fee") {
      continue;
    }
    auto from = TopicAddress(topics[1]);
    auto data = ReadEventData(event.body().v0().data_(), false);
    if (!from || !data || !event.contractID().has_value()) {
      return arrow::Status::Invalid("transaction ", transaction_index,
                                    ": malformed fee event");
    }
    TokenTransferEvent fee;
    fee.kind = TransferKind::kFee;
    fee.from = *from;
    fee.asset = NativeAsset();
    fee.amount = data->amount;
    fee.contract_id = xdr::ContractStrKey(event.contractID().value());
    fee.transaction_index = transaction_index;
    (seen++ == 0 ? charges : refunds)->push_back(std::move(fee));
  }
  (void)network_id;
  return arrow::Status::OK();
}

}  // namespace

std::string_view TransferKindName(TransferKind kind) {
  switch (kind) {
    case TransferKind::kTransfer:
      return "transfer";
    case TransferKind::kMint:
      return "mint";
    case TransferKind::kBurn:
      return "burn";
    case TransferKind::kClawback:
      return "clawback";
    case TransferKind::kFee:
      return "fee";
  }
  return "transfer";
}

CanonicalAssetText TokenAsset::Canonical() const {
  switch (kind) {
    case Kind::kNative:
      return CanonicalAssetText("native");
    case Kind::kIssued:
      return CanonicalIssuedAsset(code, issuer);
    case Kind::kNone:
      break;
  }
  return {};
}

arrow::Status DeriveTokenTransfers(const xdr::LedgerCloseMetaFrame& frame,
                                   const xdr::Digest& network_id,
                                   TokenTransferSink* sink) {
  return Deriver(frame, network_id, sink).Run();
}

arrow::Result<std::vector<TokenTransferEvent>> DeriveTokenTransfers(
    const xdr::LedgerCloseMetaFrame& frame, const xdr::Digest& network_id) {
  EventBuffer buffer;
  ARROW_RETURN_NOT_OK(DeriveTokenTransfers(frame, network_id, &buffer));
  return std::move(buffer.events);
}

arrow::Result<std::optional<std::vector<TokenTransferEvent>>> EmbeddedTokenTransfers(
    const xdr::LedgerCloseMetaFrame& frame, const xdr::Digest& network_id) {
  std::vector<TokenTransferEvent> charges, operations, refunds;
  bool refunds_last = frame.header().ledgerVersion() >= kProtocolRefundsLast;
  for (const auto& tx : frame.transactions()) {
    if (tx.meta.v() != 4) return std::optional<std::vector<TokenTransferEvent>>();
    auto meta = tx.meta.v4();
    std::vector<TokenTransferEvent> tx_refunds;
    ARROW_RETURN_NOT_OK(
        ReadFeeEvents(meta, tx.apply_order, network_id, &charges, &tx_refunds));
    uint32_t op_index = 0;
    for (auto op_meta : meta.operations()) {
      ++op_index;
      for (auto event : op_meta.events()) {
        auto parsed = ParseTokenContractEvent(event, true, network_id);
        if (!parsed) continue;
        parsed->transaction_index = tx.apply_order;
        parsed->operation_index = op_index;
        operations.push_back(std::move(*parsed));
      }
    }
    auto& refund_target = refunds_last ? refunds : operations;
    refund_target.insert(refund_target.end(), tx_refunds.begin(), tx_refunds.end());
  }
  charges.insert(charges.end(), operations.begin(), operations.end());
  charges.insert(charges.end(), refunds.begin(), refunds.end());
  return std::optional<std::vector<TokenTransferEvent>>(std::move(charges));
}

}  // namespace sas::convert
