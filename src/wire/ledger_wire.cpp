#include "wire/ledger_wire.hpp"

#include <simdjson.h>

#include "wire/json_fields.hpp"
#include "wire/sj_read.hpp"

namespace kt::wire {
namespace sj = simdjson::ondemand;
using ledger::LedgerOp;
using ledger::OpResult;
using ledger::ReserveStatus;

namespace detail {

// Money from a JSON number or decimal string, exactly.
Money money_of(sj::value v) {
  std::string_view text;
  if (v.type() == sj::json_type::string) {
    text = v.get_string().value();
  } else {
    text = v.raw_json_token();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
      text.remove_suffix(1);
  }
  auto m = Money::parse(text);
  if (!m) throw simdjson::simdjson_error(simdjson::NUMBER_ERROR);
  return *m;
}

std::string str_of(sj::value v) { return std::string(v.get_string().value()); }

ReserveStatus status_of(std::string_view s) {
  if (s == "reserved") return ReserveStatus::reserved;
  if (s == "insufficient") return ReserveStatus::insufficient;
  if (s == "blocked") return ReserveStatus::blocked;
  if (s == "key_budget") return ReserveStatus::key_budget;
  return ReserveStatus::no_wallet;
}

ledger::Balance balance_of(sj::object o) {
  ledger::Balance b;
  std::string label, timezone = "UTC";
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "team_id") b.team_id = str_of(v);
    else if (k == "currency") b.currency = str_of(v);
    else if (k == "budget") b.budget = money_of(v);
    else if (k == "spent") b.spent = money_of(v);
    else if (k == "reserved") b.reserved = money_of(v);
    else if (k == "leased") b.leased = money_of(v);
    else if (k == "period") label = str_of(v);
    else if (k == "timezone") timezone = str_of(v);
  }
  // Any kind's label, in the wallet's zone; unparseable (an older API) leaves the period empty.
  // Every settle's result carries its team's balance, so the same label and zone come again and
  // again: the last one parsed is kept (parsing goes through the zone's rules, ~9k instructions).
  if (label.empty()) return b;
  thread_local struct {
    std::string label, timezone;
    bool parsed = false;
    Period period;
  } last;
  if (label != last.label || timezone != last.timezone) {
    last.period = Period{};
    last.parsed = parse_period_label(PeriodSpec{PeriodKind::monthly, timezone}, label, last.period);
    last.label = std::move(label);
    last.timezone = std::move(timezone);
  }
  if (last.parsed) b.period = last.period;
  return b;
}

}  // namespace detail

using namespace detail;

namespace {

ledger::LeaseState lease_of(sj::object o) {
  ledger::LeaseState l;
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "id") l.id = str_of(v);
    else if (k == "state") l.state = str_of(v);
    else if (k == "amount") l.amount = money_of(v);
    else if (k == "consumed") l.consumed = money_of(v);
    else if (k == "expires_at") l.expires_at = v.get_int64().value();
    else if (k == "period_end") l.period_end = v.get_int64().value();
  }
  return l;
}

}  // namespace

const char* reserve_status_name(ReserveStatus s) {
  switch (s) {
    case ReserveStatus::reserved: return "reserved";
    case ReserveStatus::insufficient: return "insufficient";
    case ReserveStatus::blocked: return "blocked";
    case ReserveStatus::no_wallet: return "no_wallet";
    case ReserveStatus::key_budget: return "key_budget";
  }
  return "no_wallet";
}

void write_balance(JsonWriter& w, const ledger::Balance& b, const std::vector<ledger::GatewayLogState>* logs,
                   const ledger::Forecast* forecast) {
  int64_t pct = percent_nanos(b.spent, b.budget);
  const char* status = b.remaining() <= Money::zero() ? "Depleted" : (pct >= 80LL * Money::kNanosPerUnit ? "Low" : "Healthy");
  w.begin_object();
  w.field("team_id", b.team_id).field("currency", b.currency);
  w.field("budget", b.budget).field("spent", b.spent).field("reserved", b.reserved).field("leased", b.leased);
  w.field("remaining", b.remaining());
  w.key("usage_percent").percent(pct);
  w.field("status", status);
  w.field("period", b.period.label).field("period_start", b.period.first_day()).field("period_end", b.period.last_day());
  // Budget periods (issue 4): how the wallet cuts time and the period's exact instants (the
  // dates above are local to the wallet's zone). A prepaid wallet's period never ends: null.
  const bool endless = b.period.kind == PeriodKind::none;
  w.field("period_kind", period_kind_name(b.period.kind)).field("timezone", b.period.timezone);
  w.key("period_starts_at");
  if (endless) w.null(); else w.value(format_rfc3339_seconds(b.period.start));
  w.key("period_ends_at");
  if (endless) w.null(); else w.value(format_rfc3339_seconds(b.period.end));
  if (logs) {
    Money amount;
    int64_t records = 0;
    for (const auto& l : *logs)
      for (const auto& p : l.pending)
        if (p.team_id == b.team_id) amount += p.amount, records += p.records;
    w.key("unapplied").begin_object().field("amount", amount).field("records", records).key("logs").begin_array();
    for (const auto& l : *logs)
      for (const auto& p : l.pending)
        if (p.team_id == b.team_id)
          w.begin_object().field("log_id", l.log_id).field("amount", p.amount).field("records", p.records)
              .field("reported_at", format_rfc3339_seconds(l.last_seen)).end_object();
    w.end_array().end_object();
  }
  if (forecast) {
    w.key("forecast");
    write_forecast(w, *forecast);
  }
  w.end_object();
}

