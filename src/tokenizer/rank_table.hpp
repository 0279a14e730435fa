#pragma once
// The mergeable ranks of one BPE encoding: byte string <-> rank, loaded from a `.tiktoken` file
// (one "base64(token) rank" per line).
//
// Lookups sit in the innermost loop of the byte-pair merge, so the map is a flat open-addressing
// table of 16-byte slots that keep the first 8 bytes of the key inline: most lookups (keys of at most
// 8 bytes) are answered by one cache line without touching the token bytes themselves.
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace kt::tokenizer {

using Rank = uint32_t;
inline constexpr Rank kNoRank = std::numeric_limits<Rank>::max();

class RankTable {
 public:
  // Throws std::runtime_error when the file is missing or malformed.
  static RankTable load_file(const std::string& path);
  // Parses the content of a `.tiktoken` file (exposed for tests).
  static RankTable parse(std::string_view content, const std::string& origin);

  // The rank of exactly these bytes, or kNoRank.
  Rank find(const char* data, size_t size) const noexcept {
    const uint64_t h = hash_bytes(data, size);
    const uint64_t head = load_head(data, size);
    size_t i = h & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.rank == kNoRank) return kNoRank;
      if (s.head == head && s.size == size &&
          (size <= 8 || equal_tail(s.rank, data, size)))
        return s.rank;
      i = (i + 1) & mask_;
    }
  }
  Rank find(std::string_view bytes) const noexcept { return find(bytes.data(), bytes.size()); }

  // The bytes of a rank; empty when the rank does not exist.
  std::string_view bytes_of(Rank rank) const noexcept {
    if (rank + 1 >= offsets_.size()) return {};
    return std::string_view(arena_).substr(offsets_[rank], offsets_[rank + 1] - offsets_[rank]);
  }

  size_t size() const noexcept { return count_; }
  // One past the highest rank.
  Rank rank_limit() const noexcept { return static_cast<Rank>(offsets_.empty() ? 0 : offsets_.size() - 1); }

 private:
  struct Slot {
    uint64_t head;  // first min(size, 8) bytes, zero padded
    Rank rank;      // kNoRank marks an empty slot
    uint32_t size;
  };

  static inline uint64_t load_head(const char* data, size_t size) noexcept;
  static inline uint64_t hash_bytes(const char* data, size_t size) noexcept;
  bool equal_tail(Rank rank, const char* data, size_t size) const noexcept;
  void insert(Rank rank, uint64_t hash);

  std::string arena_;              // all token bytes, in rank order
  std::vector<uint32_t> offsets_;  // rank -> start in arena_; offsets_[rank+1] is the end
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

namespace detail {
inline uint64_t mum(uint64_t a, uint64_t b) noexcept {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
template <typename T>
inline uint64_t load_le(const char* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace detail

// Up to 8 bytes, zero padded, without reading past `size` (overlapping loads instead of a loop).
inline uint64_t RankTable::load_head(const char* data, size_t size) noexcept {
  using detail::load_le;
  if (size >= 8) return load_le<uint64_t>(data);
  if (size >= 4) return load_le<uint32_t>(data) | (load_le<uint32_t>(data + size - 4) << ((size - 4) * 8));
  if (size >= 2) return load_le<uint16_t>(data) | (load_le<uint16_t>(data + size - 2) << ((size - 2) * 8));
  return size == 1 ? static_cast<unsigned char>(data[0]) : 0;
}

inline uint64_t RankTable::hash_bytes(const char* data, size_t size) noexcept {
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  if (size <= 8) return detail::mum(load_head(data, size) ^ k0, size ^ k1);
  uint64_t h = size ^ k0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) h = detail::mum(h ^ detail::load_le<uint64_t>(data + i), k1);
  if (i < size) h = detail::mum(h ^ load_head(data + i, size - i), k0);
  return h;
}

}  // namespace kt::tokenizer
