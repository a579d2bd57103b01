#include "sim/output.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/json_writer.h"

namespace armada::sim {
namespace {

// The scheduling reports' text about the explained job, indented under the explain lines.
void AppendReport(const std::string& report, std::string& out) {
  if (report.empty()) return;
  out += "\n  as the scheduling reports give it after its last cycle:\n";
  for (const auto& line : absl::StrSplit(report, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "    ", std::string(line), "\n");
  }
}

// Left-aligned columns separated by two spaces.
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
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

JsonValue QueueJson(const QueueRow& q) {
  JsonValue v = JsonValue::Object();
  v.Set("running", JsonValue::Int(q.running));
  v.Set("fairShare", JsonValue::Fixed(q.fair_share));
  v.Set("adjustedFairShare", JsonValue::Fixed(q.adjusted_fair_share));
  v.Set("actualShare", JsonValue::Fixed(q.actual_share));
  v.Set("cost", JsonValue::Fixed(q.cost));
  return v;
}

}  // namespace

std::string FormatSimTime(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  std::string s = absl::StrFormat("%d.%03d", ms / 1000, ms % 1000);
  while (s.back() == '0') s.pop_back();
  return s + "s";
}

std::string FormatResourceSeconds(absl::int128 milli_ms) {
  const absl::int128 kScale = 1000000;
  const bool negative = milli_ms < 0;
  if (negative) milli_ms = -milli_ms;
  std::string out = absl::StrCat(negative ? "-" : "", absl::Int128Low64(milli_ms / kScale));
  if (milli_ms / kScale > absl::int128(UINT64_MAX)) out = "overflow";
  const uint64_t frac = absl::Int128Low64(milli_ms % kScale);
  if (frac == 0) return out;
  std::string digits = absl::StrFormat("%06d", frac);
  while (digits.back() == '0') digits.pop_back();
  return absl::StrCat(out, ".", digits);
}

std::string RoundsJson(const RoundResult& result, const RunOptions& options) {
  JsonValue rounds = JsonValue::Array();
  JsonValue explain = JsonValue::Array();
  for (const RoundRecord& r : result.rounds) {
    JsonValue round = JsonValue::Object();
    round.Set("round", JsonValue::Int(r.round));
    JsonValue scheduled = JsonValue::Object();
    for (const auto& [job, node] : r.scheduled) scheduled.Set(job, JsonValue::String(node));
    round.Set("scheduled", std::move(scheduled));
    JsonValue preempted = JsonValue::Array();
    for (const auto& job : r.preempted) preempted.Push(JsonValue::String(job));
    round.Set("preempted", std::move(preempted));
    if (!r.rejected.empty()) {  // only then, so that scenarios without gangs read as before
      JsonValue rejected = JsonValue::Array();
      for (const auto& job : r.rejected) rejected.Push(JsonValue::String(job));
      round.Set("rejected", std::move(rejected));
    }
    JsonValue queues = JsonValue::Object();
    for (const QueueRow& q : r.queues) queues.Set(q.key, QueueJson(q));
    round.Set("queues", std::move(queues));
    rounds.Push(std::move(round));
    explain.Push(std::move(JsonValue::Object()
                               .Set("round", JsonValue::Int(r.round))
                               .Set("status", JsonValue::String(r.explain))));
  }
  JsonValue doc = JsonValue::Object();
  doc.Set("rounds", std::move(rounds));
  if (!options.explain_job.empty()) {
    doc.Set("explain", std::move(JsonValue::Object()
                                     .Set("job", JsonValue::String(options.explain_job))
                                     .Set("rounds", std::move(explain))));
  }
  return doc.Dump();
}

std::string RoundsText(const RoundResult& result, const RunOptions& options) {
  std::string out;
  for (const RoundRecord& r : result.rounds) {
    absl::StrAppend(&out, "round ", r.round, ": ", r.scheduled.size(), " scheduled, ",
                    r.preempted.size(), " preempted",
                    r.rejected.empty() ? "" : absl::StrCat(", ", r.rejected.size(), " rejected"),
                    "\n");
    for (const auto& job : r.preempted) absl::StrAppend(&out, "  ", job, "  preempted\n");
    std::vector<std::vector<std::string>> leases;
    for (const auto& [job, node] : r.scheduled) leases.push_back({job, "->", node});
    out += Table(leases, "  ");
    std::vector<std::vector<std::string>> rows = {
        {"queue", "running", "fairShare", "adjustedFairShare", "actualShare", "cost"}};
    for (const QueueRow& q : r.queues) {
      rows.push_back({q.key, absl::StrCat(q.running), FormatFixed(q.fair_share),
                      FormatFixed(q.adjusted_fair_share), FormatFixed(q.actual_share),
                      FormatFixed(q.cost)});
    }
    out += Table(rows, "  ");
  }
  if (!options.explain_job.empty()) {
    absl::StrAppend(&out, "\nexplain ", options.explain_job, ":\n");
    for (const RoundRecord& r : result.rounds) {
      absl::StrAppend(&out, "  round ", r.round, ": ", r.explain, "\n");
    }
    AppendReport(result.explain_report, out);
  }
  return out;
}

std::string TimeJson(const TimeResult& result, const RunOptions& options) {
  JsonValue events = JsonValue::Array();
  for (const Event& e : result.events) {
    JsonValue v = JsonValue::Object();
    v.Set("time", JsonValue::String(FormatSimTime(e.time)));
    v.Set("type", JsonValue::String(e.type));
    v.Set("job", JsonValue::String(e.job));
    v.Set("queue", JsonValue::String(e.queue));
    if (!e.node.empty()) v.Set("node", JsonValue::String(e.node));
    events.Push(std::move(v));
  }
  JsonValue queues = JsonValue::Object();
  for (const auto& [queue, used] : result.used) {
    JsonValue resources = JsonValue::Object();
    for (const auto& [name, amount] : used) {
      resources.Set(name, JsonValue::Number(FormatResourceSeconds(amount)));
    }
    queues.Set(queue,
               std::move(JsonValue::Object().Set("usedResourceSeconds", std::move(resources))));
  }
  JsonValue doc = JsonValue::Object();
  doc.Set("events", std::move(events));
  doc.Set("queues", std::move(queues));
  if (!options.explain_job.empty()) {
    JsonValue cycles = JsonValue::Array();
    for (const ExplainLine& line : result.explain) {
      cycles.Push(std::move(JsonValue::Object()
                                .Set("time", JsonValue::String(FormatSimTime(line.time)))
                                .Set("status", JsonValue::String(line.status))));
    }
    doc.Set("explain", std::move(JsonValue::Object()
                                     .Set("job", JsonValue::String(options.explain_job))
                                     .Set("cycles", std::move(cycles))));
  }
  return doc.Dump();
}

std::string TimeText(const TimeResult& result, const RunOptions& options) {
  std::vector<std::vector<std::string>> rows = {{"time", "event", "job", "queue", "node"}};
  for (const Event& e : result.events) {
    rows.push_back({FormatSimTime(e.time), e.type, e.job, e.queue, e.node});
  }
  std::string out = Table(rows, "");
  std::vector<std::vector<std::string>> used = {{"queue", "resource", "usedResourceSeconds"}};
  for (const auto& [queue, resources] : result.used) {
    if (resources.empty()) used.push_back({queue, "-", "0"});
    for (const auto& [name, amount] : resources) {
      used.push_back({queue, name, FormatResourceSeconds(amount)});
    }
  }
  absl::StrAppend(&out, "\n", Table(used, ""));
  if (!options.explain_job.empty()) {
    absl::StrAppend(&out, "\nexplain ", options.explain_job, ":\n");
    if (result.explain.empty()) out += "  never submitted before `until`\n";
    for (const ExplainLine& line : result.explain) {
      absl::StrAppend(&out, "  ", FormatSimTime(line.time), ": ", line.status, "\n");
    }
    AppendReport(result.explain_report, out);
  }
  return out;
}

}  // namespace armada::sim
