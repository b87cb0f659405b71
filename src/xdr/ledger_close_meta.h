// One wrapper over every LedgerCloseMeta version (V0, V1, V2) so that nothing else
// branches on versions: header, transactions in apply order joined with their envelopes,
// fee processing, upgrades and evicted keys. Model: stellar-core's LedgerCloseMetaFrame.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <arrow/result.h>

#include "stellar_xdr_views.h"
#include "xdr/sha256.h"

namespace sas::xdr {

namespace sx = stellar::xdr;

/// A 32-byte hash inside validated XDR.
using HashBytes = std::span<const uint8_t, 32>;

/// One operation's part of a transaction's meta.
struct OperationMetaParts {
  /// The ledger-entry changes the operation made.
  sx::LedgerEntryChangesView changes;
  /// The operation's contract events (TransactionMeta v4; empty before).
  sx::ArrayView<sx::ContractEventView> events;
};

/// One entry of txProcessing (apply order), whatever the LedgerCloseMeta version.
struct AppliedTransaction {
  /// 1-based position in apply order.
  uint32_t apply_order = 0;
  sx::TransactionResultPairView result{nullptr};
  sx::LedgerEntryChangesView fee_processing;
  sx::TransactionMetaView meta{nullptr};
  /// Fee refunds applied after all transactions (LedgerCloseMeta V2 only).
  std::optional<sx::LedgerEntryChangesView> post_apply_fee_processing;
  /// The envelope, once joined by hash (see LedgerCloseMetaFrame::JoinEnvelopes).
  std::optional<sx::TransactionEnvelopeView> envelope;
  /// The encoded TransactionMeta (its size found once, while parsing).
  std::span<const uint8_t> meta_bytes;
  /// Ledger-entry changes after the operations applied (TransactionMeta v2+).
  std::optional<sx::LedgerEntryChangesView> changes_after;
  /// The Soroban meta of a Soroban transaction (TransactionMeta v3 / v4).
  std::optional<sx::SorobanTransactionMetaView> soroban_meta_v3;
  std::optional<sx::SorobanTransactionMetaV2View> soroban_meta_v4;
  /// Transaction-level and diagnostic events (TransactionMeta v4; empty before).
  sx::ArrayView<sx::TransactionEventView> transaction_events;
  sx::ArrayView<sx::DiagnosticEventView> diagnostic_events;
  /// This transaction's operation metas among the frame's (see
  /// LedgerCloseMetaFrame::operation_metas).
  uint32_t first_operation_meta = 0;
  uint32_t operation_meta_count = 0;
};

/// Counts derived from transaction results.
struct ResultCounts {
  uint32_t transactions = 0;
  uint32_t successful = 0;
  uint32_t failed = 0;
  /// Operations of successful transactions (Horizon's and stellar-etl's operation count).
  uint32_t successful_operations = 0;
};

/// Read-only access to one validated LedgerCloseMeta of any version.
class LedgerCloseMetaFrame {
 public:
  /// Validates `bytes` as exactly one LedgerCloseMeta; the bytes must outlive the frame.
  static arrow::Result<LedgerCloseMetaFrame> Parse(std::span<const uint8_t> bytes);

  /// Returns the LedgerCloseMeta union version (0, 1 or 2).
  int32_t version() const { return version_; }
  /// Returns the encoded LedgerCloseMeta.
  std::span<const uint8_t> bytes() const { return bytes_; }
  /// Returns the ledger header with its stored hash.
  sx::LedgerHeaderHistoryEntryView header_entry() const { return header_entry_; }
  /// Returns the ledger header.
  sx::LedgerHeaderView header() const { return header_entry_.header(); }
  /// Returns the ledger sequence number.
  uint32_t sequence() const { return header().ledgerSeq(); }
  /// Returns the stored hash of the ledger header.
  HashBytes ledger_hash() const { return header_entry_.hash(); }
  /// Returns the hash of the previous ledger's header.
  HashBytes previous_ledger_hash() const { return header().previousLedgerHash(); }
  /// Returns true when SHA-256 of the encoded header equals the stored hash.
  bool HeaderHashMatches() const;

  /// Returns the transactions in apply order.
  const std::vector<AppliedTransaction>& transactions() const { return transactions_; }
  /// Returns the meta of each operation of `tx` (found while parsing: readers need not
  /// walk the changes of the operations before the one they want).
  std::span<const OperationMetaParts> operation_metas(
      const AppliedTransaction& tx) const {
    return std::span(operation_metas_)
        .subspan(tx.first_operation_meta, tx.operation_meta_count);
  }
  /// Returns the envelopes of the transaction set, in the set's own order.
  const std::vector<sx::TransactionEnvelopeView>& tx_set_envelopes() const {
    return envelopes_;
  }
  /// Returns the upgrades applied at the end of the ledger.
  size_t upgrade_count() const { return upgrade_count_; }
  /// Returns the Soroban write fee per 1 KB when the ledger carries it (V1+ ext v1).
  std::optional<int64_t> soroban_fee_write_1kb() const { return soroban_fee_write_1kb_; }
  /// Returns the size of live Soroban state in bytes (V1+).
  std::optional<uint64_t> live_soroban_state_bytes() const { return live_state_bytes_; }
  /// Returns the number of evicted ledger keys (V1+).
  size_t evicted_key_count() const { return evicted_key_count_; }

