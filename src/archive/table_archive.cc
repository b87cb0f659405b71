#include "archive/table_archive.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include <arrow/array.h>
#include <arrow/io/interfaces.h>
#include <arrow/table.h>
#include <arrow/util/byte_size.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>
#include <parquet/statistics.h>
#include <nlohmann/json.hpp>

#include "build_info.h"
#include "ops/log.h"
#include "xdr/sha256.h"

namespace sas::archive {
namespace {

constexpr const char* kTempSuffix = ".inprogress";
constexpr int64_t kHashChunk = int64_t{1} << 20;

/// fsyncs a local file or folder; a no-op on object stores.
arrow::Status SyncPath(const ArchiveSettings& settings, const std::string& path) {
  if (!settings.sync || settings.fs->type_name() != "local") return arrow::Status::OK();
  int fd = ::open(path.c_str(),
                  O_RDONLY | O_CLOEXEC);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  if (fd < 0) return arrow::Status::IOError("cannot open ", path, " to fsync it");
  int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return arrow::Status::IOError("fsync of ", path, " failed");
  return arrow::Status::OK();
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Returns the hex SHA-256 and size of a file.
arrow::Result<std::pair<std::string, int64_t>> HashFile(arrow::fs::FileSystem& fs,
                                                        const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputStream(path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  int64_t size = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, input->Read(kHashChunk));
    if (chunk->size() == 0) break;
    EVP_DigestUpdate(context.get(), chunk->data(), static_cast<size_t>(chunk->size()));
    size += chunk->size();
  }
  xdr::Digest digest{};
  EVP_DigestFinal_ex(context.get(), digest.data(), nullptr);
  return std::make_pair(xdr::ToHex(digest), size);
}

/// An output stream that passes every byte on and keeps their SHA-256 and count, so a
/// committed file's checksum needs no second read.
class HashingOutputStream : public arrow::io::OutputStream {
 public:
  /// Wraps `inner`.
  explicit HashingOutputStream(std::shared_ptr<arrow::io::OutputStream> inner)
      : inner_(std::move(inner)), context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }

  using arrow::io::OutputStream::Write;
  arrow::Status Write(const void* data, int64_t nbytes) override {
    EVP_DigestUpdate(context_.get(), data, static_cast<size_t>(nbytes));
    bytes_ += nbytes;
    return inner_->Write(data, nbytes);
  }
  arrow::Status Flush() override { return inner_->Flush(); }
  arrow::Status Close() override { return inner_->Close(); }
  bool closed() const override { return inner_->closed(); }
  arrow::Result<int64_t> Tell() const override { return inner_->Tell(); }

  /// Returns the hex SHA-256 of everything written and its size (once, at the end).
  std::pair<std::string, int64_t> Finish() {
    xdr::Digest digest{};
    EVP_DigestFinal_ex(context_.get(), digest.data(), nullptr);
    return {xdr::ToHex(digest), bytes_};
  }

 private:
  std::shared_ptr<arrow::io::OutputStream> inner_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
  int64_t bytes_ = 0;
};

/// Writes `contents` to `path` atomically: temporary name, fsync, rename, folder fsync.
arrow::Status WriteAtomically(const ArchiveSettings& settings, const std::string& path,
                              const std::string& contents) {
  std::string temp = path + kTempSuffix;
  {
    ARROW_ASSIGN_OR_RAISE(auto out, settings.fs->OpenOutputStream(temp));
    ARROW_RETURN_NOT_OK(out->Write(contents));
    ARROW_RETURN_NOT_OK(out->Close());
  }
  ARROW_RETURN_NOT_OK(SyncPath(settings, temp));
  ARROW_RETURN_NOT_OK(settings.fs->Move(temp, path));
  return SyncPath(settings, ParentOf(path));
}

/// Parses `<table>-<first>-<last>.parquet`.
std::optional<std::pair<uint32_t, uint32_t>> ParseFileName(const std::string& name,
                                                           std::string_view table) {
  std::string prefix = std::string(table) + "-";
  constexpr std::string_view kSuffix = ".parquet";
  if (!name.starts_with(prefix) || !name.ends_with(kSuffix)) return std::nullopt;
  std::string_view range(name);
  range = range.substr(prefix.size(), range.size() - prefix.size() - kSuffix.size());
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  uint32_t first = 0;
  uint32_t last = 0;
  auto a = std::from_chars(range.data(), range.data() + dash, first);
  auto b = std::from_chars(range.data() + dash + 1, range.data() + range.size(), last);
  if (a.ec != std::errc() || b.ec != std::errc() || a.ptr != range.data() + dash ||
      b.ptr != range.data() + range.size()) {
    return std::nullopt;
  }
  return std::make_pair(first, last);
}

nlohmann::json ToJson(const ArchivedFile& file) {
  return {{"path", file.path},
          {"first_ledger", file.first_ledger},
          {"last_ledger", file.last_ledger},
          {"rows", file.rows},
          {"bytes", file.bytes},
          {"sha256", file.sha256}};
}

std::shared_ptr<parquet::WriterProperties> WriterProperties(
    const ArchiveSettings& settings) {
  parquet::WriterProperties::Builder builder;
  builder.compression(settings.compression)
      ->enable_dictionary()
      ->enable_statistics()
      ->enable_write_page_index()
      ->max_row_group_length(settings.row_group_rows);
  if (settings.compression_level) builder.compression_level(*settings.compression_level);
  return builder.build();
}

}  // namespace

