// `cache:`: the documented shapes (memory, redis + url) load exactly; a mode or backend this build has not, a bad url, a bad TTL or
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

TEST(ResponseCacheConfig, RedisTakesAUrlWithAnOptionalPasswordAndDatabase) {
  auto r = load_gateway_config_text(kHead +
                                        "cache: {enabled: true, mode: exact, ttl_seconds: 300, max_entries: 10000, "
                                        "backend: redis, url: 'redis://:s3cret@127.0.0.1:6380/2'}\n",
                                    "t.yaml");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  ASSERT_TRUE(r.config->cache.redis);
  EXPECT_EQ(r.config->cache.backend, "redis");
  EXPECT_EQ(r.config->cache.redis->host, "127.0.0.1");
  EXPECT_EQ(r.config->cache.redis->port, 6380);
  EXPECT_EQ(r.config->cache.redis->db, 2);
  EXPECT_EQ(r.config->cache.redis->password, "s3cret");
  auto plain = load_gateway_config_text(kHead + "cache: {enabled: true, backend: redis, url: redis://cache}\n", "t.yaml");
  ASSERT_TRUE(plain.ok()) << errors_of(plain);
  EXPECT_EQ(plain.config->cache.redis->port, 6379);
  EXPECT_EQ(plain.config->cache.redis->db, 0);
  EXPECT_EQ(plain.config->cache.redis->password, "");
}

TEST(ResponseCacheConfig, ABadUrlsMessageNeverRepeatsThePassword) {
  auto r = load_gateway_config_text(kHead + "cache: {enabled: true, backend: redis, url: 'redis://:hunter2@h:0'}\n", "t.yaml");
  ASSERT_FALSE(r.ok());
  for (const auto& d : r.diagnostics) EXPECT_EQ(d.message.find("hunter2"), std::string::npos) << d.message;
}

TEST(ResponseCacheConfig, OffByDefault) {
  auto r = load_gateway_config_text(kHead, "t.yaml");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_FALSE(r.config->cache.enabled);
}

TEST(ResponseCacheConfig, WhatThisBuildHasNotIsAnError) {
  const std::pair<const char*, const char*> cases[] = {
      {"cache: {enabled: true, mode: semantic}", "E004 cache.mode"},
      {"cache: {enabled: true, backend: filesystem}", "E004 cache.backend"},
      {"cache: {enabled: true, backend: redis}", "E005 cache.url"},
      {"cache: {enabled: true, backend: memory, url: redis://localhost:6379}", "E004 cache.url"},
      {"cache: {enabled: true, backend: redis, url: http://localhost:6379}", "E004 cache.url"},
      {"cache: {enabled: true, backend: redis, url: 'redis://:pw@h:99999'}", "E004 cache.url"},
      {"cache: {enabled: true, backend: redis, url: 'redis://h:6379/x'}", "E004 cache.url"},
      {"cache: {enabled: true, backend: redis, url: 'redis://user:pw@h:6379'}", "E004 cache.url"},
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
