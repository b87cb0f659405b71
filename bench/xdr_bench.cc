// Codec speed on real pubnet ledgers, single thread: the full validating walk (every
// field visited), the LedgerCloseMeta wrapper, the stellar_ledger conversion and the
// owning decode, with zstd decompression of the same bytes as the yardstick.
#include <algorithm>
#include <string>
#include <vector>

#include <arrow/memory_pool.h>
#include <arrow/util/compression.h>
#include <benchmark/benchmark.h>

#include "convert/ledger_converter.h"
#include "convert/ledger_table.h"
#include "ingest/generator.h"
#include "ingest/lake_source.h"
#include "ingest/ledger_file.h"
#include "stellar_xdr_types.h"
#include "xdr/ledger_close_meta.h"

namespace {

namespace sx = stellar::xdr;

/// Real pubnet ledgers of 0.4-1.1 MB (LCM V0, V1 with TransactionMeta v3 and v4, V2).
constexpr const char* kPubnetLedgers[] = {
    "pubnet/stellar-go-ttp-example/line4-ledger-46154623.xdr",
    "pubnet/stellar-go-compressxdr/FCD285FF--53312000.xdr.zstd",
    "pubnet/wallet-backend/ledger-51000294.xdr",
    "pubnet/wallet-backend/ledger-63092988.xdr",
};

/// The ledgers' bytes, loaded once.
struct Corpus {
  std::vector<sas::ingest::LedgerFileContents> files;
  std::vector<std::span<const uint8_t>> ledgers;
  int64_t total_bytes = 0;
};

const Corpus& PubnetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    for (const char* file : kPubnetLedgers) {
      auto contents =
          sas::ingest::ReadLedgerFile(std::string(SAS_SHARED_TESTDATA "/") + file,
                                      sas::ingest::LedgerFileFormat::kAuto);
      if (!contents.ok()) continue;
      for (const auto& slice : contents->ledgers) {
        c.ledgers.push_back(slice.bytes);
        c.total_bytes += static_cast<int64_t>(slice.bytes.size());
      }
      c.files.push_back(std::move(*contents));
    }
    return c;
  }();
  return corpus;
}

/// Reports MB/s of XDR and ledgers/s.
void ReportRates(benchmark::State& state, const Corpus& corpus) {
  state.SetBytesProcessed(state.iterations() * corpus.total_bytes);
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(corpus.ledgers.size()));
  state.counters["ledgers/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) *
                             static_cast<double>(corpus.ledgers.size()),
                         benchmark::Counter::kIsRate);
}

