#pragma once

// JsonValue: a minimal JSON document builder with deterministic, diff-friendly output. The sim
// writes its own JSON so that it needs no JSON library in the proto-free (unit-only) build.

#include <string>
#include <utility>
#include <vector>

namespace armada::sim {

class JsonValue {
 public:
  static JsonValue String(std::string s);
  // Number(text): `text` is written as is; callers pass a valid JSON number.
  static JsonValue Number(std::string text);
  static JsonValue Int(long long v);
  // Fixed(v): v rounded to 4 decimals, trailing zeros dropped ("0.3333", "0.5", "1").
  static JsonValue Fixed(double v);
  static JsonValue Object();
  static JsonValue Array();

  // Set(key, value): appends a member to an object (members keep insertion order). REQUIRES: an
  // object; keys are not checked for uniqueness.
  JsonValue& Set(std::string key, JsonValue value);
  // Push(value): appends to an array. REQUIRES: an array.
  JsonValue& Push(JsonValue value);

  // Dump(): the document, 2-space indented. An object or array whose members are all scalars is
  // written on one line when, indented, it fits in 120 columns (a key in front may add more).
  std::string Dump() const;

 private:
  enum class Kind { kScalar, kObject, kArray };
  JsonValue(Kind kind, std::string text) : kind_(kind), text_(std::move(text)) {}
  bool AllScalars() const;
  std::string Inline() const;
  void Write(std::string& out, int indent) const;

  Kind kind_;
  std::string text_;                                        // the scalar's JSON text
  std::vector<std::pair<std::string, JsonValue>> members_;  // object; array keys are ""
};

// Quote(s): s as a JSON string literal.
std::string JsonQuote(const std::string& s);

// FormatFixed(v): v with at most 4 decimals, trailing zeros dropped; "-0" becomes "0".
std::string FormatFixed(double v);

}  // namespace armada::sim
