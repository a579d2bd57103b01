#include "lib/common/utf8.h"

#include <cstdint>
#include <cstdio>

namespace armada::common {
namespace {

// Length of the well-formed UTF-8 sequence at text[i], or 0 if the bytes
// there are not one. `*subpart` gets the length of the maximal ill-formed
// subpart (at least 1) when the answer is 0.
size_t SequenceLength(std::string_view text, size_t i, size_t* subpart) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  *subpart = 1;
  if (b0 < 0x80) return 1;
  size_t length;
  uint8_t low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;   // overlong
    if (b0 == 0xED) high = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;   // overlong
    if (b0 == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return 0;
    const uint8_t b = byte(i + k);
    const bool ok = k == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return 0;
    *subpart = k + 1;
  }
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t subpart = 0;
    const size_t n = SequenceLength(text, i, &subpart);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    size_t subpart = 0;
    const size_t n = SequenceLength(text, i, &subpart);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      i += subpart;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  std::string out = "\"";
  size_t i = 0;
  const size_t end = std::min(text.size(), max_bytes);
  while (i < end) {
    size_t subpart = 0;
    const size_t n = SequenceLength(text, i, &subpart);
    const uint8_t b = static_cast<uint8_t>(text[i]);
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (b) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\r':
        out += "\\r";
        continue;
      default:
        break;
    }
    if (n == 1 && b >= 0x20 && b != 0x7F) {
      out += static_cast<char>(b);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", b);
      out += escaped;
    }
  }
  out += "\"";
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace armada::common
