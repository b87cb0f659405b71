#include "archive/archiver.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "ingest/source_uri.h"
#include "testing/status_matchers.h"

namespace sas::archive {
namespace {

namespace fs = std::filesystem;

/// A fresh folder under the test's temporary directory.
fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("sas-archive-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

ArchiveOptions Options(const fs::path& dir) {
  ArchiveOptions options;
  options.base = dir.string();
  options.tables = {convert::Table::kStellarLedger, convert::Table::kOperations};
  options.partition_format = "ledger_range:10";
  options.network_passphrase = "Standalone Network ; February 2017";
  options.row_group_rows = 50;
  return options;
}

/// Reads the generator's ledgers first..last as converted chunks of `chunk_ledgers`.
arrow::Result<std::vector<pipeline::ConvertedLedgers>> GeneratorChunks(
    const Archiver& archiver, uint32_t first, uint32_t last, size_t chunk_ledgers) {
  ingest::SourceRequest request;
  request.uri = "generator:tx=5";
  request.start = first;
  request.end = last;
  ARROW_ASSIGN_OR_RAISE(auto source, ingest::OpenLedgerSource(request));
  convert::ConverterOptions converter;
  converter.network_passphrase = "Standalone Network ; February 2017";
  converter.tables = archiver.tables();
  ARROW_ASSIGN_OR_RAISE(auto reader, pipeline::ChunkReader::Make(
                                         std::move(source), converter, chunk_ledgers));
  std::vector<pipeline::ConvertedLedgers> chunks;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, reader->Next());
    if (!chunk) break;
    chunks.push_back(std::move(*chunk));
  }
  return chunks;
}

/// Archives generator ledgers first..last (from where the archive stands).
arrow::Status ArchiveRange(Archiver* archiver, uint32_t first, uint32_t last) {
  uint32_t start = archiver->NextLedger(first);
  if (start > last) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto chunks, GeneratorChunks(*archiver, start, last, 7));
  for (const auto& chunk : chunks) {
    ARROW_RETURN_NOT_OK(archiver->Append(chunk.ledgers, chunk.chunk));
  }
  return archiver->Flush();
}

std::vector<std::string> ParquetFiles(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file())
      files.push_back(fs::relative(entry.path(), dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Archiver, FilesAreNamedByLedgerRangeAndSplitAtPartitions) {
  fs::path dir = FreshDir("names");
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  ASSERT_OK(ArchiveRange(archiver.get(), 5, 24));
  const auto& files = archiver->table(convert::Table::kOperations).files();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "operations/ledger_range=0-9/operations-5-9.parquet");
  EXPECT_EQ(files[1].path, "operations/ledger_range=10-19/operations-10-19.parquet");
  EXPECT_EQ(files[2].path, "operations/ledger_range=20-29/operations-20-24.parquet");
  EXPECT_EQ(archiver->table(convert::Table::kStellarLedger).checkpoint(), 24u);
  for (const auto& file : files) EXPECT_EQ(file.sha256.size(), 64u);
}

TEST(Archiver, ASecondWriterOfTheSameTablesFailsAndTheFirstKeepsWriting) {
  fs::path dir = FreshDir("lock");
  ASSERT_OK_AND_ASSIGN(auto first, Archiver::Open(Options(dir)));
  auto second = Archiver::Open(Options(dir));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsIOError()) << second.status();
  EXPECT_NE(second.status().message().find("another process is writing"),
            std::string::npos)
      << second.status();
  EXPECT_NE(second.status().message().find((dir / "stellar_ledger" / ".lock").string()),
            std::string::npos)
      << second.status();
  ASSERT_OK(ArchiveRange(first.get(), 2, 12));
  first.reset();
  ASSERT_OK_AND_ASSIGN(auto reopened, Archiver::Open(Options(dir)));
  EXPECT_EQ(reopened->NextLedger(2), 13u);
}

TEST(Archiver, RowGroupsAreBoundedByBytesAsWellAsRows) {
  fs::path dir = FreshDir("row-group-bytes");
  ArchiveOptions options = Options(dir);
  options.row_group_rows = 1'000'000;
  options.row_group_bytes = 1;
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(options));
  ASSERT_OK(ArchiveRange(archiver.get(), 2, 9));
  const auto& files = archiver->table(convert::Table::kStellarLedger).files();
  ASSERT_EQ(files.size(), 1u);
  auto reader = parquet::ParquetFileReader::OpenFile((dir / files[0].path).string());
  // With a bound of one byte, every ledger's row is a row group of its own.
  EXPECT_EQ(reader->metadata()->num_row_groups(), 8);
  EXPECT_EQ(reader->metadata()->num_rows(), 8);
}

TEST(Archiver, ResumesAfterTheCheckpointWithoutRewritingEarlierFiles) {
  fs::path dir = FreshDir("resume");
  {
    ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
    ASSERT_OK(ArchiveRange(archiver.get(), 2, 12));
  }
  auto before = ParquetFiles(dir);
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  EXPECT_EQ(archiver->NextLedger(2), 13u);
  ASSERT_OK(ArchiveRange(archiver.get(), 2, 20));
  auto after = ParquetFiles(dir);
  for (const auto& file : before) {
    EXPECT_NE(std::find(after.begin(), after.end(), file), after.end()) << file;
  }
  EXPECT_EQ(archiver->table(convert::Table::kOperations).checkpoint(), 20u);
}

