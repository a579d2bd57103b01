#include "tests/integration/executor_driver.h"

#include <catch2/catch.hpp>

namespace armada::testing {

Exchange LeaseExchange(ServerFixture& server, const std::map<std::string, api::JobState>& runs,
                       const TestExecutor& executor) {
  executorapi::LeaseRequest request;
  request.set_executor_id(executor.id);
  request.set_pool("default");
  request.set_at_lease_limit(executor.at_lease_limit);
  for (const std::string& name : executor.nodes) {
    auto* node = request.add_nodes();
    node->set_name(name);
    node->mutable_labels()->insert(executor.labels.begin(), executor.labels.end());
    (*node->mutable_allocatable_resources())["cpu"].set_string(executor.cpu);
    (*node->mutable_allocatable_resources())["memory"].set_string(executor.memory);
    if (name == executor.nodes.front()) {
      node->mutable_run_ids_by_state()->insert(runs.begin(), runs.end());
    }
  }

  grpc::ClientContext context;
  if (!executor.authorization.empty()) context.AddMetadata("authorization", executor.authorization);
  auto stream = server.executor_api().LeaseJobRuns(&context);
  REQUIRE(stream->Write(request));
  stream->WritesDone();
  Exchange exchange;
  executorapi::LeaseStreamMessage message;
  while (stream->Read(&message)) {
    if (message.has_lease()) exchange.leases.push_back(message.lease());
    if (message.has_end()) exchange.ended = true;
    for (const auto& id : message.cancel_runs().job_run_ids_to_cancel()) {
      exchange.cancelled.push_back(id);
    }
  }
  REQUIRE(stream->Finish().ok());
  return exchange;
}

void Report(ServerFixture& server, const std::vector<executorapi::RunEvent>& events,
            const std::string& executor_id) {
  REQUIRE(TryReport(server, events, executor_id, "").ok());
}

grpc::Status TryReport(ServerFixture& server, const std::vector<executorapi::RunEvent>& events,
                       const std::string& executor_id, const std::string& authorization) {
  executorapi::EventList list;
  list.set_executor_id(executor_id);
  for (const auto& event : events) *list.add_events() = event;
  grpc::ClientContext context;
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  google::protobuf::Empty empty;
  return server.executor_api().ReportEvents(&context, list, &empty);
}

executorapi::RunEvent RunEvent(const executorapi::JobRunLease& lease) {
  executorapi::RunEvent event;
  event.set_run_id(lease.job_run_id());
  event.set_job_id(lease.job().id());
  return event;
}

std::vector<std::string> SubmitJobs(ServerFixture& server, int count, const std::string& cpu,
                                    const std::string& queue, const std::string& job_set) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  for (int i = 0; i < count; ++i) {
    *request.add_job_request_items() = JobItem({"sh", "-c", "exit " + std::to_string(i)}, cpu);
  }
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  std::vector<std::string> ids;
  for (const auto& item : response.job_response_items()) ids.push_back(item.job_id());
  return ids;
}

executorapi::RunEvent Running(const executorapi::JobRunLease& lease) {
  auto event = RunEvent(lease);
  event.mutable_running();
  return event;
}

executorapi::RunEvent Succeeded(const executorapi::JobRunLease& lease) {
  auto event = RunEvent(lease);
  event.mutable_succeeded();
  return event;
}

executorapi::JobRunLease StartOneJob(ServerFixture& server) {
  SubmitJobs(server, 1, "1");
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  Exchange exchange = LeaseExchange(server, {});
  REQUIRE(exchange.leases.size() == 1);
  return exchange.leases[0];
}

std::string StoredJobState(ServerFixture& server, const std::string& job_id) {
  std::string state;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                state = tx.exec_params1("SELECT state FROM jobs WHERE job_id = $1", job_id)[0]
                            .as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  return state;
}

}  // namespace armada::testing
