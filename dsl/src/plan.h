// A query after name resolution: what to scan, how to filter, what to return.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "meridian/dsl/ast.h"
#include "meridian/dsl/catalog_view.h"

namespace meridian::dsl {

enum class SystemAttr : uint8_t {
  kNone,
  kGuid,
  kTypeName,
  kState,
  kCreatedBy,
  kModifiedBy,
  kTimestamp,
  kModificationTimestamp,
  kClassificationNames,
  kPropagatedClassificationNames,
  kLabels,
  kCustomAttributes,
  kIsIncomplete,
  kHistoricalGuids,
  kClassificationsText,
  kPendingTasks,
};

struct PathStep {
  std::string name;
  SystemAttr system = SystemAttr::kNone;
  AttributeInfo info;  // unset for system attributes
};

// A resolved attribute path. Every step but the last is a reference that is traversed.
struct BoundPath {
  std::string text;
  // Non-empty: the path reads attribute steps[0] of the entity's classifications of these
  // types (direct or propagated), e.g. PII.level.
  std::vector<std::string> classification_types;
  std::vector<PathStep> steps;         // empty: the entity itself
  std::vector<std::string> keys;       // keys inside a map/struct value reached by the last step
  ValueKind kind = ValueKind::kOther;  // how the terminal value compares
  bool terminal_reference = false;
};

// Left side of a comparison.
struct BoundValue {
  enum class Kind : uint8_t { kPath, kLiteral, kArithmetic } kind = Kind::kLiteral;
  BoundPath path;
  nlohmann::json literal;
  ArithOp op = ArithOp::kAdd;
  std::vector<BoundValue> children;
};

enum class TagTest : uint8_t { kAnyOf, kAnyTag, kNoTag };

struct BoundExpr {
  enum class Kind : uint8_t { kConst, kCompare, kIsA, kHas, kHasTerm, kTypeIn, kNot, kLogical };
  Kind kind = Kind::kConst;
  bool constant = true;
  // kCompare
  CompareOp op = CompareOp::kEq;
  bool in_list = false;
  BoundValue lhs;
  ValueKind compare_kind = ValueKind::kString;
  std::vector<nlohmann::json> rhs;  // converted to compare_kind (like: the pattern text)
  // kIsA / kHas / kHasTerm: the entity itself (no steps) or related entities
  BoundPath subject;
  BoundPath attribute;                    // kHas
  TagTest tag_test = TagTest::kAnyOf;     // kIsA
  std::unordered_set<std::string> names;  // kIsA: classification types; kTypeIn: entity types
  std::string term;                       // kHasTerm
  // kNot / kLogical
  std::vector<LogicalOp> ops;
  std::vector<BoundExpr> children;
};

struct BoundSelectItem {
  std::string label;
  bool is_aggregate = false;
  AggregateFn fn = AggregateFn::kCount;
  BoundPath path;  // for a select over a referenced attribute: relative to the related entity
  bool has_path = false;
};

struct Plan {
  // Candidates: exact types to scan, or index lookups, or explicit guids.
  std::vector<std::string> scan_types;
  std::unordered_set<std::string> type_set;
  std::string lookup_attr;  // non-empty: LookupEquals(type, attr, value)
  std::vector<nlohmann::json> lookup_values;
  // Non-empty: lookup_attr belongs to the entities this reference attribute points at
  // (of lookup_via_type); candidates are their Referrers through it.
  std::string lookup_via;
  std::string lookup_via_type;
  std::optional<std::vector<std::string>> guids;  // from `__guid = ...`

  std::optional<BoundExpr> filter;
  bool exclude_deleted = true;
  // Some path reads a reference or relationship attribute of the entity (or its terms).
  bool needs_relationships = true;

  bool is_select = false;
  bool is_aggregate = false;
  std::vector<BoundSelectItem> select;
  std::vector<BoundPath> group_by;
  std::optional<PathStep> select_reference;  // select db.name, db.owner: rows per related entity

  std::optional<BoundPath> order_path;
  std::optional<size_t> order_column;  // orderby names a select column
  ValueKind order_kind = ValueKind::kString;
  bool order_descending = false;

  bool unlimited = false;
  int64_t limit = 100;
  int64_t offset = 0;
};

}  // namespace meridian::dsl
