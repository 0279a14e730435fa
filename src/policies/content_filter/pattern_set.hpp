#pragma once
// A content_filter's custom patterns (PCRE2, JIT-compiled once at construction, shared read-only
// by every thread; per-thread match data, so a scan allocates nothing after a thread's first).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"

namespace kt::policies {

class PatternSet {
 public:
  struct Match {
    uint32_t pattern;  // index into the configured patterns
    std::size_t begin, end;
  };
  // Throws std::invalid_argument naming the pattern when it does not compile.
  explicit PatternSet(const std::vector<config::ContentPattern>& patterns);
  ~PatternSet();
  PatternSet(const PatternSet&) = delete;
  PatternSet& operator=(const PatternSet&) = delete;

  bool empty() const { return codes_.empty(); }
  // Appends each pattern's matches in text[from..) (per pattern left to right, not overlapping;
  // the bytes before `from` are seen by lookbehinds and \b). With `open`, the text may go on: a
  // match more text could change (PCRE2's hard partial match) is not reported, and the lowest
  // start of such a match is returned; otherwise (and when there is none) text.size().
  std::size_t scan(std::string_view text, std::size_t from, bool open, std::vector<Match>& out) const;
  // How many bytes before a scan's start a lookbehind may read (at most kMaxContextBytes).
  std::size_t context_bytes() const { return context_bytes_; }
  static constexpr std::size_t kMaxContextBytes = 256;

 private:
  std::vector<void*> codes_;  // pcre2_code*, one per pattern
  std::size_t context_bytes_ = 4;
};

}  // namespace kt::policies
