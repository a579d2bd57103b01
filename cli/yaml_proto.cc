#include "cli/yaml_proto.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <type_traits>

#include <google/protobuf/descriptor.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/internal/scalar_messages.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Longest scalar quoted in full by DescribeYaml; longer ones are cut.
constexpr size_t kMaxDescribedScalar = 60;

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string FieldPath(absl::string_view parent, absl::string_view field) {
  return parent.empty() ? std::string(field) : absl::StrCat(parent, ".", field);
}

std::string IndexPath(absl::string_view parent, size_t index) {
  return absl::StrCat(parent, "[", index, "]");
}

// "requests.cpu", but "annotations[\"armadaproject.io/gangId\"]" for keys that are not plain words.
std::string MapKeyPath(absl::string_view parent, absl::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (plain) return FieldPath(parent, key);
  return absl::StrCat(parent, "[\"", absl::CHexEscape(key), "\"]");
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = absl::ascii_tolower(static_cast<unsigned char>(a[i - 1])) ==
                        absl::ascii_tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string UnknownFieldProblem(const Descriptor& type, absl::string_view key) {
  std::string problem =
      absl::StrCat("unknown field \"", absl::CHexEscape(key), "\" in ", type.name());
  const FieldDescriptor* best = nullptr;
  size_t best_distance = 3;  // Suggest only names at most two edits away.
  for (int i = 0; i < type.field_count(); ++i) {
    const size_t distance = EditDistance(key, type.field(i)->json_name());
    if (distance < best_distance) {
      best = type.field(i);
      best_distance = distance;
    }
  }
  if (best != nullptr) absl::StrAppend(&problem, " (did you mean \"", best->json_name(), "\"?)");
  return problem;
}

const FieldDescriptor* FindField(const Descriptor& type, absl::string_view key) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->json_name() == key || field->name() == key) return field;
  }
  return nullptr;
}

// What a scalar field accepts, for "expected <kind>, got <value>".
std::string ExpectedKind(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return field.type() == FieldDescriptor::TYPE_BYTES ? "base64 bytes" : "a string";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "true or false";
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat("an integer (", field.cpp_type_name(), ")");
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "a number";
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::vector<std::string> names;
      for (int i = 0; i < field.enum_type()->value_count(); ++i) {
        names.push_back(field.enum_type()->value(i)->name());
      }
      return absl::StrCat("one of ", absl::StrJoin(names, ", "));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return "a map";
    default:
      return "a value";
  }
}

bool ParseDouble(const std::string& text, double* out) {
  // YAML spells the special values .inf, -.inf and .nan.
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == ".inf" || lower == "+.inf") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == "-.inf") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == ".nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return absl::SimpleAtod(text, out);
}

// Sets (add == false) or appends (add == true) one scalar value.
template <typename T>
void Store(const Reflection& reflection, Message* message, const FieldDescriptor* field, bool add,
           T value) {
  if constexpr (std::is_same_v<T, std::string>) {
    add ? reflection.AddString(message, field, std::move(value))
        : reflection.SetString(message, field, std::move(value));
  } else if constexpr (std::is_same_v<T, bool>) {
    add ? reflection.AddBool(message, field, value) : reflection.SetBool(message, field, value);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    add ? reflection.AddInt32(message, field, value) : reflection.SetInt32(message, field, value);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    add ? reflection.AddInt64(message, field, value) : reflection.SetInt64(message, field, value);
  } else if constexpr (std::is_same_v<T, uint32_t>) {
    add ? reflection.AddUInt32(message, field, value) : reflection.SetUInt32(message, field, value);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    add ? reflection.AddUInt64(message, field, value) : reflection.SetUInt64(message, field, value);
  } else if constexpr (std::is_same_v<T, double>) {
    add ? reflection.AddDouble(message, field, value) : reflection.SetDouble(message, field, value);
  } else {
    static_assert(std::is_same_v<T, float>);
    add ? reflection.AddFloat(message, field, value) : reflection.SetFloat(message, field, value);
  }
}

