// Public entry points: Parse and ExecuteQuery.
#include "meridian/dsl/dsl.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <utility>

#include "executor.h"
#include "parse_exception.h"
#include "parser.h"
#include "planner.h"

namespace meridian::dsl {
namespace {

Status SyntaxError(const ParseException& e) {
  return Status::InvalidArgument(
      "Invalid DSL query: at position " + std::to_string(e.offset() + 1) + ": " + e.what(),
      "ATLAS-400-00-059");
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

std::unique_ptr<Expr> NameExpr(const std::string& name) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kName;
  e->text = name;
  return e;
}

// Applies the REST `typeName` and `classification` parameters the way Atlas does:
// "typeName query", and "typeName isa classification" when the query is empty.
Query BuildQuery(std::string_view text, const QueryOptions& options) {
  const bool blank = IsBlank(text);
  if (blank && options.type_name.empty() && options.classification.empty()) {
    return ParseQueryText(text);  // reports the empty query
  }
  Query q = blank ? Query() : ParseQueryText(text);
  if (!options.type_name.empty()) {
    Source s;
    s.has_name = true;
    s.name = options.type_name;
    q.sources.insert(q.sources.begin(), std::move(s));
  }
  if (blank && !options.classification.empty()) {
    Source s;
    if (options.type_name.empty()) {
      s.has_name = true;
      s.name = options.classification;
    } else {
      s.condition = std::make_unique<Expr>();
      s.condition->kind = ExprKind::kIsA;
      s.condition->text = options.classification;
      s.condition->children.push_back(NameExpr(options.type_name));
    }
    q.sources.push_back(std::move(s));
  }
  return q;
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
                                   "ATLAS-400-00-058");
  }
  try {
    Query q = BuildQuery(query, options);
    Plan plan = BuildPlan(catalog, q, options);
    return RunPlan(catalog, plan);
  } catch (const ParseException& e) {
    return SyntaxError(e);
  } catch (const StatusException& e) {
    return e.status();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("DSL query failed: ") + e.what());
  }
}

}  // namespace meridian::dsl
