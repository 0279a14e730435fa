#pragma once
// SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed hash for hash tables whose inputs an attacker
// chooses. Under a random secret key its output tells nothing about the input, so a table keyed
// by it leaks nothing through its timing; and it costs a few hundred instructions where a
// SHA-256 through OpenSSL's EVP costs several thousand.
#include <array>
#include <cstdint>
#include <string_view>

namespace kt {

using SipKey = std::array<unsigned char, 16>;

uint64_t siphash24(const SipKey& key, std::string_view data);

}  // namespace kt
