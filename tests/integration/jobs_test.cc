// api.Jobs against real PostgreSQL: what a client asking about its jobs sees
// as the jobs move through an executor.

#include <catch2/catch.hpp>

#include "absl/strings/ascii.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

// One lease exchange for executor "exec-1" in `pool`, with one 4-cpu node
// "node-1"; returns the leases it hands out.
std::vector<executorapi::JobRunLease> Exchange(ServerFixture& server,
                                               const std::string& pool = "default") {
  executorapi::LeaseRequest request;
  request.set_executor_id("exec-1");
  request.set_pool(pool);
  auto* node = request.add_nodes();
  node->set_name("node-1");
  (*node->mutable_allocatable_resources())["cpu"].set_string("4");
  (*node->mutable_allocatable_resources())["memory"].set_string("16Gi");
  grpc::ClientContext context;
  auto stream = server.executor_api().LeaseJobRuns(&context);
  REQUIRE(stream->Write(request));
  stream->WritesDone();
  std::vector<executorapi::JobRunLease> leases;
  executorapi::LeaseStreamMessage message;
  while (stream->Read(&message)) {
    if (message.has_lease()) leases.push_back(message.lease());
  }
  REQUIRE(stream->Finish().ok());
  return leases;
}

// Reports what happened to a run: "pending", "running", "succeeded" or
// "failed" (with `reason`).
void Report(ServerFixture& server, const executorapi::JobRunLease& lease, const std::string& what,
            const std::string& reason = "") {
  executorapi::EventList list;
  list.set_executor_id("exec-1");
  auto* event = list.add_events();
  event->set_run_id(lease.job_run_id());
  event->set_job_id(lease.job().id());
  if (what == "pending") event->mutable_pending()->set_pod_name("pod-" + lease.job().id());
  if (what == "running") event->mutable_running();
  if (what == "succeeded") event->mutable_succeeded();
  if (what == "failed") event->mutable_failed()->set_reason(reason);
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.executor_api().ReportEvents(&context, list, &empty).ok());
}

std::vector<std::string> Submit(ServerFixture& server, const std::string& queue,
                                const std::string& job_set,
                                std::vector<api::JobSubmitRequestItem> items) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  for (auto& item : items) *request.add_job_request_items() = std::move(item);
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  std::vector<std::string> ids;
  for (const auto& item : response.job_response_items()) ids.push_back(item.job_id());
  return ids;
}

std::vector<api::JobSubmitRequestItem> Items(int count) {
  return std::vector<api::JobSubmitRequestItem>(count, JobItem({"sleep", "1"}));
}

void Cancel(ServerFixture& server, const std::string& job_id) {
  api::JobCancelRequest cancel;
  cancel.set_queue("q");
  cancel.set_job_set_id("s");
  cancel.add_job_ids(job_id);
  cancel.set_reason("no longer needed");
  grpc::ClientContext context;
  api::CancellationResult result;
  REQUIRE(server.submit().CancelJobs(&context, cancel, &result).ok());
}

std::map<std::string, api::JobState> Status(ServerFixture& server,
                                            const std::vector<std::string>& ids) {
  api::JobStatusRequest request;
  for (const auto& id : ids) request.add_job_ids(id);
  grpc::ClientContext context;
  api::JobStatusResponse response;
  REQUIRE(server.jobs().GetJobStatus(&context, request, &response).ok());
  return {response.job_states().begin(), response.job_states().end()};
}

api::JobState StatusOf(ServerFixture& server, const std::string& id) {
  return Status(server, {id}).at(id);
}

api::JobDetailsResponse Details(ServerFixture& server, const std::vector<std::string>& ids,
                                bool expand_spec, bool expand_runs) {
  api::JobDetailsRequest request;
  for (const auto& id : ids) request.add_job_ids(id);
  request.set_expand_job_spec(expand_spec);
  request.set_expand_job_run(expand_runs);
  grpc::ClientContext context;
  api::JobDetailsResponse response;
  REQUIRE(server.jobs().GetJobDetails(&context, request, &response).ok());
  return response;
}

// The lease of each job id (leases come in scheduling order, not submit order).
std::map<std::string, executorapi::JobRunLease> ByJob(
    const std::vector<executorapi::JobRunLease>& leases) {
  std::map<std::string, executorapi::JobRunLease> by_job;
  for (const auto& lease : leases) by_job[lease.job().id()] = lease;
  return by_job;
}

