#pragma once
// `cache.url` for `backend: redis`: redis://[:password@]host[:port][/db] (docs/traffic.md "Response cache").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kt::config {

struct RedisUrl {
  std::string host;
  uint16_t port = 6379;
  int db = 0;
  std::string password;  // empty: no AUTH; never logged
};

// nullopt with `why` set when the text is not such a URL; `why` never repeats the password.
std::optional<RedisUrl> parse_redis_url(std::string_view text, std::string& why);

}  // namespace kt::config
