#include "sim/time_runner.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <memory>
#include <optional>
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
        skip_quiet_cycles_(options.skip_quiet_cycles),
        scheduler_(std::move(scheduler)) {
    for (const auto& q : scenario.queues) result_.used[q.name];
    NameSubmissions();
  }

  TimeResult Run() {
    const absl::Duration until = workload_.until;
    for (absl::Duration t; t <= until;) {
      Complete(t);
      Submit(t);
      if (next_submission_ == pending_.size() && queued_.empty() && running_.empty()) break;
      CycleRecord cycle = Cycle(t);
      const absl::Duration next = NextCycleThatMayDiffer(t, cycle.snapshot, cycle.decision);
      RecordSkippedCycles(t, next, cycle);
      t = next;
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

  // What one cycle saw and decided, for NextCycleThatMayDiffer and RecordSkippedCycles.
  struct CycleRecord {
    scheduling::SchedulingSnapshot snapshot;
    scheduling::Decision decision;
    std::optional<std::string> explain_status;  // the explained job's line, when it stayed queued
    bool explain_report = false;                // the cycle set result_.explain_report
  };

  CycleRecord Cycle(absl::Duration t) {
    std::vector<model::RunningJob> running;
    for (const auto& run : running_) running.push_back(run.job);
    CycleRecord cycle;
    cycle.snapshot = MakeSnapshot(scenario_, queued_, running, usage_, rate_limits_, kSimStart + t);
    cycle.decision = scheduler_->Schedule(cycle.snapshot);
    const scheduling::Decision& d = cycle.decision;
    std::string report = ExplainReport(cycles_++, cycle.snapshot, d, explain_);
    if (!report.empty()) {
      result_.explain_report = std::move(report);
      cycle.explain_report = true;
    }
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
    if (explain_queued) {
      cycle.explain_status = ExplainQueued(d);
      result_.explain.push_back({t, *cycle.explain_status});
    }
    return cycle;
  }

  // The time of the next cycle whose decision may differ from the one just made at `t` from
  // `snapshot`: t + cyclePeriod, or the first cycle at or after the next event when every cycle
  // in between is certain to decide exactly as this one did. Skipping those cycles is exact
  // (same events, usage accounting and explain output as running them) because of these, all
  // checked below:
  //  1. This decision changed nothing: no lease, preemption or rejection (and so no
  //     resubmission), so the jobs queued and running after it are those of `snapshot`.
  //  2. No event before the returned cycle: no run ends (a run ending at its start, runtime 0,
  //     still waits for the next cycle) and no submission falls due. So the cycles in between
  //     would give the scheduler the same queued and running jobs.
  //  3. The scheduler's other inputs do not change with time alone, so each of those snapshots
  //     would equal `snapshot` but for `now`, and the decision would not depend on `now`:
  //     a. usage: half-life 0 in every pool ("0 ignores history", fair_share_config.h: the
  //        previous usage is not read), or no usage at all (FifoScheduler keeps none);
  //     b. rate limits: every token bucket is full before and after this decision (the state is
  //        empty) and a full bucket stays full, whereas a partly empty one refills with `now`;
  //     c. no cycle-time limit (armada-sim passes no clock): with one the decision would depend
  //        on how fast the cycle ran.
  //     FairShareScheduler reads `now` only for (a), (b) and as the start of queued jobs when
  //     ordering evicted ones, where it is later than every running job's start at any cycle
  //     (no order changes); FifoScheduler not at all.
  // The scheduler is pure and deterministic (scheduler.h), so the same snapshot gives the same
  // decision: every skipped cycle would have changed nothing, again. A scheduler whose decision
  // may change with the clock in another way (e.g. a gang reservation that expires) says when:
  // that time joins the events of 2, and the jump stops at the cycle at or after it.
  absl::Duration NextCycleThatMayDiffer(absl::Duration t,
                                        const scheduling::SchedulingSnapshot& snapshot,
                                        const scheduling::Decision& d) const {
    const absl::Duration period = workload_.cycle_period;
    const absl::Duration next = t + period;
    if (!skip_quiet_cycles_) return next;
    if (!d.leases.empty() || !d.preemptions.empty() || !d.rejected.empty()) return next;  // 1
    const scheduling::FairShareConfig& fs = scenario_.scheduling.fair_share;
    bool no_history = fs.half_life == absl::ZeroDuration();
    for (const auto& [pool, half_life] : fs.half_life_by_pool) {
      no_history = no_history && half_life == absl::ZeroDuration();
    }
    if (!no_history && !(snapshot.usage.empty() && d.usage.empty())) return next;  // 3a
    if (!(snapshot.rate_limits == scheduling::RateLimitState{}) ||
        !(d.rate_limits == scheduling::RateLimitState{})) {
      return next;  // 3b
    }
    if (snapshot.clock != nullptr && snapshot.max_cycle_time > absl::ZeroDuration()) {
      return next;  // 3c
    }
    // 2: the earliest event, or the scheduler's own hint (a gang reservation's projected start
    // moves when a running job's runtime bound passes), whichever comes first.
    std::optional<absl::Duration> change_at;
    if (d.revisit_at != absl::InfiniteFuture()) change_at = d.revisit_at - kSimStart;
    for (const auto& run : running_) {
      if (!change_at || run.end < *change_at) change_at = run.end;
    }
    if (next_submission_ < pending_.size()) {
      const absl::Duration submit_at = pending_[next_submission_].submit_at;
      if (!change_at || submit_at < *change_at) change_at = submit_at;
    }
    if (!change_at) return workload_.until + period;  // nothing will change: no more cycles
    if (*change_at <= next) return next;
    // The cycle at or after *change_at: cycles fall on multiples of the period.
    absl::Duration rest;
    const int64_t periods = absl::IDivDuration(*change_at - t, period, &rest);
    return t + period * (periods + (rest > absl::ZeroDuration() ? 1 : 0));
  }

  // Records what the cycles after `t` and before `next`, skipped by NextCycleThatMayDiffer, would
  // have recorded: their cycle numbers, and for --explain the same status line at each one and
  // the report of the last one (`cycle` with that cycle's `now`).
  void RecordSkippedCycles(absl::Duration t, absl::Duration next, CycleRecord& cycle) {
    const absl::Duration period = workload_.cycle_period;
    int64_t skipped = 0;
    for (absl::Duration s = t + period; s < next && s <= workload_.until; s += period) {
      ++skipped;
      if (cycle.explain_status) result_.explain.push_back({s, *cycle.explain_status});
      cycle.snapshot.now = kSimStart + s;
    }
    if (skipped > 0 && cycle.explain_report) {
      // The skipped cycle's decision is this one with its usage stamped at its own `now` (half-
      // life 0 or no usage: the usage is the current share, updated now).
      for (auto& [key, usage] : cycle.decision.usage) usage.updated_at = cycle.snapshot.now;
      result_.explain_report =
          ExplainReport(cycles_ + skipped - 1, cycle.snapshot, cycle.decision, explain_);
    }
    cycles_ += skipped;
  }

  // Why the explained job, still queued, was not leased: the status line of this cycle.
  std::string ExplainQueued(const scheduling::Decision& d) {
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
    return status;
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
  bool skip_quiet_cycles_;
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
