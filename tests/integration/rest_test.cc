// The HTTP port over the in-process server: Armada's REST routes, /health
// and /metrics, spoken to with a plain HTTP client as a user would.

#include <httplib.h>

#include <cstdlib>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/event.pb.h"
#include "lib/events/history_pruner.h"
#include "lib/store/job_store.h"
#include "server/http/http_gateway.h"
#include "server/http/metrics.h"
#include "server/http/metrics_refresher.h"
#include "server/http/rest_json.h"
#include "server/http/rest_routes.h"
#include "server/server_config.h"
#include "tests/integration/executor_driver.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

using nlohmann::json;

// The fixture's server with the rpc metrics interceptor, and the gateway on
// a free loopback port.
class RestServer {
 public:
  // `authorize_metrics` set: /metrics is protected with it.
  explicit RestServer(server::ServerConfig config = {},
                      std::function<absl::Status(const std::string&)> authorize_metrics = {})
      : fixture_(std::move(config), [this](grpc::ServerBuilder& builder) {
          builder.experimental().SetInterceptorCreators(metrics_.InterceptorFactories());
        }) {
    server::HttpGateway::Options options;
    options.health = [this] {
      return fixture_.db().Run([](pqxx::work& tx) {
        tx.exec("SELECT 1");
        return absl::OkStatus();
      });
    };
    options.metrics = [this] { return metrics_.Serialize(); };
    options.authorize_metrics = std::move(authorize_metrics);
    auto gateway = server::HttpGateway::Create(
        fixture_.server().InProcessChannel(grpc::ChannelArguments()), std::move(options));
    REQUIRE(gateway.ok());
    gateway_ = std::move(*gateway);
    auto port = gateway_->Start("127.0.0.1:0");
    REQUIRE(port.ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(10, 0);
  }

  ServerFixture& fixture() { return fixture_; }
  server::ServerMetrics& metrics() { return metrics_; }
  httplib::Client& http() { return *client_; }

  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }

 private:
  server::ServerMetrics metrics_;  // outlives the server that records into it
  ServerFixture fixture_;
  std::unique_ptr<server::HttpGateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
};

json Job(const std::string& memory) {
  json resources = {{"cpu", "1"}, {"memory", memory}};
  return {{"priority", 1},
          {"namespace", "default"},
          {"podSpecs",
           {{{"containers",
              {{{"name", "main"},
                {"image", "busybox"},
                {"command", {"sleep", "1"}},
                {"resources", {{"requests", resources}, {"limits", resources}}}}}}}}}};
}