/// The file being written: where, which ledgers, and the rows not yet written.
struct TableArchive::OpenFile {
  std::string folder;
  std::string temp_path;
  uint32_t first_ledger = 0;
  uint32_t last_ledger = 0;
  std::shared_ptr<HashingOutputStream> out;
  std::unique_ptr<parquet::arrow::FileWriter> writer;
  arrow::RecordBatchVector buffered;
  int64_t buffered_rows = 0;
  int64_t buffered_bytes = 0;
  int64_t rows = 0;
};

/// An exclusive flock(2) on a table folder's `.lock` file, held while the archive is
/// open.
class TableArchive::WriterLock {
 public:
  /// Takes the lock on `path`; fails at once when another process holds it.
  static arrow::Result<std::unique_ptr<WriterLock>> Take(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return arrow::Status::IOError("cannot open ", path, ": ", std::strerror(errno));
    }
    auto lock = std::make_unique<WriterLock>(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return arrow::Status::IOError(
            "another process is writing this archive table (", path,
            " is locked): run one writer per base path, e.g. a base per backfill worker "
            "(docs/OPERATIONS.md)");
      }
      return arrow::Status::IOError("cannot lock ", path, ": ", std::strerror(errno));
    }
    return lock;
  }

  explicit WriterLock(int fd) : fd_(fd) {}
  ~WriterLock() { ::close(fd_); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  int fd_;
};

TableArchive::TableArchive(convert::Table table, ArchiveSettings settings)
    : table_(table),
      settings_(std::move(settings)),
      schema_(convert::TableSchema(table, true, settings_.network_passphrase)) {}

TableArchive::~TableArchive() = default;

std::string TableArchive::TableDir() const {
  return settings_.root + "/" + std::string(convert::TableName(table_));
}
std::string TableArchive::CheckpointPath() const {
  return TableDir() + "/_checkpoint.json";
}
std::string TableArchive::ManifestPath() const { return TableDir() + "/_manifest.jsonl"; }

arrow::Result<std::unique_ptr<TableArchive>> TableArchive::Open(
    convert::Table table, const ArchiveSettings& settings) {
  auto archive = std::make_unique<TableArchive>(table, settings);
  ARROW_RETURN_NOT_OK(settings.fs->CreateDir(archive->TableDir(), true));
  ARROW_RETURN_NOT_OK(archive->Lock());
  ARROW_RETURN_NOT_OK(archive->Recover());
  return archive;
}

arrow::Status TableArchive::Lock() {
  if (settings_.fs->type_name() != "local") return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(lock_, WriterLock::Take(TableDir() + "/.lock"));
  return arrow::Status::OK();
}

/// Reads the whole of a small file, or nullopt when it does not exist.
static arrow::Result<std::optional<std::string>> ReadIfExists(arrow::fs::FileSystem& fs,
                                                              const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs.GetFileInfo(path));
  if (info.type() != arrow::fs::FileType::File) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputStream(path));
  ARROW_ASSIGN_OR_RAISE(auto buffer, input->Read(info.size()));
  return buffer->ToString();
}

