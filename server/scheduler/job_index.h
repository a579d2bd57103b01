#pragma once

// The leader's in-memory view of unfinished jobs: the queued ones and those
// holding a lease, with only what scheduling needs (the pod spec stays in
// PostgreSQL). Loaded whole when a replica becomes leader, then kept current
// from the event log, which is in commit order and has no gaps, so no change
// is missed and no table is rescanned each cycle.
//
// Not thread-safe: the scheduler loop owns it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "lib/model/scheduling_types.h"
#include "lib/store/database.h"

namespace armada::server {

class JobIndex {
 public:
  // Replaces the contents with the database's queued and leased jobs. The
  // log position is read first, so events committed while loading are applied
  // again by the next Sync; applying an event twice changes nothing.
  absl::Status Load(store::Database& db);

  // Applies the events logged since the last Load or Sync. Returns how many.
  absl::StatusOr<int64_t> Sync(store::Database& db);

  // Records a lease this replica has just committed, so the job counts as
  // running at once (its leased event, read later, then changes nothing).
  void RecordLease(const model::RunningJob& lease);

  // Lends the queued jobs to a scheduling cycle without copying them; they
  // must come back, unchanged and in the same order, through ReturnQueued
  // before any other call. REQUIRES: not already lent.
  std::vector<model::QueuedJob> TakeQueued();
  void ReturnQueued(std::vector<model::QueuedJob> jobs);

  // Copies of the queued jobs and of the jobs holding a lease, by job id.
  std::vector<model::QueuedJob> QueuedJobs() const;
  std::vector<model::RunningJob> RunningJobs() const;

  size_t size() const { return queued_.size() + leased_jobs_.size(); }
  int64_t cursor() const { return cursor_; }

 private:
  // Applies one event; jobs leased by another replica are collected in
  // `unplaced` so their placement can be read from the runs table.
  void Apply(int64_t seq, const std::string& job_id, const std::string& message,
             std::vector<std::string>& unplaced);

  // The job, queued or holding a lease; nullptr if unknown or finished.
  model::QueuedJob* Find(const std::string& job_id);
  void AddQueued(model::QueuedJob job);
  // Removes a queued job (swapping the last one into its place) and returns it.
  std::optional<model::QueuedJob> RemoveQueued(const std::string& job_id);

  // Queued jobs, densely, so that a cycle can borrow them whole.
  std::vector<model::QueuedJob> queued_;
  absl::flat_hash_map<std::string, size_t> queued_at_;  // job id -> index in queued_
  // Jobs holding a lease: what a requeue needs, and where they run.
  absl::flat_hash_map<std::string, model::QueuedJob> leased_jobs_;
  absl::flat_hash_map<std::string, model::RunningJob> leases_;
  int64_t cursor_ = 0;
  bool lent_ = false;
};

}  // namespace armada::server
