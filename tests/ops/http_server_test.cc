#include "ops/http_server.h"

#include <atomic>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ops/metric_catalog.h"
#include "testing/status_matchers.h"

namespace sas::ops {
namespace {

class OpsHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.RegisterCallbackGauge(metric::kUptimeSeconds, [] { return 1.0; });
    OpsHttpOptions options;
    options.port = 0;
    options.version = "test-version";
    options.is_ready = [this] { return ready_.load(); };
    ASSERT_OK_AND_ASSIGN(server_, OpsHttpServer::Start(options, &registry_));
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", server_->port());
    return client.Get(path);
  }

  MetricsRegistry registry_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<OpsHttpServer> server_;
};

TEST_F(OpsHttpServerTest, HealthReportsStatusVersionUptimeAndPool) {
  auto response = Get("/health");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["version"], "test-version");
  EXPECT_GE(body["uptime_seconds"].get<double>(), 0.0);
  EXPECT_TRUE(body.contains("arrow_memory_pool_bytes"));
}

TEST_F(OpsHttpServerTest, ReadyFollowsTheService) {
  EXPECT_EQ(Get("/ready")->status, 503);
  ready_ = true;
  EXPECT_EQ(Get("/ready")->status, 200);
}

TEST_F(OpsHttpServerTest, MetricsServesPrometheusText) {
  auto response = Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("stellar_arrow_source_uptime_seconds 1\n"),
            std::string::npos);
}

TEST_F(OpsHttpServerTest, StopIsIdempotent) {
  server_->Stop();
  server_->Stop();
  EXPECT_FALSE(Get("/health"));
}

TEST(OpsHttpServer, BusyPortIsAClearError) {
  MetricsRegistry registry;
  OpsHttpOptions first_options;
  first_options.port = 0;
  ASSERT_OK_AND_ASSIGN(auto first, OpsHttpServer::Start(first_options, &registry));
  OpsHttpOptions second_options;
  second_options.port = first->port();
  auto second = OpsHttpServer::Start(second_options, &registry);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("HEALTH_PORT"), std::string::npos);
}

}  // namespace
}  // namespace sas::ops
