#include "xdr/network.h"

#include <algorithm>
#include <array>

#include "xdr/ledger_close_meta.h"

namespace sas::xdr {
namespace {

constexpr std::string_view kPubnet = "Public Global Stellar Network ; September 2015";
constexpr std::string_view kTestnet = "Test SDF Network ; September 2015";

constexpr std::array kNamedNetworks = {
    NamedNetwork{"pubnet", kPubnet},
    NamedNetwork{"public", kPubnet},
    NamedNetwork{"mainnet", kPubnet},
    NamedNetwork{"testnet", kTestnet},
    NamedNetwork{"futurenet", "Test SDF Future Network ; October 2022"},
    NamedNetwork{"standalone", "Standalone Network ; February 2017"},
};

bool HashAmongResults(const Digest& hash, const LedgerCloseMetaFrame& frame) {
  return std::any_of(frame.transactions().begin(), frame.transactions().end(),
                     [&hash](const AppliedTransaction& tx) {
                       auto stored = tx.result.transactionHash();
                       return std::equal(stored.begin(), stored.end(), hash.begin());
                     });
}

}  // namespace

std::span<const NamedNetwork> KnownNetworks() { return kNamedNetworks; }

std::string ResolveNetworkPassphrase(std::string_view name_or_passphrase) {
  for (const NamedNetwork& network : kNamedNetworks) {
    if (network.name == name_or_passphrase) return std::string(network.passphrase);
  }
  return std::string(name_or_passphrase);
}

std::optional<std::string> DetectNetwork(const LedgerCloseMetaFrame& frame) {
  if (frame.tx_set_envelopes().empty()) return std::nullopt;
  auto first = frame.tx_set_envelopes().front();
  for (const NamedNetwork& network : kNamedNetworks) {
    if (HashAmongResults(TransactionHash(first, NetworkId(network.passphrase)), frame)) {
      return std::string(network.passphrase);
    }
  }
  return std::nullopt;
}

}  // namespace sas::xdr
