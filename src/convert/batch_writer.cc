#include "convert/batch_writer.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include <arrow/array.h>
#include <arrow/array/array_dict.h>
#include <arrow/io/file.h>
#include <arrow/ipc/writer.h>
#include <arrow/scalar.h>
#include <arrow/util/base64.h>
#include <parquet/arrow/writer.h>
#include <nlohmann/json.hpp>

#include "xdr/sha256.h"

namespace sas::convert {
namespace {

arrow::Status Publish(const std::string& path) {
  std::error_code error;
  std::filesystem::rename(InProgressPath(path), path, error);
  if (error)
    return arrow::Status::IOError("cannot rename to ", path, ": ", error.message());
  return arrow::Status::OK();
}

std::string Rfc3339Micros(int64_t micros) {
  int64_t seconds = micros / 1'000'000;
  int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[40];
  size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  if (fraction != 0) {
    std::snprintf(text + length, sizeof(text) - length, ".%06lldZ",
                  static_cast<long long>(fraction));
  } else {
    std::snprintf(text + length, sizeof(text) - length, "Z");
  }
  return text;
}

/// Returns the JSON value of one cell.
nlohmann::json CellJson(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return nullptr;
  switch (array.type_id()) {
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanArray&>(array).Value(row);
    case arrow::Type::INT32:
      return static_cast<const arrow::Int32Array&>(array).Value(row);
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Array&>(array).Value(row);
    case arrow::Type::UINT8:
      return static_cast<const arrow::UInt8Array&>(array).Value(row);
    case arrow::Type::UINT32:
      return static_cast<const arrow::UInt32Array&>(array).Value(row);
    case arrow::Type::UINT64:
      return static_cast<const arrow::UInt64Array&>(array).Value(row);
    case arrow::Type::DOUBLE:
      return static_cast<const arrow::DoubleArray&>(array).Value(row);
    case arrow::Type::STRING:
      return std::string(static_cast<const arrow::StringArray&>(array).GetView(row));
    case arrow::Type::BINARY:
      return arrow::util::base64_encode(
          static_cast<const arrow::BinaryArray&>(array).GetView(row));
    case arrow::Type::FIXED_SIZE_BINARY: {
      const auto& binary = static_cast<const arrow::FixedSizeBinaryArray&>(array);
      return xdr::ToHex({binary.GetValue(row), static_cast<size_t>(binary.byte_width())});
    }
    case arrow::Type::TIMESTAMP:
      return Rfc3339Micros(static_cast<const arrow::TimestampArray&>(array).Value(row));
    case arrow::Type::DECIMAL128:
      return static_cast<const arrow::Decimal128Array&>(array).FormatValue(row);
    case arrow::Type::DICTIONARY: {
      const auto& dictionary = static_cast<const arrow::DictionaryArray&>(array);
      return CellJson(*dictionary.dictionary(), dictionary.GetValueIndex(row));
    }
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListArray&>(array);
      nlohmann::json values = nlohmann::json::array();
      auto slice = list.value_slice(row);
      for (int64_t i = 0; i < slice->length(); ++i) values.push_back(CellJson(*slice, i));
      return values;
    }
    case arrow::Type::STRUCT: {
      const auto& record = static_cast<const arrow::StructArray&>(array);
      nlohmann::json object = nlohmann::json::object();
      for (int i = 0; i < record.num_fields(); ++i) {
        object[record.type()->field(i)->name()] = CellJson(*record.field(i), row);
      }
      return object;
    }
    default:
      return array.GetScalar(row).ValueOrDie()->ToString();
  }
}

/// Returns `text` as one CSV field: quoted (quotes doubled) when it holds a comma, a
/// quote or a line break.
std::string CsvField(std::string text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

/// Writes a header line, then every row, as CSV.
class CsvWriter : public BatchFileWriter {
 public:
  CsvWriter(std::string path, std::shared_ptr<arrow::io::OutputStream> out,
            const arrow::Schema& schema)
      : path_(std::move(path)), out_(std::move(out)), header_(CsvHeader(schema)) {}

  arrow::Status Write(const arrow::RecordBatch& batch) override {
    std::string text = std::move(header_);
    header_.clear();
    ARROW_RETURN_NOT_OK(AppendCsvRows(batch, &text));
    return out_->Write(text);
  }

  arrow::Status Close() override {
    if (!header_.empty()) ARROW_RETURN_NOT_OK(out_->Write(header_));
    ARROW_RETURN_NOT_OK(out_->Close());
    return Publish(path_);
  }

 private:
  std::string path_;
  std::shared_ptr<arrow::io::OutputStream> out_;
  std::string header_;
};

class JsonLinesWriter : public BatchFileWriter {
 public:
  explicit JsonLinesWriter(std::string path, std::shared_ptr<arrow::io::OutputStream> out)
      : path_(std::move(path)), out_(std::move(out)) {}

  arrow::Status Write(const arrow::RecordBatch& batch) override {
    std::string text;
    ARROW_RETURN_NOT_OK(AppendJsonLines(batch, &text));
    return out_->Write(text);
  }

  arrow::Status Close() override {
    ARROW_RETURN_NOT_OK(out_->Close());
    return Publish(path_);
  }

 private:
  std::string path_;
  std::shared_ptr<arrow::io::OutputStream> out_;
};

/// Rewrites the dictionary columns of successive batches against one dictionary per
/// column that only grows (every value seen so far, in first-seen order). An IPC file
/// allows one dictionary per column plus deltas, and each converted batch has its own:
/// rewritten, the file keeps the columns dictionary-encoded and the writer emits only
/// each batch's new values. Arrow's writer cannot extend an empty dictionary by a delta,
/// so a column without values in the first batch starts with an unused "" (never a value
/// of these columns).
class GrowingDictionaries {
 public:
  /// Returns `batch` with its dictionary columns' indices into the grown dictionaries.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Rewrite(
      const arrow::RecordBatch& batch) {
    std::vector<std::shared_ptr<arrow::Array>> columns = batch.columns();
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i]->type_id() != arrow::Type::DICTIONARY) continue;
      const auto& column = static_cast<const arrow::DictionaryArray&>(*columns[i]);
      std::unique_ptr<arrow::DictionaryUnifier>& unifier = unifiers_[i];
      if (unifier == nullptr) {
        ARROW_ASSIGN_OR_RAISE(unifier, StartedUnifier(*column.dictionary()));
      }
      std::shared_ptr<arrow::Buffer> transpose;
      ARROW_RETURN_NOT_OK(unifier->Unify(*column.dictionary(), &transpose));
      std::shared_ptr<arrow::DataType> index_type;
      std::shared_ptr<arrow::Array> grown;
      ARROW_RETURN_NOT_OK(unifier->GetResult(&index_type, &grown));
      ARROW_ASSIGN_OR_RAISE(columns[i], column.Transpose(column.type(), grown,
                                                         transpose->data_as<int32_t>()));
    }
    return arrow::RecordBatch::Make(batch.schema(), batch.num_rows(), std::move(columns));
  }

 private:
  /// Returns a unifier for a column whose first dictionary is `first`.
  static arrow::Result<std::unique_ptr<arrow::DictionaryUnifier>> StartedUnifier(
      const arrow::Array& first) {
    ARROW_ASSIGN_OR_RAISE(auto unifier, arrow::DictionaryUnifier::Make(first.type()));
    if (first.length() == 0) {
      ARROW_ASSIGN_OR_RAISE(auto placeholder,
                            arrow::MakeArrayFromScalar(arrow::StringScalar(""), 1));
      ARROW_RETURN_NOT_OK(unifier->Unify(*placeholder));
    }
    return unifier;
  }

  std::map<size_t, std::unique_ptr<arrow::DictionaryUnifier>> unifiers_;
};

