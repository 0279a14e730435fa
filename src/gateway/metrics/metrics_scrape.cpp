#include "gateway/metrics/metrics_scrape.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <tuple>

#include "core/prom_text.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/worker.hpp"

namespace kt::gateway::metrics {
namespace {

Money saturating_sum(Money a, Money b) {
  if (auto s = a.checked_add(b)) return *s;
  return Money::from_nanos(b.is_negative() ? INT64_MIN : INT64_MAX);
}

std::string_view team_label(const TeamLabels& teams, size_t team) {
  if (team < teams.size()) return teams.name(team);
  return team == kTeamNone ? kNone : kOther;
}

std::string model_label(const WorkerSnapshot& w, size_t model) {
  return model < w.models.size() ? w.models[model] : std::string(kOther);
}

// The sums of every worker's counters, with labels as text (each worker numbers models its own way).
struct Totals {
  using RequestSeries = std::tuple<size_t, std::string, size_t, size_t, size_t, int>;  // team model provider route decision code
  std::map<RequestSeries, uint64_t> requests;
  std::map<std::pair<size_t, std::string>, TokenCounts> usage;  // team, model
  std::array<uint64_t, kRefusalReasons.size() + 1> refusals{};
  LatencyHistogram request_duration, upstream_duration, first_token;
  AddedHistogram added_latency;
  std::vector<SeenBalance> balances;
  std::vector<Money> lease_headroom;
  bool leases = false, ledger_log = false;
  int64_t ledger_lag_us = 0;
  uint64_t unapplied_records = 0, spool_bytes = 0, events_dropped = 0, client_failures = 0, shipper_failures = 0;

  explicit Totals(size_t teams) : balances(teams), lease_headroom(teams) {}

