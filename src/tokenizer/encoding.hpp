#pragma once
// One tiktoken-compatible BPE encoding (o200k_base or cl100k_base).
//
// encode()/count() treat the whole input as ordinary text: a special token such as "<|endoftext|>"
// inside a prompt is counted as the characters it is made of, which is how the provider bills text
// that a client sends. encode_with_special_tokens() recognises them instead.
//
// Invalid UTF-8 never crashes: every maximal ill-formed subsequence is replaced with U+FFFD before
// splitting (the provider would see the same replacement character after decoding the request),
// so decode(encode(x)) == x holds only for valid UTF-8 x.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/rank_table.hpp"

namespace kt::tokenizer {

class Encoding {
 public:
  // name: "o200k_base" | "cl100k_base"; reads <data_dir>/<name>.tiktoken.
  // Throws std::invalid_argument for an unknown name, std::runtime_error when the file is
  // missing or malformed.
  static std::shared_ptr<const Encoding> load(const std::string& name, const std::string& data_dir);

  std::vector<uint32_t> encode(std::string_view text) const;
  size_t count(std::string_view text) const;
  // Like encode(), but the encoding's special tokens in `text` become their ids.
  std::vector<uint32_t> encode_with_special_tokens(std::string_view text) const;
  // Throws std::out_of_range for an id that is neither a rank nor a special token.
  std::string decode(const std::vector<uint32_t>& tokens) const;

  const std::string& name() const noexcept { return name_; }
  const RankTable& ranks() const noexcept { return ranks_; }
  const std::vector<std::pair<std::string, uint32_t>>& special_tokens() const noexcept { return specials_; }
  // The split regex used by the pre-tokenizer.
  const std::string& pattern() const noexcept { return pattern_; }

  Encoding(std::string name, std::string pattern, RankTable ranks,
           std::vector<std::pair<std::string, uint32_t>> specials);

 private:
  template <typename F>
  void for_each_piece(std::string_view text, F&& f) const;
  void encode_ordinary_into(std::string_view text, std::vector<uint32_t>& out) const;

  std::string name_;
  std::string pattern_;
  RankTable ranks_;
  Pretokenizer pretokenizer_;
  std::vector<std::pair<std::string, uint32_t>> specials_;
};

// The split patterns, exactly as OpenAI's tiktoken (and the tiktoken@1.0.22 npm build) define them.
extern const char* const kCl100kPattern;
extern const char* const kO200kPattern;

}  // namespace kt::tokenizer