/// A file written through an Arrow IPC or Parquet writer over `out`: closing closes the
/// writer (footer), then the stream, then publishes the file under its name. With
/// `dictionaries`, each batch's dictionary columns are first rewritten against them.
template <class FormatWriter>
class StreamingFileWriter : public BatchFileWriter {
 public:
  StreamingFileWriter(std::string path, std::shared_ptr<arrow::io::OutputStream> out,
                      FormatWriter writer,
                      std::unique_ptr<GrowingDictionaries> dictionaries)
      : path_(std::move(path)),
        out_(std::move(out)),
        writer_(std::move(writer)),
        dictionaries_(std::move(dictionaries)) {}

  arrow::Status Write(const arrow::RecordBatch& batch) override {
    if (dictionaries_ == nullptr) return writer_->WriteRecordBatch(batch);
    ARROW_ASSIGN_OR_RAISE(auto rewritten, dictionaries_->Rewrite(batch));
    return writer_->WriteRecordBatch(*rewritten);
  }

  arrow::Status Close() override {
    ARROW_RETURN_NOT_OK(writer_->Close());
    ARROW_RETURN_NOT_OK(out_->Close());
    return Publish(path_);
  }

 private:
  std::string path_;
  std::shared_ptr<arrow::io::OutputStream> out_;
  FormatWriter writer_;
  std::unique_ptr<GrowingDictionaries> dictionaries_;
};