// A newline-delimited JSON body, one object a line.
std::vector<json> Lines(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

// The event kind ("submitted", ...) of each line about `job_id`.
std::vector<std::string> Kinds(const std::vector<json>& lines, const std::string& job_id) {
  std::vector<std::string> kinds;
  for (const json& line : lines) {
    for (const auto& [kind, event] : line["result"]["message"].items()) {
      if (event.value("jobId", "") == job_id) kinds.push_back(kind);
    }
  }
  return kinds;
}

TEST_CASE("REST: queues, submission, events and cancellation as Armada's gateway serves them",
          "[rest]") {
  RestServer rest;

  auto created = rest.Post("/v1/queue", {{"name", "rq"}, {"priorityFactor", 2}});
  REQUIRE(created);
  CHECK(created->status == 200);
  CHECK(json::parse(created->body) == json::object());

  auto queue = rest.http().Get("/v1/queue/rq");
  REQUIRE(queue);
  REQUIRE(queue->status == 200);
  CHECK(json::parse(queue->body)["name"] == "rq");
  CHECK(json::parse(queue->body)["priorityFactor"] == 2);

  auto queues = rest.http().Get("/v1/batched/queues");
  REQUIRE(queues);
  REQUIRE(queues->status == 200);
  auto queue_lines = Lines(queues->body);
  REQUIRE(queue_lines.size() == 2);
  CHECK(queue_lines[0]["result"]["queue"]["name"] == "rq");
  CHECK(queue_lines[1]["result"].contains("end"));

  auto submitted = rest.Post(
      "/v1/job/submit",
      {{"queue", "rq"}, {"jobSetId", "js"}, {"jobRequestItems", {Job("1Gi"), Job("512Mi")}}});
  REQUIRE(submitted);
  REQUIRE(submitted->status == 200);
  json items = json::parse(submitted->body)["jobResponseItems"];
  REQUIRE(items.size() == 2);
  const std::string first = items[0]["jobId"], second = items[1]["jobId"];

  REQUIRE(rest.fixture().relay().PublishPending().ok());
  auto events = rest.Post("/v1/job-set/rq/js", json::object());
  REQUIRE(events);
  REQUIRE(events->status == 200);
  auto lines = Lines(events->body);
  REQUIRE(!lines.empty());
  CHECK(!lines[0]["result"]["id"].get<std::string>().empty());
  json event = lines[0]["result"]["message"]["submitted"];
  CHECK(event["jobId"] == first);
  CHECK(event["queue"] == "rq");
  CHECK(event["jobSetId"] == "js");
  // resource.Quantity is a plain string, as in Kubernetes' JSON.
  CHECK(event["job"]["podSpecs"][0]["containers"][0]["resources"]["requests"]["memory"] == "1Gi");
  CHECK(Kinds(lines, second) == std::vector<std::string>{"submitted", "queued"});

  auto status = rest.Post("/v1/job/status", {{"jobIds", {first}}});
  REQUIRE(status);
  CHECK(status->status == 200);
  CHECK(json::parse(status->body)["jobStates"][first] == "QUEUED");

  auto cancelled =
      rest.Post("/v1/job/cancel", {{"queue", "rq"}, {"jobSetId", "js"}, {"jobIds", {first}}});
  REQUIRE(cancelled);
  REQUIRE(cancelled->status == 200);
  CHECK(json::parse(cancelled->body)["cancelledIds"] == json::array({first}));

  REQUIRE(rest.fixture().relay().PublishPending().ok());
  auto after = rest.Post("/v1/job-set/rq/js", {{"fromMessageId", lines.back()["result"]["id"]}});
  REQUIRE(after);
  REQUIRE(after->status == 200);
  auto kinds = Kinds(Lines(after->body), first);
  CHECK(std::find(kinds.begin(), kinds.end(), "cancelled") != kinds.end());
  CHECK(Kinds(Lines(after->body), second).empty());

  SECTION("metrics count the calls and, once refreshed, the jobs by state") {
    std::string text = rest.http().Get("/metrics")->body;
    CHECK_THAT(text, Catch::Contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method="
                                     "\"CreateQueue\",grpc_service=\"api.Submit\",grpc_type="
                                     "\"unary\"} 1"));
    CHECK_THAT(text, Catch::Contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method="
                                     "\"GetJobSetEvents\",grpc_service=\"api.Event\",grpc_type="
                                     "\"server_stream\"} 2"));
    CHECK_THAT(text, Catch::Contains("grpc_server_handling_seconds_count{grpc_method="
                                     "\"SubmitJobs\",grpc_service=\"api.Submit\",grpc_type="
                                     "\"unary\"} 1"));
    CHECK_THAT(text, Catch::Contains("armada_server_build_info{"));

    server::MetricsRefresher refresher(rest.fixture().db(), RedisUrl(), rest.metrics());
    REQUIRE(refresher.RefreshOnce().ok());
    text = rest.http().Get("/metrics")->body;
    CHECK_THAT(text, Catch::Contains("armada_server_jobs{queue=\"rq\",state=\"queued\"} 1"));
    // Ended jobs are not counted: that count would cost a scan of the whole history.
    CHECK_THAT(text, !Catch::Contains("state=\"cancelled\""));
    CHECK_THAT(text, Catch::Contains("armada_server_metrics_refresh_seconds "));
    CHECK_THAT(text, Catch::Contains("armada_server_database_connections{state=\"in_use\"} "));
    CHECK_THAT(text, Catch::Contains("armada_server_database_connections_max "));
    CHECK_THAT(text, Catch::Contains("armada_queue_size{queueName=\"rq\"} 1"));
    CHECK_THAT(text, Catch::Contains("armada_server_event_relay_lag_events 0"));
    const std::string logged = "\narmada_server_events_logged_total ";
    REQUIRE(text.find(logged) != std::string::npos);
    CHECK(std::stod(text.substr(text.find(logged) + logged.size())) >= 5);  // 2 x 2 + cancel
  }
}

