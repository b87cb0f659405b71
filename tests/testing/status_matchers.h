// GoogleTest helpers for arrow::Status / arrow::Result (header-only; the pyarrow wheel
// has no libarrow_testing).
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/table.h>
#include <gtest/gtest.h>

#define SAS_CONCAT_INNER(a, b) a##b
#define SAS_CONCAT(a, b) SAS_CONCAT_INNER(a, b)

/// Fails the test (fatally) unless `expr` yields an OK arrow::Status; streamable.
#define ASSERT_OK(expr)                                                 \
  switch (0)                                                            \
  case 0:                                                               \
  default:                                                              \
    if (const ::arrow::Status _sas_status = (expr); _sas_status.ok()) { \
    } else                                                              \
      FAIL() << _sas_status.ToString()

/// Fails the test (non-fatally) unless `expr` yields an OK arrow::Status; streamable.
#define EXPECT_OK(expr)                                                 \
  switch (0)                                                            \
  case 0:                                                               \
  default:                                                              \
    if (const ::arrow::Status _sas_status = (expr); _sas_status.ok()) { \
    } else                                                              \
      ADD_FAILURE() << _sas_status.ToString()

#define SAS_ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                  \
  ASSERT_TRUE(result.ok()) << result.status().ToString(); \
  lhs = std::move(result).ValueUnsafe()

/// Asserts that `rexpr` (an arrow::Result) is OK and moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  SAS_ASSERT_OK_AND_ASSIGN_IMPL(SAS_CONCAT(_sas_result_, __LINE__), lhs, rexpr)

namespace sas::testing {

/// Asserts that two tables hold the same schema and values, printing both otherwise.
inline void AssertTablesEqual(const arrow::Table& expected, const arrow::Table& actual) {
  ASSERT_TRUE(expected.Equals(actual)) << "expected:\n"
                                       << expected.ToString() << "\nactual:\n"
                                       << actual.ToString();
}

}  // namespace sas::testing
