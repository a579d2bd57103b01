// armada-server: applies migrations, then serves the public API and the
// executor API, relays events to Redis and, when leader, schedules.

#include <algorithm>
#include <climits>
#include <functional>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <iostream>

#include "absl/strings/str_join.h"
#include "lib/auth/auth_setup.h"
#include "lib/auth/password_hash.h"
#include "lib/common/clock.h"
#include "lib/common/daemon.h"
#include "lib/common/thread_guard.h"
#include "lib/events/event_relay.h"
#include "lib/events/history_pruner.h"
#include "lib/net/server_credentials.h"
#include "lib/scheduling/scheduling_config.h"
#include "lib/store/migrations.h"
#include "server/api/event_service.h"
#include "server/api/executor_admin_service.h"
#include "server/api/executor_service.h"
#include "server/api/jobs_service.h"
#include "server/api/lookout_service.h"
#include "server/api/queue_service.h"
#include "server/api/scheduler_reporting_service.h"
#include "server/api/submit_service.h"
#include "server/http/http_gateway.h"
#include "server/http/metrics.h"
#include "server/http/metrics_refresher.h"
#include "server/logs/binoculars_proxy.h"
#include "server/scheduler/scheduler_loop.h"
#include "server/server_config.h"
#include "spdlog/spdlog.h"