/// Checks that the ledger_sequence statistics of every row group lie in [first, last].
static arrow::Status CheckLedgerStatistics(const parquet::FileMetaData& metadata,
                                           const std::string& path, uint32_t first,
                                           uint32_t last) {
  int column = metadata.schema()->ColumnIndex("ledger_sequence");
  if (column < 0) return arrow::Status::IOError(path, ": no ledger_sequence column");
  for (int group = 0; group < metadata.num_row_groups(); ++group) {
    auto chunk = metadata.RowGroup(group)->ColumnChunk(column);
    auto statistics =
        std::dynamic_pointer_cast<parquet::Int32Statistics>(chunk->statistics());
    if (!statistics || !statistics->HasMinMax()) {
      return arrow::Status::IOError(path, ": row group ", group,
                                    " has no ledger_sequence statistics");
    }
    auto min = static_cast<uint32_t>(statistics->min());
    auto max = static_cast<uint32_t>(statistics->max());
    if (min < first || max > last) {
      return arrow::Status::IOError(path, ": row group ", group, " holds ledgers ", min,
                                    "-", max, ", outside the file's range ", first, "-",
                                    last);
    }
  }
  return arrow::Status::OK();
}

/// Checks a file written after the checkpoint before it is trusted: its footer reads,
/// its metadata names `table` and the range its name says, it holds the row count it
/// recorded, and its ledger_sequence values lie in that range; returns its row count.
static arrow::Result<int64_t> VerifyFile(arrow::fs::FileSystem& fs,
                                         const std::string& path, std::string_view table,
                                         uint32_t first, uint32_t last) {
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputFile(path));
  std::shared_ptr<parquet::FileMetaData> footer;
  try {
    footer = parquet::ParquetFileReader::Open(input)->metadata();
  } catch (const std::exception& e) {
    return arrow::Status::IOError(path, ": unreadable Parquet footer: ", e.what());
  }
  auto metadata = footer->key_value_metadata();
  if (!metadata) return arrow::Status::IOError(path, ": no key-value metadata");
  auto recorded = [&](const std::string& key) {
    auto value = metadata->Get(key);
    return value.ok() ? *value : std::string();
  };
  if (recorded("stellar.table") != table) {
    return arrow::Status::IOError(path, ": recorded table '", recorded("stellar.table"),
                                  "' is not ", table);
  }
  if (recorded("stellar.first_ledger") != std::to_string(first) ||
      recorded("stellar.last_ledger") != std::to_string(last)) {
    return arrow::Status::IOError(path, ": recorded ledger range differs from its name");
  }
  if (recorded("stellar.row_count") != std::to_string(footer->num_rows())) {
    return arrow::Status::IOError(path, ": holds ", footer->num_rows(),
                                  " rows, recorded '", recorded("stellar.row_count"),
                                  "'");
  }
  if (footer->num_rows() > 0) {
    ARROW_RETURN_NOT_OK(CheckLedgerStatistics(*footer, path, first, last));
  }
  return footer->num_rows();
}

/// Parses one manifest line; nullopt for a line that is not a complete entry.
static std::optional<ArchivedFile> ParseManifestLine(std::string_view line) {
  auto json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto text = [&](const char* key) {
    return json.contains(key) && json[key].is_string();
  };
  auto number = [&](const char* key) {
    return json.contains(key) && json[key].is_number_unsigned();
  };
  if (!text("path") || !text("sha256") || !number("first_ledger") ||
      !number("last_ledger") || !number("rows") || !number("bytes")) {
    return std::nullopt;
  }
  return ArchivedFile{json["path"],
                      json["first_ledger"].get<uint32_t>(),
                      json["last_ledger"].get<uint32_t>(),
                      json["rows"].get<int64_t>(),
                      json["bytes"].get<int64_t>(),
                      json["sha256"]};
}

