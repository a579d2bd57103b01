// Output of armadactl's `get` commands: `-o table|yaml|json`, aligned text tables, and protobuf
// messages as YAML or JSON. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace armada::cli {

enum class OutputFormat { kTable, kYaml, kJson };

// The values of `-o`, in the order they are documented.
inline const std::vector<std::string> kOutputFormatNames = {"table", "yaml", "json"};

// ParseOutputFormat(name): "table", "yaml" or "json". kInvalidArgument names the valid values.
absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& name);

// Table: columns separated by two spaces, each as wide as its widest cell, headers in capitals
// as given, no trailing spaces. Empty cells print as "-" so that columns stay splittable by
// whitespace (awk '{print $2}').
//
//   NAME     PRIORITY FACTOR  CORDONED
//   queue-a  1                false
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Adds a row; missing trailing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // Render(): the header line and one line per row, each ending in "\n".
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// MessageToJson(message): the message in protobuf's JSON mapping (camelCase names, enums by
// name, Timestamps as RFC 3339), fields in declaration order, unset fields omitted.
nlohmann::ordered_json MessageToJson(const google::protobuf::Message& message);

// JsonToYaml(value): the value as block-style YAML ending in "\n" ("[]\n" / "{}\n" when empty).
// Strings that would read back as another type ("true", "1", "") are quoted.
std::string JsonToYaml(const nlohmann::ordered_json& value);

// JsonText(value): pretty JSON, indented by 2, ending in "\n".
std::string JsonText(const nlohmann::ordered_json& value);

// FormatTimestamp(ts): "2024-05-01T12:00:03Z" (UTC, seconds), or "-" when unset (zero).
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

// FormatNumber(value): shortest decimal that reads back as `value`: 1, 2.5, 0.1.
std::string FormatNumber(double value);

}  // namespace armada::cli
