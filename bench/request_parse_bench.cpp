// Request parse and rewrite: the gateway's own phase functions (phases.hpp, upstream_support.hpp)
// on ~1.1 KB chat bodies. Each iteration starts from a fresh request, as a real one does.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "core/json_duplicate_keys.hpp"
#include "gateway/pipeline/phases.hpp"
#include "gateway/pipeline/upstream_support.hpp"

namespace {

using kt::gateway::RequestContext;

void run_parse(benchmark::State& state, const std::string& body) {
  kt::http::Request req;
  req.method = "POST";
  req.target = "/v1/chat/completions";
  for (auto _ : state) {
    req.body.assign(body);  // the server hands the phase a body it owns
    RequestContext ctx(req);
    auto rejected = kt::gateway::parse_chat_request(ctx);
    if (rejected) state.SkipWithError(rejected->body.c_str());
    benchmark::DoNotOptimize(ctx.messages.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

void BM_ParseChatRequest_Json(benchmark::State& state) { run_parse(state, kt::bench::chat_body()); }
void BM_ParseChatRequest_Stream(benchmark::State& state) { run_parse(state, kt::bench::chat_stream_body()); }

// Phase 2 as the pipeline runs it (parse_route_request: every check of the body, then the chat
// parser) on a typical ~2.5 KB multi-turn body with a tool call.
void BM_ParseRouteRequest_Chat2_5KB(benchmark::State& state) {
  const std::string& body = kt::bench::chat_body_2_5kb();
  kt::http::Request req;
  req.method = "POST";
  req.target = "/v1/chat/completions";
  for (auto _ : state) {
    req.body.assign(body);
    RequestContext ctx(req);
    auto rejected = kt::gateway::parse_route_request(ctx);
    if (rejected) state.SkipWithError(rejected->body.c_str());
    benchmark::DoNotOptimize(ctx.messages.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

// Parse + the upstream body: the stream_options injection when the client did not ask for usage.
void run_rewrite(benchmark::State& state, const std::string& body) {
  kt::http::Request req;
  for (auto _ : state) {
    req.body.assign(body);
    RequestContext ctx(req);
    if (kt::gateway::parse_chat_request(ctx)) state.SkipWithError("parse failed");
    std::string upstream = kt::gateway::upstream_body(ctx);
    benchmark::DoNotOptimize(upstream.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

// The body is forwarded as received (include_usage already there): the baseline for the two below.
void BM_ParseAndUpstreamBody_Unchanged(benchmark::State& state) { run_rewrite(state, kt::bench::chat_stream_body()); }
// No stream_options: one member inserted after the first brace.
void BM_ParseAndUpstreamBody_InjectUsage(benchmark::State& state) {
  run_rewrite(state, kt::bench::chat_stream_body_no_options());
}
// stream_options without include_usage: Boost.JSON parse + serialise of the whole body (rare path).
void BM_ParseAndUpstreamBody_Reserialise(benchmark::State& state) {
  run_rewrite(state, kt::bench::chat_stream_body_other_options());
}

}  // namespace

BENCHMARK(BM_ParseChatRequest_Json);
BENCHMARK(BM_ParseChatRequest_Stream);
BENCHMARK(BM_ParseRouteRequest_Chat2_5KB);
BENCHMARK(BM_ParseAndUpstreamBody_Unchanged);
BENCHMARK(BM_ParseAndUpstreamBody_InjectUsage);
BENCHMARK(BM_ParseAndUpstreamBody_Reserialise);

namespace {
// The duplicate-key check alone (core/json_duplicate_keys.hpp), the part of phase 2 every route pays.
void BM_CheckJsonKeys_Chat2_5KB(benchmark::State& state) {
  const std::string& body = kt::bench::chat_body_2_5kb();
  for (auto _ : state) {
    auto r = kt::check_json_keys(body);
    if (!r.ok()) state.SkipWithError("unexpected duplicate");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
  state.counters["body_bytes"] = double(body.size());
}
}  // namespace
BENCHMARK(BM_CheckJsonKeys_Chat2_5KB);
