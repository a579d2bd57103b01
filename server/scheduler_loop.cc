#include "server/scheduler_loop.h"

#include <chrono>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "api/submit.pb.h"
#include "executorapi/executorapi.pb.h"
#include "lib/common/ids.h"
#include "lib/model/resource_quantity.h"
#include "lib/store/executor_store.h"
#include "lib/store/job_store.h"
#include "lib/store/queue_store.h"
#include "server/job_events.h"
#include "server/job_lifecycle.h"
#include "server/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// An arbitrary constant key for the leader lock: "leader" in ASCII.
constexpr int64_t kLeaderLockKey = 0x6c6561646572;

template <typename Map>
model::ResourceList ResourcesOf(const Map& quantities, const std::string& what) {
  model::ResourceList list;
  for (const auto& [name, quantity] : quantities) {
    auto milli = model::ParseQuantity(quantity.string());
    if (!milli.ok()) {
      spdlog::warn("{}: ignoring {}: {}", what, name, std::string(milli.status().message()));
      continue;
    }
    list.Set(name, *milli);
  }
  return list;
}

std::vector<model::NodeInfo> NodesOf(const std::vector<store::ExecutorRecord>& executors) {
  std::vector<model::NodeInfo> nodes;
  for (const auto& executor : executors) {
    executorapi::LeaseRequest report;
    if (!report.ParseFromString(executor.report)) continue;
    for (const auto& n : report.nodes()) {
      model::NodeInfo node;
      node.name = n.name();
      node.executor = executor.name;
      node.pool = n.pool().empty() ? report.pool() : n.pool();
      node.labels = {n.labels().begin(), n.labels().end()};
      node.allocatable = ResourcesOf(n.allocatable_resources(), "node " + n.name());
      node.allocated = ResourcesOf(n.non_armada_allocated_resources(), "node " + n.name());
      node.unschedulable = n.unschedulable();
      node.taints = TaintsOf(n.taints());
      nodes.push_back(std::move(node));
    }
  }
  return nodes;
}

}  // namespace

absl::StatusOr<int> SchedulerLoop::ExpireSilentExecutors() {
  int expired = 0;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    const absl::Time now = clock_.Now();
    JobTransitions transitions(tx, now);
    const auto runs = store::ActiveRunsOfExecutorsSilentSince(tx, now - config_.executor_timeout);
    for (const store::LeasedRun& run : runs) transitions.ExpireLease(run);
    transitions.Commit();
    expired = static_cast<int>(runs.size());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return expired;
}

