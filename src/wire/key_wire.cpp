#include "wire/key_wire.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"
#include "wire/json_fields.hpp"

namespace kt::wire {
namespace {

constexpr size_t kMaxUses = 100000;  // one gateway's keys used within a sync period

std::string text_of(simdjson::ondemand::value v) { return std::string(v.get_string().value()); }

// Calls `each(object)` for each object of the array under `key` in `body`; false when the body is
// not such JSON (or `each` read a field that is missing or of another kind).
template <class Each>
bool each_object(const std::string& body, const char* key, Each each) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc[key].get_array()) each(item.get_object().value());
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
  return true;
}

}  // namespace

void write_key_rate_limits(JsonWriter& w, const ledger::KeyRateLimits& r) {
  w.begin_object();
  if (r.requests_per_minute) w.field("requests_per_minute", *r.requests_per_minute);
  if (r.tokens_per_minute) w.field("tokens_per_minute", *r.tokens_per_minute);
  if (r.tokens_per_day) w.field("tokens_per_day", *r.tokens_per_day);
  w.end_object();
}

std::string encode_key_uses(const std::vector<ledger::TokenUse>& uses) {
  JsonWriter w;
  w.begin_object().key("used").begin_array();
  for (const auto& u : uses) w.begin_object().field("id", u.id).field("last_used_at", u.last_used_at).end_object();
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<ledger::TokenUse>> decode_key_uses(const std::string& body, ApiError& err) {
  std::vector<ledger::TokenUse> uses;
  auto read = [&](simdjson::ondemand::object u) { uses.push_back({text_of(u["id"].value()), u["last_used_at"].get_int64().value()}); };
  if (!each_object(body, "used", read)) {
    err = bad_request("invalid_json", "body must be {\"used\":[{\"id\",\"last_used_at\"}]}");
    return std::nullopt;
  }
  for (const auto& u : uses)
    if (u.id.empty() || u.last_used_at <= 0) {
      err = bad_request("invalid_field", "each use needs an id and last_used_at > 0 (unix seconds)");
      return std::nullopt;
    }
  if (uses.size() > kMaxUses) {
    err = bad_request("too_many_items", "at most " + std::to_string(kMaxUses) + " uses per call");
    return std::nullopt;
  }
  return uses;
}

std::string encode_live_keys(const std::vector<ledger::ConsumerKeyRow>& keys) {
  JsonWriter w;
  w.begin_object().key("keys").begin_array();
  for (const auto& k : keys) {
    w.begin_object().field("id", k.id).field("group", k.group).field("key_hash", k.hash).key("expires_at");
    if (k.expires_at) w.value(*k.expires_at);
    else w.null();
    if (k.budget) w.field("budget", true);  // the gateway then reserves at the API (never a lease)
    if (k.rate_limits.any()) {
      w.key("rate_limits");
      write_key_rate_limits(w, k.rate_limits);
    }
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<ledger::ConsumerKeyRow>> decode_live_keys(const std::string& body) {
  std::vector<ledger::ConsumerKeyRow> keys;
  auto read = [&](simdjson::ondemand::object k) {
    ledger::ConsumerKeyRow& row = keys.emplace_back();
    row.id = text_of(k["id"].value());
    row.group = text_of(k["group"].value());
    row.hash = text_of(k["key_hash"].value());
    if (auto expires = k["expires_at"].value(); !expires.is_null()) row.expires_at = expires.get_int64().value();
    if (auto budget = k.find_field_unordered("budget"); budget.error() == simdjson::SUCCESS && budget.get_bool().value())
      row.budget = Money::zero();  // the gateway only needs to know there is one
    // Absent from an older API's answer: the key then has its group's limits only.
    if (auto limits = k.find_field_unordered("rate_limits"); limits.error() == simdjson::SUCCESS)
      for (auto f : limits.get_object()) {
        std::string_view name = f.unescaped_key().value();
        auto v = f.value().get_int64().value();
        if (name == "requests_per_minute") row.rate_limits.requests_per_minute = v;
        else if (name == "tokens_per_minute") row.rate_limits.tokens_per_minute = v;
        else if (name == "tokens_per_day") row.rate_limits.tokens_per_day = v;
      }
  };
  if (!each_object(body, "keys", read)) return std::nullopt;
  return keys;
}

}  // namespace kt::wire
