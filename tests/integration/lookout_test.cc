// lookout.Lookout against real PostgreSQL: what the web UI's job table,
// groups and detail panel see. Where Armada's own repository tests
// (internal/lookout/repository/getjobs_test.go, groupjobs_test.go) cover a
// behaviour, the case says which one it restates.

#include <cstdlib>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "lib/store/job_store.h"
#include "server/server_config.h"
#include "tests/integration/executor_driver.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

const absl::Time kBase = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

// A stored job, written as the submit path writes it, then moved to `state`.
struct JobRow {
  std::string id{};
  std::string queue = "q";
  std::string job_set = "s";
  std::string owner = "alice";
  std::string state = "queued";
  absl::Time submitted = kBase;
  absl::Time updated = kBase;
  int64_t milli_cpu = 1000;
  std::map<std::string, std::string> annotations{};
};

void Insert(ServerFixture& server, const std::vector<JobRow>& rows) {
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) -> absl::Status {
                std::vector<store::NewJob> jobs;
                for (const JobRow& row : rows) {
                  store::NewJob job;
                  job.job_id = row.id;
                  job.queue = row.queue;
                  job.job_set = row.job_set;
                  job.owner = row.owner;
                  job.requests.Set("cpu", row.milli_cpu);
                  job.requests.Set("memory", int64_t{1} << 40);  // 1Gi in milli-bytes
                  job.spec = "";
                  job.submitted_at = row.submitted;
                  job.namespace_name = "default";
                  job.annotations = row.annotations;
                  jobs.push_back(std::move(job));
                }
                auto inserted = store::InsertJobs(tx, jobs);
                if (!inserted.ok()) return inserted.status();
                for (const JobRow& row : rows) {
                  tx.exec_params0(
                      "UPDATE jobs SET state = $2, updated_at = $3::timestamptz WHERE job_id = $1",
                      row.id, row.state, Rfc3339(row.updated));
                }
                return absl::OkStatus();
              })
              .ok());
}

// Jobs "j-<prefix>-0" ... "j-<prefix>-<n-1>" like `row`.
std::vector<JobRow> Many(int n, const std::string& prefix, JobRow row) {
  std::vector<JobRow> rows;
  for (int i = 0; i < n; ++i) {
    row.id = absl::StrCat("j-", prefix, "-", i);
    rows.push_back(row);
  }
  return rows;
}

lookout::Filter MakeFilter(const std::string& field, const std::string& match,
                           const std::string& value, bool annotation = false) {
  lookout::Filter filter;
  filter.set_field(field);
  filter.set_match(match);
  filter.mutable_value()->set_string_value(value);
  filter.set_is_annotation(annotation);
  return filter;
}

struct Query {
  std::vector<lookout::Filter> filters{};
  std::string order = "jobId";
  std::string direction = "ASC";
  int skip = 0;
  int take = 100;
  bool active_job_sets = false;
};

grpc::Status GetJobs(ServerFixture& server, const Query& query, lookout::GetJobsResponse& out,
                     const std::string& authorization = "") {
  lookout::GetJobsRequest request;
  for (const auto& filter : query.filters) *request.add_filters() = filter;
  request.mutable_order()->set_field(query.order);
  request.mutable_order()->set_direction(query.direction);
  request.set_skip(query.skip);
  request.set_take(query.take);
  request.set_active_job_sets(query.active_job_sets);
  grpc::ClientContext context;
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  out.Clear();
  return server.lookout().GetJobs(&context, request, &out);
}

