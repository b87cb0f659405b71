#include "analytics/value.h"

#include <arrow/type_traits.h>
#include <arrow/visit_type_inline.h>

namespace sas::analytics {

bool IsNumericType(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         type.id() == arrow::Type::DECIMAL128;
}

bool IsSupportedType(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::FIXED_SIZE_BINARY:
      return true;
    case arrow::Type::DICTIONARY:
      return IsSupportedType(
          *static_cast<const arrow::DictionaryType&>(type).value_type());
    default:
      return IsNumericType(type);
  }
}

Value CellValue(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return std::monostate{};
  switch (array.type_id()) {
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanArray&>(array).Value(row);
    case arrow::Type::INT8:
      return int64_t{static_cast<const arrow::Int8Array&>(array).Value(row)};
    case arrow::Type::INT16:
      return int64_t{static_cast<const arrow::Int16Array&>(array).Value(row)};
    case arrow::Type::INT32:
      return int64_t{static_cast<const arrow::Int32Array&>(array).Value(row)};
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Array&>(array).Value(row);
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampArray&>(array).Value(row);
    case arrow::Type::UINT8:
      return uint64_t{static_cast<const arrow::UInt8Array&>(array).Value(row)};
    case arrow::Type::UINT16:
      return uint64_t{static_cast<const arrow::UInt16Array&>(array).Value(row)};
    case arrow::Type::UINT32:
      return uint64_t{static_cast<const arrow::UInt32Array&>(array).Value(row)};
    case arrow::Type::UINT64:
      return static_cast<const arrow::UInt64Array&>(array).Value(row);
    case arrow::Type::FLOAT:
      return double{static_cast<const arrow::FloatArray&>(array).Value(row)};
    case arrow::Type::DOUBLE:
      return static_cast<const arrow::DoubleArray&>(array).Value(row);
    case arrow::Type::DECIMAL128:
      return arrow::Decimal128(
          static_cast<const arrow::Decimal128Array&>(array).GetValue(row));
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return std::string(static_cast<const arrow::BinaryArray&>(array).GetView(row));
    case arrow::Type::LARGE_STRING:
      return std::string(static_cast<const arrow::LargeStringArray&>(array).GetView(row));
    case arrow::Type::FIXED_SIZE_BINARY:
      return std::string(
          static_cast<const arrow::FixedSizeBinaryArray&>(array).GetView(row));
    case arrow::Type::DICTIONARY: {
      const auto& dictionary = static_cast<const arrow::DictionaryArray&>(array);
      return CellValue(*dictionary.dictionary(), dictionary.GetValueIndex(row));
    }
    default:
      return std::monostate{};
  }
}

double ToDouble(const Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<uint64_t>(&value)) return static_cast<double>(*u);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* dec = std::get_if<arrow::Decimal128>(&value)) {
    // Amounts fit in 64 bits: convert those directly (Decimal128::ToDouble is slow).
    int64_t high = dec->high_bits();
    uint64_t low = dec->low_bits();
    bool fits = (high == 0 && low <= static_cast<uint64_t>(INT64_MAX)) ||
                (high == -1 && low > static_cast<uint64_t>(INT64_MAX));
    if (fits) return static_cast<double>(static_cast<int64_t>(low));
    return dec->ToDouble(0);
  }
  return 0;
}

std::shared_ptr<arrow::DataType> KeyOutputType(
    const std::shared_ptr<arrow::DataType>& type) {
  if (type->id() == arrow::Type::DICTIONARY) {
    return static_cast<const arrow::DictionaryType&>(*type).value_type();
  }
  return type;
}

arrow::Status AppendValue(const Value& value, const arrow::DataType& type,
                          arrow::ArrayBuilder* builder) {
  if (std::holds_alternative<std::monostate>(value)) return builder->AppendNull();
  switch (type.id()) {
    case arrow::Type::BOOL:
      return static_cast<arrow::BooleanBuilder*>(builder)->Append(std::get<bool>(value));
    case arrow::Type::DOUBLE:
      return static_cast<arrow::DoubleBuilder*>(builder)->Append(ToDouble(value));
    case arrow::Type::DECIMAL128:
      if (const auto* dec = std::get_if<arrow::Decimal128>(&value)) {
        return static_cast<arrow::Decimal128Builder*>(builder)->Append(*dec);
      }
      return static_cast<arrow::Decimal128Builder*>(builder)->Append(
          arrow::Decimal128(static_cast<int64_t>(ToDouble(value))));
    case arrow::Type::STRING:
      return static_cast<arrow::StringBuilder*>(builder)->Append(
          std::get<std::string>(value));
    case arrow::Type::BINARY:
      return static_cast<arrow::BinaryBuilder*>(builder)->Append(
          std::get<std::string>(value));
    case arrow::Type::LARGE_STRING:
      return static_cast<arrow::LargeStringBuilder*>(builder)->Append(
          std::get<std::string>(value));
    case arrow::Type::FIXED_SIZE_BINARY:
      return static_cast<arrow::FixedSizeBinaryBuilder*>(builder)->Append(
          std::get<std::string>(value));
    default:
      break;
  }
  if (const auto* i = std::get_if<int64_t>(&value)) {
    auto scalar = arrow::MakeScalar(arrow::int64(), *i);
    if (!scalar.ok()) return scalar.status();
    ARROW_ASSIGN_OR_RAISE(auto cast, (*scalar)->CastTo(builder->type()));
    return builder->AppendScalar(*cast);
  }
  if (const auto* u = std::get_if<uint64_t>(&value)) {
    ARROW_ASSIGN_OR_RAISE(auto scalar, arrow::MakeScalar(arrow::uint64(), *u));
    ARROW_ASSIGN_OR_RAISE(auto cast, scalar->CastTo(builder->type()));
    return builder->AppendScalar(*cast);
  }
  if (const auto* d = std::get_if<double>(&value)) {
    ARROW_ASSIGN_OR_RAISE(auto scalar, arrow::MakeScalar(arrow::float64(), *d));
    ARROW_ASSIGN_OR_RAISE(auto cast, scalar->CastTo(builder->type()));
    return builder->AppendScalar(*cast);
  }
  return arrow::Status::TypeError("cannot write a value as ", type.ToString());
}

}  // namespace sas::analytics
