#pragma once

// Armada's defaults for a submitted job (its internal/server/submit/
// conversion/post_process.go), applied after every check has passed. Pure
// functions of the item and the configuration: no I/O, thread safe.

#include <string>
#include <string_view>

#include "lib/model/submit_validation.h"

namespace armada::model {

// Returns `valid` (the checked item's priority, namespace, priority class and
// summed requests) with Armada's defaults added, in Armada's order:
//   1. gangs (cardinality > 1): the node uniformity label annotation
//      (default_gang_node_uniformity_label, even if empty) and failFast
//      "true" when not set; with add_gang_id_label, a label holding the
//      gang id of any item that names one;
//   2. activeDeadlineSeconds, when the pod sets none: the largest
//      default_active_deadline_by_resource_seconds of a resource some
//      container requests more than zero of, else
//      default_active_deadline_seconds (0: none);
//   3. the priority class, when the pod names none (done by validation);
//   4. default_job_limits, into both requests and limits of each container
//      and init container naming the resource in neither (added to
//      valid.requests for containers);
//   5. tolerations: default_job_tolerations, then those of the (defaulted)
//      priority class, then those of each resource the pod requests more
//      than zero of (in resource name order);
//   6. terminationGracePeriodSeconds: none or 0 becomes
//      min_termination_grace_seconds, unless that is 0.
// REQUIRES: `item` passed ValidateSubmitItem's checks (quantities parse).
ValidatedItem ApplySubmitDefaults(const SubmitItemView& item, const SubmitConfig& config,
                                  ValidatedItem valid);

// Armada's templating of label and annotation values: "{JobId}" becomes
// `job_id`, and "{{JobId}}" the literal text "JobId".
std::string ExpandJobIdTemplate(std::string_view value, std::string_view job_id);

}  // namespace armada::model
