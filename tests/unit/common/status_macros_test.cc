#include "lib/common/status_macros.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace armada::common {
namespace {

absl::StatusOr<int64_t> Half(int64_t v) {
  if (v % 2 != 0) return absl::InvalidArgumentError("odd");
  return v / 2;
}

absl::Status CheckEven(int64_t v) { return Half(v).status(); }

// Uses the macros the ways callers do: a declaration, an existing variable, a move-only value.
absl::StatusOr<int64_t> Quarter(int64_t v, int* calls) {
  ++*calls;
  RETURN_IF_ERROR(CheckEven(v));
  ASSIGN_OR_RETURN(int64_t half, Half(v));
  int64_t quarter = 0;
  ASSIGN_OR_RETURN(quarter, Half(half));
  ASSIGN_OR_RETURN(auto owned,
                   absl::StatusOr<std::unique_ptr<int64_t>>(std::make_unique<int64_t>(quarter)));
  return *owned;
}

absl::Status QuarterStatus(int64_t v, int* calls) {
  ASSIGN_OR_RETURN(const int64_t quarter, Quarter(v, calls));
  (void)quarter;
  return absl::OkStatus();
}

struct Case {
  std::string name;
  int64_t input;
  absl::StatusCode expected_code;
  int64_t expected_value;
};

const std::vector<Case> kCases = {
    {"divisible by four", 12, absl::StatusCode::kOk, 3},
    {"zero", 0, absl::StatusCode::kOk, 0},
    {"odd fails in RETURN_IF_ERROR", 3, absl::StatusCode::kInvalidArgument, 0},
    {"even but not by four fails in ASSIGN_OR_RETURN", 6, absl::StatusCode::kInvalidArgument, 0},
};

TEST_CASE("RETURN_IF_ERROR and ASSIGN_OR_RETURN propagate the first error") {
  const Case& c = GENERATE(from_range(kCases));
  DYNAMIC_SECTION(c.name) {
    int calls = 0;
    const absl::StatusOr<int64_t> result = Quarter(c.input, &calls);
    CHECK(calls == 1);  // The expression is evaluated once.
    CHECK(result.status().code() == c.expected_code);
    if (result.ok()) CHECK(*result == c.expected_value);
    CHECK(QuarterStatus(c.input, &calls).code() == c.expected_code);
  }
}

}  // namespace
}  // namespace armada::common