absl::StatusOr<int> SchedulerLoop::RunCycle() {
  // Wall time of the whole cycle, for the summary line (scripts/bench reads it).
  const auto started = std::chrono::steady_clock::now();
  if (auto expired = ExpireSilentExecutors(); !expired.ok()) return expired.status();
  // The job index is loaded once (when this replica starts scheduling) and
  // then follows the event log; after any error it is loaded afresh.
  if (!index_loaded_) {
    if (absl::Status s = index_.Load(db_); !s.ok()) return s;
    index_loaded_ = true;
  } else if (auto synced = index_.Sync(db_); !synced.ok()) {
    index_loaded_ = false;
    return synced.status();
  }
  const absl::Time now = clock_.Now();
  scheduling::SchedulingSnapshot snapshot;
  snapshot.now = now;
  snapshot.rate_limits = rate_limits_;
  snapshot.clock = &clock_;
  snapshot.max_cycle_time = config_.scheduling.max_cycle_time;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    snapshot.queues.clear();
    for (const auto& q : store::ListQueues(tx)) {
      api::Queue definition;
      if (!definition.ParseFromString(q.definition)) {
        spdlog::error("queue={} stored definition is unreadable; not scheduling it", q.name);
        continue;
      }
      snapshot.queues.push_back(QueueInfoOf(definition));
    }
    snapshot.nodes = NodesOf(store::ExecutorsSeenSince(tx, now - config_.executor_timeout));
    // Cordoned executors get nothing new; nor does an executor that has not
    // started what it was given (back-pressure).
    const auto cordoned = store::CordonedExecutors(tx);
    const auto unacknowledged = store::UnacknowledgedRunsByExecutor(tx);
    std::erase_if(snapshot.nodes, [&](const model::NodeInfo& node) {
      auto it = unacknowledged.find(node.executor);
      return cordoned.count(node.executor) ||
             (it != unacknowledged.end() &&
              it->second >= config_.max_unacknowledged_runs_per_executor);
    });
    snapshot.usage = store::LoadQueueUsage(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  // The queued jobs are lent to the snapshot, not copied; they go back before
  // the index changes again (on every path out of this function).
  snapshot.jobs = index_.TakeQueued();
  absl::Cleanup give_back = [&] { index_.ReturnQueued(std::move(snapshot.jobs)); };
  snapshot.running = index_.RunningJobs();
  // Scheduled even with nothing queued: the queues' usage keeps decaying and growing.
  const auto scheduling_started = std::chrono::steady_clock::now();
  scheduling::Decision decision = scheduler_.Schedule(snapshot);
  const auto scheduled = std::chrono::steady_clock::now();
  if (reports_ != nullptr) reports_->Record(snapshot, decision);
  const auto reported = std::chrono::steady_clock::now();
  if (decision.leases.empty() && decision.usage.empty() && decision.rejected.empty()) {
    rate_limits_ = std::move(decision.rate_limits);
    return 0;
  }

  std::map<std::string, const model::QueuedJob*> jobs;
  for (const auto& job : snapshot.jobs) jobs[job.id] = &job;
  std::vector<model::RunningJob> leased_jobs;
  status = db_.Run([&](pqxx::work& tx) {
    leased_jobs.clear();
    JobTransitions transitions(tx, now);
    transitions.set_requeue_preempted(config_.requeue_preempted_jobs);
    // Evictions first: the leases below use the room they make.
    for (const scheduling::Preemption& p : decision.preemptions) {
      auto victims = store::GetJobs(tx, {p.job_id}, /*lock=*/true);
      if (victims.empty()) continue;
      for (const store::RunRecord& run : store::LockActiveRunsOfJob(tx, p.job_id)) {
        if (run.node != p.node || run.executor != p.executor) continue;
        transitions.PreemptRun(victims[0], run, "scheduler", p.preempting_job_id, p.reason);
      }
    }
    for (const scheduling::Unscheduled& r : decision.rejected) {
      auto rejected = store::GetJobs(tx, {r.job_id}, /*lock=*/true);
      if (!rejected.empty()) transitions.Reject(rejected[0], r.reason);
    }
    std::vector<store::EventRecord>& events = transitions.events();
    // All leases in a few statements: one per lease took most of a large cycle.
    std::vector<store::RunRecord> runs;
    std::vector<std::string> uniformity;
    runs.reserve(decision.leases.size());
    uniformity.reserve(decision.leases.size());
    for (const auto& lease : decision.leases) {
      runs.push_back({common::NewRunId(), lease.job_id, lease.executor, lease.node, lease.pool,
                      model::RunState::kLeased});
      uniformity.push_back(lease.gang_uniformity_value);
    }
    const std::vector<bool> done = store::LeaseJobs(tx, runs, now, uniformity);
    for (size_t i = 0; i < decision.leases.size(); ++i) {
      if (!done[i]) continue;  // cancelled meanwhile
      const auto& lease = decision.leases[i];
      const model::QueuedJob& job = *jobs.at(lease.job_id);
      EventSubject subject{job.id, job.queue, job.job_set};
      events.push_back(ToRecord(subject, LeasedEvent(subject, now, lease.executor, lease.pool)));
      model::RunningJob leased;
      leased.id = job.id;
      leased.queue = job.queue;
      leased.job_set = job.job_set;
      leased.node = lease.node;
      leased.executor = lease.executor;
      leased.pool = lease.pool;
      leased.requests = job.requests;
      leased.priority_class = job.priority_class;
      leased.started_at = now;
      leased.gang_id = job.gang_id;
      leased_jobs.push_back(std::move(leased));
    }
    transitions.Commit();
    store::SaveQueueUsage(tx, decision.usage);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;  // nothing leased: the buckets stay as they were
  rate_limits_ = std::move(decision.rate_limits);
  const size_t queued = snapshot.jobs.size();
  std::move(give_back).Invoke();
  for (const auto& job : leased_jobs) index_.RecordLease(job);
  const int leased = static_cast<int>(leased_jobs.size());
  if (leased == 0) return 0;
  using Ms = std::chrono::duration<double, std::milli>;
  const Ms took = std::chrono::steady_clock::now() - started;
  spdlog::info(
      "scheduling cycle: queued={} nodes={} leased={} took_ms={:.1f} (load={:.1f} "
      "schedule={:.1f} report={:.1f} write={:.1f})",
      queued, snapshot.nodes.size(), leased, took.count(), Ms(scheduling_started - started).count(),
      Ms(scheduled - scheduling_started).count(), Ms(reported - scheduled).count(),
      Ms(std::chrono::steady_clock::now() - reported).count());
  return leased;
}

void SchedulerLoop::Run(const std::atomic<bool>& stop) {
  std::unique_ptr<pqxx::connection> lock;
  bool leader = false;
  const auto period = absl::ToChronoMilliseconds(config_.schedule_period);
  while (!stop.load()) {
    try {
      if (!lock || !lock->is_open()) {
        leader = false;
        lock = std::make_unique<pqxx::connection>(db_.url());
      }
      pqxx::nontransaction q(*lock);
      if (!leader) {
        leader = q.exec_params1("SELECT pg_try_advisory_lock($1)", kLeaderLockKey)[0].as<bool>();
        if (leader) {
          spdlog::info("this replica is now the scheduling leader");
          index_loaded_ = false;  // load what the previous leader left
          rate_limits_ = {};      // full buckets for a new leader
        }
      } else {
        q.exec("SELECT 1");  // still connected, so still holding the lock
      }
    } catch (const std::exception& e) {
      if (leader) spdlog::error("lost the leader lock: {}", e.what());
      leader = false;
      lock.reset();
    }
    if (leader) {
      auto leased = RunCycle();
      if (!leased.ok()) {
        spdlog::warn("scheduling cycle failed: {}", std::string(leased.status().message()));
      }
    }
    std::this_thread::sleep_for(period);
  }
}

}  // namespace armada::server
