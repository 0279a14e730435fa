#include "gateway/cache/cached_answer_codec.hpp"

namespace kt::gateway {
namespace {

constexpr std::string_view kMagic = "KTC1";

void put_u64(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += char((v >> (8 * i)) & 0xff);
}

void put_text(std::string& out, std::string_view s) {
  put_u64(out, s.size(), 4);
  out += s;
}

struct Cursor {
  std::string_view rest;
  bool ok = true;

  uint64_t take_u64(int bytes) {
    if (rest.size() < size_t(bytes)) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(uint8_t(rest[i])) << (8 * i);
    rest.remove_prefix(bytes);
    return v;
  }
  std::string take_text() {
    uint64_t n = take_u64(4);
    if (!ok || rest.size() < n) return ok = false, std::string();
    std::string s(rest.substr(0, n));
    rest.remove_prefix(n);
    return s;
  }
};

}  // namespace

bool fresh_enough(const CachedAnswer& a, int64_t now_s, int64_t ttl_s, std::optional<int64_t> max_age) {
  const int64_t age = now_s - a.stored_at;
  if (age >= ttl_s) return false;
  return !max_age || age <= *max_age;
}

std::string encode_cached_answer(const CachedAnswer& a) {
  std::string out;
  out.reserve(kMagic.size() + 1 + 4 + 8 + 8 + 12 + a.content_type.size() + a.request_id.size() + a.body.size());
  out += kMagic;
  out += char(a.stream ? 1 : 0);
  put_u64(out, uint32_t(a.status), 4);
  put_u64(out, uint64_t(a.cost.nanos()), 8);
  put_u64(out, uint64_t(a.stored_at), 8);
  put_text(out, a.content_type);
  put_text(out, a.request_id);
  put_text(out, a.body);
  return out;
}

std::optional<CachedAnswer> decode_cached_answer(std::string_view frame) {
  if (!frame.starts_with(kMagic)) return std::nullopt;
  Cursor c{frame.substr(kMagic.size())};
  CachedAnswer a;
  uint64_t stream = c.take_u64(1);
  a.status = int(c.take_u64(4));
  a.cost = Money::from_nanos(int64_t(c.take_u64(8)));
  a.stored_at = int64_t(c.take_u64(8));
  a.content_type = c.take_text();
  a.request_id = c.take_text();
  a.body = c.take_text();
  if (!c.ok || !c.rest.empty() || stream > 1 || a.status < 100 || a.status > 599 || a.cost.is_negative())
    return std::nullopt;
  a.stream = stream == 1;
  return a;
}

}  // namespace kt::gateway
