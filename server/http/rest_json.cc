#include "server/http/rest_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "lib/common/utf8.h"

namespace armada::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using nlohmann::json;

enum class Direction { kToProto, kFromProto };

bool IsQuantity(const Descriptor& type) {
  return type.full_name() == "k8s.io.apimachinery.pkg.api.resource.Quantity" ||
         type.full_name() == "k8s.io.apimachinery.pkg.api.resource.QuantityValue";
}

bool IsIntOrString(const Descriptor& type) {
  return type.full_name() == "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
}

// A Kubernetes value in protobuf JSON form <-> Kubernetes JSON form.
void ConvertK8sValue(const Descriptor& type, json& value, Direction direction) {
  if (IsQuantity(type)) {
    if (direction == Direction::kFromProto) {
      value = value.is_object() && value.contains("string") ? value["string"] : json("0");
    } else if (value.is_number()) {
      value = json{{"string", value.dump(-1, ' ', false, json::error_handler_t::replace)}};
    } else if (value.is_string()) {
      value = json{{"string", value}};
    }
    return;
  }
  // IntOrString: type 0 = int, 1 = string.
  if (direction == Direction::kFromProto) {
    if (!value.is_object()) return;
    const bool is_string = value.contains("type") && (value["type"] == 1 || value["type"] == "1");
    if (is_string) {
      value = value.contains("strVal") ? value["strVal"] : json("");
    } else {
      value = value.contains("intVal") ? value["intVal"] : json(0);
    }
  } else if (value.is_number_integer()) {
    value = json{{"type", 0}, {"intVal", value}};
  } else if (value.is_string()) {
    value = json{{"type", 1}, {"strVal", value}};
  }
}

void Convert(const Descriptor& type, json& value, Direction direction);

// One field's JSON value (a list, a map or a single value).
void ConvertField(const FieldDescriptor& field, json& value, Direction direction) {
  if (field.type() != FieldDescriptor::TYPE_MESSAGE) return;
  if (field.is_map()) {
    const FieldDescriptor* map_value = field.message_type()->map_value();
    if (map_value->type() != FieldDescriptor::TYPE_MESSAGE || !value.is_object()) return;
    for (auto& [key, element] : value.items()) {
      Convert(*map_value->message_type(), element, direction);
    }
  } else if (field.is_repeated()) {
    if (!value.is_array()) return;
    for (auto& element : value) Convert(*field.message_type(), element, direction);
  } else {
    Convert(*field.message_type(), value, direction);
  }
}

// Rewrites the Kubernetes values inside `value`, a JSON rendering of `type`.
// Anything that does not fit the descriptor is left for protobuf to report.
void Convert(const Descriptor& type, json& value, Direction direction) {
  if (IsQuantity(type) || IsIntOrString(type)) {
    ConvertK8sValue(type, value, direction);
    return;
  }
  if (!value.is_object() || type.file()->package().rfind("google.protobuf", 0) == 0) return;
  for (auto& [key, member] : value.items()) {
    const FieldDescriptor* field = nullptr;
    for (int i = 0; i < type.field_count() && field == nullptr; ++i) {
      const FieldDescriptor* candidate = type.field(i);
      if (candidate->json_name() == key || candidate->name() == key) field = candidate;
    }
    if (field != nullptr) ConvertField(*field, member, direction);
  }
}

// "[json.exception.parse_error.101] parse error at line 1, column 9: ..."
// without the library's tag, and with the bytes it quotes made valid UTF-8.
std::string ParseErrorText(const json::exception& e) {
  std::string text = e.what();
  if (const size_t tag_end = text.find("] ");
      text.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos) {
    text = text.substr(tag_end + 2);
  }
  return common::SanitizeUtf8(text);
}

std::string ToString(const google::protobuf::util::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

}  // namespace

absl::Status MergeRestJson(std::string_view text, google::protobuf::Message& message) {
  json value;
  try {
    value = json::parse(text);
  } catch (const json::exception& e) {
    // A syntax error (parse_error) or a number that does not fit a double
    // (out_of_range, "1e400"); the message names the position or the token.
    return absl::InvalidArgumentError(
        absl::StrCat("request body is not valid JSON: ", ParseErrorText(e)));
  }
  if (!value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body is not a JSON object but a JSON ", value.type_name()));
  }
  Convert(*message.GetDescriptor(), value, Direction::kToProto);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const std::string canonical = value.dump(-1, ' ', false, json::error_handler_t::replace);
  auto status = google::protobuf::util::JsonStringToMessage(canonical, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request body does not fit ",
                                                   message.GetDescriptor()->full_name(), ": ",
                                                   ToString(status)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PrintRestJson(const google::protobuf::Message& message) {
  std::string text;
  auto status = google::protobuf::util::MessageToJsonString(message, &text);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot render ", message.GetDescriptor()->full_name(),
                                            " as JSON: ", ToString(status)));
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return absl::InternalError("protobuf printed invalid JSON");
  Convert(*message.GetDescriptor(), value, Direction::kFromProto);
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace armada::server
