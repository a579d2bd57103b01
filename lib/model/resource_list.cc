#include "lib/model/resource_list.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/model/resource_quantity.h"

namespace armada::model {
namespace {

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

int64_t SaturatingSubtract(int64_t a, int64_t b) {
  int64_t difference;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

// The first entry whose name is not less than `name`.
template <typename Entries>
auto LowerBound(Entries& entries, std::string_view name) {
  return std::lower_bound(entries.begin(), entries.end(), name,
                          [](const auto& entry, std::string_view n) { return entry.first < n; });
}

}  // namespace

ResourceList::ResourceList(std::initializer_list<std::pair<std::string_view, int64_t>> entries) {
  for (const auto& [name, milli] : entries) Set(name, milli);
}

absl::StatusOr<ResourceList> ResourceList::Parse(
    const std::map<std::string, std::string>& quantities) {
  ResourceList list;
  for (const auto& [name, text] : quantities) {
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource with an empty name (value \"", text, "\")"));
    }
    absl::StatusOr<int64_t> milli = ParseQuantity(text);
    if (!milli.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource \"", name, "\": ", milli.status().message()));
    }
    list.Set(name, *milli);
  }
  return list;
}

int64_t ResourceList::Get(std::string_view name) const {
  const auto it = LowerBound(entries_, name);
  return it != entries_.end() && it->first == name ? it->second : 0;
}

void ResourceList::Set(std::string_view name, int64_t milli) {
  const auto it = LowerBound(entries_, name);
  const bool found = it != entries_.end() && it->first == name;
  if (milli == 0) {
    if (found) entries_.erase(it);
  } else if (found) {
    it->second = milli;
  } else {
    entries_.emplace(it, std::string(name), milli);
  }
}

void ResourceList::Add(const ResourceList& other) {
  if (&other == this) return Add(ResourceList(other));  // Set must not move what we iterate
  for (const auto& [name, milli] : other.entries_) Set(name, SaturatingAdd(Get(name), milli));
}

void ResourceList::Subtract(const ResourceList& other) {
  if (&other == this) return Subtract(ResourceList(other));
  for (const auto& [name, milli] : other.entries_) {
    Set(name, SaturatingSubtract(Get(name), milli));
  }
}

bool ResourceList::FitsWithin(const ResourceList& capacity) const {
  for (const auto& [name, milli] : entries_) {
    if (milli > capacity.Get(name)) return false;
  }
  return true;
}

std::string ResourceList::ToString() const {
  std::string out;
  for (const auto& [name, milli] : entries_) {
    absl::StrAppend(&out, out.empty() ? "" : ",", name, "=", FormatQuantity(milli));
  }
  return out;
}

}  // namespace armada::model
