#include "pipeline/table_stream.h"

#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>

#include <arrow/array.h>
#include <gtest/gtest.h>

#include "ingest/lake_source.h"
#include "ingest/source_uri.h"
#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::pipeline {
namespace {

constexpr uint32_t kLakeFirst = 1410048;
constexpr uint32_t kLakeLast = 1410367;
constexpr const char* kTestnet = "Test SDF Network ; September 2015";

std::string LakeUri() {
  return "file://" + std::filesystem::absolute(sas::testing::TestdataDir() / "derived" /
                                               "lake-testnet-lighthorizon-32perfile")
                         .string();
}

HistoryOpener LakeHistory() {
  return [](uint32_t start, std::optional<uint32_t> end)
             -> arrow::Result<std::unique_ptr<ingest::LedgerSource>> {
    ingest::SourceRequest request;
    request.uri = LakeUri();
    request.network_passphrase = kTestnet;
    request.start = start;
    request.end = end;
    return ingest::OpenLedgerSource(request);
  };
}

/// A hub over the lake from `first` to its last ledger, waited for until it has it all
/// (joined into segments of `segment_ledgers` ledgers; 0: never).
std::shared_ptr<LedgerHub> LakeHub(uint32_t first, int64_t retain_bytes,
                                   uint32_t segment_ledgers = 64) {
  HubOptions options;
  options.converter.network_passphrase = kTestnet;
  options.retain_bytes = retain_bytes;
  options.segment_ledgers = segment_ledgers;
  auto source = LakeHistory()(first, kLakeLast);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  auto hub = LedgerHub::Start(std::move(*source), first, options);
  EXPECT_TRUE(hub.ok()) << hub.status().ToString();
  while ((*hub)->Get(UINT32_MAX, 0).status.ok()) {
    (*hub)->WaitFor(UINT32_MAX, std::chrono::milliseconds(50));
  }
  return *hub;
}

TableStreamOptions Options(int64_t batch_rows) {
  TableStreamOptions options;
  options.batch_rows = batch_rows;
  options.converter.network_passphrase = kTestnet;
  return options;
}

/// Reads a stream to its end; returns the ledger sequences of its rows.
std::vector<uint32_t> Sequences(TableStream* stream, int64_t max_batch_rows) {
  std::vector<uint32_t> sequences;
  while (true) {
    auto batch = stream->Next();
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok() || !*batch) return sequences;
    EXPECT_GT((*batch)->num_rows(), 0);
    EXPECT_LE((*batch)->num_rows(), max_batch_rows);
    EXPECT_TRUE((*batch)->schema()->Equals(*stream->schema(), false));
    auto column = std::static_pointer_cast<arrow::UInt32Array>(
        (*batch)->GetColumnByName("ledger_sequence"));
    for (int64_t i = 0; i < column->length(); ++i) sequences.push_back(column->Value(i));
  }
}

std::vector<uint32_t> Iota(uint32_t first, uint32_t last) {
  std::vector<uint32_t> values;
  for (uint32_t v = first; v <= last; ++v) values.push_back(v);
  return values;
}

TEST(TableStream, JoinsHistoryAndTheLiveHubWithoutGapOrDuplicate) {
  auto hub = LakeHub(1410300, int64_t{1} << 30);
  TableRange range{convert::Table::kStellarLedger, 1410280, 1410320};
  ASSERT_OK_AND_ASSIGN(auto stream,
                       TableStream::Make(range, hub, LakeHistory(), Options(7)));
  EXPECT_EQ(Sequences(stream.get(), 7), Iota(1410280, 1410320));
}

