#include "archive/archiver.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <arrow/filesystem/filesystem.h>
#include <arrow/filesystem/localfs.h>

namespace sas::archive {

arrow::Result<std::pair<arrow::Compression::type, std::optional<int>>> ParseCompression(
    std::string_view text) {
  std::string_view name = text.substr(0, text.find(':'));
  std::optional<int> level;
  if (name.size() < text.size()) {
    std::string_view digits = text.substr(name.size() + 1);
    int value = 0;
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return arrow::Status::Invalid("compression '", text, "': level '", digits,
                                    "' is not an integer");
    }
    level = value;
  }
  struct Codec {
    std::string_view name;
    arrow::Compression::type type;
  };
  constexpr Codec kCodecs[] = {{"none", arrow::Compression::UNCOMPRESSED},
                               {"snappy", arrow::Compression::SNAPPY},
                               {"gzip", arrow::Compression::GZIP},
                               {"lz4", arrow::Compression::LZ4},
                               {"zstd", arrow::Compression::ZSTD}};
  for (const Codec& codec : kCodecs) {
    if (codec.name == name) return std::make_pair(codec.type, level);
  }
  return arrow::Status::Invalid("compression '", text,
                                "': expected none, snappy, gzip, lz4 or zstd[:LEVEL]");
}

namespace {

/// Returns `base` made absolute when it is a relative local path (Arrow takes only
/// absolute paths or URIs).
std::string AbsoluteUnlessUri(const std::string& base) {
  if (base.find("://") != std::string::npos) return base;
  std::error_code error;
  auto absolute = std::filesystem::absolute(base, error);
  return error ? base : absolute.lexically_normal().string();
}

}  // namespace

arrow::Result<std::unique_ptr<Archiver>> Archiver::Open(const ArchiveOptions& options) {
  if (options.base.empty()) {
    return arrow::Status::Invalid("no archive destination (--out or PARQUET_BASE_PATH)");
  }
  ArchiveSettings settings;
  ARROW_ASSIGN_OR_RAISE(
      settings.fs, arrow::fs::FileSystemFromUriOrPath(AbsoluteUnlessUri(options.base),
                                                      &settings.root));
  if (settings.fs->type_name() == "local") {
    ARROW_RETURN_NOT_OK(settings.fs->CreateDir(settings.root, true));
  }
  while (settings.root.size() > 1 && settings.root.back() == '/')
    settings.root.pop_back();
  ARROW_ASSIGN_OR_RAISE(settings.partitioning,
                        Partitioning::Parse(options.partition_format));
  ARROW_ASSIGN_OR_RAISE(auto compression, ParseCompression(options.compression));
  settings.compression = compression.first;
  settings.compression_level = compression.second;
  settings.max_file_bytes = options.max_file_bytes;
  settings.row_group_rows = options.row_group_rows;
  settings.row_group_bytes = options.row_group_bytes;
  settings.network_passphrase = options.network_passphrase;
  settings.sync = options.sync;
  std::vector<convert::Table> tables = options.tables;
  if (tables.empty())
    tables.assign(convert::kAllTables.begin(), convert::kAllTables.end());
  std::vector<std::unique_ptr<TableArchive>> archives;
  for (convert::Table table : tables) {
    ARROW_ASSIGN_OR_RAISE(auto archive, TableArchive::Open(table, settings));
    archives.push_back(std::move(archive));
  }
  return std::make_unique<Archiver>(std::move(tables), std::move(archives));
}

Archiver::Archiver(std::vector<convert::Table> tables,
                   std::vector<std::unique_ptr<TableArchive>> archives)
    : tables_(std::move(tables)), archives_(std::move(archives)) {}

arrow::Result<std::vector<convert::Table>> ParseTableList(std::string_view text) {
  std::vector<convert::Table> tables;
  while (!text.empty()) {
    std::string_view name = text.substr(0, text.find(','));
    text = name.size() < text.size() ? text.substr(name.size() + 1) : std::string_view();
    ARROW_ASSIGN_OR_RAISE(auto table, convert::ParseTableName(name));
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
      tables.push_back(table);
    }
  }
  if (tables.empty()) return arrow::Status::Invalid("no table named");
  return tables;
}

uint32_t Archiver::NextLedger(uint32_t start) const {
  uint32_t next = UINT32_MAX;
  for (const auto& archive : archives_) {
    uint32_t needed = start;
    if (archive->checkpoint()) needed = std::max(start, *archive->checkpoint() + 1);
    next = std::min(next, needed);
  }
  return next;
}

arrow::Status Archiver::CheckContiguous(uint32_t start) const {
  for (size_t i = 0; i < tables_.size(); ++i) {
    const TableArchive& archive = *archives_[i];
    std::string_view name = convert::TableName(tables_[i]);
    if (!archive.files().empty() && start < archive.files().front().first_ledger) {
      return arrow::Status::Invalid(
          "the archive of ", name, " starts at ledger ",
          archive.files().front().first_ledger, "; ledgers ", start, "-",
          archive.files().front().first_ledger - 1,
          " cannot go before it (archive them under another base)");
    }
    if (archive.checkpoint() && start > *archive.checkpoint() + 1) {
      return arrow::Status::Invalid("the archive of ", name, " ends at ledger ",
                                    *archive.checkpoint(), "; starting at ", start,
                                    " would leave ledgers ", *archive.checkpoint() + 1,
                                    "-", start - 1, " out (start at ",
                                    *archive.checkpoint() + 1, " or use another base)");
    }
  }
  return arrow::Status::OK();
}

arrow::Status Archiver::Append(std::span<const pipeline::LedgerInfo> ledgers,
                               const convert::ConvertedChunk& chunk) {
  for (size_t i = 0; i < tables_.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto rows, chunk.batch(tables_[i]));
    ARROW_RETURN_NOT_OK(archives_[i]->Append(ledgers, rows));
  }
  return arrow::Status::OK();
}

arrow::Status Archiver::Flush() {
  for (const auto& archive : archives_) ARROW_RETURN_NOT_OK(archive->Flush());
  return arrow::Status::OK();
}

uint32_t Archiver::Abandon(uint32_t start) {
  for (const auto& archive : archives_) archive->Abandon();
  return NextLedger(start);
}

const TableArchive& Archiver::table(convert::Table table) const {
  auto found = std::find(tables_.begin(), tables_.end(), table);
  return *archives_[static_cast<size_t>(found - tables_.begin())];
}

}  // namespace sas::archive
