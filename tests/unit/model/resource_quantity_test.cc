#include "lib/model/resource_quantity.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"

namespace armada::model {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kKi = 1024;
constexpr int64_t kPi = kKi * kKi * kKi * kKi * kKi;

struct ParseCase {
  std::string name;
  std::string input;
  int64_t expected;  // Milli-units.
};

const std::vector<ParseCase> kParseCases = {
    // The examples from the contract.
    {"milli", "100m", 100},
    {"integer", "2", 2000},
    {"decimal", "0.5", 500},
    {"fractional binary", "1.5Gi", 1610612736000},
    {"exponent", "1e3", 1000000},
    {"kilo", "1k", 1000000},
    {"mebi", "1Mi", 1048576000},
    {"nano rounds up", "1n", 1},
    {"tenth of a milli rounds up", "0.0001", 1},
    // Every binary suffix.
    {"Ki", "1Ki", 1024000},
    {"Gi", "1Gi", 1073741824000},
    {"Ti", "1Ti", 1099511627776000},
    {"Pi", "1Pi", kPi * 1000},
    {"8Pi fits", "8Pi", 8 * kPi * 1000},
    {"tiny Ei", "0.000001Ei", 1152921504606847},  // 1152921504606.846976 units, rounded up.
    {"half a Ki", "0.5Ki", 512000},
    {"tenth of a Ki", "0.1Ki", 102400},
    {"fraction of a milli of Ki rounds up", "0.0001Ki", 103},
    // Every decimal suffix.
    {"n", "1000000n", 1},
    {"n rounds up", "1000001n", 2},
    {"u", "1000u", 1},
    {"u rounds up", "1001u", 2},
    {"m", "5m", 5},
    {"no suffix", "7", 7000},
    {"k", "2k", 2000000},
    {"M", "1M", 1000000000},
    {"G", "1G", 1000000000000},
    {"T", "1T", 1000000000000000},
    {"P", "1P", 1000000000000000000},
    {"E with a fraction", "0.001E", 1000000000000000000},
    // Exponents.
    {"upper-case exponent", "1.5E2", 150000},
    {"explicit plus exponent", "1e+2", 100000},
    {"negative exponent", "5E-1", 500},
    {"exponent to milli", "1e-3", 1},
    {"exponent below milli rounds up", "1e-20", 1},
    {"zero exponent", "5e0", 5000},
    {"huge exponent of zero", "0e99999999999999999999", 0},
    {"huge negative exponent", "3e-99999999999999999999", 1},
    // Signs and number forms.
    {"plus sign", "+1", 1000},
    {"minus sign", "-1", -1000},
    {"negative milli", "-100m", -100},
    {"negative binary", "-1.5Gi", -1610612736000},
    {"negative rounds towards +inf", "-1.2345", -1234},
    {"negative nano rounds to zero", "-1n", 0},
    {"leading dot", ".5", 500},
    {"trailing dot", "5.", 5000},
    {"zero", "0", 0},
    {"negative zero", "-0", 0},
    {"zero with suffix", "0Gi", 0},
    {"leading zeros", "000123", 123000},
    {"many fraction digits round up", "1.2345", 1235},
    {"exact many fraction digits", "1.234000000", 1234},
    {"tiny fraction", "0.0000000000000000000000001", 1},
    {"int64 max", "9223372036854775807m", kMax},
    {"int64 max in units", "9223372036854775.807", kMax},
    {"int64 min", "-9223372036854775808m", kMin},
    {"long zero padding", "0000000000000000000000000000001", 1000},
};

TEST_CASE("ParseQuantity accepts Kubernetes quantities") {
  const ParseCase& c = GENERATE(from_range(kParseCases));
  DYNAMIC_SECTION(c.name << ": " << c.input) {
    const absl::StatusOr<int64_t> got = ParseQuantity(c.input);
    INFO(got.status().ToString());
    REQUIRE(got.ok());
    CHECK(*got == c.expected);
  }
}

struct InvalidCase {
  std::string name;
  std::string input;
  std::string problem;  // A fragment of the expected message.
};

const std::vector<InvalidCase> kInvalidCases = {
    {"empty", "", "empty"},
    {"leading space", " 1", "whitespace"},
    {"trailing space", "1 ", "whitespace"},
    {"space before suffix", "1 Gi", "whitespace"},
    {"tab", "1\t", "whitespace"},
    {"two dots", "1.5.2", "more than one decimal point"},
    {"adjacent dots", "1..5", "more than one decimal point"},
    {"double minus", "--1", "more than one sign"},
    {"plus minus", "+-1", "more than one sign"},
    {"suffix alone", "Gi", "missing number"},
    {"dot alone", ".", "missing number"},
    {"sign alone", "-", "missing number"},
    {"letters", "abc", "missing number"},
    {"upper-case K", "1K", "unknown suffix \"K\""},
    {"lower-case ki", "1ki", "unknown suffix \"ki\""},
    {"bytes", "1Gb", "unknown suffix \"Gb\""},
    {"mi", "1mi", "unknown suffix \"mi\""},
    {"two suffixes", "1kMi", "unknown suffix \"kMi\""},
    {"sign after number", "1-", "unknown suffix \"-\""},
    {"lower-case e alone", "1e", "unknown suffix \"e\""},
    {"exponent sign only", "1E+", "exponent has no digits"},
    {"fractional exponent", "1e3.5", "exponent is not an integer"},
    {"exponent then suffix", "1e3Ki", "exponent is not an integer"},
    {"underscore", "1_000", "invalid character '_'"},
    {"dollar", "1$", "invalid character '$'"},
    {"comma", "1,5", "invalid character ','"},
    {"exa overflows", "1E", "out of range"},
    {"exbi overflows", "1Ei", "out of range"},
    {"10000Pi overflows", "10000Pi", "out of range"},
    {"int64 max plus one", "9223372036854775808m", "out of range"},
    {"int64 min minus one", "-9223372036854775809m", "out of range"},
    {"just above max rounds up out of range", "9223372036854775.8071", "out of range"},
    {"large exponent", "1e19", "out of range"},
    {"twenty digits", "99999999999999999999", "out of range"},
    {"huge exponent", "1e99999999999999999999", "out of range"},
};

TEST_CASE("ParseQuantity rejects malformed quantities, naming the string and the problem") {
  const InvalidCase& c = GENERATE(from_range(kInvalidCases));
  DYNAMIC_SECTION(c.name) {
    const absl::StatusOr<int64_t> got = ParseQuantity(c.input);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message(got.status().message());
    CHECK_THAT(message, Catch::Contains("\"" + (c.name == "tab" ? "1\\t" : c.input) + "\""));
    CHECK_THAT(message, Catch::Contains(c.problem));
  }
}

struct FormatCase {
  std::string name;
  int64_t milli;
  std::string expected;
};

const std::vector<FormatCase> kFormatCases = {
    {"milli", 100, "100m"},
    {"more than a unit, not whole", 1500, "1500m"},
    {"zero", 0, "0"},
    {"whole", 2000, "2"},
    {"binary", 1610612736000, "1536Mi"},
    {"decimal", 1000000, "1k"},
    {"half", 500, "500m"},
    {"Ki", 1024000, "1Ki"},
    {"binary wins over decimal", 1024000000, "1000Ki"},
    {"largest binary power", 2 * kKi* kKi * 1000, "2Mi"},
    {"below 1024", 1023000, "1023"},
    {"M", 1000000000, "1M"},
    {"mixed powers of 1000", 1500000000, "1500k"},
    {"Pi", kPi * 1000, "1Pi"},
    {"P (also a multiple of 1024)", 1000000000000000000, "1P"},
    {"T (also a multiple of 1024)", 1000000000000000, "1T"},
    {"5T", 5000000000000000, "5T"},
    {"binary on a digit tie", 1024000000, "1000Ki"},
    {"decimal when shorter", 2000000000000000000, "2P"},
    {"binary when shorter", 2 * kPi * 1000, "2Pi"},
    {"negative whole", -1000, "-1"},
    {"negative milli", -1, "-1m"},
    {"negative binary", -1024000, "-1Ki"},
    {"negative decimal", -5000000, "-5k"},
    {"int64 max", kMax, "9223372036854775807m"},
    {"int64 min", kMin, "-9223372036854775808m"},
};

TEST_CASE("FormatQuantity prints the canonical short form") {
  const FormatCase& c = GENERATE(from_range(kFormatCases));
  DYNAMIC_SECTION(c.name) { CHECK(FormatQuantity(c.milli) == c.expected); }
}

struct CanonicalCase {
  std::string name;
  std::string input;
  std::string expected;
};

const std::vector<CanonicalCase> kCanonicalCases = {
    {"milli stays", "100m", "100m"}, {"binary fraction", "1.5Gi", "1536Mi"},
    {"integer stays", "2", "2"},     {"exponent", "1e3", "1k"},
    {"half", "0.5", "500m"},         {"decimal to binary", "1024", "1Ki"},
    {"nano rounds up", "1n", "1m"},  {"redundant zeros", "001.000", "1"},
    {"big decimal", "1000M", "1G"},  {"mebi", "1024Ki", "1Mi"},
    {"negative", "-0.25", "-250m"},
};

TEST_CASE("ParseQuantity then FormatQuantity canonicalises") {
  const CanonicalCase& c = GENERATE(from_range(kCanonicalCases));
  DYNAMIC_SECTION(c.name) {
    const absl::StatusOr<int64_t> got = ParseQuantity(c.input);
    REQUIRE(got.ok());
    CHECK(FormatQuantity(*got) == c.expected);
  }
}

void CheckRoundTrip(int64_t milli) {
  const std::string text = FormatQuantity(milli);
  const absl::StatusOr<int64_t> parsed = ParseQuantity(text);
  INFO(milli << " -> " << text << " -> " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  REQUIRE(*parsed == milli);
}

TEST_CASE("ParseQuantity(FormatQuantity(x)) == x") {
  SECTION("edges and powers") {
    std::vector<int64_t> values = {0, 1, -1, 999, 1000, 1001, kMax, kMin, kMax - 999, kMin + 1};
    for (int64_t p = 1000; p <= kMax / 1024; p *= 1024) {
      for (int64_t v : {p, p - 1000, p + 1000, 3 * p, -p}) values.push_back(v);
    }
    for (int64_t p = 1000; p <= kMax / 1000; p *= 1000) {
      for (int64_t v : {p, p - 1000, p + 1, 7 * p, -p}) values.push_back(v);
    }
    for (const int64_t v : values) CheckRoundTrip(v);
  }
  SECTION("seeded random values") {
    std::mt19937_64 rng(20240601);
    std::uniform_int_distribution<int64_t> any(kMin, kMax);
    std::uniform_int_distribution<int64_t> small(-1'000'000, 1'000'000);
    std::uniform_int_distribution<int> shift(0, 9);
    for (int i = 0; i < 5000; ++i) {
      CheckRoundTrip(any(rng));
      CheckRoundTrip(small(rng) * 1000);                     // Whole units.
      CheckRoundTrip((small(rng) << shift(rng)) * 1024000);  // Binary multiples.
    }
  }
}

TEST_CASE("Milli-unit arithmetic is exact") {
  const absl::StatusOr<int64_t> a = ParseQuantity("0.1");
  const absl::StatusOr<int64_t> b = ParseQuantity("0.2");
  const absl::StatusOr<int64_t> sum = ParseQuantity("300m");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(sum.ok());
  CHECK(*a + *b == *sum);
  CHECK(FormatQuantity(*a + *b) == "300m");

  int64_t total = 0;
  for (int i = 0; i < 10; ++i) total += *a;
  CHECK(FormatQuantity(total) == "1");
}

}  // namespace
}  // namespace armada::model
