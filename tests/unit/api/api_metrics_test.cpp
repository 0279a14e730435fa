// The API's /metrics text: requests by bounded labels, wallets as exact decimals, open logs only.
#include <gtest/gtest.h>

#include "api/api_metrics.hpp"

namespace kt::api {
namespace {

bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

TEST(ApiMetrics, RequestsCountedByMethodRouteAndCode) {
  ApiMetrics m;
  m.count_request("POST", "/v1/gateway/log", 200);
  m.count_request("POST", "/v1/gateway/log", 200);
  m.count_request("DELETE", "unmatched", 404);
  std::string text = m.render({}, {}, 0);
  EXPECT_TRUE(has_line(text, R"(kt_api_requests_total{code="200",method="POST",route="/v1/gateway/log"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(kt_api_requests_total{code="404",method="other",route="unmatched"} 1)")) << text;
  EXPECT_EQ(text.find("DELETE"), std::string::npos) << "a client's method is not a label value";
}

TEST(ApiMetrics, StoreCallsInTheHistogram) {
  ApiMetrics m;
  m.observe_store_call(std::chrono::microseconds(300));
  m.observe_store_call(std::chrono::milliseconds(30));
  std::string text = m.render({}, {}, 0);
  EXPECT_TRUE(has_line(text, "kt_api_store_call_duration_seconds_count 2")) << text;
  EXPECT_TRUE(has_line(text, R"(kt_api_store_call_duration_seconds_bucket{le="0.0005"} 1)")) << text;
}

TEST(ApiMetrics, WalletsExactAndOnlyOpenLogs) {
  ledger::Balance b;
  b.team_id = "team_eng";
  b.budget = *Money::parse("5");
  b.spent = *Money::parse("0.0000171");
  b.leased = *Money::parse("1.25");
  ledger::GatewayLogState open, closed;
  open.log_id = "gw_a-w0";
  open.unapplied_records = 3;
  open.unapplied_bytes = 600;
  open.last_seen = 90;
  closed.log_id = "gw_b-w0";
  closed.closed_at = 50;
  std::string text = ApiMetrics().render({b}, {open, closed}, 100);
  EXPECT_TRUE(has_line(text, R"(kt_wallet_spent_usd{team="team_eng"} 0.0000171)")) << text;
  EXPECT_TRUE(has_line(text, R"(kt_wallet_remaining_usd{team="team_eng"} 3.7499829)")) << text;
  EXPECT_TRUE(has_line(text, "kt_gateway_logs_open 1")) << text;
  EXPECT_TRUE(has_line(text, R"(kt_gateway_log_unapplied_records{log="gw_a-w0"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(kt_gateway_log_report_age_seconds{log="gw_a-w0"} 10)")) << text;
  EXPECT_EQ(text.find("gw_b-w0"), std::string::npos) << text;
}

}  // namespace
}  // namespace kt::api
