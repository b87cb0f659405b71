#include "convert/column_builders.h"

namespace sas::convert {

arrow::Result<ColumnBuilders> ColumnBuilders::Make(std::shared_ptr<arrow::Schema> schema,
                                                   arrow::MemoryPool* pool) {
  ColumnBuilders builders;
  for (const auto& field : schema->fields()) {
    std::unique_ptr<arrow::ArrayBuilder> builder;
    if (field->type()->Equals(EnumStringType())) {
      // The concrete class column<StringDictionary32Builder>() expects.
      builder = std::make_unique<arrow::StringDictionary32Builder>(pool);
    } else {
      ARROW_RETURN_NOT_OK(arrow::MakeBuilder(pool, field->type(), &builder));
    }
    builders.builders_.push_back(std::move(builder));
  }
  builders.schema_ = std::move(schema);
  return builders;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ColumnBuilders::Flush() {
  int64_t rows = num_rows();
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(builders_.size());
  for (auto& builder : builders_) {
    if (builder->length() != rows) {
      return arrow::Status::Invalid("column builder lengths differ: ", builder->length(),
                                    " vs ", rows);
    }
    ARROW_ASSIGN_OR_RAISE(auto array, builder->Finish());
    columns.push_back(std::move(array));
  }
  return arrow::RecordBatch::Make(schema_, rows, std::move(columns));
}

std::shared_ptr<arrow::DataType> StroopsType() { return arrow::decimal128(38, 0); }

std::shared_ptr<arrow::DataType> EnumStringType() {
  return arrow::dictionary(arrow::int32(), arrow::utf8());
}

}  // namespace sas::convert