  void add(const WorkerSnapshot& w) {
    for (const auto& [key, n] : w.requests) {
      RequestLabels l = request_labels_of(key);
      requests[{l.team, model_label(w, l.model), l.provider, l.route, l.decision, l.code}] += n;
    }
    for (const auto& [key, counts] : w.usage) {
      size_t team = 0, model = 0;
      usage_labels_of(key, team, model);
      usage[{team, model_label(w, model)}].add(counts);
    }
    for (size_t i = 0; i < refusals.size(); ++i) refusals[i] += w.refusals[i];
    request_duration.add(w.request_duration);
    upstream_duration.add(w.upstream_duration);
    first_token.add(w.first_token);
    added_latency.add(w.added_latency);
    for (size_t t = 0; t < balances.size() && t < w.balances.size(); ++t)
      if (w.balances[t].seen_us > balances[t].seen_us) balances[t] = w.balances[t];
    for (size_t t = 0; t < lease_headroom.size() && t < w.lease_headroom.size(); ++t)
      lease_headroom[t] = saturating_sum(lease_headroom[t], w.lease_headroom[t]);
    leases |= w.leases;
    ledger_log |= w.ledger_log;
    ledger_lag_us = std::max(ledger_lag_us, w.ledger_lag_us);
    unapplied_records += w.unapplied_records;
    spool_bytes += w.spool_bytes;
    events_dropped += w.events_dropped;
    client_failures += w.ledger_client_failures;
    shipper_failures += w.log_shipper_failures;
  }
};

void write_traffic(PromText& out, const TeamLabels& teams, const Totals& t) {
  out.family("kt_requests_total", "counter", "Priced-route requests by team, model, provider, route, decision and status.");
  for (const auto& [s, n] : t.requests) {
    const auto& [team, model, provider, route, decision, code] = s;
    std::string status = code == 1023 ? std::string(kOther) : std::to_string(code);
    out.sample("kt_requests_total",
               {{"team", team_label(teams, team)}, {"model", model}, {"provider", label_at(kProviderLabels, provider)},
                {"route", label_at(kRouteLabels, route)}, {"decision", label_at(kDecisionLabels, decision)},
                {"code", status}},
               n);
  }
  out.family("kt_tokens_total", "counter",
             "Tokens served by team and model. input, cached_input and cache_write add up to the prompt; reasoning "
             "is part of output.");
  for (const auto& [s, c] : t.usage) {
    auto team = team_label(teams, s.first);
    std::string_view model = s.second;
    const std::pair<std::string_view, uint64_t> kinds[] = {{"input", c.input},
                                                           {"cached_input", c.cached_input},
                                                           {"cache_write", c.cache_write},
                                                           {"output", c.output},
                                                           {"reasoning", c.reasoning}};
    for (const auto& [type, n] : kinds) out.sample("kt_tokens_total", {{"team", team}, {"model", model}, {"type", type}}, n);
  }
  out.family("kt_spend_usd_total", "counter", "Cost of the requests served (settled at the exact price), in USD.");
  for (const auto& [s, c] : t.usage)
    out.sample("kt_spend_usd_total", {{"team", team_label(teams, s.first)}, {"model", s.second}},
               Money::from_nanos(c.spend_nanos));
  out.family("kt_refusals_total", "counter",
             "Priced-route requests refused, by reason; auth_failed is the 401s of unknown or missing consumer keys.");
  for (size_t i = 0; i < t.refusals.size(); ++i)
    if (i < kRefusalReasons.size() || t.refusals[i] > 0)
      out.sample("kt_refusals_total", {{"reason", label_at(kRefusalReasons, i)}}, t.refusals[i]);
}

void write_durations(PromText& out, const Totals& t) {
  out.family("kt_request_duration_seconds", "histogram", "Priced-route requests, from the head read to the end of the answer.");
  out.histogram("kt_request_duration_seconds", {}, kLatencyBoundsUs, t.request_duration.buckets(), t.request_duration.sum_us);
  out.family("kt_upstream_duration_seconds", "histogram", "Upstream calls (each attempt), until the answer or the stream's end.");
  out.histogram("kt_upstream_duration_seconds", {}, kLatencyBoundsUs, t.upstream_duration.buckets(), t.upstream_duration.sum_us);
  out.family("kt_time_to_first_token_seconds", "histogram", "Streams: from the request to the first events sent to the client.");
  out.histogram("kt_time_to_first_token_seconds", {}, kLatencyBoundsUs, t.first_token.buckets(), t.first_token.sum_us);
  out.family("kt_added_latency_seconds", "histogram",
             "The gateway's own time on requests sent upstream: request duration minus upstream time.");
  out.histogram("kt_added_latency_seconds", {}, kAddedBoundsUs, t.added_latency.buckets(), t.added_latency.sum_us);
}

void write_wallets(PromText& out, const TeamLabels& teams, const Totals& t) {
  struct Gauge {
    const char* name;
    const char* help;
    Money (*value)(const SeenBalance&);
  };
  static const Gauge gauges[] = {
      {"kt_budget_limit_usd", "The team's budget for the current period, as last seen from the API.",
       [](const SeenBalance& b) { return b.budget; }},
      {"kt_budget_spent_usd", "Spent in the current period, as last seen from the API.",
       [](const SeenBalance& b) { return b.spent; }},
      {"kt_reserved_usd", "Held by reservations, as last seen from the API.", [](const SeenBalance& b) { return b.reserved; }},
      {"kt_leased_usd", "Held by budget leases (all gateways), as last seen from the API.",
       [](const SeenBalance& b) { return b.leased; }},
      {"kt_budget_remaining_usd", "budget - spent - reserved - leased, as last seen from the API.",
       [](const SeenBalance& b) { return b.budget - b.spent - b.reserved - b.leased; }},
  };
  for (const auto& g : gauges) {
    out.family(g.name, "gauge", g.help);
    for (size_t team = 0; team < t.balances.size(); ++team)
      if (t.balances[team].seen_us != 0) out.sample(g.name, {{"team", teams.name(team)}}, g.value(t.balances[team]));
  }
  if (!t.leases) return;
  out.family("kt_lease_headroom_usd", "gauge",
             "What this gateway may still spend for the team without asking the API: the unheld room of its budget leases.");
  for (size_t team = 0; team < t.lease_headroom.size(); ++team)
    out.sample("kt_lease_headroom_usd", {{"team", teams.name(team)}}, t.lease_headroom[team]);
}

void write_health(PromText& out, const Totals& t) {
  if (t.ledger_log) {
    out.family("kt_ledger_lag_seconds", "gauge", "Age of the oldest ledger log record not yet applied by the API (0: none).");
    out.sample("kt_ledger_lag_seconds", {}, decimal_from_micros(t.ledger_lag_us));
    out.family("kt_ledger_unapplied_records", "gauge", "Ledger log records written and not yet applied by the API.");
    out.sample("kt_ledger_unapplied_records", {}, t.unapplied_records);
    out.family("kt_ledger_spool_bytes", "gauge", "Bytes of ledger log segments in the spool folder.");
    out.sample("kt_ledger_spool_bytes", {}, t.spool_bytes);
  }
  out.family("kt_api_errors_total", "counter", "Calls to the API that failed (unreachable, timeout, refused), by caller.");
  out.sample("kt_api_errors_total", {{"source", "ledger_client"}}, t.client_failures);
  out.sample("kt_api_errors_total", {{"source", "log_shipper"}}, t.shipper_failures);
  out.family("kt_events_dropped_total", "counter", "Events dropped because the ledger log was over its bound.");
  out.sample("kt_events_dropped_total", {}, t.events_dropped);
}

boost::asio::awaitable<WorkerSnapshot> snapshot_on_own_thread(const Worker* w) { co_return take_snapshot(*w); }

}  // namespace

WorkerSnapshot take_snapshot(const Worker& w) {
  WorkerSnapshot s;
  w.metrics.snapshot_into(s);
  const auto& teams = w.metrics.teams();
  if (w.leases) {
    s.leases = true;
    s.lease_headroom.reserve(teams.size());
    for (size_t t = 0; t < teams.size(); ++t) s.lease_headroom.push_back(w.leases->free_for(teams.name(t)));
  }
  if (w.log) {
    s.ledger_log = true;
    s.ledger_lag_us = w.metrics.ledger_lag.age_us(mono_us());
    s.unapplied_records = uint64_t(std::max<int64_t>(0, w.log->unapplied_records()));
    s.spool_bytes = w.log->segments().disk_bytes();
    s.events_dropped = uint64_t(w.log->events_dropped());
  }
  if (w.ledger_client) s.ledger_client_failures = w.ledger_client->failures();
  if (w.shipper) s.log_shipper_failures = w.shipper->failures();
  return s;
}

boost::asio::awaitable<std::string> scrape(Worker& self, const GatewayShared& shared) {
  std::vector<WorkerSnapshot> snapshots;
  if (self.peers) {
    for (const auto& slot : *self.peers) {
      const Worker* peer = slot.load(std::memory_order_acquire);
      if (!peer) continue;  // still starting: nothing counted yet
      if (peer == &self) snapshots.push_back(take_snapshot(self));
      else snapshots.push_back(co_await boost::asio::co_spawn(peer->ioc, snapshot_on_own_thread(peer), boost::asio::use_awaitable));
    }
  } else {
    snapshots.push_back(take_snapshot(self));
  }
  co_return render(self.metrics.teams(), snapshots, shared.auth_failures->total());
}

std::string render(const TeamLabels& teams, const std::vector<WorkerSnapshot>& workers, uint64_t auth_failures) {
  Totals t(teams.size());
  for (const auto& w : workers) t.add(w);
  t.refusals[kAuthFailedReason] += auth_failures;
  PromText out;
  write_traffic(out, teams, t);
  write_durations(out, t);
  write_wallets(out, teams, t);
  write_health(out, t);
  return out.take();
}

}  // namespace kt::gateway::metrics
