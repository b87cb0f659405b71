#include "ingest/galexie_lake.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include <arrow/filesystem/s3fs.h>
#include <arrow/io/interfaces.h>
#include <nlohmann/json.hpp>

namespace sas::ingest {
namespace {

constexpr uint32_t kMaxSequence = 0xFFFFFFFFu;
constexpr const char* kManifestName = ".config.json";
/// Object extensions: the SEP-54 one, then the older Galexie one.
constexpr const char* kExtensions[] = {"zst", "zstd"};

std::string HexPrefixed(uint32_t start) {
  char text[16];
  std::snprintf(text, sizeof(text), "%08X", kMaxSequence - start);
  return text;
}

/// Reads a whole file; `file` is a path or a FileInfo (which spares a metadata request).
template <class FileRef>
arrow::Result<std::shared_ptr<arrow::Buffer>> ReadWhole(arrow::fs::FileSystem& fs,
                                                        const FileRef& file) {
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputFile(file));
  ARROW_ASSIGN_OR_RAISE(int64_t size, input->GetSize());
  ARROW_ASSIGN_OR_RAISE(auto data, input->Read(size));
  ARROW_RETURN_NOT_OK(input->Close());
  return data;
}

/// Returns `uri` without its `anonymous=true` query parameter, and whether it had one.
arrow::Result<std::pair<std::string, bool>> TakeAnonymous(const std::string& uri) {
  size_t query = uri.find('?');
  if (query == std::string::npos) return std::pair{uri, false};
  std::string kept;
  bool anonymous = false;
  size_t start = query + 1;
  while (start <= uri.size()) {
    size_t end = std::min(uri.find('&', start), uri.size());
    std::string parameter = uri.substr(start, end - start);
    if (parameter.starts_with("anonymous=")) {
      if (parameter != "anonymous=true" && parameter != "anonymous=false") {
        return arrow::Status::Invalid("lake ", uri, ": '", parameter,
                                      "': expected anonymous=true or anonymous=false");
      }
      anonymous = parameter == "anonymous=true";
    } else if (!parameter.empty()) {
      kept += (kept.empty() ? "?" : "&") + parameter;
    }
    start = end + 1;
  }
  return std::pair{uri.substr(0, query) + kept, anonymous};
}

/// Opens the filesystem of a lake URI: Arrow's URI forms, plus `anonymous=true` on
/// `s3://` for public buckets (unsigned requests, no credentials looked up).
arrow::Result<std::shared_ptr<arrow::fs::FileSystem>> OpenLakeFileSystem(
    const std::string& uri, std::string* root) {
  ARROW_ASSIGN_OR_RAISE(auto parsed, TakeAnonymous(uri));
  auto [stripped, anonymous] = std::move(parsed);
  if (!anonymous) return arrow::fs::FileSystemFromUri(stripped, root);
  if (!stripped.starts_with("s3://")) {
    return arrow::Status::Invalid("lake ", uri, ": anonymous=true is for s3:// lakes");
  }
  ARROW_RETURN_NOT_OK(arrow::fs::EnsureS3Initialized());
  ARROW_ASSIGN_OR_RAISE(auto options, arrow::fs::S3Options::FromUri(stripped, root));
  options.ConfigureAnonymousCredentials();
  ARROW_ASSIGN_OR_RAISE(auto fs, arrow::fs::S3FileSystem::Make(options));
  return fs;
}

}  // namespace

arrow::Result<LakeManifest> ParseLakeManifest(std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return arrow::Status::Invalid("lake manifest: not a JSON object");
  }
  LakeManifest manifest;
  auto field = [&parsed](const char* name) -> const nlohmann::json* {
    auto it = parsed.find(name);
    return it == parsed.end() ? nullptr : &*it;
  };
  const auto* network = field("networkPassphrase");
  const auto* per_batch = field("ledgersPerBatch");
  const auto* per_partition = field("batchesPerPartition");
  if (network == nullptr || !network->is_string()) {
    return arrow::Status::Invalid("lake manifest: no networkPassphrase string");
  }
  if (per_batch == nullptr || !per_batch->is_number_unsigned() || *per_batch == 0) {
    return arrow::Status::Invalid(
        "lake manifest: ledgersPerBatch must be a positive integer");
  }
  if (per_partition == nullptr || !per_partition->is_number_unsigned()) {
    return arrow::Status::Invalid(
        "lake manifest: batchesPerPartition must be an integer");
  }
  manifest.network_passphrase = network->get<std::string>();
  manifest.ledgers_per_batch = per_batch->get<uint32_t>();
  manifest.batches_per_partition = per_partition->get<uint32_t>();
  if (const auto* compression = field("compression")) {
    if (!compression->is_string() || *compression != "zstd") {
      return arrow::Status::Invalid("lake manifest: unsupported compression ",
                                    compression->dump());
    }
  }
  return manifest;
}

std::string LakeObjectKey(const LakeManifest& manifest, uint32_t sequence,
                          std::string_view extension) {
  std::string key;
  uint64_t per_batch = manifest.ledgers_per_batch;
  if (manifest.batches_per_partition > 1) {
    uint64_t partition_size = per_batch * manifest.batches_per_partition;
    auto start = static_cast<uint32_t>(sequence / partition_size * partition_size);
    auto end = static_cast<uint32_t>(start + partition_size - 1);
    key = HexPrefixed(start) + "--" + std::to_string(start) + "-" + std::to_string(end) +
          "/";
  }
  auto start = static_cast<uint32_t>(sequence / per_batch * per_batch);
  auto end = static_cast<uint32_t>(start + per_batch - 1);
  key += HexPrefixed(start) + "--" + std::to_string(start);
  if (start != end) key += "-" + std::to_string(end);
  key += ".xdr.";
  key.append(extension);
  return key;
}

