// armada-server: applies migrations, then serves the public API and the
// executor API, relays events to Redis and, when leader, schedules.

#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "lib/common/clock.h"
#include "lib/common/daemon.h"
#include "lib/events/event_relay.h"
#include "lib/scheduling/scheduling_config.h"
#include "lib/store/migrations.h"
#include "server/event_service.h"
#include "server/executor_admin_service.h"
#include "server/executor_service.h"
#include "server/queue_service.h"
#include "server/scheduler_loop.h"
#include "server/server_config.h"
#include "server/submit_service.h"
#include "spdlog/spdlog.h"

namespace {

constexpr char kUsage[] =
    "usage: armada-server [--config FILE]\n"
    "  Serves Armada's gRPC API. DATABASE_URL and REDIS_URL are read from the\n"
    "  environment when the config file does not set databaseUrl / redisUrl.\n";

int Fail(const std::string& what) {
  spdlog::error("{}", what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  armada::common::DaemonArgs args = armada::common::ParseDaemonArgs(argc, argv, kUsage);
  if (args.exit_now) return *args.exit_now;
  armada::common::SetLogLevelFromEnv();

  // Block the shutdown signals before gRPC starts threads; one thread waits.
  const sigset_t signals = armada::common::BlockShutdownSignals();

  auto config = armada::server::LoadServerConfig(args.config_path);
  if (!config.ok()) return Fail(std::string(config.status().message()));

  auto db = armada::store::Database::Connect(config->database_url, config->database_connections);
  if (!db.ok()) return Fail("database: " + std::string(db.status().message()));
  auto applied = armada::store::ApplyMigrations(**db, armada::store::EmbeddedMigrations());
  if (!applied.ok()) return Fail("migrations: " + std::string(applied.status().message()));
  auto redis = armada::events::RedisClient::Connect(config->redis_url);
  if (!redis.ok()) return Fail(std::string(redis.status().message()));

  armada::common::RealClock clock;
  armada::server::QueueService queue_service(**db);
  armada::server::SubmitService submit_service(**db, queue_service, config->submit, clock);
  armada::server::EventService event_service(config->redis_url);
  armada::server::ExecutorService executor_service(**db, clock);
  armada::server::ExecutorAdminService executor_admin_service(**db);
  auto scheduler = armada::scheduling::MakeScheduler(config->scheduling);
  if (!scheduler.ok()) return Fail(std::string(scheduler.status().message()));
  armada::server::SchedulerLoop scheduler_loop(**db, **scheduler, clock, *config);
  armada::events::EventRelay relay(**db, std::move(*redis), {});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // a port clash must fail
  builder.AddListeningPort(config->grpc_address, grpc::InsecureServerCredentials());
  builder.RegisterService(&submit_service);
  builder.RegisterService(&queue_service);
  builder.RegisterService(&event_service);
  builder.RegisterService(&executor_service);
  builder.RegisterService(&executor_admin_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return Fail("cannot listen on " + config->grpc_address);
  spdlog::info("armada-server listening on {} (migrations applied: {})", config->grpc_address,
               *applied);

  std::atomic<bool> stop{false};
  std::thread relay_thread([&] { relay.Run(stop); });
  std::thread scheduler_thread([&] { scheduler_loop.Run(stop); });
  std::thread signal_thread([&] {
    int signal = armada::common::WaitForShutdownSignal(signals);
    spdlog::info("signal {}, shutting down", signal);
    stop = true;
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  signal_thread.join();
  relay_thread.join();
  scheduler_thread.join();
  spdlog::info("stopped");
  return 0;
}
