#include "server/http/http_gateway.h"

#include <sys/socket.h>

#include <exception>
#include <optional>
#include <utility>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/common/utf8.h"
#include "lib/net/certificate_reloader.h"
#include "lib/net/server_credentials.h"
#include "lib/protoutil/utf8_fields.h"
#include "server/http/forwarded_call.h"
#include "server/http/rest_json.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// How long a stream may stay silent before its first message is sent with a
// 200 status: errors the server reports at once (unknown queue) still get
// their own HTTP status, a quiet watch does not hold the headers back.
constexpr absl::Duration kFirstMessageWait = absl::Seconds(1);
// How often a silent stream checks that its client and the gateway remain.
constexpr absl::Duration kStreamPoll = absl::Milliseconds(500);

// The gRPC code and message for an error httplib found before any route ran.
std::pair<grpc::StatusCode, std::string> HttpErrorOf(int http_status, size_t max_body_bytes) {
  switch (http_status) {
    case 400:
      return {grpc::StatusCode::INVALID_ARGUMENT, "malformed HTTP request"};
    case 404:
      return {grpc::StatusCode::NOT_FOUND, "Not Found"};
    case 405:
      return {grpc::StatusCode::UNIMPLEMENTED, "Method Not Allowed"};
    case 413:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              absl::StrCat("request body is larger than ", max_body_bytes, " bytes")};
    case 414:
      return {grpc::StatusCode::INVALID_ARGUMENT, "request URI is too long"};
    case 416:
      return {grpc::StatusCode::INVALID_ARGUMENT, "unsatisfiable Range header"};
    case 503:
      return {grpc::StatusCode::UNAVAILABLE, "server busy"};
    default:
      if (http_status >= 500) return {grpc::StatusCode::INTERNAL, "internal error"};
      return {grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("HTTP error ", http_status)};
  }
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendError(httplib::Response& response, const grpc::Status& status,
               std::optional<int> http_status = std::nullopt) {
  response.status = http_status.value_or(HttpStatusFromGrpc(status.error_code()));
  nlohmann::json body = {{"error", status.error_message()},
                         {"code", static_cast<int>(status.error_code())},
                         {"message", status.error_message()},
                         {"details", nlohmann::json::array()}};
  response.set_content(Dump(body), "application/json");
}

// A stream error after the 200 went out, as grpc-gateway v1 writes it.
std::string StreamErrorLine(const grpc::Status& status) {
  nlohmann::json error = {{"grpc_code", static_cast<int>(status.error_code())},
                          {"http_code", HttpStatusFromGrpc(status.error_code())},
                          {"message", status.error_message()}};
  return Dump({{"error", error}}) + "\n";
}

// Non-path query parameters as a JSON object for MergeRestJson: only
// top-level scalar fields, by proto or JSON name; others are ignored.
nlohmann::json QueryToJson(const google::protobuf::Descriptor& type,
                           const httplib::Params& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, text] : params) {
    const FieldDescriptor* field = type.FindFieldByName(key);
    if (field == nullptr) field = type.FindFieldByCamelcaseName(key);
    if (field == nullptr || field->type() == FieldDescriptor::TYPE_MESSAGE) continue;
    nlohmann::json value = text;  // protobuf accepts numbers and enums as strings
    if (field->type() == FieldDescriptor::TYPE_BOOL) value = (text == "true" || text == "1");
    if (field->is_repeated()) {
      object[field->json_name()].push_back(value);
    } else {
      object[field->json_name()] = value;
    }
  }
  return object;
}

// The request message from the JSON body or query string plus path fields.
absl::StatusOr<std::unique_ptr<Message>> BuildRequest(const ResolvedRoute& route,
                                                      const httplib::Request& http) {
  const auto* type = route.method->input_type();
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  absl::Status merged = absl::OkStatus();
  if (route.route.body == "*") {
    if (!http.body.empty()) merged = MergeRestJson(http.body, *request);
  } else if (!http.params.empty()) {
    merged = MergeRestJson(Dump(QueryToJson(*type, http.params)), *request);
  }
  if (!merged.ok()) return merged;
  for (size_t i = 0; i < route.path_fields.size(); ++i) {
    request->GetReflection()->SetString(request.get(), type->FindFieldByName(route.path_fields[i]),
                                        http.matches[i + 1].str());
  }
  // Path segments are percent-decoded bytes (JSON bodies are checked by the
  // parser): invalid UTF-8 in a proto3 string would make the service fail
  // to parse the forwarded request, with an INTERNAL error naming nothing.
  if (auto bad = protoutil::FindInvalidUtf8(*request)) {
    return absl::InvalidArgumentError(
        absl::StrCat(bad->path, ": ", common::QuoteForMessage(bad->value), " ", bad->problem));
  }
  return request;
}

