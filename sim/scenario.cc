#include "sim/scenario.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/common/status_macros.h"
#include "sim/internal/yaml_reader.h"

namespace armada::sim {
namespace {

using internal::CheckKeys;
using internal::ErrorAt;
using internal::Index;
using internal::Key;

struct NodeTemplate {
  model::ResourceList resources;
  std::map<std::string, std::string> labels;
  std::vector<model::Taint> taints;
};

class Parser {
 public:
  absl::StatusOr<Scenario> Parse(const YAML::Node& root) {
    RETURN_IF_ERROR(CheckKeys(root, "",
                              {"description", "scheduling", "nodeTemplates", "clusters", "queues",
                               "jobTemplates", "rounds", "roundPeriod", "workload"}));
    if (root["scheduling"]) RETURN_IF_ERROR(ParseScheduling(root["scheduling"]));
    RETURN_IF_ERROR(ParseNodeTemplates(root["nodeTemplates"]));
    RETURN_IF_ERROR(ParseClusters(root["clusters"], root));
    RETURN_IF_ERROR(ParseQueues(root["queues"], root));
    RETURN_IF_ERROR(ParseJobTemplates(root["jobTemplates"]));
    const bool has_rounds = root["rounds"].IsDefined();
    const bool has_workload = root["workload"].IsDefined();
    if (has_rounds == has_workload) {
      return ErrorAt(root, has_rounds ? "workload" : "rounds",
                     "exactly one of `rounds` (round mode) or `workload` (time mode) is required");
    }
    if (const YAML::Node period = root["roundPeriod"]) {
      if (!has_rounds) return ErrorAt(period, "roundPeriod", "only in round mode (`rounds`)");
      ASSIGN_OR_RETURN(scenario_.round_period, internal::ReadDuration(period, "roundPeriod"));
      if (scenario_.round_period <= absl::ZeroDuration()) {
        return ErrorAt(period, "roundPeriod", "must be > 0");
      }
    }
    if (has_rounds) RETURN_IF_ERROR(ParseRounds(root["rounds"]));
    if (has_workload) RETURN_IF_ERROR(ParseWorkload(root["workload"]));
    return std::move(scenario_);
  }

 private:
  absl::Status ParseScheduling(const YAML::Node& node) {
    if (!node.IsMap()) return ErrorAt(node, "scheduling", "expected a map");
    if (const YAML::Node pf = node["protectedFractionOfFairShare"]) {
      // SIMULATOR.md bounds it to [0, 1] (the server accepts any fraction >= 0).
      const std::string path = "scheduling.protectedFractionOfFairShare";
      ASSIGN_OR_RETURN(double f, internal::ReadDouble(pf, path));
      if (!(f >= 0 && f <= 1)) return ErrorAt(pf, path, "must be in [0, 1]");
    }
    absl::Status status;
    try {
      status = scheduling::ParseSchedulingConfig(node, scenario_.scheduling);
    } catch (const YAML::Exception& e) {
      return ErrorAt(node, "scheduling", e.msg);
    }
    if (!status.ok()) return ErrorAt(node, "scheduling", std::string(status.message()));
    return absl::OkStatus();
  }

  absl::Status ParseNodeTemplates(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) return ErrorAt(node, "nodeTemplates", "expected a map of name: template");
    for (const auto& entry : node) {
      const std::string name = entry.first.Scalar();
      const std::string p = Key("nodeTemplates", name);
      const YAML::Node& t = entry.second;
      RETURN_IF_ERROR(CheckKeys(t, p, {"resources", "labels", "taints"}));
      NodeTemplate out;
      if (!t["resources"]) return ErrorAt(t, Key(p, "resources"), "required");
      ASSIGN_OR_RETURN(out.resources, internal::ReadResources(t["resources"], Key(p, "resources")));
      ASSIGN_OR_RETURN(out.labels, internal::ReadStringMap(t["labels"], Key(p, "labels")));
      ASSIGN_OR_RETURN(out.taints, internal::ReadTaints(t["taints"], Key(p, "taints")));
      node_templates_[name] = std::move(out);
    }
    return absl::OkStatus();
  }

