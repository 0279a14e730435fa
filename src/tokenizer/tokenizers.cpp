#include "tokenizer/tokenizers.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace kt::tokenizer {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string executable_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  return std::filesystem::path(std::string(buf.data(), static_cast<size_t>(n))).parent_path().string();
}

bool is_dir(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

}  // namespace

std::string encoding_for_model(std::string_view model) {
  std::string m(model);
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view v = m;
  if (starts_with(v, "ft:")) v.remove_prefix(3);
  if (const size_t slash = v.rfind('/'); slash != std::string_view::npos) v.remove_prefix(slash + 1);

  // Order matters: the gpt-4o / gpt-4.1 families must be tested before plain gpt-4.
  static constexpr std::string_view kO200k[] = {"gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4",
                                                "chatgpt-4o", "gpt-oss"};
  static constexpr std::string_view kCl100k[] = {"gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3",
                                                 "text-embedding-ada-002"};
  for (std::string_view p : kO200k)
    if (starts_with(v, p)) return "o200k_base";
  for (std::string_view p : kCl100k)
    if (starts_with(v, p)) return "cl100k_base";
  return "o200k_base";
}

std::string default_data_dir() {
  if (const char* env = std::getenv("KT_TOKENIZER_DATA"); env && *env) return env;
  namespace fs = std::filesystem;
  if (const std::string exe = executable_dir(); !exe.empty()) {
    const fs::path p = fs::path(exe) / ".." / "third_party" / "tokenizer-data";
    if (is_dir(p)) return p.lexically_normal().string();
  }
#ifdef KT_TOKENIZER_SOURCE_DIR
  {
    const fs::path p = fs::path(KT_TOKENIZER_SOURCE_DIR) / "third_party" / "tokenizer-data";
    if (is_dir(p)) return p.string();
  }
#endif
  return "/usr/local/share/keeptrusts/tokenizer-data";
}

Tokenizers::Tokenizers(std::string data_dir) : data_dir_(std::move(data_dir)) {}

std::shared_ptr<const Encoding> Tokenizers::get(const std::string& encoding_name) {
  // Loading (~tens of ms) happens under the lock on purpose: the second caller waits for the
  // first load instead of loading the same file again.
  std::lock_guard lock(mutex_);
  auto it = loaded_.find(encoding_name);
  if (it != loaded_.end()) return it->second;
  auto encoding = Encoding::load(encoding_name, data_dir_);
  loaded_.emplace(encoding_name, encoding);
  return encoding;
}

std::shared_ptr<const Encoding> Tokenizers::for_model(std::string_view model) {
  return get(encoding_for_model(model));
}

}  // namespace kt::tokenizer
