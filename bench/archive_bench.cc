// Archive write-path benchmark: the five tables of pubnet-like generator ledgers, already
// converted, appended to a TableArchive per table and committed as Parquet (zstd) files.
// Reports Arrow input MB/s. With SAS_BENCH_DUMP_DIR set, the same tables are also written
// there as Arrow IPC files so that bench/archive_bench.py can time pyarrow on them.
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <arrow/compute/initialize.h>
#include <arrow/io/file.h>
#include <arrow/ipc/writer.h>
#include <arrow/table.h>
#include <arrow/util/byte_size.h>
#include <benchmark/benchmark.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include "archive/archiver.h"
#include "ingest/generator.h"
#include "xdr/ledger_close_meta.h"

namespace {

constexpr int kLedgers = 150;

/// Pubnet-like generator ledgers converted into every table, as one chunk.
const sas::pipeline::ConvertedLedgers& Converted() {
  static const sas::pipeline::ConvertedLedgers converted = [] {
    sas::ingest::GeneratorOptions options;
    sas::ingest::LedgerGenerator generator(options);
    std::vector<std::vector<uint8_t>> ledgers;
    sas::pipeline::ConvertedLedgers out;
    for (int i = 0; i < kLedgers; ++i) {
      uint32_t sequence = generator.next_sequence();
      ledgers.push_back(generator.Next());
      auto frame = *sas::xdr::LedgerCloseMetaFrame::Parse(ledgers.back());
      out.ledgers.push_back(
          {sequence, static_cast<int64_t>(frame.header().scpValue().closeTime()), 0});
    }
    std::vector<std::span<const uint8_t>> spans(ledgers.begin(), ledgers.end());
    sas::convert::ConverterOptions converter_options;
    converter_options.network_passphrase = options.network_passphrase;
    out.chunk =
        *(*sas::convert::LedgerConverter::Make(converter_options))->Convert(spans);
    return out;
  }();
  return converted;
}

void DumpIpc(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (auto table : sas::convert::kAllTables) {
    auto batch = *Converted().chunk.batch(table);
    auto file = *arrow::io::FileOutputStream::Open(
        (dir / (std::string(sas::convert::TableName(table)) + ".arrow")).string());
    auto writer = *arrow::ipc::MakeFileWriter(file, batch->schema());
    (void)writer->WriteRecordBatch(*batch);
    (void)writer->Close();
  }
}

void BM_ArchiveWritePath(benchmark::State& state) {
  (void)arrow::compute::Initialize();
  const auto& converted = Converted();
  if (const char* dump = std::getenv("SAS_BENCH_DUMP_DIR")) DumpIpc(dump);
  int64_t bytes = 0;
  for (auto table : sas::convert::kAllTables) {
    bytes += arrow::util::TotalBufferSize(**converted.chunk.batch(table));
  }
  auto dir = std::filesystem::temp_directory_path() / "sas-archive-bench";
  int64_t files_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    sas::archive::ArchiveOptions options;
    options.base = dir.string();
    options.partition_format = "ledger_range:1000000";
    options.network_passphrase = "Standalone Network ; February 2017";
    options.sync = std::getenv("SAS_BENCH_NO_SYNC") == nullptr;
    auto archiver = *sas::archive::Archiver::Open(options);
    state.ResumeTiming();
    (void)archiver->Append(converted.ledgers, converted.chunk);
    (void)archiver->Flush();
    state.PauseTiming();
    files_bytes = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().extension() == ".parquet")
        files_bytes += static_cast<int64_t>(entry.file_size());
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["parquet_bytes"] = static_cast<double>(files_bytes);
  state.counters["arrow_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ArchiveWritePath)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

/// Yardstick in the same process: parquet::arrow::WriteTable of the same tables with the
/// archive's settings, one file per table, nothing else (no hashing, manifest or fsync).
void BM_ParquetWriteTableYardstick(benchmark::State& state) {
  (void)arrow::compute::Initialize();
  const auto& converted = Converted();
  auto properties = parquet::WriterProperties::Builder()
                        .compression(arrow::Compression::ZSTD)
                        ->enable_dictionary()
                        ->enable_statistics()
                        ->enable_write_page_index()
                        ->max_row_group_length(131072)
                        ->build();
  auto arrow_properties =
      parquet::ArrowWriterProperties::Builder().store_schema()->build();
  auto dir = std::filesystem::temp_directory_path() / "sas-archive-bench-yardstick";
  std::filesystem::create_directories(dir);
  for (auto _ : state) {
    for (auto table : sas::convert::kAllTables) {
      auto batch = *converted.chunk.batch(table);
      auto arrow_table = *arrow::Table::FromRecordBatches({batch});
      auto file = *arrow::io::FileOutputStream::Open(
          (dir / (std::string(sas::convert::TableName(table)) + ".parquet")).string());
      (void)parquet::arrow::WriteTable(*arrow_table, arrow::default_memory_pool(), file,
                                       131072, properties, arrow_properties);
      (void)file->Close();
    }
  }
}
BENCHMARK(BM_ParquetWriteTableYardstick)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

}  // namespace

BENCHMARK_MAIN();
