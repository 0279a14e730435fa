#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/content_pattern.hpp"

#include <pcre2.h>

namespace kt::config {

uint32_t content_pattern_options() { return PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF; }

std::string content_pattern_error(std::string_view regex) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                   content_pattern_options(), &error, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(error, msg, sizeof msg);
    return "does not compile at offset " + std::to_string(offset) + ": " + reinterpret_cast<const char*>(msg);
  }
  pcre2_match_data* match = pcre2_match_data_create(1, nullptr);
  int rc = match ? pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(""), 0, 0, 0, match, nullptr) : PCRE2_ERROR_NOMEMORY;
  pcre2_match_data_free(match);
  pcre2_code_free(code);
  if (rc >= 0) return "matches the empty string";
  return "";
}

}  // namespace kt::config
