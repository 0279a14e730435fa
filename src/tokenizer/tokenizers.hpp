#pragma once
// Which encoding a model uses, where the rank files live, and a process-wide registry that loads
// each encoding once.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "tokenizer/encoding.hpp"

namespace kt::tokenizer {

// gpt-4o*, gpt-4.1*, gpt-5*, o1*, o3*, o4*, chatgpt-4o* -> "o200k_base";
// gpt-4*, gpt-3.5* (and Azure's gpt-35*), text-embedding-3*, text-embedding-ada-002 -> "cl100k_base";
// anything else -> "o200k_base" (the encoding of every current OpenAI model).
// A fine-tune ("ft:gpt-4o-mini:org::id") or a routed name ("openai/gpt-4o") maps like its base model.
std::string encoding_for_model(std::string_view model);

// $KT_TOKENIZER_DATA when set; else the first existing of <dir of the executable>/../third_party/
// tokenizer-data and <source dir>/third_party/tokenizer-data; else
// /usr/local/share/keeptrusts/tokenizer-data (returned even when missing so errors name it).
std::string default_data_dir();

// Thread-safe: concurrent callers share one loaded Encoding per name.
class Tokenizers {
 public:
  explicit Tokenizers(std::string data_dir);

  std::shared_ptr<const Encoding> for_model(std::string_view model);
  // By encoding name ("o200k_base" | "cl100k_base"); throws like Encoding::load.
  std::shared_ptr<const Encoding> get(const std::string& encoding_name);
  const std::string& data_dir() const noexcept { return data_dir_; }

 private:
  std::string data_dir_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Encoding>, std::less<>> loaded_;
};

}  // namespace kt::tokenizer
