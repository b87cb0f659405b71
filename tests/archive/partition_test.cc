#include "archive/partition.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace sas::archive {
namespace {

// 2022-06-10T04:24:34Z
constexpr int64_t kCloseTime = 1654835074;

TEST(Partitioning, GoLayoutsUseTheCloseTimeInUtc) {
  ASSERT_OK_AND_ASSIGN(auto go, Partitioning::Parse("2006/01/02"));
  EXPECT_EQ(go.FolderOf(1, kCloseTime), "2022/06/10");
  ASSERT_OK_AND_ASSIGN(auto hive, Partitioning::Parse("date=2006-01-02"));
  EXPECT_EQ(hive.FolderOf(1, kCloseTime), "date=2022-06-10");
  ASSERT_OK_AND_ASSIGN(auto hourly, Partitioning::Parse("2006/01/02/15"));
  EXPECT_EQ(hourly.FolderOf(1, kCloseTime), "2022/06/10/04");
}

TEST(Partitioning, LedgerRangesHaveAFixedWidth) {
  ASSERT_OK_AND_ASSIGN(auto ranges, Partitioning::Parse("ledger_range:1000"));
  EXPECT_EQ(ranges.FolderOf(1410048, 0), "ledger_range=1410000-1410999");
  ASSERT_OK_AND_ASSIGN(auto defaults, Partitioning::Parse("ledger_range"));
  EXPECT_EQ(defaults.FolderOf(5, 0), "ledger_range=0-9999");
}

TEST(Partitioning, RejectsFormatsItCannotHonour) {
  for (const char* format :
       {"", "daily", "ledger_range:0", "ledger_range:x", "/2006", "../2006/01"}) {
    EXPECT_FALSE(Partitioning::Parse(format).ok()) << format;
  }
}

}  // namespace
}  // namespace sas::archive
