#include "cli/queue_commands.h"

#include <map>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"
#include "cli/job_file.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

template <typename Map>
std::map<std::string, typename Map::mapped_type> Sorted(const Map& map) {
  return std::map<std::string, typename Map::mapped_type>(map.begin(), map.end());
}

void EmitList(YAML::Emitter& out, const char* key,
              const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& value : values) out << value;
  out << YAML::EndSeq;
}

template <typename Map>
void EmitScalarMap(YAML::Emitter& out, const char* key, const Map& map) {
  if (map.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : Sorted(map)) out << YAML::Key << name << YAML::Value << value;
  out << YAML::EndMap;
}

void EmitPermissions(YAML::Emitter& out, const api::Queue& queue) {
  if (queue.permissions().empty()) return;
  out << YAML::Key << "permissions" << YAML::Value << YAML::BeginSeq;
  for (const api::Queue::Permissions& permission : queue.permissions()) {
    out << YAML::BeginMap << YAML::Key << "subjects" << YAML::Value << YAML::BeginSeq;
    for (const auto& subject : permission.subjects()) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "kind" << YAML::Value << subject.kind()
          << YAML::Key << "name" << YAML::Value << subject.name() << YAML::EndMap;
    }
    out << YAML::EndSeq;
    EmitList(out, "verbs", permission.verbs());
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void EmitResourceLimits(YAML::Emitter& out, const api::Queue& queue) {
  if (queue.resource_limits_by_priority_class_name().empty()) return;
  out << YAML::Key << "resourceLimitsByPriorityClassName" << YAML::Value << YAML::BeginMap;
  for (const auto& [priority_class, limits] :
       Sorted(queue.resource_limits_by_priority_class_name())) {
    out << YAML::Key << priority_class << YAML::Value << YAML::BeginMap;
    EmitScalarMap(out, "maximumResourceFraction", limits.maximum_resource_fraction());
    if (!limits.maximum_resource_fraction_by_pool().empty()) {
      out << YAML::Key << "maximumResourceFractionByPool" << YAML::Value << YAML::BeginMap;
      for (const auto& [pool, pool_limits] : Sorted(limits.maximum_resource_fraction_by_pool())) {
        out << YAML::Key << pool << YAML::Value << YAML::BeginMap;
        EmitScalarMap(out, "maximumResourceFraction", pool_limits.maximum_resource_fraction());
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace

api::Queue QueueFromFlags(const QueueFlags& flags) {
  api::Queue queue;
  queue.set_name(flags.name);
  queue.set_priority_factor(flags.priority_factor);
  for (const std::string& owner : flags.owners) queue.add_user_owners(owner);
  for (const std::string& group : flags.group_owners) queue.add_group_owners(group);
  queue.set_cordoned(flags.cordon);
  return queue;
}

std::string FormatQueue(const api::Queue& queue) {
  YAML::Emitter out;
  out.SetDoublePrecision(15);  // 0.1, not 0.10000000000000001.
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << kResourceApiVersion;
  out << YAML::Key << "kind" << YAML::Value << "Queue";
  out << YAML::Key << "name" << YAML::Value << queue.name();
  out << YAML::Key << "priorityFactor" << YAML::Value << queue.priority_factor();
  out << YAML::Key << "cordoned" << YAML::Value << queue.cordoned();
  EmitList(out, "userOwners", queue.user_owners());
  EmitList(out, "groupOwners", queue.group_owners());
  EmitScalarMap(out, "labels", queue.labels());
  EmitPermissions(out, queue);
  EmitResourceLimits(out, queue);
  EmitList(out, "retryPolicies", queue.retry_policies());
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

absl::Status RunCreateQueue(ArmadaClient& client, const api::Queue& queue, std::ostream& out) {
  RETURN_IF_ERROR(client.CreateQueue(queue));
  out << "Created queue " << queue.name() << "\n";
  return absl::OkStatus();
}

absl::Status RunCreateFromFile(ArmadaClient& client, const std::string& path, std::ostream& out) {
  ASSIGN_OR_RETURN(const api::Queue queue, LoadQueueFile(path));
  return RunCreateQueue(client, queue, out);
}

absl::Status RunDeleteQueue(ArmadaClient& client, const std::string& name, std::ostream& out) {
  RETURN_IF_ERROR(client.DeleteQueue(name));
  out << "Deleted queue " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunGetQueue(ArmadaClient& client, const std::string& name, std::ostream& out) {
  ASSIGN_OR_RETURN(const api::Queue queue, client.GetQueue(name));
  out << FormatQueue(queue);
  return absl::OkStatus();
}

absl::Status RunGetQueues(ArmadaClient& client, std::ostream& out) {
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, client.GetQueues());
  for (size_t i = 0; i < queues.size(); ++i) {
    if (i > 0) out << "---\n";
    out << FormatQueue(queues[i]);
  }
  return absl::OkStatus();
}

}  // namespace armada::cli