std::vector<std::string> Ids(ServerFixture& server, const Query& query) {
  lookout::GetJobsResponse response;
  grpc::Status status = GetJobs(server, query, response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  std::vector<std::string> ids;
  for (const auto& job : response.jobs()) ids.push_back(job.job_id());
  return ids;
}

std::vector<std::string> IdsWhere(ServerFixture& server, lookout::Filter filter) {
  Query query;
  query.filters = {std::move(filter)};
  return Ids(server, query);
}

using Ids_ = std::vector<std::string>;

lookout::GroupJobsResponse Groups(ServerFixture& server, lookout::GroupJobsRequest request) {
  if (request.take() == 0) request.set_take(10);
  grpc::ClientContext context;
  lookout::GroupJobsResponse response;
  grpc::Status status = server.lookout().GroupJobs(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return response;
}

lookout::GroupJobsRequest GroupBy(const std::string& field, const std::string& order = "count",
                                  const std::string& direction = "DESC") {
  lookout::GroupJobsRequest request;
  request.mutable_grouped_field()->set_field(field);
  request.mutable_order()->set_field(order);
  request.mutable_order()->set_direction(direction);
  return request;
}

std::vector<std::pair<std::string, int>> NamesAndCounts(const lookout::GroupJobsResponse& r) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& group : r.groups()) out.emplace_back(group.name(), group.count());
  return out;
}

TEST_CASE("lookout: a submitted job as the job table shows it, before and after its lease") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest submit;
  submit.set_queue("q");
  submit.set_job_set_id("set-1");
  auto item = JobItem({"sleep", "1"}, "2", "1Gi");
  (*item.mutable_annotations())["team"] = "physics";
  *submit.add_job_request_items() = item;
  api::JobSubmitResponse submitted;
  {
    grpc::ClientContext context;
    REQUIRE(server.submit().SubmitJobs(&context, submit, &submitted).ok());
  }
  const std::string id = submitted.job_response_items(0).job_id();

  lookout::GetJobsResponse response;
  REQUIRE(GetJobs(server, {}, response).ok());
  REQUIRE(response.jobs_size() == 1);
  const lookout::Job& queued = response.jobs(0);
  CHECK(queued.job_id() == id);
  CHECK(queued.queue() == "q");
  CHECK(queued.job_set() == "set-1");
  CHECK(queued.state() == "QUEUED");
  CHECK(queued.cpu() == 2000);             // milli-cores, as Lookout shows them
  CHECK(queued.memory() == 1073741824.0);  // bytes
  CHECK(queued.annotations().at("team") == "physics");
  CHECK(queued.namespace_() == "default");
  CHECK(queued.runs_size() == 0);

  LeaseExchange(server, {});  // the executor's node becomes known
  REQUIRE(server.scheduler().RunCycle().ok());
  REQUIRE(LeaseExchange(server, {}).leases.size() == 1);
  REQUIRE(GetJobs(server, {}, response).ok());
  const lookout::Job& leased = response.jobs(0);
  CHECK(leased.state() == "LEASED");
  REQUIRE(leased.runs_size() == 1);
  CHECK(leased.cluster() == "exec-1");
  CHECK(leased.runs(0).cluster() == "exec-1");
  CHECK(leased.runs(0).job_run_state() == "RUN_LEASED");
  CHECK(leased.last_active_run_id() == leased.runs(0).run_id());

  // The REST route gives Lookout's JSON: camelCase keys, numbers as numbers.
  // (rest_test.cc covers the gateway; here the shape of one field is enough.)
  lookout::GetJobSpecRequest spec_request;
  spec_request.set_job_id(id);
  lookout::GetJobSpecResponse spec;
  grpc::ClientContext context;
  REQUIRE(server.lookout().GetJobSpec(&context, spec_request, &spec).ok());
  CHECK(spec.job().id() == id);
  CHECK(spec.job().annotations().at("team") == "physics");

  lookout::GetJobEventsRequest events_request;
  events_request.set_job_id(id);
  lookout::GetJobEventsResponse events;
  grpc::ClientContext events_context;
  REQUIRE(server.lookout().GetJobEvents(&events_context, events_request, &events).ok());
  REQUIRE(events.events_size() >= 3);
  CHECK(events.events(0).has_submitted());
  CHECK(events.events(1).has_queued());
  CHECK(events.events(events.events_size() - 1).has_leased());
}

