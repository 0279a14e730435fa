#include "api/api_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "core/prom_text.hpp"

namespace kt::api {

ApiMetrics::ApiMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("kt_api_requests_total")
                   .Help("API requests by method, route and status (the head's own refusals included).")
                   .Register(*registry_);
  store_calls_ = &prometheus::BuildHistogram()
                      .Name("kt_api_store_call_duration_seconds")
                      .Help("Store calls of API routes, from the call to its answer (queueing for the store included).")
                      .Register(*registry_)
                      .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                                       0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

ApiMetrics::~ApiMetrics() = default;

void ApiMetrics::count_request(std::string_view method, std::string_view route, int status) {
  std::string m = method == "GET" || method == "POST" ? std::string(method) : "other";
  requests_->Add({{"method", m}, {"route", std::string(route)}, {"code", std::to_string(status)}}).Increment();
}

void ApiMetrics::observe_store_call(std::chrono::nanoseconds d) {
  store_calls_->Observe(std::chrono::duration<double>(d).count());
}

std::string ApiMetrics::render(const std::vector<ledger::Balance>& balances,
                               const std::vector<ledger::GatewayLogState>& logs, int64_t now) const {
  PromText out;
  out.raw(prometheus::TextSerializer().Serialize(registry_->Collect()));
  struct Gauge {
    const char* name;
    const char* help;
    Money (*value)(const ledger::Balance&);
  };
  static const Gauge gauges[] = {
      {"kt_wallet_budget_usd", "The team's budget for its current period.", [](const ledger::Balance& b) { return b.budget; }},
      {"kt_wallet_spent_usd", "Spent in the current period.", [](const ledger::Balance& b) { return b.spent; }},
      {"kt_wallet_reserved_usd", "Held by reservations.", [](const ledger::Balance& b) { return b.reserved; }},
      {"kt_wallet_leased_usd", "Held by gateways' budget leases.", [](const ledger::Balance& b) { return b.leased; }},
      {"kt_wallet_remaining_usd", "budget - spent - reserved - leased.",
       [](const ledger::Balance& b) { return b.remaining(); }},
  };
  for (const auto& g : gauges) {
    out.family(g.name, "gauge", g.help);
    for (const auto& b : balances) out.sample(g.name, {{"team", b.team_id}}, g.value(b));
  }
  size_t open = 0;
  for (const auto& l : logs) open += l.closed_at ? 0 : 1;
  out.family("kt_gateway_logs_open", "gauge", "Gateway ledger logs open (one per gateway worker).");
  out.sample("kt_gateway_logs_open", {}, uint64_t(open));
  out.family("kt_gateway_log_unapplied_records", "gauge",
             "Records an open gateway log had not had applied, as its gateway last reported.");
  for (const auto& l : logs)
    if (!l.closed_at) out.sample("kt_gateway_log_unapplied_records", {{"log", l.log_id}}, uint64_t(std::max<int64_t>(0, l.unapplied_records)));
  out.family("kt_gateway_log_unapplied_bytes", "gauge", "Bytes of those records.");
  for (const auto& l : logs)
    if (!l.closed_at) out.sample("kt_gateway_log_unapplied_bytes", {{"log", l.log_id}}, uint64_t(std::max<int64_t>(0, l.unapplied_bytes)));
  out.family("kt_gateway_log_report_age_seconds", "gauge",
             "Seconds since an open gateway log's gateway last shipped or reported (idle gateways report every second).");
  for (const auto& l : logs)
    if (!l.closed_at) out.sample("kt_gateway_log_report_age_seconds", {{"log", l.log_id}}, uint64_t(std::max<int64_t>(0, now - l.last_seen)));
  return out.take();
}

}  // namespace kt::api