// Three jobs leased to exec-1 on node-1 and a fourth cancelled while queued;
// then the first succeeds, the second fails and the third is cancelled.
struct Scenario {
  std::vector<std::string> ids;  // succeeded, failed, cancelled while leased, cancelled queued
  std::map<std::string, executorapi::JobRunLease> leases;
};

Scenario RunScenario(ServerFixture& server) {
  Scenario s;
  s.ids = Submit(server, "q", "s", Items(3));
  Exchange(server);
  REQUIRE(*server.scheduler().RunCycle() == 3);
  s.leases = ByJob(Exchange(server));
  REQUIRE(s.leases.size() == 3);
  s.ids.push_back(Submit(server, "q", "s", Items(1))[0]);
  Cancel(server, s.ids[3]);
  Report(server, s.leases[s.ids[0]], "running");
  Report(server, s.leases[s.ids[0]], "succeeded");
  Report(server, s.leases[s.ids[1]], "running");
  Report(server, s.leases[s.ids[1]], "failed", "exit code 3");
  Cancel(server, s.ids[2]);
  Exchange(server);  // the executor does not hold the run: the cancel completes
  return s;
}

TEST_CASE("jobs: status follows each job through its states") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = Submit(server, "q", "s", Items(2));
  CHECK(Status(server, {ids[0], ids[1], "no-such-job"}) ==
        std::map<std::string, api::JobState>{
            {ids[0], api::QUEUED}, {ids[1], api::QUEUED}, {"no-such-job", api::UNKNOWN}});

  Exchange(server);
  REQUIRE(*server.scheduler().RunCycle() == 2);
  CHECK(StatusOf(server, ids[0]) == api::LEASED);
  auto leases = ByJob(Exchange(server));
  Report(server, leases[ids[0]], "pending");
  CHECK(StatusOf(server, ids[0]) == api::PENDING);
  Report(server, leases[ids[0]], "running");
  CHECK(StatusOf(server, ids[0]) == api::RUNNING);
  Report(server, leases[ids[0]], "succeeded");
  CHECK(StatusOf(server, ids[0]) == api::SUCCEEDED);
  Report(server, leases[ids[1]], "failed", "exit code 1");
  CHECK(StatusOf(server, ids[1]) == api::FAILED);

  auto queued = Submit(server, "q", "s", Items(1))[0];
  Cancel(server, queued);
  CHECK(StatusOf(server, queued) == api::CANCELLED);

  // An empty request is answered with an empty map.
  CHECK(Status(server, {}).empty());
}

TEST_CASE("jobs: details carry the spec and the runs only when asked") {
  ServerFixture server;
  server.CreateQueue("q");
  Scenario s = RunScenario(server);
  const std::string& done = s.ids[0];
  const std::string run_id = s.leases[done].job_run_id();

  SECTION("without expansion") {
    auto response = Details(server, {done, "no-such-job"}, false, false);
    REQUIRE(response.job_details().size() == 1);  // unknown ids are left out
    const api::JobDetails& d = response.job_details().at(done);
    CHECK(d.job_id() == done);
    CHECK(d.queue() == "q");
    CHECK(d.jobset() == "s");
    CHECK(d.namespace_() == "default");
    CHECK(d.state() == api::SUCCEEDED);
    CHECK(d.submitted_ts().seconds() > 0);
    CHECK(d.last_transition_ts().seconds() > 0);
    CHECK(d.latest_run_id() == run_id);
    CHECK_FALSE(d.has_job_spec());
    CHECK(d.job_runs().empty());
    CHECK_FALSE(d.has_cancel_ts());
  }
  SECTION("with the spec and the runs") {
    auto response = Details(server, {done}, true, true);
    const api::JobDetails& d = response.job_details().at(done);
    REQUIRE(d.has_job_spec());
    CHECK(d.job_spec().id() == done);
    CHECK(d.job_spec().queue() == "q");
    REQUIRE(d.job_spec().pod_specs_size() == 1);
    CHECK(d.job_spec().pod_specs(0).containers(0).command(0) == "sleep");
    REQUIRE(d.job_runs_size() == 1);
    const api::JobRunDetails& run = d.job_runs(0);
    CHECK(run.run_id() == run_id);
    CHECK(run.job_id() == done);
    CHECK(run.state() == api::RUN_STATE_SUCCEEDED);
    CHECK(run.cluster() == "exec-1");
    CHECK(run.node() == "node-1");
    CHECK(run.has_leased_ts());
    CHECK(run.has_started_ts());
    CHECK(run.has_finished_ts());
  }
  SECTION("only the spec") {
    const api::JobDetails d = Details(server, {done}, true, false).job_details().at(done);
    CHECK(d.has_job_spec());
    CHECK(d.job_runs().empty());
  }
  SECTION("cancelled jobs say when, why and by whom") {
    auto response = Details(server, {s.ids[2], s.ids[3]}, false, true);
    const api::JobDetails& leased = response.job_details().at(s.ids[2]);
    CHECK(leased.state() == api::CANCELLED);
    CHECK(leased.has_cancel_ts());
    CHECK(leased.cancel_reason() == "no longer needed");
    CHECK_FALSE(leased.cancel_user().empty());
    REQUIRE(leased.job_runs_size() == 1);
    CHECK(leased.job_runs(0).state() == api::RUN_STATE_CANCELLED);
    // Never leased: no run.
    const api::JobDetails& queued = response.job_details().at(s.ids[3]);
    CHECK(queued.state() == api::CANCELLED);
    CHECK(queued.latest_run_id().empty());
    CHECK(queued.job_runs().empty());
  }
}

