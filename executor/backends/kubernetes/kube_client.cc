#include "executor/backends/kubernetes/kube_client.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;

constexpr char kGoneMarker[] = "410 Gone";

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The server's message: Status.message for a JSON Status body, else the body (shortened).
std::string ServerMessage(const std::string& body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

std::string ReasonPhrase(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "AlreadyExists";
    case 410:
      return "Gone";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "";
  }
}

absl::Status ErrorFor(int code, const std::string& body, const std::string& verb,
                      const std::string& what) {
  const std::string message =
      absl::StrCat(verb, " ", what, ": ", code, " ", ReasonPhrase(code), ": ", ServerMessage(body));
  switch (code) {
    case 400:
    case 422:
      return absl::InvalidArgumentError(message);
    case 401:
      return absl::UnauthenticatedError(message);
    case 403:
      return absl::PermissionDeniedError(message);
    case 404:
      return absl::NotFoundError(message);
    case 409:
      return verb == "create" ? absl::AlreadyExistsError(message) : absl::AbortedError(message);
    case 410:
      return absl::OutOfRangeError(message);
    case 429:
      return absl::ResourceExhaustedError(message);
    case 503:
    case 504:
      return absl::UnavailableError(message);
    default:
      return code >= 500 ? absl::InternalError(message) : absl::UnknownError(message);
  }
}

// "<first>labelSelector=...&fieldSelector=..." for the selectors that are set, else "".
std::string SelectorQuery(const ListOptions& options, char first) {
  std::string query;
  if (!options.label_selector.empty()) {
    query += first + ("labelSelector=" + UrlEncode(options.label_selector));
    first = '&';
  }
  if (!options.field_selector.empty()) {
    query += first + ("fieldSelector=" + UrlEncode(options.field_selector));
  }
  return query;
}

bool Retryable(int code) { return code == 429 || code >= 500; }

std::string Describe(const ResourceRef& ref, const std::string& name = "") {
  std::string what = ref.resource;
  if (!ref.ns.empty() || !name.empty()) what += " ";
  if (!ref.ns.empty()) what += ref.ns + (name.empty() ? "" : "/");
  return what + name;
}

}  // namespace

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsGone(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange &&
         status.message().find(kGoneMarker) != absl::string_view::npos;
}

std::string ResourcePath(const ResourceRef& ref, const std::string& name) {
  std::string path = ref.ns.empty()
                         ? absl::StrCat("/api/v1/", ref.resource)
                         : absl::StrCat("/api/v1/namespaces/", ref.ns, "/", ref.resource);
  if (!name.empty()) path += "/" + name;
  return path;
}

KubeClient::KubeClient(std::unique_ptr<HttpTransport> transport, const common::Clock& clock,
                       KubeClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      bucket_(clock, options_.qps, options_.burst) {
  if (!options_.sleep) options_.sleep = [](absl::Duration d) { absl::SleepFor(d); };
}

void KubeClient::Wait(absl::Duration d) {
  if (d > absl::ZeroDuration()) options_.sleep(d);
}

absl::StatusOr<json> KubeClient::Call(HttpRequest request, const std::string& verb,
                                      const std::string& what) {
  ASSIGN_OR_RETURN(const std::string text, CallRaw(std::move(request), verb, what));
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return absl::InternalError(absl::StrCat(verb, " ", what, ": response is not JSON"));
  }
  return body;
}

