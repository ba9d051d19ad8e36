// SearchService: Atlas's /v2/search endpoints (basic, full-text, quick,
// suggestions, attribute, relationship, DSL) over the catalog and its index.
//
// Read-your-writes: every index-backed search first waits (bounded by
// IndexerOptions::max_wait) until the indexer has applied all writes the
// catalog had acknowledged when the search began, so a search issued after a
// 200 on a create finds the entity.
//
// Filters: the index narrows candidates (type, classification, text, status,
// term, and the filter criteria it can express); entityFilters/tagFilters are
// then evaluated exactly on the stored records, visiting at most
// SearchOptions::filter_scan_budget candidates per request.
//
// Thread-safety: all methods are const and safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/index/indexer.h"
#include "meridian/index/search_index.h"
#include "meridian/status.h"

namespace meridian::search {

using nlohmann::json;

struct SearchOptions {
  // Default: 100. Page size when limit is absent, <= 0 or above max_limit.
  int default_limit = 100;
  // Default: 10000.
  int max_limit = 10000;
  // Default: 100000. Candidates visited per filtered search (or sort on a
  // non-indexed attribute); counts beyond it are estimates.
  size_t filter_scan_budget = 100000;
};

struct RelationshipSearch {
  std::string guid;
  std::string relation;  // attribute name ("columns") or edge label ("__hive_table.columns")
  std::vector<std::string> attributes;
  std::string sort_by;
  bool descending = false;
  bool exclude_deleted = false;
  bool approximate_count = false;
  int limit = 0;
  int offset = 0;
};

struct DslSearch {
  std::string query;
  std::string type_name;
  std::string classification;
  int limit = 0;
  int offset = 0;
};

class SearchService {
 public:
  // `indexer` may be null (no read-your-writes wait, e.g. in offline tools).
  SearchService(catalog::Catalog* catalog, const index::SearchIndex* index, index::Indexer* indexer,
                SearchOptions options = {});

  // Deadlines: the searches below that take one wait for the index and visit
  // candidates no longer than it allows, then return DeadlineExceeded (504).

  // SearchParameters -> AtlasSearchResult (queryType BASIC).
  Result<json> Basic(const json& params, const Deadline& deadline = {}) const;
  // GET /search/fulltext.
  Result<json> FullText(const std::string& query, bool exclude_deleted, int limit, int offset,
                        const Deadline& deadline = {}) const;
  // GET/POST /search/quick: {searchResults, aggregationMetrics}.
  Result<json> Quick(const json& params, const Deadline& deadline = {}) const;
  // GET /search/suggestions.
  Result<json> Suggestions(const std::string& prefix, const std::string& field) const;
  // GET /search/attribute: prefix match on one attribute (queryType ATTRIBUTE).
  Result<json> Attribute(const std::string& attr, const std::string& prefix, const std::string& type_name, int limit,
                         int offset, const Deadline& deadline = {}) const;
  // GET /search/relationship (queryType RELATIONSHIP).
  Result<json> Relationship(const RelationshipSearch& request) const;
  // GET /search/dsl. Unavailable when built without the DSL library.
  Result<json> Dsl(const DslSearch& request) const;

  // Waits for the indexer to apply every write acknowledged so far (bounded by
  // IndexerOptions::max_wait, then searches what is indexed), or until
  // `deadline` expires: then DeadlineExceeded.
  Status WaitForIndex(const Deadline& deadline = {}) const;

  const catalog::Catalog& catalog() const { return *catalog_; }
  const index::SearchIndex& index() const { return *index_; }

 private:
  // Runs SearchParameters; `aggregation` (quick search) receives per-type counts.
  Result<json> Run(const json& params, const std::string& query_type, bool quick, json* aggregation,
                   const Deadline& deadline) const;
  // The header of `record` plus the requested `attributes` (references land in *referred).
  json HeaderWith(const json& record, const std::vector<std::string>& attributes, bool with_classifications,
                  json* referred) const;
  int Limit(const json& v) const;

  catalog::Catalog* catalog_;
  const index::SearchIndex* index_;
  index::Indexer* indexer_;
  SearchOptions options_;
};

}  // namespace meridian::search
