#include "flight/service.h"

#include <array>

#include <arrow/flight/api.h>
#include <gtest/gtest.h>

#include "ops/metric_catalog.h"
#include "testing/status_matchers.h"

namespace sas::flight {
namespace {

namespace fl = arrow::flight;

class FlightServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    calls_ = registry_.Register(ops::metric::kFlightCallsTotal);
    ASSERT_OK_AND_ASSIGN(auto location, fl::Location::ForGrpcTcp("127.0.0.1", 0));
    fl::FlightServerOptions options(location);
    options.middleware.emplace_back(
        "metrics", std::make_shared<CallMetricsMiddlewareFactory>(calls_));
    ASSERT_OK(service_.Init(options));
    ASSERT_OK_AND_ASSIGN(auto client_location,
                         fl::Location::ForGrpcTcp("127.0.0.1", service_.port()));
    ASSERT_OK_AND_ASSIGN(client_, fl::FlightClient::Connect(client_location));
  }

  void TearDown() override { ASSERT_OK(service_.Shutdown()); }

  ops::MetricsRegistry registry_;
  ops::MetricFamily* calls_ = nullptr;
  StellarFlightService service_;
  std::unique_ptr<fl::FlightClient> client_;
};

TEST_F(FlightServiceTest, ListFlightsIsEmptyUntilStreamsAreRegistered) {
  ASSERT_OK_AND_ASSIGN(auto listing, client_->ListFlights());
  ASSERT_OK_AND_ASSIGN(auto info, listing->Next());
  EXPECT_EQ(info, nullptr);
}

TEST_F(FlightServiceTest, StreamCallsAnswerUnimplementedWithAReason) {
  auto result = client_->DoGet(fl::Ticket{"stellar_ledger:1:2"});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsNotImplemented()) << result.status().ToString();
  EXPECT_NE(result.status().message().find("no ledger stream is served yet"),
            std::string::npos);
  auto info = client_->GetFlightInfo(fl::FlightDescriptor::Command("stellar_ledger"));
  EXPECT_TRUE(info.status().IsNotImplemented());
}

TEST_F(FlightServiceTest, MiddlewareCountsCallsByMethodAndStatus) {
  ASSERT_OK_AND_ASSIGN(auto listing, client_->ListFlights());
  (void)client_->GetFlightInfo(fl::FlightDescriptor::Command("x"));
  std::array<std::string, 2> ok_list = {"ListFlights", "OK"};
  std::array<std::string, 2> unimplemented = {"GetFlightInfo", "NotImplemented"};
  EXPECT_EQ(calls_->Value(ok_list), 1.0);
  EXPECT_EQ(calls_->Value(unimplemented), 1.0);
}

}  // namespace
}  // namespace sas::flight
