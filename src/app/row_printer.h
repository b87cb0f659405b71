// Printing the rows of a stream as they arrive: aligned columns sized to the terminal,
// JSON lines, or CSV.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace sas::app {

/// How rows are printed.
enum class RowFormat {
  /// Aligned columns, those that fit `width` (in schema order, skipping any too wide
  /// for the space left); text cut with "~" when longer than its column, numbers never
  /// (their column grows).
  kTable,
  /// One JSON object per row (as `convert --format jsonl`).
  kJsonl,
  /// CSV with a header line (RFC 4180 quoting, LF line ends).
  kCsv,
};

/// Parses "table", "jsonl" or "csv".
arrow::Result<RowFormat> ParseRowFormat(std::string_view name);

/// Prints batches of one schema, one line per row, flushing after each batch.
class RowPrinter {
 public:
  /// Prints to `out`; `width` bounds table lines; `columns` picks and orders the
  /// columns shown (empty: all).
  RowPrinter(RowFormat format, std::FILE* out, int width,
             std::vector<std::string> columns = {});

  /// Prints the rows of `batch` (the header first, for table and CSV).
  arrow::Status Print(const arrow::RecordBatch& batch);

 private:
  /// Resolves the chosen columns against the first batch's schema.
  arrow::Status ChooseColumns(const arrow::Schema& schema);
  /// Sizes the table's columns from the first batch and prints the header.
  void StartTable(const arrow::RecordBatch& batch);
  /// Returns the table line of one row (widening a numeric column that is too narrow).
  std::string TableLine(const arrow::RecordBatch& batch, int64_t row);

  RowFormat format_;
  std::FILE* out_;
  int width_;
  std::vector<std::string> column_names_;
  std::optional<std::vector<int>> chosen_;
  /// Table columns shown (indexes into chosen_), their widths and alignment.
  std::vector<int> shown_;
  std::vector<size_t> widths_;
  std::vector<bool> right_aligned_;
};

}  // namespace sas::app
