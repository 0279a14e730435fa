#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenizer.hpp"

#include <pcre2.h>

#include <stdexcept>

namespace kt::tokenizer {
namespace {

// Per-thread PCRE2 scratch: match data and a JIT stack big enough for long whitespace runs
// (the default 32 KiB stack overflows on `\s+(?!\S)` over tens of thousands of spaces).
struct ThreadScratch {
  pcre2_match_data* match = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;

  ThreadScratch() {
    match = pcre2_match_data_create(1, nullptr);
    context = pcre2_match_context_create(nullptr);
    jit_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
    if (!match || !context || !jit_stack) throw std::bad_alloc();
    pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~ThreadScratch() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(match);
  }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
};

ThreadScratch& scratch() {
  thread_local ThreadScratch s;
  return s;
}

}  // namespace

struct Pretokenizer::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

Pretokenizer::Pretokenizer(const std::string& pattern) : compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // DOLLAR_ENDONLY: `$` means the end of the text, as in the Rust and JavaScript regex engines.
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &error, &offset, nullptr);
  if (!compiled_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(error, msg, sizeof msg);
    throw std::runtime_error("tokenizer: split pattern does not compile at " + std::to_string(offset) + ": " +
                             reinterpret_cast<const char*>(msg));
  }
  // Without JIT support (unusual builds) the interpreter gives the same results, only slower.
  compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

Pretokenizer::~Pretokenizer() = default;

bool Pretokenizer::next(std::string_view text, size_t from, size_t& begin, size_t& end) const {
  ThreadScratch& s = scratch();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc;
  if (compiled_->jit) {
    rc = pcre2_jit_match(compiled_->code, subject, text.size(), from, PCRE2_NO_UTF_CHECK, s.match, s.context);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)  // e.g. JIT stack exhausted: retry with the interpreter
      rc = pcre2_match(compiled_->code, subject, text.size(), from, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, s.match,
                       s.context);
  } else {
    rc = pcre2_match(compiled_->code, subject, text.size(), from, PCRE2_NO_UTF_CHECK, s.match, s.context);
  }
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) {
    // Resource limits hit even by the interpreter: never crash, degrade to the rest as one piece.
    begin = from;
    end = text.size();
    return true;
  }
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(s.match);
  begin = ov[0];
  end = ov[1];
  if (end <= begin) {  // the split patterns never match empty; guard against looping anyway
    begin = from;
    end = from + 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  }
  return true;
}

}  // namespace kt::tokenizer
