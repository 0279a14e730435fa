#include "gateway/cache/response_cache.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "core/json_writer.hpp"
#include "gateway/cache/cached_answer_codec.hpp"

namespace kt::gateway {
namespace dom = simdjson::dom;
namespace {

void write_canonical(dom::element e, std::string& out, bool top);

void write_canonical(dom::element e, std::string& out, bool top) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      std::vector<std::pair<std::string_view, dom::element>> fields;
      for (auto [k, v] : e.get_object().value()) {
        if (top && k == "user") continue;
        fields.emplace_back(k, v);
      }
      std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, fields[i].first);
        out += ':';
        write_canonical(fields[i].second, out, false);
      }
      out += '}';
      return;
    }
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (dom::element v : e.get_array().value()) {
        if (!first) out += ',';
        first = false;
        write_canonical(v, out, false);
      }
      out += ']';
      return;
    }
    case dom::element_type::STRING: append_json_string(out, e.get_string().value()); return;
    case dom::element_type::INT64: out += std::to_string(e.get_int64().value()); return;
    case dom::element_type::UINT64: out += std::to_string(e.get_uint64().value()); return;
    case dom::element_type::DOUBLE: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", e.get_double().value());  // the same double, the same text
      out += buf;
      return;
    }
    case dom::element_type::BOOL: out += e.get_bool().value() ? "true" : "false"; return;
    case dom::element_type::NULL_VALUE: out += "null"; return;
  }
}

}  // namespace

const CachedAnswer* ResponseCache::find(const std::string& key, int64_t now_s, std::optional<int64_t> max_age) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (!fresh_enough(it->second->answer, now_s, ttl_, std::nullopt)) {
    lru_.erase(it->second);
    entries_.erase(it);
    return nullptr;
  }
  if (!fresh_enough(it->second->answer, now_s, ttl_, max_age)) return nullptr;  // too old for this client only
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->answer;
}

void ResponseCache::put(const std::string& key, CachedAnswer answer) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second->answer = std::move(answer);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Slot{key, std::move(answer)});
  entries_.emplace(key, lru_.begin());
  while (entries_.size() > max_entries_) {
    entries_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

std::optional<std::string> canonical_request(std::string_view body) {
  thread_local dom::parser parser;
  dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  std::string out;
  out.reserve(body.size());
  write_canonical(doc, out, true);
  return out;
}

std::string response_cache_key(std::string_view team, std::string_view route, std::string_view canonical) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(canonical.data(), canonical.size(), digest.data(), &len, EVP_sha256(), nullptr);
  std::string key(team);
  key += '\0';
  key += route;
  key += '\0';
  key.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return key;
}

}  // namespace kt::gateway
