#include "xdr/ledger_close_meta.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace sas::xdr {
namespace {

/// Envelope-type word that prefixes a v0/v1 transaction in its signature payload.
constexpr uint32_t kEnvelopeTypeTx =
    static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_TX);
/// Envelope-type word that prefixes a fee-bump transaction in its signature payload.
constexpr uint32_t kEnvelopeTypeFeeBump =
    static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP);
/// A v0 transaction hashes as a v1 one whose source is a KEY_TYPE_ED25519 muxed account:
/// the same bytes preceded by that zero discriminant.
constexpr uint32_t kKeyTypeEd25519 = 0;

void UpdateU32(Sha256* hasher, uint32_t value) {
  std::array<uint8_t, 4> word;
  sx::StoreU32(word.data(), value);
  hasher->Update(word);
}

/// Reads the LedgerEntryChanges array at `p` into `changes`; returns the end of it.
const uint8_t* ReadChanges(const uint8_t* p, sx::LedgerEntryChangesView* changes) {
  uint32_t count = sx::LoadU32(p);
  *changes = sx::LedgerEntryChangesView(p + 4, count);
  p += 4;
  for (uint32_t i = 0; i < count; ++i) p = sx::LedgerEntryChangeView::Skip(p);
  return p;
}

/// Appends the envelopes of one TransactionPhase, in order.
void CollectPhase(sx::TransactionPhaseView phase,
                  std::vector<sx::TransactionEnvelopeView>* out) {
  if (phase.v() == 0) {
    for (auto component : phase.v0Components()) {
      for (auto envelope : component.txsMaybeDiscountedFee().txs())
        out->push_back(envelope);
    }
    return;
  }
  for (auto stage : phase.parallelTxsComponent().executionStages()) {
    for (auto cluster : stage) {
      for (auto envelope : cluster) out->push_back(envelope);
    }
  }
}

void CollectGeneralized(sx::GeneralizedTransactionSetView set,
                        std::vector<sx::TransactionEnvelopeView>* out) {
  for (auto phase : set.v1TxSet().phases()) CollectPhase(phase, out);
}

}  // namespace

std::optional<uint32_t> PeekLedgerSequence(std::span<const uint8_t> bytes) {
  sx::Reader r(bytes);
  int32_t version = 0;
  if (!r.ReadI32(&version) || version < 0 || version > 2) return std::nullopt;
  // LedgerCloseMetaV1 and V2 open with their extension; V0 with the header.
  if (version >= 1 && !sx::ValidateLedgerCloseMetaExt(r)) return std::nullopt;
  auto header =
      sx::ParseViewPrefix<sx::LedgerHeaderHistoryEntry>(bytes.subspan(r.offset()));
  if (!header.ok()) return std::nullopt;
  return header->view.header().ledgerSeq();
}

bool IsSuccess(sx::TransactionResultCode code) {
  return code == sx::TransactionResultCode::txSUCCESS ||
         code == sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS;
}

uint32_t OperationResultCount(sx::TransactionResultView result) {
  auto outcome = result.result();
  switch (outcome.code()) {
    case sx::TransactionResultCode::txSUCCESS:
    case sx::TransactionResultCode::txFAILED:
      return static_cast<uint32_t>(outcome.results().size());
    case sx::TransactionResultCode::txFEE_BUMP_INNER_SUCCESS:
    case sx::TransactionResultCode::txFEE_BUMP_INNER_FAILED: {
      auto inner = outcome.innerResultPair().result().result();
      bool has_results = inner.code() == sx::TransactionResultCode::txSUCCESS ||
                         inner.code() == sx::TransactionResultCode::txFAILED;
      return has_results ? static_cast<uint32_t>(inner.results().size()) : 0;
    }
    default:
      return 0;
  }
}

uint32_t EnvelopeOperationCount(sx::TransactionEnvelopeView envelope) {
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      return static_cast<uint32_t>(envelope.v0().tx().operations().size());
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      return static_cast<uint32_t>(envelope.v1().tx().operations().size());
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP:
      return static_cast<uint32_t>(
          envelope.feeBump().tx().innerTx().v1().tx().operations().size());
    default:
      return 0;
  }
}

Digest TransactionHash(sx::TransactionEnvelopeView envelope, const Digest& network_id) {
  Sha256 hasher;
  hasher.Update(network_id);
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      UpdateU32(&hasher, kEnvelopeTypeTx);
      UpdateU32(&hasher, kKeyTypeEd25519);
      hasher.Update(envelope.v0().tx().bytes());
      break;
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      UpdateU32(&hasher, kEnvelopeTypeTx);
      hasher.Update(envelope.v1().tx().bytes());
      break;
    default:
      UpdateU32(&hasher, kEnvelopeTypeFeeBump);
      hasher.Update(envelope.feeBump().tx().bytes());
      break;
  }
  return hasher.Finish();
}

