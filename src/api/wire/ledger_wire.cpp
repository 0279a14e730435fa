#include "api/wire/ledger_wire.hpp"

#include <simdjson.h>

#include "api/wire/json_fields.hpp"

namespace kt::wire {
namespace sj = simdjson::ondemand;
using ledger::LedgerOp;
using ledger::OpResult;
using ledger::ReserveStatus;

namespace {

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
  return ReserveStatus::no_wallet;
}

ledger::Balance balance_of(sj::object o) {
  ledger::Balance b;
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "team_id") b.team_id = str_of(v);
    else if (k == "currency") b.currency = str_of(v);
    else if (k == "budget") b.budget = money_of(v);
    else if (k == "spent") b.spent = money_of(v);
    else if (k == "reserved") b.reserved = money_of(v);
    else if (k == "period") parse_month_label(str_of(v), b.period);
  }
  return b;
}

}  // namespace

const char* reserve_status_name(ReserveStatus s) {
  switch (s) {
    case ReserveStatus::reserved: return "reserved";
    case ReserveStatus::insufficient: return "insufficient";
    case ReserveStatus::blocked: return "blocked";
    case ReserveStatus::no_wallet: return "no_wallet";
  }
  return "no_wallet";
}

void write_balance(JsonWriter& w, const ledger::Balance& b) {
  int64_t pct = percent_nanos(b.spent, b.budget);
  const char* status = b.remaining() <= Money::zero() ? "Depleted" : (pct >= 80LL * Money::kNanosPerUnit ? "Low" : "Healthy");
  w.begin_object();
  w.field("team_id", b.team_id).field("currency", b.currency);
  w.field("budget", b.budget).field("spent", b.spent).field("reserved", b.reserved);
  w.field("remaining", b.remaining());
  w.key("usage_percent").percent(pct);
  w.field("status", status);
  w.field("period", b.period.label).field("period_start", b.period.first_day()).field("period_end", b.period.last_day());
  w.end_object();
}

void write_pricing(JsonWriter& w, const ledger::PricingRow& p) {
  w.begin_object();
  w.field("model", p.model).field("provider", p.provider);
  w.field("input_cost_per_1k_tokens", p.input_per_1k).field("output_cost_per_1k_tokens", p.output_per_1k);
  w.key("cached_input_cost_per_1k_tokens");
  if (p.cached_input_per_1k) w.value(*p.cached_input_per_1k); else w.null();
  w.key("cache_creation_cost_per_1k_tokens");
  if (p.cache_creation_per_1k) w.value(*p.cache_creation_per_1k); else w.null();
  w.key("max_output_tokens");
  if (p.max_output_tokens) w.value(*p.max_output_tokens); else w.null();
  w.field("currency", "USD").field("version", p.version).field("updated_at", format_rfc3339(p.updated_at * 1000000));
  w.end_object();
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
        break;
      case LedgerOp::Kind::settle: {
        const auto& s = op.settle;
        w.field("op", "settle").field("key", s.key).field("team_id", s.team_id).field("actual", s.actual);
        w.field("model", s.model).field("provider", s.provider).field("consumer_group", s.consumer_group);
        w.field("prompt_tokens", s.prompt_tokens).field("completion_tokens", s.completion_tokens);
        w.key("alert_thresholds").begin_array();
        for (int t : s.alert_thresholds) w.value(t);
        w.end_array();
        break;
      }
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
    else if (k == "team_id") op.reserve.team_id = op.settle.team_id = op.release.team_id = str_of(v);
    else if (k == "amount") op.reserve.amount = money_of(v);
    else if (k == "block_at_percent") op.reserve.block_at_percent = int(v.get_int64().value());
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
  else {
    error = bad_request("invalid_op", "each op needs \"op\": reserve, settle or release");
    return std::nullopt;
  }
  if (op.reserve.key.empty() || op.reserve.team_id.empty()) {
    error = bad_request("invalid_op", "each op needs a key and a team_id");
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
      }
      out.push_back(std::move(p));
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace kt::wire
