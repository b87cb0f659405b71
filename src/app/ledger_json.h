// The JSON summary of one ledger that `decode` and `ingest --print` write (one line
// each).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "xdr/ledger_close_meta.h"

namespace sas::app {

/// Returns the ledger's summary: sequence, versions, close time, hashes, transaction and
/// operation counts, header_hash_ok and, with a network id, tx_hashes_ok.
nlohmann::json LedgerJson(const xdr::LedgerCloseMetaFrame& frame,
                          const std::optional<xdr::Digest>& network_id);

}  // namespace sas::app
