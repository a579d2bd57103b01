#pragma once

// Armada's REST routes (grpc-gateway v1 annotations of submit.proto,
// event.proto and job.proto) as data: each maps an HTTP verb and path
// template onto one gRPC method. The gateway serves exactly this table, so
// adding a route is one row here.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace google::protobuf {
class MethodDescriptor;
}

namespace armada::server {

struct RestRoute {
  std::string_view verb;  // "GET", "POST", "PUT" or "DELETE"
  // Literal segments and "{field}" segments; a "{field}" segment sets that
  // top-level string field of the request.
  std::string_view path;
  std::string_view method;         // full gRPC method name, "/api.Submit/SubmitJobs"
  std::string_view request_type;   // "api.JobSubmitRequest"
  std::string_view response_type;  // "api.JobSubmitResponse"
  // "*": the JSON body is the whole request (path fields override it); "":
  // no body, non-path fields come from the query string.
  std::string_view body;
};

// Every route, in Armada's order: api.Submit (jobs, then queues), api.Event,
// api.Jobs, schedulerobjects.SchedulerReporting; then Lookout's (lookout.Lookout)
// and Binoculars' (binoculars.Binoculars).
const std::vector<RestRoute>& ArmadaRestRoutes();

// A route checked against the linked protobuf descriptors.
struct ResolvedRoute {
  RestRoute route;
  const google::protobuf::MethodDescriptor* method;  // from the generated pool; never null
  std::vector<std::string> path_fields;              // the "{field}" names, in path order
  std::string path_regex;                            // matches the path, one capture per path field
};

// Resolves `route`. kInvalidArgument when the method is not linked in, when
// the declared message types differ from the method's, or when a path field
// is not a top-level string field of the request.
absl::StatusOr<ResolvedRoute> ResolveRoute(const RestRoute& route);

}  // namespace armada::server
