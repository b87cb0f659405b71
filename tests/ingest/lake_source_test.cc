#include "ingest/lake_source.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::ingest {
namespace {

namespace fs = std::filesystem;

fs::path FixtureLake() {
  return fs::absolute(sas::testing::TestdataDir() / "derived" /
                      "lake-testnet-lighthorizon-1perfile")
      .lexically_normal();
}

/// A lake in a temporary folder holding the fixture lake's objects for `first..last`.
class TempLake {
 public:
  TempLake(uint32_t first, uint32_t last)
      : root_(fs::temp_directory_path() / ("sas_lake_" + std::to_string(::getpid()))) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::copy_file(FixtureLake() / ".config.json", root_ / ".config.json");
    for (uint32_t sequence = first; sequence <= last; ++sequence) Add(sequence);
  }
  ~TempLake() { fs::remove_all(root_); }

  /// Publishes the object of `sequence` (as Galexie would: the key computed from it).
  void Add(uint32_t sequence) {
    LakeManifest manifest{"", 1, 64000, "zstd"};
    std::string key = LakeObjectKey(manifest, sequence, "zst");
    fs::create_directories((root_ / key).parent_path());
    fs::copy_file(FixtureLake() / key, root_ / key);
  }

  std::string uri() const { return "file://" + root_.string(); }

 private:
  fs::path root_;
};

TEST(LakeLedgerSource, DeliversTheRangeInOrderExactlyOnce) {
  LakeSourceOptions options;
  options.uri = "file://" + FixtureLake().string();
  options.start = 1410100;
  options.end = 1410199;
  options.workers = 3;
  options.prefetch_bytes = 64 << 10;  // smaller than a few objects: the bound must hold
  ASSERT_OK_AND_ASSIGN(auto source, LakeLedgerSource::Open(options));
  uint32_t expected = 1410100;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto ledger, source->Next());
    if (!ledger) break;
    EXPECT_EQ(ledger->sequence, expected++);
  }
  EXPECT_EQ(expected, 1410200u);
}

TEST(LakeLedgerSource, MissingObjectInsideTheRangeIsAnErrorNamingIt) {
  TempLake lake(1410048, 1410052);
  LakeSourceOptions options;
  options.uri = lake.uri();
  options.start = 1410048;
  options.end = 1410060;
  ASSERT_OK_AND_ASSIGN(auto source, LakeLedgerSource::Open(options));
  for (int i = 0; i < 5; ++i) ASSERT_OK(source->Next().status());
  auto missing = source->Next();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("FFEA7BFA--1410053"), std::string::npos)
      << missing.status();
}

TEST(LakeLedgerSource, LiveTailWaitsForTheNextObject) {
  TempLake lake(1410048, 1410049);
  LakeSourceOptions options;
  options.uri = lake.uri();
  options.start = 1410048;
  options.tail_poll = std::chrono::milliseconds(20);
  ASSERT_OK_AND_ASSIGN(auto source, LakeLedgerSource::Open(options));
  ASSERT_OK_AND_ASSIGN(auto first, source->Next());
  ASSERT_OK_AND_ASSIGN(auto second, source->Next());
  EXPECT_EQ(second->sequence, 1410049u);
  std::thread publisher([&lake] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    lake.Add(1410050);
  });
  ASSERT_OK_AND_ASSIGN(auto third, source->Next());
  publisher.join();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->sequence, 1410050u);
}

TEST(LakeLedgerSource, BadOptionsAreRejected) {
  LakeSourceOptions options;
  options.uri = "file://" + FixtureLake().string();
  options.start = 10;
  options.end = 5;
  EXPECT_TRUE(LakeLedgerSource::Open(options).status().IsInvalid());
}

}  // namespace
}  // namespace sas::ingest
