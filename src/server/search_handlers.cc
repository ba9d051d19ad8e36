// /api/atlas/v2/search/... : basic, full-text, quick, suggestions, attribute,
// relationship and DSL search.
#include "handler_util.h"
#include "routes.h"
#include "meridian/search/relation_search.h"
#include "meridian/search/search_service.h"
#include "meridian/server/api.h"
#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxQueryLength = 4096;

Status CheckQueryLength(const std::string& q) {
  if (q.size() > kMaxQueryLength)
    return Status::InvalidArgument("Invalid search query: longer than " + std::to_string(kMaxQueryLength) +
                                       " characters", atlas_code::kInvalidParameters);
  return Status::Ok();
}

// Copies the given query parameters into `out` (strings, or booleans/ints by name).
void PutParams(const HttpRequest& req, json& out, std::initializer_list<const char*> strings,
               std::initializer_list<const char*> bools, std::initializer_list<const char*> ints) {
  for (const char* k : strings)
    if (req.query.count(k)) out[k] = req.Query(k);
  for (const char* k : bools)
    if (req.query.count(k)) out[k] = req.QueryBool(k, false);
  for (const char* k : ints)
    if (req.query.count(k)) out[k] = req.QueryInt(k, 0);
}

Result<json> BodyParams(const HttpRequest& req) {
  ASSIGN_OR_RETURN(json body, req.JsonBody());
  if (!body.is_object()) return Status::InvalidArgument("search parameters must be a JSON object", atlas_code::kInvalidParameters);
  types::DropNulls(body);  // Atlas reads null as absent
  if (body.contains("query") && body["query"].is_string()) RETURN_IF_ERROR(CheckQueryLength(body["query"]));
  return body;
}

}  // namespace

void RegisterSearchRoutes(Router& r, const Services& services) {
  const search::SearchService* s = services.search;
  const std::string base = "/api/atlas/v2/search";

  r.Add("GET", base + "/basic", Access::kRead, [s](HttpRequest& req) {
    json p = json::object();
    PutParams(req, p, {"query", "typeName", "classification", "termName", "sortBy", "sortOrder", "marker"},
              {"excludeDeletedEntities", "includeSubTypes", "includeSubClassifications",
               "includeClassificationAttributes"},
              {"limit", "offset"});
    if (auto a = req.QueryAll("attributes"); !a.empty()) p["attributes"] = a;
    Status len = CheckQueryLength(req.Query("query"));
    if (!len.ok()) return HttpResponse::Error(len);
    return JsonOr(s->Basic(p, req.deadline));
  });
  r.Add("POST", base + "/basic", Access::kRead, [s](HttpRequest& req) {
    auto body = BodyParams(req);
    if (!body.ok()) return HttpResponse::Error(body.status());
    return JsonOr(s->Basic(*body, req.deadline));
  });
  r.Add("GET", base + "/fulltext", Access::kRead, [s](HttpRequest& req) {
    Status len = CheckQueryLength(req.Query("query"));
    if (!len.ok()) return HttpResponse::Error(len);
    return JsonOr(s->FullText(req.Query("query"), req.QueryBool("excludeDeletedEntities", false),
                              req.QueryInt("limit", 0), req.QueryInt("offset", 0), req.deadline));
  });
  r.Add("GET", base + "/quick", Access::kRead, [s](HttpRequest& req) {
    json p = json::object();
    PutParams(req, p, {"query", "typeName", "sortBy", "sortOrder"}, {"excludeDeletedEntities"}, {"limit", "offset"});
    Status len = CheckQueryLength(req.Query("query"));
    if (!len.ok()) return HttpResponse::Error(len);
    return JsonOr(s->Quick(p, req.deadline));
  });
  r.Add("POST", base + "/quick", Access::kRead, [s](HttpRequest& req) {
    auto body = BodyParams(req);
    if (!body.ok()) return HttpResponse::Error(body.status());
    return JsonOr(s->Quick(*body, req.deadline));
  });
  r.Add("GET", base + "/suggestions", Access::kRead, [s](HttpRequest& req) {
    return JsonOr(s->Suggestions(req.Query("prefixString"), req.Query("fieldName")));
  });
  r.Add("GET", base + "/attribute", Access::kRead, [s](HttpRequest& req) {
    return JsonOr(s->Attribute(req.Query("attrName"), req.Query("attrValuePrefix"), req.Query("typeName"),
                               req.QueryInt("limit", 0), req.QueryInt("offset", 0), req.deadline));
  });
  r.Add("GET", base + "/relationship", Access::kRead, [s](HttpRequest& req) {
    search::RelationshipSearch rs;
    rs.guid = req.Query("guid");
    rs.relation = req.Query("relation");
    rs.attributes = req.QueryAll("attributes");
    rs.sort_by = req.Query("sortBy");
    rs.descending = req.Query("sortOrder") == "DESCENDING";
    rs.exclude_deleted = req.QueryBool("excludeDeletedEntities", false);
    rs.approximate_count = req.QueryBool("getApproximateCount", false);
    rs.limit = req.QueryInt("limit", 0);
    rs.offset = req.QueryInt("offset", 0);
    if (rs.guid.empty() || rs.relation.empty())
      return HttpResponse::Error(Status::InvalidArgument("guid and relation are required", atlas_code::kInvalidParameters));
    return JsonOr(s->Relationship(rs));
  });
  r.Add("POST", base + "/relations", Access::kRead, [s](HttpRequest& req) {
    auto body = BodyParams(req);
    if (!body.ok()) return HttpResponse::Error(body.status());
    return JsonOr(search::SearchRelations(s->catalog(), *body, req.deadline));
  });
  r.Add("GET", base + "/relations", Access::kRead, [s](HttpRequest& req) {
    json p = json::object();
    PutParams(req, p, {"relationshipName", "sortBy", "sortOrder", "marker"}, {"excludeDeletedEntities"},
              {"limit", "offset"});
    return JsonOr(search::SearchRelations(s->catalog(), p, req.deadline));
  });
  r.Add("GET", base + "/dsl", Access::kRead, [s](HttpRequest& req) {
    search::DslSearch ds;
    ds.query = req.Query("query");
    ds.type_name = req.Query("typeName");
    ds.classification = req.Query("classification");
    ds.limit = req.QueryInt("limit", 0);
    ds.offset = req.QueryInt("offset", 0);
    ds.deadline = req.deadline;
    return JsonOr(s->Dsl(ds));
  });
}

}  // namespace meridian::server