void write_forecast(JsonWriter& w, const ledger::Forecast& f) {
  w.begin_object().field("as_of", format_rfc3339_seconds(f.as_of)).field("left", f.left);
  w.key("burn_rate").begin_object();
  for (const auto& win : f.windows)
    w.key(win.name).begin_object().field("seconds", win.seconds).field("spent", win.spent)
        .field("per_day", win.per_day).field("complete", win.complete).end_object();
  w.end_object();
  w.key("pace");
  if (f.pace.empty()) w.null(); else w.value(f.pace);
  w.key("pace_per_day");
  if (f.pace.empty()) w.null(); else w.value(f.pace_per_day);
  w.key("exhausts_at");
  if (f.exhausts_at) w.value(format_rfc3339_seconds(*f.exhausts_at)); else w.null();
  w.field("exhausts_before_period_end", f.before_period_end);
  w.key("before_period_end_seconds");
  if (f.before_period_end) w.value(f.period_end - *f.exhausts_at); else w.null();
  w.field("summary", ledger::forecast_sentence(f));
  w.end_object();
}

void write_pricing(JsonWriter& w, const ledger::PricingRow& p, std::optional<bool> scheduled) {
  w.begin_object();
  write_pricing_fields(w, p);
  if (scheduled) w.field("scheduled", *scheduled);
  w.end_object();
}

void write_pricing_fields(JsonWriter& w, const ledger::PricingRow& p) {
  w.field("model", p.model).field("provider", p.provider);
  w.field("input_cost_per_1k_tokens", p.input_per_1k).field("output_cost_per_1k_tokens", p.output_per_1k);
  w.key("cached_input_cost_per_1k_tokens");
  if (p.cached_input_per_1k) w.value(*p.cached_input_per_1k); else w.null();
  w.key("cache_creation_cost_per_1k_tokens");
  if (p.cache_creation_per_1k) w.value(*p.cache_creation_per_1k); else w.null();
  w.key("max_output_tokens");
  if (p.max_output_tokens) w.value(*p.max_output_tokens); else w.null();
  w.field("currency", "USD").field("version", p.version).field("updated_at", format_rfc3339_seconds(p.updated_at));
  // In force from here until the model's next version's (both forms: RFC 3339 for people,
  // unix seconds for scripts and gateways).
  int64_t from = p.effective_from.value_or(p.updated_at);
  w.field("effective_from", format_rfc3339_seconds(from)).field("effective_from_unix", from);
}