template <typename Int>
absl::Status StoreInteger(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                          const std::string& path, bool add) {
  Int value = 0;
  if (!absl::SimpleAtoi(node.Scalar(), &value)) {
    return YamlError(node, path,
                     absl::StrCat("expected ", ExpectedKind(*field), ", got ", DescribeYaml(node)));
  }
  Store(*message->GetReflection(), message, field, add, value);
  return absl::OkStatus();
}

absl::Status StoreScalar(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                         const std::string& path, bool add) {
  const Reflection& reflection = *message->GetReflection();
  const std::string& text = node.Scalar();
  const auto bad = [&] {
    return YamlError(node, path,
                     absl::StrCat("expected ", ExpectedKind(*field), ", got ", DescribeYaml(node)));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value = text;
      if (field->type() == FieldDescriptor::TYPE_BYTES && !absl::Base64Unescape(text, &value)) {
        return bad();
      }
      Store(reflection, message, field, add, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value = false;
      if (!YAML::convert<bool>::decode(node, value)) return bad();
      Store(reflection, message, field, add, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return StoreInteger<int32_t>(node, message, field, path, add);
    case FieldDescriptor::CPPTYPE_INT64:
      return StoreInteger<int64_t>(node, message, field, path, add);
    case FieldDescriptor::CPPTYPE_UINT32:
      return StoreInteger<uint32_t>(node, message, field, path, add);
    case FieldDescriptor::CPPTYPE_UINT64:
      return StoreInteger<uint64_t>(node, message, field, path, add);
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value = 0;
      if (!ParseDouble(text, &value)) return bad();
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        Store(reflection, message, field, add, static_cast<float>(value));
      } else {
        Store(reflection, message, field, add, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* value = field->enum_type()->FindValueByName(text);
      int number = 0;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = field->enum_type()->FindValueByNumber(number);
      }
      if (value == nullptr) return bad();
      add ? reflection.AddEnumValue(message, field, value->number())
          : reflection.SetEnumValue(message, field, value->number());
      return absl::OkStatus();
    }
    default:
      return absl::InternalError(
          absl::StrCat(path, ": unsupported field type ", field->cpp_type_name()));
  }
}

absl::Status ConvertMessage(const YAML::Node& node, Message* message, const std::string& path,
                            const std::vector<std::string>& skip_keys);

// Sets (add == false) or appends (add == true) the value `node` to `field`.
absl::Status StoreValue(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                        const std::string& path, bool add) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Reflection& reflection = *message->GetReflection();
    Message* child =
        add ? reflection.AddMessage(message, field) : reflection.MutableMessage(message, field);
    return ConvertMessage(node, child, path, {});
  }
  if (!node.IsScalar()) {
    return YamlError(node, path,
                     absl::StrCat("expected ", ExpectedKind(*field), ", got ", DescribeYaml(node)));
  }
  return StoreScalar(node, message, field, path, add);
}

absl::Status ConvertMap(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                        const std::string& path) {
  if (!node.IsMap()) {
    return YamlError(node, path, absl::StrCat("expected a map, got ", DescribeYaml(node)));
  }
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  absl::flat_hash_set<std::string> seen;
  // Range-for keeps *it alive; it->first would point into a destroyed proxy.
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      return YamlError(key, path, absl::StrCat("expected a map key, got ", DescribeYaml(key)));
    }
    const std::string key_path = MapKeyPath(path, key.Scalar());
    if (!seen.insert(key.Scalar()).second) return YamlError(key, key_path, "duplicate key");
    if (value.IsNull()) {
      return YamlError(key, key_path,
                       absl::StrCat("expected ", ExpectedKind(*value_field), ", got null"));
    }
    Message* map_entry = message->GetReflection()->AddMessage(message, field);
    RETURN_IF_ERROR(StoreValue(key, map_entry, key_field, key_path, false));
    RETURN_IF_ERROR(StoreValue(value, map_entry, value_field, key_path, false));
  }
  return absl::OkStatus();
}

