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
constexpr uint32_t kEnvelopeTypeTx =
    static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_TX);
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

/// Returns the hash of a transaction in the network `network_id` (the SHA-256 of its
/// TransactionSignaturePayload), built in `*payload`, a buffer reused across calls.
xdr::Digest TransactionHash(const xdr::Digest& network_id, const sx::Transaction& tx,
                            std::vector<uint8_t>* payload) {
  payload->assign(network_id.begin(), network_id.end());
  sx::Writer writer(payload);
  writer.PutU32(kEnvelopeTypeTx);
  sx::Encode(tx, writer);
  return xdr::Sha256Of(*payload);
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
    s.accounts.push_back(DeriveKey(options_.seed, "account", i));
    s.native.push_back(kInitialNative);
    s.sequence_numbers.push_back(static_cast<int64_t>(options_.start) << 32);
    std::array<int64_t, kAssetCodes.size() + 1> lines{};
    lines.fill(kInitialTrustLine);
    s.trust_lines.push_back(lines);
  }
  s.assets.emplace_back();  // native
  for (size_t i = 0; i < kAssetCodes.size(); ++i) {
    sx::Asset asset;
    asset.type = sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM4;
    std::string_view code = kAssetCodes[i];
    std::copy(code.begin(), code.end(), asset.alphaNum4.assetCode.begin());
    asset.alphaNum4.issuer = AccountOf(DeriveKey(options_.seed, "issuer", i));
    s.assets.push_back(asset);
  }
}

LedgerGenerator::~LedgerGenerator() = default;

namespace {

/// Builders of ledger-entry changes for one generated ledger.
class Changes {
 public:
  explicit Changes(uint32_t ledger) : ledger_(ledger) {}

  sx::LedgerEntry Account(const Key& key, int64_t balance, int64_t sequence) const {
    sx::LedgerEntry entry;
    entry.lastModifiedLedgerSeq = ledger_;
    entry.data.type = sx::LedgerEntryType::ACCOUNT;
    sx::AccountEntry& account = *entry.data.account;
    account.accountID = AccountOf(key);
    account.balance = balance;
    account.seqNum = sequence;
    account.thresholds = {1, 0, 0, 0};
    return entry;
  }

