#include "ingest/ledger_file.h"

#include <arrow/util/compression.h>
#include <gtest/gtest.h>

#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::ingest {
namespace {

using sas::testing::TestdataDir;

arrow::Result<LedgerFileContents> Read(
    const std::string& relative, LedgerFileFormat format = LedgerFileFormat::kAuto) {
  return ReadLedgerFile((TestdataDir() / relative).string(), format);
}

std::shared_ptr<arrow::Buffer> BufferOf(std::vector<uint8_t> bytes) {
  std::string text(bytes.begin(), bytes.end());
  return arrow::Buffer::FromString(std::move(text));
}

TEST(LedgerFile, DetectsEveryFixtureFormat) {
  struct Case {
    const char* file;
    LedgerFileFormat format;
    size_t ledgers;
  };
  for (const Case& c : {
           Case{"pubnet/wallet-backend/ledger-51000294.xdr", LedgerFileFormat::kRaw, 1},
           Case{"pubnet/stellar-go-ttp-example/ledgers-base64.txt",
                LedgerFileFormat::kBase64, 4},
           Case{"testnet/py-stellar-base-rpc-examples/metadataXdr-line723.b64",
                LedgerFileFormat::kBase64, 1},
           Case{"pubnet/stellar-go-compressxdr/FCD285FF--53312000.xdr.zstd",
                LedgerFileFormat::kGalexie, 1},
           Case{"coretest/horizon-test-lcms/PathPaymentTests/6b8dd7030be55252.xdr",
                LedgerFileFormat::kFramed, 0},
           Case{"standalone/galexie-load-test-ledgers-v23-standalone.xdr.zstd",
                LedgerFileFormat::kFramed, 3},
       }) {
    SCOPED_TRACE(c.file);
    ASSERT_OK_AND_ASSIGN(auto contents, Read(c.file));
    EXPECT_EQ(contents.format, c.format);
    if (c.ledgers > 0) {
      EXPECT_EQ(contents.ledgers.size(), c.ledgers);
    }
    EXPECT_FALSE(contents.ledgers.empty());
    for (const auto& ledger : contents.ledgers) EXPECT_OK(ledger.status);
  }
}

TEST(LedgerFile, Base64LinesEqualTheRawFiles) {
  ASSERT_OK_AND_ASSIGN(auto lines,
                       Read("pubnet/stellar-go-ttp-example/ledgers-base64.txt"));
  ASSERT_OK_AND_ASSIGN(auto raw,
                       Read("pubnet/stellar-go-ttp-example/line4-ledger-46154623.xdr"));
  ASSERT_EQ(lines.ledgers.size(), 4u);
  auto a = lines.ledgers[3].bytes;
  auto b = raw.ledgers[0].bytes;
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

TEST(LedgerFile, GalexieBatchRangeIsReportedAndChecked) {
  ASSERT_OK_AND_ASSIGN(auto batch,
                       Read("../testdata/derived/lake-testnet-lighthorizon-32perfile/"
                            "FFEA7BFF--1410048-1410175/"
                            "FFEA7BFF--1410048-1410079.xdr.zst"));
  ASSERT_TRUE(batch.batch.has_value());
  EXPECT_EQ(batch.batch->start, 1410048u);
  EXPECT_EQ(batch.batch->end, 1410079u);
  EXPECT_EQ(batch.ledgers.size(), 32u);

  // start 5, end 6, but a count of 3.
  auto bad = SplitLedgerCloseMetaBatch(BufferOf({0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 3}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "LedgerCloseMetaBatch: start 5 end 6 but 3 ledgers");
}

TEST(LedgerFile, CorruptLedgerInABatchIsNamedAndEarlierLedgersKept) {
  ASSERT_OK_AND_ASSIGN(auto good,
                       Read("../testdata/derived/lake-testnet-lighthorizon-32perfile/"
                            "FFEA7BFF--1410048-1410175/"
                            "FFEA7BFF--1410048-1410079.xdr.zst"));
  const auto& data = good.buffers.back();
  std::vector<uint8_t> bytes(data->data(), data->data() + data->size());
  size_t third = static_cast<size_t>(good.ledgers[2].bytes.data() - data->data());
  bytes[third + 3] = 9;  // LedgerCloseMeta discriminant of the third ledger
  ASSERT_OK_AND_ASSIGN(auto split, SplitLedgerCloseMetaBatch(BufferOf(bytes)));
  ASSERT_EQ(split.ledgers.size(), 3u);
  EXPECT_OK(split.ledgers[0].status);
  EXPECT_OK(split.ledgers[1].status);
  EXPECT_NE(split.ledgers[2].status.message().find(
                "ledgerCloseMetas[2].LedgerCloseMeta: unknown union discriminant 9"),
            std::string::npos)
      << split.ledgers[2].status;
}

TEST(LedgerFile, FramedRecordPastTheEndIsAnError) {
  ASSERT_OK_AND_ASSIGN(auto split, SplitLedgerBytes(BufferOf({0x80, 0, 0, 0x10, 1, 2}),
                                                    LedgerFileFormat::kFramed));
  ASSERT_EQ(split.ledgers.size(), 1u);
  EXPECT_EQ(split.ledgers[0].status.message(),
            "record of 16 bytes at offset 0 runs past the end (2 left)");
}

TEST(LedgerFile, Base64GarbageIsAnErrorPerLine) {
  std::string text = "AAAA\n!!!notbase64\n";
  ASSERT_OK_AND_ASSIGN(auto split, SplitLedgerBytes(arrow::Buffer::FromString(text),
                                                    LedgerFileFormat::kBase64));
  ASSERT_EQ(split.ledgers.size(), 2u);
  EXPECT_OK(split.ledgers[0].status);
  EXPECT_NE(split.ledgers[1].status.message().find("line 2: not base64"),
            std::string::npos);
}

TEST(LedgerFile, DecompressionIsBounded) {
  std::vector<uint8_t> zeros(1 << 20, 0);
  ASSERT_OK_AND_ASSIGN(auto codec, arrow::util::Codec::Create(arrow::Compression::ZSTD));
  int64_t bound =
      codec->MaxCompressedLen(static_cast<int64_t>(zeros.size()), zeros.data());
  std::vector<uint8_t> compressed(static_cast<size_t>(bound));
  ASSERT_OK_AND_ASSIGN(int64_t length,
                       codec->Compress(static_cast<int64_t>(zeros.size()), zeros.data(),
                                       bound, compressed.data()));
  compressed.resize(static_cast<size_t>(length));
  ASSERT_OK_AND_ASSIGN(auto whole, DecompressZstd(compressed));
  EXPECT_EQ(whole->size(), 1 << 20);
  auto limited = DecompressZstd(compressed, 4096);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("exceeds 4096 bytes"), std::string::npos);
  compressed.resize(compressed.size() / 2);
  EXPECT_FALSE(DecompressZstd(compressed).ok());
}

TEST(LedgerFile, UnknownFormatNameIsRejected) {
  auto format = ParseLedgerFileFormat("xml");
  ASSERT_FALSE(format.ok());
  EXPECT_NE(format.status().message().find("auto, raw, base64, galexie or framed"),
            std::string::npos);
}

}  // namespace
}  // namespace sas::ingest
