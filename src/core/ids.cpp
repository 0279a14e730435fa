#include "core/ids.hpp"

#include <chrono>
#include <random>

namespace kt {

std::string new_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32)};
  static const char* hex = "0123456789abcdef";
  char digits[24];
  uint64_t micros = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  for (int i = 12; i >= 0; --i, micros >>= 4) digits[i] = hex[micros & 15];
  uint64_t v = rng();
  for (int i = 13; i < 24; ++i, v >>= 4) digits[i] = hex[v & 15];
  std::string out;
  out.reserve(prefix.size() + sizeof digits);
  out.append(prefix).append(digits, sizeof digits);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Length leaks, content does not: compare every byte of the longer input.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace kt
