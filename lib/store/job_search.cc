#include "lib/store/job_search.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/store/sql_util.h"

namespace armada::store {
namespace {

enum class Kind { kText, kNumber, kTime, kState };

struct Field {
  const char* name;  // Lookout's
  const char* sql;   // over jobs j and the latest run lr
  Kind kind;
  bool of_run;  // needs the latest run joined
};

// Resource columns: the requests are stored in milli-units; Lookout shows
// cpu in milli-cores and everything else in whole units.
constexpr std::array kFields = {
    Field{"jobId", "j.job_id", Kind::kText, false},
    Field{"queue", "j.queue", Kind::kText, false},
    Field{"jobSet", "j.job_set", Kind::kText, false},
    Field{"owner", "j.owner", Kind::kText, false},
    Field{"namespace", "j.namespace", Kind::kText, false},
    Field{"priorityClass", "j.priority_class", Kind::kText, false},
    Field{"state", "j.state", Kind::kState, false},
    Field{"priority", "j.priority", Kind::kNumber, false},
    Field{"cpu", "COALESCE((j.requests->>'cpu')::numeric, 0)", Kind::kNumber, false},
    Field{"memory", "COALESCE((j.requests->>'memory')::numeric, 0) / 1000", Kind::kNumber, false},
    Field{"ephemeralStorage", "COALESCE((j.requests->>'ephemeral-storage')::numeric, 0) / 1000",
          Kind::kNumber, false},
    Field{"gpu", "COALESCE((j.requests->>'nvidia.com/gpu')::numeric, 0) / 1000", Kind::kNumber,
          false},
    Field{"submitted", "j.submitted_at", Kind::kTime, false},
    Field{"lastTransitionTime", "j.updated_at", Kind::kTime, false},
    Field{"cluster", "lr.executor", Kind::kText, true},
    Field{"node", "lr.node", Kind::kText, true},
    Field{"pool", "lr.pool", Kind::kText, true},
};

constexpr std::array kAllStates = {
    model::JobState::kQueued,    model::JobState::kLeased,    model::JobState::kPending,
    model::JobState::kRunning,   model::JobState::kSucceeded, model::JobState::kFailed,
    model::JobState::kCancelled, model::JobState::kPreempted, model::JobState::kRejected,
};

constexpr char kLatestRun[] =
    " LEFT JOIN LATERAL (SELECT r.executor, r.node, r.pool FROM runs r WHERE r.job_id = j.job_id "
    "ORDER BY r.leased_at DESC, r.run_id DESC LIMIT 1) lr ON true";

constexpr char kJobColumns[] =
    "j.job_id, j.queue, j.job_set, j.owner, j.namespace, j.priority_class, j.state, j.priority, "
    "j.requests::text, j.annotations::text, extract(epoch FROM j.submitted_at)::float8, "
    "extract(epoch FROM j.updated_at)::float8, COALESCE(j.cancel_reason, ''), "
    "COALESCE(j.cancel_user, ''), j.cancel_requested";

const Field* FindField(const std::string& name) {
  for (const Field& field : kFields) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

std::string FieldNames() {
  std::vector<std::string> names;
  for (const Field& field : kFields) names.push_back(field.name);
  return absl::StrJoin(names, ", ");
}

std::optional<model::JobState> StateFromLookout(const std::string& name) {
  for (model::JobState state : kAllStates) {
    if (LookoutStateName(state) == name) return state;
  }
  return std::nullopt;
}

// `value` escaped for LIKE (backslash is PostgreSQL's default escape).
std::string LikeEscaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out;
}

// Builds the shared FROM and WHERE of both queries, collecting parameters.
class WhereBuilder {
 public:
  explicit WhereBuilder(SqlQuery& query) : query_(query) {}

  std::string Param(std::string value) {
    query_.params.push_back(std::move(value));
    return absl::StrCat("$", query_.params.size());
  }

  // The SQL expression of a field or annotation; notes whether runs are needed.
  absl::StatusOr<std::pair<std::string, Kind>> Expression(const std::string& field, bool annotation,
                                                          const std::string& where) {
    if (annotation) {
      if (field.empty()) return absl::InvalidArgumentError(absl::StrCat(where, "empty key"));
      return std::make_pair(absl::StrCat("(j.annotations->>", Param(field), ")"), Kind::kText);
    }
    const Field* known = FindField(field);
    if (known == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown field \"", field, "\" (fields: ", FieldNames(), ")"));
    }
    if (known->of_run) needs_latest_run_ = true;
    return std::make_pair(std::string(known->sql), known->kind);
  }

