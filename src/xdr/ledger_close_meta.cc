#include "xdr/ledger_close_meta.h"

#include <algorithm>
#include <cstring>

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

/// Walks a variable-length array of elements of at least `min_size` bytes with
/// `walk_element(index)`, naming the failing index, as the generated validators do.
template <class WalkElement>
bool WalkArray(sx::Reader& r, size_t min_size, WalkElement walk_element,
               uint32_t bound = sx::kUnbounded) {
  uint32_t count = 0;
  if (!r.ReadLength(bound, &count) || !r.NeedElements(count, min_size)) {
    return false;
  }
  for (uint32_t i = 0; i < count; ++i) {
    if (ARROW_PREDICT_FALSE(!walk_element(i))) return r.AddIndex(i);
  }
  return true;
}

/// Walks an array of values that `validate` checks.
template <bool (*validate)(sx::Reader&)>
bool WalkPlainArray(sx::Reader& r, size_t min_size, uint32_t bound = sx::kUnbounded) {
  return WalkArray(
      r, min_size, [&r](uint32_t) { return validate(r); }, bound);
}

/// Walks optional data that `validate` checks.
template <bool (*validate)(sx::Reader&)>
bool WalkOptional(sx::Reader& r) {
  bool present = false;
  return r.ReadOptionalFlag(&present) && (!present || validate(r));
}

/// Skips an int64 (any value is valid).
bool SkipI64(sx::Reader& r) { return r.Skip(8); }

/// Smallest encodings of array elements, as the generated validators check them.
constexpr size_t kMinLedgerEntryChange = 12;
constexpr size_t kMinOperationMeta = 4;
constexpr size_t kMinOperationMetaV2 = 12;
constexpr size_t kMinContractEvent = 24;
constexpr size_t kMinTransactionEvent = 28;
constexpr size_t kMinDiagnosticEvent = 28;
constexpr size_t kMinTransactionResultMeta = 60;
constexpr size_t kMinTransactionResultMetaV1 = 68;
constexpr size_t kMinUpgradeEntryMeta = 12;
constexpr size_t kMinScpHistoryEntry = 16;
constexpr size_t kMinLedgerKey = 8;
constexpr size_t kMinLedgerEntry = 20;
constexpr size_t kMinTransactionEnvelope = 68;
constexpr size_t kMinTransactionPhase = 8;
constexpr size_t kMinTxSetComponent = 12;
constexpr size_t kMinExecutionStage = 4;
constexpr size_t kMinDependentTxCluster = 4;
constexpr size_t kMinDecoratedSignature = 8;
/// Bound of an envelope's `signatures<20>`.
constexpr uint32_t kMaxSignatures = 20;

/// Walks a LedgerEntryChanges array into `changes`.
bool WalkChanges(sx::Reader& r, sx::LedgerEntryChangesView* changes) {
  const uint8_t* start = r.pos();
  if (!WalkPlainArray<sx::ValidateLedgerEntryChange>(r, kMinLedgerEntryChange)) {
    return false;
  }
  *changes = sx::LedgerEntryChangesView(start + 4, sx::LoadU32(start));
  return true;
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

namespace {

/// Returns the hash of an envelope of `type` whose transaction encodes as `tx`: SHA-256
/// of the network id, the signature payload's envelope type and the transaction.
Digest SignedTransactionHash(sx::EnvelopeType type, std::span<const uint8_t> tx,
                             const Digest& network_id) {
  Sha256 hasher;
  hasher.Update(network_id);
  switch (type) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      UpdateU32(&hasher, kEnvelopeTypeTx);
      UpdateU32(&hasher, kKeyTypeEd25519);
      break;
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      UpdateU32(&hasher, kEnvelopeTypeTx);
      break;
    default:
      UpdateU32(&hasher, kEnvelopeTypeFeeBump);
      break;
  }
  hasher.Update(tx);
  return hasher.Finish();
}

}  // namespace

Digest TransactionHash(sx::TransactionEnvelopeView envelope, const Digest& network_id) {
  switch (envelope.type()) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      return SignedTransactionHash(envelope.type(), envelope.v0().tx().bytes(),
                                   network_id);
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      return SignedTransactionHash(envelope.type(), envelope.v1().tx().bytes(),
                                   network_id);
    default:
      return SignedTransactionHash(envelope.type(), envelope.feeBump().tx().bytes(),
                                   network_id);
  }
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
  sx::Reader r(bytes);
  LedgerCloseMetaFrame frame;
  frame.bytes_ = bytes;
  if (ARROW_PREDICT_FALSE(!frame.Walk(r))) return r.StatusFor("LedgerCloseMeta");
  if (ARROW_PREDICT_FALSE(r.remaining() != 0)) {
    return sx::TrailingBytesError(r.remaining(), "LedgerCloseMeta", r.offset());
  }
  return frame;
}

