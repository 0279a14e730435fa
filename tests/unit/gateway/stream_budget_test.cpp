// A stream without max_tokens is cut where its reservation ends (stream_budget.hpp), and a
// request's attempts start fresh (request_context.hpp).
#include <gtest/gtest.h>

#include "gateway/budget/stream_budget.hpp"
#include "gateway/pipeline/phases.hpp"
#include "gateway/pipeline/upstream_support.hpp"

namespace kt::gateway {
namespace {

ledger::PricingRow priced(const char* model) {
  ledger::PricingRow p;
  p.model = model;
  p.input_per_1k = *Money::parse("0.00015");
  p.output_per_1k = *Money::parse("0.0006");
  return p;
}

// A priced stream holding `allowance` output tokens, without a client max_tokens.
void reserved_stream(RequestContext& ctx, int64_t allowance) {
  ctx.model = "gpt-4o-mini";
  ctx.price = priced("gpt-4o-mini");
  ctx.reserved = true;
  ctx.output_allowance = allowance;
}

// No rank files loaded: a text counts (bytes + 3) / 4 tokens, which makes the figures exact.
TEST(StreamBudget, CutsTheEventThatWouldPassTheReservedOutput) {
  GatewayShared shared;
  http::Request req;
  RequestContext ctx(req);
  reserved_stream(ctx, 10);
  StreamBudget budget(ctx, shared);
  EXPECT_FALSE(budget.exceeded_by("12345678"));      // 2 tokens
  EXPECT_FALSE(budget.exceeded_by(""));              // an event without text
  EXPECT_FALSE(budget.exceeded_by(std::string(32, 'x')));  // 8: exactly the 10 reserved
  EXPECT_TRUE(budget.exceeded_by("y"));              // the 11th
}

TEST(StreamBudget, OffWhenTheClientCappedTheOutputOrNothingIsHeld) {
  GatewayShared shared;
  http::Request req;
  RequestContext ctx(req);
  reserved_stream(ctx, 1);
  ctx.max_tokens = 1;  // the upstream stops itself within the reservation
  EXPECT_FALSE(StreamBudget(ctx, shared).exceeded_by(std::string(400, 'x')));
  ctx.max_tokens.reset();
  ctx.reserved = false;  // no enforcement: nothing to stay within
  EXPECT_FALSE(StreamBudget(ctx, shared).exceeded_by(std::string(400, 'x')));
}

TEST(StreamBudget, ACutIsBilledAtTheReservationAndEndsWithAnErrorEventThenDone) {
  http::Request req;
  RequestContext ctx(req);
  ctx.prompt_estimate = 14;
  ctx.output_allowance = 16384;
  StreamBudget::record_cut(ctx);
  ASSERT_TRUE(ctx.usage);
  EXPECT_EQ(ctx.usage->prompt_tokens, 14);
  EXPECT_EQ(ctx.usage->completion_tokens, 16384);
  EXPECT_EQ(ctx.usage_source, "estimated");
  EXPECT_EQ(ctx.reason, "stream_cut_at_reservation");
  EXPECT_TRUE(ctx.stream_cut_at_reservation);
  ASSERT_EQ(ctx.warnings.size(), 1u);
  EXPECT_EQ(ctx.warnings[0], "stream cut at its reservation (16384 output tokens)");
  const std::string events = StreamBudget::cut_events();
  EXPECT_EQ(events.rfind("data: {\"error\":", 0), 0u) << events;
  EXPECT_NE(events.find("\"code\":\"stream_cut_at_reservation\""), std::string::npos) << events;
  EXPECT_EQ(events.substr(events.size() - 16), "\n\ndata: [DONE]\n\n");
}

// The cut's bill is the reservation to the nano-dollar: the usage it records prices exactly
// what was held (cost_of_terms rounds up once, on both sides).
TEST(StreamBudget, ACutBillsExactlyWhatTheReservationHeld) {
  GatewayShared shared;
  http::Request req;
  RequestContext ctx(req);
  reserved_stream(ctx, 16384);
  ctx.price->input_per_1k = *Money::parse("0.000000151");   // 151 nano-dollars per 1k tokens
  ctx.price->output_per_1k = *Money::parse("0.000000603");
  ctx.prompt_estimate = 14;
  StreamBudget budget(ctx, shared);
  EXPECT_FALSE(budget.exceeded_by(std::string(4 * 16384, 'x')));  // exactly the reservation
  EXPECT_TRUE(budget.exceeded_by("z"));
  StreamBudget::record_cut(ctx);
  // (14 * 151 + 16384 * 603) / 1000 = 9881.666 -> 9882
  EXPECT_EQ(cost_of_usage(*ctx.usage, *ctx.price).nanos(), 9882);
}

TEST(RequestContext, ANextAttemptStartsFreshButKeepsTheRequest) {
  config::Target t;
  t.id = "fallback";
  providers::ResolvedTarget fallback{t, {}, {}};
  http::Request req;
  RequestContext ctx(req);
  ctx.request_id = "req_9";
  ctx.redacted = true;
  ctx.max_tokens_requested = 50;
  ctx.max_tokens = 20;  // clamped on this attempt
  ctx.max_tokens_clamped = 20;
  ctx.number = 3;       // two reserves already (a clamp counts)
  ctx.price = priced("gpt-4o");
  ctx.estimate = *Money::parse("0.5");
  ctx.reserved = true;
  ctx.lease_id = "L1";
  ctx.usage = providers::Usage{1, 2};
  ctx.status = 502;
  ctx.decision = "error";
  ctx.reason = "upstream_timeout";
  ctx.warnings.push_back("kept");
  ctx.attempts.push_back(ctx.record());
  EXPECT_EQ(ctx.attempts[0].attempt, 3);
  EXPECT_EQ(ctx.attempts[0].outcome, "upstream_timeout");

  ctx.begin_attempt(ctx.next_attempt(&fallback, nullptr, "gpt-4o-mini"));
  EXPECT_EQ(ctx.number, 4);
  EXPECT_EQ(ctx.reservation_key(), "req_9:4");
  EXPECT_EQ(ctx.target, &fallback);
  EXPECT_EQ(ctx.model, "gpt-4o-mini");
  EXPECT_EQ(ctx.max_tokens, 50);
  EXPECT_FALSE(ctx.max_tokens_clamped);
  EXPECT_FALSE(ctx.price);
  EXPECT_EQ(ctx.estimate, Money::zero());
  EXPECT_FALSE(ctx.reserved);
  EXPECT_FALSE(ctx.lease_id);
  EXPECT_FALSE(ctx.usage);
  EXPECT_EQ(ctx.status, 200);
  EXPECT_EQ(ctx.decision, "redact");  // what the request's policies decided stays
  EXPECT_EQ(ctx.reason, "redacted");
  EXPECT_EQ(ctx.request_id, "req_9");
  EXPECT_EQ(ctx.warnings.size(), 1u);
  EXPECT_EQ(ctx.attempts.size(), 1u);
  EXPECT_EQ(ctx.record().target, "fallback");
}

TEST(RouteInfo, TheOutputCapIsTheClientsElseTheHeldAllowanceElseThePriceBooks) {
  http::Request req;
  RequestContext ctx(req);
  ctx.route_kind = providers::Route::messages;
  ctx.model = "claude-3-5-haiku";
  ctx.stream = true;
  ctx.max_tokens = 300;
  EXPECT_EQ(route_info(ctx).max_output_tokens, 300);
  EXPECT_EQ(route_info(ctx).route, providers::Route::messages);
  EXPECT_TRUE(route_info(ctx).stream);
  ctx.max_tokens.reset();
  ctx.choices = 2;
  ctx.output_allowance = 1000;
  EXPECT_EQ(route_info(ctx).max_output_tokens, 500);  // per choice
  ctx.output_allowance = 0;
  ctx.price = priced("claude-3-5-haiku");
  ctx.price->max_output_tokens = 8192;
  EXPECT_EQ(route_info(ctx).max_output_tokens, 8192);
}

}  // namespace
}  // namespace kt::gateway