  absl::Status ParseClusters(const YAML::Node& node, const YAML::Node& root) {
    if (!node.IsDefined() || !node.IsSequence() || node.size() == 0) {
      return ErrorAt(node.IsDefined() ? node : root, "clusters", "expected a non-empty list");
    }
    std::set<std::string> names;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node c = node[i];
      const std::string p = Index("clusters", i);
      RETURN_IF_ERROR(CheckKeys(c, p, {"name", "pool", "nodes"}));
      RETURN_IF_ERROR(internal::Require(c, "name", p));
      ASSIGN_OR_RETURN(std::string name, internal::ReadString(c["name"], Key(p, "name")));
      if (!names.insert(name).second) return ErrorAt(c["name"], Key(p, "name"), "duplicate name");
      std::string pool = "default";
      if (c["pool"]) {
        ASSIGN_OR_RETURN(pool, internal::ReadString(c["pool"], Key(p, "pool")));
      }
      const YAML::Node nodes = c["nodes"];
      RETURN_IF_ERROR(internal::Require(c, "nodes", p));
      if (!nodes.IsSequence()) return ErrorAt(c, Key(p, "nodes"), "expected a list");
      int64_t k = 0;
      for (size_t j = 0; j < nodes.size(); ++j) {
        RETURN_IF_ERROR(ParseNodeEntry(nodes[j], Index(Key(p, "nodes"), j), name, pool, k));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseNodeEntry(const YAML::Node& n, const std::string& p, const std::string& cluster,
                              const std::string& pool, int64_t& k) {
    RETURN_IF_ERROR(CheckKeys(n, p, {"template", "count", "labels", "allocated"}));
    RETURN_IF_ERROR(internal::Require(n, "template", p));
    ASSIGN_OR_RETURN(std::string tname, internal::ReadString(n["template"], Key(p, "template")));
    auto t = node_templates_.find(tname);
    if (t == node_templates_.end()) {
      return ErrorAt(n["template"], Key(p, "template"), "unknown node template " + tname);
    }
    int64_t count = 1;
    if (n["count"]) {
      ASSIGN_OR_RETURN(count, internal::ReadInt(n["count"], Key(p, "count")));
    }
    if (count < 0) return ErrorAt(n["count"], Key(p, "count"), "must be >= 0");
    ASSIGN_OR_RETURN(auto labels, internal::ReadStringMap(n["labels"], Key(p, "labels")));
    ASSIGN_OR_RETURN(auto allocated, internal::ReadResources(n["allocated"], Key(p, "allocated")));
    for (int64_t i = 0; i < count; ++i) {
      model::NodeInfo node;
      node.name = absl::StrCat(cluster, "-", k++);
      node.executor = cluster;
      node.pool = pool;
      node.labels = t->second.labels;
      for (const auto& [key, value] : labels) node.labels[key] = value;
      node.allocatable = t->second.resources;
      node.allocated = allocated;
      node.taints = t->second.taints;
      scenario_.nodes.push_back(std::move(node));
    }
    return absl::OkStatus();
  }

  absl::Status ParseQueues(const YAML::Node& node, const YAML::Node& root) {
    if (!node.IsDefined() || !node.IsSequence() || node.size() == 0) {
      return ErrorAt(node.IsDefined() ? node : root, "queues", "expected a non-empty list");
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node q = node[i];
      const std::string p = Index("queues", i);
      RETURN_IF_ERROR(CheckKeys(q, p, {"name", "priorityFactor", "cordoned"}));
      RETURN_IF_ERROR(internal::Require(q, "name", p));
      model::QueueInfo queue;
      ASSIGN_OR_RETURN(queue.name, internal::ReadString(q["name"], Key(p, "name")));
      if (queue.name.empty() || queue.name.find('/') != std::string::npos) {
        return ErrorAt(q["name"], Key(p, "name"), "must be non-empty and contain no '/'");
      }
      if (queue_names_.contains(queue.name)) {
        return ErrorAt(q["name"], Key(p, "name"), "duplicate queue " + queue.name);
      }
      if (q["priorityFactor"]) {
        const std::string pf = Key(p, "priorityFactor");
        ASSIGN_OR_RETURN(queue.priority_factor, internal::ReadDouble(q["priorityFactor"], pf));
        if (!(queue.priority_factor > 0)) return ErrorAt(q["priorityFactor"], pf, "must be > 0");
      }
      if (q["cordoned"]) {
        ASSIGN_OR_RETURN(queue.cordoned, internal::ReadBool(q["cordoned"], Key(p, "cordoned")));
      }
      queue_names_.insert(queue.name);
      scenario_.queues.push_back(std::move(queue));
    }
    return absl::OkStatus();
  }

  absl::Status ParseJobTemplates(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) return ErrorAt(node, "jobTemplates", "expected a map of name: template");
    for (const auto& entry : node) {
      const std::string name = entry.first.Scalar();
      const std::string p = Key("jobTemplates", name);
      RETURN_IF_ERROR(CheckKeys(entry.second, p, {"resources"}));
      if (!entry.second["resources"]) return ErrorAt(entry.second, Key(p, "resources"), "required");
      ASSIGN_OR_RETURN(job_templates_[name],
                       internal::ReadResources(entry.second["resources"], Key(p, "resources")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseRounds(const YAML::Node& node) {
    if (!node.IsSequence()) return ErrorAt(node, "rounds", "expected a list of rounds");
    for (const auto& n : scenario_.nodes) node_names_.insert(n.name);
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node r = node[i];
      const std::string p = Index("rounds", i);
      Round round;
      round.line = internal::LineOf(r);
      std::map<std::string, int64_t> counts;  // queue -> jobs submitted in this round
      if (!r.IsNull()) {
        RETURN_IF_ERROR(
            CheckKeys(r, p, {"submit", "withdrawUnscheduled", "expect", "finish", "cordonNodes"}));
        if (r["withdrawUnscheduled"]) {
          ASSIGN_OR_RETURN(
              round.withdraw_unscheduled,
              internal::ReadBool(r["withdrawUnscheduled"], Key(p, "withdrawUnscheduled")));
        }
        ASSIGN_OR_RETURN(round.submit, ParseJobs(r["submit"], Key(p, "submit"), false));
        for (const JobSpec& spec : round.submit) counts[spec.queue] += spec.count;
      }
      round_counts_.push_back(std::move(counts));
      const int this_round = static_cast<int>(i);
      if (!r.IsNull()) {
        if (const YAML::Node e = r["expect"]) {
          RETURN_IF_ERROR(ParseExpect(e, Key(p, "expect"), this_round, round));
        }
        if (const YAML::Node f = r["finish"]) {
          ASSIGN_OR_RETURN(round.finish,
                           ParseIndicesByRound(f, Key(p, "finish"), this_round - 1, "finish"));
        }
        if (const YAML::Node c = r["cordonNodes"]) {
          ASSIGN_OR_RETURN(round.cordon_nodes, ParseNodeNames(c, Key(p, "cordonNodes")));
        }
      }
      scenario_.rounds.push_back(std::move(round));
    }
    return absl::OkStatus();
  }

  // `expect: {scheduled: {QUEUE: INDICES | {ROUND: INDICES}}, preempted: {QUEUE: {ROUND:
  // INDICES}}}`; an absent or null key means none.
  absl::Status ParseExpect(const YAML::Node& e, const std::string& p, int this_round,
                           Round& round) {
    RoundExpect expect;
    if (!e.IsNull()) {
      RETURN_IF_ERROR(CheckKeys(e, p, {"scheduled", "preempted"}));
      if (const YAML::Node s = e["scheduled"]; s && !s.IsNull()) {
        const std::string sp = Key(p, "scheduled");
        if (!s.IsMap()) return ErrorAt(s, sp, "expected a map of queue: indices");
        for (const auto& entry : s) {
          ASSIGN_OR_RETURN(std::string queue, ReadQueue(entry.first, sp));
          const std::string qp = Key(sp, queue);
          if (entry.second.IsMap()) {
            ASSIGN_OR_RETURN(expect.scheduled[queue],
                             ParseRoundsOfQueue(entry.second, qp, queue, this_round, "scheduled"));
          } else {
            ASSIGN_OR_RETURN(expect.scheduled[queue][this_round],
                             ParseIndexList(entry.second, qp, queue, this_round));
          }
        }
      }
      if (const YAML::Node pr = e["preempted"]) {
        ASSIGN_OR_RETURN(expect.preempted,
                         ParseIndicesByRound(pr, Key(p, "preempted"), this_round, "preempted"));
      }
    }
    round.expect = std::move(expect);
    return absl::OkStatus();
  }

  // {QUEUE: {ROUND: INDICES}} with every ROUND in [0, last_round]; null means empty.
  absl::StatusOr<JobIndices> ParseIndicesByRound(const YAML::Node& node, const std::string& p,
                                                 int last_round, const std::string& what) {
    JobIndices out;
    if (node.IsNull()) return out;
    if (!node.IsMap()) return ErrorAt(node, p, "expected a map of queue: {round: indices}");
    for (const auto& entry : node) {
      ASSIGN_OR_RETURN(std::string queue, ReadQueue(entry.first, p));
      const std::string qp = Key(p, queue);
      if (!entry.second.IsMap()) {
        return ErrorAt(entry.second, qp,
                       "expected a map of round: indices (the round the jobs were submitted in)");
      }
      ASSIGN_OR_RETURN(out[queue], ParseRoundsOfQueue(entry.second, qp, queue, last_round, what));
    }
    return out;
  }

  // {ROUND: INDICES} of one queue, ROUND in [0, last_round].
  absl::StatusOr<std::map<int, std::set<int64_t>>> ParseRoundsOfQueue(const YAML::Node& node,
                                                                      const std::string& p,
                                                                      const std::string& queue,
                                                                      int last_round,
                                                                      const std::string& what) {
    std::map<int, std::set<int64_t>> out;
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      const std::string rp = Key(p, key);
      int64_t r = -1;
      if (!absl::SimpleAtoi(key, &r) || r < 0) {
        return ErrorAt(entry.first, rp, "expected a round number >= 0 as the key");
      }
      if (r > last_round) {
        return ErrorAt(
            entry.first, rp,
            last_round < 0
                ? absl::StrCat(what, " names jobs of round ", r,
                               ", but only jobs of earlier rounds can be named here")
                : absl::StrCat(what, " names jobs of round ", r, ", but only rounds 0 to ",
                               last_round, " can be named here"));
      }
      if (out.contains(static_cast<int>(r))) return ErrorAt(entry.first, rp, "duplicate round");
      ASSIGN_OR_RETURN(out[static_cast<int>(r)],
                       ParseIndexList(entry.second, rp, queue, static_cast<int>(r)));
    }
    return out;
  }

  // A map key naming a scenario queue.
  absl::StatusOr<std::string> ReadQueue(const YAML::Node& key, const std::string& p) {
    ASSIGN_OR_RETURN(std::string queue, internal::ReadString(key, p));
    if (!queue_names_.contains(queue)) return ErrorAt(key, Key(p, queue), "unknown queue " + queue);
    return queue;
  }

  // Indices of `queue`'s jobs submitted in round `round`: an int, a string of comma-separated
  // ints and ranges "a-b" ("0-3,7"), or a list of those. Each must be below the number of jobs
  // the queue submitted in that round; none may repeat.
  absl::StatusOr<std::set<int64_t>> ParseIndexList(const YAML::Node& node, const std::string& p,
                                                   const std::string& queue, int round) {
    std::set<int64_t> out;
    if (node.IsNull()) return out;
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
      for (const auto& item : node) items.push_back(item);
    } else if (node.IsScalar()) {
      items.push_back(node);
    } else {
      return ErrorAt(node, p, "expected indices: an int, \"a-b\", \"0-3,7\" or a list of those");
    }
    const auto& counts = round_counts_[static_cast<size_t>(round)];
    const auto it = counts.find(queue);
    const int64_t count = it == counts.end() ? 0 : it->second;
    for (const YAML::Node& item : items) {
      if (!item.IsScalar()) return ErrorAt(item, p, "expected an index or a range \"a-b\"");
      const std::string text = item.Scalar();
      if (absl::StripAsciiWhitespace(text).empty()) {
        return ErrorAt(item, p, "empty index list (write [] for none)");
      }
      for (absl::string_view part : absl::StrSplit(text, ',')) {
        part = absl::StripAsciiWhitespace(part);
        int64_t lo = 0;
        int64_t hi = 0;
        const std::vector<absl::string_view> ends = absl::StrSplit(part, absl::MaxSplits('-', 1));
        bool ok = !part.empty() && part.front() != '+' && absl::SimpleAtoi(ends[0], &lo);
        hi = lo;
        if (ok && ends.size() == 2)
          ok = !ends[1].empty() && ends[1].front() != '+' && absl::SimpleAtoi(ends[1], &hi);
        if (!ok || lo < 0) {
          return ErrorAt(item, p,
                         absl::StrCat("bad index or range \"", std::string(part),
                                      "\"; expected an int >= 0 or \"a-b\" with a <= b"));
        }
        if (lo > hi) {
          return ErrorAt(item, p,
                         absl::StrCat("bad range \"", std::string(part), "\": ", lo, " > ", hi));
        }
        if (hi >= count) {
          return ErrorAt(
              item, p,
              absl::StrCat("index ", hi, " out of range: queue ", queue, " submits ", count,
                           " jobs in round ", round,
                           count == 0 ? "" : absl::StrCat(" (indices 0-", count - 1, ")")));
        }
        for (int64_t k = lo; k <= hi; ++k) {
          if (!out.insert(k).second) {
            return ErrorAt(item, p, absl::StrCat("index ", k, " listed twice"));
          }
        }
      }
    }
    return out;
  }

  // A list of node names (`CLUSTER-K`) of the scenario.
  absl::StatusOr<std::vector<std::string>> ParseNodeNames(const YAML::Node& node,
                                                          const std::string& p) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) return ErrorAt(node, p, "expected a list of node names (CLUSTER-K)");
    for (size_t i = 0; i < node.size(); ++i) {
      ASSIGN_OR_RETURN(std::string name, internal::ReadString(node[i], Index(p, i)));
      if (!node_names_.contains(name)) {
        return ErrorAt(node[i], Index(p, i),
                       "unknown node " + name + " (nodes are named CLUSTER-K, K from 0)");
      }
      out.push_back(std::move(name));
    }
    return out;
  }

