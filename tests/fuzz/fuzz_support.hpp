#pragma once
// Shared by the fuzz targets: invariant checks that stop the run the way a sanitizer finding does
// (libFuzzer keeps the input that broke one), and quiet logs.
#include <simdjson.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "providers/provider.hpp"

// A broken invariant is a finding: say which, then abort (libFuzzer writes the crashing input).
#define KT_FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "fuzz invariant broken: %s\n  (%s) at %s:%d\n", what, #cond, __FILE__, \
                   __LINE__);                                                                     \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)

namespace kt::fuzz {

// Strict JSON validity (simdjson's DOM parser validates the whole document).
inline bool is_json(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  return parser.parse(padded).error() == simdjson::SUCCESS;
}

// A usage the gateway may bill: no negative count, the cached and cache-written parts within the
// prompt, a total that fits (the rule parse_openai_usage_object applies to OpenAI's answers).
inline bool billable(const providers::Usage& u) {
  return u.prompt_tokens >= 0 && u.completion_tokens >= 0 && u.cached_tokens >= 0 && u.cache_creation_tokens >= 0 &&
         u.reasoning_tokens >= 0 && u.cached_tokens + u.cache_creation_tokens <= u.prompt_tokens &&
         u.completion_tokens <= std::numeric_limits<int64_t>::max() - u.prompt_tokens;
}

// Every logger the code under test may look up by name, sending nowhere: a log line per input
// would be most of the run's time and all of its output.
inline void silence_logs() {
  auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
  for (const char* name : {"keeptrusts::gateway", "keeptrusts::api", "keeptrusts::alerts"})
    if (!spdlog::get(name)) spdlog::register_logger(std::make_shared<spdlog::logger>(name, sink));
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("keeptrusts", sink));
  spdlog::set_level(spdlog::level::off);
}

}  // namespace kt::fuzz
