#include "cli/event_printer.h"

#include <optional>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace armada::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The message of the `events` oneof, or null when none is set.
const Message* EventBody(const api::EventMessage& event) {
  const auto* oneof = event.GetDescriptor()->FindOneofByName("events");
  if (oneof == nullptr) return nullptr;
  const FieldDescriptor* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (field == nullptr) return nullptr;
  return &event.GetReflection()->GetMessage(event, field);
}

std::string FormatCreated(const Message& body) {
  const FieldDescriptor* field = body.GetDescriptor()->FindFieldByName("created");
  if (field == nullptr || !body.GetReflection()->HasField(body, field)) return "-";
  const auto& created = static_cast<const google::protobuf::Timestamp&>(
      body.GetReflection()->GetMessage(body, field));
  const absl::Time time =
      absl::FromUnixSeconds(created.seconds()) + absl::Nanoseconds(created.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

// Collects "label value" parts, skipping empty values.
class Parts {
 public:
  void Add(absl::string_view label, absl::string_view value) {
    if (!value.empty()) parts_.push_back(absl::StrCat(label, value));
  }
  void AddRaw(std::string part) { parts_.push_back(std::move(part)); }
  std::string Join() const { return absl::StrJoin(parts_, ", "); }

 private:
  std::vector<std::string> parts_;
};

template <typename QuantityMap>
std::string FormatQuantities(const QuantityMap& quantities) {
  std::map<std::string, std::string> sorted;
  for (const auto& [name, quantity] : quantities) sorted[name] = quantity.string();
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

void AddFailureDetails(const api::JobFailedEvent& failed, Parts& parts) {
  parts.Add("node ", failed.node_name());
  parts.Add("cluster ", failed.cluster_id());
  parts.Add("reason: ", failed.reason());
  for (const api::ContainerStatus& container : failed.container_statuses()) {
    std::string part =
        absl::StrCat("container ", container.name(), " exit code ", container.exitcode());
    // Skip a reason that only repeats the event's ("exit code 3").
    if (!container.reason().empty() && container.reason() != failed.reason()) {
      absl::StrAppend(&part, " (", container.reason(), ")");
    }
    parts.AddRaw(std::move(part));
  }
  if (failed.container_statuses().empty()) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    const std::map<std::string, int32_t> exit_codes(failed.exit_codes().begin(),
                                                    failed.exit_codes().end());
#pragma GCC diagnostic pop
    for (const auto& [container, code] : exit_codes) {
      parts.AddRaw(absl::StrCat("container ", container, " exit code ", code));
    }
  }
  if (!failed.failure_category().empty()) {
    std::string category = failed.failure_category();
    if (!failed.failure_subcategory().empty()) {
      absl::StrAppend(&category, "/", failed.failure_subcategory());
    }
    parts.Add("category ", category);
  }
}

// Details of the events that move a job through its life: lease, run, outcome.
void AddLifecycleDetails(const api::EventMessage& event, Parts& parts) {
  switch (event.events_case()) {
    case api::EventMessage::kSubmitted:
      parts.Add("client id ", event.submitted().job().client_id());
      break;
    case api::EventMessage::kLeased:
      parts.Add("cluster ", event.leased().cluster_id());
      parts.Add("pool ", event.leased().pool());
      break;
    case api::EventMessage::kLeaseReturned:
      parts.Add("cluster ", event.lease_returned().cluster_id());
      parts.Add("reason: ", event.lease_returned().reason());
      if (event.lease_returned().run_attempted()) parts.AddRaw("run attempted");
      break;
    case api::EventMessage::kPending:
      parts.Add("cluster ", event.pending().cluster_id());
      parts.Add("pod ", event.pending().pod_name());
      break;
    case api::EventMessage::kRunning:
      parts.Add("node ", event.running().node_name());
      parts.Add("cluster ", event.running().cluster_id());
      break;
    case api::EventMessage::kFailed:
      AddFailureDetails(event.failed(), parts);
      break;
    case api::EventMessage::kSucceeded:
      parts.Add("node ", event.succeeded().node_name());
      parts.Add("cluster ", event.succeeded().cluster_id());
      break;
    default:
      break;
  }
}

// Details of requests (reprioritize, cancel, preempt) and of informational events.
void AddRequestDetails(const api::EventMessage& event, Parts& parts) {
  switch (event.events_case()) {
    case api::EventMessage::kReprioritizing:
      parts.AddRaw(absl::StrCat("new priority ", event.reprioritizing().new_priority()));
      parts.Add("by ", event.reprioritizing().requestor());
      break;
    case api::EventMessage::kReprioritized:
      parts.AddRaw(absl::StrCat("new priority ", event.reprioritized().new_priority()));
      parts.Add("by ", event.reprioritized().requestor());
      break;
    case api::EventMessage::kCancelling:
      parts.Add("reason: ", event.cancelling().reason());
      parts.Add("by ", event.cancelling().requestor());
      break;
    case api::EventMessage::kCancelled:
      parts.Add("reason: ", event.cancelled().reason());
      parts.Add("by ", event.cancelled().requestor());
      break;
    case api::EventMessage::kPreempting:
      parts.Add("reason: ", event.preempting().reason());
      parts.Add("by ", event.preempting().requestor());
      break;
    case api::EventMessage::kPreempted:
      parts.Add("reason: ", event.preempted().reason());
      parts.Add("preempted by job ", event.preempted().preempting_job_id());
      parts.Add("by ", event.preempted().requestor());
      break;
    case api::EventMessage::kUtilisation:
      parts.Add("max ", FormatQuantities(event.utilisation().maxresourcesforperiod()));
      break;
    case api::EventMessage::kIngressInfo: {
      const std::map<int32_t, std::string> addresses(
          event.ingress_info().ingress_addresses().begin(),
          event.ingress_info().ingress_addresses().end());
      parts.Add("addresses ", absl::StrJoin(addresses, " ", absl::PairFormatter("=")));
      break;
    }
    default:
      break;
  }
}

std::string Details(const api::EventMessage& event) {
  Parts parts;
  AddLifecycleDetails(event, parts);
  AddRequestDetails(event, parts);
  return parts.Join();
}

std::optional<JobSetTracker::JobPhase> PhaseOf(const api::EventMessage& event) {
  using Phase = JobSetTracker::JobPhase;
  switch (event.events_case()) {
    case api::EventMessage::kSubmitted:
    case api::EventMessage::kQueued:
    case api::EventMessage::kLeaseReturned:
    case api::EventMessage::kLeaseExpired:
      return Phase::kQueued;
    case api::EventMessage::kLeased:
      return Phase::kLeased;
    case api::EventMessage::kPending:
      return Phase::kPending;
    case api::EventMessage::kRunning:
      return Phase::kRunning;
    case api::EventMessage::kPreempted:
      return Phase::kPreempted;
    case api::EventMessage::kSucceeded:
      return Phase::kSucceeded;
    case api::EventMessage::kFailed:
      return Phase::kFailed;
    case api::EventMessage::kCancelled:
      return Phase::kCancelled;
    default:
      return std::nullopt;
  }
}

bool IsTerminal(JobSetTracker::JobPhase phase) {
  return phase == JobSetTracker::JobPhase::kSucceeded ||
         phase == JobSetTracker::JobPhase::kFailed || phase == JobSetTracker::JobPhase::kCancelled;
}

}  // namespace

std::string EventTypeName(const api::EventMessage& event) {
  const Message* body = EventBody(event);
  if (body == nullptr) return "Unknown";
  // Every event type is named Job<Type>Event.
  absl::string_view name = body->GetDescriptor()->name();
  absl::ConsumePrefix(&name, "Job");
  absl::ConsumeSuffix(&name, "Event");
  return std::string(name);
}

std::string EventJobId(const api::EventMessage& event) {
  const Message* body = EventBody(event);
  if (body == nullptr) return "";
  const FieldDescriptor* field = body->GetDescriptor()->FindFieldByName("job_id");
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return "";
  return body->GetReflection()->GetString(*body, field);
}

std::string FormatEvent(const api::EventStreamMessage& message) {
  const Message* body = EventBody(message.message());
  const std::string time = body == nullptr ? "-" : FormatCreated(*body);
  std::string line = absl::StrCat(time, " | ", EventTypeName(message.message()), " | job ",
                                  EventJobId(message.message()));
  const std::string details = Details(message.message());
  if (!details.empty()) absl::StrAppend(&line, " | ", details);
  return line;
}

absl::StatusOr<std::string> FormatEventJson(const api::EventStreamMessage& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  if (auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
      !status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print event as JSON: ", status.ToString()));
  }
  return json;
}

void JobSetTracker::Observe(const api::EventStreamMessage& message) {
  const std::string job_id = EventJobId(message.message());
  if (job_id.empty()) return;
  auto [it, inserted] = jobs_.try_emplace(job_id, JobPhase::kSeen);
  if (std::optional<JobPhase> phase = PhaseOf(message.message())) it->second = *phase;
}

bool JobSetTracker::AllJobsFinished() const {
  if (jobs_.empty()) return false;
  for (const auto& [id, phase] : jobs_) {
    if (!IsTerminal(phase)) return false;
  }
  return true;
}

JobSetTracker::Counts JobSetTracker::counts() const {
  Counts counts;
  counts.jobs = jobs_.size();
  for (const auto& [id, phase] : jobs_) {
    if (phase == JobPhase::kSucceeded) ++counts.succeeded;
    if (phase == JobPhase::kFailed) ++counts.failed;
    if (phase == JobPhase::kCancelled) ++counts.cancelled;
  }
  return counts;
}

std::string JobSetTracker::Summary(absl::string_view job_set) const {
  const Counts c = counts();
  return absl::StrCat("Job set ", job_set, ": ", c.jobs, " jobs, ", c.succeeded, " succeeded, ",
                      c.failed, " failed, ", c.cancelled, " cancelled");
}

std::string JobSetTracker::StateCounts() const {
  static constexpr std::pair<JobPhase, const char*> kNames[] = {
      {JobPhase::kSeen, "seen"},           {JobPhase::kQueued, "queued"},
      {JobPhase::kLeased, "leased"},       {JobPhase::kPending, "pending"},
      {JobPhase::kRunning, "running"},     {JobPhase::kPreempted, "preempted"},
      {JobPhase::kSucceeded, "succeeded"}, {JobPhase::kFailed, "failed"},
      {JobPhase::kCancelled, "cancelled"}};
  std::map<JobPhase, size_t> counts;
  for (const auto& [id, phase] : jobs_) ++counts[phase];
  std::string out = absl::StrCat(jobs_.size(), jobs_.size() == 1 ? " job" : " jobs");
  const char* separator = ": ";
  for (const auto& [phase, name] : kNames) {
    auto it = counts.find(phase);
    if (it == counts.end()) continue;
    absl::StrAppend(&out, separator, name, " ", it->second);
    separator = ", ";
  }
  return out;
}

}  // namespace armada::cli
