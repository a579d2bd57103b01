// Kubernetes resource quantities ("100m", "1.5Gi", "1e3") as exact int64 milli-units.
//
// Resources are always int64 milli-units (STYLE.md convention 12): 1 cpu = 1000, 1 byte of
// memory = 1000. Parsing and formatting are exact integer arithmetic, never double.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace armada::model {

// ParseQuantity(s): the quantity `s` in milli-units.
//
// Syntax (Kubernetes' resource.Quantity): an optional sign, then digits with an optional
// decimal point ("5", "5.", ".5", "1.25"), then at most one suffix:
//   binary   Ki Mi Gi Ti Pi Ei      (powers of 1024)
//   decimal  n u m k M G T P E      (powers of 1000; no suffix = 1)
//   exponent e<int> or E<int>       (powers of ten, the integer may be signed: "1e3", "5E-1")
// "1E" is one exa, "1E2" is one hundred. Values finer than one milli-unit round up, towards
// +infinity as Kubernetes' MilliValue() does: "1n" -> 1, "0.0001" -> 1, "-1n" -> 0. Negative
// values are accepted; callers that need non-negative values check.
//
// Errors: kInvalidArgument, with a message naming `s` and the problem, for an empty string,
// whitespace or other bad characters, a missing number ("Gi", "--1"), more than one decimal
// point ("1.5.2"), an unknown suffix ("1K", "1ki"), a malformed exponent ("1e", "1e3.5"), or a
// value outside the int64 milli-unit range (beyond about 9.2e15 units, so "1E" overflows).
// Cost: linear in s.size(). Thread-safe (pure function).
absl::StatusOr<int64_t> ParseQuantity(std::string_view s);

// FormatQuantity(milli): the canonical short form of `milli` milli-units.
//   not a whole unit                -> "<milli>m"            (100 -> "100m", 1500 -> "1500m")
//   zero                            -> "0"
//   a multiple of 1024^k, k >= 1    -> largest such binary suffix Ki..Pi  ("1536Mi")
//   a multiple of 1000^k, k >= 1    -> largest such decimal suffix k..P   ("1k")
//   neither                         -> the plain integer                  ("2")
// When both suffixes apply, the binary form wins unless the decimal one has fewer digits:
// 1024000 -> "1000Ki", but 10^12 -> "1T" rather than "976562500Ki".
// ParseQuantity(FormatQuantity(x)) == x for every int64 x. Thread-safe (pure function).
std::string FormatQuantity(int64_t milli);

}  // namespace armada::model
