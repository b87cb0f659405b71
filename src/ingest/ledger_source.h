// The one interface of every ledger source: ledgers from S (to E, or forever), in order,
// each exactly once.
#pragma once

#include <optional>

#include <arrow/result.h>

#include "ingest/galexie_lake.h"

namespace sas::ingest {

/// Delivers ledgers in order, each exactly once.
class LedgerSource {
 public:
  virtual ~LedgerSource() = default;

  /// Returns the next ledger, or nullopt once the requested end has been delivered.
  virtual arrow::Result<std::optional<SourcedLedger>> Next() = 0;

  /// Makes a blocked or later Next() return promptly (Cancelled); safe from any thread.
  virtual void Cancel() = 0;
};

}  // namespace sas::ingest
