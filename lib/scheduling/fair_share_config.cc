#include "lib/scheduling/fair_share_config.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"

namespace armada::scheduling {
namespace {

absl::Status Invalid(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat("fair share config: ", field, ": ", problem));
}

absl::Status CheckFractions(const std::string& field, const std::map<std::string, double>& map,
                            bool allow_zero, bool at_most_one) {
  for (const auto& [resource, fraction] : map) {
    std::string item = absl::StrCat(field, "[\"", resource, "\"]");
    if (resource.empty()) return Invalid(field, "empty resource name");
    if (!std::isfinite(fraction) || fraction < 0 || (!allow_zero && fraction == 0) ||
        (at_most_one && fraction > 1)) {
      return Invalid(item, absl::StrCat("must be in ", allow_zero ? "[0, " : "(0, ",
                                        at_most_one ? "1]" : "inf)", ", got ", fraction));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRate(const std::string& prefix, double rate, int64_t burst) {
  if (!std::isfinite(rate) || rate < 0) {
    return Invalid(prefix + "_rate", absl::StrCat("must be finite and >= 0, got ", rate));
  }
  if (burst < 0 || (rate > 0 && burst < 1)) {
    return Invalid(
        prefix + "_burst",
        absl::StrCat("must be >= ", rate > 0 ? "1 when the rate is > 0" : "0", ", got ", burst));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FairShareConfig::Validate() const {
  if (fairness_resources.empty()) return Invalid("fairness_resources", "must not be empty");
  std::set<std::string> names;
  for (size_t i = 0; i < fairness_resources.size(); ++i) {
    const FairnessResource& r = fairness_resources[i];
    std::string item = absl::StrCat("fairness_resources[", i, "]");
    if (r.name.empty()) return Invalid(item + ".name", "must not be empty");
    if (!names.insert(r.name).second) {
      return Invalid(item + ".name", absl::StrCat("duplicate resource \"", r.name, "\""));
    }
    if (!std::isfinite(r.multiplier) || r.multiplier <= 0) {
      return Invalid(item + ".multiplier", absl::StrCat("must be > 0, got ", r.multiplier));
    }
  }
  if (half_life < absl::ZeroDuration() || half_life == absl::InfiniteDuration()) {
    return Invalid("half_life",
                   absl::StrCat("must be finite and >= 0, got ", absl::FormatDuration(half_life)));
  }
  for (const auto& [pool, h] : half_life_by_pool) {
    if (h < absl::ZeroDuration() || h == absl::InfiniteDuration()) {
      return Invalid(absl::StrCat("half_life_by_pool[\"", pool, "\"]"),
                     absl::StrCat("must be finite and >= 0, got ", absl::FormatDuration(h)));
    }
  }
  for (const auto& [name, pc] : priority_classes) {
    if (name.empty()) return Invalid("priority_classes", "empty priority class name");
    std::string item = absl::StrCat("priority_classes[\"", name, "\"]");
    if (pc.priority < 0) {
      return Invalid(item + ".priority", absl::StrCat("must be >= 0, got ", pc.priority));
    }
    absl::Status s = CheckFractions(item + ".maximum_resource_fraction_per_queue",
                                    pc.maximum_resource_fraction_per_queue, true, true);
    if (!s.ok()) return s;
  }
  if (!priority_classes.contains(default_priority_class)) {
    return Invalid("default_priority_class",
                   absl::StrCat("\"", default_priority_class, "\" is not in priority_classes"));
  }
  absl::Status s = CheckFractions("maximum_resource_fraction_to_schedule",
                                  maximum_resource_fraction_to_schedule, false, false);
  if (!s.ok()) return s;
  s = CheckRate("maximum_scheduling", maximum_scheduling_rate, maximum_scheduling_burst);
  if (!s.ok()) return s;
  s = CheckRate("maximum_per_queue_scheduling", maximum_per_queue_scheduling_rate,
                maximum_per_queue_scheduling_burst);
  if (!s.ok()) return s;
  if (!std::isfinite(protected_fraction_of_fair_share) || protected_fraction_of_fair_share < 0) {
    return Invalid("protected_fraction_of_fair_share",
                   absl::StrCat("must be finite and >= 0, got ", protected_fraction_of_fair_share));
  }
  return CheckRate("maximum_fair_share_preemption", maximum_fair_share_preemption_rate,
                   maximum_fair_share_preemption_burst);
}

}  // namespace armada::scheduling
