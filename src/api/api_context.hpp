#pragma once
// What every API route needs: the store executor, the admin token, the scoped tokens, and reply helpers.
#include <string>
#include <vector>

#include "api/api_metrics.hpp"
#include "api/store_executor.hpp"
#include "api/token_cache.hpp"
#include "api/ui_files.hpp"
#include "core/error.hpp"
#include "core/json_writer.hpp"
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
awaitable<void> post_key(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_keys(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> revoke_key(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> rotate_key(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> post_gateway_keys(ApiContext&, http::Request&, http::ResponseWriter&);
awaitable<void> get_metrics(ApiContext&, http::Request&, http::ResponseWriter&);

// A time field as RFC 3339, or null.
void write_time(JsonWriter& w, const char* key, std::optional<int64_t> unix_seconds);

// {"<key>":[{row}, ...]} written by `write_row(w, row)`; with a null key, the first row alone.
template <class Row, class WriteRow>
std::string rows_json(const char* key, const std::vector<Row>& rows, WriteRow write_row) {
  JsonWriter w;
  if (key) w.begin_object().key(key).begin_array();
  for (const auto& r : rows) {
    w.begin_object();
    write_row(w, r);
    w.end_object();
    if (!key) break;
  }
  if (key) w.end_array().end_object();
  return w.take();
}

// Resolves a team given as a consumer-group name or a wallet team id.
awaitable<std::string> resolve_team(ApiContext&, const std::string& name_or_id);

}  // namespace kt::api