bool LedgerCloseMetaFrame::Walk(sx::Reader& r) {
  if (!r.ReadI32(&version_)) return false;
  switch (version_) {
    case 0:
      XDR_CHECK_FIELD(r, WalkV0(r), "v0");
      return true;
    case 1:
      XDR_CHECK_FIELD(r, WalkGeneralized(r, /*v2=*/false), "v1");
      return true;
    case 2:
      XDR_CHECK_FIELD(r, WalkGeneralized(r, /*v2=*/true), "v2");
      return true;
    default:
      return r.FailDiscriminant(version_);
  }
}

bool LedgerCloseMetaFrame::WalkHeader(sx::Reader& r) {
  header_entry_ = sx::LedgerHeaderHistoryEntryView(r.pos());
  XDR_CHECK_FIELD(r, sx::ValidateLedgerHeaderHistoryEntry(r), "ledgerHeader");
  return true;
}

bool LedgerCloseMetaFrame::WalkUpgradesAndScpInfo(sx::Reader& r) {
  const uint8_t* upgrades = r.pos();
  XDR_CHECK_FIELD(r,
                  WalkPlainArray<sx::ValidateUpgradeEntryMeta>(r, kMinUpgradeEntryMeta),
                  "upgradesProcessing");
  upgrade_count_ = sx::LoadU32(upgrades);
  XDR_CHECK_FIELD(r, WalkPlainArray<sx::ValidateSCPHistoryEntry>(r, kMinScpHistoryEntry),
                  "scpInfo");
  return true;
}

bool LedgerCloseMetaFrame::WalkV0(sx::Reader& r) {
  return WalkHeader(r) && WalkTransactionSetField(r, /*generalized=*/false) &&
         WalkProcessingField(r, /*v1=*/false) && WalkUpgradesAndScpInfo(r);
}

bool LedgerCloseMetaFrame::WalkGeneralized(sx::Reader& r, bool v2) {
  // Views are read only once their bytes are validated (they may be truncated).
  auto ext = sx::LedgerCloseMetaExtView(r.pos());
  XDR_CHECK_FIELD(r, sx::ValidateLedgerCloseMetaExt(r), "ext");
  if (ext.v() == 1) soroban_fee_write_1kb_ = ext.v1().sorobanFeeWrite1KB();
  if (!WalkHeader(r) || !WalkTransactionSetField(r, /*generalized=*/true) ||
      !WalkProcessingField(r, /*v1=*/v2) || !WalkUpgradesAndScpInfo(r)) {
    return false;
  }
  const uint8_t* live_state = r.pos();
  XDR_CHECK_FIELD(r, r.Skip(8), "totalByteSizeOfLiveSorobanState");
  live_state_bytes_ = sx::LoadU64(live_state);
  const uint8_t* evicted = r.pos();
  XDR_CHECK_FIELD(r, WalkPlainArray<sx::ValidateLedgerKey>(r, kMinLedgerKey),
                  "evictedKeys");
  evicted_key_count_ = sx::LoadU32(evicted);
  if (!v2) {
    XDR_CHECK_FIELD(r, WalkPlainArray<sx::ValidateLedgerEntry>(r, kMinLedgerEntry),
                    "unused");
  }
  return true;
}

bool LedgerCloseMetaFrame::WalkTransactionSetField(sx::Reader& r, bool generalized) {
  XDR_CHECK_FIELD(
      r, generalized ? WalkGeneralizedTransactionSet(r) : WalkTransactionSet(r), "txSet");
  return true;
}

bool LedgerCloseMetaFrame::WalkProcessingField(sx::Reader& r, bool v1) {
  XDR_CHECK_FIELD(r, WalkProcessing(r, v1), "txProcessing");
  return true;
}

bool LedgerCloseMetaFrame::WalkTransactionSet(sx::Reader& r) {
  XDR_CHECK_FIELD(r, r.Skip(32), "previousLedgerHash");
  XDR_CHECK_FIELD(r, WalkEnvelopes(r), "txs");
  return true;
}

bool LedgerCloseMetaFrame::WalkGeneralizedTransactionSet(sx::Reader& r) {
  int32_t version = 0;
  if (!r.ReadI32(&version)) return false;
  if (version != 1) return r.FailDiscriminant(version);
  auto v1 = [&] {
    XDR_CHECK_FIELD(r, r.Skip(32), "previousLedgerHash");
    XDR_CHECK_FIELD(r,
                    WalkArray(r, kMinTransactionPhase,
                              [&](uint32_t) { return WalkTransactionPhase(r); }),
                    "phases");
    return true;
  };
  XDR_CHECK_FIELD(r, v1(), "v1TxSet");
  return true;
}

