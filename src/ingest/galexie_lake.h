// A Galexie / SEP-54 ledger data lake read through Arrow's filesystems (local folders,
// s3://, gs://): the `.config.json` manifest, object keys computed from sequences, zstd
// LedgerCloseMetaBatch objects checked against their keys. Format facts:
// ../shared/reference/galexie-format.md.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include "ingest/ledger_file.h"

namespace sas::ingest {

/// The `.config.json` manifest of a lake.
struct LakeManifest {
  std::string network_passphrase;
  uint32_t ledgers_per_batch = 1;
  uint32_t batches_per_partition = 1;
  std::string compression = "zstd";
};

/// Parses a manifest; every field is checked.
arrow::Result<LakeManifest> ParseLakeManifest(std::string_view json);

/// Returns the object key (relative to the lake root) of the batch holding `sequence`,
/// with extension `extension` ("zst" or "zstd").
std::string LakeObjectKey(const LakeManifest& manifest, uint32_t sequence,
                          std::string_view extension);

/// One ledger read from a source: its sequence and LedgerCloseMeta bytes (kept alive by
/// `owner`).
struct SourcedLedger {
  uint32_t sequence = 0;
  std::shared_ptr<arrow::Buffer> owner;
  std::span<const uint8_t> bytes;
};

/// Reads ledgers of a lake in order, each exactly once.
class GalexieLake {
 public:
  /// Opens the lake at `uri`; a non-empty `network_passphrase` must equal the manifest's.
  static arrow::Result<std::unique_ptr<GalexieLake>> Open(
      const std::string& uri, const std::string& network_passphrase);

  /// Returns the lake's manifest.
  const LakeManifest& manifest() const { return manifest_; }

  /// Returns the ledgers of the batch object holding `sequence`, in order; NotFound
  /// (naming the key) when that object does not exist.
  arrow::Result<std::vector<SourcedLedger>> ReadBatch(uint32_t sequence);

  /// Returns the newest ledger of the lake (nullopt when it holds no batch): the batch
  /// key with the smallest name is the newest, so only one listing per level is needed.
  arrow::Result<std::optional<uint32_t>> FindNewestLedger();

  /// Use Open().
  GalexieLake(std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
              LakeManifest manifest)
      : fs_(std::move(fs)), root_(std::move(root)), manifest_(std::move(manifest)) {}

 private:
  /// Returns the batch object of `sequence` (KeyError when it does not exist).
  arrow::Result<arrow::fs::FileInfo> FindObject(uint32_t sequence);

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string root_;
  LakeManifest manifest_;
  std::mutex mutex_;
  /// The object extension in use, found on the first object read.
  std::string extension_;
};

}  // namespace sas::ingest
