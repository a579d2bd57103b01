#include "sim/time_runner.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/scheduling/scheduling_config.h"
#include "sim/explain.h"
#include "sim/snapshot.h"

namespace armada::sim {
namespace {

struct Submission {
  model::QueuedJob job;
  absl::Duration submit_at;
  absl::Duration runtime;
};

struct ActiveRun {
  model::RunningJob job;
  absl::Duration start;
  absl::Duration end;
};

int TypeRank(const std::string& type) {
  if (type == "succeeded") return 0;
  if (type == "preempted") return 1;
  if (type == "submitted") return 2;
  return 3;
}

class TimeSimulation {
 public:
  TimeSimulation(const Scenario& scenario, const RunOptions& options,
                 std::unique_ptr<scheduling::Scheduler> scheduler)
      : scenario_(scenario),
        workload_(*scenario.workload),
        explain_(options.explain_job),
        scheduler_(std::move(scheduler)) {
    for (const auto& q : scenario.queues) result_.used[q.name];
    NameSubmissions();
  }

  TimeResult Run() {
    const absl::Duration until = workload_.until;
    for (absl::Duration t; t <= until; t += workload_.cycle_period) {
      Complete(t);
      Submit(t);
      if (next_submission_ == pending_.size() && queued_.empty() && running_.empty()) break;
      Cycle(t);
    }
    Complete(until);
    Submit(until);
    for (const auto& run : running_) Account(run, until);
    std::stable_sort(result_.events.begin(), result_.events.end(),
                     [](const Event& a, const Event& b) {
                       return std::make_tuple(a.time, TypeRank(a.type)) <
                              std::make_tuple(b.time, TypeRank(b.type));
                     });
    return std::move(result_);
  }

 private:
  // Orders submissions by (submitAt, file order) and names them QUEUE/N.
  void NameSubmissions() {
    std::vector<const JobSpec*> specs;
    for (const auto& spec : workload_.jobs) specs.push_back(&spec);
    std::stable_sort(specs.begin(), specs.end(), [](const JobSpec* a, const JobSpec* b) {
      return a->submit_at < b->submit_at;
    });
    for (const JobSpec* spec : specs) {
      std::string gang_id;
      for (int64_t i = 0; i < spec->count; ++i) {
        std::string id = absl::StrCat(spec->queue, "/", next_index_[spec->queue]++);
        if (spec->gang_cardinality > 0 && i % spec->gang_cardinality == 0) gang_id = id;
        pending_.push_back(
            {MakeQueuedJob(*spec, std::move(id), seq_++, gang_id), spec->submit_at, spec->runtime});
      }
    }
  }

  // Preempted runs end now; with resubmitPreempted each comes back as a new job of its queue
  // (gang members as a new gang). Jobs that can never be scheduled leave the queue.
  void ApplyEvictions(absl::Duration t, const scheduling::Decision& d) {
    std::map<std::string, std::string> new_gang_ids;  // old gang id -> the new gang's id
    for (const auto& p : d.preemptions) {
      auto it = std::find_if(running_.begin(), running_.end(),
                             [&](const ActiveRun& run) { return run.job.id == p.job_id; });
      if (it == running_.end()) continue;
      Account(*it, t);
      result_.events.push_back({t, "preempted", it->job.id, it->job.queue, ""});
      if (it->job.id == explain_) result_.explain.push_back({t, "preempted: " + p.reason});
      if (workload_.resubmit_preempted) {
        model::QueuedJob again = original_.at(it->job.id);
        again.id = absl::StrCat(again.queue, "/", next_index_[again.queue]++);
        again.submit_seq = seq_++;
        if (!again.gang_id.empty()) {
          auto [g, inserted] = new_gang_ids.emplace(again.gang_id, again.id);
          again.gang_id = g->second;
        }
        result_.events.push_back({t, "submitted", again.id, again.queue, ""});
        runtime_[again.id] = runtime_.at(it->job.id);
        original_[again.id] = again;
        queued_.push_back(std::move(again));
      }
      running_.erase(it);
    }
    for (const auto& r : d.rejected) {
      auto it = std::find_if(queued_.begin(), queued_.end(),
                             [&](const model::QueuedJob& job) { return job.id == r.job_id; });
      if (it == queued_.end()) continue;
      result_.events.push_back({t, "rejected", it->id, it->queue, ""});
      if (it->id == explain_) result_.explain.push_back({t, "rejected: " + r.reason});
      queued_.erase(it);
    }
  }