bool LedgerCloseMetaFrame::WalkTransactionPhase(sx::Reader& r) {
  int32_t version = 0;
  if (!r.ReadI32(&version)) return false;
  // v0: components of envelopes; v1: stages of clusters of envelopes (parallel Soroban).
  auto component = [&](uint32_t) {
    int32_t type = 0;
    if (!r.ReadI32(&type)) return false;
    if (type != 0)
      return r.FailDiscriminant(type);  // TXSET_COMP_TXS_MAYBE_DISCOUNTED_FEE
    auto txs = [&] {
      XDR_CHECK_FIELD(r, WalkOptional<SkipI64>(r), "baseFee");
      XDR_CHECK_FIELD(r, WalkEnvelopes(r), "txs");
      return true;
    };
    XDR_CHECK_FIELD(r, txs(), "txsMaybeDiscountedFee");
    return true;
  };
  auto parallel = [&] {
    XDR_CHECK_FIELD(r, WalkOptional<SkipI64>(r), "baseFee");
    auto stage = [&](uint32_t) {
      return WalkArray(r, kMinDependentTxCluster,
                       [&](uint32_t) { return WalkEnvelopes(r); });
    };
    XDR_CHECK_FIELD(r, WalkArray(r, kMinExecutionStage, stage), "executionStages");
    return true;
  };
  switch (version) {
    case 0:
      XDR_CHECK_FIELD(r, WalkArray(r, kMinTxSetComponent, component), "v0Components");
      return true;
    case 1:
      XDR_CHECK_FIELD(r, parallel(), "parallelTxsComponent");
      return true;
    default:
      return r.FailDiscriminant(version);
  }
}

bool LedgerCloseMetaFrame::WalkEnvelopes(sx::Reader& r) {
  return WalkArray(r, kMinTransactionEnvelope, [&](uint32_t) { return WalkEnvelope(r); });
}

bool LedgerCloseMetaFrame::WalkEnvelope(sx::Reader& r) {
  const uint8_t* start = r.pos();
  int32_t type = 0;
  if (!r.ReadI32(&type)) return false;
  const uint8_t* tx = r.pos();
  std::span<const uint8_t> signed_tx;
  // Each envelope type: its transaction, then its signatures.
  auto envelope = [&](bool (*validate_tx)(sx::Reader&)) {
    XDR_CHECK_FIELD(r, validate_tx(r), "tx");
    signed_tx = {tx, static_cast<size_t>(r.pos() - tx)};
    XDR_CHECK_FIELD(r,
                    WalkPlainArray<sx::ValidateDecoratedSignature>(
                        r, kMinDecoratedSignature, kMaxSignatures),
                    "signatures");
    return true;
  };
  switch (static_cast<sx::EnvelopeType>(type)) {
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_V0:
      XDR_CHECK_FIELD(r, envelope(sx::ValidateTransactionV0), "v0");
      break;
    case sx::EnvelopeType::ENVELOPE_TYPE_TX:
      XDR_CHECK_FIELD(r, envelope(sx::ValidateTransaction), "v1");
      break;
    case sx::EnvelopeType::ENVELOPE_TYPE_TX_FEE_BUMP:
      XDR_CHECK_FIELD(r, envelope(sx::ValidateFeeBumpTransaction), "feeBump");
      break;
    default:
      return r.FailDiscriminant(type);
  }
  envelopes_.push_back(sx::TransactionEnvelopeView(start));
  signed_transactions_.push_back(signed_tx);
  return true;
}

bool LedgerCloseMetaFrame::WalkProcessing(sx::Reader& r, bool v1) {
  uint32_t count = 0;
  size_t min_size = v1 ? kMinTransactionResultMetaV1 : kMinTransactionResultMeta;
  // The count is checked against the bytes left before anything is reserved for it.
  if (!r.ReadLength(sx::kUnbounded, &count) || !r.NeedElements(count, min_size)) {
    return false;
  }
  transactions_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    AppliedTransaction applied;
    applied.apply_order = i + 1;
    if (ARROW_PREDICT_FALSE(!WalkAppliedTransaction(r, v1, &applied))) {
      return r.AddIndex(i);
    }
    transactions_.push_back(applied);
  }
  return true;
}

bool LedgerCloseMetaFrame::WalkAppliedTransaction(sx::Reader& r, bool v1,
                                                  AppliedTransaction* tx) {
  // TransactionResultMetaV1 (LedgerCloseMetaV2) opens with an extension point and ends
  // with the post-apply fee changes.
  if (v1) XDR_CHECK_FIELD(r, sx::ValidateExtensionPoint(r), "ext");
  tx->result = sx::TransactionResultPairView(r.pos());
  XDR_CHECK_FIELD(r, sx::ValidateTransactionResultPair(r), "result");
  XDR_CHECK_FIELD(r, WalkChanges(r, &tx->fee_processing), "feeProcessing");
  const uint8_t* meta = r.pos();
  XDR_CHECK_FIELD(r, WalkTransactionMeta(r, tx), "txApplyProcessing");
  tx->meta_bytes = {meta, static_cast<size_t>(r.pos() - meta)};
  if (v1) {
    sx::LedgerEntryChangesView post;
    XDR_CHECK_FIELD(r, WalkChanges(r, &post), "postTxApplyFeeProcessing");
    tx->post_apply_fee_processing = post;
  }
  return true;
}

