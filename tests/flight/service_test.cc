#include "flight/service.h"

#include <array>
#include <filesystem>

#include <arrow/flight/api.h>
#include <arrow/table.h>
#include <gtest/gtest.h>

#include "ingest/source_uri.h"
#include "ops/metric_catalog.h"
#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::flight {
namespace {

namespace fl = arrow::flight;

constexpr uint32_t kLakeLast = 1410367;
constexpr const char* kTestnet = "Test SDF Network ; September 2015";

pipeline::HistoryOpener LakeHistory() {
  return [](uint32_t start, std::optional<uint32_t> end)
             -> arrow::Result<std::unique_ptr<ingest::LedgerSource>> {
    ingest::SourceRequest request;
    request.uri =
        "file://" + std::filesystem::absolute(sas::testing::TestdataDir() / "derived" /
                                              "lake-testnet-lighthorizon-32perfile")
                        .string();
    request.network_passphrase = kTestnet;
    request.start = start;
    request.end = end;
    return ingest::OpenLedgerSource(request);
  };
}

class FlightServiceTest : public ::testing::Test {
 protected:
  void Start(const std::string& token = "", uint32_t max_streams = 8) {
    pipeline::HubOptions hub_options;
    hub_options.converter.network_passphrase = kTestnet;
    ASSERT_OK_AND_ASSIGN(auto live, LakeHistory()(kLakeLast - 4, std::nullopt));
    ASSERT_OK_AND_ASSIGN(
        hub_, pipeline::LedgerHub::Start(std::move(live), kLakeLast - 4, hub_options));
    FlightServiceOptions options;
    options.batch_rows = 50;
    options.max_streams = max_streams;
    options.converter.network_passphrase = kTestnet;
    FlightMetrics metrics{registry_.Register(ops::metric::kFlightRowsSent),
                          registry_.Register(ops::metric::kFlightBytesSent),
                          registry_.Register(ops::metric::kFlightDroppedStreams)};
    service_ =
        std::make_unique<StellarFlightService>(options, hub_, LakeHistory(), metrics);
    calls_ = registry_.Register(ops::metric::kFlightCallsTotal);
    ASSERT_OK_AND_ASSIGN(auto location, fl::Location::ForGrpcTcp("127.0.0.1", 0));
    fl::FlightServerOptions server_options(location);
    server_options.middleware.emplace_back(
        "metrics", std::make_shared<CallMetricsMiddlewareFactory>(
                       calls_, registry_.Register(ops::metric::kFlightCallSeconds)));
    if (!token.empty()) {
      server_options.middleware.emplace_back(
          "auth", std::make_shared<BearerTokenMiddlewareFactory>(token));
    }
    ASSERT_OK(service_->Init(server_options));
    ASSERT_OK_AND_ASSIGN(auto client_location,
                         fl::Location::ForGrpcTcp("127.0.0.1", service_->port()));
    ASSERT_OK_AND_ASSIGN(client_, fl::FlightClient::Connect(client_location));
  }

  void TearDown() override {
    if (hub_) hub_->Stop();
    if (service_) {
      ASSERT_OK(service_->Shutdown());
    }
  }

  arrow::Result<std::shared_ptr<arrow::Table>> Read(
      const std::string& ticket, const fl::FlightCallOptions& call = {}) {
    ARROW_ASSIGN_OR_RAISE(auto reader, client_->DoGet(call, fl::Ticket{ticket}));
    return reader->ToTable();
  }

  ops::MetricsRegistry registry_;
  ops::MetricFamily* calls_ = nullptr;
  std::shared_ptr<pipeline::LedgerHub> hub_;
  std::unique_ptr<StellarFlightService> service_;
  std::unique_ptr<fl::FlightClient> client_;
};

TEST_F(FlightServiceTest, ListFlightsNamesEveryStreamWithItsSchema) {
  Start();
  ASSERT_OK_AND_ASSIGN(auto listing, client_->ListFlights());
  std::vector<std::string> names;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto info, listing->Next());
    if (!info) break;
    names.push_back(info->descriptor().path.at(0));
    arrow::ipc::DictionaryMemo memo;
    ASSERT_OK_AND_ASSIGN(auto schema, info->GetSchema(&memo));
    EXPECT_GT(schema->num_fields(), 3);
    EXPECT_FALSE(info->app_metadata().empty());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"stellar_ledger", "transactions", "operations",
                                      "token_transfers", "contract_events"}));
}