  sx::LedgerEntry TrustLine(const Key& key, const sx::Asset& asset,
                            int64_t balance) const {
    sx::LedgerEntry entry;
    entry.lastModifiedLedgerSeq = ledger_;
    entry.data.type = sx::LedgerEntryType::TRUSTLINE;
    sx::TrustLineEntry& line = *entry.data.trustLine;
    line.accountID = AccountOf(key);
    line.asset.type = asset.type;
    line.asset.alphaNum4 = asset.alphaNum4;
    line.balance = balance;
    line.limit = kTrustLineLimit;
    line.flags = 1;  // AUTHORIZED_FLAG
    return entry;
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
  uint32_t ledger_;
};

}  // namespace

std::vector<uint8_t> LedgerGenerator::Next() {
  State& s = *state_;
  Changes changes(sequence_);
  auto pick = [&s](size_t n) {
    return static_cast<size_t>(std::uniform_int_distribution<size_t>(0, n - 1)(s.random));
  };
  std::bernoulli_distribution fails(options_.failed_fraction);

  struct GeneratedTransaction {
    sx::TransactionEnvelope envelope;
    xdr::Digest hash;
    sx::TransactionResultMetaV1 processing;
  };
  std::vector<GeneratedTransaction> transactions;
  transactions.reserve(options_.transactions_per_ledger);
  int64_t fees = 0;
  for (uint32_t t = 0; t < options_.transactions_per_ledger; ++t) {
    size_t source = pick(s.accounts.size());
    uint32_t op_count = 1 + static_cast<uint32_t>(pick(3));
    bool failed = fails(s.random);

    GeneratedTransaction tx;
    tx.envelope.type = sx::EnvelopeType::ENVELOPE_TYPE_TX;
    sx::Transaction& body = tx.envelope.v1->tx;
    body.sourceAccount = MuxedOf(s.accounts[source]);
    body.fee = kBaseFee * op_count;
    body.seqNum = s.sequence_numbers[source] + 1;
    body.memo.type = sx::MemoType::MEMO_NONE;

    // Fee first: the fee account pays before anything is applied.
    int64_t fee = body.fee;
    fees += fee;
    sx::TransactionResultMetaV1& processing = tx.processing;
    Changes::Update(
        &processing.feeProcessing,
        changes.Account(s.accounts[source], s.native[source], s.sequence_numbers[source]),
        changes.Account(s.accounts[source], s.native[source] - fee,
                        s.sequence_numbers[source]));
    s.native[source] -= fee;

    sx::TransactionMeta& meta = processing.txApplyProcessing;
    meta.v = 4;
    Changes::Update(
        &meta.v4->txChangesBefore,
        changes.Account(s.accounts[source], s.native[source], s.sequence_numbers[source]),
        changes.Account(s.accounts[source], s.native[source], body.seqNum));
    s.sequence_numbers[source] = body.seqNum;

    sx::TransactionResult& result = processing.result.result;
    result.feeCharged = fee;
    result.result.code = failed ? sx::TransactionResultCode::txFAILED
                                : sx::TransactionResultCode::txSUCCESS;
    for (uint32_t o = 0; o < op_count; ++o) {
      size_t destination = pick(s.accounts.size() - 1);
      if (destination >= source) ++destination;
      size_t asset = pick(2) == 0 ? 0 : 1 + pick(kAssetCodes.size());
      int64_t amount = 1 + static_cast<int64_t>(pick(10'000'000));

      sx::Operation op;
      op.body.type = sx::OperationType::PAYMENT;
      op.body.paymentOp->destination = MuxedOf(s.accounts[destination]);
      op.body.paymentOp->asset = s.assets[asset];
      op.body.paymentOp->amount = amount;
      body.operations.push_back(std::move(op));

      sx::OperationResult op_result;
      op_result.code = sx::OperationResultCode::opINNER;
      op_result.tr->type = sx::OperationType::PAYMENT;
      op_result.tr->paymentResult.code = failed
                                             ? sx::PaymentResultCode::PAYMENT_UNDERFUNDED
                                             : sx::PaymentResultCode::PAYMENT_SUCCESS;
      result.result.results.push_back(std::move(op_result));

      sx::OperationMetaV2 op_meta;
      if (!failed) {
        if (asset == 0) {
          Changes::Update(
              &op_meta.changes,
              changes.Account(s.accounts[source], s.native[source], body.seqNum),
              changes.Account(s.accounts[source], s.native[source] - amount,
                              body.seqNum));
          s.native[source] -= amount;
          Changes::Update(
              &op_meta.changes,
              changes.Account(s.accounts[destination], s.native[destination],
                              s.sequence_numbers[destination]),
              changes.Account(s.accounts[destination], s.native[destination] + amount,
                              s.sequence_numbers[destination]));
          s.native[destination] += amount;
        } else {
          int64_t& from = s.trust_lines[source][asset];
          int64_t& to = s.trust_lines[destination][asset];
          Changes::Update(
              &op_meta.changes,
              changes.TrustLine(s.accounts[source], s.assets[asset], from),
              changes.TrustLine(s.accounts[source], s.assets[asset], from - amount));
          from -= amount;
          Changes::Update(
              &op_meta.changes,
              changes.TrustLine(s.accounts[destination], s.assets[asset], to),
              changes.TrustLine(s.accounts[destination], s.assets[asset], to + amount));
          to += amount;
        }
      }
      if (!failed) meta.v4->operations.push_back(std::move(op_meta));
    }

    tx.hash = TransactionHash(s.network_id, body, &s.payload);
    processing.result.transactionHash = tx.hash;
    transactions.push_back(std::move(tx));
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
  s.close_time += options_.close_interval_seconds;
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
