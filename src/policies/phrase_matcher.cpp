#include "policies/phrase_matcher.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace kt::policies {
namespace {

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
// Bytes >= 0x80 (UTF-8) count as boundaries: "suicide😢" still matches; letters like "é" are rare
// right next to an English term.
bool is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string PhraseMatcher::normalise(std::string_view phrase) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : phrase) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

PhraseMatcher::PhraseMatcher(const std::vector<std::string>& phrases) {
  std::array<uint8_t, 256> folded_class{};  // folded byte -> class
  std::vector<std::string> norm;
  norm.reserve(phrases.size());
  for (const std::string& p : phrases) {
    norm.push_back(normalise(p));
    for (unsigned char c : norm.back())
      if (folded_class[c] == 0) folded_class[c] = static_cast<uint8_t>(classes_++);
    const std::string& n = norm.back();
    lengths_.push_back(static_cast<uint32_t>(n.size()));
    max_depth_ = std::max(max_depth_, static_cast<uint32_t>(n.size()));
    word_edges_.push_back(n.empty() ? 0
                                    : uint8_t((is_word(n.front()) ? 1 : 0) | (is_word(n.back()) ? 2 : 0)));
  }
  for (int b = 0; b < 256; ++b) {
    unsigned char c = static_cast<unsigned char>(b);
    space_[b] = is_space(c);
    class_[b] = folded_class[is_space(c) ? ' ' : (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c];
  }

  // 1. Trie (missing edges are -1).
  std::vector<int32_t> trie(classes_, -1);
  std::vector<uint8_t> label(1, 0);  // class of the character that leads into each state
  output_.assign(1, -1);
  depth_.assign(1, 0);
  for (std::size_t id = 0; id < norm.size(); ++id) {
    if (norm[id].empty()) continue;
    int32_t s = 0;
    for (unsigned char c : norm[id]) {
      int32_t& edge = trie[std::size_t(s) * classes_ + folded_class[c]];
      if (edge < 0) {
        edge = static_cast<int32_t>(output_.size());
        output_.push_back(-1);
        depth_.push_back(depth_[s] + 1);
        label.push_back(folded_class[c]);
        trie.resize(trie.size() + classes_, -1);
      }
      s = trie[std::size_t(s) * classes_ + folded_class[c]];
    }
    if (output_[s] < 0) output_[s] = static_cast<int32_t>(id);
  }
  // 2. Breadth-first: failure links turn the trie into a full DFA; dictionary links chain outputs.
  const std::size_t states = output_.size();
  std::vector<int32_t> next(states * classes_, 0);
  dict_link_.assign(states, -1);
  std::vector<int32_t> fail(states, 0);
  std::deque<int32_t> queue;
  for (uint32_t c = 0; c < classes_; ++c) {
    int32_t t = trie[c];
    if (t > 0) {
      next[c] = t;
      queue.push_back(t);
    }
  }
  while (!queue.empty()) {
    int32_t s = queue.front();
    queue.pop_front();
    for (uint32_t c = 0; c < classes_; ++c) {
      int32_t t = trie[std::size_t(s) * classes_ + c];
      int32_t via_fail = next[std::size_t(fail[s]) * classes_ + c];
      if (t < 0) {
        next[std::size_t(s) * classes_ + c] = via_fail;
        continue;
      }
      next[std::size_t(s) * classes_ + c] = t;
      fail[t] = via_fail;
      dict_link_[t] = output_[via_fail] >= 0 ? via_fail : dict_link_[via_fail];
      queue.push_back(t);
    }
  }
  // 3. A whitespace run is fed as one space: a state entered on a space stays put on another one
  //    (every transition into a state carries that state's last character).
  if (const uint32_t space = folded_class[' ']; space != 0)
    for (std::size_t s = 1; s < states; ++s)
      if (label[s] == space) next[s * classes_ + space] = static_cast<int32_t>(s);
  // 4. The scan's table: rows pre-multiplied, flagged where some phrase ends.
  if (states * classes_ >= kHasOutput) throw std::length_error("content filter lexicon is too large");
  delta_.resize(next.size());
  for (std::size_t i = 0; i < next.size(); ++i) {
    auto t = static_cast<std::size_t>(next[i]);
    bool out = output_[t] >= 0 || dict_link_[t] >= 0;
    delta_[i] = static_cast<uint32_t>(t * classes_) | (out ? kHasOutput : 0u);
  }
}

// Walks back from `pos` over `chars` normalised characters (a whitespace run counts once), never
// past `from`: where a phrase ending at `pos` begins, where a scan must start to be in the right
// state at `pos`, and where the open part of a text begins.
std::size_t PhraseMatcher::back_over(std::string_view text, std::size_t from, std::size_t pos, uint32_t chars) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (uint32_t counted = 0; counted < chars && pos > from; ++counted) {
    --pos;
    if (space_[bytes[pos]])
      while (pos > from && space_[bytes[pos - 1]]) --pos;
  }
  return pos;
}