  absl::Status ParseWorkload(const YAML::Node& node) {
    const std::string p = "workload";
    RETURN_IF_ERROR(CheckKeys(node, p, {"cyclePeriod", "until", "resubmitPreempted", "jobs"}));
    Workload w;
    if (node["cyclePeriod"]) {
      ASSIGN_OR_RETURN(w.cycle_period,
                       internal::ReadDuration(node["cyclePeriod"], Key(p, "cyclePeriod")));
    }
    if (w.cycle_period <= absl::ZeroDuration()) {
      return ErrorAt(node["cyclePeriod"], Key(p, "cyclePeriod"), "must be > 0");
    }
    if (node["until"]) {
      ASSIGN_OR_RETURN(w.until, internal::ReadDuration(node["until"], Key(p, "until")));
    }
    if (node["resubmitPreempted"]) {
      ASSIGN_OR_RETURN(w.resubmit_preempted,
                       internal::ReadBool(node["resubmitPreempted"], Key(p, "resubmitPreempted")));
    }
    ASSIGN_OR_RETURN(w.jobs, ParseJobs(node["jobs"], Key(p, "jobs"), true));
    scenario_.workload = std::move(w);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<JobSpec>> ParseJobs(const YAML::Node& node, const std::string& p,
                                                 bool time_mode) {
    std::vector<JobSpec> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) return ErrorAt(node, p, "expected a list of job entries");
    for (size_t i = 0; i < node.size(); ++i) {
      ASSIGN_OR_RETURN(JobSpec job, ParseJob(node[i], Index(p, i), time_mode));
      out.push_back(std::move(job));
    }
    return out;
  }