TEST_CASE("REST: /health follows the database, /health/live only the process", "[rest]") {
  ServerFixture fixture;
  server::HttpGateway::Options options;
  options.health = [] { return absl::UnavailableError("database: connection refused"); };
  auto gateway = server::HttpGateway::Create(
      fixture.server().InProcessChannel(grpc::ChannelArguments()), std::move(options));
  REQUIRE(gateway.ok());
  auto port = (*gateway)->Start("127.0.0.1:0");
  REQUIRE(port.ok());
  httplib::Client http("127.0.0.1", *port);

  // A replica that cannot reach PostgreSQL leaves the Service (readiness) but is not
  // restarted (liveness): the charts' probes rely on this.
  auto health = http.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 503);
  CHECK(health->body == "database: connection refused\n");
  auto live = http.Get("/health/live");
  REQUIRE(live);
  CHECK(live->status == 200);
}

// The value of the sample `series` (name with labels) in a text exposition; REQUIREs it.
double MetricValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_CASE("metrics: the leader's cycles, shares and executors' last calls", "[rest][metrics]") {
  RestServer rest;
  rest.fixture().scheduler().SetCycleObserver(
      [&](const server::CycleStats& stats) { rest.metrics().RecordCycle(stats); });
  rest.metrics().SetLeader(true);

  // One job leased to exec-1: one successful cycle with one lease, queue q has a share.
  rest.fixture().CreateQueue("q");
  testing::StartOneJob(rest.fixture());
  std::string text = rest.http().Get("/metrics")->body;
  CHECK_THAT(text, Catch::Contains("armada_server_is_leader 1"));
  CHECK_THAT(text, Catch::Contains("armada_scheduler_schedule_outcome{outcome=\"success\"}"));
  CHECK_THAT(text, Catch::Contains("armada_server_scheduler_leased_jobs_total 1"));
  CHECK_THAT(text, Catch::Contains("armada_scheduler_schedule_cycle_times_count "));
  CHECK_THAT(
      text, Catch::Contains("armada_server_scheduler_cycle_phase_seconds_count{phase=\"write\"} "));
  CHECK_THAT(text, Catch::Contains("armada_scheduler_fair_share{pool=\"default\",queue=\"q\"} 1"));
  CHECK_THAT(text, Catch::Contains("armada_scheduler_actual_share{pool=\"default\",queue=\"q\"}"));
  // The lease's wait since submission, by queue and pool.
  CHECK_THAT(text, Catch::Contains("armada_server_scheduler_submit_to_lease_seconds_count{pool="
                                   "\"default\",queue=\"q\"} 1"));
  const double running_demand =
      MetricValue(text, "armada_scheduler_demand{pool=\"default\",queue=\"q\"}");
  CHECK(running_demand > 0);
  CHECK(running_demand < 1);

  // A job too big for any node: the next cycle leaves it queued for want of a fit. Its demand
  // counts in full; the constrained demand (what fair share divides) stops at the pool.
  testing::SubmitJobs(rest.fixture(), 1, "100");
  REQUIRE(*rest.fixture().scheduler().RunCycle() == 0);
  text = rest.http().Get("/metrics")->body;
  CHECK_THAT(text,
             Catch::Contains("armada_server_scheduler_unschedulable_jobs{reason=\"no_fit\"} 1"));
  CHECK_THAT(
      text, Catch::Contains("armada_server_scheduler_unschedulable_jobs{reason=\"rate_limit\"} 0"));
  CHECK(MetricValue(text, "armada_scheduler_demand{pool=\"default\",queue=\"q\"}") > 1);
  CHECK(MetricValue(text, "armada_scheduler_constrained_demand{pool=\"default\",queue=\"q\"}") ==
        1);
  CHECK_THAT(text, Catch::Contains("armada_server_scheduler_submit_to_lease_seconds_count{pool="
                                   "\"default\",queue=\"q\"} 1"));

  // Refreshed: exec-1's last call, as the Unix time of the server's (simulated) clock.
  server::MetricsRefresher refresher(rest.fixture().db(), RedisUrl(), rest.metrics());
  REQUIRE(refresher.RefreshOnce().ok());
  text = rest.http().Get("/metrics")->body;
  const std::string seen =
      "armada_server_executor_last_seen_timestamp_seconds{executor=\"exec-1\"} ";
  REQUIRE(text.find(seen) != std::string::npos);
  const double last_seen = std::stod(text.substr(text.find(seen) + seen.size()));
  CHECK(std::abs(last_seen - absl::ToUnixSeconds(rest.fixture().clock().Now())) < 2);

  // A replica that lost the lead drops the shares: only the leader's are current.
  rest.metrics().SetLeader(false);
  text = rest.http().Get("/metrics")->body;
  CHECK_THAT(text, Catch::Contains("armada_server_is_leader 0"));
  CHECK_THAT(text, !Catch::Contains("armada_scheduler_fair_share{"));
}

