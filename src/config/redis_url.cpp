#include "config/redis_url.hpp"

#include <charconv>

namespace kt::config {
namespace {

template <class T>
bool whole_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<RedisUrl> parse_redis_url(std::string_view text, std::string& why) {
  constexpr std::string_view scheme = "redis://";
  if (!text.starts_with(scheme)) {
    why = "must start with redis:// (redis://[:password@]host[:port][/db])";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme.size());
  RedisUrl url;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view user_info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    // Only a password (redis://:pw@host): Redis 6 ACL user names are not supported here.
    if (!user_info.starts_with(':') || user_info.size() < 2) {
      why = "credentials must be written :password@ (an empty password or a user name is not supported)";
      return std::nullopt;
    }
    url.password = std::string(user_info.substr(1));
  }
  std::string_view host_port = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    host_port = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!whole_number(db, url.db) || url.db < 0 || url.db > 15)) {
      why = "the database after / must be a number from 0 to 15";
      return std::nullopt;
    }
  }
  std::string_view host = host_port;
  if (auto colon = host_port.rfind(':'); colon != std::string_view::npos) {
    host = host_port.substr(0, colon);
    unsigned port = 0;
    if (!whole_number(host_port.substr(colon + 1), port) || port == 0 || port > 65535) {
      why = "the port must be a number from 1 to 65535";
      return std::nullopt;
    }
    url.port = uint16_t(port);
  }
  if (host.empty() || host.find_first_of(" []?#") != std::string_view::npos) {
    why = "needs a host name or an IPv4 address (redis://host:port)";
    return std::nullopt;
  }
  url.host = std::string(host);
  return url;
}

}  // namespace kt::config
