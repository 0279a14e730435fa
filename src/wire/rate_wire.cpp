#include "wire/rate_wire.hpp"

#include <simdjson.h>

#include "wire/json_fields.hpp"
#include "core/json_writer.hpp"

namespace kt::wire {
namespace {

constexpr size_t kMaxItems = 1000;  // one worker's asks and returns of a moment: far fewer

int64_t int_of(simdjson::ondemand::value v) { return v.get_int64().value(); }

}  // namespace

std::string encode_rate_batch(const RateGrantBatch& b) {
  JsonWriter w;
  w.begin_object().key("grants").begin_array();
  for (const auto& a : b.grants) {
    w.begin_object().field("scope", a.scope).field("holder", a.holder).field("limit", a.limit);
    w.field("window_ms", a.window_ms).field("want", a.want).field("need", a.need).end_object();
  }
  w.end_array().key("returns").begin_array();
  for (const auto& r : b.returns) w.begin_object().field("id", r.id).field("used", r.used).end_object();
  w.end_array().end_object();
  return w.take();
}

std::optional<RateGrantBatch> decode_rate_batch(const std::string& body, ApiError& err) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  RateGrantBatch b;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto f : doc.get_object()) {
      std::string_view key = f.unescaped_key().value();
      if (key == "grants") {
        for (auto g : f.value().get_array()) {
          ledger::RateGrantAsk a;
          for (auto x : g.get_object()) {
            std::string_view k = x.unescaped_key().value();
            if (k == "scope") a.scope = std::string(x.value().get_string().value());
            else if (k == "holder") a.holder = std::string(x.value().get_string().value());
            else if (k == "limit") a.limit = int_of(x.value());
            else if (k == "window_ms") a.window_ms = int_of(x.value());
            else if (k == "want") a.want = int_of(x.value());
            else if (k == "need") a.need = int_of(x.value());
          }
          b.grants.push_back(std::move(a));
        }
      } else if (key == "returns") {
        for (auto r : f.value().get_array()) {
          ledger::RateReturn ret;
          for (auto x : r.get_object()) {
            std::string_view k = x.unescaped_key().value();
            if (k == "id") ret.id = int_of(x.value());
            else if (k == "used") ret.used = int_of(x.value());
          }
          b.returns.push_back(ret);
        }
      }
    }
  } catch (const simdjson::simdjson_error&) {
    err = bad_request("invalid_json", "body must be {\"grants\":[{scope, holder, limit, window_ms, want, need}], \"returns\":[{id, used}]}");
    return std::nullopt;
  }
  if (b.grants.size() + b.returns.size() > kMaxItems) {
    err = bad_request("too_many_items", "at most " + std::to_string(kMaxItems) + " grants and returns per call");
    return std::nullopt;
  }
  for (const auto& a : b.grants)
    if (a.scope.empty() || a.limit <= 0 || a.window_ms <= 0 || a.window_ms > 8 * 86'400'000LL || a.need < 0 || a.want < a.need) {
      err = bad_request("invalid_field", "each grant needs a scope, limit > 0, 0 < window_ms <= 8 days and want >= need >= 0");
      return std::nullopt;
    }
  for (const auto& r : b.returns)
    if (r.id <= 0 || r.used < 0) {
      err = bad_request("invalid_field", "each return needs an id > 0 and used >= 0");
      return std::nullopt;
    }
  return b;
}

std::string encode_rate_grants(const std::vector<ledger::RateGrant>& grants) {
  JsonWriter w;
  w.begin_object().key("grants").begin_array();
  for (const auto& g : grants) {
    w.begin_object().field("id", g.id).field("granted", g.granted).field("remaining", g.remaining);
    w.field("retry_after_ms", g.retry_after_ms).field("reset_ms", g.reset_ms).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<ledger::RateGrant>> decode_rate_grants(const std::string& body) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  std::vector<ledger::RateGrant> out;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto g : doc["grants"].get_array()) {
      ledger::RateGrant r;
      for (auto x : g.get_object()) {
        std::string_view k = x.unescaped_key().value();
        if (k == "id") r.id = int_of(x.value());
        else if (k == "granted") r.granted = int_of(x.value());
        else if (k == "remaining") r.remaining = int_of(x.value());
        else if (k == "retry_after_ms") r.retry_after_ms = int_of(x.value());
        else if (k == "reset_ms") r.reset_ms = int_of(x.value());
      }
      out.push_back(r);
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace kt::wire