TEST(TableStream, HubBatchesAreFilledWithWholeLedgersLeavingNoSlivers) {
  constexpr int64_t kBatchRows = 40;
  // Loose ledgers only (joined into batches), then segments of 8 (sliced).
  for (uint32_t segment_ledgers : {0u, 8u}) {
    SCOPED_TRACE("segment_ledgers " + std::to_string(segment_ledgers));
    auto hub = LakeHub(kLakeFirst, int64_t{1} << 30, segment_ledgers);
    TableRange range{convert::Table::kOperations, kLakeFirst, kLakeLast};
    ASSERT_OK_AND_ASSIGN(auto stream,
                         TableStream::Make(range, hub, nullptr, Options(kBatchRows)));
    std::vector<std::vector<uint32_t>> batches;
    std::map<uint32_t, int64_t> rows_of_ledger;
    while (true) {
      ASSERT_OK_AND_ASSIGN(auto batch, stream->Next());
      if (!batch) break;
      auto column = std::static_pointer_cast<arrow::UInt32Array>(
          batch->GetColumnByName("ledger_sequence"));
      batches.emplace_back(column->raw_values(), column->raw_values() + column->length());
      for (uint32_t sequence : batches.back()) ++rows_of_ledger[sequence];
    }
    ASSERT_GT(batches.size(), 2u);
    // Segments are joined from the hub's first ledger on, segment_ledgers at a time.
    auto segment_of = [&](uint32_t sequence) {
      return segment_ledgers == 0 ? 0 : (sequence - kLakeFirst) / segment_ledgers;
    };
    int checked = 0;
    for (size_t i = 0; i + 1 < batches.size(); ++i) {
      uint32_t last = batches[i].back();
      uint32_t next = batches[i + 1].front();
      if (rows_of_ledger[last] > kBatchRows) continue;     // a ledger larger than a batch
      if (segment_of(last) != segment_of(next)) continue;  // a slice ends at its segment
      auto rows = static_cast<int64_t>(batches[i].size());
      EXPECT_GT(rows + rows_of_ledger[next], kBatchRows)
          << "batch " << i << " of " << rows << " rows had room for ledger " << next;
      ++checked;
    }
    EXPECT_GT(checked, 0);
  }
}

TEST(TableStream, AHistoricalRangeBeforeTheHubEndsAtItsEnd) {
  auto hub = LakeHub(1410300, int64_t{1} << 30);
  TableRange range{convert::Table::kStellarLedger, 1410050, 1410052};
  ASSERT_OK_AND_ASSIGN(auto stream,
                       TableStream::Make(range, hub, LakeHistory(), Options(7)));
  EXPECT_EQ(Sequences(stream.get(), 7), Iota(1410050, 1410052));
}

TEST(TableStream, ReadsFromHistoryWhatTheHubEvicted) {
  auto hub = LakeHub(1410300, 1);
  EXPECT_EQ(hub->stats().ledgers_retained, 1u);
  TableRange range{convert::Table::kStellarLedger, 1410290, std::nullopt};
  auto options = Options(1000);
  int polls = 0;
  options.cancelled = [&] { return ++polls > 1000; };
  ASSERT_OK_AND_ASSIGN(auto stream,
                       TableStream::Make(range, hub, LakeHistory(), options));
  std::vector<uint32_t> sequences;
  while (sequences.size() < kLakeLast - 1410290 + 1) {
    ASSERT_OK_AND_ASSIGN(auto batch, stream->Next());
    ASSERT_NE(batch, nullptr);
    auto column = std::static_pointer_cast<arrow::UInt32Array>(
        batch->GetColumnByName("ledger_sequence"));
    for (int64_t i = 0; i < column->length(); ++i) sequences.push_back(column->Value(i));
  }
  EXPECT_EQ(sequences, Iota(1410290, kLakeLast));
}

TEST(TableStream, ATailWithoutHistoryThatFellBehindIsToldSo) {
  auto hub = LakeHub(1410300, 1);
  TableRange range{convert::Table::kOperations, 1410300, std::nullopt};
  ASSERT_OK_AND_ASSIGN(auto stream,
                       TableStream::Make(range, hub, nullptr, Options(1000)));
  auto batch = stream->Next();
  ASSERT_FALSE(batch.ok());
  EXPECT_TRUE(batch.status().IsIndexError());
  EXPECT_NE(batch.status().message().find("no longer held"), std::string::npos);
}

