// Output formatting: numbers, times and the JSON layout.

#include "sim/output.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/json_writer.h"

namespace armada::sim {
namespace {

struct FixedCase {
  std::string name;
  double value;
  std::string expected;
};

const std::vector<FixedCase> kFixedCases = {
    {"third", 1.0 / 3, "0.3333"},
    {"half", 0.5, "0.5"},
    {"one", 1.0, "1"},
    {"zero", 0.0, "0"},
    {"negative zero", -0.00001, "0"},
    {"rounds up", 0.34375, "0.3438"},
};

TEST_CASE("FormatFixed keeps at most 4 decimals") {
  auto c = GENERATE(from_range(kFixedCases));
  DYNAMIC_SECTION(c.name) { CHECK(FormatFixed(c.value) == c.expected); }
}

TEST_CASE("FormatSimTime and FormatResourceSeconds") {
  CHECK(FormatSimTime(absl::ZeroDuration()) == "0s");
  CHECK(FormatSimTime(absl::Minutes(1)) == "60s");
  CHECK(FormatSimTime(absl::Milliseconds(1500)) == "1.5s");
  CHECK(FormatResourceSeconds(0) == "0");
  CHECK(FormatResourceSeconds(absl::int128(1000) * 60000) == "60");
  CHECK(FormatResourceSeconds(1500) == "0.0015");
}

TEST_CASE("JsonValue writes short scalar containers inline and nests the rest") {
  JsonValue doc = JsonValue::Object();
  doc.Set("a", std::move(JsonValue::Object().Set("x\"y", JsonValue::Int(1))));
  doc.Set("b", JsonValue::Array());
  doc.Set("c", JsonValue::Fixed(0.25));
  CHECK(doc.Dump() == "{\n  \"a\": {\"x\\\"y\": 1},\n  \"b\": [],\n  \"c\": 0.25\n}\n");
}

TEST_CASE("RoundsJson matches SIMULATOR.md's shape") {
  RoundResult r;
  RoundRecord round;
  round.scheduled = {{"A/0/0", "c1-0"}};
  round.queues = {{"A", 1, 0.5, 0.5, 0.25, 0.25}};
  r.rounds.push_back(round);
  CHECK(RoundsJson(r, {}) ==
        "{\n  \"rounds\": [\n    {\n      \"round\": 0,\n      \"scheduled\": {\"A/0/0\": "
        "\"c1-0\"},\n      \"preempted\": [],\n      \"queues\": {\n        \"A\": "
        "{\"running\": 1, \"fairShare\": 0.5, \"adjustedFairShare\": 0.5, \"actualShare\": 0.25, "
        "\"cost\": 0.25}\n      }\n    }\n  ]\n}\n");
}

}  // namespace
}  // namespace armada::sim