template <class FormatWriter>
std::unique_ptr<BatchFileWriter> MakeStreamingWriter(
    const std::string& path, std::shared_ptr<arrow::io::OutputStream> out,
    FormatWriter writer, std::unique_ptr<GrowingDictionaries> dictionaries = nullptr) {
  return std::make_unique<StreamingFileWriter<FormatWriter>>(
      path, std::move(out), std::move(writer), std::move(dictionaries));
}

}  // namespace

arrow::Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "parquet") return OutputFormat::kParquet;
  if (name == "arrow") return OutputFormat::kArrow;
  if (name == "jsonl") return OutputFormat::kJsonl;
  if (name == "csv") return OutputFormat::kCsv;
  return arrow::Status::Invalid("unknown format '", name,
                                "': expected parquet, arrow, jsonl or csv");
}

std::string InProgressPath(const std::string& path) { return path + ".inprogress"; }

std::optional<OutputFormat> OutputFormatFromExtension(std::string_view path) {
  if (path.ends_with(".parquet")) return OutputFormat::kParquet;
  if (path.ends_with(".jsonl") || path.ends_with(".json")) return OutputFormat::kJsonl;
  if (path.ends_with(".arrow") || path.ends_with(".feather")) return OutputFormat::kArrow;
  if (path.ends_with(".csv")) return OutputFormat::kCsv;
  return std::nullopt;
}

std::string CellText(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return "";
  nlohmann::json value = CellJson(array, row);
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CsvHeader(const arrow::Schema& schema) {
  std::string line;
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i > 0) line.push_back(',');
    line += CsvField(schema.field(i)->name());
  }
  return line + "\n";
}

arrow::Status AppendCsvRows(const arrow::RecordBatch& batch, std::string* out) {
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    for (int column = 0; column < batch.num_columns(); ++column) {
      if (column > 0) out->push_back(',');
      out->append(CsvField(CellText(*batch.column(column), row)));
    }
    out->push_back('\n');
  }
  return arrow::Status::OK();
}

arrow::Status AppendJsonLines(const arrow::RecordBatch& batch, std::string* out) {
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    nlohmann::json object = nlohmann::json::object();
    for (int column = 0; column < batch.num_columns(); ++column) {
      object[batch.column_name(column)] = CellJson(*batch.column(column), row);
    }
    out->append(object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    out->push_back('\n');
  }
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<BatchFileWriter>> OpenBatchFileWriter(
    const std::string& path, OutputFormat format,
    const std::shared_ptr<arrow::Schema>& schema) {
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::io::OutputStream> out,
                        arrow::io::FileOutputStream::Open(InProgressPath(path)));
  switch (format) {
    case OutputFormat::kJsonl:
      return std::make_unique<JsonLinesWriter>(path, std::move(out));
    case OutputFormat::kCsv:
      return std::make_unique<CsvWriter>(path, std::move(out), *schema);
    case OutputFormat::kArrow: {
      auto options = arrow::ipc::IpcWriteOptions::Defaults();
      options.emit_dictionary_deltas = true;
      ARROW_ASSIGN_OR_RAISE(auto writer,
                            arrow::ipc::MakeFileWriter(out, schema, options));
      return MakeStreamingWriter(path, std::move(out), std::move(writer),
                                 std::make_unique<GrowingDictionaries>());
    }
    case OutputFormat::kParquet: {
      auto properties = parquet::WriterProperties::Builder()
                            .compression(arrow::Compression::ZSTD)
                            ->enable_statistics()
                            ->build();
      auto arrow_properties =
          parquet::ArrowWriterProperties::Builder().store_schema()->build();
      ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(
                                             *schema, arrow::default_memory_pool(), out,
                                             properties, arrow_properties));
      return MakeStreamingWriter(path, std::move(out), std::move(writer));
    }
  }
  return arrow::Status::Invalid("unknown output format");
}

}  // namespace sas::convert
