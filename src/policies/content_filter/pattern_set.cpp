#define PCRE2_CODE_UNIT_WIDTH 8
#include "policies/content_filter/pattern_set.hpp"

#include <pcre2.h>

#include <algorithm>
#include <stdexcept>

#include "config/content_pattern.hpp"

namespace kt::policies {
namespace {

// One match data per thread, enough for the whole match (ovector pair 0); the default JIT stack.
pcre2_match_data* match_data() {
  struct Holder {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    ~Holder() { pcre2_match_data_free(data); }
  };
  thread_local Holder h;
  if (!h.data) throw std::bad_alloc();
  return h.data;
}

pcre2_code* code_of(void* p) { return static_cast<pcre2_code*>(p); }

std::size_t next_char(std::string_view text, std::size_t pos) {
  ++pos;
  while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

}  // namespace

PatternSet::PatternSet(const std::vector<config::ContentPattern>& patterns) {
  for (const auto& p : patterns) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.regex.data()), p.regex.size(),
                                     config::content_pattern_options(), &error, &offset, nullptr);
    if (!code) {
      for (void* c : codes_) pcre2_code_free(code_of(c));
      throw std::invalid_argument("content pattern '" + p.name + "' " + config::content_pattern_error(p.regex));
    }
    // Without JIT (unusual builds) the interpreter gives the same matches, only slower.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    uint32_t lookbehind = 0;
    pcre2_pattern_info(code, PCRE2_INFO_MAXLOOKBEHIND, &lookbehind);
    // Characters of up to 4 bytes, plus one for \b.
    context_bytes_ = std::min(kMaxContextBytes, std::max<std::size_t>(context_bytes_, 4 * (std::size_t(lookbehind) + 1)));
    codes_.push_back(code);
  }
}

PatternSet::~PatternSet() {
  for (void* c : codes_) pcre2_code_free(code_of(c));
}

std::size_t PatternSet::scan(std::string_view text, std::size_t from, bool open, std::vector<Match>& out) const {
  pcre2_match_data* md = match_data();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const uint32_t options = open ? PCRE2_PARTIAL_HARD : 0;
  std::size_t frontier = text.size();
  for (uint32_t i = 0; i < codes_.size(); ++i) {
    std::size_t pos = from;
    while (pos <= text.size()) {
      // pcre2_match uses the JIT code when there is one.
      int rc = pcre2_match(code_of(codes_[i]), subject, text.size(), pos, options, md, nullptr);
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      if (rc == PCRE2_ERROR_PARTIAL) {
        frontier = std::min<std::size_t>(frontier, ov[0]);
        break;
      }
      if (rc < 0) break;  // no match, or a resource limit: nothing more from this pattern
      if (ov[1] > ov[0]) {
        out.push_back(Match{i, ov[0], ov[1]});
        pos = ov[1];
      } else {
        pos = next_char(text, ov[0]);  // an empty match (\b alone) redacts nothing
      }
    }
  }
  return frontier;
}

}  // namespace kt::policies