void PhraseMatcher::report(std::string_view text, std::size_t end, std::size_t state, std::vector<Hit>& hits) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (int32_t s = output_[state] >= 0 ? static_cast<int32_t>(state) : dict_link_[state]; s >= 0; s = dict_link_[s]) {
    uint32_t id = static_cast<uint32_t>(output_[s]);
    std::size_t begin = back_over(text, 0, end, lengths_[id]);
    bool start_ok = !(word_edges_[id] & 1) || begin == 0 || !is_word(bytes[begin - 1]);
    bool end_ok = !(word_edges_[id] & 2) || end == text.size() || !is_word(bytes[end]);
    if (start_ok && end_ok) hits.push_back(Hit{id, begin, end});
  }
}

std::size_t PhraseMatcher::scan_open(std::string_view text, std::size_t from, std::vector<Hit>& hits,
                                     std::size_t split_at_least) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const uint32_t* delta = delta_.data();
  const uint8_t* cls = class_.data();
  const std::size_t n = text.size();
  uint32_t row = 0;  // state * classes_
  std::size_t i = from;
  // Two lanes: [from, mid) and [start_b, n), where start_b backs off from mid far enough that
  // lane B is in the true state from mid on. Lane B's hits that end by mid are lane A's too.
  if (n > from && n - from >= split_at_least) {
    const std::size_t mid = from + (n - from) / 2;
    const std::size_t start_b = back_over(text, from, mid, max_depth_);
    if (start_b > from) {
      std::vector<Hit> hits_b;
      uint32_t row_b = 0;
      std::size_t j = start_b;
      for (; i < mid; ++i, ++j) {
        const uint32_t step_a = delta[row + cls[bytes[i]]];
        const uint32_t step_b = delta[row_b + cls[bytes[j]]];
        row = step_a & ~kHasOutput;
        row_b = step_b & ~kHasOutput;
        if (!((step_a | step_b) & kHasOutput)) continue;
        if (step_a & kHasOutput) report(text, i + 1, row / classes_, hits);
        if ((step_b & kHasOutput) && j + 1 > mid) report(text, j + 1, row_b / classes_, hits_b);
      }
      // Lane A is done at mid; lane B (at j >= mid) carries on alone to the end.
      hits.insert(hits.end(), hits_b.begin(), hits_b.end());
      i = j;
      row = row_b;
    }
  }
  for (; i < n; ++i) {
    const uint32_t step = delta[row + cls[bytes[i]]];
    row = step & ~kHasOutput;
    if (step & kHasOutput) report(text, i + 1, row / classes_, hits);
  }
  // The open part: the last `depth` normalised characters (a whitespace run is one). A hit that
  // ends at the end is inside it (the state's text has that phrase as a suffix).
  return back_over(text, from, n, depth_[row / classes_]);
}

}  // namespace kt::policies