  /// Counts transactions, successes, failures and successful operations from the results.
  ResultCounts CountResults() const;
  /// Returns the number of operations in the transaction set (fee-bump inner tx once).
  uint32_t TxSetOperationCount() const;

  /// Pairs every txProcessing entry with its envelope by transaction hash in the network
  /// `network_id`; fails naming the first result whose hash matches no envelope.
  arrow::Status JoinEnvelopes(const Digest& network_id);

 private:
  LedgerCloseMetaFrame() = default;

  // The parse is one validating walk: the spine down to each transaction's meta parts is
  // walked here, recording what the frame indexes, and every other value is checked by
  // the generated validators. Field order, element sizes and error paths are those of the
  // generated ValidateLedgerCloseMeta (a unit test compares the two on corrupted input).
  // Each step returns false with the error in the reader, like the generated ones.

  /// Walks a LedgerCloseMeta of any version.
  bool Walk(sx::Reader& r);
  /// Walks LedgerCloseMetaV0.
  bool WalkV0(sx::Reader& r);
  /// Walks LedgerCloseMetaV1 (`v2` false) or V2: GeneralizedTransactionSet, Soroban
  /// fields, evicted keys.
  bool WalkGeneralized(sx::Reader& r, bool v2);
  /// Walks the ledger header (field `ledgerHeader`).
  bool WalkHeader(sx::Reader& r);
  /// Walks field `txSet`: a GeneralizedTransactionSet, or (V0) a TransactionSet.
  bool WalkTransactionSetField(sx::Reader& r, bool generalized);
  /// Walks field `txProcessing` (see WalkProcessing).
  bool WalkProcessingField(sx::Reader& r, bool v1);
  /// Walks fields `upgradesProcessing` and `scpInfo`.
  bool WalkUpgradesAndScpInfo(sx::Reader& r);
  /// Walks a TransactionSet (LedgerCloseMetaV0) into envelopes_.
  bool WalkTransactionSet(sx::Reader& r);
  /// Walks a GeneralizedTransactionSet into envelopes_, phase by phase.
  bool WalkGeneralizedTransactionSet(sx::Reader& r);
  /// Walks one TransactionPhase into envelopes_.
  bool WalkTransactionPhase(sx::Reader& r);
  /// Walks an array of TransactionEnvelope into envelopes_.
  bool WalkEnvelopes(sx::Reader& r);
  /// Walks one TransactionEnvelope into envelopes_, with the bytes its hash signs.
  bool WalkEnvelope(sx::Reader& r);
  /// Walks txProcessing into transactions_ (TransactionResultMetaV1 entries when `v1`).
  bool WalkProcessing(sx::Reader& r, bool v1);
  /// Walks one txProcessing entry into `tx`.
  bool WalkAppliedTransaction(sx::Reader& r, bool v1, AppliedTransaction* tx);
  /// Walks a TransactionMeta, locating its parts in `tx` and operation_metas_.
  bool WalkTransactionMeta(sx::Reader& r, AppliedTransaction* tx);
  /// Walks the fields of TransactionMeta v1-v4 (`version`).
  bool WalkTransactionMetaFields(sx::Reader& r, int32_t version, AppliedTransaction* tx);
  /// Walks an array of OperationMeta (OperationMetaV2 when `v2`) into operation_metas_.
  bool WalkOperationMetas(sx::Reader& r, bool v2);

  std::span<const uint8_t> bytes_;
  int32_t version_ = 0;
  sx::LedgerHeaderHistoryEntryView header_entry_{nullptr};
  std::vector<AppliedTransaction> transactions_;
  std::vector<OperationMetaParts> operation_metas_;
  std::vector<sx::TransactionEnvelopeView> envelopes_;
  /// Per envelope, its (outer) transaction's encoding: what the transaction hash covers
  /// after the network id and envelope type.
  std::vector<std::span<const uint8_t>> signed_transactions_;
  size_t upgrade_count_ = 0;
  std::optional<int64_t> soroban_fee_write_1kb_;
  std::optional<uint64_t> live_state_bytes_;
  size_t evicted_key_count_ = 0;
};

/// Returns the sequence in the ledger header of `bytes` when the LedgerCloseMeta's start
/// (version, extension, header) is valid, whatever follows: for naming a ledger that
/// failed to parse.
std::optional<uint32_t> PeekLedgerSequence(std::span<const uint8_t> bytes);

/// Returns true for txSUCCESS and txFEE_BUMP_INNER_SUCCESS.
bool IsSuccess(sx::TransactionResultCode code);

/// Returns the number of operation results of a transaction result (inner for fee bumps).
uint32_t OperationResultCount(sx::TransactionResultView result);

/// Returns the number of operations of an envelope (the inner transaction's for fee
/// bumps).
uint32_t EnvelopeOperationCount(sx::TransactionEnvelopeView envelope);

/// Returns the hash that identifies `envelope` in the network `network_id`.
Digest TransactionHash(sx::TransactionEnvelopeView envelope, const Digest& network_id);

/// Returns the hash of a fee bump's inner transaction in the network `network_id`.
Digest InnerTransactionHash(sx::FeeBumpTransactionEnvelopeView envelope,
                            const Digest& network_id);

}  // namespace sas::xdr
