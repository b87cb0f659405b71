#include "pipeline/ledger_follower.h"

#include "ops/log.h"

namespace sas::pipeline {
namespace {

constexpr size_t kMaxLedgersPerChunk = 64;
constexpr auto kRetryAfterError = std::chrono::seconds(5);

/// Joins hub ledgers into one converted chunk (per table, one part per ledger).
ConvertedLedgers Assemble(
    const std::vector<std::shared_ptr<const ConvertedLedger>>& held) {
  ConvertedLedgers converted;
  for (const auto& ledger : held) {
    converted.ledgers.push_back({ledger->sequence, ledger->close_time, ledger->bytes});
    for (size_t t = 0; t < convert::kAllTables.size(); ++t) {
      converted.chunk.parts[t].push_back(ledger->tables[t]);
    }
  }
  return converted;
}

}  // namespace

LedgerFollower::LedgerFollower(std::string name, std::shared_ptr<LedgerHub> hub,
                               HistoryOpener history, convert::ConverterOptions converter,
                               uint32_t start, std::shared_ptr<LedgerSink> sink,
                               std::chrono::milliseconds tick)
    : name_(std::move(name)),
      hub_(std::move(hub)),
      history_(std::move(history)),
      converter_(std::move(converter)),
      sink_(std::move(sink)),
      tick_(tick),
      cursor_(start) {
  thread_ = std::thread([this] { Run(); });
}

LedgerFollower::~LedgerFollower() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (arrow::Status closed = sink_->Close(); !closed.ok()) {
    ops::LogError(name_, "closing failed", {{"error", closed.ToString()}});
  }
}

void LedgerFollower::Run() {
  auto last_tick = std::chrono::steady_clock::now();
  while (!stopping_) {
    arrow::Status status = Step();
    if (!status.ok() && !stopping_) {
      if (std::optional<uint32_t> resume = sink_->Rewind()) cursor_ = *resume;
      ops::LogError(name_, "failed; retrying",
                    {{"error", status.ToString()}, {"resume_at", cursor_.load()}});
      std::this_thread::sleep_for(kRetryAfterError);
    }
    if (std::chrono::steady_clock::now() - last_tick >= tick_) {
      last_tick = std::chrono::steady_clock::now();
      if (arrow::Status ticked = sink_->Tick(); !ticked.ok()) {
        ops::LogError(name_, "periodic flush failed", {{"error", ticked.ToString()}});
      }
    }
  }
}

arrow::Status LedgerFollower::Step() {
  uint32_t cursor = cursor_.load();
  HubLookup lookup = hub_->Get(cursor, kMaxLedgersPerChunk);
  if (lookup.evicted) {
    if (history_) return FromHistory(lookup.oldest - 1);
    ops::LogWarn(name_, "ledgers no longer held and no history configured; skipping them",
                 {{"from", cursor}, {"to", lookup.oldest - 1}});
    skipped_ += lookup.oldest - cursor;
    cursor_ = lookup.oldest;
    return arrow::Status::OK();
  }
  if (lookup.ledgers.empty()) {
    if (!lookup.status.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      return arrow::Status::OK();
    }
    hub_->WaitFor(cursor, std::chrono::milliseconds(200));
    return arrow::Status::OK();
  }
  ConvertedLedgers converted = Assemble(lookup.ledgers);
  ARROW_RETURN_NOT_OK(sink_->Consume(converted));
  cursor_ = converted.ledgers.back().sequence + 1;
  return arrow::Status::OK();
}

arrow::Status LedgerFollower::FromHistory(uint32_t last) {
  ARROW_ASSIGN_OR_RAISE(auto source, history_(cursor_.load(), last));
  ARROW_ASSIGN_OR_RAISE(auto reader, ChunkReader::Make(std::move(source), converter_));
  while (!stopping_) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, reader->Next());
    if (!chunk) break;
    ARROW_RETURN_NOT_OK(sink_->Consume(*chunk));
    cursor_ = chunk->ledgers.back().sequence + 1;
  }
  return arrow::Status::OK();
}

}  // namespace sas::pipeline
