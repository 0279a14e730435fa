// GET /metrics (admin token): the API's own counters, then every wallet's balance and every open
// gateway log's backlog, read from the store in one call (api_metrics.hpp).
#include "api/api_context.hpp"
#include "core/period.hpp"
#include "core/prom_text.hpp"

namespace kt::api {

awaitable<void> get_metrics(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  const int64_t now = now_unix_seconds();
  // Logs closed before now are left out (the page shows the open ones).
  auto state = co_await ctx.store.call([&](ledger::Store& s) { return std::make_pair(s.list_balances(now), s.gateway_logs(now)); });
  std::string text = ctx.metrics ? ctx.metrics->render(state.first, state.second, now) : std::string();
  co_await res.send(200, kPromContentType, std::move(text));
}

}  // namespace kt::api
