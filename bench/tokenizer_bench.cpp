// Tokenizer throughput (kt_tokenizer, tiktoken-compatible BPE). With KT_TOKENIZER_CORPUS pointing
// at the corpus bench/tokenizer_compare.mjs encodes with npm tiktoken@1.0.22 (wasm), the two are
// compared on the same text in the same run (bench/run.sh does this): both report the token count
// and an FNV-1a digest of the ids, which must be equal.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

#include "bench_data.hpp"
#include "tokenizer/tokenizer.hpp"

namespace {

using kt::tokenizer::Encoding;

// nullptr when the rank files are missing (run scripts/fetch-tokenizer-data.sh).
const Encoding* encoding(const std::string& name) {
  static std::map<std::string, std::shared_ptr<const Encoding>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    std::shared_ptr<const Encoding> enc;
    try {
      enc = Encoding::load(name, kt::tokenizer::default_data_dir());
    } catch (const std::exception&) {
    }
    it = cache.emplace(name, enc).first;
  }
  return it->second.get();
}

uint64_t digest(const std::vector<uint32_t>& ids) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t id : ids)
    for (int s = 0; s < 32; s += 8) {
      h ^= (id >> s) & 0xFF;
      h *= 0x100000001b3ull;
    }
  return h;
}

// encode(): ids out, like tiktoken's encode_ordinary. items/s = tokens/s.
void BM_TokenizerEncode(benchmark::State& state, const char* name) {
  const Encoding* enc = encoding(name);
  if (!enc) return state.SkipWithError("tokenizer rank files missing: run scripts/fetch-tokenizer-data.sh");
  const std::string& text = kt::bench::tokenizer_corpus();
  const auto ids = enc->encode(text);
  for (auto _ : state) {
    auto again = enc->encode(text);
    benchmark::DoNotOptimize(again.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(ids.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["tokens"] = double(ids.size());
  char label[64];
  std::snprintf(label, sizeof label, "digest %016llx", static_cast<unsigned long long>(digest(ids)));
  state.SetLabel(label);
}

// count(): what the gateway calls for a prompt estimate (no id vector).
void BM_TokenizerCount(benchmark::State& state, const char* name) {
  const Encoding* enc = encoding(name);
  if (!enc) return state.SkipWithError("tokenizer rank files missing: run scripts/fetch-tokenizer-data.sh");
  const std::string& text = kt::bench::tokenizer_corpus();
  size_t n = enc->count(text);
  for (auto _ : state) benchmark::DoNotOptimize(enc->count(text));
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n));
}

// The request path: the chat prompt estimate of the ~1.1 KB harness-style request.
void BM_ChatPromptCount(benchmark::State& state) {
  const Encoding* enc = encoding("o200k_base");
  if (!enc) return state.SkipWithError("tokenizer rank files missing: run scripts/fetch-tokenizer-data.sh");
  std::vector<kt::tokenizer::ChatMessageView> msgs{{"system", kt::bench::system_prompt(), {}},
                                                   {"user", kt::bench::user_prompt(), {}}};
  size_t n = kt::tokenizer::count_chat_prompt(*enc, msgs);
  for (auto _ : state) benchmark::DoNotOptimize(kt::tokenizer::count_chat_prompt(*enc, msgs));
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n));
  state.counters["tokens"] = double(n);
}

// The same request with the worker's count cache: its system prompt and user message were seen
// before (a client resending them), so each is hashed, not counted.
void BM_ChatPromptCount_Cached(benchmark::State& state) {
  const Encoding* enc = encoding("o200k_base");
  if (!enc) return state.SkipWithError("tokenizer rank files missing: run scripts/fetch-tokenizer-data.sh");
  std::vector<kt::tokenizer::ChatMessageView> msgs{{"system", kt::bench::system_prompt(), {}},
                                                   {"user", kt::bench::user_prompt(), {}}};
  kt::tokenizer::CountCache cache;
  size_t n = kt::tokenizer::count_chat_prompt(*enc, msgs, &cache);
  for (auto _ : state) benchmark::DoNotOptimize(kt::tokenizer::count_chat_prompt(*enc, msgs, &cache));
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n));
  state.counters["tokens"] = double(n);
}

}  // namespace

BENCHMARK_CAPTURE(BM_TokenizerEncode, o200k_base, "o200k_base")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TokenizerEncode, cl100k_base, "cl100k_base")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TokenizerCount, o200k_base, "o200k_base")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChatPromptCount);
BENCHMARK(BM_ChatPromptCount_Cached);
