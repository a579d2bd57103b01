#pragma once

// An armada-server in process (its gRPC services on a loopback port) over a
// freshly reset database and Redis, for integration tests.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "api/event.grpc.pb.h"
#include "api/job.grpc.pb.h"
#include "api/schedulerobjects/scheduler_reporting.grpc.pb.h"
#include "api/submit.grpc.pb.h"
#include "executorapi/executorapi.grpc.pb.h"
#include "lib/auth/auth_setup.h"
#include "lib/common/clock.h"
#include "lib/events/event_relay.h"
#include "lib/scheduling/scheduling_config.h"
#include "lib/store/database.h"
#include "server/api/event_service.h"
#include "server/api/executor_admin_service.h"
#include "server/api/executor_service.h"
#include "server/api/jobs_service.h"
#include "server/api/lookout_service.h"
#include "server/api/queue_service.h"
#include "server/api/scheduler_reporting_service.h"
#include "server/api/submit_service.h"
#include "server/logs/binoculars_proxy.h"
#include "server/scheduler/scheduler_loop.h"
#include "server/scheduler/scheduling_reports.h"

namespace armada::testing {

// DATABASE_URL and REDIS_URL from the environment, defaulting to the ports
// scripts/testenv uses (the CTest fixture).
std::string DatabaseUrl();
std::string RedisUrl();

// Drops every table and flushes Redis.
void ResetServices();

class ServerFixture {
 public:
  // The services with `config` (database and Redis URLs are filled in), and the
  // scheduler it asks for (fair share by default).
  // `customize` may add to the server before it starts (interceptors, ...).
  explicit ServerFixture(server::ServerConfig config = {},
                         std::function<void(grpc::ServerBuilder&)> customize = {});
  ~ServerFixture();

  store::Database& db() { return *db_; }
  grpc::Server& server() { return *server_; }
  api::Submit::Stub& submit() { return *submit_; }
  api::Event::Stub& events() { return *events_; }
  executorapi::ExecutorApi::Stub& executor_api() { return *executor_api_; }
  api::Executor::Stub& executor_admin() { return *executor_admin_; }
  api::QueueService::Stub& queues() { return *queues_; }
  api::Node::Stub& nodes() { return *nodes_; }
  api::Jobs::Stub& jobs() { return *jobs_; }
  server::SchedulerLoop& scheduler() { return *scheduler_loop_; }
  // What the cycles run through scheduler() recorded, and its gRPC client.
  server::SchedulingReports& scheduling_reports() { return *scheduling_reports_; }
  schedulerobjects::SchedulerReporting::Stub& reporting() { return *reporting_; }
  lookout::Lookout::Stub& lookout() { return *lookout_; }
  binoculars::Binoculars::Stub& binoculars() { return *binoculars_; }
  events::EventRelay& relay() { return *relay_; }
  server::EventService& event_service() { return *event_service_; }
  // host:port of the gRPC server, for tests that open channels of their own.
  const std::string& address() const { return address_; }
  common::SimulatedClock& clock() { return clock_; }

  // A new scheduler loop with `config` in place of the current one, as when
  // another replica becomes leader.
  void ReplaceScheduler(const server::ServerConfig& config);

  // Creates a queue with priority factor 1.
  void CreateQueue(const std::string& name);

  // Publishes pending events, then reads the job set's whole stream (with
  // `authorization` metadata when set).
  std::vector<api::EventStreamMessage> JobSetEvents(const std::string& queue,
                                                    const std::string& job_set,
                                                    const std::string& from = "",
                                                    const std::string& authorization = "");

 private:
  common::SimulatedClock clock_;
  std::string address_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<auth::AuthenticatorChain> authenticators_;
  std::unique_ptr<auth::PermissionPolicy> permissions_;
  std::unique_ptr<server::CallerAuth> caller_auth_;
  std::unique_ptr<server::JobOperations> job_operations_;
  std::unique_ptr<server::QueueService> queue_service_;
  std::unique_ptr<server::SubmitService> submit_service_;
  std::unique_ptr<server::EventService> event_service_;
  std::unique_ptr<server::ExecutorService> executor_service_;
  std::unique_ptr<server::ExecutorAdminService> executor_admin_service_;
  std::unique_ptr<server::NodeService> node_service_;
  std::unique_ptr<server::JobsService> jobs_service_;
  std::unique_ptr<scheduling::Scheduler> scheduler_;
  std::unique_ptr<server::SchedulerLoop> scheduler_loop_;
  std::unique_ptr<server::SchedulingReports> scheduling_reports_;
  std::unique_ptr<server::SchedulerReportingService> reporting_service_;
  std::unique_ptr<server::LookoutService> lookout_service_;
  std::unique_ptr<server::BinocularsProxy> binoculars_proxy_;
  std::unique_ptr<events::EventRelay> relay_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<api::Submit::Stub> submit_;
  std::unique_ptr<api::Event::Stub> events_;
  std::unique_ptr<executorapi::ExecutorApi::Stub> executor_api_;
  std::unique_ptr<api::Executor::Stub> executor_admin_;
  std::unique_ptr<api::QueueService::Stub> queues_;
  std::unique_ptr<api::Node::Stub> nodes_;
  std::unique_ptr<api::Jobs::Stub> jobs_;
  std::unique_ptr<schedulerobjects::SchedulerReporting::Stub> reporting_;
  std::unique_ptr<lookout::Lookout::Stub> lookout_;
  std::unique_ptr<binoculars::Binoculars::Stub> binoculars_;
};

// A job request item running `command` with cpu and memory requests.
api::JobSubmitRequestItem JobItem(std::vector<std::string> command, const std::string& cpu = "1",
                                  const std::string& memory = "1Gi");

// "submitted", "queued", "leased", ... for each event, in order.
std::vector<std::string> EventKinds(const std::vector<api::EventStreamMessage>& events,
                                    const std::string& job_id = "");

}  // namespace armada::testing
