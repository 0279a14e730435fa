#include "gateway/api_keys.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/period.hpp"
#include "wire/key_wire.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

ApiKeyTable::Lookup ApiKeyTable::find(std::string_view presented) const {
  Lookup out;
  auto view = view_.load(std::memory_order_acquire);
  const int64_t now = now_unix_seconds();
  auto info = view->index.find(sha256(presented), now);
  if (!info || (info->expires_at && info->expires_at <= now)) return out;
  if (!info->group) out.unconfigured_group = view->group_names[info->name_index];
  out.group = info->group;
  out.key = info->key;
  return out;
}

size_t ApiKeyTable::install(const std::vector<ledger::ConsumerKeyRow>& live) {
  auto current = view_.load(std::memory_order_acquire);
  std::unordered_set<std::string> listed;
  for (const auto& k : live) listed.insert(k.id);
  // Revoked or expired at the API: gone for good here, even if an answer from a lagging replica
  // listed it again.
  for (const auto& id : current->index.ids())
    if (!listed.count(id)) dropped_.insert(id);
  auto next = std::make_shared<View>();
  std::vector<SecretIndex<Info>::Row> rows;
  for (const auto& k : live) {
    auto hash = hash_from_hex(k.hash);
    if (!hash || dropped_.count(k.id)) continue;
    Info info;
    for (const auto& g : groups_)
      if (g.name == k.group && !g.is_default()) info.group = &g;
    info.name_index = next->group_names.size();
    next->group_names.push_back(k.group);
    info.expires_at = k.expires_at.value_or(0);
    next->expiry_by_id.emplace(k.id, info.expires_at);
    config::RateLimits limits;
    limits.requests_per_minute = k.rate_limits.requests_per_minute;
    limits.tokens_per_minute = k.rate_limits.tokens_per_minute;
    limits.tokens_per_day = k.rate_limits.tokens_per_day;
    if (info.group) limits.response_headers = info.group->rate_limits.response_headers;
    info.key = std::make_shared<const ApiKeyGrant>(ApiKeyGrant{k.id, std::string(kKeyScopePrefix) + k.id, std::move(limits), k.budget.has_value()});
    rows.push_back({k.id, *hash, info, std::nullopt});
  }
  next->index = SecretIndex<Info>(std::move(rows), &current->index);
  const size_t n = next->index.size();
  view_.store(std::move(next), std::memory_order_release);
  return n;
}

bool ApiKeyTable::scope_gone(std::string_view scope) const {
  if (!scope.starts_with(kKeyScopePrefix)) return false;
  // A config group may be named like a key's scope (names are free): its limits are never dropped.
  for (const auto& g : groups_)
    if (g.name == scope) return false;
  auto view = view_.load(std::memory_order_acquire);
  auto it = view->expiry_by_id.find(scope.substr(kKeyScopePrefix.size()));
  return it == view->expiry_by_id.end() || (it->second && it->second <= now_unix_seconds());
}

std::vector<SecretUse> ApiKeyTable::unreported_uses() const { return view_.load(std::memory_order_acquire)->index.unwritten_uses(); }

void ApiKeyTable::mark_reported(const std::vector<SecretUse>& uses) const {
  view_.load(std::memory_order_acquire)->index.mark_written(uses);
}

void ApiKeySync::start() { asio::co_spawn(ioc_, loop(), asio::detached); }

asio::awaitable<void> ApiKeySync::loop() {
  asio::steady_timer t(ioc_);
  for (;;) {
    co_await sync_once();
    t.expires_after(kSyncEvery);
    co_await t.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> ApiKeySync::sync_once() {
  auto uses = table_->unreported_uses();
  try {
    auto resp = co_await api_.pool->request(api_.url, api_.make("POST", "/v1/gateway/keys", wire::encode_key_uses(uses)), 3000ms);
    auto live = resp.status == 200 ? wire::decode_live_keys(resp.body) : std::nullopt;
    if (!live) {
      if (!unreachable_) spdlog::warn("syncing consumer keys with the API failed (HTTP {}); keeping the keys known", resp.status);
      unreachable_ = true;
      co_return;
    }
    table_->mark_reported(uses);
    table_->install(*live);
    if (unreachable_) spdlog::info("consumer keys are in sync with the API again");
    unreachable_ = false;
  } catch (const std::exception& e) {
    if (!unreachable_) spdlog::warn("the API cannot be reached to sync consumer keys ({}); keeping the keys known", e.what());
    unreachable_ = true;
  }
}

}  // namespace kt::gateway
