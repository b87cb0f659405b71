#include "ingest/generator.h"

#include <algorithm>
#include <array>
#include <map>

#include <arrow/buffer.h>

#include "stellar_xdr_types.h"

namespace sas::ingest {
namespace {

namespace sx = stellar::xdr;

constexpr uint32_t kProtocolVersion = 23;
constexpr uint32_t kBaseFee = 100;
constexpr uint32_t kBaseReserve = 5'000'000;
constexpr uint32_t kMaxTxSetSize = 1000;
constexpr int64_t kTotalCoins = 1'000'000'000'000'000'000;
constexpr int64_t kInitialNative = 1'000'000'000'000;
constexpr int64_t kInitialTrustLine = 10'000'000'000;
constexpr int64_t kTrustLineLimit = INT64_MAX;
constexpr int64_t kMakerBalance = 1'000'000'000'000'000;
constexpr int64_t kMakerOfferAmount = 100'000'000'000'000;
constexpr int64_t kFirstUserOfferId = 1'000'000;
constexpr uint32_t kEnvelopeTypeTx =
    static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_TX);
constexpr uint32_t kEnvelopeTypeFeeBump =
    static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP);
constexpr std::array<const char*, 3> kAssetCodes = {"USDC", "EURC", "BTC"};

using Key = std::array<uint8_t, 32>;

