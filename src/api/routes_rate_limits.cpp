// POST /v1/gateway/rate-grants: gateway workers lease slices of a rate limit's sliding window
// and hand back what they did not use (ledger/rate_grants.hpp, wire/rate_wire.hpp).
#include "api/api_context.hpp"
#include "wire/rate_wire.hpp"
#include "core/period.hpp"

namespace kt::api {

awaitable<void> post_rate_grants(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto batch = wire::decode_rate_batch(req.body, err);
  if (!batch) co_return co_await reply_error(res, err);
  // Returns first: room handed back in the same call is there for the grants.
  auto grants = co_await ctx.store.call([&](ledger::Store& s) {
    s.return_rate(batch->returns);
    return s.grant_rate(batch->grants, now_unix_micros() / 1000);
  });
  co_await reply_json(res, 200, wire::encode_rate_grants(grants));
}

}  // namespace kt::api
