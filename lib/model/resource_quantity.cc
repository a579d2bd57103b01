#include "lib/model/resource_quantity.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"

namespace armada::model {
namespace {

// A number as scanned: value = sign * digits * 10^exp10 * 1024^binary_power, in milli-units.
struct Scanned {
  bool negative = false;
  std::string digits;  // Every mantissa digit, integer part then fraction, no dot.
  int64_t exp10 = 0;
  int binary_power = 0;
};

struct Suffix {
  std::string_view text;
  int binary_power;
  int exp10;
};

constexpr std::array<Suffix, 15> kSuffixes = {{
    {"Ki", 1, 0},
    {"Mi", 2, 0},
    {"Gi", 3, 0},
    {"Ti", 4, 0},
    {"Pi", 5, 0},
    {"Ei", 6, 0},
    {"n", 0, -9},
    {"u", 0, -6},
    {"m", 0, -3},
    {"k", 0, 3},
    {"M", 0, 6},
    {"G", 0, 9},
    {"T", 0, 12},
    {"P", 0, 15},
    {"E", 0, 18},
}};

// Exponents beyond this saturate: the result already overflows or rounds to one milli-unit.
constexpr int64_t kExponentLimit = int64_t{1} << 40;
// The most decimal digits a uint64 magnitude below 2^64 can always hold.
constexpr int64_t kMaxMagnitudeDigits = 19;
constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
constexpr uint64_t kMaxNegative = kMaxPositive + 1;

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Invalid(std::string_view s, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid quantity \"", absl::CHexEscape(ToAbsl(s)), "\": ", ToAbsl(problem)));
}

absl::Status CheckCharacters(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return Invalid(s, absl::StrCat("whitespace at position ", i));
    }
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return Invalid(s, absl::StrCat("invalid character '", absl::CHexEscape(std::string(1, c)),
                                     "' at position ", i));
    }
  }
  return absl::OkStatus();
}

// ParseExponent("3"), ("-2"), ("+1"): a signed decimal integer, saturating at kExponentLimit.
absl::StatusOr<int64_t> ParseExponent(std::string_view s, std::string_view text) {
  std::size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++pos;
  if (pos == text.size()) return Invalid(s, "exponent has no digits");
  int64_t value = 0;
  for (; pos < text.size(); ++pos) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      return Invalid(s, "exponent is not an integer");
    }
    value = std::min(kExponentLimit, value * 10 + (text[pos] - '0'));
  }
  return negative ? -value : value;
}

// Applies the suffix `text` (possibly empty) to `out`.
absl::Status ApplySuffix(std::string_view s, std::string_view text, Scanned& out) {
  if (text.empty()) return absl::OkStatus();
  for (const Suffix& suffix : kSuffixes) {
    if (suffix.text == text) {
      out.binary_power = suffix.binary_power;
      out.exp10 += suffix.exp10;
      return absl::OkStatus();
    }
  }
  // "E" alone is exa (matched above); "E<int>" and "e<int>" are exponents.
  if ((text[0] == 'e' || text[0] == 'E') && text.size() > 1) {
    ASSIGN_OR_RETURN(const int64_t exponent, ParseExponent(s, text.substr(1)));
    out.exp10 += exponent;
    return absl::OkStatus();
  }
  return Invalid(s, absl::StrCat("unknown suffix \"", ToAbsl(text), "\""));
}

absl::StatusOr<Scanned> Scan(std::string_view s) {
  if (s.empty()) return Invalid(s, "empty string");
  RETURN_IF_ERROR(CheckCharacters(s));
  Scanned out;
  std::size_t pos = 0;
  if (s[pos] == '+' || s[pos] == '-') out.negative = s[pos++] == '-';
  bool seen_dot = false;
  int64_t fraction_digits = 0;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      out.digits.push_back(c);
      if (seen_dot) ++fraction_digits;
    } else if (c == '.') {
      if (seen_dot) return Invalid(s, "more than one decimal point");
      seen_dot = true;
    } else {
      break;
    }
  }
  if (out.digits.empty()) {
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      return Invalid(s, "more than one sign");
    }
    return Invalid(s, "missing number (expected digits before the suffix)");
  }
  // Milli-units: shift by three decimal places.
  out.exp10 = 3 - fraction_digits;
  RETURN_IF_ERROR(ApplySuffix(s, s.substr(pos), out));
  return out;
}

