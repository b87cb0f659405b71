// make_lake: writes a local Galexie lake of generator ledgers (for benchmarks): objects
// of LEDGERS_PER_FILE ledgers, each a zstd frame of a LedgerCloseMetaBatch, named by
// `ingest::LakeObjectKey`, with the `.config.json` manifest.
//
// Usage: make_lake --out DIR --ledgers N [--per-file K] [--tx T] [--seed S]
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <arrow/util/compression.h>

#include "ingest/galexie_lake.h"
#include "ingest/generator.h"

namespace {

void PutU32(std::vector<uint8_t>* out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<uint8_t>(value >> shift));
}

/// Compresses `batch` with zstd and writes it to `path`.
arrow::Status WriteObject(const std::filesystem::path& path,
                          const std::vector<uint8_t>& batch) {
  ARROW_ASSIGN_OR_RAISE(auto codec, arrow::util::Codec::Create(arrow::Compression::ZSTD));
  int64_t bound =
      codec->MaxCompressedLen(static_cast<int64_t>(batch.size()), batch.data());
  std::vector<uint8_t> compressed(static_cast<size_t>(bound));
  ARROW_ASSIGN_OR_RAISE(int64_t size,
                        codec->Compress(static_cast<int64_t>(batch.size()), batch.data(),
                                        bound, compressed.data()));
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(compressed.data()), size);  // NOLINT
  return out ? arrow::Status::OK()
             : arrow::Status::IOError("cannot write ", path.string());
}

arrow::Status MakeLake(const std::filesystem::path& dir, uint32_t ledgers,
                       uint32_t per_file, sas::ingest::GeneratorOptions options) {
  sas::ingest::LakeManifest manifest;
  manifest.network_passphrase = options.network_passphrase;
  manifest.ledgers_per_batch = per_file;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / ".config.json")
      << R"({"networkPassphrase":")" << options.network_passphrase
      << R"(","version":"1.0","compression":"zstd","ledgersPerBatch":)" << per_file
      << R"(,"batchesPerPartition":1})";
  sas::ingest::LedgerGenerator generator(options);
  uint32_t first = options.start;
  uint32_t last = first + ledgers - 1;
  // The lake's first object starts at a multiple of per_file: generate from there.
  for (uint32_t start = first / per_file * per_file; start <= last; start += per_file) {
    std::vector<uint8_t> batch;
    uint32_t end = start + per_file - 1;
    uint32_t from = std::max(start, first);
    PutU32(&batch, from);
    PutU32(&batch, std::min(end, last));
    PutU32(&batch, std::min(end, last) - from + 1);
    for (uint32_t sequence = from; sequence <= std::min(end, last); ++sequence) {
      std::vector<uint8_t> ledger = generator.Next();
      batch.insert(batch.end(), ledger.begin(), ledger.end());
    }
    ARROW_RETURN_NOT_OK(
        WriteObject(dir / sas::ingest::LakeObjectKey(manifest, start, "zst"), batch));
  }
  return arrow::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::filesystem::path out;
  uint32_t ledgers = 0;
  uint32_t per_file = 64;
  sas::ingest::GeneratorOptions options;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--out") {
      out = args[i + 1];
      continue;
    }
    uint32_t value = 0;
    std::from_chars(args[i + 1].data(), args[i + 1].data() + args[i + 1].size(), value);
    if (args[i] == "--ledgers") ledgers = value;
    if (args[i] == "--per-file") per_file = value;
    if (args[i] == "--tx") options.transactions_per_ledger = value;
    if (args[i] == "--seed") options.seed = value;
  }
  options.start = per_file > 1 ? per_file : 2;  // objects hold whole batches
  if (out.empty() || ledgers == 0 || per_file == 0) {
    std::cerr
        << "usage: make_lake --out DIR --ledgers N [--per-file K] [--tx T] [--seed S]\n";
    return 2;
  }
  arrow::Status status = MakeLake(out, ledgers, per_file, options);
  if (!status.ok()) {
    std::cerr << "make_lake: " << status.ToString() << "\n";
    return 1;
  }
  std::cout << "wrote ledgers " << options.start << "-" << options.start + ledgers - 1
            << " to " << out.string() << "\n";
  return 0;
}
