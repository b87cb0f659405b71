#include "pipeline/table_stream.h"

#include <algorithm>
#include <utility>

namespace sas::pipeline {
namespace {

/// Most ledgers taken from the hub in one step.
constexpr size_t kMaxHubLedgers = 256;

}  // namespace

arrow::Result<std::unique_ptr<TableStream>> TableStream::Make(
    TableRange range, std::shared_ptr<LedgerHub> hub, HistoryOpener history,
    TableStreamOptions options) {
  if (!hub && !history) {
    return arrow::Status::Invalid("no ledger source is configured");
  }
  if (!range.start && !hub) {
    return arrow::Status::Invalid("a live tail needs a live source");
  }
  if (range.start && range.end && *range.end < *range.start) {
    return arrow::Status::Invalid("end ", *range.end, " is before start ", *range.start);
  }
  if (options.batch_rows < 1)
    return arrow::Status::Invalid("batch_rows must be positive");
  options.converter.tables = {range.table};
  ARROW_ASSIGN_OR_RAISE(auto converter,
                        convert::LedgerConverter::Make(options.converter));
  return std::make_unique<TableStream>(range, std::move(hub), std::move(history),
                                       std::move(options), std::move(converter));
}

TableStream::TableStream(TableRange range, std::shared_ptr<LedgerHub> hub,
                         HistoryOpener history, TableStreamOptions options,
                         std::unique_ptr<convert::LedgerConverter> converter)
    : range_(range),
      hub_(std::move(hub)),
      history_(std::move(history)),
      options_(std::move(options)),
      converter_(std::move(converter)),
      schema_(convert::TableSchema(range.table, options_.converter.include_xdr,
                                   options_.converter.network_passphrase)) {
  if (range_.start) {
    cursor_ = *range_.start;
  } else {
    cursor_ = hub_->newest().value_or(hub_->first_sequence());
  }
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> TableStream::Next() {
  while (ready_.empty()) {
    if (Done()) return nullptr;
    if (Cancelled()) return arrow::Status::Cancelled("stream cancelled");
    if (!hub_) {
      ARROW_RETURN_NOT_OK(TakeFromHistory(range_.end));
      continue;
    }
    HubLookup lookup = hub_->Get(
        cursor_, range_.end ? std::min<size_t>(kMaxHubLedgers, *range_.end - cursor_ + 1)
                            : kMaxHubLedgers);
    if (lookup.evicted) {
      if (!history_) {
        fell_behind_ = true;
        return arrow::Status::IndexError(
            "ledger ", cursor_,
            " is no longer held by the live source (oldest held: ", lookup.oldest,
            ") and no history source (LEDGER_LAKE_URI) is configured");
      }
      uint32_t limit = lookup.oldest - 1;
      if (range_.end) limit = std::min(limit, *range_.end);
      ARROW_RETURN_NOT_OK(TakeFromHistory(limit));
      continue;
    }
    ARROW_RETURN_NOT_OK(CheckLag(lookup));
    ARROW_ASSIGN_OR_RAISE(bool took, TakeFromHub(&lookup));
    if (took) continue;
    ARROW_RETURN_NOT_OK(lookup.status);
    hub_->WaitFor(cursor_, options_.poll);
  }
  auto batch = std::move(ready_.front());
  ready_.pop_front();
  return batch;
}

arrow::Result<bool> TableStream::TakeFromHub(HubLookup* lookup) {
  if (lookup->ledgers.empty()) return false;
  auto table = static_cast<size_t>(range_.table);
  // One batch from one source: a zero-copy slice of one segment, or loose ledgers joined.
  // A ledger of another source, or one that would overflow the batch, starts the next
  // batch, so that no sliver of a batch is left behind.
  const auto& first = lookup->ledgers.front();
  const Segment* segment = first->segment.get();
  int64_t segment_begin = segment ? first->segment_offsets[table] : 0;
  arrow::RecordBatchVector loose;
  int64_t rows = 0;
  size_t taken = 0;
  for (const auto& ledger : lookup->ledgers) {
    const auto& batch = ledger->tables[table];
    bool overflows = rows + batch->num_rows() > options_.batch_rows;
    if (taken > 0 && (ledger->segment.get() != segment || overflows)) break;
    cursor_ = ledger->sequence + 1;
    ++taken;
    rows += batch->num_rows();
    if (!segment && batch->num_rows() > 0) loose.push_back(batch);
    if (rows >= options_.batch_rows) break;
  }
  if (segment) {
    if (rows > 0) Enqueue(segment->tables[table]->Slice(segment_begin, rows));
  } else if (loose.size() == 1) {
    Enqueue(loose.front());
  } else if (loose.size() > 1) {
    ARROW_ASSIGN_OR_RAISE(
        auto joined, arrow::ConcatenateRecordBatches(loose, options_.converter.pool));
    Enqueue(joined);
  }
  return true;
}

arrow::Status TableStream::TakeFromHistory(std::optional<uint32_t> limit) {
  bool exhausted = history_end_ && cursor_ > *history_end_;
  if (!history_source_ || exhausted) {
    ARROW_ASSIGN_OR_RAISE(auto source, history_(cursor_, limit));
    ARROW_RETURN_NOT_OK(SetHistorySource(std::move(source)));
    history_end_ = limit;
  }
  std::vector<ingest::SourcedLedger> ledgers;
  while (ledgers.size() < options_.history_chunk && !(limit && cursor_ > *limit)) {
    ARROW_ASSIGN_OR_RAISE(auto ledger, history_source_->Next());
    if (!ledger) break;
    if (ledger->sequence != cursor_) {
      return arrow::Status::Invalid("history source gave ledger ", ledger->sequence,
                                    " where ", cursor_, " was due");
    }
    ledgers.push_back(std::move(*ledger));
    ++cursor_;
    if (Cancelled()) break;
  }
  if (ledgers.empty()) {
    return arrow::Status::IndexError("history source ended before ledger ", cursor_);
  }
  std::vector<std::span<const uint8_t>> spans;
  spans.reserve(ledgers.size());
  for (const auto& ledger : ledgers) spans.push_back(ledger.bytes);
  ARROW_ASSIGN_OR_RAISE(auto chunk, converter_->Convert(spans));
  for (const auto& batch : chunk.batches(range_.table)) Enqueue(batch);
  return arrow::Status::OK();
}

arrow::Status TableStream::SetHistorySource(
    std::unique_ptr<ingest::LedgerSource> source) {
  std::unique_ptr<ingest::LedgerSource> old;
  {
    std::lock_guard lock(history_mutex_);
    old = std::exchange(history_source_, std::move(source));
  }
  old.reset();  // closed outside the lock, which Cancel() takes
  // A Cancel() before the swap set the flag; one after it reaches the new source.
  if (cancel_requested_.load()) {
    return arrow::Status::Cancelled("stream cancelled");
  }
  return arrow::Status::OK();
}

void TableStream::Cancel() {
  cancel_requested_.store(true);
  std::lock_guard lock(history_mutex_);
  if (history_source_) history_source_->Cancel();
}

arrow::Status TableStream::CheckLag(const HubLookup& lookup) {
  if (range_.end || options_.max_lag_bytes <= 0) return arrow::Status::OK();
  if (lookup.bytes_behind <= options_.max_lag_bytes) {
    within_lag_ = true;
    return arrow::Status::OK();
  }
  if (!within_lag_) return arrow::Status::OK();  // still catching up from its start
  fell_behind_ = true;
  return arrow::Status::CapacityError(
      "this ", convert::TableName(range_.table), " stream fell ",
      lookup.bytes_behind >> 20, " MiB behind the live source (limit ",
      options_.max_lag_bytes >> 20,
      " MiB, CLIENT_MAX_LAG_MB): the client reads too slowly; resume with ticket ",
      convert::TableName(range_.table), ":", cursor_, ":");
}

void TableStream::Enqueue(const std::shared_ptr<arrow::RecordBatch>& batch) {
  for (int64_t offset = 0; offset < batch->num_rows(); offset += options_.batch_rows) {
    ready_.push_back(batch->Slice(offset, options_.batch_rows));
  }
}

}  // namespace sas::pipeline