arrow::Status TableArchive::Recover() {
  arrow::fs::FileSystem& fs = *settings_.fs;
  ARROW_ASSIGN_OR_RAISE(auto checkpoint, ReadIfExists(fs, CheckpointPath()));
  if (checkpoint) {
    auto json = nlohmann::json::parse(*checkpoint, nullptr, false);
    if (json.is_discarded() || !json.contains("last_ledger")) {
      return arrow::Status::IOError(CheckpointPath(), " is not a valid checkpoint");
    }
    checkpoint_ = json["last_ledger"].get<uint32_t>();
  }
  ARROW_ASSIGN_OR_RAISE(auto manifest, ReadIfExists(fs, ManifestPath()));
  if (manifest) {
    size_t begin = 0;
    while (begin < manifest->size()) {
      size_t end = manifest->find('\n', begin);
      if (end == std::string::npos) end = manifest->size();
      std::optional<ArchivedFile> file =
          ParseManifestLine(std::string_view(*manifest).substr(begin, end - begin));
      begin = end + 1;
      if (!file) continue;
      if (checkpoint_ && file->last_ledger <= *checkpoint_)
        files_.push_back(std::move(*file));
    }
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = TableDir();
  selector.recursive = true;
  ARROW_ASSIGN_OR_RAISE(auto entries, fs.GetFileInfo(selector));
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::string>> candidates;
  for (const auto& entry : entries) {
    if (entry.type() != arrow::fs::FileType::File) continue;
    if (entry.base_name().ends_with(kTempSuffix)) {
      ops::LogWarn("archive", "removing a temporary leftover", {{"path", entry.path()}});
      ARROW_RETURN_NOT_OK(fs.DeleteFile(entry.path()));
      continue;
    }
    auto range = ParseFileName(entry.base_name(), convert::TableName(table_));
    if (range && (!checkpoint_ || range->first > *checkpoint_)) {
      candidates.emplace_back(*range, entry.path());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  bool adopted = false;
  for (const auto& [range, path] : candidates) {
    bool contiguous = !checkpoint_ || range.first == *checkpoint_ + 1;
    arrow::Result<int64_t> rows =
        contiguous
            ? VerifyFile(fs, path, convert::TableName(table_), range.first, range.second)
            : arrow::Status::Invalid("not contiguous with the checkpoint");
    if (!rows.ok()) {
      ops::LogWarn("archive", "replacing a file written after the checkpoint",
                   {{"path", path}, {"reason", rows.status().ToString()}});
      ARROW_RETURN_NOT_OK(fs.DeleteFile(path));
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto hashed, HashFile(fs, path));
    files_.push_back({path.substr(settings_.root.size() + 1), range.first, range.second,
                      *rows, hashed.second, hashed.first});
    checkpoint_ = range.second;
    adopted = true;
  }
  if (adopted) ARROW_RETURN_NOT_OK(SaveManifestAndCheckpoint());
  return arrow::Status::OK();
}

arrow::Status TableArchive::Append(std::span<const pipeline::LedgerInfo> ledgers,
                                   const std::shared_ptr<arrow::RecordBatch>& rows) {
  auto sequences = std::static_pointer_cast<arrow::UInt32Array>(
      rows->GetColumnByName("ledger_sequence"));
  if (!sequences) return arrow::Status::Invalid("rows without a ledger_sequence column");
  // Rows of consecutive ledgers bound for the same file are buffered as one slice.
  int64_t run_begin = 0;
  int64_t run_end = 0;
  auto buffer_run = [&] {
    if (open_ && run_end > run_begin) {
      open_->buffered_rows += run_end - run_begin;
      open_->buffered.push_back(rows->Slice(run_begin, run_end - run_begin));
      open_->buffered_bytes +=
          arrow::util::ReferencedBufferSize(*open_->buffered.back()).ValueOr(0);
    }
    run_begin = run_end;
  };
  auto run_bytes = [&] {
    return arrow::util::ReferencedBufferSize(*rows->Slice(run_begin, run_end - run_begin))
        .ValueOr(0);
  };
  int64_t row = 0;
  for (const pipeline::LedgerInfo& ledger : ledgers) {
    int64_t begin = row;
    while (row < rows->num_rows() && sequences->Value(row) == ledger.sequence) ++row;
    if (AlreadyHeld(ledger.sequence)) {
      run_begin = run_end = row;
      continue;
    }
    std::string folder =
        settings_.partitioning.FolderOf(ledger.sequence, ledger.close_time);
    if (open_ && (open_->folder != folder || ledger.sequence != open_->last_ledger + 1)) {
      buffer_run();
      ARROW_RETURN_NOT_OK(CommitFile());
    }
    if (!open_) ARROW_RETURN_NOT_OK(StartFile(ledger, std::move(folder)));
    if (run_end == run_begin) run_begin = begin;
    run_end = row;
    open_->last_ledger = ledger.sequence;
    if (open_->buffered_rows + (run_end - run_begin) >= settings_.row_group_rows ||
        open_->buffered_bytes + run_bytes() >= settings_.row_group_bytes) {
      buffer_run();
      ARROW_RETURN_NOT_OK(WriteRowGroup());
      ARROW_ASSIGN_OR_RAISE(int64_t size, open_->out->Tell());
      if (size >= settings_.max_file_bytes) ARROW_RETURN_NOT_OK(CommitFile());
    }
  }
  buffer_run();
  if (row != rows->num_rows()) {
    return arrow::Status::Invalid(convert::TableName(table_), ": row ", row,
                                  " has ledger ", sequences->Value(row),
                                  ", not one of the ledgers given");
  }
  return arrow::Status::OK();
}

arrow::Status TableArchive::StartFile(const pipeline::LedgerInfo& ledger,
                                      std::string folder) {
  auto file = std::make_unique<OpenFile>();
  std::string dir = TableDir() + "/" + folder;
  ARROW_RETURN_NOT_OK(settings_.fs->CreateDir(dir, true));
  file->folder = std::move(folder);
  file->first_ledger = ledger.sequence;
  file->last_ledger = ledger.sequence;
  file->temp_path = dir + "/." + std::string(convert::TableName(table_)) + "-" +
                    std::to_string(ledger.sequence) + ".parquet" + kTempSuffix;
  ARROW_ASSIGN_OR_RAISE(auto stream, settings_.fs->OpenOutputStream(file->temp_path));
  file->out = std::make_shared<HashingOutputStream>(std::move(stream));
  auto arrow_properties =
      parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ARROW_ASSIGN_OR_RAISE(
      file->writer,
      parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), file->out,
                                       WriterProperties(settings_), arrow_properties));
  open_ = std::move(file);
  return arrow::Status::OK();
}

arrow::Status TableArchive::WriteRowGroup() {
  if (open_->buffered.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto table,
                        arrow::Table::FromRecordBatches(schema_, open_->buffered));
  ARROW_RETURN_NOT_OK(open_->writer->WriteTable(*table, settings_.row_group_rows));
  open_->rows += open_->buffered_rows;
  open_->buffered.clear();
  open_->buffered_rows = 0;
  open_->buffered_bytes = 0;
  return arrow::Status::OK();
}

arrow::Status TableArchive::CommitFile() {
  ARROW_RETURN_NOT_OK(WriteRowGroup());
  OpenFile& file = *open_;
  auto metadata = arrow::key_value_metadata(
      {"stellar.table", "stellar.first_ledger", "stellar.last_ledger",
       "stellar.row_count", "stellar.schema_version", "stellar.xdr_definitions_hash",
       "stellar.network_passphrase", "stellar.writer"},
      {std::string(convert::TableName(table_)), std::to_string(file.first_ledger),
       std::to_string(file.last_ledger), std::to_string(file.rows),
       convert::kSchemaVersion, kXdrDefinitionsHash, settings_.network_passphrase,
       std::string("stellar-arrow-source ") + kVersion});
  ARROW_RETURN_NOT_OK(file.writer->AddKeyValueMetadata(metadata));
  ARROW_RETURN_NOT_OK(file.writer->Close());
  ARROW_RETURN_NOT_OK(file.out->Close());
  ARROW_RETURN_NOT_OK(SyncPath(settings_, file.temp_path));
  std::string name = std::string(convert::TableName(table_)) + "-" +
                     std::to_string(file.first_ledger) + "-" +
                     std::to_string(file.last_ledger) + ".parquet";
  std::string dir = TableDir() + "/" + file.folder;
  ARROW_RETURN_NOT_OK(settings_.fs->Move(file.temp_path, dir + "/" + name));
  ARROW_RETURN_NOT_OK(SyncPath(settings_, dir));
  auto hashed = file.out->Finish();
  files_.push_back(
      {std::string(convert::TableName(table_)) + "/" + file.folder + "/" + name,
       file.first_ledger, file.last_ledger, file.rows, hashed.second, hashed.first});
  checkpoint_ = file.last_ledger;
  open_.reset();
  return SaveManifestAndCheckpoint();
}

arrow::Status TableArchive::SaveManifestAndCheckpoint() {
  std::string manifest;
  for (const ArchivedFile& file : files_) manifest += ToJson(file).dump() + "\n";
  ARROW_RETURN_NOT_OK(WriteAtomically(settings_, ManifestPath(), manifest));
  nlohmann::json checkpoint = {{"table", convert::TableName(table_)},
                               {"last_ledger", *checkpoint_},
                               {"file", files_.empty() ? "" : files_.back().path}};
  return WriteAtomically(settings_, CheckpointPath(), checkpoint.dump() + "\n");
}

bool TableArchive::AlreadyHeld(uint32_t sequence) const {
  if (open_) return sequence <= open_->last_ledger;
  return checkpoint_ && sequence <= *checkpoint_;
}

void TableArchive::Abandon() {
  if (!open_) return;
  // The file failed part-way: whatever it holds is dropped, and its ledgers are
  // appended again from the checkpoint on.
  (void)open_->out->Close();
  (void)settings_.fs->DeleteFile(open_->temp_path);
  open_.reset();
}

arrow::Status TableArchive::Flush() {
  if (!open_) return arrow::Status::OK();
  return CommitFile();
}

}  // namespace sas::archive
