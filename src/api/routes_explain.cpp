// GET /v1/events/{id}/explain: why a decision event came out as it did (README "Explain a
// decision"). Everything comes from the event the gateway recorded (events/decision_event.cpp) and the price
// version it names; what would make a refusal pass is worked out here, exactly, in nano-dollars.
#include <simdjson.h>

#include <limits>

#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "wire/ledger_wire.hpp"
#include "wire/sj_read.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {
namespace sj = simdjson::ondemand;

// The decision event's fields explain-why reads.
struct Decision {
  std::string id, request_id, timestamp, route, decision, reason, group, team, model, provider, usage_source;
  std::string attempts = "[]";
  int64_t status = 0, prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0;
  int64_t prompt_estimate = 0, output_reserved = 0, n = 1;
  bool stream = false;
  std::optional<Money> cost, estimate;
  std::optional<int64_t> price_version, max_tokens_requested, max_tokens_clamped;
  struct Hold {
    std::string on, lease_id, key;
    Money amount;
  };
  std::optional<Hold> hold;
  struct Refusal {
    std::string status;
    bool has_wallet = false;
    Money budget, spent, reserved, leased, remaining;
    int64_t period_end = 0, block_at_percent = 0;
    std::optional<int64_t> max_tokens_that_fit;
  };
  std::optional<Refusal> refusal;
};

using wire::detail::money_of;
std::string str_of(sj::value v) { return v.is_null() ? std::string() : std::string(v.get_string().value()); }
std::optional<int64_t> opt_int(sj::value v) {
  if (v.is_null()) return std::nullopt;
  return v.get_int64().value();
}
std::optional<Money> opt_money(sj::value v) {
  if (v.is_null()) return std::nullopt;
  return money_of(v);
}

void read_refusal(sj::object o, Decision::Refusal& r) {
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "status") r.status = str_of(v);
    else if (k == "budget") r.budget = money_of(v), r.has_wallet = true;
    else if (k == "spent") r.spent = money_of(v);
    else if (k == "reserved") r.reserved = money_of(v);
    else if (k == "leased") r.leased = money_of(v);
    else if (k == "remaining") r.remaining = money_of(v);
    else if (k == "period_end") r.period_end = v.get_int64().value();
    else if (k == "block_at_percent") r.block_at_percent = v.get_int64().value();
    else if (k == "max_tokens_that_fit") r.max_tokens_that_fit = opt_int(v);
  }
}

Decision read_decision(const std::string& json) {
  Decision d;
  simdjson::padded_string ps(json);
  sj::parser p;
  auto doc = p.iterate(ps);
  for (auto f : doc.get_object()) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "id") d.id = str_of(v);
    else if (k == "request_id") d.request_id = str_of(v);
    else if (k == "timestamp") d.timestamp = str_of(v);
    else if (k == "route") d.route = str_of(v);
    else if (k == "decision") d.decision = str_of(v);
    else if (k == "reason") d.reason = str_of(v);
    else if (k == "consumer_group") d.group = str_of(v);
    else if (k == "team_id") d.team = str_of(v);
    else if (k == "model") d.model = str_of(v);
    else if (k == "provider") d.provider = str_of(v);
    else if (k == "status") d.status = v.get_int64().value();
    else if (k == "stream") d.stream = v.get_bool().value();
    else if (k == "usage_source") d.usage_source = str_of(v);
    else if (k == "cost") d.cost = opt_money(v);
    else if (k == "estimated_cost") d.estimate = opt_money(v);
    else if (k == "price_version") d.price_version = opt_int(v);
    else if (k == "prompt_tokens_estimate") d.prompt_estimate = v.get_int64().value();
    else if (k == "output_tokens_reserved") d.output_reserved = v.get_int64().value();
    else if (k == "max_tokens_requested") d.max_tokens_requested = opt_int(v);
    else if (k == "max_tokens_clamped") d.max_tokens_clamped = opt_int(v);
    else if (k == "n") d.n = v.get_int64().value();
    else if (k == "attempts") d.attempts = std::string(sj::array(v.get_array()).raw_json().value());
    else if (k == "usage") {
      for (auto u : v.get_object()) {
        std::string_view uk = u.unescaped_key().value();
        if (uk == "prompt_tokens") d.prompt_tokens = u.value().get_int64().value();
        else if (uk == "completion_tokens") d.completion_tokens = u.value().get_int64().value();
        else if (uk == "cached_tokens") d.cached_tokens = u.value().get_int64().value();
      }
    } else if (k == "hold" && !v.is_null()) {
      Decision::Hold h;
      for (auto hf : v.get_object()) {
        std::string_view hk = hf.unescaped_key().value();
        if (hk == "on") h.on = str_of(hf.value());
        else if (hk == "lease_id") h.lease_id = str_of(hf.value());
        else if (hk == "key") h.key = str_of(hf.value());
        else if (hk == "amount") h.amount = money_of(hf.value());
      }
      d.hold = std::move(h);
    } else if (k == "refusal" && !v.is_null()) {
      d.refusal = Decision::Refusal{};
      read_refusal(v.get_object(), *d.refusal);
    }
  }
  return d;
}