TEST_CASE("metrics: retention's progress", "[rest][metrics]") {
  RestServer rest;
  rest.fixture().CreateQueue("q");
  const std::vector<std::string> ids = testing::SubmitJobs(rest.fixture(), 3, "1");
  for (const std::string& id : ids) {
    REQUIRE(rest.fixture()
                .db()
                .Run([&](pqxx::work& tx) {
                  store::SetJobState(tx, id, model::JobState::kCancelled, "");
                  return absl::OkStatus();
                })
                .ok());
  }
  REQUIRE(rest.fixture().relay().PublishPending().ok());
  rest.fixture().clock().Advance(absl::Hours(100 * 24));  // far past the retention
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  events::HistoryPruner pruner(rest.fixture().db(), std::move(*redis), rest.fixture().clock(),
                               {.batch = 2});
  pruner.SetObserver({.on_batch = [&](const events::HistoryPruner::Result& deleted) {
    rest.metrics().storage().RecordRetentionBatch(deleted.jobs_deleted, deleted.events_deleted,
                                                  deleted.executors_deleted);
  }});
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  REQUIRE(result->jobs_deleted == 3);
  rest.metrics().storage().RecordRetentionRound(0.25, true, 1800000000);
  const std::string text = rest.http().Get("/metrics")->body;
  CHECK_THAT(text, Catch::Contains("armada_server_retention_jobs_deleted_total 3"));
  CHECK_THAT(text, Catch::Contains("armada_server_retention_events_deleted_total " +
                                   std::to_string(result->events_deleted)));
  CHECK_THAT(text, Catch::Contains("armada_server_retention_rounds_total{outcome=\"ok\"} 1"));
  CHECK_THAT(text, Catch::Contains("armada_server_retention_round_seconds_count 1"));
  CHECK_THAT(text,
             Catch::Contains("armada_server_retention_last_success_timestamp_seconds 1800000000"));
}

TEST_CASE("REST: errors carry grpc-gateway's HTTP status and body", "[rest]") {
  RestServer rest;

  auto missing = rest.http().Get("/v1/queue/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  json body = json::parse(missing->body);
  CHECK(body["code"] == 5);
  CHECK_THAT(body["message"].get<std::string>(), Catch::Contains("nope"));
  CHECK(body["error"] == body["message"]);

  auto bad_field = rest.Post("/v1/queue", {{"name", "q"}, {"priorityFactor", "high"}});
  REQUIRE(bad_field);
  CHECK(bad_field->status == 400);
  CHECK(json::parse(bad_field->body)["code"] == 3);

  auto not_json = rest.http().Post("/v1/queue", "{", "application/json");
  REQUIRE(not_json);
  CHECK(not_json->status == 400);

  auto no_job_set = rest.Post("/v1/job-set/nope/nothing", {{"errorIfMissing", true}});
  REQUIRE(no_job_set);
  CHECK(no_job_set->status == 404);
  CHECK(json::parse(no_job_set->body)["code"] == 5);

  rest.fixture().CreateQueue("q");
  auto duplicate = rest.Post("/v1/queue", {{"name", "q"}, {"priorityFactor", 1}});
  REQUIRE(duplicate);
  CHECK(duplicate->status == 409);

  auto no_route = rest.http().Get("/v1/nothing");
  REQUIRE(no_route);
  CHECK(no_route->status == 404);

  auto health = rest.http().Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("REST JSON: Kubernetes quantities and enum names both ways", "[rest]") {
  api::JobSubmitRequest request;
  REQUIRE(server::MergeRestJson(
              R"({"queue": "q", "jobRequestItems": [{"podSpecs": [{"containers": [{"name": "c",
                  "resources": {"requests": {"cpu": 2, "memory": "1Gi"}},
                  "ports": [{"containerPort": 80}]}]}],
                  "services": [{"type": "Headless", "ports": [8080]}]}]})",
              request)
              .ok());
  const auto& container = request.job_request_items(0).pod_specs(0).containers(0);
  CHECK(container.resources().requests().at("cpu").string() == "2");
  CHECK(container.resources().requests().at("memory").string() == "1Gi");
  CHECK(request.job_request_items(0).services(0).type() == api::Headless);

  auto printed = server::PrintRestJson(request);
  REQUIRE(printed.ok());
  json back = json::parse(*printed);
  CHECK(back["jobRequestItems"][0]["podSpecs"][0]["containers"][0]["resources"]["requests"] ==
        json({{"cpu", "2"}, {"memory", "1Gi"}}));

  api::EventMessage message;
  message.mutable_cancelled()->set_job_id("j1");
  auto event = server::PrintRestJson(message);
  REQUIRE(event.ok());
  CHECK(json::parse(*event) == json({{"cancelled", {{"jobId", "j1"}}}}));
}

}  // namespace
}  // namespace armada::testing

