#include "ingest/galexie_lake.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::ingest {
namespace {

LakeManifest Manifest(uint32_t ledgers_per_batch, uint32_t batches_per_partition) {
  return {"Test SDF Network ; September 2015", ledgers_per_batch, batches_per_partition,
          "zstd"};
}

TEST(GalexieLake, KeysFollowTheSep54Table) {
  // (batches per partition, sequence, ledgers per batch) -> key, from the Go SDK's tests.
  struct Case {
    uint32_t partition;
    uint32_t sequence;
    uint32_t per_batch;
    const char* key;
  };
  for (const Case& c : {
           Case{0, 5, 1, "FFFFFFFA--5.xdr.zst"},
           Case{0, 5, 10, "FFFFFFFF--0-9.xdr.zst"},
           Case{2, 10, 100, "FFFFFFFF--0-199/FFFFFFFF--0-99.xdr.zst"},
           Case{2, 150, 50, "FFFFFF9B--100-199/FFFFFF69--150-199.xdr.zst"},
           Case{2, 300, 200, "FFFFFFFF--0-399/FFFFFF37--200-399.xdr.zst"},
           Case{2, 1, 1, "FFFFFFFF--0-1/FFFFFFFE--1.xdr.zst"},
           Case{4, 10, 100, "FFFFFFFF--0-399/FFFFFFFF--0-99.xdr.zst"},
           Case{4, 250, 50, "FFFFFF37--200-399/FFFFFF05--250-299.xdr.zst"},
           Case{1, 300, 200, "FFFFFF37--200-399.xdr.zst"},
           Case{1, 1, 1, "FFFFFFFE--1.xdr.zst"},
           Case{64000, 53312000, 1,
                "FCD285FF--53312000-53375999/FCD285FF--53312000.xdr.zst"},
       }) {
    EXPECT_EQ(LakeObjectKey(Manifest(c.per_batch, c.partition), c.sequence, "zst"),
              c.key);
  }
}

TEST(GalexieLake, ManifestIsChecked) {
  ASSERT_OK_AND_ASSIGN(auto manifest,
                       ParseLakeManifest(R"({"networkPassphrase":"X","version":"1.0",
                         "compression":"zstd","ledgersPerBatch":32,"batchesPerPartition":4})"));
  EXPECT_EQ(manifest.ledgers_per_batch, 32u);
  EXPECT_EQ(manifest.batches_per_partition, 4u);
  EXPECT_FALSE(ParseLakeManifest("not json").ok());
  EXPECT_FALSE(ParseLakeManifest(R"({"networkPassphrase":"X","ledgersPerBatch":0,
                                    "batchesPerPartition":1})")
                   .ok());
  auto gzip = ParseLakeManifest(R"({"networkPassphrase":"X","ledgersPerBatch":1,
                                   "batchesPerPartition":1,"compression":"gzip"})");
  ASSERT_FALSE(gzip.ok());
  EXPECT_NE(gzip.status().message().find("unsupported compression"), std::string::npos);
}

std::string LakeUri(const char* name) {
  return "file://" +
         std::filesystem::absolute(sas::testing::TestdataDir() / "derived" / name)
             .lexically_normal()
             .string();
}

TEST(GalexieLake, ReadsBothFixtureLakesInOrder) {
  for (const char* name :
       {"lake-testnet-lighthorizon-1perfile", "lake-testnet-lighthorizon-32perfile"}) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(auto lake, GalexieLake::Open(LakeUri(name), ""));
    uint32_t next = 1410048;
    while (next <= 1410367) {
      ASSERT_OK_AND_ASSIGN(auto batch, lake->ReadBatch(next));
      for (const auto& ledger : batch) {
        if (ledger.sequence < next) continue;
        EXPECT_EQ(ledger.sequence, next);
        ++next;
      }
    }
  }
}

TEST(GalexieLake, WrongNetworkAndMissingObjectsAreNamed) {
  auto wrong = GalexieLake::Open(LakeUri("lake-testnet-lighthorizon-1perfile"),
                                 "Public Global Stellar Network ; September 2015");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("Test SDF Network"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto lake,
                       GalexieLake::Open(LakeUri("lake-testnet-lighthorizon-1perfile"),
                                         "Test SDF Network ; September 2015"));
  ASSERT_OK(lake->ReadBatch(1410048).status());
  auto missing = lake->ReadBatch(1410368);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(
      missing.status().message().find("FFEA83FF--1408000-1471999/FFEA7ABF--1410368"),
      std::string::npos)
      << missing.status();
  EXPECT_FALSE(GalexieLake::Open("file:///nonexistent/lake", "").ok());
}

}  // namespace
}  // namespace sas::ingest