// digits *= factor, on a decimal digit string.
void MultiplyDecimal(std::string& digits, uint32_t factor) {
  uint64_t carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const uint64_t v = static_cast<uint64_t>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  for (; carry > 0; carry /= 10) digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
}

uint64_t ParseDigits(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

absl::StatusOr<int64_t> ToMilli(std::string_view s, Scanned scanned) {
  std::string& digits = scanned.digits;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return 0;
  for (int i = 0; i < scanned.binary_power; ++i) MultiplyDecimal(digits, 1024);

  const auto n = static_cast<int64_t>(digits.size());
  const int64_t e = scanned.exp10;
  auto overflow = [s] { return Invalid(s, "out of range for int64 milli-units"); };
  uint64_t magnitude = 0;
  bool has_fraction = false;
  if (e >= 0) {
    if (n + e > kMaxMagnitudeDigits) return overflow();
    magnitude = ParseDigits(digits);
    for (int64_t i = 0; i < e; ++i) magnitude *= 10;
  } else if (-e >= n) {
    has_fraction = true;  // digits is non-zero, and all of it is below one milli-unit.
  } else {
    const std::string_view view = digits;
    const std::string_view integer = view.substr(0, static_cast<std::size_t>(n + e));
    if (static_cast<int64_t>(integer.size()) > kMaxMagnitudeDigits) return overflow();
    magnitude = ParseDigits(integer);
    has_fraction = view.substr(integer.size()).find_first_not_of('0') != std::string_view::npos;
  }
  // Round towards +infinity: up for positive values, truncate for negative ones.
  if (has_fraction && !scanned.negative) ++magnitude;
  if (magnitude > (scanned.negative ? kMaxNegative : kMaxPositive)) return overflow();
  if (!scanned.negative) return static_cast<int64_t>(magnitude);
  if (magnitude == kMaxNegative) return std::numeric_limits<int64_t>::min();
  return -static_cast<int64_t>(magnitude);
}

constexpr std::array<const char*, 6> kBinarySuffixes = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
constexpr std::array<const char*, 6> kDecimalSuffixes = {"k", "M", "G", "T", "P", "E"};

// "<units / base^k><suffix k>" for the largest k >= 1 that divides exactly; "" if none does.
std::string WithLargestSuffix(int64_t units, int64_t base,
                              const std::array<const char*, 6>& suffixes) {
  std::size_t power = 0;
  for (; power < suffixes.size() && units % base == 0; ++power) units /= base;
  return power == 0 ? std::string() : absl::StrCat(units, suffixes[power - 1]);
}

std::size_t DigitCount(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  }));
}

}  // namespace

absl::StatusOr<int64_t> ParseQuantity(std::string_view s) {
  ASSIGN_OR_RETURN(Scanned scanned, Scan(s));
  return ToMilli(s, std::move(scanned));
}

std::string FormatQuantity(int64_t milli) {
  if (milli % 1000 != 0) return absl::StrCat(milli, "m");
  const int64_t units = milli / 1000;
  if (units == 0) return "0";
  const std::string binary = WithLargestSuffix(units, 1024, kBinarySuffixes);
  const std::string decimal = WithLargestSuffix(units, 1000, kDecimalSuffixes);
  if (binary.empty() && decimal.empty()) return absl::StrCat(units);
  if (binary.empty()) return decimal;
  if (decimal.empty()) return binary;
  // Both exist: the fewer digits wins, binary on a tie ("1000Ki", but "1T" not "976562500Ki").
  return DigitCount(decimal) < DigitCount(binary) ? decimal : binary;
}

}  // namespace armada::model
