// Basic-search filter criteria (SearchParameters.entityFilters / tagFilters):
// parsing, exact evaluation against a record, and translation into an index
// query that selects a superset of the matches.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/index/search_index.h"
#include "meridian/status.h"
#include "meridian/types/type_registry.h"

namespace meridian::search {

using nlohmann::json;

enum class Op : uint8_t {
  kLt, kGt, kLte, kGte, kEq, kNeq, kIn, kLike, kStartsWith, kEndsWith, kContains, kNotContains,
  kContainsAny, kContainsAll, kIsNull, kNotNull, kNotEmpty, kTimeRange,
};

// Accepts every spelling Atlas accepts ("<", "lt", "startsWith", "begins_with", ...).
Result<Op> ParseOp(std::string_view spelling);
// The spelling Atlas writes back ("<", "startsWith", ...).
std::string_view OpName(Op op);

struct Filter {
  bool is_group = false;
  bool is_or = false;            // group: OR instead of AND
  std::vector<Filter> children;  // group
  std::string attribute;         // leaf
  Op op = Op::kEq;
  std::string value;             // leaf: attributeValue as text
};

// Parses a filter node. `type` (may be null) validates attribute names: an
// attribute that is neither a system attribute (`__guid`, ...) nor one of the
// type's attributes is refused with ATLAS-400-00-01A.
Result<Filter> ParseFilter(const json& node, const types::TypeDef* type);

// The value of `attribute` for one candidate (null when absent).
using ValueGetter = std::function<json(const std::string& attribute)>;

// Exact evaluation. `now_ms` anchors TIME_RANGE keywords (LAST_7_DAYS, TODAY, ...).
bool Evaluate(const Filter& filter, const ValueGetter& get, int64_t now_ms);

// Business attributes are named `<businessMetadata>.<attribute>` (src/search/business_filters.cc).
bool IsBusinessAttribute(const std::string& attribute);
// The value of business attribute `bm.attr` of an entity record (null when absent).
json BusinessValue(const json& record, const std::string& attribute);
// Refuses business attributes in `filter` that do not exist or do not apply to
// `type` (ATLAS-400-00-01A, as for unknown attributes).
Status CheckBusinessAttributes(const Filter& filter, const types::TypeRegistry& reg, const types::TypeDef* type);

// Values of an entity record's attributes, system attributes and business
// attributes (`bm.attr`) included.
json EntityValue(const json& record, const std::string& attribute);

// An index query matching every record the filter may accept (Query::All when
// nothing can be narrowed). `type` gives attribute types (may be null).
index::Query Translate(const Filter& filter, const types::TypeDef* type, int64_t now_ms);

// [start, end] in ms for a TIME_RANGE value ("LAST_7_DAYS", "start,end", ...).
bool TimeRange(const std::string& value, int64_t now_ms, int64_t* start, int64_t* end);

}  // namespace meridian::search
