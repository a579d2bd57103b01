// A seeded fuzz pass over the server's inputs (issue 12): mutated submit
// requests (structured mutations and raw byte flips), REST bodies and paths,
// and executor ReportEvents / LeaseJobRuns requests with garbage. Every answer
// must be one of the codes below, and the server must still answer its health
// check and take a valid job at the end.
//
// Accepted codes, and why:
//   OK                the input happened to be valid (or harmless: a report
//                     about a run that does not exist is skipped);
//   INVALID_ARGUMENT  the input is wrong, and the message says where;
//   NOT_FOUND         the input names a queue / job / job set that does not
//                     exist;
//   ALREADY_EXISTS    only for CreateQueue of an existing queue;
//   INTERNAL          only for raw bytes that do not parse as the request
//                     message at all: gRPC answers those itself, before any
//                     handler runs (the test checks locally that they do not
//                     parse);
//   RESOURCE_EXHAUSTED only for a message over gRPC's 4 MiB limit.
//
// The executor API cases are their own test case (see there).
//
// ARMADA_FUZZ_SEED=<n> reproduces a run (the seed is printed when a case
// fails), ARMADA_FUZZ_CASES=<n> sets the number of cases per kind (default
// 600, about 2,400 in all), ARMADA_FUZZ_LONG=1 runs 25,000 per kind.

#include <httplib.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "server/http/forwarded_call.h"
#include "server/http/http_gateway.h"
#include "server/http/rest_json.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

using grpc::StatusCode;

// One seed for the whole run (Catch runs the test case once per section).
uint64_t Seed() {
  static const uint64_t seed = [] {
    if (const char* text = std::getenv("ARMADA_FUZZ_SEED")) return std::strtoull(text, nullptr, 10);
    return static_cast<unsigned long long>(std::random_device{}());
  }();
  return seed;
}

int CasesPerKind() {
  if (const char* text = std::getenv("ARMADA_FUZZ_CASES")) return std::atoi(text);
  if (const char* text = std::getenv("ARMADA_FUZZ_LONG"); text && std::string(text) == "1") {
    return 25000;
  }
  return 600;
}

class Fuzzer {
 public:
  explicit Fuzzer(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  bool OneIn(size_t n) { return Below(n) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& options) {
    return options[Below(options.size())];
  }

  // Bytes that are not UTF-8, NULs, control characters, or a long string.
  std::string HostileString() {
    switch (Below(8)) {
      case 0:
        return "bad\xff\xfe";
      case 1:
        return std::string("nul\0inside", 10);
      case 2:
        return "\xed\xa0\x80surrogate";
      case 3:
        return "\xc0\xaf overlong";
      case 4:
        return std::string(Pick<size_t>({64, 300, 70000}), 'x');
      case 5:
        return "\x01\x02\x1b[31m";
      case 6:
        return "trunc\xe2\x82";
      default: {
        std::string s(Below(40), ' ');
        for (char& c : s) c = static_cast<char>(Below(256));
        return s;
      }
    }
  }

  std::string HostileQuantity() {
    return Pick<std::string>({"1e400", "-1", "9223372036854775808", "9223372036854775807",
                              "-9223372036854775808", "1e-400", "NaN", "Inf", "", "1Ei", "999999Ei",
                              "0.0000000001", "1..2", "1k1", "\xff", std::string(1000, '9')});
  }

  // Flips, inserts, deletes or truncates bytes.
  std::string MutateBytes(std::string bytes) {
    const size_t edits = 1 + Below(8);
    for (size_t i = 0; i < edits && !bytes.empty(); ++i) {
      const size_t at = Below(bytes.size());
      switch (Below(4)) {
        case 0:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << Below(8)));
          break;
        case 1:
          bytes.insert(bytes.begin() + at, static_cast<char>(Below(256)));
          break;
        case 2:
          bytes.erase(at, 1 + Below(4));
          break;
        default:
          bytes.resize(at);
          break;
      }
    }
    return bytes;
  }

 private:
  std::mt19937_64 rng_;
};

api::JobSubmitRequest ValidRequest(const std::string& queue) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id("fuzz");
  *request.add_job_request_items() = JobItem({"true"});
  return request;
}