// Restates TestGetJobsOrderByJobId, TestGetJobsOrderBySubmissionTime and
// TestGetJobsOrderByLastTransitionTime.
TEST_CASE("lookout: orders by job id, submission and last transition, both ways") {
  ServerFixture server;
  Insert(server,
         {{.id = "a", .submitted = kBase + absl::Minutes(2), .updated = kBase},
          {.id = "b", .submitted = kBase, .updated = kBase + absl::Minutes(5)},
          {.id = "c", .submitted = kBase + absl::Minutes(1), .updated = kBase + absl::Minutes(3)}});
  CHECK(Ids(server, {.order = "jobId", .direction = "ASC"}) == Ids_{"a", "b", "c"});
  CHECK(Ids(server, {.order = "jobId", .direction = "DESC"}) == Ids_{"c", "b", "a"});
  CHECK(Ids(server, {.order = "submitted", .direction = "ASC"}) == Ids_{"b", "c", "a"});
  CHECK(Ids(server, {.order = "submitted", .direction = "DESC"}) == Ids_{"a", "c", "b"});
  CHECK(Ids(server, {.order = "lastTransitionTime", .direction = "ASC"}) == Ids_{"a", "c", "b"});
  CHECK(Ids(server, {.order = "lastTransitionTime", .direction = "DESC"}) == Ids_{"b", "c", "a"});
}

// Restates TestGetJobsByQueue, TestGetJobsByJobSet and TestGetJobsByOwner.
TEST_CASE("lookout: text fields match exactly, by prefix and by substring") {
  ServerFixture server;
  Insert(server, {{.id = "1", .queue = "queue-1", .job_set = "set-1", .owner = "user-1"},
                  {.id = "2", .queue = "queue-2", .job_set = "set-2", .owner = "user-2"},
                  {.id = "3", .queue = "other-queue", .job_set = "other", .owner = "u_x"},
                  {.id = "4", .queue = "q", .job_set = "s", .owner = "uax"}});
  CHECK(IdsWhere(server, MakeFilter("queue", "exact", "queue-1")) == Ids_{"1"});
  CHECK(IdsWhere(server, MakeFilter("queue", "startsWith", "queue-")) == Ids_{"1", "2"});
  CHECK(IdsWhere(server, MakeFilter("queue", "contains", "queue")) == Ids_{"1", "2", "3"});
  CHECK(IdsWhere(server, MakeFilter("jobSet", "startsWith", "set")) == Ids_{"1", "2"});
  CHECK(IdsWhere(server, MakeFilter("owner", "exact", "user-2")) == Ids_{"2"});
  // LIKE's wildcards in a value are literal characters.
  CHECK(IdsWhere(server, MakeFilter("owner", "startsWith", "u_")) == Ids_{"3"});
  CHECK(IdsWhere(server, MakeFilter("owner", "contains", "%")).empty());
}

// Restates TestGetJobsByState, TestGetJobsByAnnotation and TestGetJobsByCpu.
TEST_CASE("lookout: states, annotations, resources and times") {
  ServerFixture server;
  Insert(
      server,
      {{.id = "1", .state = "queued", .milli_cpu = 1000, .annotations = {{"a", "x-1"}}},
       {.id = "2",
        .state = "running",
        .submitted = kBase + absl::Hours(1),
        .milli_cpu = 3000,
        .annotations = {{"a", "x-2"}, {"b", "y"}}},
       {.id = "3", .state = "succeeded", .submitted = kBase + absl::Hours(2), .milli_cpu = 5000}});
  CHECK(IdsWhere(server, MakeFilter("state", "exact", "RUNNING")) == Ids_{"2"});
  lookout::Filter any_of;
  any_of.set_field("state");
  any_of.set_match("anyOf");
  any_of.mutable_value()->mutable_list_value()->add_values()->set_string_value("QUEUED");
  any_of.mutable_value()->mutable_list_value()->add_values()->set_string_value("SUCCEEDED");
  CHECK(IdsWhere(server, any_of) == Ids_{"1", "3"});

  CHECK(IdsWhere(server, MakeFilter("a", "exact", "x-2", true)) == Ids_{"2"});
  CHECK(IdsWhere(server, MakeFilter("a", "startsWith", "x-", true)) == Ids_{"1", "2"});
  CHECK(IdsWhere(server, MakeFilter("b", "exists", "", true)) == Ids_{"2"});

  lookout::Filter cpu;
  cpu.set_field("cpu");
  cpu.set_match("greaterThan");
  cpu.mutable_value()->set_number_value(1000);
  CHECK(IdsWhere(server, cpu) == Ids_{"2", "3"});
  cpu.set_match("lessThanOrEqualTo");
  cpu.mutable_value()->set_number_value(3000);
  CHECK(IdsWhere(server, cpu) == Ids_{"1", "2"});

  Query window;
  window.filters = {
      MakeFilter("submitted", "greaterThanOrEqualTo", Rfc3339(kBase + absl::Hours(1))),
      MakeFilter("submitted", "lessThan", Rfc3339(kBase + absl::Hours(2)))};
  CHECK(Ids(server, window) == Ids_{"2"});
}