void BM_ValidateWalk(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  for (auto _ : state) {
    for (auto bytes : corpus.ledgers) {
      auto view = sx::ParseView<sx::LedgerCloseMeta>(bytes);
      benchmark::DoNotOptimize(view);
    }
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_ValidateWalk);

void BM_LedgerCloseMetaFrame(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  for (auto _ : state) {
    for (auto bytes : corpus.ledgers) {
      auto frame = sas::xdr::LedgerCloseMetaFrame::Parse(bytes);
      benchmark::DoNotOptimize(frame);
    }
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_LedgerCloseMetaFrame);

void BM_StellarLedgerTable(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  auto builder = sas::convert::LedgerTableBuilder::Make().ValueOrDie();
  for (auto _ : state) {
    for (auto bytes : corpus.ledgers) {
      auto frame = sas::xdr::LedgerCloseMetaFrame::Parse(bytes).ValueOrDie();
      benchmark::DoNotOptimize(builder->Append(frame));
    }
    auto batch = builder->Flush().ValueOrDie();
    benchmark::DoNotOptimize(batch);
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_StellarLedgerTable);

/// Every table the converter builds (network given), flushed once per pass; the argument
/// is the number of parts converted concurrently on Arrow's CPU pool.
void BM_ConvertAllTables(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  sas::convert::ConverterOptions options;
  options.network_passphrase = "Public Global Stellar Network ; September 2015";
  options.parallelism = static_cast<int>(state.range(0));
  auto converter = sas::convert::LedgerConverter::Make(options).ValueOrDie();
  for (auto _ : state) {
    auto chunk = converter->Convert(corpus.ledgers).ValueOrDie();
    benchmark::DoNotOptimize(chunk);
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_ConvertAllTables)->Arg(1)->Arg(2)->UseRealTime();

/// As BM_ConvertAllTables, on chunks of 64 ledgers (the corpus 16 times, as the chunk
/// reader converts them), so the parts of a parallel conversion hold alike work.
void BM_ConvertAllTablesChunk64(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  std::vector<std::span<const uint8_t>> chunk;
  int64_t bytes = 0;
  for (size_t i = 0; i < 64; ++i) {
    chunk.push_back(corpus.ledgers[i % corpus.ledgers.size()]);
    bytes += static_cast<int64_t>(chunk.back().size());
  }
  sas::convert::ConverterOptions options;
  options.network_passphrase = "Public Global Stellar Network ; September 2015";
  options.parallelism = static_cast<int>(state.range(0));
  auto converter = sas::convert::LedgerConverter::Make(options).ValueOrDie();
  for (auto _ : state) {
    auto converted = converter->Convert(chunk).ValueOrDie();
    benchmark::DoNotOptimize(converted);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["ledgers/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 64.0, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ConvertAllTablesChunk64)->Arg(1)->Arg(2)->UseRealTime();

/// One table alone (argument: its position in kAllTables), single thread.
void BM_ConvertOneTable(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  auto table = sas::convert::kAllTables[static_cast<size_t>(state.range(0))];
  sas::convert::ConverterOptions options;
  options.network_passphrase = "Public Global Stellar Network ; September 2015";
  options.tables = {table};
  auto converter = sas::convert::LedgerConverter::Make(options).ValueOrDie();
  for (auto _ : state) {
    auto chunk = converter->Convert(corpus.ledgers).ValueOrDie();
    benchmark::DoNotOptimize(chunk);
  }
  state.SetLabel(std::string(sas::convert::TableName(table)));
  ReportRates(state, corpus);
}
BENCHMARK(BM_ConvertOneTable)->DenseRange(0, 4);

/// Peak Arrow memory while converting 1,000 pubnet ledgers (the corpus repeated) into all
/// five tables, in chunks of the argument's ledgers, each chunk's batches dropped before
/// the next (the argument 1000: one chunk, all output held at once). Counters: the pool's
/// peak in MB per 1,000 ledgers, and as a multiple of the 1,000 ledgers' XDR bytes.
void BM_ConvertPeakMemory(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  constexpr size_t kLedgers = 1000;
  auto chunk_ledgers = static_cast<size_t>(state.range(0));
  std::vector<std::span<const uint8_t>> ledgers;
  int64_t xdr_bytes = 0;
  for (size_t i = 0; i < kLedgers; ++i) {
    ledgers.push_back(corpus.ledgers[i % corpus.ledgers.size()]);
    xdr_bytes += static_cast<int64_t>(ledgers.back().size());
  }
  int64_t peak = 0;
  for (auto _ : state) {
    arrow::ProxyMemoryPool pool(arrow::default_memory_pool());
    sas::convert::ConverterOptions options;
    options.network_passphrase = "Public Global Stellar Network ; September 2015";
    options.pool = &pool;
    auto converter = sas::convert::LedgerConverter::Make(options).ValueOrDie();
    for (size_t first = 0; first < kLedgers; first += chunk_ledgers) {
      size_t count = std::min(chunk_ledgers, kLedgers - first);
      auto chunk = converter->Convert({ledgers.data() + first, count}).ValueOrDie();
      benchmark::DoNotOptimize(chunk);
    }
    peak = std::max(peak, pool.max_memory());
  }
  state.SetBytesProcessed(state.iterations() * xdr_bytes);
  state.counters["peak_MB"] = static_cast<double>(peak) / 1e6;
  state.counters["peak_per_xdr_byte"] =
      static_cast<double>(peak) / static_cast<double>(xdr_bytes);
  state.counters["xdr_MB"] = static_cast<double>(xdr_bytes) / 1e6;
}
BENCHMARK(BM_ConvertPeakMemory)->Arg(1000)->Arg(64)->Unit(benchmark::kMillisecond);

/// Ordered, decompressed ledgers out of a local Galexie lake (argument: ledgers per
/// file), the whole fixture run of 320 testnet ledgers per pass.
void BM_LakeSource(benchmark::State& state) {
  std::string lake =
      std::string(SAS_SHARED_TESTDATA "/derived/lake-testnet-lighthorizon-") +
      (state.range(0) == 1 ? "1perfile" : "32perfile");
  int64_t bytes = 0;
  int64_t ledgers = 0;
  for (auto _ : state) {
    sas::ingest::LakeSourceOptions options;
    options.uri = "file://" + lake;
    options.start = 1410048;
    options.end = 1410367;
    options.workers = 4;
    auto source = sas::ingest::LakeLedgerSource::Open(options).ValueOrDie();
    while (auto ledger = source->Next().ValueOrDie()) {
      bytes += static_cast<int64_t>(ledger->bytes.size());
      ++ledgers;
    }
  }
  state.SetBytesProcessed(bytes);
  state.counters["ledgers/s"] =
      benchmark::Counter(static_cast<double>(ledgers), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LakeSource)->Arg(1)->Arg(32)->UseRealTime();

/// The built-in generator at its defaults (pubnet-like: 300 transactions, ~600 payments).
void BM_Generator(benchmark::State& state) {
  sas::ingest::LedgerGenerator generator({});
  int64_t bytes = 0;
  for (auto _ : state) {
    auto ledger = generator.Next();
    bytes += static_cast<int64_t>(ledger.size());
    benchmark::DoNotOptimize(ledger);
  }
  state.SetBytesProcessed(bytes);
  state.counters["ledgers/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Generator);

void BM_OwningDecode(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  for (auto _ : state) {
    for (auto bytes : corpus.ledgers) {
      auto owned = sx::DecodeXdr<sx::LedgerCloseMeta>(bytes);
      benchmark::DoNotOptimize(owned);
    }
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_OwningDecode);

/// Yardstick: zstd (level 3, as Galexie writes) decompression of the same ledgers.
void BM_ZstdDecompressYardstick(benchmark::State& state) {
  const Corpus& corpus = PubnetCorpus();
  auto codec = arrow::util::Codec::Create(arrow::Compression::ZSTD, 3).ValueOrDie();
  std::vector<std::vector<uint8_t>> compressed;
  for (auto bytes : corpus.ledgers) {
    auto size = static_cast<int64_t>(bytes.size());
    std::vector<uint8_t> out(
        static_cast<size_t>(codec->MaxCompressedLen(size, bytes.data())));
    int64_t n =
        codec->Compress(size, bytes.data(), static_cast<int64_t>(out.size()), out.data())
            .ValueOrDie();
    out.resize(static_cast<size_t>(n));
    compressed.push_back(std::move(out));
  }
  std::vector<uint8_t> output(static_cast<size_t>(corpus.total_bytes));
  for (auto _ : state) {
    for (size_t i = 0; i < compressed.size(); ++i) {
      auto n = codec->Decompress(
          static_cast<int64_t>(compressed[i].size()), compressed[i].data(),
          static_cast<int64_t>(corpus.ledgers[i].size()), output.data());
      benchmark::DoNotOptimize(n);
    }
  }
  ReportRates(state, corpus);
}
BENCHMARK(BM_ZstdDecompressYardstick);

}  // namespace

BENCHMARK_MAIN();
