// Stellar networks: passphrases by name, network ids, and recognising a ledger's network
// from its transaction hashes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "xdr/sha256.h"

namespace sas::xdr {

class LedgerCloseMetaFrame;

/// A network users may name instead of giving the full passphrase.
struct NamedNetwork {
  std::string_view name;
  std::string_view passphrase;
};

/// Returns the networks known by name (pubnet, testnet, futurenet, standalone).
std::span<const NamedNetwork> KnownNetworks();

/// Resolves a network name (pubnet, public, mainnet, testnet, futurenet, standalone) to
/// its passphrase; anything else is taken as a passphrase.
std::string ResolveNetworkPassphrase(std::string_view name_or_passphrase);

/// Returns the passphrase of the known network in which the ledger's first transaction
/// hashes to a result hash; nullopt when the ledger has no transactions or none matches.
std::optional<std::string> DetectNetwork(const LedgerCloseMetaFrame& frame);

}  // namespace sas::xdr
