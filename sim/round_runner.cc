#include "sim/round_runner.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/scheduling/scheduling_config.h"
#include "sim/explain.h"
#include "sim/snapshot.h"

namespace armada::sim {
namespace {

// What is known of the explained job, to say its status round by round.
class RoundExplainer {
 public:
  explicit RoundExplainer(std::string job) : job_(std::move(job)) {}

  // The status in round `round`, after its leases are applied to `running`. `queued` is the job
  // when it was queued in this round.
  std::string Status(int round, const scheduling::Decision& d, const model::QueuedJob* queued,
                     bool withdraw, const std::vector<model::NodeInfo>& nodes,
                     const std::vector<model::RunningJob>& running) {
    if (job_.empty()) return "";
    if (!gone_.empty()) return gone_;
    for (const auto& p : d.preemptions) {
      if (p.job_id != job_) continue;
      gone_ = absl::StrCat("preempted in round ", round);
      return absl::StrCat("preempted on ", p.node, " to make room for ", p.preempting_job_id, ": ",
                          p.reason);
    }
    for (const auto& r : d.rejected) {
      if (r.job_id != job_) continue;
      gone_ = absl::StrCat("rejected in round ", round);
      return "rejected: " + r.reason;
    }
    if (!node_.empty()) {
      return absl::StrCat("running on ", node_, " (scheduled in round ", leased_in_, ")");
    }
    for (const auto& lease : d.leases) {
      if (lease.job_id == job_) {
        node_ = lease.node;
        leased_in_ = round;
        return "scheduled on " + node_;
      }
    }
    if (queued != nullptr) {
      std::string reason = "not scheduled";
      for (const auto& u : d.unscheduled) {
        if (u.job_id == job_) reason = "not scheduled: " + u.reason;
      }
      absl::StrAppend(&reason, "; ", NodeBreakdown(*queued, nodes, running));
      if (withdraw) {
        withdrawn_in_ = round;
        absl::StrAppend(&reason, " (withdrawn after this round)");
      }
      return reason;
    }
    if (withdrawn_in_ >= 0) return absl::StrCat("withdrawn after round ", withdrawn_in_);
    return "not submitted yet";
  }

 private:
  std::string job_;
  std::string node_;
  std::string gone_;  // once preempted or rejected: what every later round says
  int leased_in_ = -1;
  int withdrawn_in_ = -1;
};

// Removes the jobs `round.finish` names from `running` (they succeeded before round `r`).
// kInvalidArgument naming the round when one of them is not running.
absl::Status FinishJobs(size_t r, const Round& round, std::vector<model::RunningJob>& running) {
  for (const auto& [queue, by_round] : round.finish) {
    for (const auto& [submitted_in, indices] : by_round) {
      for (int64_t index : indices) {
        const std::string id = absl::StrCat(queue, "/", submitted_in, "/", index);
        const auto it = std::find_if(running.begin(), running.end(),
                                     [&](const model::RunningJob& job) { return job.id == id; });
        if (it == running.end()) {
          return absl::InvalidArgumentError(absl::StrCat(round.line, ": rounds[", r,
                                                         "].finish: job ", id,
                                                         " is not running before round ", r));
        }
        running.erase(it);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RoundResult> RunRounds(const Scenario& scenario, const RunOptions& options) {
  assert(!scenario.time_mode());
  ASSIGN_OR_RETURN(std::unique_ptr<scheduling::Scheduler> scheduler,
                   scheduling::MakeScheduler(scenario.scheduling));
  RoundExplainer explainer(options.explain_job);
  std::vector<model::QueuedJob> queued;  // submission order
  std::vector<model::RunningJob> running;
  std::map<model::PoolQueue, model::QueueUsage> usage;
  scheduling::RateLimitState rate_limits;
  int64_t seq = 0;
  std::set<std::string> cordoned;  // node names; a cordon lasts for every later round
  RoundResult result;
  for (size_t r = 0; r < scenario.rounds.size(); ++r) {
    const Round& round = scenario.rounds[r];
    std::map<std::string, int64_t> index;  // queue -> next INDEX in this round
    for (const JobSpec& spec : round.submit) {
      std::string gang_id;
      for (int64_t i = 0; i < spec.count; ++i) {
        std::string id = absl::StrCat(spec.queue, "/", r, "/", index[spec.queue]++);
        if (spec.gang_cardinality > 0 && i % spec.gang_cardinality == 0) gang_id = id;
        queued.push_back(MakeQueuedJob(spec, std::move(id), seq++, gang_id));
      }
    }
    RETURN_IF_ERROR(FinishJobs(r, round, running));
    cordoned.insert(round.cordon_nodes.begin(), round.cordon_nodes.end());
    const absl::Time now = kSimStart + static_cast<int64_t>(r) * scenario.round_period;
    scheduling::SchedulingSnapshot snapshot =
        MakeSnapshot(scenario, queued, running, usage, rate_limits, now);
    for (auto& node : snapshot.nodes) {
      if (cordoned.contains(node.name)) node.unschedulable = true;
    }
    scheduling::Decision decision = scheduler->Schedule(snapshot);
    std::string report =
        ExplainReport(static_cast<int64_t>(r), snapshot, decision, options.explain_job);
    if (!report.empty()) result.explain_report = std::move(report);
    usage = decision.usage;
    rate_limits = decision.rate_limits;

    RoundRecord record;
    record.round = static_cast<int>(r);
    // Preempted jobs are gone (failed); so are jobs that can never be scheduled.
    std::set<std::string> gone;
    for (const auto& p : decision.preemptions) {
      record.preempted.push_back(p.job_id);
      gone.insert(p.job_id);
    }
    std::erase_if(running, [&](const model::RunningJob& job) { return gone.contains(job.id); });
    for (const auto& rejected : decision.rejected) {
      record.rejected.push_back(rejected.job_id);
      gone.insert(rejected.job_id);
    }
    std::erase_if(queued, [&](const model::QueuedJob& job) { return gone.contains(job.id); });
    std::optional<model::QueuedJob> explained;
    std::map<std::string, const scheduling::Lease*> leases;
    for (const auto& lease : decision.leases) leases[lease.job_id] = &lease;
    std::vector<model::QueuedJob> still_queued;
    for (auto& job : queued) {
      if (job.id == options.explain_job) explained = job;
      auto it = leases.find(job.id);
      if (it == leases.end()) {
        if (!round.withdraw_unscheduled) still_queued.push_back(std::move(job));
        continue;
      }
      record.scheduled.emplace_back(job.id, it->second->node);
      running.push_back(MakeRunningJob(job, *it->second, now));
    }
    queued = std::move(still_queued);
    record.explain = explainer.Status(record.round, decision, explained ? &*explained : nullptr,
                                      round.withdraw_unscheduled, scenario.nodes, running);
    record.queues = MakeQueueRows(scenario, decision, running);
    result.rounds.push_back(std::move(record));
  }
  return result;
}

}  // namespace armada::sim
