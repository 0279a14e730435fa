// x-ratelimit-reset-* in OpenAI's duration format.
#include <gtest/gtest.h>

#include "gateway/rate_limits/rate_limiter.hpp"

namespace kt::gateway {
namespace {

TEST(RateResetFormat, LikeOpenAI) {
  EXPECT_EQ(format_reset(0), "0s");
  EXPECT_EQ(format_reset(20), "20ms");
  EXPECT_EQ(format_reset(1000), "1s");
  EXPECT_EQ(format_reset(1001), "2s");
  EXPECT_EQ(format_reset(360'000), "6m0s");
  EXPECT_EQ(format_reset(3'723'000), "1h2m3s");
}

}  // namespace
}  // namespace kt::gateway
