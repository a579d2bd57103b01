#pragma once

// SchedulingReports: what the last scheduling cycles said, kept for
// schedulerobjects.SchedulerReporting. The scheduling loop hands it every
// cycle's snapshot and decision (Record); the reporting service asks it for
// the texts, which lib/scheduling/scheduling_report.h builds.
//
// Bounded memory: the summaries of the last `max_cycles` cycles (their size
// grows with queues x pools + nodes + distinct reasons, not with jobs) and the
// outcome of at most `max_jobs` jobs: for each, what the last cycle that
// considered it said, least recently considered evicted first (LRU).
//
// Replicas that are not the leader: only the leader schedules, so only its
// store fills up. After each cycle the leader also writes the rendered texts
// of that cycle to PostgreSQL (table scheduling_reports, one row: the
// scheduling report and every queue's report at each verbosity, and the job
// reports of up to `persisted_jobs` jobs of that cycle). A replica answers
// from memory when its latest cycle is at least as recent as the stored row,
// and from the stored row otherwise, so every replica answers, and a former
// leader does not serve stale reports.

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "lib/scheduling/scheduler.h"
#include "lib/scheduling/scheduling_report.h"
#include "lib/store/database.h"

namespace armada::server {

struct SchedulingReportsOptions {
  size_t max_cycles = 10;        // cycle summaries kept (REQUIRES: >= 1)
  size_t max_jobs = 10000;       // job outcomes kept, LRU
  size_t max_breakdowns = 256;   // node breakdowns computed per cycle (distinct constraint sets)
  size_t persisted_jobs = 1000;  // job reports written to PostgreSQL per cycle
};

class SchedulingReports {
 public:
  // Verbosities above this give the same text as this one.
  static constexpr int kMaxVerbosity = 2;

  // `db`: where the latest cycle's texts are written and read back; nullptr
  // keeps reports in memory only. Borrowed: must outlive the store.
  explicit SchedulingReports(store::Database* db, SchedulingReportsOptions options = {});

  // Records one cycle: summarises it, updates the job outcomes and writes the
  // texts to PostgreSQL. A failed write is logged and otherwise ignored (the
  // reports are advisory). Called by the scheduling loop after each cycle; the
  // snapshot's jobs are read during the call only. Cost O(jobs + nodes +
  // max_breakdowns x nodes). Thread-safe.
  void Record(const scheduling::SchedulingSnapshot& snapshot, const scheduling::Decision& decision);

  // The report on the latest cycle (with the older ones kept at verbosity 2).
  // kNotFound when no cycle has been recorded here or in PostgreSQL; the
  // store's error (kUnavailable, ...) when PostgreSQL cannot be read.
  // Thread-safe.
  absl::StatusOr<std::string> SchedulingReport(int verbosity) const;

  // The report on `queue` in the latest cycle. kInvalidArgument for an empty
  // name; kNotFound when no cycle is recorded or the queue was not in the
  // latest one. Thread-safe.
  absl::StatusOr<std::string> QueueReport(const std::string& queue, int verbosity) const;

  // The report on `job_id` from the last cycle that considered it.
  // kInvalidArgument for an empty id; kNotFound when no kept cycle considered
  // the job (finished, cancelled, unknown, or evicted from the LRU). Thread-safe.
  absl::StatusOr<std::string> JobReport(const std::string& job_id) const;

  // Every queue's shares in every pool from the latest cycle, sorted by
  // (pool, queue). kNotFound when no cycle is recorded here or in PostgreSQL.
  // Thread-safe.
  absl::StatusOr<std::vector<scheduling::QueueShare>> LatestShares() const;

 private:
  // What to answer from: this store's cycles when they are at least as
  // recent as the stored row (or there is no database), else the stored row.
  // kNotFound when neither has a cycle.
  enum class Source { kMemory, kStored };
  absl::StatusOr<Source> Choose() const;
  // One text of the stored row: `expression` is a SQL expression over the
  // column `reports` with $1 = key and $2 = verbosity; nullopt when NULL.
  absl::StatusOr<std::optional<std::string>> ReadStored(const std::string& expression,
                                                        const std::string& key,
                                                        int verbosity) const;
  void Persist(const scheduling::CycleSummary& summary,
               const std::vector<scheduling::JobOutcome>& outcomes) const;
  void RememberJobs(std::vector<scheduling::JobOutcome> outcomes);  // REQUIRES: mu_ held

  store::Database* const db_;
  const SchedulingReportsOptions options_;

  mutable std::mutex mu_;
  int64_t next_cycle_ = 1;                                              // guarded by mu_
  std::deque<std::shared_ptr<const scheduling::CycleSummary>> cycles_;  // newest first; mu_
  std::list<scheduling::JobOutcome> jobs_;                              // most recent first; mu_
  std::unordered_map<std::string, std::list<scheduling::JobOutcome>::iterator> job_at_;  // mu_
};

}  // namespace armada::server