TEST_CASE("jobs: errors say why a job failed") {
  ServerFixture server;
  server.CreateQueue("q");
  Scenario s = RunScenario(server);
  api::JobErrorsRequest request;
  for (const auto& id : {s.ids[0], s.ids[1], std::string("no-such-job")}) request.add_job_ids(id);
  grpc::ClientContext context;
  api::JobErrorsResponse response;
  REQUIRE(server.jobs().GetJobErrors(&context, request, &response).ok());
  CHECK(response.job_errors().size() == 2);
  CHECK_THAT(response.job_errors().at(s.ids[1]), Catch::Contains("exit code 3"));
  CHECK(response.job_errors().at(s.ids[0]).empty());
}

TEST_CASE("jobs: run details name the executor, node, state and times") {
  ServerFixture server;
  server.CreateQueue("q");
  Scenario s = RunScenario(server);
  const std::string failed_run = s.leases[s.ids[1]].job_run_id();
  const std::string upper = absl::AsciiStrToUpper(failed_run);
  api::JobRunDetailsRequest request;
  for (const auto& id : {failed_run, upper, std::string("00000000-0000-0000-0000-000000000000"),
                         std::string("not-a-uuid")}) {
    request.add_run_ids(id);
  }
  grpc::ClientContext context;
  api::JobRunDetailsResponse response;
  REQUIRE(server.jobs().GetJobRunDetails(&context, request, &response).ok());
  // Runs are keyed as asked; unknown and malformed ids are left out.
  CHECK(response.job_run_details().size() == 2);
  const api::JobRunDetails& run = response.job_run_details().at(failed_run);
  CHECK(run.run_id() == failed_run);
  CHECK(run.job_id() == s.ids[1]);
  CHECK(run.state() == api::RUN_STATE_FAILED);
  CHECK(run.cluster() == "exec-1");
  CHECK(run.node() == "node-1");
  CHECK(run.has_leased_ts());
  CHECK_FALSE(run.has_pending_ts());  // the executor never reported it pending
  CHECK(run.has_started_ts());
  CHECK(run.has_finished_ts());
  CHECK(run.finished_ts().seconds() >= run.leased_ts().seconds());
  CHECK(response.job_run_details().at(upper).run_id() == failed_run);
}