// One structured mutation of a valid request: hostile strings in proto2
// (Kubernetes) fields, where protobuf does not check them; only valid UTF-8
// in proto3 fields, which the client could not send otherwise.
void MutateRequest(Fuzzer& f, api::JobSubmitRequest& request) {
  auto& item = *request.mutable_job_request_items(0);
  auto& pod = *item.mutable_pod_specs(0);
  auto& container = *pod.mutable_containers(0);
  switch (f.Below(18)) {
    case 0:
      container.set_workingdir(f.HostileString());
      break;
    case 1:
      container.add_args(f.HostileString());
      break;
    case 2:
      container.set_name(f.HostileString());
      break;
    case 3:
      (*container.mutable_resources()->mutable_requests())["cpu"].set_string(f.HostileQuantity());
      break;
    case 4:
      (*container.mutable_resources()->mutable_limits())["memory"].set_string(f.HostileQuantity());
      break;
    case 5:
      (*pod.mutable_nodeselector())[f.HostileString()] = f.HostileString();
      break;
    case 6: {
      auto* env = container.add_env();
      env->set_name(f.HostileString());
      env->set_value(f.HostileString());
      break;
    }
    case 7:
      item.set_priority(f.Pick<double>(
          {-1, std::nan(""), std::numeric_limits<double>::infinity(), 1e300, 4294967296.0}));
      break;
    case 8:
      for (int i = 0, n = static_cast<int>(f.Pick<size_t>({100, 5000})); i < n; ++i) {
        (*item.mutable_labels())[absl::StrCat("label-", i)] = std::string(f.Below(70), 'v');
      }
      break;
    case 9:
      (*item.mutable_annotations())["a"] = std::string(f.Pick<size_t>({1000, 300000}), 'a');
      break;
    case 10:
      item.set_namespace_(std::string("ns\0", 3) + std::string(f.Below(300), 'n'));
      break;
    case 11:
      request.set_job_set_id(
          f.Pick<std::string>({"", std::string(2000, 's'), std::string("a\0b", 3), "line\nbreak"}));
      break;
    case 12:
      request.set_queue(
          f.Pick<std::string>({"", "no-such-queue", "bad name", std::string(100, 'q')}));
      break;
    case 13:
      pod.set_terminationgraceperiodseconds(f.Pick<int64_t>(
          {-1, 0, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}));
      break;
    case 14:
      for (int i = 0, n = static_cast<int>(f.Pick<size_t>({2, 200})); i < n; ++i) {
        *pod.add_containers() = container;
      }
      break;
    case 15:
      for (int i = 0, n = static_cast<int>(f.Pick<size_t>({2, 300})); i < n; ++i) {
        *request.add_job_request_items() = item;
      }
      break;
    case 16:
      pod.add_tolerations()->set_key(f.HostileString());
      break;
    default:
      (*item.mutable_labels())[f.HostileString()] = f.HostileString();
      break;
  }
}

bool SizeOver4MiB(const std::string& bytes) { return bytes.size() > (4u << 20); }

// The outcome of one raw call: its status code.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes) {
  server::ForwardedCall call(channel, method, bytes, {});
  while (call.Read(absl::Seconds(30)).outcome == server::ForwardedCall::Outcome::kMessage) {
  }
  return call.status();
}

template <typename Message>
std::string Describe(const std::string& bytes) {
  Message message;
  message.ParseFromString(bytes);
  return message.ShortDebugString().substr(0, 400);
}

template <typename Message>
bool Parses(const std::string& bytes) {
  Message message;
  return message.ParseFromString(bytes);
}

// Checks one answer against the accepted codes (see the top of the file).
bool CheckCode(const grpc::Status& status, const std::string& what, bool may_be_unparsable,
               bool may_be_too_big) {
  const StatusCode code = status.error_code();
  INFO(what << " -> gRPC code " << static_cast<int>(code) << ": " << status.error_message());
  const bool ok = code == StatusCode::OK || code == StatusCode::INVALID_ARGUMENT ||
                  code == StatusCode::NOT_FOUND ||
                  (may_be_unparsable && code == StatusCode::INTERNAL) ||
                  (may_be_too_big && code == StatusCode::RESOURCE_EXHAUSTED);
  CHECK(ok);
  return ok;
}

