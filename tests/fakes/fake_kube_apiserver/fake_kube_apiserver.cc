// The only translation unit that includes httplib.h.
#include "tests/fakes/fake_kube_apiserver/fake_kube_apiserver.h"

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace armada::fakes {
namespace {

using nlohmann::json;

std::string Param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : "";
}

void Send(httplib::Response& res, const FakeResponse& r) {
  res.status = r.code;
  if (r.retry_after_seconds >= 0) {
    res.set_header("Retry-After", std::to_string(r.retry_after_seconds));
  }
  res.set_content(r.body.dump(), "application/json");
}

void BadRequest(httplib::Response& res, const std::string& message) {
  Send(res, {400, StatusBody(400, "BadRequest", message)});
}

// State of one open watch stream.
struct WatchState {
  std::string resource, ns;
  Selector selector;
  int64_t cursor = 0;
  int64_t epoch = 0;
  std::vector<json> pending;  // events to write first
  absl::Time deadline;
};

}  // namespace

struct FakeKubeApiServer::Impl {
  Options options;
  FakeKubeStore store;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  void Routes();
  void ListOrWatch(const httplib::Request& req, httplib::Response& res, const std::string& resource,
                   const std::string& ns);
  void Watch(const httplib::Request& req, httplib::Response& res, const std::string& resource,
             const std::string& ns);
  void Admin();
};

void FakeKubeApiServer::Impl::Watch(const httplib::Request& req, httplib::Response& res,
                                    const std::string& resource, const std::string& ns) {
  auto state = std::make_shared<WatchState>();
  state->resource = resource;
  state->ns = ns;
  state->selector = {Param(req, "labelSelector"), Param(req, "fieldSelector")};
  int64_t timeout_seconds = 1800;
  if (req.has_param("timeoutSeconds")) {
    absl::SimpleAtoi(Param(req, "timeoutSeconds"), &timeout_seconds);
  }
  state->deadline = absl::Now() + absl::Seconds(timeout_seconds);
  FakeResponse start =
      store.StartWatch(resource, ns, state->selector, Param(req, "resourceVersion"), state->cursor,
                       state->epoch, state->pending);
  bool done = false;
  if (start.code != 200) {  // sent in the stream as an ERROR event, as the API server does
    state->pending.push_back({{"type", "ERROR"}, {"object", start.body}});
    done = true;
  }
  res.status = 200;
  res.set_chunked_content_provider("application/json", [this, state, done](
                                                           size_t, httplib::DataSink& sink) {
    std::string out;
    for (const json& e : state->pending) out += e.dump() + "\n";
    state->pending.clear();
    if (!out.empty() && !sink.write(out.data(), out.size())) return false;
    if (done || absl::Now() >= state->deadline) {
      sink.done();
      return true;
    }
    bool closed = false;
    state->pending = store.NextEvents(state->resource, state->ns, state->selector, state->cursor,
                                      state->epoch, absl::Milliseconds(200), closed);
    if (closed) {
      sink.done();
      return true;
    }
    return sink.is_writable();
  });
}

void FakeKubeApiServer::Impl::ListOrWatch(const httplib::Request& req, httplib::Response& res,
                                          const std::string& resource, const std::string& ns) {
  const std::string watch = Param(req, "watch");
  if (watch == "1" || watch == "true") {
    Watch(req, res, resource, ns);
  } else {
    Send(res, store.List(resource, ns, {Param(req, "labelSelector"), Param(req, "fieldSelector")}));
  }
}

