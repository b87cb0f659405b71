// Writing record batches to a file as Parquet (zstd), Arrow IPC, or JSON lines. The file
// appears under its name only when complete (written to a temporary name, then renamed).
// Arrow IPC files hold dictionary columns as plain values (the file format allows only
// one dictionary per column, and every batch carries its own).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace sas::convert {

/// File formats batches can be written in.
enum class OutputFormat { kParquet, kArrow, kJsonl };

/// Parses "parquet", "arrow" or "jsonl".
arrow::Result<OutputFormat> ParseOutputFormat(std::string_view name);

/// Writes batches of one schema to one file.
class BatchFileWriter {
 public:
  virtual ~BatchFileWriter() = default;
  /// Appends a batch.
  virtual arrow::Status Write(const arrow::RecordBatch& batch) = 0;
  /// Finishes the file and moves it to its final name.
  virtual arrow::Status Close() = 0;
};

/// Opens `path` for batches of `schema` in `format`.
arrow::Result<std::unique_ptr<BatchFileWriter>> OpenBatchFileWriter(
    const std::string& path, OutputFormat format,
    const std::shared_ptr<arrow::Schema>& schema);

/// Appends one batch as JSON lines (one object per row) to `out`: hashes in
/// fixed_size_binary as hex, other binary as base64, timestamps as RFC 3339 UTC,
/// decimals as strings (exact), dictionaries as their values.
arrow::Status AppendJsonLines(const arrow::RecordBatch& batch, std::string* out);

}  // namespace sas::convert
