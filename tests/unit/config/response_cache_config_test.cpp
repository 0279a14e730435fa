// `cache:`: the documented shape loads exactly; a mode or backend this build has not, a bad TTL or
// size, and an unknown key are errors lint reports.
#include <gtest/gtest.h>

#include "config/gateway_config.hpp"

namespace kt::config {
namespace {

const std::string kHead = "version: '1'\n";

std::string errors_of(const LoadResult& r) {
  std::string all;
  for (const auto& d : r.diagnostics)
    if (!d.warning) all += d.code + " " + d.path + "\n";
  return all;
}

TEST(ResponseCacheConfig, TheDocumentedShapeLoadsExactly) {
  auto r = load_gateway_config_text(
      kHead + "cache: {enabled: true, mode: exact, ttl_seconds: 300, max_entries: 10000, backend: memory}\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_TRUE(r.config->cache.enabled);
  EXPECT_EQ(r.config->cache.mode, "exact");
  EXPECT_EQ(r.config->cache.ttl_seconds, 300);
  EXPECT_EQ(r.config->cache.max_entries, 10000);
  EXPECT_EQ(r.config->cache.backend, "memory");
}

TEST(ResponseCacheConfig, OffByDefault) {
  auto r = load_gateway_config_text(kHead, "t.yaml");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_FALSE(r.config->cache.enabled);
}

TEST(ResponseCacheConfig, WhatThisBuildHasNotIsAnError) {
  const std::pair<const char*, const char*> cases[] = {
      {"cache: {enabled: true, mode: semantic}", "E004 cache.mode"},
      {"cache: {enabled: true, backend: redis, url: redis://localhost:6379}", "E004 cache.backend"},
      {"cache: {enabled: true, ttl_seconds: 0}", "E004 cache.ttl_seconds"},
      {"cache: {enabled: true, max_entries: -1}", "E004 cache.max_entries"},
      {"cache: {enabled: true, size: 3}", "E002 cache.size"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto r = load_gateway_config_text(kHead + yaml + "\n", "t.yaml");
    EXPECT_FALSE(r.ok()) << yaml;
    EXPECT_NE(errors_of(r).find(expected), std::string::npos) << yaml << " gave:\n" << errors_of(r);
  }
}

}  // namespace
}  // namespace kt::config