TEST_CASE("fuzz: hostile submit, REST and executor input gets OK or a clear error", "[fuzz]") {
  const uint64_t seed = Seed();
  const int cases = CasesPerKind();
  std::printf("fuzz: seed %llu, %d cases per kind (ARMADA_FUZZ_SEED=%llu reproduces)\n",
              static_cast<unsigned long long>(seed), cases, static_cast<unsigned long long>(seed));
  CAPTURE(seed);
  Fuzzer f(seed);

  ServerFixture server;
  server.CreateQueue("fuzz");
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  server::HttpGateway::Options options;
  auto gateway = server::HttpGateway::Create(
      server.server().InProcessChannel(grpc::ChannelArguments()), options);
  REQUIRE(gateway.ok());
  auto port = (*gateway)->Start("127.0.0.1:0");
  REQUIRE(port.ok());
  httplib::Client http("127.0.0.1", *port);
  http.set_read_timeout(30, 0);

  SECTION("structured submit mutations") {
    for (int i = 0; i < cases; ++i) {
      api::JobSubmitRequest request = ValidRequest("fuzz");
      MutateRequest(f, request);
      if (f.OneIn(3)) MutateRequest(f, request);
      const std::string bytes = request.SerializeAsString();
      // Hostile strings in proto3 fields (the item's labels, say) make the
      // request unparsable: that is gRPC's INTERNAL before any handler.
      const bool parses = Parses<api::JobSubmitRequest>(bytes);
      const grpc::Status status = RawCall(channel, "/api.Submit/SubmitJobs", bytes);
      if (!CheckCode(status,
                     absl::StrCat("case ", i, ": ", request.ShortDebugString().substr(0, 300)),
                     !parses, SizeOver4MiB(bytes))) {
        break;
      }
    }
  }

  SECTION("raw byte flips of submit and queue requests") {
    const std::string valid = ValidRequest("fuzz").SerializeAsString();
    api::Queue queue;
    queue.set_name("fuzzq");
    queue.set_priority_factor(1);
    const std::string queue_bytes = queue.SerializeAsString();
    for (int i = 0; i < cases; ++i) {
      const bool submit = !f.OneIn(4);
      const std::string bytes = f.MutateBytes(submit ? valid : queue_bytes);
      const bool parses = submit ? Parses<api::JobSubmitRequest>(bytes) : Parses<api::Queue>(bytes);
      const grpc::Status status =
          RawCall(channel, submit ? "/api.Submit/SubmitJobs" : "/api.Submit/CreateQueue", bytes);
      const StatusCode code = status.error_code();
      if (!submit && code == StatusCode::ALREADY_EXISTS) continue;
      if (!CheckCode(status, absl::StrCat("case ", i, " bytes ", bytes.size()), !parses, false)) {
        break;
      }
      if (code == StatusCode::INTERNAL) CHECK_FALSE(parses);
    }
  }

  SECTION("REST bodies and paths") {
    const std::string body = R"({"queue":"fuzz","jobSetId":"rest","jobRequestItems":[{"priority":1,
      "podSpecs":[{"containers":[{"name":"main","image":"busybox","command":["true"],
      "resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}]}]}]})";
    for (int i = 0; i < cases; ++i) {
      std::optional<httplib::Result> result;
      std::string what;
      switch (f.Below(5)) {
        case 0:
        case 1: {
          std::string mutated = f.MutateBytes(body);
          what = "submit body " + mutated.substr(0, 200);
          result.emplace(http.Post("/v1/job/submit", mutated, "application/json"));
          break;
        }
        case 2: {
          std::string deep = std::string(f.Pick<size_t>({100, 10000, 100000}), '[');
          what = "deep nesting";
          result.emplace(
              http.Post(f.OneIn(2) ? "/v1/job/submit" : "/v1/queue", deep, "application/json"));
          break;
        }
        case 3: {
          const std::string value =
              f.Pick<std::string>({"1e400", "-1", "9223372036854775808", "\"\\ud800\"", "\"\xff\"",
                                   "null", "[]", "{}", "\"x\"", "true", "1.5"});
          std::string mutated =
              R"({"queue":"fuzz","jobSetId":"rest","jobRequestItems":[{"priority":)" + value +
              R"(,"podSpecs":[{"containers":[{"name":"m","resources":{"requests":{"cpu":)" + value +
              R"(}}}]}]}]})";
          what = "values " + mutated;
          result.emplace(http.Post("/v1/job/submit", mutated, "application/json"));
          break;
        }
        default: {
          const std::string path = f.Pick<std::string>(
              {"/v1/queue/%FF%FE", "/v1/queue/a%00b", "/v1/queue/" + std::string(5000, 'q'),
               "/v1/job/%C0%AF/scheduler-report", "/v1/queue/%ED%A0%80/scheduler-report"});
          what = "GET " + path;
          result.emplace(http.Get(path.c_str()));
          break;
        }
      }
      INFO("case " << i << ": " << what);
      const std::string answer_text =
          *result ? absl::StrCat("answer ", (*result)->status, ": ", (*result)->body.substr(0, 300))
                  : "no answer";
      INFO(answer_text);
      REQUIRE(*result);  // an answer, not a dropped connection
      const httplib::Response& answer = **result;
      CHECK((answer.status == 200 || answer.status == 400 || answer.status == 404 ||
             answer.status == 414));
      if (answer.status != 200) {
        auto error = nlohmann::json::parse(answer.body, nullptr, false);
        REQUIRE_FALSE(error.is_discarded());
        CHECK((error["code"] == 3 || error["code"] == 5));
      }
    }
  }

  // Still alive and well.
  auto health = http.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  CHECK(server.submit().SubmitJobs(&context, ValidRequest("fuzz"), &response).ok());
}

TEST_CASE("fuzz: garbage executor reports and lease requests get OK or a clear error", "[fuzz]") {
  const uint64_t seed = Seed() + 1;
  const int cases = CasesPerKind();
  std::printf("fuzz (executor API): seed %llu\n", static_cast<unsigned long long>(seed - 1));
  CAPTURE(seed - 1);
  Fuzzer f(seed);
  ServerFixture server;
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  {
    for (int i = 0; i < cases; ++i) {
      const bool report = f.OneIn(2);
      std::string bytes;
      if (report) {
        executorapi::EventList list;
        list.set_executor_id(f.OneIn(3) ? "" : "fuzz-exec");
        for (int e = 0, n = static_cast<int>(1 + f.Below(5)); e < n; ++e) {
          auto* event = list.add_events();
          event->set_run_id(f.OneIn(2) ? "" : absl::StrCat("run-", f.Below(1000)));
          event->set_job_id(f.OneIn(2) ? std::string(f.Below(3000), 'j') : "01abc");
          switch (f.Below(5)) {
            case 0:
              event->mutable_pending()->set_node_name(std::string(f.Below(500), 'n'));
              break;
            case 1:
              event->mutable_running();
              break;
            case 2:
              event->mutable_failed()->set_reason(std::string(f.Below(100000), 'r'));
              break;
            case 3:
              event->mutable_lease_returned()->set_run_attempted(true);
              break;
            default:
              break;  // no event set at all
          }
        }
        bytes = list.SerializeAsString();
      } else {
        executorapi::LeaseRequest request;
        request.set_executor_id(f.OneIn(3) ? "" : "fuzz-exec");
        request.set_pool(f.OneIn(2) ? "default" : std::string(f.Below(200), 'p'));
        for (int n = 0, count = static_cast<int>(f.Below(4)); n < count; ++n) {
          auto* node = request.add_nodes();
          node->set_name(f.OneIn(4) ? "" : absl::StrCat("node-", n));
          (*node->mutable_allocatable_resources())["cpu"].set_string(f.HostileQuantity());
          (*node->mutable_allocatable_resources())["memory"].set_string(f.HostileQuantity());
          if (f.OneIn(3)) (*node->mutable_run_ids_by_state())["no-such-run"] = api::RUNNING;
        }
        request.set_max_jobs_to_lease(static_cast<uint32_t>(f.Below(1u << 31)));
        if (f.OneIn(2)) request.add_unassigned_job_run_ids(std::string(f.Below(100), 'u'));
        bytes = request.SerializeAsString();
      }
      bool parses = true;
      if (f.OneIn(3)) {
        bytes = f.MutateBytes(bytes);
        parses = report ? Parses<executorapi::EventList>(bytes)
                        : Parses<executorapi::LeaseRequest>(bytes);
      }
      const grpc::Status status = RawCall(channel,
                                          report ? "/executorapi.ExecutorApi/ReportEvents"
                                                 : "/executorapi.ExecutorApi/LeaseJobRuns",
                                          bytes);
      if (!CheckCode(status,
                     absl::StrCat("case ", i, report ? " report " : " lease ",
                                  parses ? (report ? Describe<executorapi::EventList>(bytes)
                                                   : Describe<executorapi::LeaseRequest>(bytes))
                                         : "(unparsable)"),
                     !parses, false)) {
        break;
      }
    }
  }

  grpc::ClientContext context;
  google::protobuf::Empty empty;
  executorapi::EventList list;
  list.set_executor_id("alive");
  CHECK(server.executor_api().ReportEvents(&context, list, &empty).ok());
}

}  // namespace
}  // namespace armada::testing