std::string rfc3339(int64_t unix_seconds) { return format_rfc3339_seconds(unix_seconds); }

// The estimate's parts at the event's price, and the settle against it.
void write_estimate_and_settle(JsonWriter& w, const Decision& d, const std::optional<ledger::PricingRow>& price,
                               std::vector<std::string>& lines) {
  w.key("estimate").begin_object().field("prompt_tokens", d.prompt_estimate);
  w.key("max_tokens");
  if (d.max_tokens_requested) w.value(*d.max_tokens_requested); else w.null();
  w.field("n", d.n).field("output_tokens_reserved", d.output_reserved);
  w.key("max_tokens_clamped");
  if (d.max_tokens_clamped) w.value(*d.max_tokens_clamped); else w.null();
  if (price) {
    w.field("input_cost", cost_of_terms({{d.prompt_estimate, PricePer1k(price->input_per_1k)}}));
    w.field("output_cost", cost_of_terms({{d.output_reserved, PricePer1k(price->output_per_1k)}}));
  }
  w.key("total");
  if (d.estimate) w.value(*d.estimate); else w.null();
  w.end_object();
  if (d.estimate)
    lines.push_back("Estimate: " + d.estimate->to_display() + " = " + std::to_string(d.prompt_estimate) +
                    " prompt tokens + " + std::to_string(d.output_reserved) + " output tokens (max_tokens " +
                    (d.max_tokens_requested ? std::to_string(*d.max_tokens_requested) : std::string("not set")) +
                    " x n=" + std::to_string(d.n) + ") at price version " + std::to_string(d.price_version.value_or(0)));
  w.key("hold");
  if (d.hold) {
    w.begin_object().field("on", d.hold->on).field("amount", d.hold->amount);
    if (!d.hold->lease_id.empty()) w.field("lease_id", d.hold->lease_id);
    if (!d.hold->key.empty()) w.field("key", d.hold->key);
    w.end_object();
    lines.push_back("Held: " + d.hold->amount.to_display() +
                    (d.hold->on == "lease" ? " on budget lease " + d.hold->lease_id : " as reservation " + d.hold->key));
  } else {
    w.null();
  }
  w.key("settled");
  if (!d.cost) return (void)w.null();
  const Money held = d.hold ? d.hold->amount : d.estimate.value_or(Money::zero());
  const Money diff = held - *d.cost;
  std::string why;
  if (diff.is_zero()) why = "the answer used every token held for it";
  else
    why = "the answer had " + std::to_string(d.prompt_tokens) + " prompt tokens (" + std::to_string(d.prompt_estimate) +
          " estimated) and " + std::to_string(d.completion_tokens) + " output tokens (" +
          std::to_string(d.output_reserved) + " reserved)" +
          (d.cached_tokens ? ", " + std::to_string(d.cached_tokens) + " of them cached (cheaper)" : std::string()) +
          (d.usage_source == "provider" ? "" : "; usage " + d.usage_source);
  w.begin_object().field("cost", *d.cost).field("prompt_tokens", d.prompt_tokens);
  w.field("completion_tokens", d.completion_tokens).field("cached_tokens", d.cached_tokens);
  w.field("usage_source", d.usage_source).field("returned_to_budget", diff).field("why", why).end_object();
  lines.push_back("Settled: " + d.cost->to_display() + " (" + diff.to_display() + " of the hold went back: " + why + ")");
}

