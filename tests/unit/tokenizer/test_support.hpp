#pragma once
// Shared by the tokenizer tests: where the rank files are and one loaded Encoding per name.
// A missing data folder is a FAILURE (not a skip): the tokenizer cannot be trusted untested.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "tokenizer/tokenizer.hpp"

namespace kt::tokenizer::test {

inline bool has_data(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/o200k_base.tiktoken", ec) &&
         std::filesystem::exists(dir + "/cl100k_base.tiktoken", ec);
}

// default_data_dir() first (honours $KT_TOKENIZER_DATA), then the source tree; empty when neither has the files.
inline std::string data_dir() {
  if (const std::string d = default_data_dir(); has_data(d)) return d;
  const std::string src = std::string(KT_SOURCE_DIR) + "/third_party/tokenizer-data";
  return has_data(src) ? src : std::string();
}

inline constexpr const char* kMissingData =
    "tokenizer data not found (looked in default_data_dir() and " KT_SOURCE_DIR
    "/third_party/tokenizer-data): run scripts/fetch-tokenizer-data.sh";

// Loads each encoding once per test binary and prints how long it took.
inline std::shared_ptr<const Encoding> encoding(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Encoding>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const std::string dir = data_dir();
  if (dir.empty()) return nullptr;
  const auto start = std::chrono::steady_clock::now();
  auto enc = Encoding::load(name, dir);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[tokenizer] loaded %s (%zu ranks) in %.1f ms\n", name.c_str(), enc->ranks().size(), ms);
  cache.emplace(name, enc);
  return enc;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace kt::tokenizer::test

// Fetches the encoding or fails the current test with the set-up instruction.
#define KT_REQUIRE_ENCODING(var, name)                                            \
  auto var = ::kt::tokenizer::test::encoding(name);                               \
  if (!var) FAIL() << ::kt::tokenizer::test::kMissingData

