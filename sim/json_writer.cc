#include "sim/json_writer.h"

#include <cassert>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace armada::sim {

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string FormatFixed(double v) {
  if (!std::isfinite(v)) return "null";
  std::string s = absl::StrFormat("%.4f", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

JsonValue JsonValue::String(std::string s) { return {Kind::kScalar, JsonQuote(s)}; }
JsonValue JsonValue::Number(std::string text) { return {Kind::kScalar, std::move(text)}; }
JsonValue JsonValue::Int(long long v) { return {Kind::kScalar, absl::StrCat(v)}; }
JsonValue JsonValue::Fixed(double v) { return {Kind::kScalar, FormatFixed(v)}; }
JsonValue JsonValue::Object() { return {Kind::kObject, ""}; }
JsonValue JsonValue::Array() { return {Kind::kArray, ""}; }

JsonValue& JsonValue::Set(std::string key, JsonValue value) {
  assert(kind_ == Kind::kObject);
  members_.emplace_back(std::move(key), std::move(value));
  return *this;
}

JsonValue& JsonValue::Push(JsonValue value) {
  assert(kind_ == Kind::kArray);
  members_.emplace_back("", std::move(value));
  return *this;
}

bool JsonValue::AllScalars() const {
  for (const auto& [key, v] : members_) {
    if (v.kind_ != Kind::kScalar) return false;
  }
  return true;
}

std::string JsonValue::Inline() const {
  if (kind_ == Kind::kScalar) return text_;
  std::string out = kind_ == Kind::kObject ? "{" : "[";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i > 0) out += ", ";
    if (kind_ == Kind::kObject) absl::StrAppend(&out, JsonQuote(members_[i].first), ": ");
    out += members_[i].second.Inline();
  }
  return out + (kind_ == Kind::kObject ? "}" : "]");
}

void JsonValue::Write(std::string& out, int indent) const {
  if (kind_ == Kind::kScalar || members_.empty()) {
    out += Inline();
    return;
  }
  if (AllScalars()) {
    std::string line = Inline();
    if (static_cast<int>(line.size()) + indent <= 120) {
      out += line;
      return;
    }
  }
  out += kind_ == Kind::kObject ? "{\n" : "[\n";
  const std::string pad(indent + 2, ' ');
  for (size_t i = 0; i < members_.size(); ++i) {
    out += pad;
    if (kind_ == Kind::kObject) absl::StrAppend(&out, JsonQuote(members_[i].first), ": ");
    members_[i].second.Write(out, indent + 2);
    out += i + 1 < members_.size() ? ",\n" : "\n";
  }
  absl::StrAppend(&out, std::string(indent, ' '), kind_ == Kind::kObject ? "}" : "]");
}

std::string JsonValue::Dump() const {
  std::string out;
  Write(out, 0);
  return out + "\n";
}

}  // namespace armada::sim