absl::Status ConvertField(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                          const std::string& path) {
  if (node.IsNull()) return absl::OkStatus();
  if (field->is_map()) return ConvertMap(node, message, field, path);
  if (!field->is_repeated()) return StoreValue(node, message, field, path, false);
  if (!node.IsSequence()) {
    return YamlError(node, path, absl::StrCat("expected a list, got ", DescribeYaml(node)));
  }
  size_t index = 0;
  for (const auto& element : node) {
    RETURN_IF_ERROR(StoreValue(element, message, field, IndexPath(path, index++), true));
  }
  return absl::OkStatus();
}

absl::Status ConvertMessage(const YAML::Node& node, Message* message, const std::string& path,
                            const std::vector<std::string>& skip_keys) {
  if (node.IsNull()) return absl::OkStatus();
  if (node.IsScalar()) {
    ASSIGN_OR_RETURN(const bool handled, internal::ConvertScalarMessage(node, message, path));
    if (handled) return absl::OkStatus();
  }
  if (!node.IsMap()) {
    return YamlError(node, path, absl::StrCat("expected a map, got ", DescribeYaml(node)));
  }
  const Descriptor& type = *message->GetDescriptor();
  const Reflection& reflection = *message->GetReflection();
  absl::flat_hash_set<const FieldDescriptor*> seen;
  // Range-for keeps *it alive; it->first would point into a destroyed proxy.
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      return YamlError(key, path, absl::StrCat("expected a field name, got ", DescribeYaml(key)));
    }
    const std::string& name = key.Scalar();
    if (std::find(skip_keys.begin(), skip_keys.end(), name) != skip_keys.end()) continue;
    const std::string field_path = FieldPath(path, name);
    const FieldDescriptor* field = FindField(type, name);
    if (field == nullptr) return YamlError(key, field_path, UnknownFieldProblem(type, name));
    if (!seen.insert(field).second) {
      return YamlError(key, field_path,
                       absl::StrCat("duplicate field (", field->json_name(), " is set twice)"));
    }
    if (const auto* oneof = field->real_containing_oneof(); oneof != nullptr && !value.IsNull()) {
      const FieldDescriptor* other = reflection.GetOneofFieldDescriptor(*message, oneof);
      if (other != nullptr && other != field) {
        return YamlError(key, field_path,
                         absl::StrCat("only one of the ", oneof->name(), " fields may be set, ",
                                      other->json_name(), " is already set"));
      }
    }
    RETURN_IF_ERROR(ConvertField(value, message, field, field_path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status YamlToMessage(const YAML::Node& node, google::protobuf::Message* message,
                           const std::string& path_for_errors,
                           const std::vector<std::string>& skip_keys) {
  try {
    return ConvertMessage(node, message, path_for_errors, skip_keys);
  } catch (const YAML::Exception& e) {
    // yaml-cpp only throws for misuse (e.g. a zombie node); report rather than crash.
    return absl::InternalError(absl::StrCat(path_for_errors, ": yaml-cpp: ", e.what()));
  }
}

absl::Status YamlError(const YAML::Node& node, absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(LineOf(node), ": ", path, ": ", problem));
}

std::string DescribeYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (text.size() <= kMaxDescribedScalar) {
        return absl::StrCat("\"", absl::CHexEscape(text), "\"");
      }
      return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxDescribedScalar)), "...\"");
    }
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "nothing";
  }
}

absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    YAML::Node root = YAML::Load(text.str());
    if (!root.IsDefined() || root.IsNull()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the file is empty"));
    }
    return root;
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.msg));
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ": ", e.msg));
  }
}

absl::Status PrefixWithFile(absl::string_view file, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(file, ":", status.message()));
}

}  // namespace armada::cli
