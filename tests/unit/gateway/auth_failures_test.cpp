// 401s counted per source and pushed as one aggregated event per source per window; the key a
// client presented never appears; the per-worker totals add up for /metrics.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/events/auth_failures.hpp"
#include "gateway/consumer_keys.hpp"

namespace kt::gateway {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000'000;  // unix micros

struct Captured {
  std::vector<std::string> events;
  AuthFailureLog::Push push() {
    return [this](std::string e) { events.push_back(std::move(e)); };
  }
};

TEST(AuthFailures, OneEventPerSourcePerWindow) {
  AuthFailureTally tally;
  Captured out;
  AuthFailureLog log(nullptr, tally.add_worker(), out.push());
  EXPECT_FALSE(log.window_open());
  for (int i = 0; i < 5; ++i) log.record("10.0.0.1", kT0 + i);
  log.record("10.0.0.2", kT0 + 10);
  EXPECT_TRUE(log.window_open());
  EXPECT_TRUE(out.events.empty()) << "nothing is pushed per request";
  log.flush(kT0 + 60'000'000);
  ASSERT_EQ(out.events.size(), 2u);
  std::map<std::string, int64_t> counts;
  for (const auto& text : out.events) {
    auto e = boost::json::parse(text).as_object();
    EXPECT_EQ(e.at("type").as_string(), "decision");
    EXPECT_EQ(e.at("reason").as_string(), "auth_failed");
    EXPECT_EQ(e.at("decision").as_string(), "block");
    EXPECT_EQ(e.at("status").as_int64(), 401);
    EXPECT_EQ(e.at("window_start").as_string(), "2027-01-15T08:00:00.000000Z");
    EXPECT_EQ(e.at("window_end").as_string(), "2027-01-15T08:01:00.000000Z");
    EXPECT_TRUE(e.at("id").as_string().starts_with("evt_"));
    counts[std::string(e.at("source_ip").as_string())] = e.at("count").as_int64();
  }
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"10.0.0.1", 5}, {"10.0.0.2", 1}}));
  EXPECT_FALSE(log.window_open());
  log.flush(kT0 + 61'000'000);
  EXPECT_EQ(out.events.size(), 2u) << "an empty window pushes nothing";
}

TEST(AuthFailures, TotalsAddUpAcrossWorkers) {
  AuthFailureTally tally;
  Captured out;
  AuthFailureLog a(nullptr, tally.add_worker(), out.push()), b(nullptr, tally.add_worker(), out.push());
  for (int i = 0; i < 3; ++i) a.record("10.0.0.1", kT0);
  b.record("10.0.0.1", kT0);
  EXPECT_EQ(tally.total(), 4u);
  a.flush(kT0 + 1);
  EXPECT_EQ(tally.total(), 4u) << "flushing a window does not reset the running total";
}

TEST(AuthFailures, SourcesPastTheCapAreAddedUpAsOther) {
  AuthFailureTally tally;
  Captured out;
  AuthFailureLog log(nullptr, tally.add_worker(), out.push());
  for (size_t i = 0; i < AuthFailureLog::kMaxSources + 5; ++i) log.record("10.1." + std::to_string(i), kT0);
  log.flush(kT0 + 1);
  EXPECT_EQ(out.events.size(), AuthFailureLog::kMaxSources + 1);
  bool saw_other = false;
  for (const auto& text : out.events)
    if (text.find(R"("source_ip":"other")") != std::string::npos) {
      saw_other = true;
      EXPECT_NE(text.find(R"("count":5)"), std::string::npos) << text;
    }
  EXPECT_TRUE(saw_other);
}

TEST(ConsumerKeys, FindsEachGroupByItsKeyOnly) {
  std::vector<config::ConsumerGroup> groups{{"engineering", "kt_cg_engineering_abc123", "team_engineering"},
                                            {"marketing", "kt_cg_marketing_xyz789", "team_marketing"}};
  ConsumerKeys keys(groups);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.find("kt_cg_engineering_abc123"), &groups[0]);
  EXPECT_EQ(keys.find("kt_cg_marketing_xyz789"), &groups[1]);
  EXPECT_EQ(keys.find("kt_cg_engineering_abc12"), nullptr) << "a prefix is not the key";
  EXPECT_EQ(keys.find("kt_cg_engineering_abc1234"), nullptr);
  EXPECT_EQ(keys.find("KT_CG_ENGINEERING_ABC123"), nullptr);
  EXPECT_EQ(keys.find(""), nullptr);
  EXPECT_EQ(ConsumerKeys().find("kt_cg_engineering_abc123"), nullptr);
  EXPECT_EQ(keys.find(std::string("kt_cg_engineering_abc123\0", 25)), nullptr);
}

}  // namespace
}  // namespace kt::gateway
