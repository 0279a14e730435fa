#pragma once
// Multi-phrase search: every phrase is found in one pass over the text with an Aho-Corasick
// automaton compiled once (a dense DFA over a reduced alphabet). Matching is ASCII case-insensitive,
// treats any run of whitespace as one space, and reports a phrase only at word boundaries, so
// "kill" is not found in "skill" or "killer".
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kt::policies {

class PhraseMatcher {
 public:
  struct Hit {
    uint32_t phrase;     // index into the phrases given to the constructor
    std::size_t begin;   // byte offsets in the scanned text, [begin, end)
    std::size_t end;
  };

  // Phrases are normalised (lower-cased, whitespace collapsed, trimmed); empty ones never match.
  // Duplicate phrases (after normalisation) report the first index.
  explicit PhraseMatcher(const std::vector<std::string>& phrases);

  // Appends every hit in `text`, in order of their end offsets. Thread-safe (const, no shared state).
  void scan(std::string_view text, std::vector<Hit>& hits) const;

  std::size_t phrase_count() const { return lengths_.size(); }
  static std::string normalise(std::string_view phrase);

 private:
  std::array<uint8_t, 256> fold_{};   // byte -> lower-case ASCII, whitespace -> ' '
  std::array<uint8_t, 256> class_{};  // folded byte -> alphabet class (0: in no phrase)
  uint32_t classes_ = 1;
  std::vector<int32_t> delta_;        // state * classes_ + class -> next state
  std::vector<int32_t> output_;       // phrase ending exactly at this state, or -1
  std::vector<int32_t> dict_link_;    // nearest proper-suffix state with an output, or -1
  std::vector<uint32_t> lengths_;     // normalised length of each phrase
  std::vector<uint8_t> word_edges_;   // bit 0: phrase starts with a word char, bit 1: ends with one
  std::size_t ring_mask_ = 0;         // ring of recent byte offsets, >= longest phrase
};

}  // namespace kt::policies