TEST(Archiver, RecoveryRemovesLeftoversAdoptsGoodFilesAndReplacesBadOnes) {
  fs::path dir = FreshDir("recover");
  {
    ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
    ASSERT_OK(ArchiveRange(archiver.get(), 2, 25));
  }
  // A crash after the rename of 20-25 and before its checkpoint: checkpoint at 19.
  fs::path ops = dir / "operations";
  std::ofstream(ops / "_checkpoint.json") << R"({"table":"operations","last_ledger":19})";
  std::ofstream(dir / "stellar_ledger" / "_checkpoint.json")
      << R"({"table":"stellar_ledger","last_ledger":19})";
  // The stellar_ledger file past the checkpoint is damaged; a temporary file is left
  // over.
  fs::path damaged =
      dir / "stellar_ledger" / "ledger_range=20-29" / "stellar_ledger-20-25.parquet";
  fs::resize_file(damaged, fs::file_size(damaged) / 2);
  std::ofstream(ops / "ledger_range=20-29" / ".operations-26.parquet.inprogress")
      << "partial";

  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  EXPECT_EQ(archiver->table(convert::Table::kOperations).checkpoint(), 25u);
  EXPECT_EQ(archiver->table(convert::Table::kStellarLedger).checkpoint(), 19u);
  EXPECT_FALSE(fs::exists(damaged));
  EXPECT_FALSE(
      fs::exists(ops / "ledger_range=20-29" / ".operations-26.parquet.inprogress"));
  EXPECT_EQ(archiver->NextLedger(2), 20u);
  ASSERT_OK(ArchiveRange(archiver.get(), 2, 25));
  EXPECT_TRUE(fs::exists(damaged));
  EXPECT_EQ(archiver->table(convert::Table::kStellarLedger).checkpoint(), 25u);
}

TEST(Archiver, RecoveryRejectsAFileWhoseContentIsNotWhatItsNameSays) {
  fs::path dir = FreshDir("impostor");
  {
    ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
    ASSERT_OK(ArchiveRange(archiver.get(), 2, 25));
  }
  // Past the checkpoint, operations-20-25.parquet holds the stellar_ledger table.
  fs::path ops = dir / "operations";
  std::ofstream(ops / "_checkpoint.json") << R"({"table":"operations","last_ledger":19})";
  fs::path impostor = ops / "ledger_range=20-29" / "operations-20-25.parquet";
  fs::copy_file(
      dir / "stellar_ledger" / "ledger_range=20-29" / "stellar_ledger-20-25.parquet",
      impostor, fs::copy_options::overwrite_existing);
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  EXPECT_EQ(archiver->table(convert::Table::kOperations).checkpoint(), 19u);
  EXPECT_FALSE(fs::exists(impostor));
}

/// Rows of a table's committed files.
int64_t CommittedRows(const Archiver& archiver, convert::Table table) {
  int64_t rows = 0;
  for (const auto& file : archiver.table(table).files()) rows += file.rows;
  return rows;
}

TEST(Archiver, ChunksGivenAgainAfterAFailureAreNotDuplicated) {
  fs::path dir = FreshDir("again");
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  ASSERT_OK_AND_ASSIGN(auto chunks, GeneratorChunks(*archiver, 2, 31, 5));
  ASSERT_EQ(chunks.size(), 6u);
  for (const auto& chunk : chunks) {
    ASSERT_OK(archiver->Append(chunk.ledgers, chunk.chunk));
    ASSERT_OK(archiver->Append(chunk.ledgers, chunk.chunk));  // a retry of the same chunk
  }
  ASSERT_OK(archiver->Flush());
  EXPECT_EQ(CommittedRows(*archiver, convert::Table::kStellarLedger), 30);
  EXPECT_EQ(archiver->table(convert::Table::kStellarLedger).checkpoint(), 31u);
}

TEST(Archiver, AbandonDropsTheOpenFileAndRewindsToTheCheckpoint) {
  fs::path dir = FreshDir("abandon");
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Open(Options(dir)));
  ASSERT_OK_AND_ASSIGN(auto chunks, GeneratorChunks(*archiver, 2, 16, 5));
  ASSERT_EQ(chunks.size(), 3u);  // ledgers 2-6, 7-11, 12-16; files split at 10
  for (const auto& chunk : chunks)
    ASSERT_OK(archiver->Append(chunk.ledgers, chunk.chunk));
  // The file of 10-16 is open (uncommitted): a failure now drops it.
  EXPECT_EQ(archiver->Abandon(2), 10u);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find(".inprogress"), std::string::npos)
        << entry.path();
  }
  ASSERT_OK(archiver->Append(chunks[1].ledgers, chunks[1].chunk));  // 7-11 again
  ASSERT_OK(archiver->Append(chunks[2].ledgers, chunks[2].chunk));
  ASSERT_OK(archiver->Flush());
  EXPECT_EQ(CommittedRows(*archiver, convert::Table::kStellarLedger), 15);
  const auto& files = archiver->table(convert::Table::kStellarLedger).files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].path,
            "stellar_ledger/ledger_range=10-19/stellar_ledger-10-16.parquet");
}

TEST(Archiver, RejectsBadSettingsClearly) {
  fs::path dir = FreshDir("settings");
  auto options = Options(dir);
  options.compression = "brotli9";
  auto bad = Archiver::Open(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected none, snappy"), std::string::npos);
  options = Options(dir);
  options.compression = "zstd:x";
  EXPECT_FALSE(Archiver::Open(options).ok());
  options = Options(dir);
  options.base = "";
  EXPECT_FALSE(Archiver::Open(options).ok());
}

}  // namespace
}  // namespace sas::archive
