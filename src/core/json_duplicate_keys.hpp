#pragma once
// One pass over a JSON text that finds a key given twice in one object, at any depth.
//
// Why: JSON parsers disagree on duplicate keys (simdjson's on-demand API and Boost.JSON can keep
// either one, Python keeps the last, some take the first). A body such as
// {"model":"gpt-4o-mini","model":"gpt-4o"} would be priced for one model and answered by another,
// so every body kt reads for money is refused when a key repeats: what kt prices is then what
// the upstream reads, whichever parser it uses.
//
// The scan is also a full JSON validator (RFC 8259 grammar, no trailing content): a body it calls
// malformed must not reach a more lenient parser that could see another structure in it. Keys
// are compared after unescaping ("model" and "mod\u0065l" are the same key).
#include <cstddef>
#include <string>
#include <string_view>

namespace kt {

struct JsonKeyCheck {
  enum class Status { ok, duplicate, malformed };
  Status status = Status::ok;
  // duplicate: where the second occurrence sits, e.g. "messages[0].content" or "model".
  std::string path;
  // ok, but simdjson (every parser of the gateway) refuses it: a number past 64-bit integers or a
  // double's range, or a lone surrogate escape ("\udc00"), all grammatical JSON. The caller
  // decides: a count gets its own "too large" answer; a body the gateway translates is refused.
  bool simdjson_refuses = false;
  bool ok() const { return status == Status::ok; }
};

// Nesting past this depth is reported as malformed (simdjson's own default limit is 1024).
inline constexpr std::size_t kMaxJsonDepth = 1024;

// Checks one JSON value (surrounding whitespace allowed).
JsonKeyCheck check_json_keys(std::string_view json);

// The same grammar check alone (keys not compared, numbers not held to simdjson's limits): for
// text that is kept and passed on as it is, such as a shipped decision event.
bool is_json(std::string_view json);

}  // namespace kt
