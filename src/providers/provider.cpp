// Route names and the chat-route shorthands shared by every provider.
#include "providers/provider.hpp"

namespace kt::providers {

std::optional<Route> route_of_path(std::string_view path) {
  if (path.starts_with("/v1/")) path.remove_prefix(3);
  if (path == "/chat/completions") return Route::chat;
  if (path == "/completions") return Route::completions;
  if (path == "/embeddings") return Route::embeddings;
  if (path == "/responses") return Route::responses;
  if (path == "/messages") return Route::messages;
  return std::nullopt;
}

std::string_view route_path(Route r) {
  switch (r) {
    case Route::chat: return "/v1/chat/completions";
    case Route::completions: return "/v1/completions";
    case Route::embeddings: return "/v1/embeddings";
    case Route::responses: return "/v1/responses";
    case Route::messages: return "/v1/messages";
  }
  return "";
}

bool billable_usage(const Usage& u) {
  if (u.prompt_tokens < 0 || u.completion_tokens < 0 || u.cached_tokens < 0 || u.cache_creation_tokens < 0 ||
      u.reasoning_tokens < 0)
    return false;
  if (u.cached_tokens > u.prompt_tokens || u.cache_creation_tokens > u.prompt_tokens - u.cached_tokens) return false;
  int64_t total;
  return !__builtin_add_overflow(u.prompt_tokens, u.completion_tokens, &total);
}

}  // namespace kt::providers
