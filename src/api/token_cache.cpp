#include "api/token_cache.hpp"

#include "core/ids.hpp"
#include "core/period.hpp"

namespace kt::api {
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

MintedToken mint_token(const std::string& name, Scope scope) {
  MintedSecret m = mint_secret(kTokenPrefix);
  MintedToken t;
  t.secret = std::move(m.secret);
  t.row.id = new_id("tok_");
  t.row.name = name;
  t.row.scope = scope_name(scope);
  t.row.prefix = std::move(m.prefix);
  t.row.hash = std::move(m.hash);
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
  if (auto scope = view->index.find(sha256(presented), now_unix_seconds())) {
    out.status = Lookup::Status::found;
    out.scope = *scope;
  }
  return out;
}

void TokenCache::refresh(ledger::Store& store) {
  const Clock::time_point as_of = Clock::now();
  std::vector<ledger::ApiToken> rows = store.list_api_tokens();
  auto current = view_.load(std::memory_order_acquire);
  // Two refreshes may overlap (PostgreSQL: store calls interleave): the one that began later knows more.
  if (current && current->as_of > as_of) return;
  std::vector<SecretIndex<Scope>::Row> live;
  for (const auto& r : rows) {
    auto hash = hash_from_hex(r.hash);
    auto scope = scope_named(r.scope);
    if (r.revoked_at || !hash || !scope) continue;
    live.push_back({r.id, *hash, *scope, r.last_used_at});
  }
  auto next = std::make_shared<View>(View{as_of, SecretIndex<Scope>(std::move(live), current ? &current->index : nullptr)});
  view_.store(next, std::memory_order_release);

  auto uses = next->index.unwritten_uses();
  if (uses.empty()) return;
  store.touch_api_tokens(uses);
  next->index.mark_written(uses);
}

}  // namespace kt::api