void FakeKubeApiServer::Impl::Routes() {
  httplib::Server& s = *server;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/admin/", 0) == 0) return httplib::Server::HandlerResponse::Unhandled;
    if (options.rbac_rules) {
      const std::string watch = Param(req, "watch");
      std::optional<RequestAttributes> request =
          AttributesOf(req.method, req.path, watch == "1" || watch == "true");
      if (request && !RbacAllows(*options.rbac_rules, *request)) {
        const std::string message = ForbiddenMessage(*request, options.rbac_user);
        std::fprintf(stderr, "forbidden: %s %s: %s\n", req.method.c_str(), req.target.c_str(),
                     message.c_str());
        Send(res, {403, StatusBody(403, "Forbidden", message)});
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    std::optional<FakeResponse> fault = store.BeforeRequest(req.method, req.target, req.body);
    if (!fault) return httplib::Server::HandlerResponse::Unhandled;
    Send(res, *fault);
    return httplib::Server::HandlerResponse::Handled;
  });
  auto create = [this](const std::string& resource, const std::string& ns,
                       const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return BadRequest(res, "body is not JSON");
    Send(res, store.Create(resource, ns, std::move(body)));
  };
  auto patch = [this](const std::string& resource, const std::string& ns, const std::string& name,
                      const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return BadRequest(res, "body is not JSON");
    Send(res, store.Patch(resource, ns, name, req.get_header_value("Content-Type"), body));
  };
  auto remove = [this](const std::string& resource, const std::string& ns, const std::string& name,
                       const httplib::Request& req, httplib::Response& res) {
    std::optional<int64_t> grace;
    int64_t value = 0;
    if (absl::SimpleAtoi(Param(req, "gracePeriodSeconds"), &value)) grace = value;
    json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (!grace && body.is_object() && body.contains("gracePeriodSeconds")) {
      grace = body["gracePeriodSeconds"].get<int64_t>();
    }
    Send(res, store.Delete(resource, ns, name, grace));
  };

  s.Get("/api/v1/nodes",
        [this](const auto& req, auto& res) { ListOrWatch(req, res, "nodes", ""); });
  s.Post("/api/v1/nodes", [create](const auto& req, auto& res) { create("nodes", "", req, res); });
  s.Get(R"(/api/v1/nodes/([^/]+))",
        [this](const auto& req, auto& res) { Send(res, store.Get("nodes", "", req.matches[1])); });
  s.Patch(R"(/api/v1/nodes/([^/]+))",
          [patch](const auto& req, auto& res) { patch("nodes", "", req.matches[1], req, res); });
  s.Delete(R"(/api/v1/nodes/([^/]+))",
           [remove](const auto& req, auto& res) { remove("nodes", "", req.matches[1], req, res); });
  s.Get("/api/v1/pods", [this](const auto& req, auto& res) { ListOrWatch(req, res, "pods", ""); });
  s.Get(R"(/api/v1/namespaces/([^/]+)/pods)",
        [this](const auto& req, auto& res) { ListOrWatch(req, res, "pods", req.matches[1]); });
  s.Post(R"(/api/v1/namespaces/([^/]+)/pods)",
         [create](const auto& req, auto& res) { create("pods", req.matches[1], req, res); });
  s.Get(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+))", [this](const auto& req, auto& res) {
    Send(res, store.Get("pods", req.matches[1], req.matches[2]));
  });
  s.Get(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+)/log)", [this](const auto& req, auto& res) {
    absl::Time since = absl::InfinitePast();
    std::string error;
    const std::string since_param = Param(req, "sinceTime");
    if (!since_param.empty() && !absl::ParseTime(absl::RFC3339_full, since_param, &since, &error)) {
      return BadRequest(res, "sinceTime: " + error);
    }
    int64_t tail = 0;
    int64_t limit = 0;
    if (!Param(req, "tailLines").empty() && !absl::SimpleAtoi(Param(req, "tailLines"), &tail)) {
      return BadRequest(res, "tailLines: not a number");
    }
    if (!Param(req, "limitBytes").empty() && !absl::SimpleAtoi(Param(req, "limitBytes"), &limit)) {
      return BadRequest(res, "limitBytes: not a number");
    }
    // As the API server validates PodLogOptions.
    if (tail < 0) return BadRequest(res, "tailLines: Invalid value: must be >= 0");
    if (!Param(req, "limitBytes").empty() && limit <= 0) {
      return BadRequest(res, "limitBytes: Invalid value: must be greater than 0");
    }
    const std::string timestamps = Param(req, "timestamps");
    FakeKubeStore::PodLogAnswer answer =
        store.PodLog(req.matches[1], req.matches[2], timestamps == "true" || timestamps == "1",
                     since, tail, limit);
    if (answer.code != 200) return Send(res, {answer.code, answer.status});
    res.status = 200;
    res.set_content(answer.text, "text/plain");
  });
  s.Patch(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+))", [patch](const auto& req, auto& res) {
    patch("pods", req.matches[1], req.matches[2], req, res);
  });
  s.Delete(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+))", [remove](const auto& req, auto& res) {
    remove("pods", req.matches[1], req.matches[2], req, res);
  });
  Admin();
}

