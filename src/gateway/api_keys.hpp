#pragma once
// Consumer keys made through the API (kt keys create), as every request sees them: a view of the
// live keys' SHA-256 hashes, swapped whole by the sync and read without a lock or a store call.
// The sync (one per gateway, on worker 0) posts the last uses it saw to POST /v1/gateway/keys
// every kSyncEvery and installs the live keys of the answer, so a key revoked at the API stops
// working here within kSyncEvery plus a round trip. When the API cannot be reached the gateway
// keeps the keys it knew (expiry still applies); a key that left the view never comes back in this
// process, whatever a later answer says.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/gateway_config.hpp"
#include "core/secret_index.hpp"
#include "core/string_map.hpp"
#include "gateway/caller.hpp"
#include "gateway/api_link.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

constexpr std::string_view kApiKeyPrefix = "kt_ck_";
inline bool looks_like_api_key(std::string_view key) { return key.starts_with(kApiKeyPrefix); }
constexpr std::string_view kKeyScopePrefix = "key:";  // a key's rate-limit scope: "key:<id>"

class ApiKeyTable {
 public:
  // `groups`: the config's consumer groups, which outlive the table.
  explicit ApiKeyTable(const std::vector<config::ConsumerGroup>& groups) : groups_(groups) {}

  struct Lookup {
    const config::ConsumerGroup* group = nullptr;  // null: refused
    std::shared_ptr<const ApiKeyGrant> key;
    std::string unconfigured_group;                // a live key whose group this gateway's config lacks
  };
  // Any thread. Records the key's use for the next sync.
  Lookup find(std::string_view presented) const;

  // The sync only: installs the API's live keys; returns how many are in force.
  size_t install(const std::vector<ledger::ConsumerKeyRow>& live);
  // Any thread. True for a key's rate-limit scope ("key:<id>", ApiKeyGrant::scope) once the key is
  // revoked or expired: what the workers' rate limiters keep for it can go.
  bool scope_gone(std::string_view scope) const;
  std::vector<SecretUse> unreported_uses() const;
  void mark_reported(const std::vector<SecretUse>& uses) const;

 private:
  struct Info {
    const config::ConsumerGroup* group = nullptr;
    std::shared_ptr<const ApiKeyGrant> key;
    size_t name_index = 0;   // into View::group_names
    int64_t expires_at = 0;  // unix seconds, 0: never
  };
  struct View {
    SecretIndex<Info> index;
    std::vector<std::string> group_names;
    StringMap<int64_t> expiry_by_id;  // unix seconds, 0: never
  };
  const std::vector<config::ConsumerGroup>& groups_;
  std::atomic<std::shared_ptr<const View>> view_{std::make_shared<const View>()};
  std::unordered_set<std::string> dropped_;  // the sync only
};

// Keeps an ApiKeyTable in step with the API (on one worker's io_context).
class ApiKeySync {
 public:
  static constexpr auto kSyncEvery = std::chrono::seconds(2);
  ApiKeySync(boost::asio::io_context& ioc, ApiLink api, std::shared_ptr<ApiKeyTable> table)
      : ioc_(ioc), api_(std::move(api)), table_(std::move(table)) {}
  void start();

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> sync_once();

  boost::asio::io_context& ioc_;
  ApiLink api_;
  std::shared_ptr<ApiKeyTable> table_;
  bool unreachable_ = false;  // logged once per outage
};

}  // namespace kt::gateway
