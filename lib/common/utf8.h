#pragma once

// UTF-8 checks for strings that cross a process boundary. Protobuf checks
// proto3 strings when it parses and serializes, but not proto2 ones (the
// Kubernetes types), JSON libraries throw on invalid UTF-8 by default, and
// PostgreSQL refuses it in text columns: so every string from outside is
// either refused (submit) or repaired (the executor's reports) here.

#include <cstddef>
#include <string>
#include <string_view>

namespace armada::common {

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). NUL bytes are valid UTF-8.
bool IsValidUtf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD (one per maximal
// ill-formed subpart, as the Unicode standard recommends). Valid input comes
// back unchanged.
std::string SanitizeUtf8(std::string_view text);

// `text` for an error message: quoted, valid printable characters kept,
// control characters, quotes, backslashes and bytes that are not UTF-8
// written as C escapes (\n, \", \xff), cut after `max_bytes` input bytes
// with "..." appended.
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 200);

}  // namespace armada::common