  absl::StatusOr<JobSpec> ParseJob(const YAML::Node& n, const std::string& p, bool time_mode) {
    if (time_mode) {
      RETURN_IF_ERROR(CheckKeys(
          n, p,
          {"queue", "count", "template", "resources", "priorityClass", "priority", "nodeSelector",
           "tolerations", "gang", "submitAt", "runtime", "activeDeadline"}));
    } else {
      RETURN_IF_ERROR(CheckKeys(n, p,
                                {"queue", "count", "template", "resources", "priorityClass",
                                 "priority", "nodeSelector", "tolerations", "gang"}));
    }
    RETURN_IF_ERROR(internal::Require(n, "queue", p));
    JobSpec job;
    job.line = internal::LineOf(n);
    ASSIGN_OR_RETURN(job.queue, internal::ReadString(n["queue"], Key(p, "queue")));
    if (!queue_names_.contains(job.queue)) {
      return ErrorAt(n["queue"], Key(p, "queue"), "unknown queue " + job.queue);
    }
    if (n["count"]) {
      ASSIGN_OR_RETURN(job.count, internal::ReadInt(n["count"], Key(p, "count")));
    }
    if (job.count < 1) return ErrorAt(n["count"], Key(p, "count"), "must be >= 1");
    RETURN_IF_ERROR(ParseJobResources(n, p, job));
    RETURN_IF_ERROR(ParseJobScheduling(n, p, job));
    if (time_mode) {
      if (!n["submitAt"]) return ErrorAt(n, Key(p, "submitAt"), "required in time mode");
      ASSIGN_OR_RETURN(job.submit_at, internal::ReadDuration(n["submitAt"], Key(p, "submitAt")));
      if (!n["runtime"]) return ErrorAt(n, Key(p, "runtime"), "required in time mode");
      ASSIGN_OR_RETURN(job.runtime, internal::ReadDuration(n["runtime"], Key(p, "runtime")));
      if (n["activeDeadline"]) {
        ASSIGN_OR_RETURN(job.active_deadline,
                         internal::ReadDuration(n["activeDeadline"], Key(p, "activeDeadline")));
        if (job.active_deadline <= absl::ZeroDuration() || job.active_deadline < job.runtime) {
          return ErrorAt(
              n["activeDeadline"], Key(p, "activeDeadline"),
              "must be > 0 and at least the runtime (a job cannot outlive its deadline)");
        }
      }
    }
    if (n["gang"]) RETURN_IF_ERROR(ParseGang(n["gang"], Key(p, "gang"), job));
    return job;
  }