// What bound a refusal, the figures it saw, and what would make the same request pass.
void write_refusal(JsonWriter& w, const Decision& d, std::vector<std::string>& lines) {
  w.key("refusal");
  if (!d.refusal) return (void)w.null();
  const auto& r = *d.refusal;
  const Money estimate = d.estimate.value_or(Money::zero());
  const bool recurring = r.period_end > 0 && r.period_end < std::numeric_limits<int64_t>::max();
  w.begin_object();
  const bool key_budget = r.status == "key_budget";  // the wallet had room; the key's own budget did not
  std::string limit = r.status == "blocked" ? "block_threshold" : r.status == "no_wallet" ? "no_wallet"
                      : key_budget ? "key_budget" : "remaining_budget";
  w.field("limit", limit).key("figures").begin_object();
  if (r.has_wallet) {
    w.field("budget", r.budget).field("spent", r.spent).field("reserved", r.reserved).field("leased", r.leased);
    w.field("remaining", r.remaining);
  }
  w.field("estimated_cost", estimate);
  if (r.block_at_percent > 0) w.field("block_at_percent", r.block_at_percent);
  w.end_object().key("would_pass").begin_array();
  auto step = [&](const char* action, const std::string& text) {
    w.field("action", action).field("text", text).end_object();
    lines.push_back("Would pass: " + text);
  };
  if (key_budget) {
    w.begin_object();
    step("use_another_key", "the consumer key's own budget is spent (kt keys list shows its spent and remaining): "
                            "use a key with room, or make one with a larger --budget");
  } else if (r.status == "no_wallet") {
    w.begin_object();
    step("allocate", "allocate a budget for team " + d.team + " (POST /v1/wallets/allocate)");
  } else if (r.status == "blocked" && r.block_at_percent > 0) {
    // Blocked once spent*100 >= budget*percent: the smallest budget above spent*100/percent.
    __int128 need = __int128(r.spent.nanos()) * 100 / r.block_at_percent + 1;
    Money budget = Money::from_nanos(int64_t(need)), more = budget - r.budget;
    w.begin_object().field("amount", more);
    step("allocate", "raise the budget by " + more.to_display() + " to " + budget.to_display() + " (block at " +
                         std::to_string(r.block_at_percent) + "% of the budget)");
  } else {
    Money shortfall = estimate - r.remaining;
    w.begin_object().field("amount", shortfall);
    step("allocate", "add " + shortfall.to_display() + " to the budget (remaining " + r.remaining.to_display() +
                         ", this request holds " + estimate.to_display() + ")");
    if (r.max_tokens_that_fit && *r.max_tokens_that_fit > 0) {
      w.begin_object().field("max_tokens", *r.max_tokens_that_fit);
      step("lower_max_tokens", "lower max_tokens to " + std::to_string(*r.max_tokens_that_fit) +
                                   (d.n > 1 ? " (n=" + std::to_string(d.n) + ")" : std::string()));
    }
    Money held_elsewhere = r.reserved + r.leased;
    if (!held_elsewhere.is_zero() && r.remaining + held_elsewhere >= estimate) {
      w.begin_object().field("amount", held_elsewhere);
      step("retry", held_elsewhere.to_display() + " is held by requests in flight and gateways' budget leases: "
                    "a retry may pass once they settle or return");
    }
  }
  if (recurring && r.status != "no_wallet" && !key_budget) {
    w.begin_object().field("at", rfc3339(r.period_end));
    step("wait_until", "wait until " + rfc3339(r.period_end) + ", when the next period's budget starts");
  }
  w.end_array().end_object();
}

}  // namespace

awaitable<void> get_event_explain(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  // /v1/events/{id}/explain: an id is "evt_" and 24 hex digits (core/ids.cpp).
  std::string_view path = req.path();
  std::string id(path.substr(11, path.size() - 11 - 8));
  bool well_formed = id.size() == 28 && id.starts_with("evt_") &&
                     id.find_first_not_of("0123456789abcdef", 4) == std::string::npos;
  if (!well_formed)
    co_return co_await reply_error(res, bad_request("invalid_parameter",
                                                    "'" + id + "' is not an event id (evt_ and 24 hex digits)"));
  auto stored = co_await ctx.store.call([&](ledger::Store& s) { return s.event_by_id(id); });
  if (!stored) co_return co_await reply_error(res, not_found("no event '" + id + "'"));
  Decision d;
  bool readable = true;
  try {
    d = read_decision(stored->json);
  } catch (const simdjson::simdjson_error&) {
    readable = false;  // (no co_await inside a handler)
  }
  if (!readable || d.decision.empty())
    co_return co_await reply_error(res, ApiError{422, "invalid_request_error", "not_a_decision",
                                                 "event '" + id + "' is not a decision event: only decisions are explained"});
  std::optional<ledger::PricingRow> price;
  if (d.price_version && !d.model.empty())
    price = co_await ctx.store.call([&](ledger::Store& s) { return s.pricing_version(d.model, *d.price_version); });
  std::vector<std::string> lines;
  lines.push_back("Request " + d.request_id + " at " + d.timestamp + ": " + d.decision + " (" + d.reason + ", HTTP " +
                  std::to_string(d.status) + ")");
  lines.push_back("Consumer group " + (d.group.empty() ? std::string("(none)") : d.group) + ", team " +
                  (d.team.empty() ? std::string("(none)") : d.team) + ", model " + (d.model.empty() ? "(none)" : d.model));
  JsonWriter w;
  w.begin_object().field("event_id", d.id).field("request_id", d.request_id).field("timestamp", d.timestamp);
  w.field("route", d.route).field("decision", d.decision).field("reason", d.reason).field("status", d.status);
  w.field("stream", d.stream).field("consumer_group", d.group).field("team_id", d.team).field("model", d.model);
  w.field("provider", d.provider).key("price");
  if (price) {
    w.begin_object();
    wire::write_pricing_fields(w, *price);
    w.end_object();
    lines.push_back("Price version " + std::to_string(price->version) + ": input " + price->input_per_1k.to_display() +
                    " / output " + price->output_per_1k.to_display() + " per 1k tokens");
  } else {
    w.null();
  }
  write_estimate_and_settle(w, d, price, lines);
  w.key("attempts").raw(d.attempts);
  write_refusal(w, d, lines);
  w.key("explanation").begin_array();
  for (const auto& l : lines) w.value(l);
  w.end_array().end_object();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
