#include "policies/phrase_matcher.hpp"

#include <algorithm>
#include <deque>

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
  for (int b = 0; b < 256; ++b) {
    unsigned char c = static_cast<unsigned char>(b);
    fold_[b] = is_space(c) ? ' ' : (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
  }
  std::vector<std::string> norm;
  norm.reserve(phrases.size());
  std::size_t longest = 1;
  for (const std::string& p : phrases) {
    norm.push_back(normalise(p));
    longest = std::max(longest, norm.back().size());
    for (unsigned char c : norm.back())
      if (class_[c] == 0) class_[c] = static_cast<uint8_t>(classes_++);
    const std::string& n = norm.back();
    lengths_.push_back(static_cast<uint32_t>(n.size()));
    word_edges_.push_back(n.empty() ? 0
                                    : uint8_t((is_word(n.front()) ? 1 : 0) | (is_word(n.back()) ? 2 : 0)));
  }
  std::size_t ring = 1;
  while (ring < longest + 1) ring <<= 1;
  ring_mask_ = ring - 1;

  // 1. Trie (missing edges are -1).
  std::vector<int32_t> trie(classes_, -1);
  output_.assign(1, -1);
  for (std::size_t id = 0; id < norm.size(); ++id) {
    if (norm[id].empty()) continue;
    int32_t s = 0;
    for (unsigned char c : norm[id]) {
      int32_t& edge = trie[std::size_t(s) * classes_ + class_[c]];
      if (edge < 0) {
        edge = static_cast<int32_t>(output_.size());
        output_.push_back(-1);
        trie.resize(trie.size() + classes_, -1);
      }
      s = trie[std::size_t(s) * classes_ + class_[c]];
    }
    if (output_[s] < 0) output_[s] = static_cast<int32_t>(id);
  }
  // 2. Breadth-first: failure links turn the trie into a full DFA; dictionary links chain outputs.
  const std::size_t states = output_.size();
  delta_.assign(states * classes_, 0);
  dict_link_.assign(states, -1);
  std::vector<int32_t> fail(states, 0);
  std::deque<int32_t> queue;
  for (uint32_t c = 0; c < classes_; ++c) {
    int32_t t = trie[c];
    if (t > 0) {
      delta_[c] = t;
      queue.push_back(t);
    }
  }
  while (!queue.empty()) {
    int32_t s = queue.front();
    queue.pop_front();
    for (uint32_t c = 0; c < classes_; ++c) {
      int32_t t = trie[std::size_t(s) * classes_ + c];
      int32_t via_fail = delta_[std::size_t(fail[s]) * classes_ + c];
      if (t < 0) {
        delta_[std::size_t(s) * classes_ + c] = via_fail;
        continue;
      }
      delta_[std::size_t(s) * classes_ + c] = t;
      fail[t] = via_fail;
      dict_link_[t] = output_[via_fail] >= 0 ? via_fail : dict_link_[via_fail];
      queue.push_back(t);
    }
  }
}

void PhraseMatcher::scan(std::string_view text, std::vector<Hit>& hits) const {
  // Offsets of the last few fed bytes, so a hit's start can be found although whitespace runs
  // were collapsed (the normalised length no longer equals the byte length).
  std::array<std::size_t, 256> small_ring;
  std::vector<std::size_t> big_ring;
  std::size_t* ring = small_ring.data();
  if (ring_mask_ >= small_ring.size()) {
    big_ring.resize(ring_mask_ + 1);
    ring = big_ring.data();
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t fed = 0;
  int32_t state = 0;
  bool last_space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = fold_[bytes[i]];
    if (c == ' ') {
      if (last_space) continue;
      last_space = true;
    } else {
      last_space = false;
    }
    ring[fed & ring_mask_] = i;
    ++fed;
    state = delta_[std::size_t(state) * classes_ + class_[c]];
    for (int32_t s = output_[state] >= 0 ? state : dict_link_[state]; s >= 0; s = dict_link_[s]) {
      uint32_t id = static_cast<uint32_t>(output_[s]);
      std::size_t begin = ring[(fed - lengths_[id]) & ring_mask_], end = i + 1;
      bool start_ok = !(word_edges_[id] & 1) || begin == 0 || !is_word(bytes[begin - 1]);
      bool end_ok = !(word_edges_[id] & 2) || end == text.size() || !is_word(bytes[end]);
      if (start_ok && end_ok) hits.push_back(Hit{id, begin, end});
    }
  }
}

}  // namespace kt::policies