// Restates TestOrderByUnsupportedField, TestFilterByUnsupportedField and
// TestFilterByUnsupportedMatch; ours also names the value.
TEST_CASE("lookout: a request it cannot answer is refused, naming what is wrong") {
  ServerFixture server;
  auto refusal = [&](const Query& query) {
    lookout::GetJobsResponse response;
    grpc::Status status = GetJobs(server, query, response);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    return status.error_message();
  };
  CHECK_THAT(refusal({.order = "colour"}), Catch::Contains("cannot order by \"colour\""));
  CHECK_THAT(refusal({.order = "jobId", .direction = "UP"}),
             Catch::Contains("\"UP\" is not ASC or DESC"));
  CHECK_THAT(refusal({.filters = {MakeFilter("colour", "exact", "red")}}),
             Catch::Contains("filters[0]: unknown field \"colour\""));
  CHECK_THAT(refusal({.filters = {MakeFilter("queue", "resembles", "q")}}),
             Catch::Contains("match \"resembles\" is not one of"));
  CHECK_THAT(refusal({.filters = {MakeFilter("state", "exact", "DONE")}}),
             Catch::Contains("\"DONE\" is not a job state"));
  CHECK_THAT(refusal({.filters = {MakeFilter("submitted", "greaterThan", "yesterday")}}),
             Catch::Contains("\"yesterday\" is not an RFC 3339 time"));
  CHECK_THAT(refusal({.filters = {MakeFilter("queue", "greaterThan", "q")}}),
             Catch::Contains("comparisons apply to numbers and times, not to queue"));
  CHECK_THAT(refusal({.take = 5000}), Catch::Contains("take: 5000 is outside [1, 1000]"));
}

TEST_CASE("lookout: pages of jobs submitted at the same instant neither repeat nor skip") {
  ServerFixture server;
  Insert(server, Many(25, "x", {}));  // one submit time for all
  std::vector<std::string> seen;
  for (int skip = 0; skip < 30; skip += 10) {
    auto page = Ids(server, {.order = "submitted", .direction = "DESC", .skip = skip, .take = 10});
    seen.insert(seen.end(), page.begin(), page.end());
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen.size() == 25);
  CHECK(std::unique(seen.begin(), seen.end()) == seen.end());
}

