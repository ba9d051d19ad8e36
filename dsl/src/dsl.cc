// Public entry points: Parse and ExecuteQuery.
#include "meridian/dsl/dsl.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "executor.h"
#include "parse_exception.h"
#include "parser.h"
#include "planner.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::dsl {
namespace {

Status SyntaxError(const ParseException& e) {
  return Status::InvalidArgument(
      "Invalid DSL query: at position " + std::to_string(e.offset() + 1) + ": " + e.what(),
      atlas_code::kInvalidDslQuery);
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

// Applies the REST `typeName` and `classification` parameters the way Atlas does: the
// query runs as "typeName query", or "typeName isa classification" when it is empty.
// Returns the text to parse and how many characters precede the caller's query in it.
std::pair<std::string, size_t> EffectiveQuery(std::string_view query, const QueryOptions& options) {
  auto quote = [](const std::string& name) { return "`" + name + "`"; };
  if (IsBlank(query) && !options.classification.empty()) {
    if (options.type_name.empty()) return {quote(options.classification), 0};
    return {quote(options.type_name) + " isa " + quote(options.classification), 0};
  }
  if (options.type_name.empty()) return {std::string(query), 0};
  std::string prefix = quote(options.type_name) + " ";
  const size_t shift = prefix.size();
  return {prefix + std::string(query), shift};
}

}  // namespace

Result<Query> Parse(std::string_view query) {
  try {
    return ParseQueryText(query);
  } catch (const ParseException& e) {
    return SyntaxError(e);
  }
}

Result<QueryResult> ExecuteQuery(const CatalogView& catalog, std::string_view query,
                                 const QueryOptions& options) {
  if (query.size() > options.max_query_length) {
    return Status::InvalidArgument("Invalid query length: " + std::to_string(query.size()) +
                                       " characters exceeds the limit of " +
                                       std::to_string(options.max_query_length),
                                   atlas_code::kInvalidQueryLength);
  }
  const auto [text, shift] = EffectiveQuery(query, options);
  try {
    Query q = ParseQueryText(text);
    Plan plan = BuildPlan(catalog, q, options);
    return RunPlan(catalog, plan, options.deadline);
  } catch (const ParseException& e) {
    // Positions refer to the caller's query, not to the typeName prefix.
    return SyntaxError(ParseException(e.offset() >= shift ? e.offset() - shift : 0, e.what()));
  } catch (const StatusException& e) {
    return e.status();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("DSL query failed: ") + e.what());
  }
}

}  // namespace meridian::dsl
