#include "policies/content_filter/stream_redactor.hpp"

#include <algorithm>

namespace kt::policies {
namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The length of `text` without a UTF-8 character cut at its end: those bytes wait for the rest
// of the character, so the matchers only ever see whole characters.
std::size_t whole_characters(std::string_view text) {
  std::size_t j = text.size();
  while (j > 0 && text.size() - j < 4 && continuation(text[j - 1])) --j;
  if (j == 0) return text.size();
  auto lead = static_cast<unsigned char>(text[j - 1]);
  std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return j - 1 + need > text.size() ? j - 1 : text.size();
}

}  // namespace

std::string ContentStreamRedactor::feed(std::string_view piece) {
  buf_.append(piece);
  return step(false);
}

std::string ContentStreamRedactor::finish() { return step(true); }

std::string ContentStreamRedactor::step(bool final) {
  spans_.clear();
  const std::size_t usable = final ? buf_.size() : std::max(start_, whole_characters(buf_));
  std::size_t commit = filter_.spans(std::string_view(buf_).substr(0, usable), start_, !final, spans_);
  if (!final) {
    // Never split a UTF-8 character: each returned piece is valid text on its own.
    while (commit > start_ && commit < buf_.size() && continuation(buf_[commit])) --commit;
    // A finished span that reaches past the commit point could still merge with a later match.
    for (const auto& s : spans_)
      if (s.begin < commit && s.end > commit) {
        commit = s.begin;
        break;
      }
    if (buf_.size() - commit > ContentFilter::kMaxHeldBytes) return step(true);  // the documented cap
  }
  for (const auto& s : spans_)
    if (s.end <= commit) matched_ |= s.labels;
  std::string out = filter_.render(buf_, start_, commit, spans_);
  // Keep the bytes that decide the next matches' boundaries, drop the rest.
  std::size_t keep_from = commit - std::min(commit, filter_.context_bytes());
  buf_.erase(0, keep_from);
  start_ = commit - keep_from;
  return out;
}

}  // namespace kt::policies
