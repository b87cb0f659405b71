#include "ops/config.h"

#include <map>

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace sas::ops {
namespace {

/// An environment made of the given variables only.
EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

arrow::Result<ServerOptions> Parse(std::map<std::string, std::string> env,
                                   std::vector<std::string> args = {}) {
  return ParseServerOptions(args, FakeEnv(std::move(env)));
}

TEST(Config, DefaultsMatchTheDocumentedTable) {
  ASSERT_OK_AND_ASSIGN(ServerOptions options, Parse({}));
  EXPECT_EQ(options.arrow_port, 8815);
  EXPECT_EQ(options.health_port, 8088);
  EXPECT_EQ(options.source_endpoint, "localhost:50053");
  EXPECT_FALSE(options.mock_data);
  EXPECT_EQ(options.batch_size, 1000u);
  EXPECT_EQ(options.log_level, LogLevel::kInfo);
  for (const OptionSpec& spec : ServerOptionSpecs()) {
    if (spec.default_value.empty()) continue;  // unset by default
    ServerOptions from_default;
    ASSERT_OK(spec.apply(spec.default_value, &from_default)) << spec.env;
  }
}

TEST(Config, EnvironmentIsRead) {
  ASSERT_OK_AND_ASSIGN(ServerOptions options, Parse({{"ARROW_PORT", "9000"},
                                                     {"MOCK_DATA", "true"},
                                                     {"LOG_LEVEL", "debug"},
                                                     {"NETWORK_PASSPHRASE", "pubnet"}}));
  EXPECT_EQ(options.arrow_port, 9000);
  EXPECT_TRUE(options.mock_data);
  EXPECT_EQ(options.log_level, LogLevel::kDebug);
  EXPECT_EQ(options.network_passphrase, "Public Global Stellar Network ; September 2015");
}

TEST(Config, FlagsOverrideEnvironment) {
  ASSERT_OK_AND_ASSIGN(
      ServerOptions options,
      Parse({{"ARROW_PORT", "9000"}}, {"--arrow-port", "9100", "--health-port=9200"}));
  EXPECT_EQ(options.arrow_port, 9100);
  EXPECT_EQ(options.health_port, 9200);
}

TEST(Config, InvalidValuesNameVariableValueAndAcceptedForm) {
  auto bad_port = Parse({{"ARROW_PORT", "abc"}});
  ASSERT_FALSE(bad_port.ok());
  EXPECT_EQ(bad_port.status().message(),
            "invalid ARROW_PORT='abc': expected an integer port 1-65535");

  auto out_of_range = Parse({{"HEALTH_PORT", "70000"}});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("HEALTH_PORT='70000'"),
            std::string::npos);

  auto bad_level = Parse({{"LOG_LEVEL", "loud"}});
  ASSERT_FALSE(bad_level.ok());
  EXPECT_NE(bad_level.status().message().find("debug, info, warn or error"),
            std::string::npos);

  auto bad_flag = Parse({}, {"--batch-size", "0"});
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_NE(bad_flag.status().message().find("--batch-size='0'"), std::string::npos);
}

TEST(Config, UnknownAndIncompleteFlagsAreRejected) {
  auto unknown = Parse({}, {"--no-such-thing"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--no-such-thing"), std::string::npos);
  auto missing_value = Parse({}, {"--arrow-port"});
  ASSERT_FALSE(missing_value.ok());
  EXPECT_NE(missing_value.status().message().find("needs a value"), std::string::npos);
}

TEST(Config, HelpListsEveryOptionWithEnvAndDefault) {
  std::string help = FormatOptionsHelp();
  for (const OptionSpec& spec : ServerOptionSpecs()) {
    EXPECT_NE(help.find(spec.flag), std::string::npos) << spec.flag;
    EXPECT_NE(help.find(spec.env), std::string::npos) << spec.env;
    EXPECT_NE(help.find(std::string(spec.default_value)), std::string::npos) << spec.env;
  }
}

}  // namespace
}  // namespace sas::ops
