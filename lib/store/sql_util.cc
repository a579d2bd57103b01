#include "lib/store/sql_util.h"

#include <nlohmann/json.hpp>

namespace armada::store {
namespace {

// Invalid UTF-8 (which submit validation refuses) is replaced, never thrown on.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<std::string> TextArrayFromField(const pqxx::field& field) {
  std::vector<std::string> values;
  if (field.is_null()) return values;
  pqxx::array_parser parser = field.as_array();
  while (true) {
    auto [kind, text] = parser.get_next();
    if (kind == pqxx::array_parser::done) break;
    if (kind == pqxx::array_parser::string_value) values.push_back(text);
  }
  return values;
}

namespace {

void AppendQuoted(std::string& out, const std::string& value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendQuoted(out, values[i]);
  }
  out += '}';
  return out;
}

std::string TextArray(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (values[i]) {
      AppendQuoted(out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  out += '}';
  return out;
}

std::string BytesFromField(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  return bytes.str();
}

std::string ByteaHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Sized once and filled by index: appending char by char was 8% of the
  // server's CPU time while submitting (callgrind, docs/benchmarks.md).
  std::string out(2 + bytes.size() * 2, '\0');
  out[0] = '\\';
  out[1] = 'x';
  char* p = out.data() + 2;
  for (unsigned char c : bytes) {
    *p++ = kDigits[c >> 4];
    *p++ = kDigits[c & 15];
  }
  return out;
}

double ToEpochSeconds(absl::Time t) { return absl::ToUnixMicros(t) / 1e6; }

absl::Time FromEpochSeconds(double seconds) {
  return absl::FromUnixMicros(static_cast<int64_t>(seconds * 1e6 + (seconds >= 0 ? 0.5 : -0.5)));
}

std::string ResourcesToJson(const model::ResourceList& resources) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, milli] : resources.entries()) json[name] = milli;
  return Dump(json);
}

model::ResourceList ResourcesFromJson(const std::string& text) {
  model::ResourceList resources;
  const nlohmann::json json = nlohmann::json::parse(text);
  for (const auto& [name, milli] : json.items()) {
    resources.Set(name, milli.get<int64_t>());
  }
  return resources;
}

std::string LabelsToJson(const std::map<std::string, std::string>& labels) {
  return Dump(nlohmann::json(labels));
}

std::map<std::string, std::string> LabelsFromJson(const std::string& text) {
  return nlohmann::json::parse(text).get<std::map<std::string, std::string>>();
}

std::string TolerationsToJson(const std::vector<model::Toleration>& tolerations) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& t : tolerations) {
    json.push_back({{"key", t.key}, {"operator", t.op}, {"value", t.value}, {"effect", t.effect}});
  }
  return Dump(json);
}

std::vector<model::Toleration> TolerationsFromJson(const std::string& text) {
  std::vector<model::Toleration> tolerations;
  const nlohmann::json json = nlohmann::json::parse(text);
  for (const auto& t : json) {
    tolerations.push_back({t.value("key", ""), t.value("operator", "Equal"), t.value("value", ""),
                           t.value("effect", "")});
  }
  return tolerations;
}

std::string AffinityToJson(const std::vector<model::NodeSelectorTerm>& terms) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& term : terms) {
    nlohmann::json expressions = nlohmann::json::array();
    for (const auto& r : term.match_expressions) {
      expressions.push_back({{"key", r.key}, {"operator", r.op}, {"values", r.values}});
    }
    json.push_back({{"matchExpressions", expressions}});
  }
  return Dump(json);
}

std::vector<model::NodeSelectorTerm> AffinityFromJson(const std::string& text) {
  std::vector<model::NodeSelectorTerm> terms;
  const nlohmann::json json = nlohmann::json::parse(text);
  for (const auto& term : json) {
    model::NodeSelectorTerm out;
    for (const auto& r : term.at("matchExpressions")) {
      out.match_expressions.push_back({r.value("key", ""), r.value("operator", ""),
                                       r.value("values", std::vector<std::string>{})});
    }
    terms.push_back(std::move(out));
  }
  return terms;
}

}  // namespace armada::store
