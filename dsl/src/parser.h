// Hand-written recursive-descent parser for the Atlas DSL grammar (docs: atlas-dsl.md §2).
#pragma once

#include <string_view>

#include "meridian/dsl/ast.h"

namespace meridian::dsl {

// Parses a whole query. Throws ParseException with the offset of the offending token.
// Expression nesting deeper than kMaxExpressionDepth is refused, never recursed into.
Query ParseQueryText(std::string_view query);

}  // namespace meridian::dsl
