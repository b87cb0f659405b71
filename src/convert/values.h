// Renderings of XDR values shared by the tables: accounts as StrKeys, assets as
// type/code/issuer, hex, memo text.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stellar_xdr_views.h"
#include "xdr/inline_text.h"
#include "xdr/ledger_close_meta.h"
#include "xdr/strkey.h"

namespace sas::convert {

namespace sx = stellar::xdr;

/// An account as the tables show it: `G…`, plus the `M…` form and id when muxed.
struct AccountColumns {
  xdr::StrKeyText account;
  std::optional<xdr::StrKeyText> muxed;
  std::optional<uint64_t> muxed_id;
};

/// An asset code without its NUL padding (at most 12 characters).
using AssetCodeText = xdr::InlineText<12>;

/// `native` or `CODE:ISSUER`.
using CanonicalAssetText = xdr::InlineText<12 + 1 + xdr::StrKeyText::capacity()>;

/// An asset as the tables show it.
struct AssetColumns {
  std::string_view type;
  std::optional<AssetCodeText> code;
  std::optional<xdr::StrKeyText> issuer;
};

/// Returns the `G…` StrKey of an account id.
xdr::StrKeyText AccountId(sx::PublicKeyView account);

/// Returns the `C…` id of the contract whose ContractIDPreimage encodes as `preimage`, in
/// the network `network_id`: SHA-256 of the HashIDPreimage ENVELOPE_TYPE_CONTRACT_ID.
xdr::StrKeyText ContractIdFromPreimage(std::span<const uint8_t> preimage,
                                       const xdr::Digest& network_id);

/// Returns the columns of a possibly muxed account.
AccountColumns MuxedAccount(sx::MuxedAccountView account);

/// Returns the columns of an asset.
AssetColumns Asset(sx::AssetView asset);

/// Returns the columns of a trust-line change asset (pool shares have no code or issuer).
AssetColumns Asset(sx::ChangeTrustAssetView asset);

/// Returns `native` or `CODE:ISSUER`.
CanonicalAssetText CanonicalAsset(sx::AssetView asset);

/// Returns `CODE:ISSUER`.
CanonicalAssetText CanonicalIssuedAsset(std::string_view code, std::string_view issuer);

/// Returns an asset code without its trailing NUL padding.
AssetCodeText AssetCode(std::span<const uint8_t> padded);

/// Returns true when `bytes` are valid UTF-8.
bool IsValidUtf8(std::span<const uint8_t> bytes);

/// Returns `text` when it is valid UTF-8, else a copy with each byte from 0x80 replaced
/// by U+FFFD.
std::string Utf8OrReplaced(std::string_view text);

/// Returns the ledger's close time as microseconds since the epoch (timestamp[us, UTC]).
inline int64_t CloseTimeMicros(const xdr::LedgerCloseMetaFrame& frame) {
  constexpr int64_t kMicrosPerSecond = 1'000'000;
  return static_cast<int64_t>(frame.header().scpValue().closeTime()) * kMicrosPerSecond;
}

/// Returns the Horizon name of an operation type, e.g. `path_payment_strict_send`.
std::string_view OperationTypeName(sx::OperationType type);

}  // namespace sas::convert
