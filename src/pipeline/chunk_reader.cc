#include "pipeline/chunk_reader.h"

namespace sas::pipeline {

arrow::Result<std::unique_ptr<ChunkReader>> ChunkReader::Make(
    std::unique_ptr<ingest::LedgerSource> source, convert::ConverterOptions options,
    size_t chunk_ledgers) {
  if (chunk_ledgers == 0) return arrow::Status::Invalid("chunk_ledgers must be positive");
  ARROW_ASSIGN_OR_RAISE(auto converter,
                        convert::LedgerConverter::Make(std::move(options)));
  return std::make_unique<ChunkReader>(std::move(source), std::move(converter),
                                       chunk_ledgers);
}

ChunkReader::ChunkReader(std::unique_ptr<ingest::LedgerSource> source,
                         std::unique_ptr<convert::LedgerConverter> converter,
                         size_t chunk_ledgers)
    : source_(std::move(source)),
      converter_(std::move(converter)),
      chunk_ledgers_(chunk_ledgers) {}

arrow::Result<std::optional<ConvertedLedgers>> ChunkReader::Next() {
  std::vector<ingest::SourcedLedger> sourced;
  while (sourced.size() < chunk_ledgers_) {
    ARROW_ASSIGN_OR_RAISE(auto ledger, source_->Next());
    if (!ledger) break;
    if (last_sequence_ && ledger->sequence != *last_sequence_ + 1) {
      return arrow::Status::Invalid("source gave ledger ", ledger->sequence, " after ",
                                    *last_sequence_);
    }
    last_sequence_ = ledger->sequence;
    sourced.push_back(std::move(*ledger));
  }
  if (sourced.empty()) return std::nullopt;
  std::vector<std::span<const uint8_t>> spans;
  spans.reserve(sourced.size());
  for (const auto& ledger : sourced) spans.push_back(ledger.bytes);
  ConvertedLedgers converted;
  ARROW_ASSIGN_OR_RAISE(converted.chunk, converter_->Convert(spans));
  // Batch work needs every ledger of the range: a ledger best-effort mode dropped ends
  // it.
  if (!converted.chunk.errors.empty()) return converted.chunk.errors.front().status;
  for (const convert::ConvertedLedgerStamp& stamp : converted.chunk.converted) {
    const ingest::SourcedLedger& ledger = sourced[stamp.index];
    if (stamp.sequence != ledger.sequence) {
      return arrow::Status::Invalid("the source's ledger ", ledger.sequence,
                                    " holds the LedgerCloseMeta of ledger ",
                                    stamp.sequence);
    }
    converted.ledgers.push_back(
        {ledger.sequence, stamp.close_time, static_cast<int64_t>(ledger.bytes.size())});
  }
  return converted;
}

}  // namespace sas::pipeline