void FakeKubeApiServer::Impl::Admin() {
  httplib::Server& s = *server;
  auto ok = [](httplib::Response& res) { res.set_content("{}", "application/json"); };
  s.Post("/admin/nodes", [this, ok](const auto& req, auto& res) {
    json node = json::parse(req.body, nullptr, false);
    if (!node.is_object() || !node.contains("metadata")) return BadRequest(res, "not a Node");
    store.UpsertNode(std::move(node));
    ok(res);
  });
  s.Post(R"(/admin/namespaces/([^/]+)/pods/([^/]+)/status)",
         [this, ok](const auto& req, auto& res) {
           json body = json::parse(req.body, nullptr, false);
           if (!body.is_object() || !body.contains("status")) return BadRequest(res, "no status");
           if (!store.SetPodStatus(req.matches[1], req.matches[2], body["status"],
                                   body.value("nodeName", ""))) {
             return Send(res, {404, StatusBody(404, "NotFound", "no such pod")});
           }
           ok(res);
         });
  s.Post(R"(/admin/namespaces/([^/]+)/pods/([^/]+)/log)", [this, ok](const auto& req, auto& res) {
    std::vector<std::string> lines = absl::StrSplit(req.body, '\n', absl::SkipEmpty());
    if (!store.AppendPodLog(req.matches[1], req.matches[2], lines, absl::Now())) {
      return Send(res, {404, StatusBody(404, "NotFound", "no such pod")});
    }
    ok(res);
  });
  s.Post(R"(/admin/namespaces/([^/]+)/pods/([^/]+)/complete-deletion)",
         [this, ok](const auto& req, auto& res) {
           store.CompleteDeletion(req.matches[1], req.matches[2]);
           ok(res);
         });
  s.Post("/admin/faults", [this, ok](const auto& req, auto& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return BadRequest(res, "not a fault");
    store.InjectFault({body.value("method", ""), body.value("targetContains", ""),
                       body.value("code", 500), body.value("retryAfterSeconds", -1),
                       body.value("times", 1)});
    ok(res);
  });
  s.Post("/admin/defer-deletion", [this, ok](const auto& req, auto& res) {
    store.SetDeferDeletion(Param(req, "defer") != "false");
    ok(res);
  });
  s.Post("/admin/compact", [this, ok](const auto&, auto& res) { store.Compact(), ok(res); });
  s.Post("/admin/close-watches",
         [this, ok](const auto&, auto& res) { store.CloseWatches(), ok(res); });
  s.Post("/admin/pause-watches", [this, ok](const auto& req, auto& res) {
    store.PauseWatches(Param(req, "paused") != "false");
    ok(res);
  });
  s.Get("/admin/requests", [this](const auto&, auto& res) {
    json out = json::array();
    for (const RecordedRequest& r : store.Requests()) {
      out.push_back({{"method", r.method}, {"target", r.target}, {"body", r.body}});
    }
    res.set_content(out.dump(), "application/json");
  });
}

FakeKubeApiServer::FakeKubeApiServer(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

FakeKubeApiServer::~FakeKubeApiServer() { Stop(); }

absl::Status FakeKubeApiServer::Start() {
  Impl& impl = *impl_;
  if (!impl.options.tls_cert_file.empty()) {
    impl.server = std::make_unique<httplib::SSLServer>(impl.options.tls_cert_file.c_str(),
                                                       impl.options.tls_key_file.c_str());
  } else {
    impl.server = std::make_unique<httplib::Server>();
  }
  if (!impl.server->is_valid()) return absl::InvalidArgumentError("fake apiserver: bad TLS files");
  const int threads = impl.options.threads;
  impl.server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib sets SO_REUSEPORT by default, which lets a second server bind a port that one
  // already listens on (and share its connections). A fixed port must fail when taken.
  impl.server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  impl.Routes();
  impl.port =
      impl.options.port == 0
          ? impl.server->bind_to_any_port(impl.options.host)
          : (impl.server->bind_to_port(impl.options.host, impl.options.port) ? impl.options.port
                                                                             : -1);
  if (impl.port <= 0) {
    return absl::UnavailableError(absl::StrCat("fake apiserver: cannot bind ", impl.options.host));
  }
  impl.thread = std::thread([&impl] { impl.server->listen_after_bind(); });
  while (!impl.server->is_running()) absl::SleepFor(absl::Milliseconds(1));
  return absl::OkStatus();
}

void FakeKubeApiServer::Stop() {
  if (!impl_->server) return;
  impl_->store.Shutdown();
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->server.reset();
}

int FakeKubeApiServer::port() const { return impl_->port; }

std::string FakeKubeApiServer::url() const {
  const bool tls = !impl_->options.tls_cert_file.empty();
  return absl::StrCat(tls ? "https" : "http", "://", impl_->options.host, ":", impl_->port);
}

FakeKubeStore& FakeKubeApiServer::store() { return impl_->store; }

absl::Status WriteSelfSignedCert(const std::string& dir) {
  const std::string command =
      absl::StrCat("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1",
                   " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '", dir,
                   "/key.pem' -out '", dir, "/cert.pem' >/dev/null 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError("openssl could not create a self-signed certificate in " + dir);
  }
  return absl::OkStatus();
}

}  // namespace armada::fakes