Digest InnerTransactionHash(sx::FeeBumpTransactionEnvelopeView envelope,
                            const Digest& network_id) {
  Sha256 hasher;
  hasher.Update(network_id);
  UpdateU32(&hasher, kEnvelopeTypeTx);
  hasher.Update(envelope.tx().innerTx().v1().tx().bytes());
  return hasher.Finish();
}

arrow::Result<LedgerCloseMetaFrame> LedgerCloseMetaFrame::Parse(
    std::span<const uint8_t> bytes) {
  ARROW_ASSIGN_OR_RAISE(auto view, sx::ParseView<sx::LedgerCloseMeta>(bytes));
  LedgerCloseMetaFrame frame;
  frame.bytes_ = bytes;
  frame.version_ = view.v();
  switch (view.v()) {
    case 0: {
      auto meta = view.v0();
      frame.header_entry_ = meta.ledgerHeader();
      for (auto envelope : meta.txSet().txs()) frame.envelopes_.push_back(envelope);
      // upgradesProcessing follows txProcessing.
      frame.upgrade_count_ = sx::LoadU32(frame.ReadTransactions(meta.txProcessing()));
      break;
    }
    case 1:
      frame.InitGeneralized(view.v1());
      break;
    default:
      frame.InitGeneralized(view.v2());
      break;
  }
  return frame;
}

template <class Meta>
void LedgerCloseMetaFrame::InitGeneralized(const Meta& view) {
  auto ext = view.ext();
  if (ext.v() == 1) soroban_fee_write_1kb_ = ext.v1().sorobanFeeWrite1KB();
  header_entry_ = view.ledgerHeader();
  CollectGeneralized(view.txSet(), &envelopes_);
  // The fields after txProcessing, read from where its walk ended (their accessors would
  // skip txProcessing again): upgradesProcessing, scpInfo,
  // totalByteSizeOfLiveSorobanState, evictedKeys (LedgerCloseMetaV1 and V2 alike).
  const uint8_t* p = ReadTransactions(view.txProcessing());
  upgrade_count_ = sx::LoadU32(p);
  p = sx::ArrayCodec<sx::UpgradeEntryMetaView>::Skip(p);
  p = sx::ArrayCodec<sx::SCPHistoryEntryView>::Skip(p);
  live_state_bytes_ = sx::LoadU64(p);
  evicted_key_count_ = sx::LoadU32(p + 8);
}

template <class Processing>
const uint8_t* LedgerCloseMetaFrame::ReadTransactions(const Processing& processing) {
  transactions_.reserve(processing.size());
  // One pass over each entry's fields (accessors would re-skip the fields before them).
  const uint8_t* p = processing.data();
  // LedgerCloseMetaV2's entries (TransactionResultMetaV1) open with an extension point
  // and end with the post-apply fee changes.
  constexpr bool kHasPostApplyFees =
      std::is_same_v<typename Processing::value_type, sx::TransactionResultMetaV1View>;
  for (uint32_t order = 1; order <= processing.size(); ++order) {
    if constexpr (kHasPostApplyFees) p = sx::ExtensionPointView::Skip(p);
    AppliedTransaction applied;
    applied.apply_order = order;
    applied.result = sx::TransactionResultPairView(p);
    p = sx::TransactionResultPairView::Skip(p);
    p = ReadChanges(p, &applied.fee_processing);
    const uint8_t* meta_end = IndexMeta(p, &applied);
    applied.meta_bytes = {p, static_cast<size_t>(meta_end - p)};
    p = meta_end;
    if constexpr (kHasPostApplyFees) {
      sx::LedgerEntryChangesView post;
      p = ReadChanges(p, &post);
      applied.post_apply_fee_processing = post;
    }
    transactions_.push_back(applied);
  }
  return p;
}