  absl::Status AddFilter(const JobSearchFilter& filter, size_t index) {
    const std::string where = absl::StrCat("filters[", index, "]: ");
    if (filter.match == Match::kExists) {
      if (!filter.annotation) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "match exists applies to annotations only, not to field \"",
                         filter.field, "\""));
      }
      if (filter.field.empty()) return absl::InvalidArgumentError(absl::StrCat(where, "empty key"));
      conditions_.push_back(absl::StrCat("j.annotations ? ", Param(filter.field)));
      return absl::OkStatus();
    }
    auto expression = Expression(filter.field, filter.annotation, where);
    if (!expression.ok()) return expression.status();
    const auto& [sql, kind] = *expression;
    const std::string name = filter.annotation ? "annotation " + filter.field : filter.field;

    if (filter.match == Match::kAnyOf) {
      std::vector<std::string> values;
      for (const std::string& value : filter.values) {
        auto converted = Converted(value, kind, where, name);
        if (!converted.ok()) return converted.status();
        values.push_back(*converted);
      }
      conditions_.push_back(absl::StrCat(sql, " = ANY(", Param(TextArray(values)), "::",
                                         kind == Kind::kNumber ? "numeric"
                                         : kind == Kind::kTime ? "timestamptz"
                                                               : "text",
                                         "[])"));
      return absl::OkStatus();
    }
    if (filter.values.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "field ", name, " needs exactly one value, got ", filter.values.size()));
    }
    const std::string& value = filter.values[0];
    switch (filter.match) {
      case Match::kStartsWith:
      case Match::kContains: {
        if (kind != Kind::kText) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, "startsWith and contains apply to text fields, not to ", name));
        }
        const std::string pattern = filter.match == Match::kStartsWith
                                        ? LikeEscaped(value) + "%"
                                        : "%" + LikeEscaped(value) + "%";
        conditions_.push_back(absl::StrCat(sql, " LIKE ", Param(pattern)));
        return absl::OkStatus();
      }
      case Match::kExact: {
        auto converted = Converted(value, kind, where, name);
        if (!converted.ok()) return converted.status();
        conditions_.push_back(absl::StrCat(sql, " = ", Param(*converted), Cast(kind)));
        return absl::OkStatus();
      }
      default: {
        if (kind != Kind::kNumber && kind != Kind::kTime) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, "comparisons apply to numbers and times, not to ", name));
        }
        auto converted = Converted(value, kind, where, name);
        if (!converted.ok()) return converted.status();
        const char* op = filter.match == Match::kGreaterThan            ? " > "
                         : filter.match == Match::kLessThan             ? " < "
                         : filter.match == Match::kGreaterThanOrEqualTo ? " >= "
                                                                        : " <= ";
        conditions_.push_back(absl::StrCat(sql, op, Param(*converted), Cast(kind)));
        return absl::OkStatus();
      }
    }
  }

  absl::Status AddScope(const JobSearch& search) {
    for (size_t i = 0; i < search.filters.size(); ++i) {
      if (absl::Status s = AddFilter(search.filters[i], i); !s.ok()) return s;
    }
    if (search.queues) {
      conditions_.push_back(
          absl::StrCat("j.queue = ANY(", Param(TextArray(*search.queues)), "::text[])"));
    }
    if (search.active_job_sets) {
      conditions_.push_back(
          "(j.queue, j.job_set) IN (SELECT a.queue, a.job_set FROM jobs a WHERE a.state IN "
          "('queued', 'leased', 'pending', 'running'))");
    }
    if (search.skip < 0) {
      return absl::InvalidArgumentError(absl::StrCat("skip: ", search.skip, " is negative"));
    }
    if (search.take < 1 || search.take > kMaxTake) {
      return absl::InvalidArgumentError(
          absl::StrCat("take: ", search.take, " is outside [1, ", kMaxTake, "]"));
    }
    return absl::OkStatus();
  }

  // " FROM jobs j ... WHERE ..." once every expression has been made.
  std::string FromWhere() const {
    std::string sql = absl::StrCat(" FROM jobs j", needs_latest_run_ ? kLatestRun : "");
    if (!conditions_.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions_, " AND "));
    return sql;
  }

  void AddCondition(std::string condition) { conditions_.push_back(std::move(condition)); }

 private:
  static const char* Cast(Kind kind) {
    return kind == Kind::kNumber ? "::numeric" : kind == Kind::kTime ? "::timestamptz" : "";
  }

  // The stored spelling of a value of `kind`, or why it is not one.
  static absl::StatusOr<std::string> Converted(const std::string& value, Kind kind,
                                               const std::string& where, const std::string& name) {
    switch (kind) {
      case Kind::kText:
        return value;
      case Kind::kNumber: {
        double number;
        if (!absl::SimpleAtod(value, &number)) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, "field ", name, ": \"", value, "\" is not a number"));
        }
        return value;
      }
      case Kind::kTime: {
        absl::Time time;
        std::string error;
        if (!absl::ParseTime(absl::RFC3339_full, value, &time, &error)) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, "field ", name, ": \"", value, "\" is not an RFC 3339 time (", error, ")"));
        }
        return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
      }
      case Kind::kState: {
        auto state = StateFromLookout(value);
        if (!state) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, "field state: \"", value,
              "\" is not a job state (QUEUED, LEASED, PENDING, RUNNING, SUCCEEDED, FAILED, "
              "CANCELLED, PREEMPTED, REJECTED)"));
        }
        return std::string(model::JobStateName(*state));
      }
    }
    return value;
  }

  SqlQuery& query_;
  std::vector<std::string> conditions_;
  bool needs_latest_run_ = false;
};