// Restates TestGroupByQueue and TestGroupByState.
TEST_CASE("lookout: groups by queue and by state, with counts per state") {
  ServerFixture server;
  auto rows = Many(10, "a", {.queue = "queue-1", .state = "queued"});
  for (auto& row : Many(5, "b", {.queue = "queue-2", .state = "running"})) rows.push_back(row);
  for (auto& row : Many(3, "c", {.queue = "queue-2", .state = "failed"})) rows.push_back(row);
  Insert(server, rows);

  CHECK(NamesAndCounts(Groups(server, GroupBy("queue"))) ==
        std::vector<std::pair<std::string, int>>{{"queue-1", 10}, {"queue-2", 8}});
  CHECK(NamesAndCounts(Groups(server, GroupBy("state"))) ==
        std::vector<std::pair<std::string, int>>{{"QUEUED", 10}, {"RUNNING", 5}, {"FAILED", 3}});

  auto request = GroupBy("queue", "name", "ASC");
  request.add_aggregates("state");
  auto response = Groups(server, request);
  REQUIRE(response.groups_size() == 2);
  const auto& states = response.groups(1).aggregates().at("state").struct_value().fields();
  CHECK(states.at("RUNNING").number_value() == 5);
  CHECK(states.at("FAILED").number_value() == 3);
  CHECK(states.count("QUEUED") == 0);
}

// Restates TestGroupJobsWithMaxSubmittedTime: the aggregate is the group's
// earliest submission, and groups order by it.
TEST_CASE("lookout: job sets grouped with their first submission, newest first") {
  ServerFixture server;
  std::vector<JobRow> rows;
  const std::vector<std::tuple<std::string, int, int>> sets = {
      {"job-set-1", 5, -2}, {"job-set-2", 4, -6}, {"job-set-3", 6, -9}};
  for (const auto& [set, n, minutes] : sets) {
    for (int k = 0; k < 3; ++k) {
      for (auto& row : Many(n, absl::StrCat(set, "-", k),
                            {.job_set = set, .submitted = kBase + absl::Minutes(minutes + k)})) {
        rows.push_back(row);
      }
    }
  }
  Insert(server, rows);
  auto request = GroupBy("jobSet", "submitted", "DESC");
  request.add_aggregates("submitted");
  auto response = Groups(server, request);
  CHECK(NamesAndCounts(response) == std::vector<std::pair<std::string, int>>{
                                        {"job-set-1", 15}, {"job-set-2", 12}, {"job-set-3", 18}});
  REQUIRE(response.groups_size() == 3);
  CHECK(response.groups(0).aggregates().at("submitted").string_value() ==
        Rfc3339(kBase - absl::Minutes(2)));
  CHECK(response.groups(2).aggregates().at("submitted").string_value() ==
        Rfc3339(kBase - absl::Minutes(9)));
}