const uint8_t* LedgerCloseMetaFrame::IndexMeta(const uint8_t* p, AppliedTransaction* tx) {
  // The field order of TransactionMeta v0-v4 (Stellar-transaction.x); the bytes were
  // validated, and a unit test checks every fixture against the generated accessors.
  tx->meta = sx::TransactionMetaView(p);
  tx->first_operation_meta = static_cast<uint32_t>(operation_metas_.size());
  // v0 is the operations alone; v1 has tx changes before them; v2+ adds the changes after
  // them; v3+ opens with an extension point and ends with the Soroban meta (and v4 with
  // transaction and diagnostic events).
  int32_t version = tx->meta.v();
  const uint8_t* q = p + 4;  // past the union discriminant
  if (version >= 3) q = sx::ExtensionPointView::Skip(q);
  sx::LedgerEntryChangesView changes;
  if (version >= 1) q = ReadChanges(q, &changes);
  q = ReadOperationMetas(q, /*v2=*/version >= 4);
  if (version >= 2) {
    q = ReadChanges(q, &changes);
    tx->changes_after = changes;
  }
  if (version == 3) {
    if (auto soroban = sx::OptionalCodec<sx::SorobanTransactionMetaView>::Load(q))
      tx->soroban_meta_v3 = soroban.value();
    q = sx::OptionalCodec<sx::SorobanTransactionMetaView>::Skip(q);
  } else if (version >= 4) {
    if (auto soroban = sx::OptionalCodec<sx::SorobanTransactionMetaV2View>::Load(q))
      tx->soroban_meta_v4 = soroban.value();
    q = sx::OptionalCodec<sx::SorobanTransactionMetaV2View>::Skip(q);
    tx->transaction_events = sx::ArrayCodec<sx::TransactionEventView>::Load(q);
    q = sx::ArrayCodec<sx::TransactionEventView>::Skip(q);
    tx->diagnostic_events = sx::ArrayCodec<sx::DiagnosticEventView>::Load(q);
    q = sx::ArrayCodec<sx::DiagnosticEventView>::Skip(q);
  }
  tx->operation_meta_count =
      static_cast<uint32_t>(operation_metas_.size()) - tx->first_operation_meta;
  return q;
}

const uint8_t* LedgerCloseMetaFrame::ReadOperationMetas(const uint8_t* p, bool v2) {
  uint32_t count = sx::LoadU32(p);
  p += 4;
  for (uint32_t i = 0; i < count; ++i) {
    OperationMetaParts parts;
    if (v2) p = sx::ExtensionPointView::Skip(p);
    p = ReadChanges(p, &parts.changes);
    if (v2) {
      parts.events = sx::ArrayCodec<sx::ContractEventView>::Load(p);
      p = sx::ArrayCodec<sx::ContractEventView>::Skip(p);
    }
    operation_metas_.push_back(parts);
  }
  return p;
}

bool LedgerCloseMetaFrame::HeaderHashMatches() const {
  Digest digest = Sha256Of(header().bytes());
  HashBytes stored = ledger_hash();
  return std::equal(digest.begin(), digest.end(), stored.begin());
}

ResultCounts LedgerCloseMetaFrame::CountResults() const {
  ResultCounts counts;
  for (const AppliedTransaction& tx : transactions_) {
    auto result = tx.result.result();
    ++counts.transactions;
    if (IsSuccess(result.result().code())) {
      ++counts.successful;
      counts.successful_operations += OperationResultCount(result);
    } else {
      ++counts.failed;
    }
  }
  return counts;
}

uint32_t LedgerCloseMetaFrame::TxSetOperationCount() const {
  uint32_t count = 0;
  for (auto envelope : envelopes_) count += EnvelopeOperationCount(envelope);
  return count;
}

arrow::Status LedgerCloseMetaFrame::JoinEnvelopes(const Digest& network_id) {
  // Envelopes sorted by the first 8 bytes of their hash (integer compares, no memcmp);
  // a match on those is confirmed on the whole hash.
  auto prefix_of = [](std::span<const uint8_t> hash) {
    uint64_t prefix;
    std::memcpy(&prefix, hash.data(), sizeof(prefix));
    return prefix;
  };
  std::vector<Digest> hashes(envelopes_.size());
  std::vector<std::pair<uint64_t, size_t>> by_prefix(envelopes_.size());
  for (size_t i = 0; i < envelopes_.size(); ++i) {
    hashes[i] = TransactionHash(envelopes_[i], network_id);
    by_prefix[i] = {prefix_of(hashes[i]), i};
  }
  std::sort(by_prefix.begin(), by_prefix.end());
  for (AppliedTransaction& tx : transactions_) {
    HashBytes wanted = tx.result.transactionHash();
    uint64_t prefix = prefix_of(wanted);
    auto it = std::lower_bound(by_prefix.begin(), by_prefix.end(),
                               std::make_pair(prefix, size_t{0}));
    while (it != by_prefix.end() && it->first == prefix &&
           !std::equal(wanted.begin(), wanted.end(), hashes[it->second].begin())) {
      ++it;
    }
    if (it == by_prefix.end() || it->first != prefix) {
      return arrow::Status::Invalid("ledger ", sequence(), ": transaction ",
                                    tx.apply_order, " (hash ", ToHex(wanted),
                                    ") matches no envelope of the transaction set; wrong "
                                    "network passphrase?");
    }
    tx.envelope = envelopes_[it->second];
  }
  return arrow::Status::OK();
}

}  // namespace sas::xdr
