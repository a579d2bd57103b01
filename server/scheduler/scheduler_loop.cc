#include "server/scheduler/scheduler_loop.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "lib/store/job_store.h"
#include "server/jobs/job_transitions.h"
#include "server/scheduler/snapshot_loader.h"
#include "spdlog/spdlog.h"

namespace armada::server {

SchedulerLoop::SchedulerLoop(store::Database& db, const scheduling::Scheduler& scheduler,
                             const common::Clock& clock, const ServerConfig& config)
    : db_(db),
      scheduler_(scheduler),
      clock_(clock),
      config_(config),
      lock_(db.url(), config.leader_lock_timeout),
      writer_(db, lock_, config.retry, std::max(1, config.leases_per_transaction)) {}

void SchedulerLoop::StartGrace() {
  expiry_not_before_ = std::max(expiry_not_before_, clock_.Now() + config_.executor_timeout);
}

bool SchedulerLoop::EnsureLeader() {
  if (!lock_.Check()) return false;
  if (lock_.term() != term_) {
    term_ = lock_.term();
    index_loaded_ = false;  // load what the previous leader left
    rate_limits_ = {};      // full buckets for a new leader
    expiry_not_before_ = clock_.Now() + config_.executor_timeout;
  }
  return true;
}

absl::StatusOr<int> SchedulerLoop::ExpireSilentExecutors() {
  if (!EnsureLeader()) return absl::FailedPreconditionError("not the scheduling leader");
  const absl::Time now = clock_.Now();
  if (now < expiry_not_before_) return 0;
  int expired = 0;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    if (absl::Status fenced = lock_.Fence(tx); !fenced.ok()) return fenced;
    JobTransitions transitions(tx, now, config_.retry);
    const absl::Time cutoff = now - config_.executor_timeout;
    const auto runs = store::ActiveRunsOfExecutorsSilentSince(tx, cutoff);
    for (const store::LeasedRun& run : runs) transitions.ExpireLease(run);
    for (const store::LeasedRun& run : store::StopPendingRunsOfExecutorsSilentSince(tx, cutoff)) {
      transitions.ConfirmStopped(run);
    }
    transitions.Commit();
    expired = static_cast<int>(runs.size());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return expired;
}

absl::StatusOr<int> SchedulerLoop::RunCycle() {
  if (!EnsureLeader()) return absl::FailedPreconditionError("not the scheduling leader");
  CycleStats stats;
  absl::StatusOr<int> leased = RunLeaderCycle(stats);
  stats.ok = leased.ok();
  if (cycle_observer_) cycle_observer_(stats);
  return leased;
}

absl::StatusOr<int> SchedulerLoop::RunLeaderCycle(CycleStats& stats) {
  // Each phase's wall time goes to `stats` as it ends, so a failed cycle shows where it stopped.
  const auto started = std::chrono::steady_clock::now();
  auto phase_start = started;
  auto end_phase = [&phase_start](double& seconds) {
    const auto now = std::chrono::steady_clock::now();
    seconds = std::chrono::duration<double>(now - phase_start).count();
    phase_start = now;
  };
  absl::Cleanup total = [&] {
    stats.total_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  // Any failure below may mean the database was away, and executors' heartbeats with it.
  absl::Cleanup grace_on_failure = [&] { StartGrace(); };
  auto expired = ExpireSilentExecutors();
  end_phase(stats.expire_seconds);
  if (!expired.ok()) return expired.status();
  // The job index is loaded once (when this replica starts scheduling) and
  // then follows the event log; after any error it is loaded afresh.
  if (!index_loaded_) {
    if (absl::Status s = index_.Load(db_); !s.ok()) return s;
    index_loaded_ = true;
  } else if (auto synced = index_.Sync(db_); !synced.ok()) {
    index_loaded_ = false;
    return synced.status();
  }
  end_phase(stats.sync_seconds);
  const absl::Time now = clock_.Now();
  scheduling::SchedulingSnapshot snapshot;
  snapshot.now = now;
  snapshot.rate_limits = rate_limits_;
  snapshot.clock = &clock_;
  snapshot.max_cycle_time = config_.scheduling.max_cycle_time;
  snapshot.max_leases = config_.max_leases_per_cycle;
  const SnapshotSettings settings{config_.executor_timeout,
                                  config_.max_unacknowledged_runs_per_executor};
  absl::Status tables = LoadSnapshotTables(db_, settings, now, snapshot);
  end_phase(stats.tables_seconds);
  if (!tables.ok()) return tables;
  // The queued jobs are lent to the snapshot, not copied; they go back before
  // the index changes again (on every path out of this function).
  snapshot.jobs = index_.TakeQueued();
  absl::Cleanup give_back = [&] { index_.ReturnQueued(std::move(snapshot.jobs)); };
  snapshot.running = index_.RunningJobs();
  // Scheduled even with nothing queued: the queues' usage keeps decaying and growing.
  scheduling::Decision decision = scheduler_.Schedule(snapshot);
  end_phase(stats.schedule_seconds);
  stats.queued = static_cast<int64_t>(snapshot.jobs.size());
  stats.preempted = static_cast<int64_t>(decision.preemptions.size());
  stats.shares = decision.shares;
  for (scheduling::UnscheduledKind kind : scheduling::kUnscheduledKinds) {
    stats.unscheduled[scheduling::UnscheduledKindName(kind)] = 0;
  }
  for (const scheduling::Unscheduled& job : decision.unscheduled) {
    ++stats.unscheduled[scheduling::UnscheduledKindName(job.kind)];
  }
  stats.unscheduled["rejected"] = static_cast<int64_t>(decision.rejected.size());
  if (reports_ != nullptr) reports_->Record(snapshot, decision);
  end_phase(stats.report_seconds);

  WrittenDecision written = writer_.Write(decision, snapshot.jobs, now);
  end_phase(stats.write_seconds);
  if (written.status.ok() || !written.leased.empty()) {
    // Written in part or whole: the buckets paid for it.
    rate_limits_ = std::move(decision.rate_limits);
  }
  std::move(give_back).Invoke();
  for (const auto& job : written.leased) {
    // submit_seq is the submission time in microseconds (the index's and the store's).
    const double waited = absl::ToDoubleSeconds(now - absl::FromUnixMicros(job.submit_seq));
    stats.lease_waits.push_back({job.queue, job.pool, std::max(0.0, waited)});
    index_.RecordLease(job);
  }
  stats.leased = static_cast<int64_t>(written.leased.size());
  if (!written.status.ok()) {
    spdlog::warn("scheduling decision written in part: {} of {} leases; {}", written.leased.size(),
                 decision.leases.size(), std::string(written.status.message()));
    return written.status;
  }
  std::move(grace_on_failure).Cancel();
  std::move(total).Invoke();
  if (stats.leased == 0) return 0;
  spdlog::info(
      "scheduling cycle: queued={} nodes={} leased={} took_ms={:.1f} (load={:.1f} [expire={:.1f} "
      "sync={:.1f} tables={:.1f}] schedule={:.1f} report={:.1f} write={:.1f})",
      stats.queued, snapshot.nodes.size(), stats.leased, stats.total_seconds * 1e3,
      (stats.expire_seconds + stats.sync_seconds + stats.tables_seconds) * 1e3,
      stats.expire_seconds * 1e3, stats.sync_seconds * 1e3, stats.tables_seconds * 1e3,
      stats.schedule_seconds * 1e3, stats.report_seconds * 1e3, stats.write_seconds * 1e3);
  return static_cast<int>(stats.leased);
}

void SchedulerLoop::Run(const std::atomic<bool>& stop) {
  const auto period = absl::ToChronoMilliseconds(config_.schedule_period);
  while (!stop.load()) {
    // The period runs from start to start, as Armada's cycle period: a cycle
    // that took longer is followed at once, not a whole period later.
    const auto started = std::chrono::steady_clock::now();
    const bool leader = EnsureLeader();
    if (leadership_observer_) leadership_observer_(leader);
    if (leader) {
      auto leased = RunCycle();
      if (!leased.ok()) {
        spdlog::warn("scheduling cycle failed: {}", std::string(leased.status().message()));
      }
    }
    std::this_thread::sleep_until(started + period);
  }
  lock_.Release();
}

}  // namespace armada::server
