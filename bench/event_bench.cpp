// Decision event serialisation: the gateway's own build_decision_event() (events/decision_event.cpp,
// kt::JsonWriter) for a served request.
#include <benchmark/benchmark.h>

#include "core/money.hpp"
#include "core/period.hpp"
#include "gateway/pipeline/phases.hpp"

namespace {

using namespace kt::gateway;

void BM_DecisionEvent(benchmark::State& state) {
  auto cfg = std::make_shared<kt::config::GatewayConfig>();
  cfg->consumer_groups.push_back({"engineering", "kt_cg_engineering_abc123", "team_engineering"});

  kt::providers::ResolvedTarget target;
  target.config.id = "openai";
  target.config.provider = "openai";
  auto provider = kt::providers::make_provider("openai");
  kt::ledger::PricingRow price;
  price.model = "gpt-4o-mini";
  price.provider = "openai";
  price.input_per_1k = *kt::Money::parse("0.00015");
  price.output_per_1k = *kt::Money::parse("0.0006");
  price.version = 3;
  kt::policies::PolicyVerdict verdict{"content-filter", "content_filter", "flag", false, {}, {}};

  kt::http::Request req;
  for (auto _ : state) {
    RequestContext ctx(req);
    ctx.request_id = "req_0123456789abcdef0123";
    ctx.started_us = kt::now_unix_micros() - 850;
    ctx.group = &cfg->consumer_groups[0];
    ctx.model = "gpt-4o-mini";
    ctx.price = price;
    ctx.prompt_estimate = 262;
    ctx.output_allowance = 256;
    ctx.estimate = kt::cost_of_terms({{262, kt::PricePer1k(price.input_per_1k)}, {256, kt::PricePer1k(price.output_per_1k)}});
    ctx.verdicts.push_back(verdict);
    ctx.target = &target;
    ctx.provider = provider.get();
    ctx.upstream_status = 200;
    ctx.upstream_us = 610;
    ctx.usage = kt::providers::Usage{262, 87};
    ctx.cost = cost_of_usage(*ctx.usage, price);
    auto ev = build_decision_event(ctx);
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_DecisionEvent);
