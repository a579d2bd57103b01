#include "lib/protoutil/utf8_fields.h"

#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "lib/common/utf8.h"

namespace armada::protoutil {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Deeper than any real message; a guard against a pathological nesting that
// would otherwise recurse without end (protobuf's own parse limit is 100).
constexpr int kMaxDepth = 200;

bool IsText(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
         field.type() != FieldDescriptor::TYPE_BYTES;
}

std::optional<InvalidUtf8Field> Walk(const Message& message, const std::string& prefix, int depth,
                                     const StringCheckOptions& options);

// The problem with `text`, or "" when there is none.
std::string Problem(const std::string& text, const StringCheckOptions& options) {
  if (!common::IsValidUtf8(text)) return "is not valid UTF-8";
  if (options.refuse_nul && text.find('\0') != std::string::npos) return "holds a NUL character";
  return "";
}

std::optional<InvalidUtf8Field> Bad(const std::string& path, std::string text,
                                    const StringCheckOptions& options) {
  std::string problem = Problem(text, options);
  if (problem.empty()) return std::nullopt;
  return InvalidUtf8Field{path, std::move(text), std::move(problem)};
}

std::string Join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : absl::StrCat(prefix, ".", name);
}

// A map key as it goes into a path: itself when printable, else escaped.
std::string KeyText(const Message& entry) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string text = r->GetString(entry, key);
      return common::IsValidUtf8(text) ? text : common::QuoteForMessage(text, 64);
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(r->GetUInt32(entry, key));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(r->GetUInt64(entry, key));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(entry, key) ? "true" : "false";
    default:
      return "?";
  }
}

std::optional<InvalidUtf8Field> WalkMap(const Message& message, const FieldDescriptor& field,
                                        const std::string& path, int depth,
                                        const StringCheckOptions& options) {
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < r->FieldSize(message, &field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, &field, i);
    const FieldDescriptor* key = entry.GetDescriptor()->map_key();
    const FieldDescriptor* value = entry.GetDescriptor()->map_value();
    const Reflection* er = entry.GetReflection();
    if (IsText(*key)) {
      if (auto bad = Bad(path, er->GetString(entry, key), options)) return bad;
    }
    const std::string value_path = absl::StrCat(path, "[", KeyText(entry), "]");
    if (IsText(*value)) {
      if (auto bad = Bad(value_path, er->GetString(entry, value), options)) return bad;
    } else if (value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               er->HasField(entry, value)) {
      if (auto bad = Walk(er->GetMessage(entry, value), value_path, depth + 1, options)) {
        return bad;
      }
    }
  }
  return std::nullopt;
}

std::optional<InvalidUtf8Field> Walk(const Message& message, const std::string& prefix, int depth,
                                     const StringCheckOptions& options) {
  if (depth > kMaxDepth) return std::nullopt;
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);  // set fields only, by number
  for (const FieldDescriptor* field : fields) {
    const std::string path = Join(prefix, field->name());
    if (field->is_map()) {
      if (auto bad = WalkMap(message, *field, path, depth, options)) return bad;
    } else if (field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        const std::string element = absl::StrCat(path, "[", i, "]");
        if (IsText(*field)) {
          if (auto bad = Bad(element, r->GetRepeatedString(message, field, i), options)) {
            return bad;
          }
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          if (auto bad =
                  Walk(r->GetRepeatedMessage(message, field, i), element, depth + 1, options)) {
            return bad;
          }
        }
      }
    } else if (IsText(*field)) {
      if (auto bad = Bad(path, r->GetString(message, field), options)) return bad;
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (auto bad = Walk(r->GetMessage(message, field), path, depth + 1, options)) return bad;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<InvalidUtf8Field> FindInvalidUtf8(const google::protobuf::Message& message,
                                                StringCheckOptions options) {
  return Walk(message, "", 0, options);
}

}  // namespace armada::protoutil
