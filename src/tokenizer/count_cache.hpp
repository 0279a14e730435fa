#pragma once
// Remembers token counts of long texts seen recently, per thread. A chat client resends its
// system prompt with every request and its whole history with every turn, so most of a prompt's
// bytes were counted before; hashing them is ~20x cheaper than counting them again.
//
// Direct-mapped, fixed size, no text kept: an entry is matched by two 64-bit hashes (keyed per process),
// the length and the encoding, so a stale or colliding slot is a miss, never a wrong count
// (short of a 128-bit collision). Not thread-safe: one per worker thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenizer/encoding.hpp"

namespace kt::tokenizer {

class CountCache {
 public:
  // Texts shorter than this are counted directly: hashing would save little.
  static constexpr size_t kMinBytes = 128;
  static constexpr size_t kSlots = 512;

  size_t count(const Encoding& encoding, std::string_view text);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    const Encoding* encoding = nullptr;
    uint64_t h1 = 0, h2 = 0;
    size_t length = 0, tokens = 0;
  };
  std::array<Slot, kSlots> slots_{};
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace kt::tokenizer