// Restates TestGroupByActiveJobSets: a job set is active while any of its
// jobs is unfinished, and then every job of it counts.
TEST_CASE("lookout: active job sets only") {
  ServerFixture server;
  std::vector<JobRow> rows;
  auto add = [&](std::vector<JobRow> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  add(Many(10, "1q", {.queue = "queue-1", .job_set = "job-set-1", .state = "queued"}));
  add(Many(10, "1s", {.queue = "queue-1", .job_set = "job-set-1", .state = "succeeded"}));
  add(Many(10, "2p", {.queue = "queue-2", .job_set = "job-set-2", .state = "preempted"}));
  add(Many(10, "2c", {.queue = "queue-2", .job_set = "job-set-2", .state = "cancelled"}));
  add(Many(20, "3r", {.queue = "queue-3", .job_set = "job-set-2", .state = "running"}));
  add(Many(20, "3c", {.queue = "queue-3", .job_set = "job-set-2", .state = "cancelled"}));
  Insert(server, rows);
  auto request = GroupBy("jobSet");
  request.set_active_job_sets(true);
  CHECK(NamesAndCounts(Groups(server, request)) ==
        std::vector<std::pair<std::string, int>>{{"job-set-2", 40}, {"job-set-1", 20}});
}

// Restates TestGroupByAnnotation and TestGroupJobsSkip.
TEST_CASE("lookout: groups by an annotation, paged") {
  ServerFixture server;
  std::vector<JobRow> rows;
  for (int i = 0; i < 12; ++i) {
    for (auto& row :
         Many(i + 1, absl::StrCat("g", i), {.annotations = {{"group", absl::StrCat("v", i)}}})) {
      rows.push_back(row);
    }
  }
  for (auto& row : Many(4, "none", {})) rows.push_back(row);  // no such annotation: no group
  Insert(server, rows);
  auto request = GroupBy("group");
  request.mutable_grouped_field()->set_is_annotation(true);
  request.set_skip(3);
  request.set_take(2);
  CHECK(NamesAndCounts(Groups(server, request)) ==
        std::vector<std::pair<std::string, int>>{{"v8", 9}, {"v7", 8}});
}

TEST_CASE("lookout: a caller sees only the queues they may watch") {
  setenv("DATABASE_URL", DatabaseUrl().c_str(), /*overwrite=*/0);
  setenv("REDIS_URL", RedisUrl().c_str(), /*overwrite=*/0);
  auto config =
      server::LoadServerConfig(std::string(ARMADA_SOURCE_DIR) + "/examples/auth/server.yaml");
  REQUIRE(config.ok());
  ServerFixture server(*config);
  const std::string admin = "Basic " + absl::Base64Escape("admin:admin-password");
  const std::string bob = "Basic " + absl::Base64Escape("bob:bob-password");
  {
    api::Queue queue;
    queue.set_name("team-a");
    queue.set_priority_factor(1);
    grpc::ClientContext context;
    context.AddMetadata("authorization", admin);
    google::protobuf::Empty empty;
    REQUIRE(server.queues().CreateQueue(&context, queue, &empty).ok());
  }
  Insert(server, {{.id = "secret", .queue = "team-a"}});

  lookout::GetJobsResponse response;
  REQUIRE(GetJobs(server, {}, response, admin).ok());
  CHECK(response.jobs_size() == 1);
  REQUIRE(GetJobs(server, {}, response, bob).ok());
  CHECK(response.jobs_size() == 0);
  CHECK(GetJobs(server, {}, response).error_code() == grpc::StatusCode::UNAUTHENTICATED);

  lookout::GetJobSpecRequest request;
  request.set_job_id("secret");
  lookout::GetJobSpecResponse spec;
  grpc::ClientContext context;
  context.AddMetadata("authorization", bob);
  grpc::Status status = server.lookout().GetJobSpec(&context, request, &spec);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "job secret not found");

  grpc::ClientContext stats_context;
  stats_context.AddMetadata("authorization", bob);
  lookout::GetQueueStatsResponse stats;
  REQUIRE(
      server.lookout().GetQueueStats(&stats_context, lookout::GetQueueStatsRequest(), &stats).ok());
  CHECK(stats.queues_size() == 0);
}

TEST_CASE("lookout: queue stats give weight, shares from the last cycle and unfinished jobs") {
  ServerFixture server;
  server.CreateQueue("q");
  LeaseExchange(server, {});  // the executor and its node become known
  api::JobSubmitRequest submit;
  submit.set_queue("q");
  submit.set_job_set_id("s");
  for (int i = 0; i < 3; ++i) *submit.add_job_request_items() = JobItem({"true"});
  api::JobSubmitResponse submitted;
  {
    grpc::ClientContext context;
    REQUIRE(server.submit().SubmitJobs(&context, submit, &submitted).ok());
  }
  REQUIRE(server.scheduler().RunCycle().ok());

  grpc::ClientContext context;
  lookout::GetQueueStatsResponse stats;
  REQUIRE(server.lookout().GetQueueStats(&context, lookout::GetQueueStatsRequest(), &stats).ok());
  REQUIRE(stats.queues_size() == 1);
  const lookout::QueueStats& q = stats.queues(0);
  CHECK(q.name() == "q");
  CHECK(q.weight() == 1);
  REQUIRE(q.pools_size() == 1);
  CHECK(q.pools(0).pool() == "default");
  CHECK(q.pools(0).fair_share() == 1);
  CHECK(q.pools(0).actual_share() > 0);
  int unfinished = 0;
  for (const auto& counts : q.priority_classes()) {
    unfinished += counts.queued() + counts.leased() + counts.pending() + counts.running();
  }
  CHECK(unfinished == 3);
}

}  // namespace
}  // namespace armada::testing
