// content_filter (src/policies) as the gateway runs it: all four categories compiled into one
// matcher, evaluate() over a request's message texts.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "policies/content_filter/content_filter.hpp"

namespace {

using kt::policies::ContentFilter;
using kt::policies::PolicyInput;

const ContentFilter& filter() {
  static const ContentFilter f(ContentFilter::Options{"content-filter", "flag", {"hate", "violence", "sexual", "self_harm"}, "medium"});
  return f;
}

void run(benchmark::State& state, std::vector<std::string_view> texts, bool expect_trigger) {
  PolicyInput input{std::move(texts)};
  int64_t bytes = 0;
  for (auto t : input.texts) bytes += int64_t(t.size());
  for (auto _ : state) {
    auto verdict = filter().evaluate(input);
    if (verdict.triggered != expect_trigger) state.SkipWithError("unexpected verdict");
    benchmark::DoNotOptimize(verdict);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * bytes);
}

// The harness-style request: system + user message, ~1 KB, nothing to flag.
void BM_ContentFilter_ChatRequest(benchmark::State& state) {
  run(state, {kt::bench::system_prompt(), kt::bench::user_prompt()}, false);
}
// ~8 KB of technical prose with near-misses ("kill the process", "shoot an email").
void BM_ContentFilter_Long8K(benchmark::State& state) {
  run(state, {kt::bench::system_prompt(), kt::bench::long_clean_prompt()}, false);
}
// Terms of two categories: the verdict lists categories and matches.
void BM_ContentFilter_Flagged(benchmark::State& state) {
  run(state, {kt::bench::system_prompt(), kt::bench::flagged_prompt()}, true);
}

}  // namespace

BENCHMARK(BM_ContentFilter_ChatRequest);
BENCHMARK(BM_ContentFilter_Long8K);
BENCHMARK(BM_ContentFilter_Flagged);
