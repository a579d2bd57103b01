#include "lib/common/ids.h"

#include <cstdint>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/time.h"
#include "lib/common/clock.h"

namespace armada::common {
namespace {

// A URBG that always returns `value`, to pin the random bits.
struct FixedBits {
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~uint64_t{0}; }
  result_type operator()() { return value; }
  uint64_t value = 0;
};

// The ULID spec's example timestamp: 1469918176385 ms encodes as "01aryz6s41".
const absl::Time kSpecTime = absl::FromUnixMillis(1469918176385);

struct ValidityCase {
  std::string name;
  std::string input;
  bool expected;
};

const std::vector<ValidityCase> kJobIdCases = {
    {"spec example in lower case", "01arz3ndektsv4rrffq69g5fav", true},
    {"all zeros", "00000000000000000000000000", true},
    {"largest 128-bit value", "7zzzzzzzzzzzzzzzzzzzzzzzzz", true},
    {"empty", "", false},
    {"25 characters", "01arz3ndektsv4rrffq69g5fa", false},
    {"27 characters", "01arz3ndektsv4rrffq69g5favv", false},
    {"upper case", "01ARZ3NDEKTSV4RRFFQ69G5FAV", false},
    {"excluded letter i", "01arz3ndektsv4rrffq69g5fai", false},
    {"excluded letter l", "01arz3ndektsv4rrffq69g5fal", false},
    {"excluded letter o", "01arz3ndektsv4rrffq69g5fao", false},
    {"excluded letter u", "01arz3ndektsv4rrffq69g5fau", false},
    {"first character beyond 128 bits", "80000000000000000000000000", false},
    {"hyphen", "01arz3ndektsv4rrffq69g5fa-", false},
    {"a run id", "123e4567-e89b-42d3-a456-426614174000", false},
};

TEST_CASE("IsValidJobId") {
  const ValidityCase& c = GENERATE(from_range(kJobIdCases));
  DYNAMIC_SECTION(c.name) { CHECK(IsValidJobId(c.input) == c.expected); }
}

const std::vector<ValidityCase> kRunIdCases = {
    {"v4 uuid", "123e4567-e89b-42d3-a456-426614174000", true},
    {"variant 8", "00000000-0000-4000-8000-000000000000", true},
    {"variant b", "ffffffff-ffff-4fff-bfff-ffffffffffff", true},
    {"empty", "", false},
    {"upper case", "123E4567-E89B-42D3-A456-426614174000", false},
    {"version 1", "123e4567-e89b-12d3-a456-426614174000", false},
    {"variant c", "123e4567-e89b-42d3-c456-426614174000", false},
    {"no dashes", "123e4567e89b42d3a456426614174000", false},
    {"misplaced dash", "123e456-7e89b-42d3-a456-426614174000", false},
    {"too long", "123e4567-e89b-42d3-a456-4266141740000", false},
    {"not hex", "123e4567-e89b-42d3-a456-42661417400g", false},
    {"a job id", "01arz3ndektsv4rrffq69g5fav", false},
};

TEST_CASE("IsValidRunId") {
  const ValidityCase& c = GENERATE(from_range(kRunIdCases));
  DYNAMIC_SECTION(c.name) { CHECK(IsValidRunId(c.input) == c.expected); }
}

TEST_CASE("NewJobId returns 10,000 unique, valid, strictly increasing ids") {
  constexpr int kCount = 10'000;
  std::vector<std::string> ids;
  ids.reserve(kCount);
  for (int i = 0; i < kCount; ++i) ids.push_back(NewJobId());

  for (int i = 0; i < kCount; ++i) {
    INFO("id " << i << ": " << ids[i]);
    REQUIRE(ids[i].size() == kJobIdLength);
    REQUIRE(IsValidJobId(ids[i]));
    if (i > 0) REQUIRE(ids[i - 1] < ids[i]);
  }
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == kCount);
}

TEST_CASE("NewJobId is unique and per-thread increasing under concurrency") {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2'500;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(NewJobId());
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> all;
  for (const std::vector<std::string>& thread_ids : ids) {
    for (std::size_t i = 1; i < thread_ids.size(); ++i) REQUIRE(thread_ids[i - 1] < thread_ids[i]);
    all.insert(thread_ids.begin(), thread_ids.end());
  }
  CHECK(all.size() == kThreads * kPerThread);
}