Key DeriveKey(uint64_t seed, std::string_view kind, uint64_t index) {
  std::string text =
      std::to_string(seed) + "/" + std::string(kind) + "/" + std::to_string(index);
  return xdr::Sha256Of({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

sx::AccountID AccountOf(const Key& key) {
  sx::AccountID account;
  account.type = sx::PublicKeyType::PUBLIC_KEY_TYPE_ED25519;
  std::copy(key.begin(), key.end(), account.ed25519.begin());
  return account;
}

sx::MuxedAccount MuxedOf(const Key& key) {
  sx::MuxedAccount account;
  account.type = sx::CryptoKeyType::KEY_TYPE_ED25519;
  std::copy(key.begin(), key.end(), account.ed25519.begin());
  return account;
}

xdr::Digest Sha256OfXdr(const std::vector<uint8_t>& bytes) {
  return xdr::Sha256Of(bytes);
}

/// Returns the hash of a transaction of `envelope_type` (a Transaction or a
/// FeeBumpTransaction) in the network `network_id`: the SHA-256 of its signature payload,
/// built in `*payload`, a buffer reused across calls.
template <typename Tx>
xdr::Digest SignaturePayloadHash(const xdr::Digest& network_id, uint32_t envelope_type,
                                 const Tx& tx, std::vector<uint8_t>* payload) {
  payload->assign(network_id.begin(), network_id.end());
  sx::Writer writer(payload);
  writer.PutU32(envelope_type);
  sx::Encode(tx, writer);
  return xdr::Sha256Of(*payload);
}

/// Returns the hash of a transaction (ENVELOPE_TYPE_TX).
xdr::Digest TransactionHash(const xdr::Digest& network_id, const sx::Transaction& tx,
                            std::vector<uint8_t>* payload) {
  return SignaturePayloadHash(network_id, kEnvelopeTypeTx, tx, payload);
}

/// Returns the hash of a fee-bump transaction (ENVELOPE_TYPE_TX_FEE_BUMP).
xdr::Digest FeeBumpHash(const xdr::Digest& network_id, const sx::FeeBumpTransaction& tx,
                        std::vector<uint8_t>* payload) {
  return SignaturePayloadHash(network_id, kEnvelopeTypeFeeBump, tx, payload);
}

/// Returns the contract id of the native asset's Stellar Asset Contract: the SHA-256 of
/// the HashIDPreimage (ENVELOPE_TYPE_CONTRACT_ID, network id, FROM_ASSET native).
xdr::Digest NativeAssetContract(const xdr::Digest& network_id) {
  std::vector<uint8_t> preimage;
  sx::Writer writer(&preimage);
  writer.PutU32(static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_CONTRACT_ID));
  preimage.insert(preimage.end(), network_id.begin(), network_id.end());
  writer.PutU32(
      static_cast<uint32_t>(sx::ContractIDPreimageType::CONTRACT_ID_PREIMAGE_FROM_ASSET));
  sx::Encode(sx::Asset{}, writer);
  return xdr::Sha256Of(preimage);
}

/// Returns the encoding of `lcm` in a buffer reserved from `*size_hint` (the size of the
/// previous ledger, updated), so that a ledger is written without regrowing the buffer.
std::vector<uint8_t> EncodeLedger(const sx::LedgerCloseMeta& lcm, size_t* size_hint) {
  std::vector<uint8_t> out;
  out.reserve(*size_hint + *size_hint / 8);
  sx::Writer writer(&out);
  sx::Encode(lcm, writer);
  *size_hint = out.size();
  return out;
}

}  // namespace

/// Accounts, assets and balances the generator keeps consistent across ledgers.
struct LedgerGenerator::State {
  std::mt19937_64 random;
  xdr::Digest network_id;
  std::vector<Key> accounts;
  std::vector<sx::Asset> assets;  // index 0 = XLM
  std::vector<int64_t> native;
  std::vector<int64_t> sequence_numbers;
  /// Balance of (account, issued asset index >= 1).
  std::vector<std::array<int64_t, kAssetCodes.size() + 1>> trust_lines;
  /// Accounts [0, users) send and receive; the rest are market makers.
  size_t users = 0;
  /// A market maker's standing offer selling `selling` for `buying` at 1:1.
  struct MakerOffer {
    size_t account;
    int64_t offer_id;
    size_t selling;
    size_t buying;
    int64_t amount;
  };
  std::vector<MakerOffer> maker_offers;
  int64_t next_offer_id = kFirstUserOfferId;
  /// Contract id of the native asset's Stellar Asset Contract on this network.
  xdr::Digest native_contract{};
  xdr::Digest previous_hash{};
  int64_t fee_pool = 0;
  uint64_t close_time = 0;
  /// Reused buffer of transaction signature payloads.
  std::vector<uint8_t> payload;
  /// Encoded size of the previous ledger.
  size_t ledger_size_hint = 0;
};

LedgerGenerator::LedgerGenerator(GeneratorOptions options)
    : options_(std::move(options)),
      sequence_(options_.start),
      state_(std::make_unique<State>()) {
  State& s = *state_;
  s.random.seed(options_.seed);
  s.network_id = xdr::NetworkId(options_.network_passphrase);
  s.close_time = options_.first_close_time;
  uint32_t count = std::max<uint32_t>(options_.accounts, 2);
  for (uint32_t i = 0; i < count; ++i) {
    AddAccount(DeriveKey(options_.seed, "account", i), kInitialNative, kInitialTrustLine);
  }
  s.users = count;
  s.native_contract = NativeAssetContract(s.network_id);
  s.assets.emplace_back();  // native
  for (size_t i = 0; i < kAssetCodes.size(); ++i) {
    sx::Asset asset;
    asset.type = sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM4;
    std::string_view code = kAssetCodes[i];
    std::copy(code.begin(), code.end(), asset.alphaNum4.assetCode.begin());
    asset.alphaNum4.issuer = AccountOf(DeriveKey(options_.seed, "issuer", i));
    s.assets.push_back(asset);
  }
  // One maker offer per ordered pair of assets, each from its own maker account.
  for (size_t selling = 0; selling < s.assets.size(); ++selling) {
    for (size_t buying = 0; buying < s.assets.size(); ++buying) {
      if (selling == buying) continue;
      size_t maker = s.accounts.size();
      AddAccount(DeriveKey(options_.seed, "maker", s.maker_offers.size()), kMakerBalance,
                 kMakerBalance);
      s.maker_offers.push_back({maker, static_cast<int64_t>(s.maker_offers.size() + 1),
                                selling, buying, kMakerOfferAmount});
    }
  }
}

LedgerGenerator::~LedgerGenerator() = default;

void LedgerGenerator::AddAccount(const std::array<uint8_t, 32>& key, int64_t native,
                                 int64_t per_trust_line) {
  State& s = *state_;
  s.accounts.push_back(key);
  s.native.push_back(native);
  s.sequence_numbers.push_back(static_cast<int64_t>(options_.start) << 32);
  std::array<int64_t, kAssetCodes.size() + 1> lines{};
  lines.fill(per_trust_line);
  s.trust_lines.push_back(lines);
}

namespace {

/// Builders of ledger-entry changes for one generated ledger.
class Changes {
 public:
  explicit Changes(uint32_t ledger) : ledger_(ledger) {}

  sx::LedgerEntry Account(const Key& key, int64_t balance, int64_t sequence) const {
    sx::LedgerEntry entry = Entry(sx::LedgerEntryType::ACCOUNT);
    sx::AccountEntry& account = *entry.data.account;
    account.accountID = AccountOf(key);
    account.balance = balance;
    account.seqNum = sequence;
    account.thresholds = {1, 0, 0, 0};
    return entry;
  }

  sx::LedgerEntry TrustLine(const Key& key, const sx::Asset& asset,
                            int64_t balance) const {
    sx::LedgerEntry entry = Entry(sx::LedgerEntryType::TRUSTLINE);
    sx::TrustLineEntry& line = *entry.data.trustLine;
    line.accountID = AccountOf(key);
    line.asset.type = asset.type;
    line.asset.alphaNum4 = asset.alphaNum4;
    line.balance = balance;
    line.limit = kTrustLineLimit;
    line.flags = 1;  // AUTHORIZED_FLAG
    return entry;
  }

  sx::LedgerEntry Offer(const Key& seller, int64_t offer_id, const sx::Asset& selling,
                        const sx::Asset& buying, int64_t amount) const {
    sx::LedgerEntry entry = Entry(sx::LedgerEntryType::OFFER);
    sx::OfferEntry& offer = *entry.data.offer;
    offer.sellerID = AccountOf(seller);
    offer.offerID = offer_id;
    offer.selling = selling;
    offer.buying = buying;
    offer.amount = amount;
    offer.price = {1, 1};
    return entry;
  }

  /// Appends the CREATED change of a new entry.
  static void Create(sx::LedgerEntryChanges* out, sx::LedgerEntry entry) {
    sx::LedgerEntryChange created;
    created.type = sx::LedgerEntryChangeType::LEDGER_ENTRY_CREATED;
    created.created = std::move(entry);
    out->push_back(std::move(created));
  }

  /// Appends the STATE/UPDATED pair of an entry change.
  static void Update(sx::LedgerEntryChanges* out, sx::LedgerEntry before,
                     sx::LedgerEntry after) {
    sx::LedgerEntryChange state;
    state.type = sx::LedgerEntryChangeType::LEDGER_ENTRY_STATE;
    state.state = std::move(before);
    sx::LedgerEntryChange updated;
    updated.type = sx::LedgerEntryChangeType::LEDGER_ENTRY_UPDATED;
    updated.updated = std::move(after);
    out->push_back(std::move(state));
    out->push_back(std::move(updated));
  }

 private:
  /// An entry of `type` last modified in this ledger.
  sx::LedgerEntry Entry(sx::LedgerEntryType type) const {
    sx::LedgerEntry entry;
    entry.lastModifiedLedgerSeq = ledger_;
    entry.data.type = type;
    return entry;
  }

  uint32_t ledger_;
};

}  // namespace

namespace {

using State = LedgerGenerator::State;

/// One transaction being generated.
struct GeneratedTransaction {
  sx::TransactionEnvelope envelope;
  xdr::Digest hash;
  sx::TransactionResultMetaV1 processing;
};

/// Where one transaction's operations go while they are generated.
struct OpContext {
  State& s;
  const Changes& changes;
  std::mt19937_64& random;
  size_t source;
  bool failed;
  std::vector<sx::Operation>* operations;
  std::vector<sx::OperationResult>* results;
  /// Null when the transaction failed (no operation meta then).
  std::vector<sx::OperationMetaV2>* metas;
};

size_t Pick(std::mt19937_64& random, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(random);
}

/// Records a balance change of `account` in `asset` (0 = XLM) as a STATE/UPDATED pair.
void MoveBalance(State& s, const Changes& changes, size_t account, size_t asset,
                 int64_t delta, sx::LedgerEntryChanges* out) {
  const Key& key = s.accounts[account];
  if (asset == 0) {
    int64_t& balance = s.native[account];
    Changes::Update(out, changes.Account(key, balance, s.sequence_numbers[account]),
                    changes.Account(key, balance + delta, s.sequence_numbers[account]));
    balance += delta;
    return;
  }
  int64_t& balance = s.trust_lines[account][asset];
  Changes::Update(out, changes.TrustLine(key, s.assets[asset], balance),
                  changes.TrustLine(key, s.assets[asset], balance + delta));
  balance += delta;
}

/// Returns an operation result of `type` with the opINNER code.
sx::OperationResult InnerResult(sx::OperationType type) {
  sx::OperationResult result;
  result.code = sx::OperationResultCode::opINNER;
  result.tr->type = type;
  return result;
}

/// A payment of `amount` in `asset` to `destination`.
void AddPayment(OpContext& op, size_t destination, size_t asset, int64_t amount) {
  sx::Operation operation;
  operation.body.type = sx::OperationType::PAYMENT;
  operation.body.paymentOp->destination = MuxedOf(op.s.accounts[destination]);
  operation.body.paymentOp->asset = op.s.assets[asset];
  operation.body.paymentOp->amount = amount;
  op.operations->push_back(std::move(operation));
  sx::OperationResult result = InnerResult(sx::OperationType::PAYMENT);
  result.tr->paymentResult.code = op.failed ? sx::PaymentResultCode::PAYMENT_UNDERFUNDED
                                            : sx::PaymentResultCode::PAYMENT_SUCCESS;
  op.results->push_back(std::move(result));
  if (!op.metas) return;
  sx::OperationMetaV2 meta;
  MoveBalance(op.s, op.changes, op.source, asset, -amount, &meta.changes);
  MoveBalance(op.s, op.changes, destination, asset, amount, &meta.changes);
  op.metas->push_back(std::move(meta));
}

/// A strict-send path payment from `send` to `receive` that crosses the maker offer
/// selling `receive` for `send` at 1:1 (one claim atom).
void AddPathPayment(OpContext& op, size_t destination, size_t send, size_t receive,
                    int64_t amount) {
  State& s = op.s;
  auto maker = std::find_if(s.maker_offers.begin(), s.maker_offers.end(), [&](auto& o) {
    return o.selling == receive && o.buying == send;
  });
  sx::Operation operation;
  operation.body.type = sx::OperationType::PATH_PAYMENT_STRICT_SEND;
  sx::PathPaymentStrictSendOp& body = *operation.body.pathPaymentStrictSendOp;
  body.sendAsset = s.assets[send];
  body.sendAmount = amount;
  body.destination = MuxedOf(s.accounts[destination]);
  body.destAsset = s.assets[receive];
  body.destMin = amount;
  op.operations->push_back(std::move(operation));

  sx::OperationResult result = InnerResult(sx::OperationType::PATH_PAYMENT_STRICT_SEND);
  sx::PathPaymentStrictSendResult& outcome = *result.tr->pathPaymentStrictSendResult;
  if (op.failed) {
    outcome.code =
        sx::PathPaymentStrictSendResultCode::PATH_PAYMENT_STRICT_SEND_UNDERFUNDED;
    op.results->push_back(std::move(result));
    return;
  }
  sx::ClaimAtom atom;
  atom.type = sx::ClaimAtomType::CLAIM_ATOM_TYPE_ORDER_BOOK;
  atom.orderBook->sellerID = AccountOf(s.accounts[maker->account]);
  atom.orderBook->offerID = maker->offer_id;
  atom.orderBook->assetSold = s.assets[receive];
  atom.orderBook->amountSold = amount;
  atom.orderBook->assetBought = s.assets[send];
  atom.orderBook->amountBought = amount;
  outcome.success->offers.push_back(std::move(atom));
  outcome.success->last.destination = AccountOf(s.accounts[destination]);
  outcome.success->last.asset = s.assets[receive];
  outcome.success->last.amount = amount;
  op.results->push_back(std::move(result));

  sx::OperationMetaV2 meta;
  MoveBalance(s, op.changes, op.source, send, -amount, &meta.changes);
  MoveBalance(s, op.changes, maker->account, send, amount, &meta.changes);
  MoveBalance(s, op.changes, maker->account, receive, -amount, &meta.changes);
  const Key& seller = s.accounts[maker->account];
  Changes::Update(&meta.changes,
                  op.changes.Offer(seller, maker->offer_id, s.assets[receive],
                                   s.assets[send], maker->amount),
                  op.changes.Offer(seller, maker->offer_id, s.assets[receive],
                                   s.assets[send], maker->amount - amount));
  maker->amount -= amount;
  MoveBalance(s, op.changes, destination, receive, amount, &meta.changes);
  op.metas->push_back(std::move(meta));
}

/// A new sell offer of `amount` of `selling` for `buying` at 1:1 that crosses nothing.
void AddSellOffer(OpContext& op, size_t selling, size_t buying, int64_t amount) {
  State& s = op.s;
  sx::Operation operation;
  operation.body.type = sx::OperationType::MANAGE_SELL_OFFER;
  sx::ManageSellOfferOp& body = *operation.body.manageSellOfferOp;
  body.selling = s.assets[selling];
  body.buying = s.assets[buying];
  body.amount = amount;
  body.price = {1, 1};
  op.operations->push_back(std::move(operation));

  sx::OperationResult result = InnerResult(sx::OperationType::MANAGE_SELL_OFFER);
  sx::ManageSellOfferResult& outcome = *result.tr->manageSellOfferResult;
  if (op.failed) {
    outcome.code = sx::ManageSellOfferResultCode::MANAGE_SELL_OFFER_UNDERFUNDED;
    op.results->push_back(std::move(result));
    return;
  }
  int64_t offer_id = s.next_offer_id++;
  sx::LedgerEntry offer = op.changes.Offer(s.accounts[op.source], offer_id,
                                           s.assets[selling], s.assets[buying], amount);
  outcome.success->offer.effect = sx::ManageOfferEffect::MANAGE_OFFER_CREATED;
  *outcome.success->offer.offer = *offer.data.offer;
  op.results->push_back(std::move(result));
  sx::OperationMetaV2 meta;
  Changes::Create(&meta.changes, std::move(offer));
  op.metas->push_back(std::move(meta));
}

/// Appends one operation of a random kind.
void AddOperation(OpContext& op, const GeneratorOptions& options) {
  State& s = op.s;
  size_t destination = Pick(op.random, s.users - 1);
  if (destination >= op.source) ++destination;
  size_t asset = Pick(op.random, 2) == 0 ? 0 : 1 + Pick(op.random, kAssetCodes.size());
  int64_t amount = 1 + static_cast<int64_t>(Pick(op.random, 10'000'000));
  double kind = std::uniform_real_distribution<double>(0, 1)(op.random);
  size_t other = (asset + 1 + Pick(op.random, s.assets.size() - 1)) % s.assets.size();
  if (kind < options.path_payment_fraction) {
    AddPathPayment(op, destination, asset, other, amount);
  } else if (kind < options.path_payment_fraction + options.sell_offer_fraction) {
    AddSellOffer(op, asset, other, amount);
  } else {
    AddPayment(op, destination, asset, amount);
  }
}

/// Charges `fee` to `payer` in the fee-processing changes of `processing`.
void ChargeFee(State& s, const Changes& changes, size_t payer, int64_t fee,
               sx::TransactionResultMetaV1* processing) {
  MoveBalance(s, changes, payer, 0, -fee, &processing->feeProcessing);
}

/// Wraps the transaction of `tx` (already hashed as `inner_hash`) in a fee bump paid by
/// `fee_source`, moving its operation results inside the inner result.
void WrapInFeeBump(State& s, size_t fee_source, int64_t fee,
                   const xdr::Digest& inner_hash, GeneratedTransaction* tx) {
  sx::TransactionEnvelope outer;
  outer.type = sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP;
  sx::FeeBumpTransaction& bump = outer.feeBump->tx;
  bump.feeSource = MuxedOf(s.accounts[fee_source]);
  bump.fee = fee;
  bump.innerTx.type = sx::EnvelopeType::ENVELOPE_TYPE_TX;
  *bump.innerTx.v1 = std::move(*tx->envelope.v1);
  tx->envelope = std::move(outer);

  sx::TransactionResult& result = tx->processing.result.result;
  bool failed = result.result.code == sx::TransactionResultCode::txFAILED;
  sx::InnerTransactionResultPair& inner = *result.result.innerResultPair;
  inner.transactionHash = inner_hash;
  inner.result.feeCharged = 0;
  inner.result.result.code =
      failed ? sx::TransactionResultCode::txFAILED : sx::TransactionResultCode::txSUCCESS;
  inner.result.result.results = std::move(result.result.results);
  result.result.results.clear();
  result.result.code = failed ? sx::TransactionResultCode::txFEE_BUMP_INNER_FAILED
                              : sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS;
  tx->hash = FeeBumpHash(s.network_id, bump, &s.payload);
}

/// Starts a transaction's v4 meta: its source's sequence number moves to `sequence`
/// before the operations apply.
sx::TransactionMeta& StartMeta(State& s, const Changes& changes, size_t source,
                               int64_t sequence,
                               sx::TransactionResultMetaV1* processing) {
  sx::TransactionMeta& meta = processing->txApplyProcessing;
  meta.v = 4;
  Changes::Update(
      &meta.v4->txChangesBefore,
      changes.Account(s.accounts[source], s.native[source], s.sequence_numbers[source]),
      changes.Account(s.accounts[source], s.native[source], sequence));
  s.sequence_numbers[source] = sequence;
  return meta;
}

/// A fee refund owed to `payer`, applied once every transaction of the ledger ran.
struct PendingRefund {
  size_t transaction;
  size_t payer;
  int64_t amount;
};

sx::SCVal AddressValue(const Key& account) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_ADDRESS;
  value.address->type = sx::SCAddressType::SC_ADDRESS_TYPE_ACCOUNT;
  value.address->accountId = AccountOf(account);
  return value;
}

sx::SCVal TextValue(sx::SCValType type, std::string text) {
  sx::SCVal value;
  value.type = type;
  (type == sx::SCValType::SCV_SYMBOL ? value.sym : value.str) = std::move(text);
  return value;
}

sx::SCVal AmountValue(int64_t amount) {
  sx::SCVal value;
  value.type = sx::SCValType::SCV_I128;
  value.i128.lo = static_cast<uint64_t>(amount);
  return value;
}

/// The `transfer` event of the native asset contract, as CAP-67 defines it.
sx::ContractEvent TransferEvent(const State& s, size_t from, size_t to, int64_t amount) {
  sx::ContractEvent event;
  event.contractID = sx::Box<sx::ContractID>(s.native_contract);
  event.type = sx::ContractEventType::CONTRACT;
  event.body.v = 0;
  event.body.v0->topics = {TextValue(sx::SCValType::SCV_SYMBOL, "transfer"),
                           AddressValue(s.accounts[from]), AddressValue(s.accounts[to]),
                           TextValue(sx::SCValType::SCV_STRING, "native")};
  event.body.v0->data = AmountValue(amount);
  return event;
}

/// The envelope body of a Soroban call of the native asset contract's transfer.
void InvokeTransfer(const State& s, size_t source, size_t destination, int64_t amount,
                    int64_t resource_fee, sx::Transaction* body) {
  body->fee = static_cast<uint32_t>(kBaseFee + resource_fee);
  body->ext.v = 1;
  sx::SorobanTransactionData& data = *body->ext.sorobanData;
  data.resourceFee = resource_fee;
  data.resources.instructions = 2'000'000;
  data.resources.diskReadBytes = 2'000;
  data.resources.writeBytes = 500;
  for (size_t account : {source, destination}) {
    sx::LedgerKey key;
    key.type = sx::LedgerEntryType::ACCOUNT;
    key.account.accountID = AccountOf(s.accounts[account]);
    data.resources.footprint.readWrite.push_back(std::move(key));
  }
  sx::Operation operation;
  operation.body.type = sx::OperationType::INVOKE_HOST_FUNCTION;
  sx::HostFunction& function = operation.body.invokeHostFunctionOp->hostFunction;
  function.type = sx::HostFunctionType::HOST_FUNCTION_TYPE_INVOKE_CONTRACT;
  function.invokeContract->contractAddress.type =
      sx::SCAddressType::SC_ADDRESS_TYPE_CONTRACT;
  function.invokeContract->contractAddress.contractId = s.native_contract;
  function.invokeContract->functionName = "transfer";
  function.invokeContract->args = {AddressValue(s.accounts[source]),
                                   AddressValue(s.accounts[destination]),
                                   AmountValue(amount)};
  body->operations.push_back(std::move(operation));
}

/// Generates a Soroban transfer of XLM through the native asset contract: the full fee
/// is charged first and part of the resource fee is refunded after all transactions.
GeneratedTransaction MakeSorobanTransaction(State& s, const Changes& changes, bool failed,
                                            size_t index, int64_t* fees,
                                            std::vector<PendingRefund>* refunds) {
  size_t source = Pick(s.random, s.users);
  size_t destination = Pick(s.random, s.users - 1);
  if (destination >= source) ++destination;
  int64_t amount = 1 + static_cast<int64_t>(Pick(s.random, 10'000'000));
  int64_t resource_fee = 50'000 + static_cast<int64_t>(Pick(s.random, 50'000));
  int64_t refund = 1 + static_cast<int64_t>(Pick(s.random, 20'000));

  GeneratedTransaction tx;
  tx.envelope.type = sx::EnvelopeType::ENVELOPE_TYPE_TX;
  sx::Transaction& body = tx.envelope.v1->tx;
  body.sourceAccount = MuxedOf(s.accounts[source]);
  body.seqNum = s.sequence_numbers[source] + 1;
  body.memo.type = sx::MemoType::MEMO_NONE;
  InvokeTransfer(s, source, destination, amount, resource_fee, &body);
  ChargeFee(s, changes, source, body.fee, &tx.processing);
  *fees += body.fee - refund;
  refunds->push_back({index, source, refund});

  sx::TransactionMeta& meta = StartMeta(s, changes, source, body.seqNum, &tx.processing);
  meta.v4->sorobanMeta =
      sx::Box<sx::SorobanTransactionMetaV2>(sx::SorobanTransactionMetaV2{});

  sx::TransactionResult& result = tx.processing.result.result;
  result.feeCharged = body.fee - refund;
  result.result.code =
      failed ? sx::TransactionResultCode::txFAILED : sx::TransactionResultCode::txSUCCESS;
  sx::OperationResult op_result = InnerResult(sx::OperationType::INVOKE_HOST_FUNCTION);
  sx::InvokeHostFunctionResult& outcome = *op_result.tr->invokeHostFunctionResult;
  outcome.code = failed ? sx::InvokeHostFunctionResultCode::INVOKE_HOST_FUNCTION_TRAPPED
                        : sx::InvokeHostFunctionResultCode::INVOKE_HOST_FUNCTION_SUCCESS;
  if (!failed) {
    outcome.success = xdr::Sha256Of(sx::EncodeXdr(sx::SCVal{}));
    sx::OperationMetaV2 op_meta;
    MoveBalance(s, changes, source, 0, -amount, &op_meta.changes);
    MoveBalance(s, changes, destination, 0, amount, &op_meta.changes);
    op_meta.events.push_back(TransferEvent(s, source, destination, amount));
    meta.v4->operations.push_back(std::move(op_meta));
  }
  result.result.results.push_back(std::move(op_result));

  tx.hash = TransactionHash(s.network_id, body, &s.payload);
  tx.processing.result.transactionHash = tx.hash;
  return tx;
}

/// Generates one transaction: fee charged, sequence bumped, its operations applied.
GeneratedTransaction MakeTransaction(State& s, const Changes& changes,
                                     const GeneratorOptions& options, int64_t* fees) {
  size_t source = Pick(s.random, s.users);
  uint32_t op_count = 1 + static_cast<uint32_t>(Pick(s.random, 3));
  bool failed = std::bernoulli_distribution(options.failed_fraction)(s.random);
  bool fee_bump = std::bernoulli_distribution(options.fee_bump_fraction)(s.random);
  size_t fee_source = source;
  if (fee_bump) {
    fee_source = Pick(s.random, s.users - 1);
    if (fee_source >= source) ++fee_source;
  }

  GeneratedTransaction tx;
  tx.envelope.type = sx::EnvelopeType::ENVELOPE_TYPE_TX;
  sx::Transaction& body = tx.envelope.v1->tx;
  body.sourceAccount = MuxedOf(s.accounts[source]);
  body.fee = kBaseFee * op_count;
  body.seqNum = s.sequence_numbers[source] + 1;
  body.memo.type = sx::MemoType::MEMO_NONE;

  // Fee first: the fee account pays before anything is applied.
  int64_t fee = fee_bump ? int64_t{kBaseFee} * (op_count + 1) : body.fee;
  *fees += fee;
  ChargeFee(s, changes, fee_source, fee, &tx.processing);

  sx::TransactionMeta& meta = StartMeta(s, changes, source, body.seqNum, &tx.processing);

  sx::TransactionResult& result = tx.processing.result.result;
  result.feeCharged = fee;
  result.result.code =
      failed ? sx::TransactionResultCode::txFAILED : sx::TransactionResultCode::txSUCCESS;
  OpContext op{s,
               changes,
               s.random,
               source,
               failed,
               &body.operations,
               &result.result.results,
               failed ? nullptr : &meta.v4->operations};
  for (uint32_t o = 0; o < op_count; ++o) AddOperation(op, options);

  tx.hash = TransactionHash(s.network_id, body, &s.payload);
  if (fee_bump) WrapInFeeBump(s, fee_source, fee, tx.hash, &tx);
  tx.processing.result.transactionHash = tx.hash;
  return tx;
}

}  // namespace