bool LedgerCloseMetaFrame::WalkTransactionMeta(sx::Reader& r, AppliedTransaction* tx) {
  tx->meta = sx::TransactionMetaView(r.pos());
  tx->first_operation_meta = static_cast<uint32_t>(operation_metas_.size());
  int32_t version = 0;
  if (!r.ReadI32(&version)) return false;
  // The union's arms: v0 is the operations alone, v1-v4 are structs.
  static constexpr const char* kArms[] = {"operations", "v1", "v2", "v3", "v4"};
  if (version < 0 || version > 4) return r.FailDiscriminant(version);
  XDR_CHECK_FIELD(r,
                  version == 0 ? WalkOperationMetas(r, /*v2=*/false)
                               : WalkTransactionMetaFields(r, version, tx),
                  kArms[version]);
  tx->operation_meta_count =
      static_cast<uint32_t>(operation_metas_.size()) - tx->first_operation_meta;
  return true;
}

bool LedgerCloseMetaFrame::WalkTransactionMetaFields(sx::Reader& r, int32_t version,
                                                     AppliedTransaction* tx) {
  // v1 is the transaction's changes, then the operations; v2 adds the changes after
  // them; v3+ opens with an extension point and ends with the Soroban meta (and v4 with
  // transaction and diagnostic events).
  sx::LedgerEntryChangesView changes;
  if (version >= 3) XDR_CHECK_FIELD(r, sx::ValidateExtensionPoint(r), "ext");
  XDR_CHECK_FIELD(r, WalkChanges(r, &changes),
                  version == 1 ? "txChanges" : "txChangesBefore");
  XDR_CHECK_FIELD(r, WalkOperationMetas(r, /*v2=*/version >= 4), "operations");
  if (version == 1) return true;
  XDR_CHECK_FIELD(r, WalkChanges(r, &changes), "txChangesAfter");
  tx->changes_after = changes;
  if (version == 2) return true;
  // Views are read only once their bytes are validated (they may be truncated).
  const uint8_t* soroban = r.pos();
  if (version == 3) {
    XDR_CHECK_FIELD(r, WalkOptional<sx::ValidateSorobanTransactionMeta>(r),
                    "sorobanMeta");
    if (auto meta = sx::OptionalCodec<sx::SorobanTransactionMetaView>::Load(soroban))
      tx->soroban_meta_v3 = meta.value();
    return true;
  }
  XDR_CHECK_FIELD(r, WalkOptional<sx::ValidateSorobanTransactionMetaV2>(r),
                  "sorobanMeta");
  if (auto meta = sx::OptionalCodec<sx::SorobanTransactionMetaV2View>::Load(soroban))
    tx->soroban_meta_v4 = meta.value();
  const uint8_t* events = r.pos();
  XDR_CHECK_FIELD(
      r, WalkPlainArray<sx::ValidateTransactionEvent>(r, kMinTransactionEvent), "events");
  tx->transaction_events = sx::ArrayCodec<sx::TransactionEventView>::Load(events);
  const uint8_t* diagnostics = r.pos();
  XDR_CHECK_FIELD(r, WalkPlainArray<sx::ValidateDiagnosticEvent>(r, kMinDiagnosticEvent),
                  "diagnosticEvents");
  tx->diagnostic_events = sx::ArrayCodec<sx::DiagnosticEventView>::Load(diagnostics);
  return true;
}

bool LedgerCloseMetaFrame::WalkOperationMetas(sx::Reader& r, bool v2) {
  return WalkArray(r, v2 ? kMinOperationMetaV2 : kMinOperationMeta, [&](uint32_t) {
    OperationMetaParts parts;
    if (v2) XDR_CHECK_FIELD(r, sx::ValidateExtensionPoint(r), "ext");
    XDR_CHECK_FIELD(r, WalkChanges(r, &parts.changes), "changes");
    if (v2) {
      const uint8_t* events = r.pos();
      XDR_CHECK_FIELD(r, WalkPlainArray<sx::ValidateContractEvent>(r, kMinContractEvent),
                      "events");
      parts.events = sx::ArrayCodec<sx::ContractEventView>::Load(events);
    }
    operation_metas_.push_back(parts);
    return true;
  });
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
    hashes[i] =
        SignedTransactionHash(envelopes_[i].type(), signed_transactions_[i], network_id);
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