TEST_CASE("NewRunId returns unique UUID v4 strings") {
  const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  constexpr int kCount = 10'000;
  std::set<std::string> ids;
  for (int i = 0; i < kCount; ++i) {
    const std::string id = NewRunId();
    INFO(id);
    REQUIRE(std::regex_match(id, pattern));
    REQUIRE(IsValidRunId(id));
    ids.insert(id);
  }
  CHECK(ids.size() == kCount);
}

TEST_CASE("IdGenerator encodes the clock's millisecond and the random bits") {
  SimulatedClock clock(kSpecTime);
  FixedBits bits;
  IdGenerator generator(clock, bits);

  SECTION("zero random bits") { CHECK(generator.NewJobId() == "01aryz6s410000000000000000"); }
  SECTION("all-one random bits keep only 80 of them") {
    bits.value = ~uint64_t{0};
    CHECK(generator.NewJobId() == "01aryz6s41zzzzzzzzzzzzzzzz");
  }
  SECTION("times before 1970 encode as zero") {
    clock.SetTime(absl::UnixEpoch() - absl::Hours(1));
    CHECK(generator.NewJobId() == "00000000000000000000000000");
  }
  SECTION("the sub-millisecond part is ignored") {
    clock.Advance(absl::Microseconds(999));
    CHECK(generator.NewJobId() == "01aryz6s410000000000000000");
  }
}

TEST_CASE("IdGenerator is monotonic within a millisecond and when the clock steps back") {
  SimulatedClock clock(kSpecTime);
  FixedBits bits;
  IdGenerator generator(clock, bits);
  CHECK(generator.NewJobId() == "01aryz6s410000000000000000");

  SECTION("same millisecond increments the random part") {
    CHECK(generator.NewJobId() == "01aryz6s410000000000000001");
    CHECK(generator.NewJobId() == "01aryz6s410000000000000002");
  }
  SECTION("clock stepping back increments too") {
    clock.Advance(absl::Seconds(-10));
    CHECK(generator.NewJobId() == "01aryz6s410000000000000001");
  }
  SECTION("a later millisecond draws fresh random bits") {
    bits.value = 5;
    clock.Advance(absl::Milliseconds(1));
    CHECK(generator.NewJobId() == "01aryz6s42002g000000000005");  // 5 * 2^64 + 5.
  }
}

TEST_CASE("IdGenerator carries a random-part overflow into the timestamp") {
  SimulatedClock clock(kSpecTime);
  FixedBits bits{~uint64_t{0}};
  IdGenerator generator(clock, bits);
  CHECK(generator.NewJobId() == "01aryz6s41zzzzzzzzzzzzzzzz");
  CHECK(generator.NewJobId() == "01aryz6s420000000000000000");
  // The clock reaching the borrowed millisecond still increments.
  clock.Advance(absl::Milliseconds(1));
  CHECK(generator.NewJobId() == "01aryz6s420000000000000001");
}

TEST_CASE("IdGenerator ids from a seeded generator stay valid and increasing") {
  SimulatedClock clock(kSpecTime);
  std::mt19937_64 seeded(42);
  IdGenerator generator(clock, seeded);
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    if (i % 10 == 0) clock.Advance(absl::Milliseconds(i % 3 == 0 ? -1 : 1));
    const std::string id = generator.NewJobId();
    INFO(i << ": " << id);
    REQUIRE(IsValidJobId(id));
    REQUIRE(previous < id);
    previous = id;
  }
}

struct RunIdCase {
  std::string name;
  uint64_t bits;
  std::string expected;
};

const std::vector<RunIdCase> kRunIdBitsCases = {
    {"zero bits get version and variant", 0, "00000000-0000-4000-8000-000000000000"},
    {"one bits get version and variant", ~uint64_t{0}, "ffffffff-ffff-4fff-bfff-ffffffffffff"},
    {"nibble order", 0x0123456789abcdef, "01234567-89ab-4def-8123-456789abcdef"},
};

TEST_CASE("IdGenerator::NewRunId sets the version and variant bits") {
  const RunIdCase& c = GENERATE(from_range(kRunIdBitsCases));
  DYNAMIC_SECTION(c.name) {
    SimulatedClock clock;
    FixedBits bits{c.bits};
    IdGenerator generator(clock, bits);
    CHECK(generator.NewRunId() == c.expected);
  }
}

}  // namespace
}  // namespace armada::common