std::vector<uint8_t> LedgerGenerator::Next() {
  State& s = *state_;
  Changes changes(sequence_);
  std::vector<GeneratedTransaction> transactions;
  transactions.reserve(options_.transactions_per_ledger);
  int64_t fees = 0;
  std::vector<PendingRefund> refunds;
  for (uint32_t t = 0; t < options_.transactions_per_ledger; ++t) {
    if (std::bernoulli_distribution(options_.soroban_fraction)(s.random)) {
      bool failed = std::bernoulli_distribution(options_.failed_fraction)(s.random);
      transactions.push_back(
          MakeSorobanTransaction(s, changes, failed, t, &fees, &refunds));
    } else {
      transactions.push_back(MakeTransaction(s, changes, options_, &fees));
    }
  }
  // From protocol 23, refunds are applied after every transaction of the ledger.
  for (const PendingRefund& refund : refunds) {
    MoveBalance(s, changes, refund.payer, 0, refund.amount,
                &transactions[refund.transaction].processing.postTxApplyFeeProcessing);
  }

  sx::LedgerCloseMeta lcm;
  lcm.v = 2;
  sx::LedgerCloseMetaV2& v2 = *lcm.v2;
  // The set is in hash order; processing in apply order (the order generated).
  std::vector<GeneratedTransaction*> by_hash;
  by_hash.reserve(transactions.size());
  for (auto& tx : transactions) by_hash.push_back(&tx);
  std::sort(by_hash.begin(), by_hash.end(),
            [](const auto* a, const auto* b) { return a->hash < b->hash; });
  sx::TxSetComponent component;
  component.type = sx::TxSetComponentType::TXSET_COMP_TXS_MAYBE_DISCOUNTED_FEE;
  component.txsMaybeDiscountedFee->baseFee = sx::Box<sx::int64>(int64_t{kBaseFee});
  for (auto* tx : by_hash) {
    component.txsMaybeDiscountedFee->txs.push_back(std::move(tx->envelope));
  }
  sx::TransactionPhase phase;
  phase.v = 0;
  phase.v0Components.push_back(std::move(component));
  v2.txSet.v = 1;
  v2.txSet.v1TxSet->previousLedgerHash = s.previous_hash;
  v2.txSet.v1TxSet->phases.push_back(std::move(phase));

  std::vector<uint8_t> result_set;  // TransactionResultSet: count, then the pairs
  uint32_t count = static_cast<uint32_t>(transactions.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    result_set.push_back(static_cast<uint8_t>(count >> shift));
  }
  for (auto& tx : transactions) {
    std::vector<uint8_t> pair = sx::EncodeXdr(tx.processing.result);
    result_set.insert(result_set.end(), pair.begin(), pair.end());
    v2.txProcessing.push_back(std::move(tx.processing));
  }

  s.fee_pool += fees;
  sx::LedgerHeader& header = v2.ledgerHeader.header;
  header.ledgerVersion = kProtocolVersion;
  header.previousLedgerHash = s.previous_hash;
  header.scpValue.txSetHash = Sha256OfXdr(sx::EncodeXdr(v2.txSet));
  header.scpValue.closeTime = s.close_time;
  header.txSetResultHash = xdr::Sha256Of(result_set);
  header.bucketListHash = DeriveKey(options_.seed, "buckets", sequence_);
  header.ledgerSeq = sequence_;
  header.totalCoins = kTotalCoins;
  header.feePool = s.fee_pool;
  header.baseFee = kBaseFee;
  header.baseReserve = kBaseReserve;
  header.maxTxSetSize = kMaxTxSetSize;
  v2.ledgerHeader.hash = Sha256OfXdr(sx::EncodeXdr(header));

  s.previous_hash = v2.ledgerHeader.hash;
  bool slow =
      options_.slow_close_one_in > 0 && Pick(s.random, options_.slow_close_one_in) == 0;
  s.close_time += options_.close_interval_seconds + (slow ? 1 : 0);
  ++sequence_;
  return EncodeLedger(lcm, &s.ledger_size_hint);
}

