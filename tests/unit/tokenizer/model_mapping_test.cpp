#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace kt::tokenizer::test {
namespace {

TEST(TokenizerModels, EncodingForModel) {
  for (const char* m : {"gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4.1", "gpt-4.1-nano", "gpt-5",
                        "gpt-5-mini", "o1", "o1-preview", "o3-mini", "o4-mini", "chatgpt-4o-latest",
                        "ft:gpt-4o-mini:acme::abc123", "openai/gpt-4o", "GPT-4O"})
    EXPECT_EQ(encoding_for_model(m), "o200k_base") << m;
  for (const char* m : {"gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-4-32k", "gpt-3.5-turbo", "gpt-3.5-turbo-16k",
                        "gpt-35-turbo", "text-embedding-3-small", "text-embedding-3-large",
                        "text-embedding-ada-002", "ft:gpt-3.5-turbo:acme::x"})
    EXPECT_EQ(encoding_for_model(m), "cl100k_base") << m;
  for (const char* m : {"", "claude-3-5-sonnet", "llama-3-70b", "mystery"})
    EXPECT_EQ(encoding_for_model(m), "o200k_base") << m;
}

TEST(TokenizerModels, RegistryLoadsEachEncodingOnceAcrossThreads) {
  const std::string dir = data_dir();
  ASSERT_FALSE(dir.empty()) << kMissingData;
  Tokenizers registry(dir);
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<const Encoding>> seen(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] { seen[t] = registry.for_model(t % 2 ? "gpt-4o" : "gpt-4.1-mini"); });
  for (auto& th : threads) th.join();
  for (const auto& e : seen) {
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e.get(), seen[0].get());  // one shared instance
  }
  EXPECT_EQ(seen[0]->name(), "o200k_base");
  const auto cl = registry.for_model("gpt-3.5-turbo");
  EXPECT_EQ(cl->name(), "cl100k_base");
  EXPECT_EQ(registry.get("cl100k_base").get(), cl.get());
  EXPECT_THROW(registry.get("nope"), std::invalid_argument);
}

TEST(TokenizerModels, DefaultDataDirHonoursEnvironment) {
  const char* old = std::getenv("KT_TOKENIZER_DATA");
  const std::string saved = old ? old : "";
  ::setenv("KT_TOKENIZER_DATA", "/some/where/else", 1);
  EXPECT_EQ(default_data_dir(), "/some/where/else");
  ::unsetenv("KT_TOKENIZER_DATA");
  const std::string fallback = default_data_dir();
  EXPECT_FALSE(fallback.empty());
  // With the data fetched into the source tree, the search finds a folder that has the files.
  if (has_data(std::string(KT_SOURCE_DIR) + "/third_party/tokenizer-data")) {
    EXPECT_TRUE(has_data(fallback)) << fallback;
  }
  if (old) ::setenv("KT_TOKENIZER_DATA", saved.c_str(), 1);
}

}  // namespace
}  // namespace kt::tokenizer::test
