// printable(): client text made safe for one log line.
#include <gtest/gtest.h>

#include "core/log_text.hpp"

namespace kt {
namespace {

TEST(LogText, PlainTextIsUnchanged) {
  EXPECT_EQ(printable("gpt-4o-mini-2024-07-18"), "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(printable("mod\xC3\xA8le"), "mod\xC3\xA8le");  // UTF-8 stays readable
}

TEST(LogText, LineBreaksAndControlCharactersAreEscaped) {
  std::string forged = printable("gpt-4o\r\nINFO keeptrusts::gateway all good\x1b[2K\x7f\t");
  EXPECT_EQ(forged, "gpt-4o\\r\\nINFO keeptrusts::gateway all good\\x1b[2K\\x7f\\t");
  EXPECT_EQ(forged.find_first_of("\r\n\x1b\x7f\t"), std::string::npos);
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\x00b");
}

TEST(LogText, BackslashesAreDoubledSoEscapesAreUnambiguous) {
  EXPECT_EQ(printable("a\\nb"), "a\\\\nb");  // a real backslash-n, not a newline
  EXPECT_NE(printable("a\\nb"), printable("a\nb"));
}

TEST(LogText, LongTextIsCut) {
  std::string huge(1 << 20, 'x');
  std::string out = printable(huge);
  EXPECT_EQ(out.substr(0, kMaxLoggedTextBytes), std::string(kMaxLoggedTextBytes, 'x'));
  EXPECT_EQ(out.substr(kMaxLoggedTextBytes), "...(" + std::to_string((1 << 20) - kMaxLoggedTextBytes) + " more bytes)");
  EXPECT_EQ(printable("abcdef", 3), "abc...(3 more bytes)");
}

}  // namespace
}  // namespace kt
