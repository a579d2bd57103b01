#include "lib/scheduling/scheduling_report.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/scheduling/node_matching.h"

namespace armada::scheduling {
namespace {

using JobsById = std::unordered_map<std::string, const model::QueuedJob*>;

JobsById IndexJobs(const SchedulingSnapshot& snapshot) {
  JobsById jobs;
  jobs.reserve(snapshot.jobs.size());
  for (const auto& job : snapshot.jobs) jobs.emplace(job.id, &job);
  return jobs;
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Rows as columns padded to their widest cell, each line starting with `indent`.
std::string Table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string Headline(const CycleSummary& s) {
  return absl::StrCat("cycle ", s.cycle, " at ", FormatUtc(s.time), ": ", s.queued_jobs,
                      " queued, ", s.running_jobs, " running, ", s.leases, " leased, ",
                      s.preemptions, " preempted");
}

// One row per (pool, queue) share, optionally only for `queue`.
std::vector<std::vector<std::string>> ShareRows(const CycleSummary& s, const std::string& pool,
                                                const std::string* queue) {
  std::vector<std::vector<std::string>> rows = {{"queue", "weight", "fairShare",
                                                 "adjustedFairShare", "actualShare", "decayedUsage",
                                                 "cost", "leased", "preempted"}};
  for (const QueueShare& q : s.shares) {
    if (q.pool != pool || (queue != nullptr && q.queue != *queue)) continue;
    QueueCycleCounts c;
    if (auto it = s.counts.find({q.pool, q.queue}); it != s.counts.end()) c = it->second;
    rows.push_back({q.queue, FormatShare(q.weight), FormatShare(q.fair_share),
                    FormatShare(q.adjusted_fair_share), FormatShare(q.actual_share),
                    FormatShare(q.decayed_usage), FormatShare(q.cost), absl::StrCat(c.leased),
                    absl::StrCat(c.preempted)});
  }
  return rows;
}

// "  N  reason" lines, most frequent first, then by reason.
std::string ReasonLines(const std::map<std::string, int64_t>& reasons, const std::string& indent) {
  std::vector<std::pair<int64_t, std::string>> sorted;
  for (const auto& [reason, n] : reasons) sorted.emplace_back(-n, reason);
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<std::string>> rows;
  for (const auto& [n, reason] : sorted) rows.push_back({absl::StrCat(-n), reason});
  return Table(rows, indent);
}

}  // namespace

std::string FormatShare(double x) {
  std::string s = absl::StrFormat("%.4f", x);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

CycleSummary Summarize(int64_t cycle, const SchedulingSnapshot& snapshot,
                       const Decision& decision) {
  CycleSummary s;
  s.cycle = cycle;
  s.time = snapshot.now;
  s.queued_jobs = static_cast<int64_t>(snapshot.jobs.size());
  s.running_jobs = static_cast<int64_t>(snapshot.running.size());
  s.leases = static_cast<int64_t>(decision.leases.size());
  s.preemptions = static_cast<int64_t>(decision.preemptions.size());
  s.shares = decision.shares;
  std::sort(s.shares.begin(), s.shares.end(), [](const QueueShare& a, const QueueShare& b) {
    return std::tie(a.pool, a.queue) < std::tie(b.pool, b.queue);
  });
  for (const auto& q : snapshot.queues) s.queue_cordoned[q.name] = q.cordoned;
  for (const auto& job : snapshot.jobs) ++s.queued_by_queue[job.queue];

  // Nodes, with what is free after the running jobs (but the preempted ones) and the leases.
  std::map<std::pair<std::string, std::string>, size_t> at;  // (executor, node) -> index
  std::vector<const model::NodeInfo*> nodes;
  for (const auto& n : snapshot.nodes) nodes.push_back(&n);
  std::sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) {
    return std::tie(a->pool, a->name, a->executor) < std::tie(b->pool, b->name, b->executor);
  });
  for (const model::NodeInfo* n : nodes) {
    NodeSummary summary{*n, n->allocatable};
    summary.free.Subtract(n->allocated);
    summary.info.allocated = {};
    at[{n->executor, n->name}] = s.nodes.size();
    s.nodes.push_back(std::move(summary));
    s.nodes_per_pool[n->pool] += 1;
  }
  std::set<std::string> preempted;
  for (const auto& p : decision.preemptions) {
    preempted.insert(p.job_id);
    s.counts[{p.pool, p.queue}].preempted += 1;
    s.nodes_per_pool.try_emplace(p.pool, 0);
  }
  for (const auto& r : snapshot.running) {
    if (!r.pool.empty()) s.nodes_per_pool.try_emplace(r.pool, 0);
    if (preempted.contains(r.id)) continue;
    if (auto it = at.find({r.executor, r.node}); it != at.end()) {
      s.nodes[it->second].free.Subtract(r.requests);
    }
  }
  const JobsById jobs = IndexJobs(snapshot);
  for (const auto& lease : decision.leases) {
    s.counts[{lease.pool, lease.queue}].leased += 1;
    s.nodes_per_pool.try_emplace(lease.pool, 0);
    auto job = jobs.find(lease.job_id);
    auto node = at.find({lease.executor, lease.node});
    if (job != jobs.end() && node != at.end())
      s.nodes[node->second].free.Subtract(job->second->requests);
  }
  for (const auto& q : s.shares) s.nodes_per_pool.try_emplace(q.pool, 0);
  for (const auto& [key, usage] : decision.usage) s.nodes_per_pool.try_emplace(key.pool, 0);
  for (const auto& u : decision.rejected) {
    auto job = jobs.find(u.job_id);
    s.reasons[job == jobs.end() ? "" : job->second->queue]["rejected: " + u.reason] += 1;
  }
  for (const auto& u : decision.unscheduled) {
    auto job = jobs.find(u.job_id);
    s.reasons[job == jobs.end() ? "" : job->second->queue][u.reason] += 1;
  }
  return s;
}

std::map<std::string, int64_t> NodeFitCounts(const model::QueuedJob& job,
                                             const std::vector<NodeSummary>& nodes) {
  std::map<std::string, int64_t> counts;
  for (const NodeSummary& node : nodes) {
    if (auto why = StaticMismatch(job, node.info)) {
      ++counts[*why];
      continue;
    }
    std::vector<std::string> short_of;
    for (const auto& [name, milli] : job.requests.entries()) {
      if (milli > node.free.Get(name)) short_of.push_back(name);
    }
    if (!short_of.empty()) {
      ++counts["too little free " + absl::StrJoin(short_of, ",")];
    } else if (std::find(job.avoid_nodes.begin(), job.avoid_nodes.end(), node.info.name) !=
               job.avoid_nodes.end()) {
      ++counts["avoided (an earlier run failed there)"];
    } else {
      ++counts["fits"];
    }
  }
  return counts;
}

std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<NodeSummary>& nodes) {
  std::map<std::string, std::vector<NodeSummary>> by_pool;
  for (const NodeSummary& node : nodes) by_pool[node.info.pool].push_back(node);
  std::vector<std::string> lines;
  for (const auto& [pool, pool_nodes] : by_pool) {
    std::vector<std::string> parts;
    for (const auto& [reason, n] : NodeFitCounts(job, pool_nodes)) {
      parts.push_back(absl::StrCat(n, " ", reason));
    }
    lines.push_back(absl::StrCat("pool ", pool, ": ", absl::StrJoin(parts, ", ")));
  }
  return lines.empty() ? "no nodes" : absl::StrJoin(lines, "\n");
}

