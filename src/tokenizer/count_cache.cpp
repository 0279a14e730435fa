#include "tokenizer/count_cache.hpp"

#include <functional>

namespace kt::tokenizer {
namespace {
// libstdc++'s Murmur-based byte hash, with two unrelated seeds.
constexpr size_t kSeed1 = 0xc70f6907UL, kSeed2 = 0x9e3779b97f4a7c15ULL;
}  // namespace

size_t CountCache::count(const Encoding& encoding, std::string_view text) {
  if (text.size() < kMinBytes) return encoding.count(text);
  uint64_t h1 = std::_Hash_bytes(text.data(), text.size(), kSeed1);
  uint64_t h2 = std::_Hash_bytes(text.data(), text.size(), kSeed2);
  Slot& s = slots_[h1 % kSlots];
  if (s.encoding == &encoding && s.h1 == h1 && s.h2 == h2 && s.length == text.size()) {
    ++hits_;
    return s.tokens;
  }
  ++misses_;
  size_t n = encoding.count(text);
  s = Slot{&encoding, h1, h2, text.size(), n};
  return n;
}

}  // namespace kt::tokenizer
