#pragma once
// What every API route needs: the store executor, the admin token, the scoped tokens, and reply helpers.
#include <string>

#include "api/api_metrics.hpp"
#include "api/store_executor.hpp"
#include "api/token_cache.hpp"
#include "api/ui_files.hpp"
#include "core/error.hpp"
#include "http/server.hpp"

namespace kt::api {

struct ApiContext {
  StoreExecutor& store;
  std::string admin_token;
  TokenCache& tokens;
  ApiMetrics* metrics = nullptr;
  const UiFiles* ui = nullptr;  // the dashboard (null: /ui/ answers 404)
};

using http::awaitable;

awaitable<void> reply_json(http::ResponseWriter& res, int status, std::string body);
awaitable<void> reply_error(http::ResponseWriter& res, const ApiError& e);

// Route handlers: each parses, validates, calls the store, answers.
awaitable<void> post_model_pricing(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_model_pricing(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_allocate(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_credit(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_balance(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_wallets(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_ledger_ops(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_gateway_log(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_gateway_logs(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_single_ledger_op(ApiContext&, http::Request&, http::ResponseWriter&, const char* op);
awaitable<void> post_consumer_groups(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_rate_grants(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_consumer_groups(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_events(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_events(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_event_explain(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_events_export(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_spend(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_token(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_tokens(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> revoke_token(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_metrics(ApiContext&, http::Request&, http::ResponseWriter&);

// Resolves a team given as a consumer-group name or a wallet team id.
awaitable<std::string> resolve_team(ApiContext&, const std::string& name_or_id);

}  // namespace kt::api
