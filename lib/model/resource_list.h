// ResourceList: named resource amounts ("cpu", "memory", "nvidia.com/gpu") in milli-units.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace armada::model {

// ResourceList maps resource names to int64 milli-units (see resource_quantity.h).
//
// A resource that is absent counts as zero, and the list never stores a zero: Set(name, 0) and
// an Add/Subtract that lands on zero remove the entry. So two lists that mean the same amounts
// compare equal, and entries()/ToString() list only non-zero resources, sorted by name
// (deterministic iteration, STYLE.md convention 12). Values may be negative (e.g. a remainder
// after Subtract); callers that need non-negative lists check.
//
// Arithmetic saturates at the int64 limits instead of overflowing (no undefined behaviour).
// A value type: cheap to move, copy costs one vector copy. Not thread-safe for concurrent
// mutation; concurrent const access is fine.
class ResourceList {
 public:
  // A vector sorted by name: lists hold a handful of resources, so this is
  // smaller and faster than a tree (the scheduler keeps one per job).
  using Map = std::vector<std::pair<std::string, int64_t>>;

  ResourceList() = default;
  // ResourceList({{"cpu", 2000}, {"memory", 1024}}): milli-units; zero values are dropped, and
  // a repeated name keeps the last value.
  ResourceList(std::initializer_list<std::pair<std::string_view, int64_t>> entries);

  // Parse({{"cpu", "2"}, {"memory", "1Gi"}}): each value is parsed with ParseQuantity.
  // Errors: kInvalidArgument naming the resource and its bad value, e.g.
  //   resource "memory": invalid quantity "1.5.2": more than one decimal point
  // or an empty resource name. Negative quantities are accepted.
  static absl::StatusOr<ResourceList> Parse(const std::map<std::string, std::string>& quantities);

  // Get(name): the amount of `name` in milli-units, 0 if absent.
  int64_t Get(std::string_view name) const;

  // Set(name, milli): sets the amount of `name`; 0 removes it.
  void Set(std::string_view name, int64_t milli);

  // Add(other): adds every entry of `other`, saturating at INT64_MAX/INT64_MIN.
  void Add(const ResourceList& other);

  // Subtract(other): subtracts every entry of `other`, saturating at INT64_MAX/INT64_MIN. The
  // result may be negative.
  void Subtract(const ResourceList& other);

  // FitsWithin(capacity): true iff every entry of *this is <= capacity.Get(name). Resources
  // absent from *this are not checked, even where capacity is negative; an empty list fits
  // anything. Cost: O(n log m).
  bool FitsWithin(const ResourceList& capacity) const;

  // IsZero(): true iff every amount is zero (the list is empty).
  bool IsZero() const { return entries_.empty(); }

  // ToString(): "cpu=2,memory=1Gi", sorted by name, values via FormatQuantity; "" when empty.
  std::string ToString() const;

  // entries(): the non-zero entries, sorted by name.
  const Map& entries() const { return entries_; }

  friend bool operator==(const ResourceList&, const ResourceList&) = default;

 private:
  Map entries_;
};

}  // namespace armada::model
