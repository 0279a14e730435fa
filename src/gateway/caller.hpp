#pragma once
// Who a request is from, as the head hook found it (left in http::Request::admitted): its consumer
// group and, for a key made through the API (kt keys create), that key's id and its own limits.
#include <memory>
#include <string>

#include "config/gateway_config.hpp"

namespace kt::gateway {

struct ApiKeyGrant {
  std::string id;                  // ck_...: what events and reports name (never the key)
  std::string scope;               // "key:<id>": its rate grants' scope at the API
  config::RateLimits rate_limits;  // the key's own, applied inside its group's (both must fit)
  bool has_budget = false;         // a budget of its own at the API, inside the team's wallet
};

struct Caller {
  const config::ConsumerGroup* group = nullptr;
  std::shared_ptr<const ApiKeyGrant> key;  // null: a key of the config, or the default group
};

}  // namespace kt::gateway