  absl::Status ParseJobResources(const YAML::Node& n, const std::string& p, JobSpec& job) {
    if (n["template"].IsDefined() == n["resources"].IsDefined()) {
      return ErrorAt(n, Key(p, "template"), "exactly one of `template` or `resources` is required");
    }
    if (n["template"]) {
      ASSIGN_OR_RETURN(std::string t, internal::ReadString(n["template"], Key(p, "template")));
      auto it = job_templates_.find(t);
      if (it == job_templates_.end()) {
        return ErrorAt(n["template"], Key(p, "template"), "unknown job template " + t);
      }
      job.resources = it->second;
    } else {
      ASSIGN_OR_RETURN(job.resources, internal::ReadResources(n["resources"], Key(p, "resources")));
    }
    return absl::OkStatus();
  }

  absl::Status ParseJobScheduling(const YAML::Node& n, const std::string& p, JobSpec& job) {
    if (n["priorityClass"]) {
      const std::string pp = Key(p, "priorityClass");
      ASSIGN_OR_RETURN(job.priority_class, internal::ReadString(n["priorityClass"], pp));
      if (!scenario_.scheduling.fair_share.priority_classes.contains(job.priority_class)) {
        return ErrorAt(n["priorityClass"], pp, "unknown priority class " + job.priority_class);
      }
    }
    if (n["priority"]) {
      ASSIGN_OR_RETURN(int64_t priority, internal::ReadInt(n["priority"], Key(p, "priority")));
      if (priority < 0 || priority > UINT32_MAX) {
        return ErrorAt(n["priority"], Key(p, "priority"), "must be in [0, 4294967295]");
      }
      job.priority = static_cast<uint32_t>(priority);
    }
    ASSIGN_OR_RETURN(job.node_selector,
                     internal::ReadStringMap(n["nodeSelector"], Key(p, "nodeSelector")));
    ASSIGN_OR_RETURN(job.tolerations,
                     internal::ReadTolerations(n["tolerations"], Key(p, "tolerations")));
    return absl::OkStatus();
  }

