#include "convert/scval.h"

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stellar_xdr_types.h"
#include "testing/status_matchers.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;

/// Renders an owning SCVal through its encoded bytes and view, as the tables do.
std::string Render(const sx::SCVal& value) {
  std::vector<uint8_t> bytes = sx::EncodeXdr(value);
  auto view = sx::ParseView<sx::SCVal>(bytes);
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return view.ok() ? ScValJson(*view) : "";
}

TEST(ScValJson, ScalarsAndExactIntegers) {
  sx::SCVal i128;
  i128.type = sx::SCValType::SCV_I128;
  i128.i128.hi = -1;
  i128.i128.lo = 0xFFFFFFFFFFFFFFFBull;  // -5
  EXPECT_EQ(Render(i128), R"({"i128":"-5"})");
  sx::SCVal u64;
  u64.type = sx::SCValType::SCV_U64;
  u64.u64 = 18446744073709551615ull;
  EXPECT_EQ(Render(u64), R"({"u64":"18446744073709551615"})");
  sx::SCVal flag;
  flag.type = sx::SCValType::SCV_BOOL;
  flag.b = true;
  EXPECT_EQ(Render(flag), R"({"bool":true})");
}

TEST(ScValJson, Full256BitIntegersKeepTheirSign) {
  sx::SCVal u256;
  u256.type = sx::SCValType::SCV_U256;
  u256.u256 = {~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(
      Render(u256),
      R"({"u256":"115792089237316195423570985008687907853269984665640564039457584007913129639935"})");
  sx::SCVal i256;
  i256.type = sx::SCValType::SCV_I256;
  i256.i256 = {std::numeric_limits<int64_t>::min(), 0, 0, 0};
  EXPECT_EQ(
      Render(i256),
      R"({"i256":"-57896044618658097711785492504343953926634992332820282019728792003956564819968"})");
  i256.i256 = {-1, ~0ull, ~0ull, ~0ull - 4};
  EXPECT_EQ(Render(i256), R"({"i256":"-5"})");
  u256.u256 = {0, 0, 1, 0};
  EXPECT_EQ(Render(u256), R"({"u256":"18446744073709551616"})");
  u256.u256 = {};
  EXPECT_EQ(Render(u256), R"({"u256":"0"})");
}

TEST(ScValJson, StringsAreEscapedAndInvalidUtf8Replaced) {
  sx::SCVal text;
  text.type = sx::SCValType::SCV_STRING;
  text.str = std::string("a\"b\\c\n\x01", 7);
  EXPECT_EQ(Render(text), R"({"string":"a\"b\\c\u000a\u0001"})");
  text.str = "caf\xc3\xa9";
  EXPECT_EQ(Render(text), "{\"string\":\"caf\xc3\xa9\"}");
  text.str = "bad\xff";
  EXPECT_EQ(Render(text), R"({"string":"bad\ufffd"})");
}

TEST(ScValJson, EveryBytePositionOfLongStringsIsEscapedExactly) {
  // Strings scanned eight bytes at a time: a character to escape at each position of
  // strings of 1 to 40 bytes, around multibyte UTF-8 and 0x7f; JSON gives them back.
  const std::vector<std::string> specials = {"\"",   "\\",       "\n", "\x1f", "\x01",
                                             "\x7f", "\xc3\xa9", " ",  "~"};
  sx::SCVal text;
  text.type = sx::SCValType::SCV_STRING;
  for (size_t length = 1; length <= 40; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (const std::string& special : specials) {
        std::string value(length, 'x');
        value.replace(at, 1, special);
        text.str = value;
        auto json = nlohmann::json::parse(Render(text));
        ASSERT_EQ(json["string"].get<std::string>(), value) << length << " " << at;
      }
    }
  }
  text.str = std::string(20, 'y') + "\xff" + std::string(20, 'z');
  EXPECT_EQ(nlohmann::json::parse(Render(text))["string"].get<std::string>(),
            std::string(20, 'y') + "\xef\xbf\xbd" + std::string(20, 'z'));
}

}  // namespace
}  // namespace sas::convert
