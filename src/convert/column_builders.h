// Reusable Arrow builders for every column of one schema, and small typed append helpers.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/builder.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/util/decimal.h>

namespace sas::convert {

/// The builder of an EnumStringType() column. Enum names are static strings, so a small
/// cache by the name's address finds a name's dictionary index without hashing its text.
class EnumStringBuilder : public arrow::StringDictionary32Builder {
 public:
  using arrow::StringDictionary32Builder::StringDictionary32Builder;

  /// Appends `name`, which must have static storage (a literal or an XDR enum's name).
  arrow::Status AppendName(std::string_view name) {
    CachedName& cached = cache_[(reinterpret_cast<uintptr_t>(name.data()) >> 3) % kSlots];
    // An empty slot (null data) never matches, not even an empty name.
    if (cached.data == nullptr || cached.data != name.data() ||
        cached.size != name.size()) {
      ARROW_RETURN_NOT_OK(
          memo_table_->GetOrInsert<arrow::StringType>(name, &cached.index));
      cached = {name.data(), name.size(), cached.index};
    }
    ARROW_RETURN_NOT_OK(Reserve(1));
    indices_builder_.UnsafeAppend(cached.index);
    length_ += 1;
    return arrow::Status::OK();
  }

  /// Also clears the dictionary, and with it the cached indices (the dictionary, and so
  /// the indices, outlive Finish: each batch's dictionary extends the previous one's).
  void ResetFull() {
    arrow::StringDictionary32Builder::ResetFull();
    cache_ = {};
  }

 private:
  struct CachedName {
    const char* data = nullptr;
    size_t size = 0;
    int32_t index = 0;
  };
  static constexpr size_t kSlots = 32;
  std::array<CachedName, kSlots> cache_{};
};

/// One builder per column of a schema; flushes to a record batch and starts over.
class ColumnBuilders {
 public:
  /// Creates builders for `schema`; EnumStringType() columns get EnumStringBuilder.
  static arrow::Result<ColumnBuilders> Make(std::shared_ptr<arrow::Schema> schema,
                                            arrow::MemoryPool* pool);

  /// Returns the builder of column `index` as its concrete type.
  template <class Builder>
  Builder* column(int index) {
    return static_cast<Builder*>(builders_[static_cast<size_t>(index)].get());
  }

  /// Returns the rows appended since the last flush.
  int64_t num_rows() const { return builders_.empty() ? 0 : builders_[0]->length(); }

  /// Finishes every column into one batch and resets the builders, each with room for as
  /// many rows and value bytes as this batch held (the next chunk is alike, so builders
  /// rarely grow, i.e. reallocate and copy, while appending).
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush();

  /// Returns the schema.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

  /// Makes room for `rows` more rows in every column (not in list values), so that that
  /// many rows of UnsafeAppendOptional and unsafe nulls may follow. Reserves in steps of
  /// kRowStep rows, so that most calls only count.
  arrow::Status ReserveRows(int64_t rows) {
    if (rows > reserved_rows_) {
      int64_t step = std::max(rows, kRowStep);
      // Counted only once every column has the room: a failure leaves none promised.
      reserved_rows_ = 0;
      ARROW_RETURN_NOT_OK(ReserveEveryColumn(step));
      reserved_rows_ = step;
    }
    reserved_rows_ -= rows;
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  static constexpr int64_t kRowStep = 256;

  /// Makes room for `rows` more rows in every column.
  arrow::Status ReserveEveryColumn(int64_t rows);

  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders_;
  /// Rows that may still be appended into the room ReserveRows made.
  int64_t reserved_rows_ = 0;
};

/// Appends a value, or null when absent.
template <class Builder, class T>
arrow::Status AppendOptional(Builder* builder, const std::optional<T>& value) {
  return value ? builder->Append(*value) : builder->AppendNull();
}

/// Appends a fixed-width value, or null when absent, into room the caller reserved
/// (ColumnBuilders::ReserveRows).
template <class Builder, class T>
void UnsafeAppendOptional(Builder* builder, const std::optional<T>& value) {
  if (value) {
    builder->UnsafeAppend(*value);
  } else {
    builder->UnsafeAppendNull();
  }
}

/// Returns the type of exact stroop amounts: decimal128(38, 0).
std::shared_ptr<arrow::DataType> StroopsType();

/// Returns the type of enum-valued string columns: dictionary<int32, utf8>.
std::shared_ptr<arrow::DataType> EnumStringType();

}  // namespace sas::convert
