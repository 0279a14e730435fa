#include "tokenizer/byte_pair_merge.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <stdexcept>

namespace kt::tokenizer {
namespace {

// A byte with no rank cannot happen with OpenAI's files (all 256 single bytes are tokens); a
// corrupted file must not silently produce token 4294967295, though.
[[noreturn]] void unknown_byte() { throw std::runtime_error("tokenizer: a single byte has no rank"); }

struct Part {
  uint32_t start;
  Rank pair_rank;  // rank of this segment joined with the next one, kNoRank if none
  Rank seg_rank;   // rank of this segment itself
};

// tiktoken's algorithm over a flat array: cache-friendly and fastest for typical short pieces.
template <typename Emit>
void quadratic(const RankTable& t, std::string_view piece, Emit&& emit) {
  const char* p = piece.data();
  const size_t n = piece.size();
  thread_local std::vector<Part> buffer;
  if (buffer.size() < n + 1) buffer.resize(std::max<size_t>(n + 1, 64));
  Part* parts = buffer.data();

  for (size_t i = 0; i < n; ++i) {
    const Rank byte_rank = t.find(p + i, 1);
    if (byte_rank == kNoRank) unknown_byte();
    parts[i] = Part{static_cast<uint32_t>(i), i + 1 < n ? t.find(p + i, 2) : kNoRank, byte_rank};
  }
  parts[n] = Part{static_cast<uint32_t>(n), kNoRank, kNoRank};
  size_t len = n + 1;  // parts[len-1] is the end sentinel

  for (;;) {
    Rank best = kNoRank;
    size_t at = 0;
    for (size_t i = 0; i + 1 < len; ++i) {
      if (parts[i].pair_rank < best) {
        best = parts[i].pair_rank;
        at = i;
      }
    }
    if (best == kNoRank) break;
    // Merge parts[at] with parts[at+1]; the new segment ends at parts[at+2].start.
    parts[at].seg_rank = best;
    parts[at].pair_rank =
        at + 3 < len ? t.find(p + parts[at].start, parts[at + 3].start - parts[at].start) : kNoRank;
    if (at > 0)
      parts[at - 1].pair_rank = t.find(p + parts[at - 1].start, parts[at + 2].start - parts[at - 1].start);
    std::copy(parts + at + 2, parts + len, parts + at + 1);
    --len;
  }
  for (size_t i = 0; i + 1 < len; ++i) emit(parts[i].seg_rank);
}

// Linked segments plus a min-heap of candidate pairs ordered by (rank, start): the same merge
// order as the scan (lowest rank, leftmost first) in O(n log n) for long pieces. Stale heap
// entries are recognised by their recorded end and skipped.
template <typename Emit>
void heap(const RankTable& t, std::string_view piece, Emit&& emit) {
  const char* p = piece.data();
  const auto n = static_cast<uint32_t>(piece.size());
  struct Candidate {
    Rank rank;
    uint32_t start;
    uint32_t end;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : start > o.start; }
  };
  std::vector<uint32_t> next(n), prev(n);
  std::vector<Rank> seg(n);
  std::vector<uint8_t> alive(n, 1);
  std::vector<Candidate> storage;
  storage.reserve(n);
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue(std::greater<>{},
                                                                               std::move(storage));
  for (uint32_t i = 0; i < n; ++i) {
    next[i] = i + 1;
    prev[i] = i == 0 ? UINT32_MAX : i - 1;
    seg[i] = t.find(p + i, 1);
    if (seg[i] == kNoRank) unknown_byte();
    if (i + 1 < n) {
      const Rank r = t.find(p + i, 2);
      if (r != kNoRank) queue.push({r, i, i + 2});
    }
  }
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    const uint32_t right = alive[c.start] ? next[c.start] : n;
    if (right >= n || next[right] != c.end) continue;  // stale: a side was merged meanwhile
    // Merge [start, right) and [right, end).
    alive[right] = 0;
    seg[c.start] = c.rank;
    next[c.start] = c.end;
    if (c.end < n) {
      prev[c.end] = c.start;
      const uint32_t after = next[c.end];
      const Rank r = t.find(p + c.start, after - c.start);
      if (r != kNoRank) queue.push({r, c.start, after});
    }
    if (c.start > 0) {
      const uint32_t before = prev[c.start];
      const Rank r = t.find(p + before, c.end - before);
      if (r != kNoRank) queue.push({r, before, c.end});
    }
  }
  for (uint32_t i = 0; i < n; i = next[i]) emit(seg[i]);
}

template <typename Emit>
void merge(const RankTable& t, std::string_view piece, Emit&& emit) {
  // Most pieces of natural text are whole tokens: one lookup and done.
  const Rank whole = t.find(piece);
  if (whole != kNoRank) {
    emit(whole);
    return;
  }
  if (piece.size() < kLongPiece)
    quadratic(t, piece, emit);
  else
    heap(t, piece, emit);
}

}  // namespace

void encode_piece(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out) {
  merge(ranks, piece, [&](Rank r) { out.push_back(r); });
}

size_t count_piece(const RankTable& ranks, std::string_view piece) {
  size_t count = 0;
  merge(ranks, piece, [&](Rank) { ++count; });
  return count;
}

void merge_quadratic(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out) {
  if (!piece.empty()) quadratic(ranks, piece, [&](Rank r) { out.push_back(r); });
}

void merge_heap(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out) {
  if (!piece.empty()) heap(ranks, piece, [&](Rank r) { out.push_back(r); });
}

}  // namespace kt::tokenizer
