#include "gateway/cache/redis_cache.hpp"

#include "gateway/cache/cached_answer_codec.hpp"

namespace kt::gateway {

// The memory key is team \0 route \0 SHA-256 (response_cache_key; a route has no \0). In Redis it is
// written kt:cache:<team>:<route>:<hex digest>, readable by an operator (SCAN kt:cache:team_x:*),
// with every byte of the team outside [A-Za-z0-9_.-] escaped as %XX so no two teams can meet.
std::string redis_cache_key(const std::string& key) {
  constexpr size_t kDigest = 32;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string k(kRedisCachePrefix);
  std::string_view head = std::string_view(key).substr(0, key.size() - kDigest - 1);
  const size_t cut = head.rfind('\0');
  for (unsigned char c : head.substr(0, cut)) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-') {
      k += char(c);
    } else {
      k += '%';
      k += kHex[c >> 4];
      k += kHex[c & 15];
    }
  }
  k += ':';
  k += head.substr(cut + 1);
  k += ':';
  for (unsigned char c : std::string_view(key).substr(key.size() - kDigest)) {
    k += kHex[c >> 4];
    k += kHex[c & 15];
  }
  return k;
}

RedisCacheStore::RedisCacheStore(boost::asio::any_io_executor ex, const config::RedisUrl& url, int64_t ttl_s)
    : link_(std::make_shared<RedisLink>(std::move(ex), url, RedisLink::Options{})), ttl_s_(ttl_s) {}

boost::asio::awaitable<CacheLookup> RedisCacheStore::find(const std::string& key, int64_t now_s,
                                                          std::optional<int64_t> max_age) {
  const CacheLookup unavailable{CacheLookup::Outcome::unavailable, std::nullopt};
  if (link_->resting()) co_return unavailable;
  auto link = link_;
  const std::string k = redis_cache_key(key);
  auto reply = co_await link->call({"GET", k});
  if (!reply) co_return unavailable;
  if (reply->kind == RedisReply::Kind::nil) co_return CacheLookup{};
  if (reply->kind != RedisReply::Kind::string) co_return unavailable;
  // Another gateway's clock set stored_at: the TTL is checked here too, as the memory backend does.
  auto answer = decode_cached_answer(reply->text);
  if (!answer || !fresh_enough(*answer, now_s, ttl_s_, max_age)) co_return CacheLookup{};
  co_return CacheLookup{CacheLookup::Outcome::hit, std::move(answer)};
}

void RedisCacheStore::put(const std::string& key, CachedAnswer answer) {
  const std::string frame = encode_cached_answer(answer);
  const std::string k = redis_cache_key(key), ttl_ms = std::to_string(ttl_s_ * 1000);
  link_->send({"SET", k, frame, "PX", ttl_ms});
}

}  // namespace kt::gateway