std::string encode_ops(const std::vector<LedgerOp>& ops) {
  JsonWriter w;
  w.begin_object().key("ops").begin_array();
  for (const auto& op : ops) {
    w.begin_object();
    switch (op.kind) {
      case LedgerOp::Kind::reserve:
        w.field("op", "reserve").field("key", op.reserve.key).field("team_id", op.reserve.team_id);
        w.field("amount", op.reserve.amount).field("block_at_percent", op.reserve.block_at_percent);
        if (!op.reserve.log_id.empty()) w.field("log_id", op.reserve.log_id);
        if (!op.reserve.key_id.empty()) w.field("key_id", op.reserve.key_id);
        break;
      case LedgerOp::Kind::settle: {
        const auto& s = op.settle;
        w.field("op", "settle").field("key", s.key).field("team_id", s.team_id).field("actual", s.actual);
        w.field("model", s.model).field("provider", s.provider).field("consumer_group", s.consumer_group);
        w.field("prompt_tokens", s.prompt_tokens).field("completion_tokens", s.completion_tokens);
        w.key("alert_thresholds").begin_array();
        for (int t : s.alert_thresholds) w.value(t);
        w.end_array();
        if (!s.lease_id.empty()) w.field("lease_id", s.lease_id).field("estimate", s.estimate);
        break;
      }
      case LedgerOp::Kind::lease_acquire: {
        const auto& a = op.lease_acquire;
        w.field("op", "lease_acquire").field("lease_id", a.lease_id).field("team_id", a.team_id);
        w.field("holder", a.holder).field("want", a.want).field("min", a.min);
        w.field("ttl_seconds", a.ttl_seconds).field("block_at_percent", a.block_at_percent);
        if (!a.log_id.empty()) w.field("log_id", a.log_id);
        break;
      }
      case LedgerOp::Kind::lease_renew:
        w.field("op", "lease_renew").field("lease_id", op.lease_renew.lease_id);
        w.field("team_id", op.lease_renew.team_id).field("ttl_seconds", op.lease_renew.ttl_seconds);
        break;
      case LedgerOp::Kind::lease_return:
        w.field("op", "lease_return").field("lease_id", op.lease_return.lease_id);
        w.field("team_id", op.lease_return.team_id);
        break;
      case LedgerOp::Kind::release:
        w.field("op", "release").field("key", op.release.key).field("team_id", op.release.team_id);
        break;
    }
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

namespace {

// One op object; `kind` may come from the "op" field or from the route (single-op routes).
std::optional<LedgerOp> decode_op(sj::object item, std::string kind, ApiError& error) {
  LedgerOp op{};
  for (auto f : item) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "op") kind = str_of(v);
    else if (k == "key") op.reserve.key = op.settle.key = op.release.key = str_of(v);
    else if (k == "team_id")
      op.reserve.team_id = op.settle.team_id = op.release.team_id = op.lease_acquire.team_id =
          op.lease_renew.team_id = op.lease_return.team_id = str_of(v);
    else if (k == "lease_id")
      op.settle.lease_id = op.lease_acquire.lease_id = op.lease_renew.lease_id = op.lease_return.lease_id = str_of(v);
    else if (k == "estimate") op.settle.estimate = money_of(v);
    else if (k == "holder") op.lease_acquire.holder = str_of(v);
    else if (k == "log_id") op.reserve.log_id = op.lease_acquire.log_id = str_of(v);
    else if (k == "key_id") op.reserve.key_id = str_of(v);
    else if (k == "want") op.lease_acquire.want = money_of(v);
    else if (k == "min") op.lease_acquire.min = money_of(v);
    else if (k == "ttl_seconds") op.lease_acquire.ttl_seconds = op.lease_renew.ttl_seconds = v.get_int64().value();
    else if (k == "amount") op.reserve.amount = money_of(v);
    else if (k == "block_at_percent")
      op.reserve.block_at_percent = op.lease_acquire.block_at_percent = int(v.get_int64().value());
    else if (k == "actual") op.settle.actual = money_of(v);
    else if (k == "model") op.settle.model = str_of(v);
    else if (k == "provider") op.settle.provider = str_of(v);
    else if (k == "consumer_group") op.settle.consumer_group = str_of(v);
    else if (k == "prompt_tokens") op.settle.prompt_tokens = v.get_int64().value();
    else if (k == "completion_tokens") op.settle.completion_tokens = v.get_int64().value();
    else if (k == "alert_thresholds")
      for (auto t : v.get_array()) op.settle.alert_thresholds.push_back(int(t.get_int64().value()));
  }
  if (kind == "reserve") op.kind = LedgerOp::Kind::reserve;
  else if (kind == "settle") op.kind = LedgerOp::Kind::settle;
  else if (kind == "release") op.kind = LedgerOp::Kind::release;
  else if (kind == "lease_acquire") op.kind = LedgerOp::Kind::lease_acquire;
  else if (kind == "lease_renew") op.kind = LedgerOp::Kind::lease_renew;
  else if (kind == "lease_return") op.kind = LedgerOp::Kind::lease_return;
  else {
    error = bad_request("invalid_op",
                        "each op needs \"op\": reserve, settle, release, lease_acquire, lease_renew or lease_return");
    return std::nullopt;
  }
  bool lease_op = kind.rfind("lease_", 0) == 0;
  if ((lease_op ? op.lease_acquire.lease_id.empty() : op.reserve.key.empty()) || op.reserve.team_id.empty()) {
    error = bad_request("invalid_op", lease_op ? "each lease op needs a lease_id and a team_id"
                                               : "each op needs a key and a team_id");
    return std::nullopt;
  }
  if (op.lease_acquire.want.is_negative() || op.lease_acquire.min.is_negative() || op.settle.estimate.is_negative()) {
    error = bad_request("invalid_op", "amounts must not be negative");
    return std::nullopt;
  }
  if (lease_op && (op.lease_acquire.ttl_seconds <= 0 || op.lease_acquire.ttl_seconds > 3600)) {
    error = bad_request("invalid_op", "ttl_seconds must be between 1 and 3600");
    return std::nullopt;
  }
  if (op.reserve.amount.is_negative() || op.settle.actual.is_negative()) {
    error = bad_request("invalid_op", "amounts must not be negative");
    return std::nullopt;
  }
  return op;
}

}  // namespace