absl::StatusOr<std::string> KubeClient::CallRaw(HttpRequest request, const std::string& verb,
                                                const std::string& what) {
  request.timeout = options_.request_timeout;
  absl::Duration backoff = options_.initial_backoff;
  for (int attempt = 0;; ++attempt) {
    Wait(bucket_.Reserve());
    absl::StatusOr<HttpResponse> response = transport_->Do(request);
    absl::Status error;
    absl::Duration delay = backoff;
    if (!response.ok()) {
      error = absl::Status(response.status().code(),
                           absl::StrCat(verb, " ", what, ": ", response.status().message()));
    } else if (response->status >= 200 && response->status < 300) {
      return std::move(response->body);
    } else {
      error = ErrorFor(response->status, response->body, verb, what);
      if (!Retryable(response->status)) return error;
      int64_t seconds = 0;
      if (absl::SimpleAtoi(response->retry_after, &seconds) && seconds >= 0) {
        delay = absl::Seconds(seconds);
      }
    }
    if (attempt >= options_.max_retries) return error;
    delay = std::min(delay, options_.max_backoff);
    spdlog::debug("kubernetes: {} (attempt {}), retrying in {}", error.ToString(), attempt + 1,
                  absl::FormatDuration(delay));
    Wait(delay);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::StatusOr<ObjectList> KubeClient::List(const ResourceRef& ref, const ListOptions& options) {
  HttpRequest request;
  request.target = ResourcePath(ref) + SelectorQuery(options, '?');
  absl::StatusOr<json> body = Call(std::move(request), "list", Describe(ref));
  if (!body.ok()) return body.status();
  ObjectList list;
  if (body->contains("items") && (*body)["items"].is_array()) {
    for (json& item : (*body)["items"]) list.items.push_back(std::move(item));
  }
  list.resource_version = body->value("/metadata/resourceVersion"_json_pointer, "");
  return list;
}

absl::Status KubeClient::Watch(const ResourceRef& ref, const ListOptions& options,
                               const std::string& resource_version, absl::Duration timeout,
                               const std::function<bool(const WatchEvent&)>& on_event,
                               const std::atomic<bool>& stop) {
  HttpRequest request;
  const int64_t timeout_seconds = std::max<int64_t>(1, absl::ToInt64Seconds(timeout));
  request.target = absl::StrCat(ResourcePath(ref), "?watch=1&allowWatchBookmarks=true",
                                "&timeoutSeconds=", timeout_seconds);
  if (!resource_version.empty()) request.target += "&resourceVersion=" + resource_version;
  request.target += SelectorQuery(options, '&');
  request.timeout = absl::Seconds(timeout_seconds) + absl::Seconds(30);
  const std::string what = Describe(ref);
  absl::Status stream_error;
  auto on_line = [&](std::string_view line) {
    json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object() || !event.contains("type") || !event.contains("object")) {
      stream_error = absl::InternalError(absl::StrCat("watch ", what, ": malformed event"));
      return false;
    }
    WatchEvent e{event["type"].get<std::string>(), std::move(event["object"])};
    if (e.type == "ERROR") {
      const int code = e.object.value("code", 500);
      stream_error = ErrorFor(code, DumpJson(e.object), "watch", what);
      return false;
    }
    return on_event(e);
  };
  Wait(bucket_.Reserve());
  absl::StatusOr<HttpResponse> response = transport_->Stream(request, on_line, stop);
  if (!response.ok()) {
    if (response.status().code() == absl::StatusCode::kDeadlineExceeded) return absl::OkStatus();
    return absl::Status(response.status().code(),
                        absl::StrCat("watch ", what, ": ", response.status().message()));
  }
  if (response->status != 0 && (response->status < 200 || response->status >= 300)) {
    return ErrorFor(response->status, response->body, "watch", what);
  }
  return stream_error;
}

absl::StatusOr<json> KubeClient::CreatePod(const std::string& ns, const json& pod) {
  const ResourceRef ref{"pods", ns};
  HttpRequest request{.method = "POST", .target = ResourcePath(ref), .body = DumpJson(pod)};
  return Call(std::move(request), "create",
              Describe(ref, pod.value("/metadata/name"_json_pointer, "")));
}

absl::StatusOr<json> KubeClient::GetPod(const std::string& ns, const std::string& name) {
  const ResourceRef ref{"pods", ns};
  return Call(HttpRequest{.target = ResourcePath(ref, name)}, "get", Describe(ref, name));
}

absl::StatusOr<std::string> KubeClient::PodLog(const std::string& ns, const std::string& name,
                                               const PodLogOptions& options) {
  const ResourceRef ref{"pods", ns};
  std::string target = ResourcePath(ref, name) + "/log?timestamps=true";
  if (options.since != absl::InfinitePast()) {
    // RFC 3339 in UTC with a "Z", as Kubernetes writes times itself.
    target += "&sinceTime=" + UrlEncode(absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", options.since,
                                                         absl::UTCTimeZone()));
  }
  if (options.tail_lines > 0) target += absl::StrCat("&tailLines=", options.tail_lines);
  if (options.limit_bytes > 0) target += absl::StrCat("&limitBytes=", options.limit_bytes);
  return CallRaw(HttpRequest{.target = std::move(target)}, "get log of", Describe(ref, name));
}

absl::StatusOr<json> KubeClient::PatchPod(const std::string& ns, const std::string& name,
                                          const json& merge_patch) {
  const ResourceRef ref{"pods", ns};
  HttpRequest request{.method = "PATCH",
                      .target = ResourcePath(ref, name),
                      .body = DumpJson(merge_patch),
                      .content_type = "application/merge-patch+json"};
  return Call(std::move(request), "patch", Describe(ref, name));
}

absl::Status KubeClient::DeletePod(const std::string& ns, const std::string& name,
                                   std::optional<int64_t> grace_period_seconds) {
  const ResourceRef ref{"pods", ns};
  HttpRequest request{.method = "DELETE", .target = ResourcePath(ref, name)};
  if (grace_period_seconds) {
    request.target += absl::StrCat("?gracePeriodSeconds=", *grace_period_seconds);
  }
  return Call(std::move(request), "delete", Describe(ref, name)).status();
}

}  // namespace armada::executor::kubernetes