  void Complete(absl::Duration t) {
    std::vector<ActiveRun> still;
    for (auto& run : running_) {
      if (run.end > t) {
        still.push_back(std::move(run));
        continue;
      }
      Account(run, run.end);
      result_.events.push_back({run.end, "succeeded", run.job.id, run.job.queue, ""});
      if (run.job.id == explain_) result_.explain.push_back({run.end, "succeeded"});
    }
    running_ = std::move(still);
  }

  void Submit(absl::Duration t) {
    for (; next_submission_ < pending_.size(); ++next_submission_) {
      Submission& s = pending_[next_submission_];
      if (s.submit_at > t) break;
      result_.events.push_back({s.submit_at, "submitted", s.job.id, s.job.queue, ""});
      if (s.job.id == explain_) result_.explain.push_back({s.submit_at, "submitted"});
      runtime_[s.job.id] = s.runtime;
      original_[s.job.id] = s.job;
      queued_.push_back(std::move(s.job));
    }
  }

  void Cycle(absl::Duration t) {
    std::vector<model::RunningJob> running;
    for (const auto& run : running_) running.push_back(run.job);
    const scheduling::SchedulingSnapshot snapshot =
        MakeSnapshot(scenario_, queued_, running, usage_, rate_limits_, kSimStart + t);
    scheduling::Decision d = scheduler_->Schedule(snapshot);
    std::string report = ExplainReport(cycles_++, snapshot, d, explain_);
    if (!report.empty()) result_.explain_report = std::move(report);
    usage_ = d.usage;
    rate_limits_ = d.rate_limits;
    ApplyEvictions(t, d);
    std::map<std::string, const scheduling::Lease*> leases;
    for (const auto& lease : d.leases) leases[lease.job_id] = &lease;
    std::vector<model::QueuedJob> still;
    bool explain_queued = false;
    for (auto& job : queued_) {
      auto it = leases.find(job.id);
      if (it == leases.end()) {
        explain_queued = explain_queued || job.id == explain_;
        still.push_back(std::move(job));
        continue;
      }
      const scheduling::Lease& lease = *it->second;
      result_.events.push_back({t, "leased", job.id, job.queue, lease.node});
      if (job.id == explain_) result_.explain.push_back({t, "leased on " + lease.node});
      running_.push_back({MakeRunningJob(job, lease, kSimStart + t), t, t + runtime_.at(job.id)});
    }
    queued_ = std::move(still);
    if (explain_queued) ExplainQueued(t, d);
  }

  // Why the explained job, still queued, was not leased in the cycle at `t`.
  void ExplainQueued(absl::Duration t, const scheduling::Decision& d) {
    std::string status = "not scheduled";
    for (const auto& u : d.unscheduled) {
      if (u.job_id == explain_) status = "not scheduled: " + u.reason;
    }
    std::vector<model::RunningJob> running;
    for (const auto& run : running_) running.push_back(run.job);
    for (const auto& job : queued_) {
      if (job.id == explain_) {
        absl::StrAppend(&status, "; ", NodeBreakdown(job, scenario_.nodes, running));
      }
    }
    result_.explain.push_back({t, std::move(status)});
  }

  // Adds the resources `run` used from its start to `end`.
  void Account(const ActiveRun& run, absl::Duration end) {
    const int64_t ms = absl::ToInt64Milliseconds(end - run.start);
    if (ms <= 0) return;
    auto& used = result_.used[run.job.queue];
    for (const auto& [name, milli] : run.job.requests.entries()) {
      used[name] += absl::int128(milli) * ms;
    }
  }

  const Scenario& scenario_;
  const Workload& workload_;
  std::string explain_;
  std::unique_ptr<scheduling::Scheduler> scheduler_;
  std::vector<Submission> pending_;  // by (submitAt, file order)
  size_t next_submission_ = 0;
  std::map<std::string, absl::Duration> runtime_;
  std::map<std::string, model::QueuedJob> original_;  // as submitted, for resubmission
  std::map<std::string, int64_t> next_index_;         // queue -> next N of QUEUE/N
  int64_t seq_ = 0;
  std::vector<model::QueuedJob> queued_;
  std::vector<ActiveRun> running_;
  std::map<model::PoolQueue, model::QueueUsage> usage_;
  scheduling::RateLimitState rate_limits_;
  int64_t cycles_ = 0;  // cycles run, for the reports' cycle numbers
  TimeResult result_;
};

}  // namespace

absl::StatusOr<TimeResult> RunTime(const Scenario& scenario, const RunOptions& options) {
  assert(scenario.time_mode());
  ASSIGN_OR_RETURN(std::unique_ptr<scheduling::Scheduler> scheduler,
                   scheduling::MakeScheduler(scenario.scheduling));
  return TimeSimulation(scenario, options, std::move(scheduler)).Run();
}

}  // namespace armada::sim
