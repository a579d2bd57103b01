#include "lib/model/resource_list.h"

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"

namespace armada::model {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kGi = int64_t{1} << 30;

// Parses a list that the test knows is valid.
ResourceList List(const std::map<std::string, std::string>& quantities) {
  absl::StatusOr<ResourceList> list = ResourceList::Parse(quantities);
  INFO(list.status().ToString());
  REQUIRE(list.ok());
  return *list;
}

TEST_CASE("ResourceList Get, Set and IsZero") {
  ResourceList list;
  CHECK(list.IsZero());
  CHECK(list.Get("cpu") == 0);

  list.Set("cpu", 1500);
  CHECK(list.Get("cpu") == 1500);
  CHECK_FALSE(list.IsZero());

  SECTION("Set overwrites") {
    list.Set("cpu", 2000);
    CHECK(list.Get("cpu") == 2000);
    CHECK(list.entries().size() == 1);
  }
  SECTION("Set to zero removes the entry") {
    list.Set("cpu", 0);
    CHECK(list.IsZero());
    CHECK(list.entries().empty());
    CHECK(list == ResourceList());
  }
  SECTION("zero values are never stored") {
    CHECK(ResourceList({{"cpu", 0}, {"memory", 0}}).IsZero());
    CHECK(ResourceList({{"cpu", 0}}) == ResourceList());
  }
}

struct ArithmeticCase {
  std::string name;
  ResourceList a;
  ResourceList b;
  ResourceList expected;
};

const std::vector<ArithmeticCase> kAddCases = {
    {"disjoint", {{"cpu", 1000}}, {{"memory", kGi}}, {{"cpu", 1000}, {"memory", kGi}}},
    {"overlapping", {{"cpu", 1000}}, {{"cpu", 500}}, {{"cpu", 1500}}},
    {"to empty", {}, {{"nvidia.com/gpu", 1000}}, {{"nvidia.com/gpu", 1000}}},
    {"empty", {{"cpu", 1}}, {}, {{"cpu", 1}}},
    {"cancelling drops the entry", {{"cpu", 1000}}, {{"cpu", -1000}}, {}},
    {"saturates at max", {{"cpu", kMax - 1}}, {{"cpu", 2}}, {{"cpu", kMax}}},
    {"saturates at min", {{"cpu", kMin + 1}}, {{"cpu", -2}}, {{"cpu", kMin}}},
    {"max plus max", {{"cpu", kMax}}, {{"cpu", kMax}}, {{"cpu", kMax}}},
};

TEST_CASE("ResourceList::Add") {
  const ArithmeticCase& c = GENERATE(from_range(kAddCases));
  DYNAMIC_SECTION(c.name) {
    ResourceList got = c.a;
    got.Add(c.b);
    CHECK(got.ToString() == c.expected.ToString());
    CHECK(got == c.expected);
  }
}

const std::vector<ArithmeticCase> kSubtractCases = {
    {"partial",
     {{"cpu", 2000}, {"memory", 2 * kGi}},
     {{"cpu", 500}},
     {{"cpu", 1500}, {"memory", 2 * kGi}}},
    {"to zero drops the entry", {{"cpu", 2000}}, {{"cpu", 2000}}, {}},
    {"below zero goes negative", {{"cpu", 1000}}, {{"cpu", 1500}}, {{"cpu", -500}}},
    {"absent counts as zero", {}, {{"memory", kGi}}, {{"memory", -kGi}}},
    {"empty", {{"cpu", 1}}, {}, {{"cpu", 1}}},
    {"saturates at min", {{"cpu", kMin + 1}}, {{"cpu", 2}}, {{"cpu", kMin}}},
    {"saturates at max", {{"cpu", kMax - 1}}, {{"cpu", -2}}, {{"cpu", kMax}}},
    {"zero minus min", {}, {{"cpu", kMin}}, {{"cpu", kMax}}},
};

TEST_CASE("ResourceList::Subtract") {
  const ArithmeticCase& c = GENERATE(from_range(kSubtractCases));
  DYNAMIC_SECTION(c.name) {
    ResourceList got = c.a;
    got.Subtract(c.b);
    CHECK(got.ToString() == c.expected.ToString());
    CHECK(got == c.expected);
  }
}

TEST_CASE("ResourceList Add then Subtract restores the list") {
  const ResourceList base = List({{"cpu", "1.5"}, {"memory", "3Gi"}});
  const ResourceList delta = List({{"cpu", "250m"}, {"nvidia.com/gpu", "1"}});
  ResourceList got = base;
  got.Add(delta);
  CHECK(got.ToString() == "cpu=1750m,memory=3Gi,nvidia.com/gpu=1");
  got.Subtract(delta);
  CHECK(got == base);
}

struct FitsCase {
  std::string name;
  ResourceList request;
  ResourceList capacity;
  bool expected;
};

const std::vector<FitsCase> kFitsCases = {
    {"equal fits", {{"cpu", 2000}}, {{"cpu", 2000}}, true},
    {"smaller fits", {{"cpu", 1000}}, {{"cpu", 2000}, {"memory", kGi}}, true},
    {"larger does not fit", {{"cpu", 2001}}, {{"cpu", 2000}}, false},
    {"one resource too large",
     {{"cpu", 1000}, {"memory", 2 * kGi}},
     {{"cpu", 4000}, {"memory", kGi}},
     false},
    {"absent in capacity is zero", {{"nvidia.com/gpu", 1000}}, {{"cpu", 4000}}, false},
    {"empty fits empty", {}, {}, true},
    {"empty fits anything", {}, {{"cpu", 1000}}, true},
    {"absent request ignores negative capacity",
     {{"cpu", 1000}},
     {{"cpu", 1000}, {"memory", -1}},
     true},
    {"negative request fits empty", {{"cpu", -1000}}, {}, true},
    {"does not fit negative capacity", {{"memory", 1}}, {{"memory", -1}}, false},
};

TEST_CASE("ResourceList::FitsWithin") {
  const FitsCase& c = GENERATE(from_range(kFitsCases));
  DYNAMIC_SECTION(c.name) { CHECK(c.request.FitsWithin(c.capacity) == c.expected); }
}

struct ParseCase {
  std::string name;
  std::map<std::string, std::string> input;
  std::string expected;  // ToString() of the result.
};

const std::vector<ParseCase> kParseCases = {
    {"cpu and memory", {{"memory", "1Gi"}, {"cpu", "2"}}, "cpu=2,memory=1Gi"},
    {"canonical forms",
     {{"cpu", "1500m"}, {"memory", "1.5Gi"}, {"ephemeral-storage", "1e3"}},
     "cpu=1500m,ephemeral-storage=1k,memory=1536Mi"},
    {"extended resource", {{"nvidia.com/gpu", "1"}}, "nvidia.com/gpu=1"},
    {"zero is dropped", {{"cpu", "0"}, {"memory", "1Mi"}}, "memory=1Mi"},
    {"negative accepted", {{"cpu", "-1"}}, "cpu=-1"},
    {"empty", {}, ""},
};

TEST_CASE("ResourceList::Parse and ToString") {
  const ParseCase& c = GENERATE(from_range(kParseCases));
  DYNAMIC_SECTION(c.name) { CHECK(List(c.input).ToString() == c.expected); }
}

struct ParseErrorCase {
  std::string name;
  std::map<std::string, std::string> input;
  std::vector<std::string> message_contains;
};

const std::vector<ParseErrorCase> kParseErrorCases = {
    {"bad memory",
     {{"cpu", "1"}, {"memory", "1.5.2"}},
     {"resource \"memory\"", "\"1.5.2\"", "more than one decimal point"}},
    {"unknown suffix",
     {{"nvidia.com/gpu", "1K"}},
     {"\"nvidia.com/gpu\"", "\"1K\"", "unknown suffix"}},
    {"empty value", {{"cpu", ""}}, {"\"cpu\"", "empty"}},
    {"overflow", {{"memory", "1Ei"}}, {"\"memory\"", "\"1Ei\"", "out of range"}},
    {"empty name", {{"", "1"}}, {"empty name", "\"1\""}},
};

TEST_CASE("ResourceList::Parse names the resource and the bad value") {
  const ParseErrorCase& c = GENERATE(from_range(kParseErrorCases));
  DYNAMIC_SECTION(c.name) {
    const absl::StatusOr<ResourceList> got = ResourceList::Parse(c.input);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message(got.status().message());
    for (const std::string& fragment : c.message_contains) {
      CHECK_THAT(message, Catch::Contains(fragment));
    }
  }
}

TEST_CASE("ResourceList iterates in name order, whatever the insertion order") {
  ResourceList list;
  list.Set("memory", 1000);
  list.Set("cpu", 1000);
  list.Set("nvidia.com/gpu", 1000);
  list.Set("amd.com/gpu", 1000);
  std::vector<std::string> names;
  for (const auto& [name, milli] : list.entries()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"amd.com/gpu", "cpu", "memory", "nvidia.com/gpu"});
}

TEST_CASE("ResourceList milli arithmetic is exact") {
  ResourceList sum = List({{"cpu", "0.1"}});
  sum.Add(List({{"cpu", "0.2"}}));
  CHECK(sum == List({{"cpu", "300m"}}));
  CHECK(sum.ToString() == "cpu=300m");
}

}  // namespace
}  // namespace armada::model
