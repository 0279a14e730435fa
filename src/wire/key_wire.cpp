#include "wire/key_wire.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"
#include "wire/json_fields.hpp"

namespace kt::wire {
namespace {

constexpr size_t kMaxUses = 100000;  // one gateway's keys used within a sync period

std::string text_of(simdjson::ondemand::value v) { return std::string(v.get_string().value()); }

}  // namespace

std::string encode_key_uses(const std::vector<ledger::TokenUse>& uses) {
  JsonWriter w;
  w.begin_object().key("used").begin_array();
  for (const auto& u : uses) w.begin_object().field("id", u.id).field("last_used_at", u.last_used_at).end_object();
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<ledger::TokenUse>> decode_key_uses(const std::string& body, ApiError& err) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  std::vector<ledger::TokenUse> uses;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc["used"].get_array()) {
      auto u = item.get_object();
      uses.push_back({text_of(u["id"].value()), u["last_used_at"].get_int64().value()});
      if (uses.back().id.empty() || uses.back().last_used_at <= 0) {
        err = bad_request("invalid_field", "each use needs an id and last_used_at > 0 (unix seconds)");
        return std::nullopt;
      }
    }
  } catch (const simdjson::simdjson_error&) {
    err = bad_request("invalid_json", "body must be {\"used\":[{\"id\",\"last_used_at\"}]}");
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
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::optional<std::vector<ledger::ConsumerKeyRow>> decode_live_keys(const std::string& body) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  std::vector<ledger::ConsumerKeyRow> keys;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto item : doc["keys"].get_array()) {
      auto k = item.get_object();
      ledger::ConsumerKeyRow& row = keys.emplace_back();
      row.id = text_of(k["id"].value());
      row.group = text_of(k["group"].value());
      row.hash = text_of(k["key_hash"].value());
      if (auto expires = k["expires_at"].value(); !expires.is_null()) row.expires_at = expires.get_int64().value();
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return keys;
}

}  // namespace kt::wire
