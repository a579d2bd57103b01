#include "lib/common/utf8.h"

#include <string>

#include <catch2/catch.hpp>

namespace armada::common {
namespace {

using namespace std::string_literals;

TEST_CASE("IsValidUtf8 accepts well-formed UTF-8, NULs included") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK(IsValidUtf8("a\0b"s));
  CHECK(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST_CASE("IsValidUtf8 refuses ill-formed sequences") {
  CHECK_FALSE(IsValidUtf8("\xFF"));
  CHECK_FALSE(IsValidUtf8("\x80"));              // lone continuation
  CHECK_FALSE(IsValidUtf8("\xC3"));              // truncated
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("ok\xE2\x82"));        // truncated at the end
}

TEST_CASE("SanitizeUtf8 replaces each maximal ill-formed subpart with U+FFFD") {
  CHECK(SanitizeUtf8("fine") == "fine");
  CHECK(SanitizeUtf8("a\xFF"
                     "b") ==
        "a\xEF\xBF\xBD"
        "b");
  // A truncated 3-byte sequence is one subpart, so one replacement.
  CHECK(SanitizeUtf8("\xE2\x82z") == "\xEF\xBF\xBDz");
  CHECK(SanitizeUtf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(IsValidUtf8(SanitizeUtf8("\xF0\x9F\x98 \xFE\xFF \xED\xA0\x80")));
}

TEST_CASE("QuoteForMessage escapes what a reader could not see") {
  CHECK(QuoteForMessage("abc") == "\"abc\"");
  CHECK(QuoteForMessage("/tmp/\xFF\xFE") == "\"/tmp/\\xff\\xfe\"");
  CHECK(QuoteForMessage("a\0\"\n"s) == "\"a\\x00\\\"\\n\"");
  CHECK(QuoteForMessage("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(QuoteForMessage(std::string(300, 'x'), 10) == "\"xxxxxxxxxx\"...");
}

}  // namespace
}  // namespace armada::common
