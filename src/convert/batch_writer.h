// Writing record batches to a file as Parquet (zstd), Arrow IPC, JSON lines or CSV. The
// file appears under its name only when complete (written to a temporary name, then
// renamed). Arrow IPC files keep dictionary columns dictionary-encoded: one dictionary
// per column grown batch by batch, written as dictionary deltas (a column without values
// in the first batch starts with an unused "").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace sas::convert {

/// File formats batches can be written in.
enum class OutputFormat { kParquet, kArrow, kJsonl, kCsv };

/// Parses "parquet", "arrow", "jsonl" or "csv".
arrow::Result<OutputFormat> ParseOutputFormat(std::string_view name);

/// Returns the format a file name's extension names (.parquet, .jsonl/.json,
/// .arrow/.feather, .csv); nullopt for any other.
std::optional<OutputFormat> OutputFormatFromExtension(std::string_view path);

/// Writes batches of one schema to one file.
class BatchFileWriter {
 public:
  virtual ~BatchFileWriter() = default;
  /// Appends a batch.
  virtual arrow::Status Write(const arrow::RecordBatch& batch) = 0;
  /// Finishes the file and moves it to its final name.
  virtual arrow::Status Close() = 0;
};

/// Returns the temporary name a file is written under until it is complete.
std::string InProgressPath(const std::string& path);

/// Opens `path` for batches of `schema` in `format`.
arrow::Result<std::unique_ptr<BatchFileWriter>> OpenBatchFileWriter(
    const std::string& path, OutputFormat format,
    const std::shared_ptr<arrow::Schema>& schema);

/// Appends one batch as JSON lines (one object per row) to `out`: hashes in
/// fixed_size_binary as hex, other binary as base64, timestamps as RFC 3339 UTC,
/// decimals as strings (exact), dictionaries as their values.
arrow::Status AppendJsonLines(const arrow::RecordBatch& batch, std::string* out);

/// Returns one cell as text, as JSON lines show it (strings unquoted; null as "").
std::string CellText(const arrow::Array& array, int64_t row);

/// Returns the CSV header line (RFC 4180 quoting, LF line ends) of `schema`'s column
/// names.
std::string CsvHeader(const arrow::Schema& schema);

/// Appends one batch as CSV rows (RFC 4180 quoting, LF line ends; cells as CellText) to
/// `out`.
arrow::Status AppendCsvRows(const arrow::RecordBatch& batch, std::string* out);

}  // namespace sas::convert
