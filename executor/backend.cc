#include "executor/backend.h"

#include "lib/model/submit_validation.h"

namespace armada::executor {

std::vector<std::pair<std::string, std::string>> ArmadaEnv(const RunSpec& spec) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"ARMADA_JOB_ID", spec.job_id},
      {"ARMADA_RUN_ID", spec.run_id},
      {"ARMADA_QUEUE", spec.queue},
      {"ARMADA_JOB_SET_ID", spec.job_set},
  };
  auto add_from = [&](const char* annotation, const char* name) {
    const auto it = spec.annotations.find(annotation);
    if (it != spec.annotations.end() && !it->second.empty()) env.emplace_back(name, it->second);
  };
  add_from(model::kGangIdAnnotation, "ARMADA_GANG_ID");
  add_from(model::kGangCardinalityAnnotation, "ARMADA_GANG_CARDINALITY");
  add_from(model::kGangUniformityLabelAnnotation, "ARMADA_GANG_NODE_UNIFORMITY_LABEL_NAME");
  return env;
}

}  // namespace armada::executor
