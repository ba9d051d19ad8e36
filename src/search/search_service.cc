#include "meridian/search/search_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "meridian/search/filters.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

namespace {

using index::Query;
using index::SortKey;

// Extra candidates visited past a full page, so small result sets get exact counts.
constexpr size_t kCountBudget = 2000;
constexpr size_t kMaxSuggestions = 5;
// Candidates visited between two deadline checks.
constexpr size_t kDeadlineStride = 256;

bool BoolParam(const json& p, const char* key, bool def) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return def;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "true";
  return def;
}

std::string StrParam(const json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int IntParam(const json& p, const char* key, int def) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return def;
  if (it->is_number()) return it->get<int>();
  if (it->is_string()) {
    try {
      return std::stoi(it->get<std::string>());
    } catch (const std::exception&) {
      return def;
    }
  }
  return def;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p <= s.size()) {
    size_t q = s.find(sep, p);
    if (q == std::string::npos) q = s.size();
    if (q > p) out.push_back(s.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

bool HasFilter(const json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && it->is_object() && !it->empty();
}

std::optional<SortKey> IndexedSort(const std::string& sort_by) {
  if (sort_by == "name") return SortKey::kName;
  if (sort_by == "qualifiedName") return SortKey::kQualifiedName;
  if (sort_by == "__timestamp") return SortKey::kCreateTime;
  if (sort_by == "__modificationTimestamp") return SortKey::kUpdateTime;
  if (sort_by == "__typeName") return SortKey::kTypeName;
  if (sort_by == "__guid") return SortKey::kGuid;
  return std::nullopt;
}

// Orders JSON values with nulls last.
bool ValueLess(const json& a, const json& b) {
  if (a.is_null() != b.is_null()) return b.is_null();
  if (a.is_string() && b.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  return a < b;
}

// One planned search: the index query plus the exact post-filters.
struct Plan {
  Query base;
  std::optional<Filter> entity_filter;
  std::optional<Filter> tag_filter;
  std::set<std::string> tag_names;  // classifications the tag filter applies to (empty: any)
  std::optional<SortKey> indexed_sort;
  std::string memory_sort;  // attribute sorted in memory when not indexed
  bool descending = false;
  size_t offset = 0;
  size_t limit = 100;
  std::vector<std::string> attributes;
  bool with_classifications = false;
};

}  // namespace

SearchService::SearchService(catalog::Catalog* catalog, const index::SearchIndex* index, index::Indexer* indexer,
                             SearchOptions options)
    : catalog_(catalog), index_(index), indexer_(indexer), options_(options) {}

Status SearchService::WaitForIndex(const Deadline& deadline) const {
  if (indexer_ && !indexer_->WaitForLatest(deadline)) return deadline.Check("waiting for the search index");
  return Status::Ok();
}

int SearchService::Limit(const json& v) const {
  int limit = v.is_number() ? v.get<int>() : options_.default_limit;
  return limit <= 0 || limit > options_.max_limit ? options_.default_limit : limit;
}

json SearchService::HeaderWith(const json& record, const std::vector<std::string>& attributes,
                               bool with_classifications, json* referred) const {
  json h = catalog_->Header(record, with_classifications);
  if (attributes.empty()) return h;
  auto reg = catalog_->types();
  const types::TypeDef* t = reg->FindEntity(record.value("typeName", ""));
  const json attrs = record.value("attributes", json::object());
  for (const auto& a : attributes) {
    auto it = attrs.find(a);
    if (it != attrs.end()) {
      h["attributes"][a] = *it;
      continue;
    }
    if (!t) continue;
    auto rel = t->relationship_attributes.find(a);
    if (rel == t->relationship_attributes.end()) continue;
    json ids = json::array();
    for (const auto& e : catalog_->Edges(record.value("guid", ""), a)) {
      if (!e.active) continue;
      auto other = catalog_->LoadRecord(e.other);
      if (!other.ok()) continue;
      json unique = json::object();
      auto qn = (*other)["attributes"].find("qualifiedName");
      if (qn != (*other)["attributes"].end()) unique["qualifiedName"] = *qn;
      ids.push_back({{"guid", e.other}, {"typeName", (*other)["typeName"]}, {"uniqueAttributes", unique}});
      if (referred) (*referred)[e.other] = catalog_->Header(*other);
    }
    if (rel->second.front().multi) h["attributes"][a] = ids;
    else if (!ids.empty()) h["attributes"][a] = ids[0];
  }
  return h;
}

Result<json> SearchService::Run(const json& params, const std::string& query_type, bool quick, json* aggregation,
                                const Deadline& deadline) const {
  if (!params.is_object()) return Status::InvalidArgument("search parameters must be a JSON object");
  std::string type_name = StrParam(params, "typeName");
  const std::string classification = StrParam(params, "classification");
  const std::string query = StrParam(params, "query");
  const std::string term = StrParam(params, "termName");
  if (quick && type_name.empty()) type_name = "_ALL_ENTITY_TYPES";
  if (type_name.empty() && classification.empty() && query.empty() && term.empty())
    return Status::InvalidArgument("Invalid search query: one of typeName, classification, query or termName is "
                                   "required", atlas_code::kInvalidSearchParams);
  if (HasFilter(params, "entityFilters") && type_name.empty())
    return Status::InvalidArgument("EntityFilters specified without Type name", atlas_code::kInvalidParameters);

  auto reg = catalog_->types();
  const int64_t now = catalog::NowMillis();
  Plan plan;
  plan.limit = static_cast<size_t>(Limit(params.contains("limit") ? json(IntParam(params, "limit", 0)) : json()));
  plan.offset = static_cast<size_t>(std::max(0, IntParam(params, "offset", 0)));
  plan.with_classifications = BoolParam(params, "includeClassificationAttributes", false);
  if (auto a = params.find("attributes"); a != params.end() && a->is_array())
    for (const json& x : *a)
      if (x.is_string()) plan.attributes.push_back(x.get<std::string>());

  std::vector<Query> parts;
  const types::TypeDef* filter_type = nullptr;
  if (!type_name.empty() && type_name != "_ALL_ENTITY_TYPES") {
    bool subtypes = BoolParam(params, "includeSubTypes", true);
    std::vector<Query> types_q;
    for (const auto& n : Split(type_name, ',')) {
      const types::TypeDef* def = reg->FindEntity(n);
      if (!def) return Status::InvalidArgument("Given typename " + n + " was invalid", atlas_code::kUnknownTypename);
      if (!filter_type) filter_type = def;
      types_q.push_back(Query::Type(n, subtypes));
    }
    parts.push_back(Query::Or(std::move(types_q)));
  }
  bool not_classified = false;
  if (!classification.empty()) {
    if (classification == "*" || classification == "_CLASSIFIED") {
      parts.push_back(Query::Classified());
    } else if (classification == "_NOT_CLASSIFIED") {
      not_classified = true;
    } else {
      bool subs = BoolParam(params, "includeSubClassifications", true);
      std::vector<std::string> names;
      if (classification.back() == '*') {
        std::string prefix = classification.substr(0, classification.size() - 1);
        for (const auto& [name, def] : reg->all())
          if (def.category == types::Category::kClassification && name.starts_with(prefix)) names.push_back(name);
      } else {
        if (!reg->FindClassification(classification))
          return Status::InvalidArgument("Classification " + classification + " is not a valid classification type",
                                         atlas_code::kUnknownClassification);
        names = subs ? reg->SelfAndSubTypes(classification) : std::vector<std::string>{classification};
      }
      std::vector<Query> cq;
      for (const auto& n : names) {
        cq.push_back(Query::Classification(n));
        plan.tag_names.insert(n);
      }
      parts.push_back(Query::Or(std::move(cq)));
    }
  }
  if (!query.empty() && query != "*") parts.push_back(Query::Text(query));
  if (!term.empty()) parts.push_back(Query::Meaning(term));
  if (BoolParam(params, "excludeDeletedEntities", false)) parts.push_back(Query::Status("ACTIVE"));
  if (HasFilter(params, "entityFilters")) {
    ASSIGN_OR_RETURN(Filter f, ParseFilter(params["entityFilters"], filter_type));
    RETURN_IF_ERROR(CheckBusinessAttributes(f, *reg, filter_type));
    parts.push_back(Translate(f, filter_type, now));
    plan.entity_filter = std::move(f);
  }
  if (HasFilter(params, "tagFilters")) {
    const types::TypeDef* ct = plan.tag_names.size() == 1 ? reg->FindClassification(*plan.tag_names.begin()) : nullptr;
    ASSIGN_OR_RETURN(Filter f, ParseFilter(params["tagFilters"], ct));
    plan.tag_filter = std::move(f);
  }
  plan.base = Query::And(std::move(parts));
  if (not_classified) plan.base = Query::AndNot(plan.base, Query::Classified());

  const std::string sort_by = StrParam(params, "sortBy");
  plan.descending = StrParam(params, "sortOrder") == "DESCENDING";
  if (sort_by.empty()) plan.indexed_sort = query.empty() || query == "*" ? SortKey::kDocument : SortKey::kRelevance;
  else if ((plan.indexed_sort = IndexedSort(sort_by))) {
  } else plan.memory_sort = sort_by;

  RETURN_IF_ERROR(WaitForIndex(deadline));

  auto passes = [&](const json& rec) {
    if (plan.entity_filter &&
        !Evaluate(*plan.entity_filter, [&](const std::string& a) { return EntityValue(rec, a); }, now))
      return false;
    if (!plan.tag_filter) return true;
    for (const json& c : catalog_->Classifications(rec)) {
      const std::string name = c.value("typeName", "");
      if (!plan.tag_names.empty() && !plan.tag_names.count(name)) continue;
      auto get = [&](const std::string& a) -> json {
        if (a == "__typeName") return name;
        if (a == "__entityGuid") return c.value("entityGuid", "");
        auto attrs = c.find("attributes");
        if (attrs == c.end() || !attrs->is_object()) return json();
        auto v = attrs->find(a);
        return v == attrs->end() ? json() : *v;
      };
      if (Evaluate(*plan.tag_filter, get, now)) return true;
    }
    return false;
  };

  std::vector<json> page;
  int64_t count = 0;
  const bool post = plan.entity_filter || plan.tag_filter;
  if (!post && plan.indexed_sort) {
    index::SearchRequest req{plan.base, *plan.indexed_sort, plan.descending, plan.offset, plan.limit,
                             plan.offset + plan.limit, false};
    ASSIGN_OR_RETURN(index::SearchHits hits, index_->Search(req));
    RETURN_IF_ERROR(deadline.Check("search"));
    RETURN_IF_ERROR(catalog_->LoadRecords(hits.guids, [&](const std::string&, Result<json> rec) {
      if (rec.ok()) page.push_back(std::move(*rec));  // one the index still lists but the store purged: skipped
      return true;
    }));
    count = static_cast<int64_t>(hits.estimated);
  } else {
    std::vector<json> kept;
    size_t visited = 0, matched = 0;
    bool exhausted = true;
    const size_t wanted = plan.offset + plan.limit;
    Status expired;
    RETURN_IF_ERROR(index_->ForEach(
        plan.base, plan.indexed_sort.value_or(SortKey::kDocument), plan.descending, [&](const std::string& guid) {
          if (visited % kDeadlineStride == 0 && !(expired = deadline.Check("search")).ok()) return false;
          if (visited >= options_.filter_scan_budget ||
              (plan.memory_sort.empty() && matched >= wanted && visited >= wanted + kCountBudget)) {
            exhausted = false;
            return false;
          }
          ++visited;
          auto rec = catalog_->LoadRecord(guid);
          if (!rec.ok() || !passes(*rec)) return true;
          ++matched;
          if (!plan.memory_sort.empty() || matched <= wanted) kept.push_back(std::move(*rec));
          return true;
        }));
    RETURN_IF_ERROR(expired);
    if (!plan.memory_sort.empty()) {
      std::stable_sort(kept.begin(), kept.end(), [&](const json& a, const json& b) {
        json va = EntityValue(a, plan.memory_sort), vb = EntityValue(b, plan.memory_sort);
        return plan.descending ? ValueLess(vb, va) : ValueLess(va, vb);
      });
    }
    for (size_t i = plan.offset; i < kept.size() && page.size() < plan.limit; ++i) page.push_back(std::move(kept[i]));
    count = static_cast<int64_t>(matched);
    if (!exhausted && visited > 0) {
      index::SearchRequest req{plan.base, SortKey::kDocument, false, 0, 0, 0, false};
      ASSIGN_OR_RETURN(index::SearchHits hits, index_->Search(req));
      count = std::max<int64_t>(count, static_cast<int64_t>(static_cast<double>(hits.estimated) * matched / visited));
    }
  }

  json echo = params;
  echo["limit"] = plan.limit;
  echo["offset"] = plan.offset;
  json result = {{"queryType", query_type}, {"searchParameters", echo}, {"approximateCount", count}};
  if (!page.empty()) {
    json referred = json::object();
    json entities = json::array();
    for (const json& rec : page) entities.push_back(HeaderWith(rec, plan.attributes, plan.with_classifications, &referred));
    result["entities"] = std::move(entities);
    if (!referred.empty()) result["referredEntities"] = std::move(referred);
  }
  if (aggregation) {
    index::SearchRequest req{plan.base, SortKey::kDocument, false, 0, 0, 0, true};
    ASSIGN_OR_RETURN(index::SearchHits hits, index_->Search(req));
    json counts = json::array();
    std::sort(hits.type_counts.begin(), hits.type_counts.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [name, n] : hits.type_counts) counts.push_back({{"name", name}, {"count", n}});
    *aggregation = {{"__typeName", counts}};
  }
  return result;
}

Result<json> SearchService::Basic(const json& params, const Deadline& deadline) const {
  return Run(params, "BASIC", false, nullptr, deadline);
}

Result<json> SearchService::Quick(const json& params, const Deadline& deadline) const {
  json aggregation;
  ASSIGN_OR_RETURN(json results, Run(params, "BASIC", true, &aggregation, deadline));
  return json{{"searchResults", results}, {"aggregationMetrics", aggregation}};
}

Result<json> SearchService::FullText(const std::string& query, bool exclude_deleted, int limit, int offset,
                                     const Deadline& deadline) const {
  if (query.empty()) return Status::InvalidArgument("Invalid full-text query: query is empty", atlas_code::kInvalidParameters);
  limit = Limit(json(limit));
  offset = std::max(0, offset);
  std::vector<Query> parts = {query == "*" ? Query::All() : Query::Text(query)};
  if (exclude_deleted) parts.push_back(Query::Status("ACTIVE"));
  RETURN_IF_ERROR(WaitForIndex(deadline));
  index::SearchRequest req{Query::And(std::move(parts)), SortKey::kRelevance, false, static_cast<size_t>(offset),
                           static_cast<size_t>(limit), static_cast<size_t>(offset + limit), false};
  ASSIGN_OR_RETURN(index::SearchHits hits, index_->Search(req));
  RETURN_IF_ERROR(deadline.Check("full-text search"));
  json result = {{"queryType", "FULL_TEXT"}, {"queryText", query}, {"approximateCount", hits.estimated}};
  json rows = json::array();
  for (size_t i = 0; i < hits.guids.size(); ++i) {
    auto rec = catalog_->LoadRecord(hits.guids[i]);
    if (rec.ok()) rows.push_back({{"entity", catalog_->Header(*rec)}, {"score", hits.scores[i]}});
  }
  if (!rows.empty()) result["fullTextResult"] = std::move(rows);
  return result;
}

Result<json> SearchService::Suggestions(const std::string& prefix, const std::string& field) const {
  json out = {{"suggestions", json::array()}, {"prefixString", prefix}, {"fieldName", field}};
  if (prefix.empty()) return out;
  WaitForIndex().PermitUnchecked();
  std::vector<std::string> fields = field.empty() ? std::vector<std::string>{"name", "qualifiedName"}
                                                  : std::vector<std::string>{field};
  std::set<std::string> seen;
  for (const auto& f : fields) {
    Query q = Query::AttributePrefix(f, prefix);
    ASSIGN_OR_RETURN(auto terms, index_->TermsWithPrefix(q.term, kMaxSuggestions));
    for (const auto& [term, guid] : terms) {
      std::string value = term.substr(q.term.size() - prefix.size());
      auto rec = catalog_->LoadRecord(guid);
      if (rec.ok()) {
        json v = EntityValue(*rec, f);
        if (v.is_string()) value = v.get<std::string>();
      }
      if (seen.size() < kMaxSuggestions && seen.insert(value).second) out["suggestions"].push_back(value);
    }
  }
  return out;
}

Result<json> SearchService::Attribute(const std::string& attr, const std::string& prefix, const std::string& type_name,
                                      int limit, int offset, const Deadline& deadline) const {
  std::string name = attr;
  if (name.empty()) {
    name = "qualifiedName";
    auto reg = catalog_->types();
    const types::TypeDef* t = type_name.empty() ? nullptr : reg->FindEntity(type_name);
    if (t && !t->FindAttribute("qualifiedName") && t->FindAttribute("name")) name = "name";
  }
  json params = {{"typeName", type_name.empty() ? "_ALL_ENTITY_TYPES" : type_name},
                 {"excludeDeletedEntities", true},
                 {"limit", limit},
                 {"offset", offset},
                 {"entityFilters", {{"attributeName", name}, {"operator", "startsWith"}, {"attributeValue", prefix}}}};
  return Run(params, "ATTRIBUTE", false, nullptr, deadline);
}

Result<json> SearchService::Relationship(const RelationshipSearch& r) const {
  ASSIGN_OR_RETURN(json rec, catalog_->LoadRecord(r.guid));
  auto reg = catalog_->types();
  const types::TypeDef* t = reg->FindEntity(rec.value("typeName", ""));
  std::string attr = r.relation;
  if (t && !t->relationship_attributes.count(attr)) {
    for (const auto& [name, ends] : t->relationship_attributes)
      for (const auto& e : ends)
        if (e.label == r.relation) attr = name;
  }
  if (attr.empty() || (t && !t->relationship_attributes.count(attr)))
    return Status::InvalidArgument("Invalid relation " + r.relation + " for entity type " + rec.value("typeName", ""),
                                   atlas_code::kInvalidParameters);
  std::vector<json> related;
  std::set<std::string> seen;
  for (const auto& e : catalog_->Edges(r.guid, attr)) {
    if ((r.exclude_deleted && !e.active) || !seen.insert(e.other).second) continue;
    auto other = catalog_->LoadRecord(e.other);
    if (!other.ok()) continue;
    if (r.exclude_deleted && other->value("status", "") != "ACTIVE") continue;
    related.push_back(std::move(*other));
  }
  if (!r.sort_by.empty()) {
    std::stable_sort(related.begin(), related.end(), [&](const json& a, const json& b) {
      json va = EntityValue(a, r.sort_by), vb = EntityValue(b, r.sort_by);
      return r.descending ? ValueLess(vb, va) : ValueLess(va, vb);
    });
  }
  const size_t limit = static_cast<size_t>(Limit(r.limit > 0 ? json(r.limit) : json()));
  const size_t offset = static_cast<size_t>(std::max(0, r.offset));
  json result = {{"queryType", "RELATIONSHIP"},
                 {"searchParameters",
                  {{"guid", r.guid}, {"relation", r.relation}, {"limit", limit}, {"offset", offset},
                   {"excludeDeletedEntities", r.exclude_deleted}}},
                 {"approximateCount", r.approximate_count ? static_cast<int64_t>(related.size()) : int64_t{-1}}};
  json entities = json::array(), referred = json::object();
  for (size_t i = offset; i < related.size() && entities.size() < limit; ++i)
    entities.push_back(HeaderWith(related[i], r.attributes, false, &referred));
  if (!entities.empty()) result["entities"] = std::move(entities);
  if (!referred.empty()) result["referredEntities"] = std::move(referred);
  return result;
}

}  // namespace meridian::search
