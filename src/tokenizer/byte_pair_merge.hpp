#pragma once
// Byte-pair merging of one pre-tokenized piece, exactly as tiktoken does it: start from single
// bytes and repeatedly merge the adjacent pair whose concatenation has the lowest rank (leftmost on
// ties) until no adjacent pair is a known token.
#include <string_view>
#include <vector>

#include "tokenizer/rank_table.hpp"

namespace kt::tokenizer {

// Pieces at least this long use the O(n log n) heap merge instead of the O(n^2) scan.
inline constexpr size_t kLongPiece = 192;

// Appends the tokens of `piece` (non-empty) to `out`.
void encode_piece(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out);
// The number of tokens encode_piece would append.
size_t count_piece(const RankTable& ranks, std::string_view piece);

// The two strategies, exposed so tests can check that they agree on any input.
void merge_quadratic(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out);
void merge_heap(const RankTable& ranks, std::string_view piece, std::vector<Rank>& out);

}  // namespace kt::tokenizer