GeneratorLedgerSource::GeneratorLedgerSource(GeneratorOptions options,
                                             std::optional<uint32_t> end)
    : next_due_(std::chrono::steady_clock::now()),
      generator_(options),
      end_(end),
      deliver_from_(options.deliver_from) {
  if (options.ledgers_per_second > 0) {
    interval_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(1.0 / options.ledgers_per_second));
  }
}

void GeneratorLedgerSource::Cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  cancelled_cv_.notify_all();
}

bool GeneratorLedgerSource::WaitUntilDue() {
  std::unique_lock lock(mutex_);
  cancelled_cv_.wait_until(lock, next_due_, [this] { return cancelled_; });
  if (cancelled_) return false;
  next_due_ =
      std::max(next_due_ + interval_, std::chrono::steady_clock::now() - interval_);
  return true;
}

arrow::Result<std::optional<SourcedLedger>> GeneratorLedgerSource::Next() {
  while (generator_.next_sequence() < deliver_from_) (void)generator_.Next();
  if (end_ && generator_.next_sequence() > *end_) return std::nullopt;
  if (!WaitUntilDue()) return arrow::Status::Cancelled("generator cancelled");
  uint32_t sequence = generator_.next_sequence();
  std::shared_ptr<arrow::Buffer> buffer = arrow::Buffer::FromVector(generator_.Next());
  std::span<const uint8_t> view(buffer->data(), static_cast<size_t>(buffer->size()));
  return SourcedLedger{sequence, std::move(buffer), view};
}

}  // namespace sas::ingest
