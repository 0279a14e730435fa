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
  void scan(std::string_view text, std::vector<Hit>& hits) const { scan_open(text, 0, hits); }

  // Scans text[from..): the bytes before `from` only decide word boundaries. Returns where a
  // phrase that more text could still complete begins (a suffix of the text that is a prefix of
  // some phrase, or a hit touching the end whose right boundary is not known yet): text.size()
  // when there is none. A stream holds back from there.
  //
  // A text of at least `split_at_least` bytes is scanned as two halves in one interleaved loop
  // (two independent chains of table loads: the scan is bound by their latency, not by the
  // instructions). The second half starts far enough back to see every phrase that crosses the
  // split, so the hits and the result are the same; tests pass SIZE_MAX to compare.
  std::size_t scan_open(std::string_view text, std::size_t from, std::vector<Hit>& hits,
                        std::size_t split_at_least = kSplitBytes) const;
  static constexpr std::size_t kSplitBytes = 256;

  static std::string normalise(std::string_view phrase);

 private:
  // The scan's inner loop is two dependent loads per byte: the byte's class, then the next
  // transition (already multiplied by classes_, with kHasOutput set where a phrase ends).
  static constexpr uint32_t kHasOutput = 0x80000000u;
  // Walks back from `pos` over `chars` normalised characters (a whitespace run counts once), not
  // past `from`.
  std::size_t back_over(std::string_view text, std::size_t from, std::size_t pos, uint32_t chars) const;
  // Appends the hits that end at byte `end` - 1 in `state` (at least one phrase ends there).
  void report(std::string_view text, std::size_t end, std::size_t state, std::vector<Hit>& hits) const;

  std::array<uint8_t, 256> class_{};      // byte -> alphabet class of its folded form (0: in no phrase)
  std::array<bool, 256> space_{};         // whitespace bytes (runs of them count as one space)
  uint32_t classes_ = 1;
  std::vector<uint32_t> delta_;           // state * classes_ + class -> next state * classes_ | kHasOutput
  std::vector<int32_t> output_;           // phrase ending exactly at this state, or -1
  std::vector<uint32_t> depth_;           // normalised length of the text this state has read
  std::vector<int32_t> dict_link_;        // nearest proper-suffix state with an output, or -1
  std::vector<uint32_t> lengths_;         // normalised length of each phrase
  std::vector<uint8_t> word_edges_;       // bit 0: phrase starts with a word char, bit 1: ends with one
  uint32_t max_depth_ = 0;                // the longest phrase's normalised length
};

}  // namespace kt::policies
