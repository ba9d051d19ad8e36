#include "meridian/search/relation_search.h"

#include <algorithm>
#include <set>

#include "meridian/search/filters.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 10000;

int IntOf(const json& p, const char* key, int def) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return def;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) {
    try {
      return std::stoi(it->get<std::string>());
    } catch (...) {
    }
  }
  return def;
}

bool BoolOf(const json& p, const char* key, bool def) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return def;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "true";
  return def;
}

bool HasFilter(const json& p) {
  auto it = p.find("relationshipFilters");
  return it != p.end() && it->is_object() && !it->empty();
}

// An end of a relationship as AtlasObjectId, with the end entity's unique attributes.
json EndOf(const catalog::Catalog& c, const json& end) {
  json id = {{"guid", end.value("guid", "")}, {"typeName", end.value("typeName", "")},
             {"uniqueAttributes", json::object()}};
  auto rec = c.LoadRecord(id["guid"]);
  if (rec.ok()) {
    auto qn = (*rec)["attributes"].find("qualifiedName");
    if (qn != (*rec)["attributes"].end()) id["uniqueAttributes"]["qualifiedName"] = *qn;
  }
  return id;
}

bool Less(const json& a, const json& b) {
  if (a.is_null() != b.is_null()) return b.is_null();
  return a < b;
}

}  // namespace

Result<json> SearchRelations(const catalog::Catalog& catalog, const json& params_in, const Deadline& deadline) {
  const json params = params_in.is_object() ? params_in : json::object();
  const int limit_in = IntOf(params, "limit", 0), offset_in = IntOf(params, "offset", 0);
  if (limit_in < 0 || offset_in < 0)
    return Status::InvalidArgument("Limit/offset should be non-negative", atlas_code::kBadRequest);
  const std::string name = params.value("relationshipName", json("")).is_string()
                               ? params.value("relationshipName", std::string())
                               : std::string();
  if (name.empty() && HasFilter(params))
    return Status::InvalidArgument("RelationshipFilters specified without Type name", atlas_code::kBadRequest);
  auto reg = catalog.types();
  std::set<std::string> wanted;
  const types::TypeDef* rel_type = nullptr;
  if (!name.empty()) {
    rel_type = reg->Find(name);
    if (!rel_type || rel_type->category != types::Category::kRelationship)
      return Status::InvalidArgument("Given typename " + name + " was invalid", atlas_code::kUnknownTypename);
    wanted.insert(name);
    if (BoolOf(params, "includeSubTypes", true))
      for (const auto& [n, def] : reg->all())
        if (def.category == types::Category::kRelationship && def.IsA(name)) wanted.insert(n);
  }
  std::optional<Filter> filter;
  if (HasFilter(params)) {
    ASSIGN_OR_RETURN(Filter f, ParseFilter(params["relationshipFilters"], rel_type));
    filter = std::move(f);
  }
  const bool exclude_deleted = BoolOf(params, "excludeDeletedEntities", false);
  const int64_t now = catalog::NowMillis();
  std::vector<json> matches;
  size_t visited = 0;
  bool expired = false;
  RETURN_IF_ERROR(catalog.ScanRelationshipRecords([&](const json& rel) {
    if (++visited % 1024 == 0 && deadline.Expired()) return !(expired = true);
    if (!wanted.empty() && !wanted.count(rel.value("typeName", ""))) return true;
    if (exclude_deleted && rel.value("status", "") != "ACTIVE") return true;
    if (filter && !Evaluate(*filter, [&](const std::string& a) { return EntityValue(rel, a); }, now)) return true;
    matches.push_back(rel);
    return true;
  }));
  if (expired) RETURN_IF_ERROR(deadline.Check("relations search"));
  const std::string sort_by = params.value("sortBy", json("")).is_string() ? params.value("sortBy", std::string()) : "";
  if (!sort_by.empty()) {
    const bool desc = params.value("sortOrder", json("")) == "DESCENDING";
    std::stable_sort(matches.begin(), matches.end(), [&](const json& a, const json& b) {
      json va = EntityValue(a, sort_by), vb = EntityValue(b, sort_by);
      return desc ? Less(vb, va) : Less(va, vb);
    });
  }
  const size_t limit = static_cast<size_t>(limit_in == 0 || limit_in > kMaxLimit ? kDefaultLimit : limit_in);
  json relations = json::array();
  for (size_t i = static_cast<size_t>(offset_in); i < matches.size() && relations.size() < limit; ++i) {
    const json& r = matches[i];
    relations.push_back({{"typeName", r.value("typeName", "")},
                         {"guid", r.value("guid", "")},
                         {"status", r.value("status", "ACTIVE")},
                         {"label", r.value("label", "")},
                         {"propagateTags", r.value("propagateTags", "NONE")},
                         {"end1", EndOf(catalog, r.value("end1", json::object()))},
                         {"end2", EndOf(catalog, r.value("end2", json::object()))},
                         {"attributes", r.value("attributes", json::object())}});
  }
  json out = {{"queryType", "RELATIONSHIP"},
              {"searchParameters", params},
              {"approximateCount", static_cast<int64_t>(matches.size())}};
  if (!relations.empty()) out["relations"] = std::move(relations);
  return out;
}

}  // namespace meridian::search
