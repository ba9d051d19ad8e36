// Value helpers shared by the planner and executor: dates, globs, typed comparison.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "meridian/dsl/ast.h"
#include "meridian/dsl/catalog_view.h"

namespace meridian::dsl {

// "yyyy-MM-dd" or "yyyy-MM-ddTHH:mm:ss.SSSZ" (UTC) as epoch milliseconds.
std::optional<int64_t> ParseDslDate(std::string_view text);

// Whole-value, case-sensitive match: '*' any run, '?' one character, '[...]' one character
// of a set or range ('[0-2]', '[^a-c]'); UTF-8 aware. A '[' without a closing ']' is literal.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Strings as they are, numbers and booleans as their JSON text, other values dumped.
std::string ToText(const nlohmann::json& value);

// Dates as epoch ms: integers, finite in-range doubles, DSL date strings, digit strings.
std::optional<int64_t> ToEpochMillis(const nlohmann::json& value);

// A double as int64_t, or nullopt when it is not finite or out of range.
std::optional<int64_t> DoubleToInt64(double d);

// Numbers, numeric strings and booleans (1/0) as a number.
std::optional<double> ToNumber(const nlohmann::json& value);

// Orders two values of the given kind: <0, 0, >0, or nullopt when they cannot be compared.
// Strings compare byte-wise (case-sensitive); dates and numbers numerically.
std::optional<int> CompareAs(ValueKind kind, const nlohmann::json& a, const nlohmann::json& b);

// Like CompareAs, but strings compare case-insensitively (min/max semantics).
std::optional<int> CompareForAggregate(ValueKind kind, const nlohmann::json& a,
                                       const nlohmann::json& b);

// True for kinds compared as text (strings, enums, references, anything unknown).
bool IsTextKind(ValueKind kind);

// Numeric a op b (integers stay integers except for division); nullopt when an operand is
// not numeric or on division by zero.
std::optional<nlohmann::json> ApplyArith(ArithOp op, const nlohmann::json& a,
                                         const nlohmann::json& b);

// Kind of the elements of "array<X>"/"set<X>", or of a primitive type name.
ValueKind KindOfTypeName(std::string_view type_name);

}  // namespace meridian::dsl
