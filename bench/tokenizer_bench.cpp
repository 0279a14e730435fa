// Encode throughput of kt_tokenizer on ~1 MiB of mixed English text, comparable with
// bench/tokenizer_compare.mjs (OpenAI's tiktoken compiled to wasm) on the same corpus: both print
// the token count and an FNV-1a digest of the ids, which must be equal.
//
// Build (from the repository root, no bench/CMakeLists.txt needed):
//   g++ -std=c++20 -O2 -DNDEBUG -Isrc bench/tokenizer_bench.cpp build-<you>/src/tokenizer/libkt_tokenizer.a \
//       build-<you>/src/core/libkt_core.a -lpcre2-8 -pthread -o /tmp/tokenizer_bench
// Run: /tmp/tokenizer_bench [corpus.txt] [data_dir]
//   (the default corpus /tmp/kt-tokenizer-corpus.txt is written by bench/tokenizer_compare.mjs)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
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

}  // namespace

int main(int argc, char** argv) {
  const std::string corpus_path = argc > 1 ? argv[1] : "/tmp/kt-tokenizer-corpus.txt";
  const std::string data_dir = argc > 2 ? argv[2] : kt::tokenizer::default_data_dir();
  std::ifstream in(corpus_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (run bench/tokenizer_compare.mjs once to build it)\n", corpus_path.c_str());
    return 1;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::printf("corpus %s: %zu bytes\n", corpus_path.c_str(), text.size());

  const int iterations = 5;
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    const auto load_start = Clock::now();
    const auto enc = kt::tokenizer::Encoding::load(name, data_dir);
    const double load_ms = seconds_since(load_start) * 1000;

    const std::vector<uint32_t> ids = enc->encode(text);  // warm-up
    std::vector<double> encode_s, count_s;
    for (int i = 0; i < iterations; ++i) {
      auto t0 = Clock::now();
      const auto again = enc->encode(text);
      encode_s.push_back(seconds_since(t0));
      if (again.size() != ids.size()) return 2;
      t0 = Clock::now();
      const size_t n = enc->count(text);
      count_s.push_back(seconds_since(t0));
      if (n != ids.size()) return 3;
    }
    std::sort(encode_s.begin(), encode_s.end());
    std::sort(count_s.begin(), count_s.end());
    const double median = encode_s[iterations / 2], best = encode_s[0], count_median = count_s[iterations / 2];
    std::printf(
        "kt_tokenizer %s: %zu tokens, digest %016llx, load %.1f ms, encode median %.2f M tokens/s "
        "(best %.2f, %.1f MB/s), count median %.2f M tokens/s\n",
        name, ids.size(), static_cast<unsigned long long>(digest(ids)), load_ms, ids.size() / median / 1e6,
        ids.size() / best / 1e6, text.size() / median / 1e6, ids.size() / count_median / 1e6);
  }
  return 0;
}
