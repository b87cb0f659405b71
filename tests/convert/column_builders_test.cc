#include "convert/column_builders.h"

#include <string>
#include <vector>

#include <arrow/array.h>
#include <arrow/compute/cast.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace sas::convert {
namespace {

/// Returns the values of a dictionary<int32, utf8> array, decoded.
std::vector<std::string> Values(const arrow::Array& array) {
  auto decoded = arrow::compute::Cast(array, arrow::utf8()).ValueOrDie();
  const auto& strings = static_cast<const arrow::StringArray&>(*decoded);
  std::vector<std::string> out;
  for (int64_t i = 0; i < strings.length(); ++i) {
    out.push_back(strings.IsNull(i) ? "<null>" : std::string(strings.GetView(i)));
  }
  return out;
}

TEST(EnumStringBuilder, NamesByAddressAgreeWithValuesByContentAcrossBatches) {
  EnumStringBuilder builder;
  static constexpr char kPayment[] = "payment";
  static constexpr char kPaymentPrefix[] = "pay";
  std::string same_text = "payment";  // another address, same text
  std::string other_text = "create_account";
  // More distinct names than the address cache has slots, so that slots are reused.
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("name" + std::to_string(i));
  std::vector<std::string> expected;
  for (int batch = 0; batch < 2; ++batch) {
    for (int round = 0; round < 3; ++round) {
      ASSERT_OK(builder.AppendName(kPayment));
      ASSERT_OK(builder.Append(same_text));
      ASSERT_OK(builder.AppendName(std::string_view(kPayment, 3)));
      ASSERT_OK(builder.AppendName(kPaymentPrefix));
      ASSERT_OK(builder.Append(other_text));
      ASSERT_OK(builder.AppendNull());
      ASSERT_OK(builder.AppendName(std::string_view()));
      expected.insert(expected.end(), {"payment", "payment", "pay", "pay",
                                       "create_account", "<null>", ""});
      for (const std::string& name : many) {
        ASSERT_OK(builder.AppendName(name));
        expected.push_back(name);
      }
    }
    std::shared_ptr<arrow::Array> array;
    ASSERT_OK(builder.Finish(&array));
    ASSERT_OK(array->ValidateFull());
    EXPECT_EQ(Values(*array), expected);
    expected.clear();
  }
}

}  // namespace
}  // namespace sas::convert
