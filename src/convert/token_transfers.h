// CAP-67 token transfer events (transfer, mint, burn, clawback, fee) of a ledger: derived
// from operations, results and ledger-entry changes for all of history, or read from the
// events TransactionMeta v4 embeds. The rules are in docs/TOKEN_TRANSFERS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/util/decimal.h>

#include "convert/values.h"
#include "xdr/ledger_close_meta.h"
#include "xdr/strkey.h"

namespace sas::convert {

/// The kinds of token transfer event.
enum class TransferKind { kTransfer, kMint, kBurn, kClawback, kFee };

/// Returns "transfer", "mint", "burn", "clawback" or "fee".
std::string_view TransferKindName(TransferKind kind);

/// The asset an event moves: XLM, an issued asset, or none (custom SEP-41 tokens).
struct TokenAsset {
  enum class Kind { kNone, kNative, kIssued };
  Kind kind = Kind::kNone;
  AssetCodeText code;
  xdr::StrKeyText issuer;

  /// Returns "native", "CODE:ISSUER" or "" for none.
  CanonicalAssetText Canonical() const;
  bool operator==(const TokenAsset&) const = default;
};

/// One token movement; its keys are held inline, so an event allocates nothing unless it
/// carries destination multiplexing.
struct TokenTransferEvent {
  TransferKind kind = TransferKind::kTransfer;
  /// StrKeys (G…, M…, C…, B… claimable balance, L… liquidity pool); empty when absent.
  xdr::StrKeyText from;
  xdr::StrKeyText to;
  TokenAsset asset;
  /// Stroops for classic assets; fee refunds are negative.
  arrow::Decimal128 amount;
  /// The SAC contract of the asset, or the emitting contract.
  xdr::StrKeyText contract_id;
  /// 1-based position of the transaction in apply order.
  uint32_t transaction_index = 0;
  /// 1-based operation; absent for fees.
  std::optional<uint32_t> operation_index;
  /// Destination multiplexing: "id", "text" or "hash" (empty when none) and its value.
  std::string to_muxed_type;
  std::string to_muxed_value;

  bool operator==(const TokenTransferEvent&) const = default;
};

/// Receives token transfer events one at a time, in protocol order.
class TokenTransferSink {
 public:
  virtual ~TokenTransferSink() = default;

  /// Takes one event; an error stops the derivation.
  virtual arrow::Status Add(const TokenTransferEvent& event) = 0;
};

/// Parses one contract event as a token event (docs/TOKEN_TRANSFERS.md §3.4), in the
/// TransactionMeta v4 topic layout or the older one; nullopt for events that are not
/// token movements. Transaction and operation indices are left for the caller.
std::optional<TokenTransferEvent> ParseTokenContractEvent(
    stellar::xdr::ContractEventView event, bool v4_layout, const xdr::Digest& network_id);

/// Derives the events of a ledger whose envelopes are joined, in protocol order, into
/// `sink` as each is found (nothing is held back).
arrow::Status DeriveTokenTransfers(const xdr::LedgerCloseMetaFrame& frame,
                                   const xdr::Digest& network_id,
                                   TokenTransferSink* sink);

/// Derives the events of a ledger whose envelopes are joined, in protocol order.
arrow::Result<std::vector<TokenTransferEvent>> DeriveTokenTransfers(
    const xdr::LedgerCloseMetaFrame& frame, const xdr::Digest& network_id);

/// Reads the events embedded in TransactionMeta v4, in the same order; nullopt when a
/// transaction of the ledger has no v4 meta.
arrow::Result<std::optional<std::vector<TokenTransferEvent>>> EmbeddedTokenTransfers(
    const xdr::LedgerCloseMetaFrame& frame, const xdr::Digest& network_id);

}  // namespace sas::convert
