// Batch work over a ledger range: ledgers read from a source in chunks, each chunk
// converted into the tables, with every ledger's sequence and close time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <arrow/result.h>

#include "convert/ledger_converter.h"
#include "ingest/ledger_source.h"

namespace sas::pipeline {

/// One ledger of a chunk: sequence, close time (unix seconds) and size.
struct LedgerInfo {
  uint32_t sequence = 0;
  int64_t close_time = 0;
  int64_t bytes = 0;
};

/// A converted chunk of consecutive ledgers.
struct ConvertedLedgers {
  std::vector<LedgerInfo> ledgers;
  convert::ConvertedChunk chunk;
};

/// Reads and converts a source chunk by chunk.
class ChunkReader {
 public:
  /// Reads `source` in chunks of `chunk_ledgers`, converting with `options`.
  static arrow::Result<std::unique_ptr<ChunkReader>> Make(
      std::unique_ptr<ingest::LedgerSource> source, convert::ConverterOptions options,
      size_t chunk_ledgers = 64);

  /// Returns the next chunk, or nullopt after the source's last ledger.
  arrow::Result<std::optional<ConvertedLedgers>> Next();

  /// Use Make().
  ChunkReader(std::unique_ptr<ingest::LedgerSource> source,
              std::unique_ptr<convert::LedgerConverter> converter, size_t chunk_ledgers);

 private:
  std::unique_ptr<ingest::LedgerSource> source_;
  std::unique_ptr<convert::LedgerConverter> converter_;
  size_t chunk_ledgers_;
  std::optional<uint32_t> last_sequence_;
};

}  // namespace sas::pipeline