namespace {

constexpr char kUsage[] =
    "usage: armada-server [--config FILE] [--check-config]\n"
    "       armada-server --hash-password < password\n"
    "  Serves Armada's gRPC API. DATABASE_URL and REDIS_URL are read from the\n"
    "  environment when the config file does not set databaseUrl / redisUrl.\n"
    "  --check-config reads the config, says what is wrong with it, and exits.\n"
    "  --hash-password prints a hash of the password read from stdin, for\n"
    "  auth.basicAuth.users.<name>.passwordHash.\n";

int Fail(const std::string& what) {
  spdlog::error("{}", what);
  return 1;
}

// Reads one line from stdin and prints its hash (no echo of the password).
int HashPassword() {
  std::string password;
  std::getline(std::cin, password);
  auto hash = armada::auth::HashPassword(password);
  if (!hash.ok()) return Fail(std::string(hash.status().message()));
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--hash-password") return HashPassword();
  armada::common::DaemonArgs args = armada::common::ParseDaemonArgs(argc, argv, kUsage);
  if (args.exit_now) return *args.exit_now;
  armada::common::SetLogLevelFromEnv();

  // Block the shutdown signals before gRPC starts threads; one thread waits.
  const sigset_t signals = armada::common::BlockShutdownSignals();

  auto config = armada::server::LoadServerConfig(args.config_path);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  if (args.check_config) {
    spdlog::info("config {}: ok", args.config_path);
    return 0;
  }

  auto db = armada::store::Database::Connect(config->database_url, config->database_connections);
  if (!db.ok()) return Fail("database: " + std::string(db.status().message()));
  auto applied = armada::store::ApplyMigrations(**db, armada::store::EmbeddedMigrations());
  if (!applied.ok()) return Fail("migrations: " + std::string(applied.status().message()));
  auto redis = armada::events::RedisClient::Connect(config->redis_url);
  if (!redis.ok()) return Fail(std::string(redis.status().message()));

  armada::common::RealClock clock;
  auto authenticators = armada::auth::MakeAuthenticatorChain(config->auth, clock);
  if (!authenticators.ok()) return Fail(std::string(authenticators.status().message()));
  const armada::auth::PermissionPolicy permissions =
      armada::auth::MakePermissionPolicy(config->auth);
  if (config->auth.configured) {
    spdlog::info("authentication: {}", absl::StrJoin((*authenticators)->Methods(), ", "));
  } else {
    spdlog::warn("no auth section in the config: every caller is anonymous and may do anything");
  }
  armada::server::CallerAuth caller_auth(**authenticators, permissions, **db);
  armada::server::JobOperations job_operations(**db, clock, config->retry);
  armada::server::QueueService queue_service(**db, job_operations, caller_auth);
  armada::server::SubmitService submit_service(**db, queue_service, job_operations, config->submit,
                                               clock, caller_auth);
  armada::server::EventService event_service(config->redis_url, caller_auth);
  armada::server::ExecutorService executor_service(**db, clock, caller_auth, config->retry,
                                                   config->auth.executor_identities);
  armada::server::ExecutorAdminService executor_admin_service(**db, job_operations, caller_auth);
  armada::server::NodeService node_service(job_operations, caller_auth);
  armada::server::JobsService jobs_service(**db, caller_auth);
  auto scheduler = armada::scheduling::MakeScheduler(config->scheduling);
  if (!scheduler.ok()) return Fail(std::string(scheduler.status().message()));
  armada::server::SchedulerLoop scheduler_loop(**db, **scheduler, clock, *config);
  armada::server::SchedulingReports scheduling_reports(db->get());
  scheduler_loop.SetReports(&scheduling_reports);
  armada::server::SchedulerReportingService reporting_service(scheduling_reports, caller_auth);
  armada::server::LookoutService lookout_service(**db, caller_auth, scheduling_reports);
  auto binoculars_token = armada::net::AuthorizationSource::Create(
      {.token_file = config->binoculars.token_file});  // null without a file
  if (!binoculars_token.ok()) {
    return Fail("binoculars.tokenFile: " + std::string(binoculars_token.status().message()));
  }
  armada::server::BinocularsProxy binoculars(**db, caller_auth, config->binoculars,
                                             *binoculars_token);
  armada::events::EventRelay relay(**db, std::move(*redis), {});
  auto pruner_redis = armada::events::RedisClient::Connect(config->redis_url);
  if (!pruner_redis.ok()) return Fail(std::string(pruner_redis.status().message()));
  const armada::server::RetentionConfig& retention = config->retention;
  armada::events::HistoryPruner pruner(**db, std::move(*pruner_redis), clock,
                                       {.job_retention = retention.jobs,
                                        .queue_retention = retention.queues,
                                        .executor_retention = retention.executors,
                                        .period = retention.interval,
                                        .batch = retention.batch_size});
  armada::server::ServerMetrics metrics;
  pruner.SetObserver(
      {.on_batch =
           [&metrics](const armada::events::HistoryPruner::Result& deleted) {
             metrics.storage().RecordRetentionBatch(deleted.jobs_deleted, deleted.events_deleted,
                                                    deleted.executors_deleted);
           },
       .on_round =
           [&metrics](absl::Duration elapsed, const absl::Status& status) {
             metrics.storage().RecordRetentionRound(absl::ToDoubleSeconds(elapsed), status.ok(),
                                                    absl::ToUnixMicros(absl::Now()) / 1e6);
           }});
  scheduler_loop.SetCycleObserver(
      [&metrics](const armada::server::CycleStats& stats) { metrics.RecordCycle(stats); });
  scheduler_loop.SetLeadershipObserver([&metrics](bool leader) { metrics.SetLeader(leader); });
  armada::server::MetricsRefresher metrics_refresher(**db, config->redis_url, metrics);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // a port clash must fail
  auto credentials = armada::net::MakeServerCredentials(config->tls);
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  builder.AddListeningPort(config->grpc_address, *credentials);
  // gRPC refuses messages over 4 MiB by default; a larger submit.maxRequestBytes
  // raises that limit to match (with room for the framing around a request).
  constexpr size_t kGrpcDefaultMaxMessage = 4 << 20;
  if (config->submit.max_request_bytes > kGrpcDefaultMaxMessage) {
    builder.SetMaxReceiveMessageSize(
        static_cast<int>(std::min<size_t>(config->submit.max_request_bytes + (64 << 10), INT_MAX)));
  }
  builder.experimental().SetInterceptorCreators(metrics.InterceptorFactories());
  builder.RegisterService(&submit_service);
  builder.RegisterService(&queue_service);
  builder.RegisterService(&event_service);
  builder.RegisterService(&executor_service);
  builder.RegisterService(&executor_admin_service);
  builder.RegisterService(&node_service);
  builder.RegisterService(&jobs_service);
  builder.RegisterService(&reporting_service);
  builder.RegisterService(&lookout_service);
  builder.RegisterService(&binoculars);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return Fail("cannot listen on " + config->grpc_address);
  spdlog::info("armada-server listening on {} ({}; migrations applied: {})", config->grpc_address,
               !config->tls.enabled()                   ? "plaintext"
               : config->tls.require_client_certificate ? "TLS, client certificate required"
               : !config->tls.client_ca_file.empty()    ? "TLS, client certificates verified"
                                                        : "TLS",
               *applied);

  // The HTTP port forwards to the services through the in-process channel.
  std::unique_ptr<armada::server::HttpGateway> http;
  if (!config->http_address.empty()) {
    armada::server::HttpGateway::Options options;
    options.health = [&db] {
      return (*db)->Run(
          [](pqxx::work& tx) {
            tx.exec("SELECT 1");
            return absl::OkStatus();
          },
          /*attempts=*/1);
    };
    options.metrics = [&metrics] { return metrics.Serialize(); };
    options.tls = config->tls;
    options.ui_assets = &armada::server::EmbeddedUiAssets();
    if (config->auth.protect_metrics) {
      options.authorize_metrics = [&authenticators](const std::string& authorization) {
        return (*authenticators)->Authenticate({authorization, ""}).status();
      };
    }
    auto gateway = armada::server::HttpGateway::Create(
        server->InProcessChannel(grpc::ChannelArguments()), std::move(options));
    if (!gateway.ok()) return Fail("http: " + std::string(gateway.status().message()));
    auto port = (*gateway)->Start(config->http_address);
    if (!port.ok()) {
      server->Shutdown();
      return Fail("http: " + std::string(port.status().message()));
    }
    http = std::move(*gateway);
    spdlog::info("armada-server serving {} on {}", config->tls.enabled() ? "HTTPS" : "HTTP",
                 config->http_address);
  }

  std::atomic<bool> stop{false};
  // Every long-running loop under the one guard: an exception is logged and
  // the loop runs again, instead of std::terminate ending the server.
  const auto stopping = [&stop] { return stop.load(); };
  auto guarded = [&](const char* name, std::function<void()> body) {
    return std::thread([name, body = std::move(body), stopping] {
      armada::common::RunGuarded(name, body, stopping);
    });
  };
  std::thread metrics_thread = guarded("metrics refresher", [&] { metrics_refresher.Run(stop); });
  std::thread relay_thread = guarded("event relay", [&] { relay.Run(stop); });
  std::thread scheduler_thread = guarded("scheduler loop", [&] { scheduler_loop.Run(stop); });
  std::thread pruner_thread = guarded("history pruner", [&] { pruner.Run(stop); });
  std::thread signal_thread([&] {
    int signal = armada::common::WaitForShutdownSignal(signals);
    spdlog::info("signal {}, shutting down", signal);
    stop = true;
    // End open event streams first: the server would wait for them.
    if (http) http->Stop();
    event_service.Shutdown();  // watch streams never end by themselves
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  signal_thread.join();
  relay_thread.join();
  scheduler_thread.join();
  pruner_thread.join();
  metrics_thread.join();
  spdlog::info("stopped");
  return 0;
}
