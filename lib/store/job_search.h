#pragma once

// Lookout's job table: jobs filtered, ordered and paged by PostgreSQL, and
// groups of them with counts, so that a page costs what it returns and never
// loads a queue's jobs into the server.
//
// Fields are Lookout's names (jobId, queue, jobSet, owner, namespace, state,
// priority, priorityClass, cpu, memory, ephemeralStorage, gpu, submitted,
// lastTransitionTime; cluster, node and pool of the latest run), or
// annotation keys. Values arrive as text, as Lookout sends them: states by
// Lookout's upper-case names, times in RFC 3339, numbers in Lookout's units
// (cpu in milli-cores, memory in bytes, gpu in devices).
//
// BuildJobSearch and BuildJobGroups check everything the caller sent and
// return kInvalidArgument naming the filter, field and value at fault; the
// SQL they produce takes every value as a parameter. SearchJobs and
// GroupJobs run it inside the caller's transaction (Database::Run) and may
// throw libpqxx exceptions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/job_state.h"
#include "lib/model/resource_list.h"
#include "lib/store/job_query.h"

namespace armada::store {

enum class Match {
  kExact,
  kAnyOf,
  kStartsWith,
  kContains,
  kGreaterThan,
  kLessThan,
  kGreaterThanOrEqualTo,
  kLessThanOrEqualTo,
  kExists,
};

// Lookout's name for a match ("exact", "anyOf", ...); kInvalidArgument otherwise.
absl::StatusOr<Match> ParseMatch(const std::string& name);

struct JobSearchFilter {
  std::string field;  // a field name, or the annotation key when `annotation`
  bool annotation = false;
  Match match = Match::kExact;
  std::vector<std::string> values;  // exactly one, except anyOf (any number) and exists (none)
};

struct JobOrder {
  std::string field = "submitted";  // a field name (not cluster, node or pool)
  bool descending = true;
};

struct JobSearch {
  std::vector<JobSearchFilter> filters;
  JobOrder order;
  // Only jobs of job sets that still have a queued, leased, pending or running job.
  bool active_job_sets = false;
  int64_t skip = 0;
  int64_t take = 100;  // REQUIRES: 1..kMaxTake
  // Set: only jobs of these queues (a caller who may not watch every queue).
  std::optional<std::vector<std::string>> queues;
};

inline constexpr int64_t kMaxTake = 1000;

// A job as Lookout's table shows it, with every run, oldest first.
struct FoundJob {
  std::string job_id;
  std::string queue;
  std::string job_set;
  std::string owner;
  std::string namespace_name;
  std::string priority_class;
  std::optional<model::JobState> state;  // nullopt: a state this build does not know
  int64_t priority = 0;
  model::ResourceList requests;  // milli-units
  std::map<std::string, std::string> annotations;
  absl::Time submitted_at;
  absl::Time updated_at;
  std::string cancel_reason;
  std::string cancel_user;
  bool cancel_requested = false;
  std::vector<RunView> runs;
};

// A SQL statement and its parameters ($1, $2, ... in order).
struct SqlQuery {
  std::string text;
  std::vector<std::string> params;
  bool state_names = false;  // GroupJobs: the grouped values are job states
};

absl::StatusOr<SqlQuery> BuildJobSearch(const JobSearch& search);
std::vector<FoundJob> SearchJobs(pqxx::work& tx, const SqlQuery& query);

struct GroupSearch {
  JobSearch jobs;           // filters, active_job_sets, skip, take, queues; jobs.order is unused
  std::string group_field;  // queue, jobSet, state, owner, namespace, priorityClass, or a key
  bool group_by_annotation = false;
  // Aggregates: "state" (counts per state), "submitted" (earliest),
  // "lastTransitionTime" (`last_transition` of the group's jobs).
  std::vector<std::string> aggregates;
  enum class Transition { kLatest, kEarliest, kAverage } last_transition = Transition::kLatest;
  // count, name, submitted or lastTransitionTime (when aggregated).
  JobOrder order{"count", true};
};

struct JobGroup {
  std::string name;  // the grouped value; states in Lookout's upper-case names
  int64_t count = 0;
  std::map<model::JobState, int64_t> state_counts;  // with the "state" aggregate
  std::optional<absl::Time> submitted;              // with the "submitted" aggregate
  std::optional<absl::Time> last_transition;        // with "lastTransitionTime"
};

absl::StatusOr<SqlQuery> BuildJobGroups(const GroupSearch& search);
std::vector<JobGroup> GroupJobs(pqxx::work& tx, const SqlQuery& query);

// Lookout's name for a job state: QUEUED, LEASED, ..., REJECTED.
std::string LookoutStateName(model::JobState state);

}  // namespace armada::store
