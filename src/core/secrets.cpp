#include "core/secrets.hpp"

#include <openssl/evp.h>
#include <sys/random.h>

#include <stdexcept>

namespace kt {

SecretHash sha256(std::string_view data) {
  SecretHash out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    throw std::runtime_error("SHA-256 failed");
  return out;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::optional<SecretHash> hash_from_hex(std::string_view hex) {
  SecretHash out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

MintedSecret mint_secret(std::string_view prefix) {
  unsigned char random[32];
  for (size_t got = 0; got < sizeof random;) {
    ssize_t n = getrandom(random + got, sizeof random - got, 0);
    if (n < 0) throw std::runtime_error("the system's random source failed");
    got += size_t(n);
  }
  MintedSecret m;
  m.secret = std::string(prefix) + to_hex(random, sizeof random);
  m.prefix = m.secret.substr(0, prefix.size() + 8);
  m.hash = hex_of(sha256(m.secret));
  return m;
}

}  // namespace kt