TEST_F(FlightServiceTest, RangesSpanHistoryAndTheLiveBuffer) {
  Start();
  ASSERT_OK_AND_ASSIGN(auto table, Read("stellar_ledger:1410300:1410367"));
  EXPECT_EQ(table->num_rows(), 68);
  ASSERT_OK_AND_ASSIGN(auto info, client_->GetFlightInfo(fl::FlightDescriptor::Path(
                                      {"stellar_ledger", "1410366", "1410367"})));
  EXPECT_TRUE(info->ordered());
  EXPECT_EQ(info->total_records(), 2);
  ASSERT_EQ(info->endpoints().size(), 1u);
  EXPECT_EQ(info->endpoints()[0].ticket.ticket, "stellar_ledger:1410366:1410367");
  EXPECT_EQ(info->endpoints()[0].locations.at(0).scheme(), "grpc+tcp");
  ASSERT_OK_AND_ASSIGN(auto ops, Read("operations:1410100:1410200"));
  ASSERT_OK_AND_ASSIGN(auto alias, Read("ttp_events:1410100:1410200"));
  EXPECT_GT(ops->num_rows(), 0);
  EXPECT_GE(alias->num_columns(), 5);
}

TEST_F(FlightServiceTest, BadTicketsAreInvalidArgumentAndCounted) {
  Start();
  auto bad = Read("stellar_ledger:abc:1");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid()) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("'abc'"), std::string::npos);
  std::array<std::string, 2> invalid = {"DoGet", "Invalid"};
  EXPECT_EQ(calls_->Value(invalid), 1.0);
}

TEST_F(FlightServiceTest, ActionsReportHealthAndSources) {
  Start();
  ASSERT_OK_AND_ASSIGN(auto results, client_->DoAction(fl::Action{"health", nullptr}));
  ASSERT_OK_AND_ASSIGN(auto result, results->Next());
  ASSERT_NE(result, nullptr);
  EXPECT_NE(result->body->ToString().find("\"status\""), std::string::npos);
  auto unknown = client_->DoAction(fl::Action{"nope", nullptr});
  EXPECT_TRUE(!unknown.ok() || !(*unknown)->Next().ok());
}

TEST_F(FlightServiceTest, BearerTokenIsRequiredWhenConfigured) {
  Start("s3cret");
  EXPECT_FALSE(Read("stellar_ledger:1410366:1410367").ok());
  fl::FlightCallOptions call;
  call.headers.emplace_back("authorization", "Bearer s3cret");
  ASSERT_OK_AND_ASSIGN(auto table, Read("stellar_ledger:1410366:1410367", call));
  EXPECT_EQ(table->num_rows(), 2);
}

TEST_F(FlightServiceTest, StreamsPastMaxConnectionsAreUnavailable) {
  Start("", 1);
  ASSERT_OK_AND_ASSIGN(auto tail, client_->DoGet(fl::Ticket{"stellar_ledger:1410300:"}));
  ASSERT_OK_AND_ASSIGN(auto first, tail->Next());
  ASSERT_NE(first.data, nullptr);
  auto second = Read("stellar_ledger:1410366:1410367");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("MAX_CONNECTIONS"), std::string::npos);
  auto detail = fl::FlightStatusDetail::UnwrapStatus(second.status());
  ASSERT_NE(detail, nullptr) << second.status();
  EXPECT_EQ(detail->code(), fl::FlightStatusCode::Unavailable);
}

}  // namespace
}  // namespace sas::flight
