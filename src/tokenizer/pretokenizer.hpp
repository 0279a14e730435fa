#pragma once
// The pre-tokenizer: splits text into the pieces that BPE merges independently, with the
// encoding's split regex (PCRE2 in UTF + UCP mode, JIT compiled once per pattern).
#include <memory>
#include <string>
#include <string_view>

namespace kt::tokenizer {

class Pretokenizer {
 public:
  // Throws std::runtime_error when the pattern does not compile.
  explicit Pretokenizer(const std::string& pattern);
  ~Pretokenizer();
  Pretokenizer(const Pretokenizer&) = delete;
  Pretokenizer& operator=(const Pretokenizer&) = delete;

  // Finds the next piece at or after `from`. `text` MUST be valid UTF-8 (see utf8.hpp): the UTF
  // check is skipped because it would otherwise rescan the whole text for every piece.
  // Returns false when there is no further piece. Thread-safe (match data is per thread).
  bool next(std::string_view text, size_t from, size_t& begin, size_t& end) const;

  // Calls f(std::string_view piece) for every piece of valid UTF-8 `text`.
  template <typename F>
  void for_each_piece(std::string_view text, F&& f) const {
    size_t pos = 0, begin = 0, end = 0;
    while (pos < text.size() && next(text, pos, begin, end)) {
      f(text.substr(begin, end - begin));
      pos = end;
    }
  }

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace kt::tokenizer