std::string Paging(const JobSearch& search) {
  return absl::StrCat(" LIMIT ", search.take, " OFFSET ", search.skip);
}

std::optional<absl::Time> OptionalEpoch(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return FromEpochSeconds(field.as<double>());
}

}  // namespace

absl::StatusOr<Match> ParseMatch(const std::string& name) {
  static const std::pair<const char*, Match> kMatches[] = {
      {"exact", Match::kExact},
      {"anyOf", Match::kAnyOf},
      {"startsWith", Match::kStartsWith},
      {"contains", Match::kContains},
      {"greaterThan", Match::kGreaterThan},
      {"lessThan", Match::kLessThan},
      {"greaterThanOrEqualTo", Match::kGreaterThanOrEqualTo},
      {"lessThanOrEqualTo", Match::kLessThanOrEqualTo},
      {"exists", Match::kExists},
  };
  for (const auto& [text, match] : kMatches) {
    if (name == text) return match;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("match \"", name,
                   "\" is not one of exact, anyOf, startsWith, contains, greaterThan, lessThan, "
                   "greaterThanOrEqualTo, lessThanOrEqualTo, exists"));
}

std::string LookoutStateName(model::JobState state) {
  return absl::AsciiStrToUpper(std::string(model::JobStateName(state)));
}

absl::StatusOr<SqlQuery> BuildJobSearch(const JobSearch& search) {
  SqlQuery query;
  WhereBuilder where(query);
  if (absl::Status s = where.AddScope(search); !s.ok()) return s;
  const Field* order = FindField(search.order.field);
  if (order == nullptr || order->of_run) {
    return absl::InvalidArgumentError(absl::StrCat(
        "order: cannot order by \"", search.order.field,
        "\" (fields: jobId, queue, jobSet, "
        "owner, namespace, priorityClass, state, priority, cpu, memory, ephemeralStorage, gpu, "
        "submitted, lastTransitionTime)"));
  }
  const char* direction = search.order.descending ? " DESC" : " ASC";
  // submit_seq breaks ties, so that pages neither repeat nor skip a job.
  query.text = absl::StrCat("SELECT ", kJobColumns, where.FromWhere(), " ORDER BY ", order->sql,
                            direction, ", j.submit_seq", direction, Paging(search));
  return query;
}

std::vector<FoundJob> SearchJobs(pqxx::work& tx, const SqlQuery& query) {
  std::vector<FoundJob> jobs;
  std::vector<std::string> ids;
  for (const auto& row :
       tx.exec_params(query.text, pqxx::prepare::make_dynamic_params(query.params))) {
    FoundJob job;
    job.job_id = row[0].as<std::string>();
    job.queue = row[1].as<std::string>();
    job.job_set = row[2].as<std::string>();
    job.owner = row[3].as<std::string>();
    job.namespace_name = row[4].as<std::string>();
    job.priority_class = row[5].as<std::string>();
    if (auto state = model::ParseJobState(row[6].as<std::string>()); state.ok()) job.state = *state;
    job.priority = row[7].as<int64_t>();
    job.requests = ResourcesFromJson(row[8].as<std::string>());
    job.annotations = LabelsFromJson(row[9].as<std::string>());
    job.submitted_at = FromEpochSeconds(row[10].as<double>());
    job.updated_at = FromEpochSeconds(row[11].as<double>());
    job.cancel_reason = row[12].as<std::string>();
    job.cancel_user = row[13].as<std::string>();
    job.cancel_requested = row[14].as<bool>();
    ids.push_back(job.job_id);
    jobs.push_back(std::move(job));
  }
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < jobs.size(); ++i) at[jobs[i].job_id] = i;
  for (RunView& run : RunsOfJobs(tx, ids)) {
    jobs[at[run.job_id]].runs.push_back(std::move(run));
  }
  return jobs;
}

