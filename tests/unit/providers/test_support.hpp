#pragma once
// Shared by the provider tests: a resolved target and an SSE feed through a translator.
#include <string>

#include "providers/provider.hpp"

namespace kt::providers {

inline ResolvedTarget target_at(const std::string& base, const std::string& key) {
  ResolvedTarget t;
  t.base = *http::Url::parse(base);
  t.api_key = key;
  return t;
}

// Feeds the whole upstream SSE text through the translator; returns what the client receives.
inline std::string translate_stream(StreamTranslator& tr, std::string_view upstream) {
  http::SseParser parser;
  std::string out;
  for (auto& ev : parser.feed(upstream)) tr.on_event(ev, out);
  return out;
}

}  // namespace kt::providers
