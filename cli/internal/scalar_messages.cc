#include "cli/internal/scalar_messages.h"

#include <cstdint>

#include <google/protobuf/descriptor.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/yaml_proto.h"
#include "lib/common/status_macros.h"
#include "lib/model/resource_quantity.h"

namespace armada::cli::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kQuantity = "k8s.io.apimachinery.pkg.api.resource.Quantity";
constexpr absl::string_view kIntOrString = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
constexpr absl::string_view kMetaTime = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
constexpr absl::string_view kMetaMicroTime = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
constexpr absl::string_view kMetaDuration = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
constexpr absl::string_view kProtoTimestamp = "google.protobuf.Timestamp";
constexpr absl::string_view kProtoDuration = "google.protobuf.Duration";

// The field `name` of `message`'s type; kInternal if the proto definition lacks it.
absl::StatusOr<const FieldDescriptor*> RequiredField(const Message& message,
                                                     absl::string_view name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr) {
    return absl::InternalError(
        absl::StrCat(message.GetDescriptor()->full_name(), " has no field ", name));
  }
  return field;
}

absl::Status SetInt64Field(Message* message, absl::string_view name, int64_t value) {
  ASSIGN_OR_RETURN(const FieldDescriptor* field, RequiredField(*message, name));
  message->GetReflection()->SetInt64(message, field, value);
  return absl::OkStatus();
}

absl::Status SetInt32Field(Message* message, absl::string_view name, int32_t value) {
  ASSIGN_OR_RETURN(const FieldDescriptor* field, RequiredField(*message, name));
  message->GetReflection()->SetInt32(message, field, value);
  return absl::OkStatus();
}

absl::Status SetStringField(Message* message, absl::string_view name, const std::string& value) {
  ASSIGN_OR_RETURN(const FieldDescriptor* field, RequiredField(*message, name));
  message->GetReflection()->SetString(message, field, value);
  return absl::OkStatus();
}

absl::Status SetQuantity(const YAML::Node& node, Message* message, const std::string& path) {
  if (!model::ParseQuantity(node.Scalar()).ok()) {
    return YamlError(
        node, path,
        absl::StrCat("expected a quantity such as 1, 500m or 512Mi, got ", DescribeYaml(node)));
  }
  return SetStringField(message, "string", node.Scalar());
}

absl::Status SetIntOrString(const YAML::Node& node, Message* message) {
  int32_t number = 0;
  // Only a plain scalar can be a number: a quoted "8080" stays a string, as in Kubernetes' JSON.
  if (node.Tag() == "?" && absl::SimpleAtoi(node.Scalar(), &number)) {
    RETURN_IF_ERROR(SetInt64Field(message, "type", 0));
    return SetInt32Field(message, "intVal", number);
  }
  RETURN_IF_ERROR(SetInt64Field(message, "type", 1));
  return SetStringField(message, "strVal", node.Scalar());
}

absl::Status SetTime(const YAML::Node& node, Message* message, const std::string& path) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, node.Scalar(), &time, &error)) {
    return YamlError(node, path,
                     absl::StrCat("expected an RFC 3339 time such as 2024-01-02T15:04:05Z, got ",
                                  DescribeYaml(node)));
  }
  // ToUnixSeconds rounds down, so nanos is in [0, 1e9) as protobuf requires.
  const int64_t seconds = absl::ToUnixSeconds(time);
  RETURN_IF_ERROR(SetInt64Field(message, "seconds", seconds));
  return SetInt32Field(
      message, "nanos",
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

absl::Status SetDuration(const YAML::Node& node, Message* message, const std::string& path,
                         bool nanoseconds_only) {
  absl::Duration duration;
  if (!absl::ParseDuration(node.Scalar(), &duration)) {
    return YamlError(
        node, path,
        absl::StrCat("expected a duration such as 90s or 1h30m, got ", DescribeYaml(node)));
  }
  if (nanoseconds_only) {
    return SetInt64Field(message, "duration", absl::ToInt64Nanoseconds(duration));
  }
  // IDivDuration truncates towards zero: seconds and nanos share their sign, as protobuf requires.
  const int64_t seconds = absl::IDivDuration(duration, absl::Seconds(1), &duration);
  RETURN_IF_ERROR(SetInt64Field(message, "seconds", seconds));
  return SetInt32Field(message, "nanos", static_cast<int32_t>(absl::ToInt64Nanoseconds(duration)));
}

}  // namespace

absl::StatusOr<bool> ConvertScalarMessage(const YAML::Node& node,
                                          google::protobuf::Message* message,
                                          const std::string& path) {
  const std::string& type = message->GetDescriptor()->full_name();
  if (type == kQuantity) {
    RETURN_IF_ERROR(SetQuantity(node, message, path));
  } else if (type == kIntOrString) {
    RETURN_IF_ERROR(SetIntOrString(node, message));
  } else if (type == kMetaTime || type == kMetaMicroTime || type == kProtoTimestamp) {
    RETURN_IF_ERROR(SetTime(node, message, path));
  } else if (type == kMetaDuration || type == kProtoDuration) {
    RETURN_IF_ERROR(SetDuration(node, message, path, /*nanoseconds_only=*/type == kMetaDuration));
  } else {
    return false;
  }
  return true;
}

}  // namespace armada::cli::internal