absl::StatusOr<SqlQuery> BuildJobGroups(const GroupSearch& search) {
  SqlQuery query;
  WhereBuilder where(query);
  static const char* const kGroupable[] = {
      "queue", "jobSet", "state", "owner", "namespace", "priorityClass", "cluster", "node", "pool"};
  if (!search.group_by_annotation &&
      std::find_if(std::begin(kGroupable), std::end(kGroupable), [&](const char* name) {
        return search.group_field == name;
      }) == std::end(kGroupable)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "groupedField: cannot group by \"", search.group_field,
        "\" (fields: queue, jobSet, state, owner, namespace, priorityClass, cluster, node, pool, "
        "or an annotation key)"));
  }
  auto group = where.Expression(search.group_field, search.group_by_annotation, "groupedField: ");
  if (!group.ok()) return group.status();
  if (absl::Status s = where.AddScope(search.jobs); !s.ok()) return s;
  where.AddCondition(absl::StrCat(group->first, " IS NOT NULL"));
  query.state_names = !search.group_by_annotation && search.group_field == "state";

  std::vector<std::string> columns = {absl::StrCat(group->first, " AS name"), "count(*)"};
  std::string submitted_sql, transition_sql;
  bool states = false;
  for (const std::string& aggregate : search.aggregates) {
    if (aggregate == "state") {
      states = true;
    } else if (aggregate == "submitted") {
      submitted_sql = "extract(epoch FROM min(j.submitted_at))::float8";
    } else if (aggregate == "lastTransitionTime") {
      transition_sql = search.last_transition == GroupSearch::Transition::kEarliest
                           ? "extract(epoch FROM min(j.updated_at))::float8"
                       : search.last_transition == GroupSearch::Transition::kAverage
                           ? "avg(extract(epoch FROM j.updated_at))::float8"
                           : "extract(epoch FROM max(j.updated_at))::float8";
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "aggregates: \"", aggregate, "\" is not one of state, submitted, lastTransitionTime"));
    }
  }
  // Fixed layout, so GroupJobs can read it back: name, count, submitted,
  // last transition, then one count per state when asked for.
  columns.push_back(submitted_sql.empty() ? "NULL::float8" : submitted_sql);
  columns.push_back(transition_sql.empty() ? "NULL::float8" : transition_sql);
  for (model::JobState state : kAllStates) {
    if (!states) break;
    columns.push_back(absl::StrCat("count(*) FILTER (WHERE j.state = '",
                                   std::string(model::JobStateName(state)), "')"));
  }

  std::string order;
  if (search.order.field == "count") {
    order = "2";
  } else if (search.order.field == "name") {
    order = "1";
  } else if (search.order.field == "submitted" && !submitted_sql.empty()) {
    order = "3";
  } else if (search.order.field == "lastTransitionTime" && !transition_sql.empty()) {
    order = "4";
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("order: cannot order groups by \"", search.order.field,
                     "\" (count, name, or an aggregate asked for: submitted, lastTransitionTime)"));
  }
  const char* direction = search.order.descending ? " DESC" : " ASC";
  query.text = absl::StrCat("SELECT ", absl::StrJoin(columns, ", "), where.FromWhere(),
                            " GROUP BY 1 ORDER BY ", order, direction, ", 1", Paging(search.jobs));
  return query;
}

std::vector<JobGroup> GroupJobs(pqxx::work& tx, const SqlQuery& query) {
  std::vector<JobGroup> groups;
  for (const auto& row :
       tx.exec_params(query.text, pqxx::prepare::make_dynamic_params(query.params))) {
    JobGroup group;
    group.name = row[0].as<std::string>();
    if (query.state_names) {
      if (auto state = model::ParseJobState(group.name); state.ok()) {
        group.name = LookoutStateName(*state);
      }
    }
    group.count = row[1].as<int64_t>();
    group.submitted = OptionalEpoch(row[2]);
    group.last_transition = OptionalEpoch(row[3]);
    if (row.size() > 4) {
      for (size_t i = 0; i < kAllStates.size(); ++i) {
        group.state_counts[kAllStates[i]] = row[static_cast<int>(4 + i)].as<int64_t>();
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace armada::store
