// Phase 10 for streams: SSE events pass through as they arrive (only the partial event at the end
// of a read is held). The provider's stream translator reads each event for the usage and the
// generated text, drops the usage-only chunk the gateway asked for on the client's behalf, and
// rewrites the events when the client's API differs from the upstream's (Anthropic behind chat).
#include "core/error.hpp"
#include "core/period.hpp"
#include "gateway/budget/stream_budget.hpp"
#include "gateway/pipeline/stream_redact.hpp"
#include "gateway/pipeline/token_counting.hpp"
#include "gateway/pipeline/upstream_support.hpp"
#include "http/sse.hpp"

namespace kt::gateway {
using namespace std::chrono_literals;
using boost::asio::awaitable;

namespace {

constexpr auto kIdleTimeout = 120s;           // between two upstream reads
constexpr auto kDrainAfterDisconnect = 30s;   // keep reading for the final usage after the client left

std::string event_too_large_events() {
  ApiError e{502, "upstream_error", "upstream_event_too_large",
             "the upstream sent a stream event larger than " + std::to_string(http::kMaxPendingEventBytes) +
                 " bytes; the stream was ended"};
  return "data: " + error_envelope(e) + "\n\n";
}

// The last event of a stream the upstream broke off (reset, closed, stalled): without it the
// client would take a cleanly ended stream for a whole answer.
std::string interrupted_events() {
  ApiError e{502, "upstream_error", "upstream_stream_interrupted",
             "the upstream provider's stream broke off before its end; the answer is incomplete"};
  return "data: " + error_envelope(e) + "\n\n";
}

// An answer without a Content-Type is read as the stream that was asked for.
bool is_event_stream(const http::Headers& headers) {
  auto type = http::find_header(headers, "content-type");
  constexpr std::string_view sse = "text/event-stream";
  return !type || (type->size() >= sse.size() && http::iequals(type->substr(0, sse.size()), sse));
}

}  // namespace

awaitable<void> relay_stream(RequestContext& ctx, const GatewayShared& shared, http::ClientPool& pool,
                             http::ClientRequest req, http::ResponseWriter& res, http::Headers head) {
  std::unique_ptr<http::ResponseStream> up;
  std::optional<std::string> failure;
  try {
    up = co_await pool.stream(ctx.target->base, std::move(req), std::chrono::milliseconds(ctx.target->config.timeout_ms));
  } catch (const std::exception& e) {
    failure = upstream_failure_code(e);
  }
  if (failure) co_return co_await reply_upstream_failure(ctx, res, *failure);
  ctx.upstream_status = ctx.status = up->status();
  if (up->status() != 200) {
    // An error answer is not a stream: pass it on whole; nothing was served.
    std::string body;
    try {
      body = co_await up->read_all(10s);
    } catch (const std::exception&) {
    }
    co_return co_await pass_on_upstream_error(ctx, res, up->status(), up->headers(), std::move(body));
  }
  if (!is_event_stream(up->headers())) {
    // A 200 that says it is something else (a web page where the API should be) is no answer:
    // dropped unread (its connection with it); nothing was served.
    co_return co_await reply_upstream_failure(ctx, res, "upstream_invalid_response");
  }
  co_await res.start_stream(200, "text/event-stream", head);
  http::SseParser parser;
  // The provider's translator: passes events on (or rewrites them), reads usage and text.
  auto translator = ctx.provider->stream_translator(route_info(ctx));
  std::string out, events;
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  bool upstream_failed = false, cut = false;
  StreamBudget budget(ctx, shared);
  // Redact policies filter the answer too (every text route: its text fields).
  StreamRedaction redaction(ctx.route_kind, ctx.output_redactors);
  bool head_out = false, ended = false;  // ended: the last chunk went out with the last events
  while (!cut) {
    // The head waits for the first events (one write for a short stream), unless the upstream
    // has nothing at hand yet: then the client sees the head now.
    if (!head_out && !up->buffered()) {
      co_await res.flush();
      head_out = true;
    }
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
    auto completed = parser.feed(*piece);
    for (auto& ev : completed) {
      size_t before = translator->text().size();
      events.clear();
      translator->on_event(ev, events);
      // Output the client does not see (a translated stream's thinking or tool input) counts too.
      bool counted = translator->text().size() > before;
      if (events.empty() && !counted) continue;
      if (counted && budget.exceeded_by(std::string_view(translator->text()).substr(before))) {
        cut = true;  // this event would pass the reservation: end the stream before it
        out += StreamBudget::cut_events();
        StreamBudget::record_cut(ctx);
        break;
      }
      if (redaction.active()) redaction.on_events(events);
      out += events;
    }
    if (parser.overflowed() && !cut) {
      // An event past the parser's bound: the upstream is failing. The client gets an error event
      // and the end of the stream; the request is billed at what was seen.
      upstream_failed = cut = true;
      out += event_too_large_events();
      ctx.decision = "error";
      ctx.reason = "upstream_event_too_large";
    }
    bool last = cut || up->done();
    if (ctx.client_disconnected || (out.empty() && !last)) continue;
    head_out = true;
    ended = last;
    if (ctx.first_token_us == 0 && !out.empty()) ctx.first_token_us = metrics::mono_us() - ctx.started_mono_us;
    if (!co_await res.write_chunk(out, last)) {
      ctx.client_disconnected = true;
      drain_deadline = std::chrono::steady_clock::now() + kDrainAfterDisconnect;
    }
  }
  if (upstream_failed && !cut) {
    // Billed at what was seen (below); the client is told the answer is incomplete.
    ctx.decision = "error";
    ctx.reason = "upstream_stream_interrupted";
    if (!ctx.client_disconnected && !ended) {
      ended = true;
      co_await res.write_chunk(interrupted_events(), true);
    }
  }
  if (!ctx.client_disconnected && !ended) co_await res.end_stream();
  if (redaction.active()) ctx.output_redactions = redaction.matched();
  if (upstream_failed) ctx.warnings.push_back("upstream stream ended abnormally");
  if (ctx.client_disconnected) ctx.warnings.push_back("client disconnected mid-stream");
  if (!ctx.stream_cut_at_reservation && translator->usage()) ctx.usage = translator->usage();
  if (!ctx.usage) {
    // Billed from what the gateway counted itself: never $0 for a stream the provider served.
    ctx.usage = providers::Usage{ctx.prompt_estimate, count_text_tokens(shared, ctx.model, translator->text())};
    ctx.usage_source = "estimated";
  }
}

}  // namespace kt::gateway
