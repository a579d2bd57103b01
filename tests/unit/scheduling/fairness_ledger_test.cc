// FairnessLedger (lib/scheduling/internal/fairness_ledger.h): allocations per queue and class,
// dominant shares, costs from allocation, usage and weight, SetFairShares (weights and
// water-filled demand) and EntitledShare.

#include "lib/scheduling/internal/fairness_ledger.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling::internal {
namespace {

using fixtures::Resources;

// A pool of 10 cpu and 100Gi, cpu and memory counting equally unless said otherwise.
struct Fixture {
  std::vector<FairnessResource> resources{{"cpu", 1.0}, {"memory", 1.0}};
  FairnessLedger ledger{Resources("10", "100Gi"), resources};
};

TEST_CASE("FairnessLedger: allocation by queue and by priority class") {
  Fixture f;
  f.ledger.AddQueue("a", 1, 0);
  CHECK(f.ledger.HasQueue("a"));
  CHECK_FALSE(f.ledger.HasQueue("b"));
  CHECK(f.ledger.Allocation("a").IsZero());
  CHECK(f.ledger.Allocation("b").IsZero());  // unknown queue: nothing

  f.ledger.Add("a", "high", Resources("2", "1Gi"));
  f.ledger.Add("a", "low", Resources("1", "1Gi"));
  CHECK(f.ledger.Allocation("a") == Resources("3", "2Gi"));
  CHECK(f.ledger.InClass("a", "high") == Resources("2", "1Gi"));
  CHECK(f.ledger.InClass("a", "low") == Resources("1", "1Gi"));
  CHECK(f.ledger.InClass("a", "other").IsZero());

  f.ledger.Subtract("a", "high", Resources("2", "1Gi"));
  CHECK(f.ledger.Allocation("a") == Resources("1", "1Gi"));
  CHECK(f.ledger.InClass("a", "high").IsZero());
  CHECK(f.ledger.InClass("a", "low") == Resources("1", "1Gi"));
}

TEST_CASE("FairnessLedger: shares are dominant shares of the pool total") {
  Fixture f;
  f.ledger.AddQueue("a", 1, 0);
  f.ledger.Add("a", "", Resources("2", "50Gi"));  // cpu 0.2, memory 0.5
  CHECK(f.ledger.ActualShare("a") == Approx(0.5));
  CHECK(f.ledger.Share(Resources("3", "10Gi")) == Approx(0.3));

  SECTION("a multiplier weighs a resource") {
    std::vector<FairnessResource> resources{{"cpu", 3.0}, {"memory", 1.0}};
    FairnessLedger ledger(Resources("10", "100Gi"), resources);
    CHECK(ledger.Share(Resources("2", "50Gi")) == Approx(0.6));
  }
}

TEST_CASE("FairnessLedger: cost is (share + usage) / weight") {
  Fixture f;
  f.ledger.AddQueue("a", 2, 0.1);
  f.ledger.AddQueue("b", 1, 0);
  CHECK(f.ledger.Weight("a") == 2);
  CHECK(f.ledger.Usage("a") == Approx(0.1));
  CHECK(f.ledger.Cost("a") == Approx(0.05));
  f.ledger.Add("a", "", Resources("2", "1Gi"));
  CHECK(f.ledger.Cost("a") == Approx((0.2 + 0.1) / 2));

  // The same allocation costs a queue of weight 1 twice as much (without usage).
  f.ledger.Add("b", "", Resources("2", "1Gi"));
  CHECK(f.ledger.Cost("b") == Approx(0.2));
  CHECK(f.ledger.Cost("b") > f.ledger.Cost("a"));
}

TEST_CASE("FairnessLedger: CostWith is the cost holding more, and changes nothing") {
  Fixture f;
  f.ledger.AddQueue("a", 2, 0.1);
  f.ledger.Add("a", "", Resources("2", "1Gi"));
  const double with = f.ledger.CostWith("a", Resources("4", "1Gi"));
  CHECK(with == Approx((0.6 + 0.1) / 2));
  CHECK(f.ledger.Allocation("a") == Resources("2", "1Gi"));
  CHECK(f.ledger.Cost("a") == Approx(0.15));
  f.ledger.Add("a", "", Resources("4", "1Gi"));
  CHECK(f.ledger.Cost("a") == Approx(with));
  // Dominance is judged on the sum: memory takes over.
  CHECK(f.ledger.CostWith("a", Resources("0", "90Gi")) == Approx((0.92 + 0.1) / 2));
}

TEST_CASE("FairnessLedger: SetFairShares: weights, and demand water-filled") {
  Fixture f;
  f.ledger.AddQueue("a", 1, 0);
  f.ledger.AddQueue("b", 1, 0);
  f.ledger.AddQueue("c", 2, 0);
  f.ledger.AddQueue("d", 1, 0);  // no demand given: 0
  f.ledger.SetFairShares({{"a", 0.1}, {"b", 1.0}, {"c", 1.0}});

  CHECK(f.ledger.FairShare("a") == Approx(0.2));
  CHECK(f.ledger.FairShare("b") == Approx(0.2));
  CHECK(f.ledger.FairShare("c") == Approx(0.4));
  CHECK(f.ledger.FairShare("d") == Approx(0.2));
  // a keeps its 0.1, d its 0; the 0.9 left is shared 1:2 by b and c.
  CHECK(f.ledger.AdjustedFairShare("a") == Approx(0.1));
  CHECK(f.ledger.AdjustedFairShare("b") == Approx(0.3));
  CHECK(f.ledger.AdjustedFairShare("c") == Approx(0.6));
  CHECK(f.ledger.AdjustedFairShare("d") == Approx(0.0).margin(1e-12));

  // EntitledShare: the larger of the two.
  CHECK(f.ledger.EntitledShare("a") == Approx(0.2));
  CHECK(f.ledger.EntitledShare("b") == Approx(0.3));
  CHECK(f.ledger.EntitledShare("c") == Approx(0.6));
  CHECK(f.ledger.EntitledShare("d") == Approx(0.2));

  SECTION("little demand: each queue gets its demand") {
    f.ledger.SetFairShares({{"a", 0.1}, {"b", 0.1}, {"c", 0.1}, {"d", 0.1}});
    for (const std::string q : {"a", "b", "c", "d"}) {
      CHECK(f.ledger.AdjustedFairShare(q) == Approx(0.1));
    }
    CHECK(f.ledger.EntitledShare("c") == Approx(0.4));
  }
}

TEST_CASE("FairnessLedger: queues in name order; a copy is independent") {
  Fixture f;
  f.ledger.AddQueue("b", 1, 0);
  f.ledger.AddQueue("a", 1, 0);
  CHECK(f.ledger.Queues() == std::vector<std::string>{"a", "b"});

  FairnessLedger scratch = f.ledger;
  scratch.Add("a", "", Resources("5", "1Gi"));
  CHECK(scratch.ActualShare("a") == Approx(0.5));
  CHECK(f.ledger.Allocation("a").IsZero());
}

}  // namespace
}  // namespace armada::scheduling::internal