std::vector<JobOutcome> JobOutcomes(const CycleSummary& summary, const SchedulingSnapshot& snapshot,
                                    const Decision& decision, size_t max_breakdowns) {
  std::vector<JobOutcome> out;
  out.reserve(decision.leases.size() + decision.preemptions.size() + decision.rejected.size() +
              decision.unscheduled.size());
  auto base = [&summary](const std::string& id, const std::string& queue, JobOutcome::Kind kind) {
    JobOutcome o;
    o.job_id = id;
    o.queue = queue;
    o.cycle = summary.cycle;
    o.time = summary.time;
    o.kind = kind;
    return o;
  };
  for (const auto& l : decision.leases) {
    JobOutcome o = base(l.job_id, l.queue, JobOutcome::Kind::kLeased);
    o.executor = l.executor, o.node = l.node, o.pool = l.pool;
    out.push_back(std::move(o));
  }
  for (const auto& p : decision.preemptions) {
    JobOutcome o = base(p.job_id, p.queue, JobOutcome::Kind::kPreempted);
    o.executor = p.executor, o.node = p.node, o.pool = p.pool;
    o.reason = p.reason;
    o.preempting_job_id = p.preempting_job_id;
    out.push_back(std::move(o));
  }
  const JobsById jobs = IndexJobs(snapshot);
  for (const auto& u : decision.rejected) {
    auto job = jobs.find(u.job_id);
    JobOutcome o =
        base(u.job_id, job == jobs.end() ? "" : job->second->queue, JobOutcome::Kind::kRejected);
    o.reason = u.reason;
    out.push_back(std::move(o));
  }
  std::unordered_map<std::string, std::string> breakdowns;  // constraint key -> breakdown
  for (const auto& u : decision.unscheduled) {
    auto job = jobs.find(u.job_id);
    JobOutcome o =
        base(u.job_id, job == jobs.end() ? "" : job->second->queue, JobOutcome::Kind::kUnscheduled);
    o.reason = u.reason;
    o.unscheduled_kind = u.kind;
    if (job != jobs.end() && NeedsNodeBreakdown(u.kind)) {
      std::string key = SchedulingKey(*job->second);
      auto it = breakdowns.find(key);
      if (it == breakdowns.end() && breakdowns.size() < max_breakdowns) {
        it = breakdowns.emplace(key, NodeBreakdown(*job->second, summary.nodes)).first;
      }
      if (it != breakdowns.end()) o.node_breakdown = it->second;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string FormatSchedulingReport(const std::vector<const CycleSummary*>& cycles, int verbosity) {
  const CycleSummary& s = *cycles.front();
  std::string out = absl::StrCat("Scheduling ", Headline(s), "\n");
  for (const auto& [pool, nodes] : s.nodes_per_pool) {
    absl::StrAppend(&out, "\npool ", pool, " (", nodes, " nodes):\n");
    auto rows = ShareRows(s, pool, nullptr);
    out += rows.size() == 1 ? "  no active queues\n" : Table(rows, "  ");
  }
  if (verbosity >= 1) {
    absl::StrAppend(&out, "\nUnscheduled jobs by reason:\n");
    if (s.reasons.empty()) out += "  none\n";
    for (const auto& [queue, reasons] : s.reasons) {
      absl::StrAppend(&out, "  queue ", queue.empty() ? "(unknown)" : queue, ":\n");
      out += ReasonLines(reasons, "    ");
    }
  }
  if (verbosity >= 2 && cycles.size() > 1) {
    absl::StrAppend(&out, "\nEarlier cycles:\n");
    for (size_t i = 1; i < cycles.size(); ++i)
      absl::StrAppend(&out, "  ", Headline(*cycles[i]), "\n");
  }
  return out;
}

std::string FormatQueueReport(const CycleSummary& s, const std::string& queue, int verbosity) {
  std::string out = absl::StrCat("Queue ", queue, " in scheduling cycle ", s.cycle, " at ",
                                 FormatUtc(s.time), "\n");
  if (verbosity >= 1) absl::StrAppend(&out, "  ", Headline(s), "\n");
  auto cordoned = s.queue_cordoned.find(queue);
  if (cordoned != s.queue_cordoned.end() && cordoned->second) {
    out += "  the queue is cordoned: none of its jobs are scheduled\n";
  }
  auto queued = s.queued_by_queue.find(queue);
  absl::StrAppend(&out, "  queued jobs at the start of the cycle: ",
                  queued == s.queued_by_queue.end() ? 0 : queued->second, "\n");
  bool any = false;
  for (const auto& [pool, nodes] : s.nodes_per_pool) {
    auto rows = ShareRows(s, pool, &queue);
    if (rows.size() == 1) continue;
    any = true;
    absl::StrAppend(&out, "\npool ", pool, " (", nodes, " nodes):\n", Table(rows, "  "));
  }
  if (!any) out += "\nnot active in any pool (no running or schedulable queued jobs)\n";
  auto reasons = s.reasons.find(queue);
  if (reasons == s.reasons.end()) {
    out += "\nNo job of the queue stayed queued in this cycle.\n";
  } else {
    out += "\nWhy its jobs wait (jobs, reason):\n";
    out += ReasonLines(reasons->second, "  ");
  }
  return out;
}

std::string FormatJobReport(const JobOutcome& o) {
  std::string out =
      absl::StrCat("Job ", o.job_id, " (queue ", o.queue.empty() ? "?" : o.queue,
                   ") in scheduling cycle ", o.cycle, " at ", FormatUtc(o.time), ":\n");
  switch (o.kind) {
    case JobOutcome::Kind::kLeased:
      absl::StrAppend(&out, "  leased on node ", o.node, " (executor ", o.executor, ", pool ",
                      o.pool, ")\n");
      break;
    case JobOutcome::Kind::kPreempted:
      absl::StrAppend(&out, "  preempted on node ", o.node, " (executor ", o.executor, ", pool ",
                      o.pool, ") to make room for job ", o.preempting_job_id, "\n");
      if (!o.reason.empty()) absl::StrAppend(&out, "  reason: ", o.reason, "\n");
      break;
    case JobOutcome::Kind::kRejected:
      absl::StrAppend(
          &out, "  rejected: it can never be scheduled as it is, so it fails: ", o.reason, "\n");
      break;
    default: {
      out += "  not scheduled:\n";
      // One line per pool: the scheduler joins its per-pool reasons with "; ".
      for (const auto& part : absl::StrSplit(o.reason, "; ")) {
        absl::StrAppend(&out, "    ", std::string(part), "\n");
      }
      if (!o.node_breakdown.empty()) {
        out += "  nodes by why the job does not fit there:\n";
        for (const auto& line : absl::StrSplit(o.node_breakdown, '\n')) {
          absl::StrAppend(&out, "    ", std::string(line), "\n");
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace armada::scheduling
