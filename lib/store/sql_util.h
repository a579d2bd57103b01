#pragma once

// Small conversions between C++ values and PostgreSQL text forms, shared by the
// store's repositories.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"

namespace armada::store {

// A text[] literal ("{"a","b"}") for `$1::text[]` parameters: libpqxx 6.4 has
// no array parameters.
std::string TextArray(const std::vector<std::string>& values);

// The same with NULL elements (nullopt), for `unnest` over columns some of
// whose values are absent; cast the elements in SQL (`u.x::int`).
std::string TextArray(const std::vector<std::optional<std::string>>& values);

// The elements of a text[] field (NULL elements are skipped).
std::vector<std::string> TextArrayFromField(const pqxx::field& field);

// The raw bytes of a bytea field.
std::string BytesFromField(const pqxx::field& field);

// Hex bytea input form ("\x0a1b...") for COPY.
std::string ByteaHex(const std::string& bytes);

// Timestamps travel as microseconds since the epoch (to_timestamp / extract).
double ToEpochSeconds(absl::Time t);
absl::Time FromEpochSeconds(double seconds);

// {"cpu": 1000, ...} in milli-units, and back.
std::string ResourcesToJson(const model::ResourceList& resources);
model::ResourceList ResourcesFromJson(const std::string& json);
std::string LabelsToJson(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> LabelsFromJson(const std::string& json);
// Kubernetes' JSON shapes: [{"key", "operator", "value", "effect"}] and
// [{"matchExpressions": [{"key", "operator", "values"}]}].
std::string TolerationsToJson(const std::vector<model::Toleration>& tolerations);
std::vector<model::Toleration> TolerationsFromJson(const std::string& json);
std::string AffinityToJson(const std::vector<model::NodeSelectorTerm>& terms);
std::vector<model::NodeSelectorTerm> AffinityFromJson(const std::string& json);

}  // namespace armada::store
