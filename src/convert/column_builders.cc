#include "convert/column_builders.h"

namespace sas::convert {
namespace {

/// Room one builder (and its children) held at a flush.
struct Room {
  int64_t rows = 0;
  /// Value bytes of binary and string builders.
  int64_t value_bytes = 0;
  std::vector<Room> children;
};

/// Returns what `builder` holds: rows, value bytes, and its children's.
Room RoomOf(const arrow::ArrayBuilder& builder) {
  Room room;
  room.rows = builder.length();
  switch (builder.type()->id()) {
    case arrow::Type::BINARY:
    case arrow::Type::STRING:
      room.value_bytes =
          static_cast<const arrow::BinaryBuilder&>(builder).value_data_length();
      break;
    default:
      break;
  }
  for (int i = 0; i < builder.num_children(); ++i)
    room.children.push_back(RoomOf(*builder.child_builder(i)));
  return room;
}

/// Reserves `room` in an empty `builder` and its children.
arrow::Status Reserve(arrow::ArrayBuilder* builder, const Room& room) {
  ARROW_RETURN_NOT_OK(builder->Reserve(room.rows));
  if (room.value_bytes > 0) {
    ARROW_RETURN_NOT_OK(
        static_cast<arrow::BinaryBuilder*>(builder)->ReserveData(room.value_bytes));
  }
  for (size_t i = 0; i < room.children.size(); ++i) {
    ARROW_RETURN_NOT_OK(
        Reserve(builder->child_builder(static_cast<int>(i)).get(), room.children[i]));
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<ColumnBuilders> ColumnBuilders::Make(std::shared_ptr<arrow::Schema> schema,
                                                   arrow::MemoryPool* pool) {
  ColumnBuilders builders;
  for (const auto& field : schema->fields()) {
    std::unique_ptr<arrow::ArrayBuilder> builder;
    if (field->type()->Equals(EnumStringType())) {
      // The concrete class column<EnumStringBuilder>() expects.
      builder = std::make_unique<EnumStringBuilder>(pool);
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
  // Checked before any column is finished, so that a mismatch leaves every column as is.
  for (const auto& builder : builders_) {
    if (builder->length() != rows) {
      return arrow::Status::Invalid("column builder lengths differ: ", builder->length(),
                                    " vs ", rows);
    }
  }
  reserved_rows_ = 0;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(builders_.size());
  for (auto& builder : builders_) {
    Room room = RoomOf(*builder);
    ARROW_ASSIGN_OR_RAISE(auto array, builder->Finish());
    columns.push_back(std::move(array));
    ARROW_RETURN_NOT_OK(Reserve(builder.get(), room));
  }
  return arrow::RecordBatch::Make(schema_, rows, std::move(columns));
}

arrow::Status ColumnBuilders::ReserveEveryColumn(int64_t rows) {
  for (auto& builder : builders_) ARROW_RETURN_NOT_OK(builder->Reserve(rows));
  return arrow::Status::OK();
}

std::shared_ptr<arrow::DataType> StroopsType() { return arrow::decimal128(38, 0); }

std::shared_ptr<arrow::DataType> EnumStringType() {
  return arrow::dictionary(arrow::int32(), arrow::utf8());
}

}  // namespace sas::convert