std::optional<std::vector<LedgerOp>> decode_ops(std::string_view body, ApiError& error) {
  thread_local sj::parser parser;
  std::string buf = padded_copy(body);
  std::vector<LedgerOp> out;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc["ops"].get_array()) {
      auto op = decode_op(item.get_object(), "", error);
      if (!op) return std::nullopt;
      out.push_back(std::move(*op));
    }
  } catch (const simdjson::simdjson_error&) {
    error = bad_request("invalid_json", "body must be {\"ops\":[...]} with valid ops");
    return std::nullopt;
  }
  return out;
}

std::optional<LedgerOp> decode_single_op(std::string_view body, const std::string& kind, ApiError& error) {
  thread_local sj::parser parser;
  std::string buf = padded_copy(body);
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    return decode_op(doc.get_object(), kind, error);
  } catch (const simdjson::simdjson_error&) {
    error = bad_request("invalid_json", "request body is not a valid " + kind + " op");
    return std::nullopt;
  }
}

void write_op_result(JsonWriter& w, const OpResult& r) {
  w.begin_object();
  w.field("replay", r.replay).field("status", reserve_status_name(r.reserve_status));
  w.key("balance");
  write_balance(w, r.balance);
  w.key("fired_thresholds").begin_array();
  for (int t : r.fired_thresholds) w.value(t);
  w.end_array();
  if (r.lease) {
    w.key("lease").begin_object();
    w.field("id", r.lease->id).field("state", r.lease->state).field("amount", r.lease->amount);
    w.field("consumed", r.lease->consumed).field("expires_at", r.lease->expires_at);
    w.field("period_end", r.lease->period_end);
    w.end_object();
  }
  w.end_object();
}

std::string encode_results(const std::vector<OpResult>& results) {
  JsonWriter w;
  w.begin_object().key("results").begin_array();
  for (const auto& r : results) write_op_result(w, r);
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<OpResult>> decode_results(std::string_view body) {
  thread_local sj::parser parser;
  std::string buf = padded_copy(body);
  std::vector<OpResult> out;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc["results"].get_array()) {
      OpResult r;
      for (auto f : item.get_object()) {
        std::string_view k = f.unescaped_key().value();
        sj::value v = f.value();
        if (k == "replay") r.replay = v.get_bool().value();
        else if (k == "status") r.reserve_status = status_of(v.get_string().value());
        else if (k == "balance") r.balance = balance_of(v.get_object());
        else if (k == "fired_thresholds")
          for (auto t : v.get_array()) r.fired_thresholds.push_back(int(t.get_int64().value()));
        else if (k == "lease") r.lease = lease_of(v.get_object());
      }
      out.push_back(std::move(r));
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<ledger::PricingRow>> decode_pricing_list(std::string_view body) {
  thread_local sj::parser parser;
  std::string buf = padded_copy(body);
  std::vector<ledger::PricingRow> out;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc.get_array()) {
      ledger::PricingRow p;
      for (auto f : item.get_object()) {
        std::string_view k = f.unescaped_key().value();
        sj::value v = f.value();
        if (k == "model") p.model = str_of(v);
        else if (k == "provider") p.provider = str_of(v);
        else if (k == "input_cost_per_1k_tokens") p.input_per_1k = money_of(v);
        else if (k == "output_cost_per_1k_tokens") p.output_per_1k = money_of(v);
        else if (k == "cached_input_cost_per_1k_tokens") { if (!v.is_null()) p.cached_input_per_1k = money_of(v); }
        else if (k == "cache_creation_cost_per_1k_tokens") { if (!v.is_null()) p.cache_creation_per_1k = money_of(v); }
        else if (k == "max_output_tokens") { if (!v.is_null()) p.max_output_tokens = v.get_int64().value(); }
        else if (k == "version") p.version = v.get_int64().value();
        else if (k == "effective_from_unix") p.effective_from = v.get_int64().value();
      }
      out.push_back(std::move(p));
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace kt::wire
