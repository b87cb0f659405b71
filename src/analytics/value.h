// One cell of a table as a comparable value, for group keys and measures.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/result.h>
#include <arrow/util/decimal.h>

namespace sas::analytics {

/// A cell: null, bool, signed or unsigned integer, float, decimal or bytes.
using Value = std::variant<std::monostate, bool, int64_t, uint64_t, double,
                           arrow::Decimal128, std::string>;

/// True when columns of `type` can be read as Values (group keys, measures).
bool IsSupportedType(const arrow::DataType& type);

/// True when `type` holds numbers (sums, averages, percentiles, deviations).
bool IsNumericType(const arrow::DataType& type);

/// Reads row `row` of `array` (a supported type; dictionaries read as their values).
Value CellValue(const arrow::Array& array, int64_t row);

/// Returns a numeric Value as a double (0 for non-numbers).
double ToDouble(const Value& value);

/// Returns the Arrow type a group-key column of input type `type` is written as.
std::shared_ptr<arrow::DataType> KeyOutputType(
    const std::shared_ptr<arrow::DataType>& type);

/// Appends `value` (of a column of input type `type`) to `builder`.
arrow::Status AppendValue(const Value& value, const arrow::DataType& type,
                          arrow::ArrayBuilder* builder);

}  // namespace sas::analytics
