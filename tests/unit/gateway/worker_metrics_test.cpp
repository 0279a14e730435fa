// A worker's metrics: requests counted under labels from the config and the price book only,
// tokens and spend exact, bounded tables, and several workers' counters summed by label text.
#include <gtest/gtest.h>

#include "gateway/metrics/metrics_scrape.hpp"
#include "gateway/metrics/worker_metrics.hpp"
#include "gateway/pipeline/request_context.hpp"

namespace kt::gateway::metrics {
namespace {

config::GatewayConfig two_teams() {
  config::GatewayConfig c;
  c.consumer_groups = {{"engineering", "key-eng-0000000000", "team_eng"},
                       {"eng-batch", "key-batch-00000000", "team_eng"},
                       {"marketing", "key-mkt-0000000000", "team_mkt"}};
  return c;
}

ledger::PricingRow mini() {
  ledger::PricingRow p;
  p.model = "gpt-4o-mini";
  p.provider = "openai";
  p.input_per_1k = *Money::parse("0.00015");
  p.output_per_1k = *Money::parse("0.0006");
  return p;
}

struct Served {
  http::Request req;
  RequestContext ctx{req};
};

// A served chat request of `group`, as finish_request sees it.
void serve(Served& s, const config::GatewayConfig& cfg, WorkerMetrics& m, size_t group, providers::Usage usage,
           const char* cost) {
  s.ctx.group = &cfg.consumer_groups[group];
  s.ctx.price = mini();
  s.ctx.metric_model = m.model_id(s.ctx.price->model);
  s.ctx.usage = usage;
  s.ctx.cost = *Money::parse(cost);
  s.ctx.attempts.push_back({});
  s.ctx.upstream_total_us = 1000;
  s.ctx.started_mono_us = 0;
}

TEST(TeamLabels, GroupsOfOneWalletShareTheTeam) {
  auto cfg = two_teams();
  TeamLabels t(cfg);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.of_group(&cfg.consumer_groups[0]), 0u);
  EXPECT_EQ(t.of_group(&cfg.consumer_groups[1]), 0u);
  EXPECT_EQ(t.name(t.of_group(&cfg.consumer_groups[2])), "team_mkt");
  EXPECT_EQ(t.find("team_mkt"), 1u);
  EXPECT_EQ(t.find("nobody"), 2u);
}

TEST(RequestKey, RoundTripsEveryLabel) {
  RequestLabels l{3, 17, 2, 4, 1, 402};
  RequestLabels back = request_labels_of(request_key(l));
  EXPECT_EQ(back.team, 3u);
  EXPECT_EQ(back.model, 17u);
  EXPECT_EQ(back.provider, 2u);
  EXPECT_EQ(back.route, 4u);
  EXPECT_EQ(back.decision, 1u);
  EXPECT_EQ(back.code, 402);
  EXPECT_NE(request_key(l), 0u);
}

TEST(SeriesTable, FullTableSendsNewSeriesToTheOverflowValue) {
  SeriesTable<uint64_t> t(8);  // room for 6 series (3/4)
  for (uint64_t k = 1; k <= 6; ++k) ++t.at(k | (uint64_t(1) << 63));
  ++t.at(7 | (uint64_t(1) << 63));
  ++t.at(8 | (uint64_t(1) << 63));
  ++t.at(1 | (uint64_t(1) << 63));  // an existing series still counts as itself
  uint64_t overflow = 0, first = 0;
  t.for_each([&](uint64_t k, uint64_t v) {
    if (k == SeriesTable<uint64_t>::kOverflowKey) overflow = v;
    if (k == (1 | (uint64_t(1) << 63))) first = v;
  });
  EXPECT_EQ(overflow, 2u);
  EXPECT_EQ(first, 2u);
  EXPECT_EQ(t.size(), 6u);
}

TEST(WorkerMetrics, ModelIdsAreResolvedOnceAndBounded) {
  auto cfg = two_teams();
  WorkerMetrics m(cfg);
  uint16_t a = m.model_id("gpt-4o-mini");
  EXPECT_EQ(m.model_id("gpt-4o-mini"), a);
  EXPECT_NE(a, kModelNone);
  EXPECT_NE(a, kModelUnpriced);
  for (size_t i = 0; i < kMaxModels; ++i) m.model_id("m" + std::to_string(i));
  EXPECT_EQ(m.model_id("one-too-many"), kModelOther);
  EXPECT_EQ(m.model_id("gpt-4o-mini"), a);
}

TEST(WorkerMetrics, HistogramBucketsByUpperBound) {
  LatencyHistogram h;
  h.observe(1000, kLatencyBoundsUs);  // le 0.001 includes 1 ms exactly
  h.observe(1001, kLatencyBoundsUs);
  h.observe(999'999'999, kLatencyBoundsUs);
  EXPECT_EQ(h.counts[0], 1u);
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts.back(), 1u);
  EXPECT_EQ(h.sum_us, 1'000'002'000u);
}

TEST(LedgerLag, AgeOfTheOldestUnappliedWrite) {
  LedgerLag lag;
  EXPECT_EQ(lag.age_us(100), 0);
  lag.written(5, 1000);
  lag.written(9, 2000);
  EXPECT_EQ(lag.age_us(3000), 2000);
  lag.applied(5);
  EXPECT_EQ(lag.age_us(3000), 1000);
  lag.applied(9);
  EXPECT_EQ(lag.age_us(3000), 0);
}

TEST(LedgerLag, AFullRingOverstatesNeverUnderstates) {
  LedgerLag lag;
  for (uint64_t i = 1; i <= 1000; ++i) lag.written(i, int64_t(i));
  lag.applied(900);
  // Marks past the ring's size were folded into the last one kept (written at 256).
  EXPECT_GE(lag.age_us(2000), 2000 - 901);
}

TEST(Render, SumsWorkersByLabelTextWithExactMoney) {
  auto cfg = two_teams();
  WorkerMetrics w1(cfg), w2(cfg);
  w2.model_id("some-other-model");  // the same model gets another id on this worker
  Served a, b, c;
  serve(a, cfg, w1, 0, {14, 25}, "0.0000171");
  serve(b, cfg, w2, 1, {100, 30, 40, 12}, "0.000032");
  serve(c, cfg, w2, 2, {14, 25}, "0.0000171");
  w1.request_finished(a.ctx, 5000);
  w2.request_finished(b.ctx, 5000);
  w2.request_finished(c.ctx, 5000);
  Served refused;
  refused.ctx.group = &cfg.consumer_groups[2];
  refused.ctx.status = 402;
  refused.ctx.decision = "block";
  refused.ctx.reason = "budget_exceeded";
  refused.ctx.metric_model = kModelUnpriced;
  w1.request_finished(refused.ctx, 10);
  std::vector<WorkerSnapshot> snaps(2);
  w1.snapshot_into(snaps[0]);
  w2.snapshot_into(snaps[1]);
  std::string text = render(w1.teams(), snaps, 3);
  auto has = [&](const std::string& line) { EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << line << "\n" << text; };
  has(R"(kt_requests_total{team="team_eng",model="gpt-4o-mini",provider="openai",route="/v1/chat/completions",decision="allow",code="200"} 2)");
  has(R"(kt_requests_total{team="team_mkt",model="unpriced",provider="none",route="/v1/chat/completions",decision="block",code="402"} 1)");
  has(R"(kt_tokens_total{team="team_eng",model="gpt-4o-mini",type="input"} 74)");
  has(R"(kt_tokens_total{team="team_eng",model="gpt-4o-mini",type="cached_input"} 40)");
  has(R"(kt_tokens_total{team="team_eng",model="gpt-4o-mini",type="output"} 55)");
  has(R"(kt_tokens_total{team="team_eng",model="gpt-4o-mini",type="reasoning"} 12)");
  has(R"(kt_spend_usd_total{team="team_eng",model="gpt-4o-mini"} 0.0000491)");
  has(R"(kt_spend_usd_total{team="team_mkt",model="gpt-4o-mini"} 0.0000171)");
  has(R"(kt_refusals_total{reason="budget_exceeded"} 1)");
  has(R"(kt_refusals_total{reason="auth_failed"} 3)");
  has(R"(kt_request_duration_seconds_count 4)");
  has(R"(kt_added_latency_seconds_count 3)");
  has(R"(kt_added_latency_seconds_sum 0.012)");  // 3 x (5 ms - 1 ms upstream)
  EXPECT_EQ(text.find("some-other-model"), std::string::npos) << "a model id of one worker never names another's";
}

TEST(Render, BalancesAreTheLatestSeenByAnyWorker) {
  auto cfg = two_teams();
  WorkerMetrics w1(cfg), w2(cfg);
  ledger::Balance old_b, new_b;
  old_b.budget = new_b.budget = *Money::parse("5");
  old_b.spent = *Money::parse("1");
  new_b.spent = *Money::parse("1.5");
  new_b.reserved = *Money::parse("0.25");
  w1.balance_seen("team_eng", new_b, 200);
  w2.balance_seen("team_eng", old_b, 100);
  w2.balance_seen("not-in-config", old_b, 300);
  std::vector<WorkerSnapshot> snaps(2);
  w1.snapshot_into(snaps[0]);
  w2.snapshot_into(snaps[1]);
  std::string text = render(w1.teams(), snaps, 0);
  EXPECT_NE(text.find("\nkt_budget_spent_usd{team=\"team_eng\"} 1.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nkt_budget_remaining_usd{team=\"team_eng\"} 3.25\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("team_mkt"), std::string::npos) << "a team never seen has no balance series";
  EXPECT_EQ(text.find("not-in-config"), std::string::npos);
}

}  // namespace
}  // namespace kt::gateway::metrics
