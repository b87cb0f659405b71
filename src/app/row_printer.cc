#include "app/row_printer.h"

#include <algorithm>

#include <arrow/type_traits.h>

#include "convert/batch_writer.h"

namespace sas::app {
namespace {

/// Widest a table column grows, in characters.
constexpr size_t kMaxColumnWidth = 44;
/// Rows of the first batch looked at to size the columns.
constexpr int64_t kSizingRows = 50;

/// Returns the number of characters (not bytes) of UTF-8 `text`.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

/// Returns `text` cut to `width` characters ("~" marks a cut), padded to `width`.
std::string Fit(std::string text, size_t width, bool right) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
  if (DisplayWidth(text) > width) {
    size_t keep = 0;
    size_t characters = 0;
    while (keep < text.size() && characters + 1 < width) {
      ++keep;
      while (keep < text.size() &&
             (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
        ++keep;
      ++characters;
    }
    text = text.substr(0, keep) + "~";
  }
  std::string padding(width - DisplayWidth(text), ' ');
  return right ? padding + text : text + padding;
}

bool IsNumeric(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         arrow::is_decimal(type.id());
}

}  // namespace

arrow::Result<RowFormat> ParseRowFormat(std::string_view name) {
  if (name == "table") return RowFormat::kTable;
  if (name == "jsonl") return RowFormat::kJsonl;
  if (name == "csv") return RowFormat::kCsv;
  return arrow::Status::Invalid("--format='", name, "': expected table, jsonl or csv");
}

RowPrinter::RowPrinter(RowFormat format, std::FILE* out, int width,
                       std::vector<std::string> columns)
    : format_(format), out_(out), width_(width), column_names_(std::move(columns)) {}

arrow::Status RowPrinter::ChooseColumns(const arrow::Schema& schema) {
  std::vector<int> chosen;
  for (const std::string& name : column_names_) {
    int index = schema.GetFieldIndex(name);
    if (index < 0) {
      std::string known;
      for (const auto& field : schema.fields()) known += " " + field->name();
      return arrow::Status::Invalid("--columns: no column '", name,
                                    "' in this stream; it has:", known);
    }
    chosen.push_back(index);
  }
  if (column_names_.empty()) {
    for (int i = 0; i < schema.num_fields(); ++i) chosen.push_back(i);
  }
  chosen_ = std::move(chosen);
  return arrow::Status::OK();
}

void RowPrinter::StartTable(const arrow::RecordBatch& batch) {
  size_t used = 0;
  for (size_t i = 0; i < chosen_->size(); ++i) {
    int column = (*chosen_)[i];
    size_t width = DisplayWidth(batch.schema()->field(column)->name());
    for (int64_t row = 0; row < std::min(batch.num_rows(), kSizingRows); ++row) {
      width =
          std::max(width, DisplayWidth(convert::CellText(*batch.column(column), row)));
    }
    width = std::min(width, kMaxColumnWidth);
    size_t needed = used + (shown_.empty() ? 0 : 2) + width;
    if (!shown_.empty() && needed > static_cast<size_t>(width_)) continue;
    used = needed;
    shown_.push_back(static_cast<int>(i));
    widths_.push_back(width);
    right_aligned_.push_back(IsNumeric(*batch.schema()->field(column)->type()));
  }
  std::string header;
  std::string rule;
  for (size_t i = 0; i < shown_.size(); ++i) {
    if (i > 0) {
      header += "  ";
      rule += "  ";
    }
    header +=
        Fit(batch.schema()->field((*chosen_)[static_cast<size_t>(shown_[i])])->name(),
            widths_[i], right_aligned_[i]);
    rule += std::string(widths_[i], '-');
  }
  std::fprintf(out_, "%s\n%s\n", header.c_str(), rule.c_str());
}

std::string RowPrinter::TableLine(const arrow::RecordBatch& batch, int64_t row) {
  std::string line;
  for (size_t i = 0; i < shown_.size(); ++i) {
    if (i > 0) line += "  ";
    int column = (*chosen_)[static_cast<size_t>(shown_[i])];
    std::string text = convert::CellText(*batch.column(column), row);
    // A number is never cut (a cut number reads as another value): its column grows.
    if (right_aligned_[i]) widths_[i] = std::max(widths_[i], DisplayWidth(text));
    line += Fit(std::move(text), widths_[i], right_aligned_[i]);
  }
  return line;
}

arrow::Status RowPrinter::Print(const arrow::RecordBatch& batch) {
  bool first = !chosen_.has_value();
  if (first) ARROW_RETURN_NOT_OK(ChooseColumns(*batch.schema()));
  ARROW_ASSIGN_OR_RAISE(auto selected, batch.SelectColumns(*chosen_));
  std::string text;
  switch (format_) {
    case RowFormat::kJsonl:
      ARROW_RETURN_NOT_OK(convert::AppendJsonLines(*selected, &text));
      break;
    case RowFormat::kCsv:
      if (first) text = convert::CsvHeader(*selected->schema());
      ARROW_RETURN_NOT_OK(convert::AppendCsvRows(*selected, &text));
      break;
    case RowFormat::kTable:
      if (first) StartTable(batch);
      for (int64_t row = 0; row < batch.num_rows(); ++row) {
        text += TableLine(batch, row) + "\n";
      }
      break;
  }
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
  return arrow::Status::OK();
}

}  // namespace sas::app
