#include "mock_routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "chat_reply.hpp"
#include "provider_replies.hpp"
#include "core/json_writer.hpp"

namespace kt::mock {
namespace {

namespace net = boost::asio;
using http::awaitable;
using http::Request;
using http::ResponseWriter;

constexpr std::string_view kJson = "application/json";
constexpr size_t kCoalesceBytes = 16 * 1024;  // stream events written together when not paced

awaitable<void> sleep_ms(int64_t ms) {
  if (ms <= 0) co_return;
  net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(net::use_awaitable);
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

awaitable<void> send_error(ResponseWriter& w, int status, std::string_view message) {
  std::string_view type = status >= 500 ? "server_error" : "invalid_request_error";
  co_await w.send(status, kJson, openai_error(message, type));
}

// The part of the path from "/v1/" on ("/sse/v1/chat/completions" -> "/v1/chat/completions").
std::string_view openai_route(std::string_view path) {
  if (path.starts_with("/v1/") || path == "/v1") return path;
  auto pos = path.find("/v1/");
  return pos == std::string_view::npos ? std::string_view{} : path.substr(pos);
}

// Directive-driven failures shared by all POST routes; true when the request has been answered.
// A `drop` for a whole JSON reply closes the connection without an answer.
awaitable<bool> apply_failures(MockState& state, const Directives& d, ResponseWriter& w, bool streaming) {
  co_await sleep_ms(d.delay_ms);
  if (d.garbage) throw http::AbortConnection("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\x01\x02 not an HTTP answer\r\n\r\n");
  if (d.html_status) {
    co_await w.send(*d.html_status, "text/html",
                    "<html><head><title>" + std::to_string(*d.html_status) + "</title></head><body><h1>" +
                        std::to_string(*d.html_status) + " Bad Gateway</h1><hr><center>nginx</center></body></html>\n");
    co_return true;
  }
  if (d.fail_times > 0 && state.should_fail(d.fail_key, d.fail_times)) {
    co_await send_error(w, 500, "mock failure for key " + d.fail_key);
    co_return true;
  }
  if (d.status && *d.status != 200) {
    co_await send_error(w, *d.status, "mock status " + std::to_string(*d.status));
    co_return true;
  }
  if (d.drop && !streaming) throw http::AbortConnection();
  if (d.reset_after && !streaming) throw http::AbortConnection("", true);
  co_return false;
}

// A whole 200 JSON answer, or the broken one a directive asks for.
awaitable<void> send_reply(ResponseWriter& w, const Directives& d, std::string body) {
  if (d.short_body) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    throw http::AbortConnection(head + body.substr(0, body.size() / 2));
  }
  if (d.truncated_json) body.resize(body.size() / 2);
  co_await w.send(200, kJson, std::move(body));
}

awaitable<void> write_stream(const ChatRequest& req, const std::vector<std::string>& events, ResponseWriter& w) {
  http::Headers headers;
  headers.emplace_back("Cache-Control", "no-cache");
  co_await w.start_stream(200, "text/event-stream", headers);
  const auto& d = req.directives;
  if (d.reset_after) {  // N events, each in its own write, then a reset
    for (size_t i = 0; i < size_t(*d.reset_after) && i < events.size(); ++i) {
      if (!co_await w.write_chunk(events[i])) co_return;
      co_await sleep_ms(d.chunk_delay_ms);
    }
    throw http::AbortConnection("", true);
  }
  if (d.drop) {  // two chunks, then the connection goes away without the terminating chunk
    for (size_t i = 0; i < 2 && i < events.size(); ++i) {
      if (!co_await w.write_chunk(events[i])) co_return;
      co_await sleep_ms(d.chunk_delay_ms);
    }
    throw http::AbortConnection();
  }
  if (d.chunk_delay_ms > 0) {
    for (size_t i = 0; i < events.size(); ++i) {
      if (i > 0) co_await sleep_ms(d.chunk_delay_ms);
      if (!co_await w.write_chunk(events[i])) co_return;
    }
  } else {
    std::string batch;
    for (const auto& e : events) {
      batch += e;
      if (batch.size() >= kCoalesceBytes) {
        if (!co_await w.write_chunk(batch)) co_return;
        batch.clear();
      }
    }
    if (!batch.empty() && !co_await w.write_chunk(batch)) co_return;
  }
  co_await w.end_stream();
}

awaitable<void> chat(MockState& state, Request& req, ResponseWriter& w) {
  state.count_chat();
  auto parsed = parse_chat_request(req.body);
  if (!parsed.request) {
    co_await send_error(w, 400, parsed.error);
    co_return;
  }
  const ChatRequest& chat_req = *parsed.request;
  if (chat_req.stream) state.count_stream();
  if (co_await apply_failures(state, chat_req.directives, w, chat_req.stream)) co_return;
  ChatPlan plan = plan_chat(chat_req);
  StreamIds ids{"chatcmpl-mock-" + std::to_string(state.next_id()), unix_now(), chat_req.model,
                chat_req.stream && chat_req.include_usage};
  if (!chat_req.stream) {
    co_await send_reply(w, chat_req.directives, chat_completion_json(chat_req, plan, ids));
    co_return;
  }
  co_await write_stream(chat_req, chat_stream_events(chat_req, plan, ids), w);
}

awaitable<void> completion(MockState& state, Request& req, ResponseWriter& w) {
  std::string error;
  auto parsed = parse_completion_request(req.body, error);
  if (!parsed) {
    co_await send_error(w, 400, error);
    co_return;
  }
  if (co_await apply_failures(state, parsed->directives, w, false)) co_return;
  ChatRequest as_chat;  // the same deterministic rules as chat, with the prompt as one user message
  as_chat.model = parsed->model;
  as_chat.messages.push_back({"user", parsed->prompt});
  as_chat.max_tokens = parsed->max_tokens;
  as_chat.directives = parsed->directives;
  ChatPlan plan = plan_chat(as_chat);
  StreamIds ids{"cmpl-mock-" + std::to_string(state.next_id()), unix_now(), parsed->model, false};
  co_await send_reply(w, parsed->directives, text_completion_json(*parsed, plan, ids));
}

awaitable<void> embeddings(MockState& state, Request& req, ResponseWriter& w) {
  state.count_embedding();
  std::string error;
  auto parsed = parse_embedding_request(req.body, error);
  if (!parsed) {
    co_await send_error(w, 400, error);
    co_return;
  }
  if (co_await apply_failures(state, parsed->directives, w, false)) co_return;
  int64_t tokens = 0;
  JsonWriter out;
  out.begin_object().field("object", "list").key("data").begin_array();
  for (size_t i = 0; i < parsed->inputs.size(); ++i) {
    tokens += static_cast<int64_t>(count_words(parsed->inputs[i])) + 1;
    out.begin_object().field("object", "embedding").field("index", static_cast<int64_t>(i));
    out.key("embedding").begin_array().raw("0.0").raw("0.1").raw("0.2").end_array().end_object();
  }
  out.end_array().field("model", parsed->model);
  if (parsed->directives.prompt_tokens) tokens = *parsed->directives.prompt_tokens;
  out.key("usage").begin_object().field("prompt_tokens", tokens).field("total_tokens", tokens).end_object();
  out.end_object();
  co_await send_reply(w, parsed->directives, out.take());
}

// Anthropic's Messages API: x-api-key and anthropic-version are required, as upstream.
awaitable<void> messages(MockState& state, Request& req, ResponseWriter& w) {
  state.count_chat();
  if (req.header("x-api-key").value_or("").empty()) {
    co_await w.send(401, kJson, anthropic_error("x-api-key header is required", "authentication_error"));
    co_return;
  }
  if (!req.header("anthropic-version")) {
    co_await w.send(400, kJson, anthropic_error("anthropic-version: header is required", "invalid_request_error"));
    co_return;
  }
  auto parsed = parse_messages_request(req.body);
  if (!parsed.request) {
    co_await w.send(400, kJson, anthropic_error(parsed.error, "invalid_request_error"));
    co_return;
  }
  const ChatRequest& msg_req = *parsed.request;
  if (msg_req.stream) state.count_stream();
  if (co_await apply_failures(state, msg_req.directives, w, msg_req.stream)) co_return;
  ChatPlan plan = plan_chat(msg_req);
  std::string id = "msg_mock_" + std::to_string(state.next_id());
  if (!msg_req.stream) co_return co_await send_reply(w, msg_req.directives, messages_json(msg_req, plan, id));
  co_await write_stream(msg_req, messages_stream_events(msg_req, plan, id), w);
}

awaitable<void> responses(MockState& state, Request& req, ResponseWriter& w) {
  state.count_chat();
  auto parsed = parse_responses_request(req.body);
  if (!parsed.request) {
    co_await send_error(w, 400, parsed.error);
    co_return;
  }
  const ChatRequest& r = *parsed.request;
  if (r.stream) state.count_stream();
  if (co_await apply_failures(state, r.directives, w, r.stream)) co_return;
  ChatPlan plan = plan_chat(r);
  StreamIds ids{"resp_mock_" + std::to_string(state.next_id()), unix_now(), r.model, false};
  if (!r.stream) co_return co_await send_reply(w, r.directives, responses_json(r, plan, ids));
  co_await write_stream(r, responses_stream_events(r, plan, ids), w);
}

// Azure OpenAI: /openai/deployments/{deployment}/{chat/completions|completions|embeddings}
// ?api-version=..., key in an api-key header; the OpenAI routes answer. The deployment is
// remembered in /_mock/last's path for tests to check.
awaitable<bool> azure(MockState& state, Request& req, ResponseWriter& w) {
  constexpr std::string_view prefix = "/openai/deployments/";
  std::string_view path = req.path();
  if (!path.starts_with(prefix)) co_return false;
  state.count_hit();
  state.remember(req);
  std::string_view rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  std::string_view op = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (req.header("api-key").value_or("").empty() || req.header("authorization")) {
    co_await send_error(w, 401, "Access denied due to invalid subscription key or wrong API endpoint.");
  } else if (!req.query("api-version")) {
    co_await send_error(w, 404, "Resource not found (missing api-version)");
  } else if (req.method == "POST" && op == "/chat/completions") {
    co_await chat(state, req, w);
  } else if (req.method == "POST" && op == "/completions") {
    co_await completion(state, req, w);
  } else if (req.method == "POST" && op == "/embeddings") {
    co_await embeddings(state, req, w);
  } else {
    co_await send_error(w, 404, "Resource not found");
  }
  co_return true;
}

awaitable<void> models(ResponseWriter& w) {
  JsonWriter out;
  out.begin_object().field("object", "list").key("data").begin_array();
  for (const char* id : {"gpt-4o-mini", "gpt-4o"})
    out.begin_object().field("id", id).field("object", "model").field("created", 1700000000).field("owned_by", "mock").end_object();
  out.end_array().end_object();
  co_await w.send(200, kJson, out.take());
}

awaitable<void> route(MockState& state, Request& req, ResponseWriter& w) {
  std::string_view path = req.path();
  if (path == "/health" || path.ends_with("/health")) {
    co_await w.send(200, kJson, R"({"status":"ok"})");
    co_return;
  }
  if (path.ends_with("/_mock/stats") && req.method == "GET") {
    co_await w.send(200, kJson, state.stats_json());
    co_return;
  }
  if (path.ends_with("/_mock/reset") && req.method == "POST") {
    state.reset();
    co_await w.send(200, kJson, R"({"reset":true})");
    co_return;
  }
  if (path.ends_with("/_mock/last") && req.method == "GET") {
    co_await w.send(200, kJson, state.last_json());
    co_return;
  }
  if (co_await azure(state, req, w)) co_return;
  std::string_view api = openai_route(path);
  if (api.empty()) {
    co_await send_error(w, 404, "no route for " + std::string(path));
    co_return;
  }
  state.count_hit();
  state.remember(req);
  if (req.method == "POST" && api == "/v1/chat/completions") co_await chat(state, req, w);
  else if (req.method == "POST" && api == "/v1/completions") co_await completion(state, req, w);
  else if (req.method == "POST" && api == "/v1/embeddings") co_await embeddings(state, req, w);
  else if (req.method == "POST" && api == "/v1/messages") co_await messages(state, req, w);
  else if (req.method == "POST" && api == "/v1/responses") co_await responses(state, req, w);
  else if (req.method == "GET" && api == "/v1/models") co_await models(w);
  else co_await send_error(w, 404, "Invalid URL (" + req.method + " " + std::string(api) + ")");
}

}  // namespace

http::Handler make_handler(MockState& state) {
  return [&state](Request& req, ResponseWriter& w) -> awaitable<void> { co_await route(state, req, w); };
}

}  // namespace kt::mock