arrow::Result<std::unique_ptr<GalexieLake>> GalexieLake::Open(
    const std::string& uri, const std::string& network_passphrase) {
  std::string root;
  ARROW_ASSIGN_OR_RAISE(auto fs, OpenLakeFileSystem(uri, &root));
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  auto manifest_bytes = ReadWhole(*fs, root + "/" + kManifestName);
  if (!manifest_bytes.ok()) {
    return manifest_bytes.status().WithMessage("lake ", uri, ": cannot read ",
                                               kManifestName, ": ",
                                               manifest_bytes.status().message());
  }
  ARROW_ASSIGN_OR_RAISE(auto manifest, ParseLakeManifest((*manifest_bytes)->ToString()));
  if (!network_passphrase.empty() && network_passphrase != manifest.network_passphrase) {
    return arrow::Status::Invalid(
        "lake ", uri, " holds ledgers of network '", manifest.network_passphrase,
        "', not '", network_passphrase, "' (NETWORK_PASSPHRASE / --network)");
  }
  return std::make_unique<GalexieLake>(std::move(fs), std::move(root),
                                       std::move(manifest));
}

arrow::Result<arrow::fs::FileInfo> GalexieLake::FindObject(uint32_t sequence) {
  std::string extension;
  {
    std::lock_guard lock(mutex_);
    extension = extension_;
  }
  // One metadata request per object: with the extension known, only that name is asked.
  for (const char* candidate : kExtensions) {
    if (!extension.empty() && extension != candidate) continue;
    std::string path = root_ + "/" + LakeObjectKey(manifest_, sequence, candidate);
    ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(path));
    if (info.type() == arrow::fs::FileType::File) {
      std::lock_guard lock(mutex_);
      extension_ = candidate;
      return info;
    }
  }
  return arrow::Status::KeyError(
      "lake object for ledger ", sequence, " not found: ",
      LakeObjectKey(manifest_, sequence, extension.empty() ? kExtensions[0] : extension),
      extension.empty() ? " (or .xdr.zstd)" : "");
}

namespace {

/// True for a batch or partition name: 8 uppercase hex digits, then "--".
bool IsLakeKeyName(std::string_view name) {
  if (name.size() < 11 || name.substr(8, 2) != "--") return false;
  return std::all_of(name.begin(), name.begin() + 8, [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || (c >= 'A' && c <= 'F');
  });
}

/// Returns the entry of `dir` whose key name sorts first (the newest), if any.
arrow::Result<std::optional<arrow::fs::FileInfo>> FirstKeyEntry(
    arrow::fs::FileSystem& fs, const std::string& dir, arrow::fs::FileType type) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir;
  ARROW_ASSIGN_OR_RAISE(auto entries, fs.GetFileInfo(selector));
  std::optional<arrow::fs::FileInfo> first;
  for (auto& entry : entries) {
    if (entry.type() != type || !IsLakeKeyName(entry.base_name())) continue;
    if (!first || entry.base_name() < first->base_name()) first = std::move(entry);
  }
  return first;
}

}  // namespace

arrow::Result<std::optional<uint32_t>> GalexieLake::FindNewestLedger() {
  std::string dir = root_;
  if (manifest_.batches_per_partition > 1) {
    ARROW_ASSIGN_OR_RAISE(auto partition,
                          FirstKeyEntry(*fs_, dir, arrow::fs::FileType::Directory));
    if (!partition) return std::nullopt;
    dir = partition->path();
  }
  ARROW_ASSIGN_OR_RAISE(auto object, FirstKeyEntry(*fs_, dir, arrow::fs::FileType::File));
  if (!object) return std::nullopt;
  uint32_t inverted = 0;
  std::string name = object->base_name();
  std::from_chars(name.data(), name.data() + 8, inverted, 16);
  ARROW_ASSIGN_OR_RAISE(auto batch, ReadBatch(0xFFFFFFFFu - inverted));
  if (batch.empty())
    return arrow::Status::Invalid("lake object ", object->path(), " is empty");
  return batch.back().sequence;
}

arrow::Result<std::vector<SourcedLedger>> GalexieLake::ReadBatch(uint32_t sequence) {
  ARROW_ASSIGN_OR_RAISE(arrow::fs::FileInfo object, FindObject(sequence));
  const std::string& path = object.path();
  ARROW_ASSIGN_OR_RAISE(auto compressed, ReadWhole(*fs_, object));
  auto contents = SplitLedgerBytes(compressed, LedgerFileFormat::kGalexie);
  if (!contents.ok())
    return contents.status().WithMessage(path, ": ", contents.status().message());
  uint32_t expected_start =
      sequence / manifest_.ledgers_per_batch * manifest_.ledgers_per_batch;
  if (!contents->batch || contents->batch->start != expected_start ||
      contents->batch->end != expected_start + manifest_.ledgers_per_batch - 1) {
    return arrow::Status::Invalid(path, ": batch does not hold ledgers ", expected_start,
                                  "-", expected_start + manifest_.ledgers_per_batch - 1,
                                  " as its key says");
  }
  std::vector<SourcedLedger> ledgers;
  auto owner = contents->buffers.back();
  for (size_t i = 0; i < contents->ledgers.size(); ++i) {
    const auto& slice = contents->ledgers[i];
    if (!slice.status.ok())
      return slice.status.WithMessage(path, ": ", slice.status.message());
    ledgers.push_back({static_cast<uint32_t>(expected_start + i), owner, slice.bytes});
  }
  return ledgers;
}

}  // namespace sas::ingest
