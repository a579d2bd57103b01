#include "executor/backends/kubernetes/pod_spec_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "k8s.io/api/core/v1/generated.pb.h"

namespace armada::executor::kubernetes {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

json MessageToJson(const Message& message);

// The value of a message field, with Kubernetes' special types rendered as in its JSON.
json SpecialOrMessage(const Message& message) {
  const std::string& type = message.GetDescriptor()->full_name();
  const Reflection* r = message.GetReflection();
  const auto* d = message.GetDescriptor();
  if (type == "k8s.io.apimachinery.pkg.api.resource.Quantity" ||
      type == "k8s.io.apimachinery.pkg.api.resource.QuantityValue") {
    return r->GetString(message, d->FindFieldByName("string"));
  }
  if (type == "k8s.io.apimachinery.pkg.util.intstr.IntOrString") {
    if (r->GetInt64(message, d->FindFieldByName("type")) == 1) {
      return r->GetString(message, d->FindFieldByName("strVal"));
    }
    return r->GetInt32(message, d->FindFieldByName("intVal"));
  }
  if (type == "k8s.io.apimachinery.pkg.apis.meta.v1.Time" ||
      type == "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime") {
    const absl::Time t = absl::FromUnixSeconds(r->GetInt64(message, d->FindFieldByName("seconds")));
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  }
  return MessageToJson(message);
}

json Scalar(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return rep ? r->GetRepeatedEnum(m, f, index)->name() : r->GetEnum(m, f)->name();
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(s);
      return s;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return SpecialOrMessage(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
    default:
      return nullptr;
  }
}

json MessageToJson(const Message& message) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  json out = json::object();
  for (const FieldDescriptor* f : fields) {
    if (f->is_map()) {
      json map = json::object();
      const auto* key = f->message_type()->FindFieldByName("key");
      const auto* value = f->message_type()->FindFieldByName("value");
      for (int i = 0; i < r->FieldSize(message, f); ++i) {
        const Message& entry = r->GetRepeatedMessage(message, f, i);
        const json k = Scalar(entry, key, 0);
        map[k.is_string() ? k.get<std::string>()
                          : k.dump(-1, ' ', false, json::error_handler_t::replace)] =
            Scalar(entry, value, 0);
      }
      out[f->name()] = std::move(map);
    } else if (f->is_repeated()) {
      json list = json::array();
      for (int i = 0; i < r->FieldSize(message, f); ++i) list.push_back(Scalar(message, f, i));
      out[f->name()] = std::move(list);
    } else {
      out[f->name()] = Scalar(message, f, 0);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<json> PodSpecWireToJson(const std::string& wire) {
  k8s::io::api::core::v1::PodSpec spec;
  if (!spec.ParseFromString(wire)) {
    return absl::InvalidArgumentError("pod spec: not a valid k8s.io.api.core.v1.PodSpec");
  }
  return MessageToJson(spec);
}

}  // namespace armada::executor::kubernetes
