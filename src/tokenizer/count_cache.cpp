#include "tokenizer/count_cache.hpp"

#include <cstring>
#include <random>

namespace kt::tokenizer {
namespace {

// Keys drawn once per process: a text cannot be prepared offline to collide with another one's
// slot (the hashes are not cryptographic; with fixed seeds a collision found once works
// everywhere).
struct Keys {
  uint64_t k[4];
};
const Keys& keys() {
  static const Keys keys = [] {
    std::random_device rd;
    Keys k{};
    for (uint64_t& v : k.k) v = (uint64_t{rd()} << 32 | rd()) | 1;  // odd: never a zero factor
    return k;
  }();
  return keys;
}

// wyhash's mixing step: the 128-bit product folded to 64 bits.
inline uint64_t mix(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

struct Hashes {
  uint64_t h1, h2;
};

// Both hashes in one pass over 16-byte blocks (Murmur twice cost ~3.4 instructions per byte of
// every prompt; this is ~0.6). The lanes use different keys and feed the two words crosswise, so
// they are independent for a hash that only has to spread slots and make a wrong hit improbable.
Hashes hash_text(std::string_view text) {
  const uint64_t* k = keys().k;
  const char* p = text.data();
  std::size_t n = text.size();
  uint64_t h1 = k[0] ^ n, h2 = k[1] ^ (n * 0x9e3779b97f4a7c15ULL);
  auto block = [&](uint64_t x, uint64_t y) {
    h1 = mix(x ^ k[2] ^ h1, y ^ k[3]);
    h2 = mix(y ^ k[0] ^ h2, x ^ k[1]);
  };
  for (; n >= 16; p += 16, n -= 16) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    block(x, y);
  }
  if (n > 0) {  // the tail, zero-padded (the length is already in both hashes)
    unsigned char tail[16] = {};
    std::memcpy(tail, p, n);
    uint64_t x, y;
    std::memcpy(&x, tail, 8);
    std::memcpy(&y, tail + 8, 8);
    block(x, y);
  }
  return {mix(h1 ^ k[1], k[2]), mix(h2 ^ k[3], k[0])};
}

}  // namespace

size_t CountCache::count(const Encoding& encoding, std::string_view text) {
  if (text.size() < kMinBytes) return encoding.count(text);
  const Hashes h = hash_text(text);
  Slot& s = slots_[h.h1 % kSlots];
  if (s.encoding == &encoding && s.h1 == h.h1 && s.h2 == h.h2 && s.length == text.size()) {
    ++hits_;
    return s.tokens;
  }
  ++misses_;
  size_t n = encoding.count(text);
  s = Slot{&encoding, h.h1, h.h2, text.size(), n};
  return n;
}

}  // namespace kt::tokenizer
