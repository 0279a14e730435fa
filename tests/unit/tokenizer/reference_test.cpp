// Token-for-token agreement with reference encodings produced by other implementations:
// gpt-tokenizer@4.0.0's TestPlans.txt and tiktoken@1.0.22 (tiktoken_fixtures.txt, see
// gen_tiktoken_fixtures.mjs).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace kt::tokenizer::test {
namespace {

struct Case {
  std::string encoding;
  std::string sample;
  std::vector<uint32_t> expected;
};

std::vector<uint32_t> parse_ids(std::string_view list) {
  std::vector<uint32_t> ids;
  uint64_t value = 0;
  bool in_number = false;
  for (char c : list) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + static_cast<uint64_t>(c - '0');
      in_number = true;
    } else if (in_number) {
      ids.push_back(static_cast<uint32_t>(value));
      value = 0;
      in_number = false;
    }
  }
  if (in_number) ids.push_back(static_cast<uint32_t>(value));
  return ids;
}

// TestPlans.txt: blocks separated by a blank line, each "EncodingName: x", "Sample: text",
// "Encoded: [ids]" (samples are single lines; everything after "Sample: " is the sample).
std::vector<Case> load_test_plans(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<Case> cases;
  Case current;
  bool have_name = false, have_sample = false;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("EncodingName: ", 0) == 0) {
      current = Case{line.substr(14), {}, {}};
      have_name = true;
      have_sample = false;
    } else if (have_name && line.rfind("Sample: ", 0) == 0) {
      current.sample = line.substr(8);
      have_sample = true;
    } else if (have_name && have_sample && line.rfind("Encoded: ", 0) == 0) {
      current.expected = parse_ids(std::string_view(line).substr(9));
      cases.push_back(current);
      have_name = have_sample = false;
    }
  }
  return cases;
}

std::string unhex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  return out;
}

std::vector<Case> load_fixtures(const std::string& path) {
  std::vector<Case> cases;
  std::istringstream lines(read_file(path));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    cases.push_back({line.substr(0, t1), unhex(std::string_view(line).substr(t1 + 1, t2 - t1 - 1)),
                     parse_ids(std::string_view(line).substr(t2 + 1))});
  }
  return cases;
}

void check_cases(const std::vector<Case>& cases, const std::string& name, size_t min_cases) {
  KT_REQUIRE_ENCODING(enc, name);
  size_t checked = 0;
  for (const Case& c : cases) {
    if (c.encoding != name) continue;
    ++checked;
    EXPECT_EQ(enc->encode(c.sample), c.expected) << name << " sample: \"" << c.sample << "\"";
    EXPECT_EQ(enc->count(c.sample), c.expected.size()) << name << " sample: \"" << c.sample << "\"";
    EXPECT_EQ(enc->decode(c.expected), c.sample) << name;
  }
  EXPECT_GE(checked, min_cases) << "too few reference cases for " << name;
}

TEST(TokenizerReference, GptTokenizerTestPlansCl100k) {
  const std::string dir = data_dir();
  ASSERT_FALSE(dir.empty()) << kMissingData;
  const auto cases = load_test_plans(dir + "/TestPlans.txt");
  ASSERT_FALSE(cases.empty()) << "TestPlans.txt missing or empty: run scripts/fetch-tokenizer-data.sh";
  check_cases(cases, "cl100k_base", 60);
}

TEST(TokenizerReference, GptTokenizerTestPlansO200k) {
  const std::string dir = data_dir();
  ASSERT_FALSE(dir.empty()) << kMissingData;
  const auto cases = load_test_plans(dir + "/TestPlans.txt");
  ASSERT_FALSE(cases.empty()) << "TestPlans.txt missing or empty: run scripts/fetch-tokenizer-data.sh";
  check_cases(cases, "o200k_base", 50);
}

TEST(TokenizerReference, TiktokenFixturesCl100k) {
  const auto cases = load_fixtures(std::string(KT_SOURCE_DIR) + "/tests/unit/tokenizer/tiktoken_fixtures.txt");
  check_cases(cases, "cl100k_base", 90);
}

TEST(TokenizerReference, TiktokenFixturesO200k) {
  const auto cases = load_fixtures(std::string(KT_SOURCE_DIR) + "/tests/unit/tokenizer/tiktoken_fixtures.txt");
  check_cases(cases, "o200k_base", 90);
}

}  // namespace
}  // namespace kt::tokenizer::test
