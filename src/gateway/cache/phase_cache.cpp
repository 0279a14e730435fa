#include <charconv>

#include "core/period.hpp"
#include "gateway/cache/cached_answer_codec.hpp"
#include "gateway/header_list.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

struct CacheControl {
  bool no_store = false, no_cache = false;
  std::optional<int64_t> max_age;
};

// Directives are case-insensitive; unknown ones are ignored (RFC 9111), a malformed max-age is not.
std::optional<CacheControl> parse_cache_control(std::string_view header) {
  using http::iequals;
  CacheControl cc;
  for (std::string_view d : split_header_list(header)) {
    if (iequals(d, "no-store")) cc.no_store = true;
    else if (iequals(d, "no-cache")) cc.no_cache = true;
    else if (d.size() > 8 && iequals(d.substr(0, 8), "max-age=")) {
      std::string_view n = d.substr(8);
      int64_t v = -1;
      auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
      if (ec != std::errc() || end != n.data() + n.size() || v < 0) return std::nullopt;
      cc.max_age = v;
    } else if (iequals(d, "max-age") || iequals(d, "max-age=")) {
      return std::nullopt;
    }
  }
  return cc;
}

}  // namespace

awaitable<std::optional<Rejection>> look_up_cache(RequestContext& ctx, const GatewayShared& shared, Worker& w,
                                                  CacheTicket& ticket, std::optional<CachedAnswer>& hit) {
  if (!w.response_cache || !ctx.group) co_return std::nullopt;
  CacheControl cc;
  if (auto h = ctx.req.header("Cache-Control")) {
    auto parsed = parse_cache_control(*h);
    if (!parsed)
      co_return rejection(bad_request("invalid_cache_control", "Cache-Control max-age must be a whole number of seconds"),
                       "invalid_request");
    cc = *parsed;
  }
  ctx.cache = "bypass";
  if (cc.no_store) co_return std::nullopt;
  auto canonical = canonical_request(ctx.req.body);
  if (!canonical) co_return std::nullopt;
  ticket.key = response_cache_key(ctx.group->wallet_team_id, ctx.route, *canonical);
  if (cc.no_cache) co_return std::nullopt;
  CacheLookup found = co_await w.response_cache->find(ticket.key, now_unix_seconds(), cc.max_age);
  if (found.outcome == CacheLookup::Outcome::unavailable) {  // the store could not say in time: served as usual
    ticket.key.clear();
    co_return std::nullopt;
  }
  ctx.cache = "miss";
  if (found.answer) {
    hit = std::move(found.answer);
    ticket.key.clear();
    ctx.cache = "hit";
    ctx.cost_saved = hit->cost;
    ctx.replay_of = hit->request_id;
    ctx.usage = providers::Usage{};  // served, nothing used: the cost is 0
    ctx.usage_source = "cache";
    ctx.status = hit->status;
    ctx.reason = "cache_hit";
  }
  co_return std::nullopt;
}

awaitable<void> send_cache_hit(RequestContext& ctx, http::ResponseWriter& res, const CachedAnswer& hit) {
  http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}, {"x-kt-cache", "hit"}, {"x-kt-cost-usd", "0"}};
  if (!hit.stream) co_return co_await res.send(hit.status, hit.content_type, hit.body, extra);
  // The SSE bytes the first client received, as one chunk: a stream client reads them as events.
  co_await res.start_stream(hit.status, hit.content_type, extra);
  if (co_await res.write_chunk(hit.body, true)) co_await res.end_stream();
}

void store_in_cache(const RequestContext& ctx, Worker& w, const AttemptWriter& out, const CacheTicket& ticket) {
  // Only an answer the next client may take as its own: a whole 200 with a cost the price book
  // knew, not cut at the reservation nor shortened by a budget clamp.
  if (!ticket.active() || !w.response_cache || ctx.status != 200 || !ctx.cost || !ctx.price) return;
  if (ctx.decision != "allow" || ctx.stream_cut_at_reservation || ctx.max_tokens_clamped || ctx.client_disconnected) return;
  auto rec = out.recorded();
  if (!rec || rec->status != 200 || rec->body.size() > kMaxCachedAnswerBytes) return;
  CachedAnswer a;
  a.status = rec->status;
  a.content_type = std::move(rec->content_type);
  a.body = std::move(rec->body);
  a.stream = ctx.stream;
  a.cost = *ctx.cost;
  a.request_id = ctx.request_id;
  a.stored_at = now_unix_seconds();
  w.response_cache->put(ticket.key, std::move(a));
}

}  // namespace kt::gateway