namespace armada::testing {
namespace {

TEST_CASE("REST: a malformed body is INVALID_ARGUMENT naming the position or the field", "[rest]") {
  RestServer rest;
  rest.fixture().CreateQueue("q");

  auto not_json = rest.http().Post("/v1/job/submit", R"({"queue": "q", )", "application/json");
  REQUIRE(not_json);
  CHECK(not_json->status == 400);
  json body = json::parse(not_json->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(),
             Catch::StartsWith("request body is not valid JSON: parse error at line 1, column"));

  auto not_utf8 = rest.http().Post("/v1/queue", "{\"name\": \"q\xff\"}", "application/json");
  REQUIRE(not_utf8);
  CHECK(not_utf8->status == 400);
  body = json::parse(not_utf8->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(), Catch::Contains("not valid JSON"));

  auto overflow = rest.http().Post("/v1/queue", R"({"name": "q", "priorityFactor": 1e400})",
                                   "application/json");
  REQUIRE(overflow);
  CHECK(overflow->status == 400);
  body = json::parse(overflow->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(), Catch::Contains("1e400"));

  auto array = rest.http().Post("/v1/queue", "[1, 2]", "application/json");
  REQUIRE(array);
  CHECK(array->status == 400);
  CHECK_THAT(json::parse(array->body)["message"].get<std::string>(),
             Catch::Contains("not a JSON object but a JSON array"));

  auto wrong_type = rest.Post("/v1/job/submit", {{"queue", "q"}, {"jobSetId", 7}});
  REQUIRE(wrong_type);
  CHECK(wrong_type->status == 400);
  body = json::parse(wrong_type->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(),
             Catch::Contains("api.JobSubmitRequest") && Catch::Contains("job_set_id"));

  // Submit's own validation comes through with its path.
  json item = Job("1Gi");
  item["labels"] = {{"app", std::string(64, 'x')}};
  auto long_label =
      rest.Post("/v1/job/submit", {{"queue", "q"}, {"jobSetId", "s"}, {"jobRequestItems", {item}}});
  REQUIRE(long_label);
  CHECK(long_label->status == 400);
  body = json::parse(long_label->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(),
             Catch::StartsWith("job_request_items[0].labels[app]:"));

  // Percent-decoded path segments are checked for UTF-8 before the call.
  auto bad_path = rest.http().Get("/v1/queue/%FF%FE");
  REQUIRE(bad_path);
  CHECK(bad_path->status == 400);
  body = json::parse(bad_path->body);
  CHECK(body["code"] == 3);
  CHECK_THAT(body["message"].get<std::string>(),
             Catch::StartsWith("name: \"\\xff\\xfe\" is not valid UTF-8"));

  auto health = rest.http().Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("REST: every gRPC code maps to grpc-gateway's HTTP status", "[rest]") {
  using grpc::StatusCode;
  const std::vector<std::pair<StatusCode, int>> expected = {
      {StatusCode::OK, 200},
      {StatusCode::CANCELLED, 408},
      {StatusCode::UNKNOWN, 500},
      {StatusCode::INVALID_ARGUMENT, 400},
      {StatusCode::DEADLINE_EXCEEDED, 504},
      {StatusCode::NOT_FOUND, 404},
      {StatusCode::ALREADY_EXISTS, 409},
      {StatusCode::PERMISSION_DENIED, 403},
      {StatusCode::RESOURCE_EXHAUSTED, 429},
      {StatusCode::FAILED_PRECONDITION, 400},
      {StatusCode::ABORTED, 409},
      {StatusCode::OUT_OF_RANGE, 400},
      {StatusCode::UNIMPLEMENTED, 501},
      {StatusCode::INTERNAL, 500},
      {StatusCode::UNAVAILABLE, 503},
      {StatusCode::DATA_LOSS, 500},
      {StatusCode::UNAUTHENTICATED, 401},
  };
  for (const auto& [code, http] : expected) {
    INFO("gRPC code " << static_cast<int>(code));
    CHECK(server::HttpStatusFromGrpc(code) == http);
  }
}

TEST_CASE("REST: errors httplib answers itself carry the JSON error body", "[rest]") {
  RestServer rest;
  auto no_route = rest.http().Get("/v1/nothing");
  REQUIRE(no_route);
  CHECK(no_route->status == 404);
  CHECK(json::parse(no_route->body)["code"] == 5);
}

// The REST routes go through the same checks as gRPC: the gateway forwards
// the Authorization header and nothing else about the caller.
TEST_CASE("REST: with auth configured every route refuses a caller without credentials", "[rest]") {
  setenv("DATABASE_URL", DatabaseUrl().c_str(), /*overwrite=*/0);
  setenv("REDIS_URL", RedisUrl().c_str(), /*overwrite=*/0);
  auto config =
      server::LoadServerConfig(std::string(ARMADA_SOURCE_DIR) + "/examples/auth/server.yaml");
  REQUIRE(config.ok());
  common::RealClock clock;
  auto chain = auth::MakeAuthenticatorChain(config->auth, clock);
  REQUIRE(chain.ok());
  RestServer server(*config, [&](const std::string& authorization) {
    return (*chain)->Authenticate({authorization, ""}).status();
  });
  const httplib::Headers admin = {{"Authorization", "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ="}};
  const httplib::Headers bob = {{"Authorization", "Basic Ym9iOmJvYi1wYXNzd29yZA=="}};

  for (const server::RestRoute& route : server::ArmadaRestRoutes()) {
    // Path fields become "x"; the body is an empty object.
    std::string path;
    bool in_field = false;
    for (char c : route.path) {
      if (c == '{') path += 'x';
      if (c == '{' || c == '}') {
        in_field = c == '{';
      } else if (!in_field) {
        path += c;
      }
    }
    INFO(route.verb << " " << path);
    auto send = [&]() {
      if (route.verb == "GET") return server.http().Get(path.c_str());
      if (route.verb == "PUT") return server.http().Put(path.c_str(), "{}", "application/json");
      if (route.verb == "DELETE") return server.http().Delete(path.c_str());
      return server.http().Post(path.c_str(), "{}", "application/json");
    };
    httplib::Result result = send();
    REQUIRE(result);
    CHECK(result->status == 401);
    // Streaming routes answer in newline-delimited JSON; the error is the first line.
    CHECK(json::parse(result->body.substr(0, result->body.find('\n')))["code"] == 16);
  }
  // A queue needs create_queue: bob is forbidden (403), admin creates it.
  const json queue = {{"name", "rest-q"}, {"priorityFactor", 1}};
  auto forbidden = server.http().Post("/v1/queue", bob, queue.dump(), "application/json");
  REQUIRE(forbidden);
  CHECK(forbidden->status == 403);
  CHECK(json::parse(forbidden->body)["message"] == "user bob lacks permission create_queue");
  auto created = server.http().Post("/v1/queue", admin, queue.dump(), "application/json");
  REQUIRE(created);
  CHECK(created->status == 200);

  // /health stays open; /metrics is protected.
  CHECK(server.http().Get("/health")->status == 200);
  auto metrics = server.http().Get("/metrics");
  CHECK(metrics->status == 401);
  CHECK(metrics->get_header_value("WWW-Authenticate") == "Basic realm=\"armada\"");
  CHECK(server.http().Get("/metrics", bob)->status == 200);
}

}  // namespace
}  // namespace armada::testing
