// Phase 6 for streams: SSE events pass through as they arrive (only the partial event at the end
// of a read is held). Each chunk is read for the usage and the generated text; the usage-only
// chunk the gateway asked for on the client's behalf is not passed on.
#include <simdjson.h>

#include "core/period.hpp"
#include "gateway/upstream_support.hpp"
#include "http/sse.hpp"

namespace kt::gateway {
namespace sj = simdjson::ondemand;
using namespace std::chrono_literals;
using boost::asio::awaitable;

namespace {

constexpr auto kIdleTimeout = 120s;           // between two upstream reads
constexpr auto kDrainAfterDisconnect = 30s;   // keep reading for the final usage after the client left

// Reads one chunk; returns false when the chunk must not reach the client.
bool inspect_chunk(http::SseEvent& ev, RequestContext& ctx, std::string& completion_text) {
  if (ev.data.empty() || ev.data == "[DONE]") return true;
  thread_local sj::parser parser;
  ev.data.reserve(ev.data.size() + simdjson::SIMDJSON_PADDING);
  bool no_choices = true, has_usage = false;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(ev.data.data(), ev.data.size(), ev.data.capacity()));
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      sj::value v = f.value();
      if (k == "choices" && v.type() == sj::json_type::array) {
        for (auto choice : v.get_array()) {
          no_choices = false;
          for (auto cf : choice.get_object()) {
            if (cf.unescaped_key().value() != "delta") continue;
            for (auto df : cf.value().get_object()) {
              if (df.unescaped_key().value() != "content") continue;
              auto c = df.value();
              if (c.type() == sj::json_type::string) completion_text += c.get_string().value();
            }
          }
        }
      } else if (k == "usage" && v.type() == sj::json_type::object) {
        auto u = providers::parse_openai_usage_object(simdjson::ondemand::object(v.get_object()).raw_json().value());
        if (u) {
          ctx.usage = u;
          has_usage = true;
        }
      }
    }
  } catch (const simdjson::simdjson_error&) {
    return true;  // not ours to judge: pass it on unchanged
  }
  return !(has_usage && no_choices && !ctx.client_wants_usage);
}

}  // namespace

awaitable<void> relay_stream(RequestContext& ctx, const GatewayShared& shared, http::ClientPool& pool,
                             http::ClientRequest req, http::ResponseWriter& res) {
  std::unique_ptr<http::ResponseStream> up;
  std::optional<bool> failed_by_timeout;
  try {
    up = co_await pool.stream(ctx.target->base, std::move(req), std::chrono::milliseconds(ctx.target->config.timeout_ms));
  } catch (const std::exception& e) {
    failed_by_timeout = is_timeout(e);
  }
  if (failed_by_timeout) co_return co_await reply_upstream_failure(ctx, res, *failed_by_timeout);
  ctx.upstream_status = ctx.status = up->status();
  if (up->status() != 200) {
    // An error answer is not a stream: pass it on whole; nothing was served.
    std::string body;
    try {
      body = co_await up->read_all(10s);
    } catch (const std::exception&) {
    }
    ctx.decision = "error";
    ctx.reason = "upstream_status_" + std::to_string(up->status());
    std::string ct(http::find_header(up->headers(), "content-type").value_or("application/json"));
    http::Headers extra{{"X-Kt-Request-Id", ctx.request_id}};
    co_await res.send(up->status(), ct, std::move(body), extra);
    co_return;
  }
  // (Headers are built before co_await: GCC 12 miscompiles braced temporaries in await operands.)
  http::Headers stream_headers{{"Cache-Control", "no-cache"}, {"X-Kt-Request-Id", ctx.request_id}};
  co_await res.start_stream(200, "text/event-stream", stream_headers);
  http::SseParser parser;
  std::string completion_text, out;
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  bool upstream_failed = false;
  for (;;) {
    std::optional<std::string> piece;
    try {
      auto wait = ctx.client_disconnected
                      ? std::chrono::duration_cast<std::chrono::milliseconds>(drain_deadline - std::chrono::steady_clock::now())
                      : std::chrono::duration_cast<std::chrono::milliseconds>(kIdleTimeout);
      if (wait <= 0ms) break;
      piece = co_await up->read_some(wait);
    } catch (const std::exception&) {
      upstream_failed = true;
      break;
    }
    if (!piece) break;
    out.clear();
    for (auto& ev : parser.feed(*piece))
      if (inspect_chunk(ev, ctx, completion_text)) out += ev.raw;
    if (!out.empty() && !ctx.client_disconnected && !co_await res.write_chunk(out)) {
      ctx.client_disconnected = true;
      drain_deadline = std::chrono::steady_clock::now() + kDrainAfterDisconnect;
    }
  }
  if (!ctx.client_disconnected) co_await res.end_stream();
  if (upstream_failed) ctx.warnings.push_back("upstream stream ended abnormally");
  if (ctx.client_disconnected) ctx.warnings.push_back("client disconnected mid-stream");
  if (!ctx.usage) {
    // Billed from what the gateway counted itself: never $0 for a stream the provider served.
    ctx.usage = providers::Usage{ctx.prompt_estimate, count_text_tokens(shared, ctx.model, completion_text)};
    ctx.usage_source = "estimated";
  }
}

}  // namespace kt::gateway