TEST_CASE("jobs: a job is found by its external URI within its job set") {
  ServerFixture server;
  server.CreateQueue("q");
  auto by_field = JobItem({"true"});
  by_field.set_external_job_uri("s3://bucket/a");
  auto by_annotation = JobItem({"true"});
  (*by_annotation.mutable_annotations())["armadaproject.io/externalJobUri"] = "s3://bucket/b";
  // The same text elsewhere in a spec is no match.
  auto lookalike = JobItem({"echo", "s3://bucket/a"});
  (*lookalike.mutable_annotations())["note"] = "s3://bucket/b";  // not a valid label value
  auto ids = Submit(server, "q", "s", {by_field, by_annotation, lookalike});
  auto other_set = Submit(server, "q", "other", {by_field})[0];
  Cancel(server, ids[1]);

  auto lookup = [&](const std::string& queue, const std::string& job_set, const std::string& uri) {
    api::JobStatusUsingExternalJobUriRequest request;
    request.set_queue(queue);
    request.set_jobset(job_set);
    request.set_external_job_uri(uri);
    grpc::ClientContext context;
    api::JobStatusResponse response;
    grpc::Status status =
        server.jobs().GetJobStatusUsingExternalJobUri(&context, request, &response);
    REQUIRE(status.error_code() == grpc::StatusCode::OK);
    return std::map<std::string, api::JobState>(response.job_states().begin(),
                                                response.job_states().end());
  };
  using States = std::map<std::string, api::JobState>;
  CHECK(lookup("q", "s", "s3://bucket/a") == States{{ids[0], api::QUEUED}});
  CHECK(lookup("q", "s", "s3://bucket/b") == States{{ids[1], api::CANCELLED}});
  CHECK(lookup("q", "other", "s3://bucket/a") == States{{other_set, api::QUEUED}});
  CHECK(lookup("q", "s", "s3://bucket/c").empty());
  CHECK(lookup("elsewhere", "s", "s3://bucket/a").empty());

  api::JobStatusUsingExternalJobUriRequest missing;
  missing.set_queue("q");
  missing.set_external_job_uri("s3://bucket/a");
  grpc::ClientContext context;
  api::JobStatusResponse response;
  grpc::Status status = server.jobs().GetJobStatusUsingExternalJobUri(&context, missing, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::Contains("jobset"));
}

std::map<std::string, std::vector<std::string>> ActiveQueues(ServerFixture& server) {
  grpc::ClientContext context;
  api::GetActiveQueuesResponse response;
  REQUIRE(server.jobs().GetActiveQueues(&context, {}, &response).ok());
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [pool, queues] : response.active_queues_by_pool()) {
    out[pool] = {queues.queues().begin(), queues.queues().end()};
  }
  return out;
}

TEST_CASE("jobs: active queues are listed per pool") {
  ServerFixture server;
  server.CreateQueue("qa");
  server.CreateQueue("qb");
  server.CreateQueue("idle");
  using Pools = std::map<std::string, std::vector<std::string>>;
  CHECK(ActiveQueues(server).empty());

  const std::string job = Submit(server, "qa", "s", Items(1))[0];
  // No executor has reported: queued work counts for the default pool.
  CHECK(ActiveQueues(server) == Pools{{"default", {"qa"}}});

  Exchange(server, "cpu");
  REQUIRE(*server.scheduler().RunCycle() == 1);
  auto lease = Exchange(server, "cpu").at(0);
  Submit(server, "qb", "s", Items(1));
  // qa runs in pool cpu; qb's queued job could go to any known pool.
  CHECK(ActiveQueues(server) == Pools{{"cpu", {"qa", "qb"}}});

  Report(server, lease, "running");
  Report(server, lease, "succeeded");
  CHECK(ActiveQueues(server) == Pools{{"cpu", {"qb"}}});
}

TEST_CASE("jobs: at most 500 ids per request") {
  ServerFixture server;
  std::vector<std::string> ids;
  for (int i = 0; i < 501; ++i) ids.push_back("job-" + std::to_string(i));

  auto expect_limit = [](const grpc::Status& status) {
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(status.error_message(), Catch::Contains("500"));
  };
  api::JobStatusRequest status_request;
  api::JobDetailsRequest details_request;
  api::JobErrorsRequest errors_request;
  api::JobRunDetailsRequest runs_request;
  for (const auto& id : ids) {
    status_request.add_job_ids(id);
    details_request.add_job_ids(id);
    errors_request.add_job_ids(id);
    runs_request.add_run_ids(id);
  }
  {
    grpc::ClientContext context;
    api::JobStatusResponse response;
    expect_limit(server.jobs().GetJobStatus(&context, status_request, &response));
  }
  {
    grpc::ClientContext context;
    api::JobDetailsResponse response;
    expect_limit(server.jobs().GetJobDetails(&context, details_request, &response));
  }
  {
    grpc::ClientContext context;
    api::JobErrorsResponse response;
    expect_limit(server.jobs().GetJobErrors(&context, errors_request, &response));
  }
  {
    grpc::ClientContext context;
    api::JobRunDetailsResponse response;
    expect_limit(server.jobs().GetJobRunDetails(&context, runs_request, &response));
  }
  // Exactly 500 is fine: every one of them unknown.
  ids.pop_back();
  auto states = Status(server, ids);
  CHECK(states.size() == 500);
  CHECK(std::all_of(states.begin(), states.end(),
                    [](const auto& entry) { return entry.second == api::UNKNOWN; }));
}

}  // namespace
}  // namespace armada::testing
