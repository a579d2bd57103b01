#include "cli/output_format.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace armada::cli {
namespace {

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// Serialized with map entries sorted by key, so the JSON does not depend on hash order.
std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

google::protobuf::util::TypeResolver& Resolver() {
  static google::protobuf::util::TypeResolver* resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          kTypeUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  return *resolver;
}

// A string that YAML would read as something else (bool, number, null) or that cannot be plain.
bool NeedsQuotes(const std::string& text) {
  if (text.empty()) return true;
  try {
    const YAML::Node node = YAML::Load(text);
    if (!node.IsScalar() || node.Scalar() != text || node.Tag() == "!") return true;
    bool as_bool = false;
    double as_double = 0;
    if (YAML::convert<bool>::decode(node, as_bool)) return true;
    if (YAML::convert<double>::decode(node, as_double)) return true;
    if (text == "~" || text == "null" || text == "Null" || text == "NULL") return true;
  } catch (const YAML::Exception&) {
    return true;
  }
  return false;
}

void EmitJson(YAML::Emitter& out, const nlohmann::ordered_json& value) {
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::object:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [key, member] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        EmitJson(out, member);
      }
      out << YAML::EndMap;
      return;
    case nlohmann::ordered_json::value_t::array:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& member : value) EmitJson(out, member);
      out << YAML::EndSeq;
      return;
    case nlohmann::ordered_json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (NeedsQuotes(text)) out << YAML::DoubleQuoted;
      out << text;
      return;
    }
    case nlohmann::ordered_json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      return;
    case nlohmann::ordered_json::value_t::number_integer:
      out << value.get<int64_t>();
      return;
    case nlohmann::ordered_json::value_t::number_unsigned:
      out << value.get<uint64_t>();
      return;
    case nlohmann::ordered_json::value_t::number_float:
      out << FormatNumber(value.get<double>());
      return;
    default:
      out << YAML::Null;
      return;
  }
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "yaml") return OutputFormat::kYaml;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("unknown output format \"", name, "\" (expected ",
                                                 absl::StrJoin(kOutputFormatNames, ", "), ")"));
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) {
    if (cell.empty()) cell = "-";
  }
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = headers_[i].size();
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) text.append(2, ' ');
      text += cells[i];
      if (i + 1 < cells.size()) text.append(widths[i] - cells[i].size(), ' ');
    }
    absl::StrAppend(&out, text, "\n");
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  return out;
}

nlohmann::ordered_json MessageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  std::string text;
  const auto status = google::protobuf::util::BinaryToJsonString(
      &Resolver(), absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
      DeterministicBytes(message), &text, options);
  if (!status.ok()) return nlohmann::ordered_json::object();  // Not for generated messages.
  return nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string JsonToYaml(const nlohmann::ordered_json& value) {
  YAML::Emitter out;
  out.SetDoublePrecision(15);
  EmitJson(out, value);
  return absl::StrCat(out.c_str(), "\n");
}

std::string JsonText(const nlohmann::ordered_json& value) {
  return absl::StrCat(value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                      "\n");
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatNumber(double value) {
  for (int precision = 1; precision < 18; ++precision) {
    std::string text = absl::StrFormat("%.*g", precision, value);
    if (std::stod(text) == value) return text;
  }
  return absl::StrFormat("%.17g", value);
}

}  // namespace armada::cli
