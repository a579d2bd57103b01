#include "cli/queue_commands.h"

#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(
    const std::vector<std::string>& items) {
  std::map<std::string, std::string> labels;
  for (const std::string& item : items) {
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat("label \"", item, "\": expected key=value"));
    }
    labels[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return labels;
}

absl::StatusOr<api::Queue> QueueFromFlags(const QueueFlags& flags) {
  ASSIGN_OR_RETURN(const auto labels, ParseLabels(flags.labels));
  api::Queue queue;
  queue.set_name(flags.name);
  queue.set_priority_factor(flags.priority_factor);
  for (const std::string& owner : flags.owners) queue.add_user_owners(owner);
  for (const std::string& group : flags.group_owners) queue.add_group_owners(group);
  queue.set_cordoned(flags.cordon);
  for (const auto& [key, value] : labels) (*queue.mutable_labels())[key] = value;
  for (const std::string& policy : flags.retry_policies) queue.add_retry_policies(policy);
  return queue;
}

absl::StatusOr<std::vector<api::Queue>> SelectQueues(const std::vector<api::Queue>& queues,
                                                     const QueueSelector& selector) {
  ASSIGN_OR_RETURN(const auto labels, ParseLabels(selector.match_labels));
  const std::set<std::string> names(selector.names.begin(), selector.names.end());
  std::vector<api::Queue> selected;
  for (const api::Queue& queue : queues) {
    bool match = names.empty() || names.count(queue.name()) > 0;
    for (const auto& [key, value] : labels) {
      auto it = queue.labels().find(key);
      if (it == queue.labels().end() || it->second != value) match = false;
    }
    if (match == selector.inverse) continue;
    if (selector.only_cordoned && !queue.cordoned()) continue;
    selected.push_back(queue);
  }
  return selected;
}

absl::StatusOr<std::vector<api::Queue>> FetchSelectedQueues(ArmadaClient& client,
                                                            const QueueSelector& selector) {
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, client.GetQueues());
  std::set<std::string> missing(selector.names.begin(), selector.names.end());
  for (const api::Queue& queue : queues) missing.erase(queue.name());
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat("no such queue: ", absl::StrJoin(missing, ", ")));
  }
  return SelectQueues(queues, selector);
}

nlohmann::ordered_json QueueToJson(const api::Queue& queue) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["apiVersion"] = kResourceApiVersion;
  json["kind"] = "Queue";
  const nlohmann::ordered_json fields = MessageToJson(queue);
  for (const auto& [key, value] : fields.items()) json[key] = value;
  return json;
}

std::string FormatQueuesTable(const std::vector<api::Queue>& queues) {
  Table table({"NAME", "PRIORITY FACTOR", "CORDONED", "OWNERS", "GROUP OWNERS", "LABELS"});
  for (const api::Queue& queue : queues) {
    std::vector<std::string> labels;
    for (const auto& [key, value] : Sorted(queue.labels())) {
      labels.push_back(absl::StrCat(key, "=", value));
    }
    table.AddRow({queue.name(), FormatNumber(queue.priority_factor()),
                  queue.cordoned() ? "true" : "false", absl::StrJoin(queue.user_owners(), ","),
                  absl::StrJoin(queue.group_owners(), ","), absl::StrJoin(labels, ",")});
  }
  return table.Render();
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

absl::Status RunCreateFromFile(ArmadaClient& client, const std::string& path, bool dry_run,
                               std::ostream& out) {
  ASSIGN_OR_RETURN(const api::Queue queue, LoadQueueFile(path));
  if (dry_run) {
    out << "Dry run: " << path << " is a valid queue file for queue " << queue.name() << "\n";
    return absl::OkStatus();
  }
  return RunCreateQueue(client, queue, out);
}

absl::Status RunUpdateQueue(ArmadaClient& client, const api::Queue& queue, std::ostream& out) {
  RETURN_IF_ERROR(client.UpdateQueue(queue));
  out << "Updated queue " << queue.name() << "\n";
  return absl::OkStatus();
}

absl::Status RunUpdateFromFile(ArmadaClient& client, const std::string& path, bool dry_run,
                               std::ostream& out) {
  ASSIGN_OR_RETURN(const api::Queue queue, LoadQueueFile(path));
  if (dry_run) {
    out << "Dry run: " << path << " is a valid queue file for queue " << queue.name() << "\n";
    return absl::OkStatus();
  }
  return RunUpdateQueue(client, queue, out);
}

absl::Status RunDeleteQueue(ArmadaClient& client, const std::string& name, std::ostream& out) {
  RETURN_IF_ERROR(client.DeleteQueue(name));
  out << "Deleted queue " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunGetQueue(ArmadaClient& client, const std::string& name, OutputFormat format,
                         std::ostream& out) {
  ASSIGN_OR_RETURN(const api::Queue queue, client.GetQueue(name));
  switch (format) {
    case OutputFormat::kJson:
      out << JsonText(QueueToJson(queue));
      break;
    case OutputFormat::kTable:
      out << FormatQueuesTable({queue});
      break;
    default:
      out << FormatQueue(queue);
      break;
  }
  return absl::OkStatus();
}

absl::Status RunGetQueues(ArmadaClient& client, const QueueSelector& selector, OutputFormat format,
                          std::ostream& out) {
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, FetchSelectedQueues(client, selector));
  switch (format) {
    case OutputFormat::kYaml:
      for (size_t i = 0; i < queues.size(); ++i) {
        if (i > 0) out << "---\n";
        out << FormatQueue(queues[i]);
      }
      break;
    case OutputFormat::kJson: {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const api::Queue& queue : queues) list.push_back(QueueToJson(queue));
      out << JsonText(list);
      break;
    }
    default:
      if (queues.empty()) {
        out << "No queues\n";
      } else {
        out << FormatQueuesTable(queues);
      }
      break;
  }
  return absl::OkStatus();
}

absl::Status RunCordonQueues(ArmadaClient& client, const QueueSelector& selector, bool cordon,
                             bool dry_run, std::ostream& out) {
  if (selector.names.empty() && selector.match_labels.empty()) {
    return absl::InvalidArgumentError(
        "name the queues or select them by label (-l key=value); refusing to act on every queue");
  }
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, FetchSelectedQueues(client, selector));
  const char* verb = cordon ? "cordon" : "uncordon";
  for (const api::Queue& queue : queues) {
    if (dry_run) {
      out << "Would " << verb << " queue " << queue.name() << "\n";
      continue;
    }
    RETURN_IF_ERROR(cordon ? client.CordonQueue(queue.name()) : client.UncordonQueue(queue.name()));
    out << (cordon ? "Cordoned" : "Uncordoned") << " queue " << queue.name() << "\n";
  }
  if (queues.empty()) out << "No queue matches\n";
  return absl::OkStatus();
}

}  // namespace armada::cli
