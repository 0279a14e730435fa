#include "gateway/budget/max_tokens_clamp.hpp"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "core/json_writer.hpp"

namespace kt::gateway {
namespace sj = simdjson::ondemand;

int64_t largest_affordable_output(Money remaining, int64_t prompt_tokens, Money input_per_1k, Money output_per_1k,
                                  int64_t choices) {
  // cost_of_terms = ceil((prompt*in + out*choices*outp) / 1000) nanos <= remaining
  //   <=> prompt*in + out*choices*outp <= remaining*1000   (all integers)
  using i128 = __int128;
  if (remaining.is_negative()) return 0;
  i128 room = i128(remaining.nanos()) * 1000 - i128(prompt_tokens) * input_per_1k.nanos();
  if (room < 0) return 0;
  if (output_per_1k.nanos() <= 0) return std::numeric_limits<int64_t>::max();
  i128 per_token = i128(std::max<int64_t>(1, choices)) * output_per_1k.nanos();
  i128 n = room / per_token;
  return n > std::numeric_limits<int64_t>::max() ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(n);
}

namespace {

struct Edit {
  size_t offset, length;
  std::string text;
};

// Replaces the raw value of each top-level key in `keys` by `raw`; when none is present, inserts
// `"add_key":raw` as the object's first member. Every other byte stays as the client sent it.
std::optional<std::string> set_top_level(const std::string& body, std::initializer_list<std::string_view> keys,
                                         std::string_view add_key, const std::string& raw) {
  thread_local sj::parser parser;
  simdjson::padded_string padded(body);
  std::vector<Edit> edits;
  try {
    auto doc = parser.iterate(padded);
    for (auto field : doc.get_object()) {
      std::string_view k = field.unescaped_key().value();
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) continue;
      sj::value v = field.value();
      auto t = v.type().value();
      if (t == sj::json_type::object || t == sj::json_type::array) return std::nullopt;
      std::string_view token = v.raw_json_token();
      while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
        token.remove_suffix(1);
      edits.push_back({static_cast<size_t>(token.data() - padded.data()), token.size(), raw});
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  std::string out = body;
  if (edits.empty()) {
    auto brace = out.find('{');
    if (brace == std::string::npos) return std::nullopt;
    std::string member;
    append_json_string(member, add_key);
    member += ':' + raw;
    // A following member needs a comma; an empty object does not.
    auto next = out.find_first_not_of(" \t\r\n", brace + 1);
    if (next != std::string::npos && out[next] != '}') member += ',';
    out.insert(brace + 1, member);
    return out;
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset > b.offset; });
  for (const auto& e : edits) out.replace(e.offset, e.length, e.text);
  return out;
}

}  // namespace

std::optional<std::string> body_with_max_tokens(const std::string& body, int64_t n) {
  return set_top_level(body, {"max_tokens", "max_completion_tokens"}, "max_tokens", std::to_string(n));
}

std::optional<std::string> body_with_int_field(const std::string& body, std::string_view key, int64_t n) {
  return set_top_level(body, {key}, key, std::to_string(n));
}

std::optional<std::string> body_with_string_field(const std::string& body, std::string_view key, std::string_view value) {
  std::string quoted;
  append_json_string(quoted, value);
  return set_top_level(body, {key}, key, quoted);
}

}  // namespace kt::gateway
