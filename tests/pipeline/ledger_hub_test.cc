#include "pipeline/ledger_hub.h"

#include <gtest/gtest.h>

#include "ingest/generator.h"
#include "testing/status_matchers.h"

namespace sas::pipeline {
namespace {

ingest::GeneratorOptions SmallGenerator() {
  ingest::GeneratorOptions options;
  options.start = 10;
  options.transactions_per_ledger = 20;
  options.accounts = 50;
  return options;
}

HubOptions SmallHub(int64_t retain_bytes) {
  HubOptions options;
  options.converter.network_passphrase = SmallGenerator().network_passphrase;
  options.retain_bytes = retain_bytes;
  return options;
}

std::shared_ptr<LedgerHub> StartHub(uint32_t last, int64_t retain_bytes) {
  auto source = std::make_unique<ingest::GeneratorLedgerSource>(SmallGenerator(), last);
  auto hub = LedgerHub::Start(std::move(source), 10, SmallHub(retain_bytes));
  EXPECT_TRUE(hub.ok()) << hub.status().ToString();
  return *hub;
}

/// Waits until the hub has failed or ended.
arrow::Status WaitUntilEnded(const LedgerHub& hub) {
  while (true) {
    HubLookup lookup = hub.Get(UINT32_MAX, 0);
    if (!lookup.status.ok()) return lookup.status;
    hub.WaitFor(UINT32_MAX, std::chrono::milliseconds(50));
  }
}

TEST(LedgerHub, ConvertsEveryLedgerOnceInOrder) {
  auto hub = StartHub(14, int64_t{1} << 30);
  arrow::Status ended = WaitUntilEnded(*hub);
  EXPECT_TRUE(ended.IsCancelled()) << ended.ToString();
  EXPECT_NE(ended.message().find("ended"), std::string::npos);
  HubLookup lookup = hub->Get(10, 100);
  ASSERT_EQ(lookup.ledgers.size(), 5u);
  for (size_t i = 0; i < lookup.ledgers.size(); ++i) {
    const auto& ledger = *lookup.ledgers[i];
    EXPECT_EQ(ledger.sequence, 10 + i);
    EXPECT_EQ(ledger.rows(convert::Table::kStellarLedger)->num_rows(), 1);
    EXPECT_EQ(ledger.rows(convert::Table::kTransactions)->num_rows(), 20);
  }
  EXPECT_EQ(hub->stats().ledgers_converted, 5u);
  EXPECT_EQ(hub->newest(), 14u);
}

TEST(LedgerHub, RetentionIsBoundedInBytesAndKeepsTheNewest) {
  auto hub = StartHub(29, 1);
  (void)WaitUntilEnded(*hub);
  HubStats stats = hub->stats();
  EXPECT_EQ(stats.ledgers_converted, 20u);
  EXPECT_EQ(stats.ledgers_retained, 1u);
  HubLookup old = hub->Get(10, 1);
  EXPECT_TRUE(old.evicted);
  EXPECT_EQ(old.oldest, 29u);
  EXPECT_EQ(hub->Get(29, 5).ledgers.size(), 1u);
}

TEST(LedgerHub, StopWakesWaitersAndEndsAPacedSource) {
  auto options = SmallGenerator();
  options.ledgers_per_second = 0.5;
  auto source = std::make_unique<ingest::GeneratorLedgerSource>(options, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto hub,
                       LedgerHub::Start(std::move(source), 10, SmallHub(1 << 30)));
  hub->Stop();
  hub->WaitFor(1000, std::chrono::seconds(5));
  EXPECT_TRUE(hub->Get(1000, 1).status.IsCancelled());
}

}  // namespace
}  // namespace sas::pipeline