// Headers grpc-gateway forwards as gRPC metadata.
std::vector<std::pair<std::string, std::string>> ForwardedMetadata(const httplib::Request& http) {
  std::vector<std::pair<std::string, std::string>> metadata;
  if (http.has_header("Authorization")) {
    metadata.emplace_back("authorization", http.get_header_value("Authorization"));
  }
  // The TLS layer's word, never a header of the request, vouched for with
  // this process's secret (net::VerifiedClientCertificateName).
  const std::string client = net::CertificateReloader::VerifiedClientName(http.ssl);
  if (!client.empty()) metadata.push_back(net::ForwardedClientNameMetadata(client));
  return metadata;
}

absl::StatusOr<std::string> RenderMessage(const google::protobuf::Descriptor& type,
                                          const std::string& bytes) {
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  if (!message->ParseFromString(bytes)) {
    return absl::InternalError(absl::StrCat("unparsable ", type.full_name(), " from the server"));
  }
  return PrintRestJson(*message);
}

// "host:port", "[v6]:port" -> host, port.
absl::StatusOr<std::pair<std::string, int>> SplitAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("httpAddress \"", address, "\": expected host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host.empty() ? std::string("0.0.0.0") : host, port);
}

// HTTPS from `tls` (set up on each handshake), or plain HTTP when null.
std::unique_ptr<httplib::Server> MakeServer(net::CertificateReloader* tls) {
  if (tls == nullptr) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) { return tls->Configure(ctx); });
}

}  // namespace

