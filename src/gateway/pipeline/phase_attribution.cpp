// Phase 2: attribution. Who a request is for (the OpenAI body field `user`, or the X-Kt-User
// header, which wins) and its tags (X-Kt-Tags: a,b,c) go into the decision event, so spend can be
// grouped by them (`kt spend --by user|tag`). Events are kept and exported, so what goes in is
// bounded, printable and never a credential: a value that breaks a rule is refused with a clear
// 400 rather than silently cut (a cut value would attribute spend to someone else).
#include <algorithm>

#include "gateway/header_list.hpp"
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

constexpr size_t kMaxUserLength = 128;
constexpr size_t kMaxTagLength = 64;
constexpr size_t kMaxTags = 10;

Rejection invalid_attribution(std::string message) {
  return rejection(bad_request("invalid_attribution", std::move(message)), "invalid_request");
}

bool printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The caller's own key (the consumer key it authenticated with), to refuse it as a label.
std::string_view caller_key(const http::Request& req) {
  if (auto g = req.header("X-Consumer-Group")) return *g;
  if (auto a = req.header("authorization"); a && a->size() > 7) return a->substr(7);
  return {};
}

bool looks_like_a_key(std::string_view v, std::string_view key) {
  if (!key.empty() && v.find(key) != std::string_view::npos) return true;
  return v.starts_with("sk-") || v.starts_with("Bearer ") || v.starts_with("bearer ");
}

std::optional<std::string> check_value(std::string_view v, std::string_view what, size_t max_length, std::string_view key) {
  if (v.size() > max_length)
    return std::string(what) + " is longer than " + std::to_string(max_length) + " characters";
  if (!printable(v)) return std::string(what) + " must be printable ASCII";
  if (looks_like_a_key(v, key)) return std::string(what) + " looks like an API key; keys are never recorded";
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> read_attribution(RequestContext& ctx) {
  const std::string_view key = caller_key(ctx.req);
  auto header_user = ctx.req.header("X-Kt-User");
  std::string_view user = trim(header_user ? *header_user : std::string_view(ctx.body_user));
  const char* what = header_user ? "X-Kt-User" : "'user'";
  if (auto bad = check_value(user, what, kMaxUserLength, key)) return invalid_attribution(*bad);
  ctx.end_user = std::string(user);
  ctx.tags.clear();
  auto header_tags = ctx.req.header("X-Kt-Tags");
  if (!header_tags) return std::nullopt;
  for (std::string_view tag : split_header_list(*header_tags)) {
    if (std::find(ctx.tags.begin(), ctx.tags.end(), tag) != ctx.tags.end()) continue;
    if (auto bad = check_value(tag, "a tag in X-Kt-Tags", kMaxTagLength, key)) return invalid_attribution(*bad);
    if (ctx.tags.size() == kMaxTags)
      return invalid_attribution("X-Kt-Tags has more than " + std::to_string(kMaxTags) + " tags");
    ctx.tags.emplace_back(tag);
  }
  return std::nullopt;
}

}  // namespace kt::gateway
