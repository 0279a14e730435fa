// SipHash-2-4 against the reference vectors (vectors.h of the reference implementation: key
// 00..0f, messages 00, 00 01, ...).
#include <gtest/gtest.h>

#include <string>

#include "core/siphash.hpp"

namespace {

kt::SipKey reference_key() {
  kt::SipKey k;
  for (int i = 0; i < 16; ++i) k[i] = static_cast<unsigned char>(i);
  return k;
}

std::string reference_message(size_t n) {
  std::string m;
  for (size_t i = 0; i < n; ++i) m.push_back(static_cast<char>(i));
  return m;
}

}  // namespace

TEST(SipHash, ReferenceVectors) {
  const auto key = reference_key();
  EXPECT_EQ(kt::siphash24(key, reference_message(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(kt::siphash24(key, reference_message(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(kt::siphash24(key, reference_message(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(kt::siphash24(key, reference_message(15)), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, DependsOnTheKey) {
  auto other = reference_key();
  other[0] ^= 1;
  EXPECT_NE(kt::siphash24(reference_key(), "kt_cg_engineering_abc123"), kt::siphash24(other, "kt_cg_engineering_abc123"));
}