// grpc-gateway v1's runtime.HTTPStatusFromCode.
int HttpStatusFromGrpc(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 408;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Create(
    std::shared_ptr<grpc::ChannelInterface> channel, Options options) {
  std::vector<ResolvedRoute> routes;
  for (const RestRoute& route : ArmadaRestRoutes()) {
    auto resolved = ResolveRoute(route);
    if (!resolved.ok()) return resolved.status();
    routes.push_back(std::move(*resolved));
  }
  std::unique_ptr<net::CertificateReloader> tls;
  if (options.tls.enabled()) {
    absl::Status valid = net::ValidateServerConfig(options.tls);
    if (!valid.ok()) return valid;
    auto reloader = net::CertificateReloader::Create(options.tls);
    if (!reloader.ok()) return reloader.status();
    tls = std::move(*reloader);
  }
  return std::unique_ptr<HttpGateway>(
      new HttpGateway(std::move(channel), std::move(options), std::move(routes), std::move(tls)));
}

HttpGateway::HttpGateway(std::shared_ptr<grpc::ChannelInterface> channel, Options options,
                         std::vector<ResolvedRoute> routes,
                         std::unique_ptr<net::CertificateReloader> tls)
    : channel_(std::move(channel)),
      options_(std::move(options)),
      routes_(std::move(routes)),
      tls_(std::move(tls)),
      server_(MakeServer(tls_.get())) {
  const int workers = options_.max_concurrent_requests;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server_->set_payload_max_length(options_.max_body_bytes);
  // httplib's default is SO_REUSEPORT, with which a second server would share
  // the port silently; SO_REUSEADDR alone makes a clash an error but still
  // allows a restart over connections in TIME_WAIT.
  server_->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (options_.tls.require_client_certificate) {
    server_->set_pre_routing_handler(
        [](const httplib::Request& request, httplib::Response& response) {
          if (request.path == "/health" || request.path == "/health/live" ||
              !net::CertificateReloader::VerifiedClientName(request.ssl).empty()) {
            return httplib::Server::HandlerResponse::Unhandled;
          }
          SendError(response, grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                           "this port requires a verified client certificate"));
          return httplib::Server::HandlerResponse::Handled;
        });
  }
  for (const ResolvedRoute& route : routes_) {
    auto handler = [this, &route](const httplib::Request& request, httplib::Response& response) {
      Serve(route, request, response);
    };
    if (route.route.verb == "GET") server_->Get(route.path_regex, handler);
    if (route.route.verb == "POST") server_->Post(route.path_regex, handler);
    if (route.route.verb == "PUT") server_->Put(route.path_regex, handler);
    if (route.route.verb == "DELETE") server_->Delete(route.path_regex, handler);
  }
  if (options_.ui_assets != nullptr) AddUiRoutes(*server_, *options_.ui_assets);
  // Liveness: the process answers, whatever PostgreSQL does (a database outage must take a
  // replica out of service, /health above, not restart it).
  server_->Get("/health/live", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& response) {
    absl::Status health = options_.health ? options_.health() : absl::OkStatus();
    response.status = health.ok() ? 200 : 503;
    response.set_content(health.ok() ? "ok\n" : std::string(health.message()) + "\n", "text/plain");
  });
  if (options_.metrics) {
    server_->Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
      if (options_.authorize_metrics) {
        absl::Status allowed =
            options_.authorize_metrics(request.get_header_value("Authorization"));
        if (!allowed.ok()) {
          response.status = HttpStatusFromGrpc(static_cast<grpc::StatusCode>(allowed.code()));
          if (absl::IsUnauthenticated(allowed)) {
            response.set_header("WWW-Authenticate", "Basic realm=\"armada\"");
          }
          response.set_content(std::string(allowed.message()) + "\n", "text/plain");
          return;
        }
      }
      response.set_content(options_.metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
  }
  // Errors httplib answers by itself (no route, a malformed HTTP request, a
  // body over the limit) get the gateway's JSON error body too, with the
  // gRPC code that names the same problem; the HTTP status stays httplib's.
  server_->set_error_handler([this](const httplib::Request&, httplib::Response& response) {
    if (!response.body.empty()) return;
    const auto [code, message] = HttpErrorOf(response.status, options_.max_body_bytes);
    SendError(response, grpc::Status(code, message), response.status);
  });
  // A handler that throws answers INTERNAL with what it threw, and the
  // server goes on.
  server_->set_exception_handler(
      [](const httplib::Request& request, httplib::Response& response, std::exception_ptr thrown) {
        std::string what = "unknown exception";
        try {
          if (thrown) std::rethrow_exception(thrown);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("rest: {} {} threw: {}", request.method, request.path, what);
        SendError(response, grpc::Status(grpc::StatusCode::INTERNAL,
                                         common::SanitizeUtf8("internal error: " + what)));
      });
}

HttpGateway::~HttpGateway() { Stop(); }

absl::StatusOr<int> HttpGateway::Start(const std::string& address) {
  if (!server_->is_valid())
    return absl::InternalError("https: the TLS context could not be set up");
  auto host_port = SplitAddress(address);
  if (!host_port.ok()) return host_port.status();
  auto [host, port] = *host_port;
  if (port == 0) {
    port = server_->bind_to_any_port(host);
    if (port < 0) port = 0;
  } else if (!server_->bind_to_port(host, port)) {
    port = 0;
  }
  if (port == 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return port;
}

void HttpGateway::Stop() {
  stopping_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpGateway::Serve(const ResolvedRoute& route, const httplib::Request& http,
                        httplib::Response& response) {
  auto request = BuildRequest(route, http);
  if (!request.ok()) {
    SendError(response, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     std::string(request.status().message())));
    return;
  }
  const std::string payload = (*request)->SerializeAsString();
  if (route.method->server_streaming()) {
    ServeStream(route, payload, http, response);
    return;
  }
  ForwardedCall call(channel_, std::string(route.route.method), payload, ForwardedMetadata(http));
  ForwardedCall::Next next = call.Read();
  if (next.outcome != ForwardedCall::Outcome::kMessage) {
    SendError(response, call.status());
    spdlog::debug("rest: {} {} -> {}", http.method, http.path, response.status);
    return;
  }
  while (call.Read().outcome == ForwardedCall::Outcome::kMessage) {
  }
  if (!call.status().ok()) {
    SendError(response, call.status());
    return;
  }
  auto json = RenderMessage(*route.method->output_type(), next.message);
  if (!json.ok()) {
    SendError(response,
              grpc::Status(grpc::StatusCode::INTERNAL, std::string(json.status().message())));
    return;
  }
  response.set_content(*json, "application/json");
}

void HttpGateway::ServeStream(const ResolvedRoute& route, const std::string& payload,
                              const httplib::Request& http, httplib::Response& response) {
  struct Stream {
    std::unique_ptr<ForwardedCall> call;
    const google::protobuf::Descriptor* type;
    std::optional<std::string> first;  // read before the headers went out
  };
  auto stream = std::make_shared<Stream>();
  stream->call = std::make_unique<ForwardedCall>(channel_, std::string(route.route.method), payload,
                                                 ForwardedMetadata(http));
  stream->type = route.method->output_type();
  ForwardedCall::Next next = stream->call->Read(kFirstMessageWait);
  if (next.outcome == ForwardedCall::Outcome::kEnd && !stream->call->status().ok()) {
    SendError(response, stream->call->status());  // nothing sent yet: a plain HTTP error
    return;
  }
  if (next.outcome == ForwardedCall::Outcome::kMessage) stream->first = std::move(next.message);
  const bool ended = next.outcome == ForwardedCall::Outcome::kEnd;

  auto write = [stream](httplib::DataSink& sink, const std::string& bytes) {
    auto json = RenderMessage(*stream->type, bytes);
    std::string line = json.ok()
                           ? absl::StrCat("{\"result\":", *json, "}\n")
                           : StreamErrorLine(grpc::Status(grpc::StatusCode::INTERNAL,
                                                          std::string(json.status().message())));
    return sink.write(line.data(), line.size());
  };
  response.set_chunked_content_provider(
      "application/json", [this, stream, ended, write](size_t, httplib::DataSink& sink) {
        if (ended) {
          sink.done();
          return true;
        }
        if (stream->first) {
          bool written = write(sink, *stream->first);
          stream->first.reset();
          return written;
        }
        while (true) {
          if (stopping_) {
            sink.done();
            return true;
          }
          if (!sink.is_writable()) return false;  // the client left: cancels the call
          ForwardedCall::Next next = stream->call->Read(kStreamPoll);
          if (next.outcome == ForwardedCall::Outcome::kMessage) return write(sink, next.message);
          if (next.outcome == ForwardedCall::Outcome::kEnd) {
            if (!stream->call->status().ok()) {
              std::string line = StreamErrorLine(stream->call->status());
              sink.write(line.data(), line.size());
            }
            sink.done();
            return true;
          }
        }
      });
}

}  // namespace armada::server
