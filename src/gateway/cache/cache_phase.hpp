#pragma once
// The response cache phase (after parse, policies and idempotency, before price and limits;
// README "Response cache"). A hit is answered here: nothing priced, limited, reserved or forwarded,
// cost $0, and its decision event records `cache: hit` and `cost_saved`.
#include <optional>
#include <string>

#include "gateway/attempt_writer.hpp"
#include "gateway/cache/response_cache.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/request_context.hpp"
#include "gateway/worker.hpp"

namespace kt::gateway {

// What the phase decided for a request that was not a hit.
struct CacheTicket {
  std::string key;     // set when the answer may be stored
  bool active() const { return !key.empty(); }
};

// Reads Cache-Control (no-store: neither look up nor store; no-cache: store without looking up;
// max-age=N: accept an entry at most N s old) and looks the request up. A hit is copied into
// `hit`; otherwise `ticket` says whether to store the answer. ctx.cache is set (hit, miss, bypass)
// when the cache is on. A malformed max-age is a 400.
std::optional<Rejection> look_up_cache(RequestContext& ctx, const GatewayShared& shared, Worker& w, CacheTicket& ticket,
                                       std::optional<CachedAnswer>& hit);
// Answers from the cache and records the hit's event (cost 0, cost_saved).
boost::asio::awaitable<void> serve_cache_hit(RequestContext& ctx, const GatewayShared& shared, Worker& w,
                                             http::ResponseWriter& res, const CachedAnswer& hit);
// Keeps a complete 200 answer with a known cost for the ticket's key.
void store_in_cache(const RequestContext& ctx, Worker& w, const AttemptWriter& out, const CacheTicket& ticket);

}  // namespace kt::gateway
