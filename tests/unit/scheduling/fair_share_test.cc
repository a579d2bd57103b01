#include "lib/scheduling/fair_share.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <string>
#include <vector>

namespace armada::scheduling {
namespace {

TEST_CASE("fair share: dominant share is the largest weighted fraction of the pool") {
  model::ResourceList total{{"cpu", 10000}, {"memory", 100000}};
  std::vector<FairnessResource> resources = {{"cpu", 1.0}, {"memory", 1.0}, {"nvidia.com/gpu", 1}};
  CHECK(DominantShare({{"cpu", 2000}, {"memory", 50000}}, total, resources) == Approx(0.5));
  CHECK(DominantShare({{"cpu", 3000}, {"memory", 10000}}, total, resources) == Approx(0.3));
  // A resource the pool does not have is ignored; one not in the fairness list too.
  CHECK(DominantShare({{"nvidia.com/gpu", 1000}, {"disk", 9}}, total, resources) == 0);
  resources[1].multiplier = 2;
  CHECK(DominantShare({{"cpu", 3000}, {"memory", 20000}}, total, resources) == Approx(0.4));
}

TEST_CASE("fair share: decayed usage halves every half-life") {
  absl::Time t0 = absl::UnixEpoch() + absl::Hours(100);
  absl::Duration h = absl::Hours(1);
  SECTION("no history starts at zero") {
    auto u = DecayUsage(std::nullopt, 1.0, t0, h);
    CHECK(u.decayed_share == 0);
    CHECK(u.updated_at == t0);
  }
  SECTION("one half-life moves halfway to the current share") {
    auto u = DecayUsage(model::QueueUsage{1.0, t0}, 0.0, t0 + h, h);
    CHECK(u.decayed_share == Approx(0.5));
    u = DecayUsage(model::QueueUsage{0.0, t0}, 1.0, t0 + 2 * h, h);
    CHECK(u.decayed_share == Approx(0.75));
  }
  SECTION("no time passed keeps the old value; time going back counts as none") {
    CHECK(DecayUsage(model::QueueUsage{0.3, t0}, 1.0, t0, h).decayed_share == Approx(0.3));
    CHECK(DecayUsage(model::QueueUsage{0.3, t0}, 1.0, t0 - h, h).decayed_share == Approx(0.3));
  }
  SECTION("half-life zero remembers nothing") {
    CHECK(DecayUsage(model::QueueUsage{0.9, t0}, 0.2, t0 + h, absl::ZeroDuration()).decayed_share ==
          Approx(0.2));
  }
}

struct WaterFillCase {
  std::string name;
  std::vector<double> weights;
  std::vector<double> demands;
  std::vector<double> expected;
};

const std::vector<WaterFillCase> kWaterFillCases = {
    {"all saturating, equal weights", {1, 1}, {1, 1}, {0.5, 0.5}},
    {"all saturating, weights 1:2", {0.5, 1}, {1, 1}, {1.0 / 3, 2.0 / 3}},
    {"small demand returns the excess", {1, 1, 1}, {0.1, 1, 1}, {0.1, 0.45, 0.45}},
    {"cascading caps", {1, 1, 1}, {0.1, 0.3, 1}, {0.1, 0.3, 0.6}},
    {"total demand below capacity", {1, 1}, {0.2, 0.3}, {0.2, 0.3}},
    {"zero demand", {1, 1}, {0, 1}, {0, 1}},
    {"no queues", {}, {}, {}},
};

TEST_CASE("fair share: water-filling caps fair shares at demand") {
  auto c = GENERATE(from_range(kWaterFillCases));
  DYNAMIC_SECTION(c.name) {
    std::vector<double> got = WaterFill(c.weights, c.demands);
    REQUIRE(got.size() == c.expected.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(c.expected[i]));
  }
}

}  // namespace
}  // namespace armada::scheduling
