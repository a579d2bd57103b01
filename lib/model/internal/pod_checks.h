#pragma once

// Submit validation's checks of a pod's affinity, ingresses, tolerations and
// price band (Armada's validateAffinity, validateIngresses,
// validateTolerations, validatePriceBand), for ValidateSubmitItem. Errors are
// kInvalidArgument starting with the offending field's path. Pure functions.

#include <string>

#include "absl/status/status.h"
#include "lib/model/submit_validation.h"

namespace armada::model::internal {

// No preferred node affinity; required node affinity as Kubernetes accepts
// it: each requirement's key a qualified name, its values label values,
// In/NotIn with values, Exists/DoesNotExist without, Gt/Lt with one integer.
// `pod` is the pod spec's path.
absl::Status CheckAffinity(const std::string& pod, const SubmitItemView& item);

// Each ingress lists at least one port, and no port is in two. `path` is the
// item's path.
absl::Status CheckIngresses(const std::string& path, const SubmitItemView& item);

// No toleration with a key of config.restricted_toleration_keys.
absl::Status CheckTolerations(const std::string& pod, const SubmitItemView& item,
                              const SubmitConfig& config);

// Armada's price bands: None and A to H, in any case.
bool IsPriceBand(const std::string& band);

}  // namespace armada::model::internal
