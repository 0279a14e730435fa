#include "api/token_cache.hpp"

#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/ids.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {

uint64_t bucket_of(const TokenHash& h) {
  uint64_t v;
  std::memcpy(&v, h.data(), sizeof v);
  return v;
}

std::string_view bytes(const TokenHash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

std::optional<TokenHash> from_hex(std::string_view hex) {
  TokenHash out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace

std::optional<Scope> scope_named(std::string_view name) {
  if (name == "admin") return Scope::admin;
  if (name == "gateway") return Scope::gateway;
  if (name == "viewer") return Scope::viewer;
  return std::nullopt;
}

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::admin: return "admin";
    case Scope::gateway: return "gateway";
    case Scope::viewer: return "viewer";
  }
  return "viewer";
}

std::string scopes_text(ScopeSet route) {
  std::vector<const char*> names{"admin"};
  if (route & kGateway) names.push_back("gateway");
  if (route & kViewer) names.push_back("viewer");
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

TokenHash sha256(std::string_view data) {
  TokenHash out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    throw std::runtime_error("SHA-256 failed");
  return out;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

MintedToken mint_token(const std::string& name, Scope scope) {
  unsigned char random[32];
  for (size_t got = 0; got < sizeof random;) {
    ssize_t n = getrandom(random + got, sizeof random - got, 0);
    if (n < 0) throw std::runtime_error("the system's random source failed");
    got += size_t(n);
  }
  MintedToken t;
  t.secret = std::string(kTokenPrefix) + to_hex(random, sizeof random);
  TokenHash h = sha256(t.secret);
  t.row.id = new_id("tok_");
  t.row.name = name;
  t.row.scope = scope_name(scope);
  t.row.prefix = t.secret.substr(0, kTokenPrefix.size() + 8);
  t.row.hash = to_hex(h.data(), h.size());
  return t;
}

TokenCache::Lookup TokenCache::find(std::string_view presented, Clock::time_point now) const {
  Lookup out;
  if (presented.substr(0, kTokenPrefix.size()) != kTokenPrefix) return out;
  auto view = view_.load(std::memory_order_acquire);
  if (!view || now - view->as_of > kMaxAge) {
    out.status = Lookup::Status::stale;
    return out;
  }
  const TokenHash h = sha256(presented);
  auto [it, end] = view->by_hash.equal_range(bucket_of(h));
  for (; it != end; ++it) {
    if (!constant_time_equal(bytes(it->second.hash), bytes(h))) continue;
    const int64_t used_at = now_unix_seconds();
    if (it->second.usage->last_used.load(std::memory_order_relaxed) < used_at)
      it->second.usage->last_used.store(used_at, std::memory_order_relaxed);
    out.status = Lookup::Status::found;
    out.scope = it->second.scope;
    return out;
  }
  return out;
}

void TokenCache::refresh(ledger::Store& store) {
  const Clock::time_point as_of = Clock::now();
  std::vector<ledger::ApiToken> rows = store.list_api_tokens();
  auto current = view_.load(std::memory_order_acquire);
  // Two refreshes may overlap (PostgreSQL: store calls interleave): the one that began later knows more.
  if (current && current->as_of > as_of) return;
  std::unordered_map<std::string, std::shared_ptr<Usage>> usages;
  if (current)
    for (const auto& [bucket, e] : current->by_hash) usages.emplace(e.id, e.usage);
  auto next = std::make_shared<View>();
  next->as_of = as_of;
  for (const auto& r : rows) {
    auto hash = from_hex(r.hash);
    auto scope = scope_named(r.scope);
    if (r.revoked_at || !hash || !scope) continue;
    auto usage = usages.count(r.id) ? usages[r.id] : std::make_shared<Usage>();
    if (usage->written == 0 && r.last_used_at) usage->written = *r.last_used_at;
    next->by_hash.emplace(bucket_of(*hash), Entry{*hash, r.id, *scope, std::move(usage)});
  }
  view_.store(next, std::memory_order_release);

  std::vector<ledger::TokenUse> uses;
  std::vector<Usage*> used;
  for (const auto& [bucket, e] : next->by_hash)
    if (int64_t t = e.usage->last_used.load(std::memory_order_relaxed); t > e.usage->written) {
      uses.push_back({e.id, t});
      used.push_back(e.usage.get());
    }
  if (uses.empty()) return;
  store.touch_api_tokens(uses);
  for (size_t i = 0; i < uses.size(); ++i) used[i]->written = std::max(used[i]->written, uses[i].last_used_at);
}

}  // namespace kt::api