TEST(TableStream, HistoryOnlyRangesCountEveryOperation) {
  TableRange range{convert::Table::kOperations, kLakeFirst, kLakeLast};
  ASSERT_OK_AND_ASSIGN(auto stream,
                       TableStream::Make(range, nullptr, LakeHistory(), Options(100)));
  std::vector<uint32_t> sequences = Sequences(stream.get(), 100);
  EXPECT_FALSE(sequences.empty());
  EXPECT_TRUE(std::is_sorted(sequences.begin(), sequences.end()));
  EXPECT_GE(sequences.front(), kLakeFirst);
  EXPECT_LE(sequences.back(), kLakeLast);
}

TEST(TableStream, ALiveTailStartsAtTheNewestLedgerAndHonoursCancellation) {
  auto hub = LakeHub(1410360, int64_t{1} << 30);
  auto options = Options(1000);
  int polls = 0;
  options.cancelled = [&] { return ++polls > 3; };
  TableRange range{convert::Table::kStellarLedger, std::nullopt, std::nullopt};
  ASSERT_OK_AND_ASSIGN(auto stream, TableStream::Make(range, hub, nullptr, options));
  ASSERT_OK_AND_ASSIGN(auto batch, stream->Next());
  ASSERT_NE(batch, nullptr);
  EXPECT_EQ(batch->num_rows(), 1);
  auto next = stream->Next();
  EXPECT_FALSE(next.ok());
}

/// A history source that never delivers: its Next() waits until Cancel().
class StalledSource : public ingest::LedgerSource {
 public:
  arrow::Result<std::optional<ingest::SourcedLedger>> Next() override {
    std::unique_lock lock(mutex_);
    cancelled_cv_.wait(lock, [this] { return cancelled_; });
    return arrow::Status::Cancelled("stalled source cancelled");
  }
  void Cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    cancelled_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cancelled_cv_;
  bool cancelled_ = false;
};

/// A stream of every lake operation over a StalledSource history; sets `opened` once the
/// history is opened.
std::unique_ptr<TableStream> StalledHistoryStream(std::atomic<bool>* opened) {
  HistoryOpener stalled = [opened](uint32_t, std::optional<uint32_t>)
      -> arrow::Result<std::unique_ptr<ingest::LedgerSource>> {
    *opened = true;
    return std::make_unique<StalledSource>();
  };
  TableRange range{convert::Table::kOperations, kLakeFirst, kLakeLast};
  auto stream = TableStream::Make(range, nullptr, stalled, Options(100));
  EXPECT_TRUE(stream.ok()) << stream.status().ToString();
  return stream.ok() ? std::move(*stream) : nullptr;
}

TEST(TableStream, CancelFromAnotherThreadEndsAReadBlockedInTheHistorySource) {
  std::atomic<bool> opened{false};
  auto stream = StalledHistoryStream(&opened);
  ASSERT_NE(stream, nullptr);
  auto next = std::async(std::launch::async, [&stream] { return stream->Next(); });
  while (!opened) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(next.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  stream->Cancel();
  ASSERT_EQ(next.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_TRUE(next.get().status().IsCancelled());
}

TEST(TableStream, ACancelledStreamOpensNoHistory) {
  std::atomic<bool> opened{false};
  auto stream = StalledHistoryStream(&opened);
  ASSERT_NE(stream, nullptr);
  stream->Cancel();
  EXPECT_TRUE(stream->Next().status().IsCancelled());
  EXPECT_FALSE(opened);
}

TEST(TableStream, RejectsImpossibleRequests) {
  TableRange backwards{convert::Table::kOperations, 10, 5};
  EXPECT_FALSE(TableStream::Make(backwards, nullptr, LakeHistory(), Options(10)).ok());
  TableRange tail{convert::Table::kOperations, std::nullopt, std::nullopt};
  EXPECT_FALSE(TableStream::Make(tail, nullptr, LakeHistory(), Options(10)).ok());
  EXPECT_FALSE(TableStream::Make(tail, nullptr, nullptr, Options(10)).ok());
}

}  // namespace
}  // namespace sas::pipeline