  absl::Status ParseGang(const YAML::Node& g, const std::string& p, JobSpec& job) {
    RETURN_IF_ERROR(CheckKeys(g, p, {"cardinality", "uniformityLabel"}));
    RETURN_IF_ERROR(internal::Require(g, "cardinality", p));
    ASSIGN_OR_RETURN(int64_t cardinality,
                     internal::ReadInt(g["cardinality"], Key(p, "cardinality")));
    if (cardinality < 1) return ErrorAt(g["cardinality"], Key(p, "cardinality"), "must be >= 1");
    if (job.count % cardinality != 0) {
      return ErrorAt(g["cardinality"], Key(p, "cardinality"),
                     absl::StrCat("count ", job.count,
                                  " is not a multiple of the gang cardinality ", cardinality));
    }
    job.gang_cardinality = static_cast<int>(cardinality);
    if (g["uniformityLabel"]) {
      ASSIGN_OR_RETURN(job.gang_uniformity_label,
                       internal::ReadString(g["uniformityLabel"], Key(p, "uniformityLabel")));
    }
    return absl::OkStatus();
  }

  Scenario scenario_;
  std::map<std::string, NodeTemplate> node_templates_;
  std::map<std::string, model::ResourceList> job_templates_;
  std::set<std::string> queue_names_;
  std::set<std::string> node_names_;
  std::vector<std::map<std::string, int64_t>> round_counts_;  // round -> queue -> jobs submitted
};

}  // namespace

size_t Scenario::PoolCount() const {
  std::set<std::string> pools;
  for (const auto& n : nodes) pools.insert(n.pool);
  return pools.size();
}

absl::StatusOr<Scenario> ParseScenario(const std::string& text, const std::string& name) {
  absl::StatusOr<Scenario> result;
  try {
    YAML::Node root = YAML::Load(text);
    result = Parser().Parse(root);
  } catch (const YAML::Exception& e) {
    result = absl::InvalidArgumentError(absl::StrCat(e.mark.line + 1, ": ", e.msg));
  }
  if (!result.ok()) {
    return absl::Status(result.status().code(), absl::StrCat(name, ":", result.status().message()));
  }
  result->path = name;
  return result;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseScenario(buffer.str(), path);
}

}  // namespace armada::sim
