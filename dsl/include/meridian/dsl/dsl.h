// Atlas DSL ("advanced search"): parse a query and run it against a CatalogView.
//
// Thread-safety: stateless free functions; concurrent calls are safe as long as the
// CatalogView is. Errors come back as Status values carrying Atlas error codes:
//   ATLAS-400-00-059  syntax error ("Invalid DSL query: at position N: expected ... but found ...",
//                     N is the 1-based character position in the query text)
//   ATLAS-400-00-058  query longer than QueryOptions::max_query_length
//   ATLAS-400-00-05B  unknown type; -05C unknown classification; -05D unknown attribute;
//   -05E bad orderby; -060/-061/-062 bad select (-061 also: groupby on a reference or a
//   referred attribute, as Atlas); -063 unknown `has`
//   attribute; -066 duplicate alias; -067 bad date; -068 `has` on a non-primitive.
//   ATLAS-504-00-001  QueryOptions::deadline expired or was cancelled while the query ran
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "meridian/dsl/ast.h"
#include "meridian/dsl/catalog_view.h"
#include "meridian/deadline.h"
#include "meridian/status.h"

namespace meridian::dsl {

inline constexpr size_t kMaxExpressionDepth = 64;

struct QueryOptions {
  // REST `typeName`: the query runs as "<type_name> <query>". Default: none.
  std::string type_name;
  // REST `classification`: with an empty query the query becomes "<type_name> isa <c>"
  // (or just "<c>" without type_name); ignored when the query is not empty.
  std::string classification;
  // REST paging, used when the query has no `limit` of its own. A limit <= 0 or above
  // max_limit becomes default_limit; a negative offset becomes 0.
  int limit = 100;
  int offset = 0;
  int default_limit = 100;
  // Upper bound for any limit, including one written in the query. Default: 10000.
  int max_limit = 10000;
  // Longer query texts are refused with ATLAS-400-00-058. Default: 4096.
  size_t max_query_length = 4096;
  // Hide entities whose status is DELETED, unless the query itself tests `__state`.
  // (Apache Atlas applies no such filter; set false for strict compatibility.)
  bool exclude_deleted = true;
  // Checked every few hundred entities read; once it expires or is cancelled the query stops
  // and returns its Status (DeadlineExceeded: HTTP 504, ATLAS-504-00-001). Default: none.
  Deadline deadline;
};

struct QueryResult {
  // False: an entity query; entity_guids holds the page of matches in order.
  // True: a select/aggregate query; column_names and rows hold the table.
  bool is_select = false;
  std::vector<std::string> entity_guids;
  std::vector<std::string> column_names;
  std::vector<std::vector<nlohmann::json>> rows;
  // Entities that passed the filter and were visited (for a select, before dedup/paging).
  // Zero means "no matches": Atlas then omits both `entities` and `attributes`.
  size_t matched_entities = 0;
};

// Parses `query` into a syntax tree (no catalog needed). Errors: ATLAS-400-00-059.
Result<Query> Parse(std::string_view query);

// Parses, resolves against `catalog` and runs `query` with the REST parameters in `options`.
Result<QueryResult> ExecuteQuery(const CatalogView& catalog, std::string_view query,
                                 const QueryOptions& options);

}  // namespace meridian::dsl
