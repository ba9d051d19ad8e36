// /api/atlas/admin/... : version, status, session bootstrap, metrics, purge, audits; the workers' failures.
#include <limits>
#include <optional>

#include "handler_util.h"
#include "routes.h"
#include "meridian/ha/node.h"
#include "meridian/lineage/propagation_worker.h"
#include "meridian/search/filters.h"
#include "meridian/server/api.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

namespace {

json LoginMetrics(const auth::LoginStats& st) {
  return {{"failures", st.failures}, {"unknownUserChecks", st.unknown_user_checks},
          {"throttled", st.throttled}, {"locks", st.locks}};
}

}  // namespace


void RegisterWorkerFailureRoutes(Router& r, const Services& s) {
  const WorkerFailures* index = s.index_failures;
  const WorkerFailures* propagation = s.propagation ? &s.propagation->failures() : nullptr;
  r.Add("GET", "/api/meridian/v1/admin/index/failures", Access::kAdmin, [index, propagation](HttpRequest&) {
    return HttpResponse::Json({{"index", index ? index->ToJson() : json()},
                               {"propagation", propagation ? propagation->ToJson() : json()}});
  });
}

void RegisterAdminRoutes(Router& r, const Services& s, const ApiOptions& o) {
  catalog::Catalog* c = s.catalog;
  const WorkerFailures* index_failures = s.index_failures;
  const std::string base = "/api/atlas/admin";
  std::string version = o.version;
  // Probes and the Prometheus scrape are answered on the I/O thread, never queued.
  auto active = [](HttpRequest&) { return HttpResponse::Json({{"Status", "ACTIVE"}}); };
  // In a high-availability cluster, as Atlas: ACTIVE on the leader, PASSIVE on the others.
  ha::Node* cluster = s.cluster;
  auto status = [cluster](HttpRequest&) {
    return HttpResponse::Json({{"Status", !cluster || cluster->leading() ? "ACTIVE" : "PASSIVE"}});
  };
  r.Add("GET", base + "/status", Access::kPublic, status, RouteClass::kImmediate);
  r.Add("GET", base + "/liveness", Access::kPublic, active, RouteClass::kImmediate);
  r.Add("GET", base + "/readiness", Access::kPublic, active, RouteClass::kImmediate);
  const ServerMetrics* metrics = o.metrics;
  if (metrics)
    r.Add("GET", "/api/meridian/v1/metrics/prometheus", Access::kRead, [metrics](HttpRequest&) {
      HttpResponse resp;
      resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
      resp.body = metrics->Prometheus();
      return resp;
    }, RouteClass::kImmediate);
  r.Add("GET", base + "/version", Access::kRead, [version](HttpRequest&) {
    return HttpResponse::Json({{"Version", version}, {"Revision", "meridian"}, {"Name", "meridian"},
                               {"Description", "Metadata catalog and lineage server (Atlas v2 API compatible)"}});
  });
  r.Add("GET", base + "/session", Access::kRead, [](HttpRequest& req) {
    return HttpResponse::Json({{"userName", req.principal.user},
                               {"groups", json::array()},
                               {"roles", json::array({auth::RoleName(req.principal.role)})},
                               {"_csrfToken", req.Header("x-meridian-csrf")},
                               {"timezones", json::array({"UTC"})},
                               {"atlas.rest-csrf.enabled", true},
                               {"atlas.rest-csrf.custom-header", "X-XSRF-HEADER"},
                               {"atlas.rest-csrf.browser-useragents-regex", "^Mozilla.*,^Opera.*,^Chrome.*"},
                               {"atlas.rest-csrf.methods-to-ignore", "GET,OPTIONS,HEAD,TRACE"},
                               {"atlas.entity.create.allowed", req.principal.role != auth::Role::kDataScientist},
                               {"atlas.entity.update.allowed", req.principal.role != auth::Role::kDataScientist},
                               {"atlas.ui.editable.entity.types", "hdfs_path"},
                               {"atlas.ui.default.version", "v3"},
                               {"atlas.lineage.on.demand.enabled", true}});
  });
  r.Add("GET", base + "/metrics", Access::kRead, [c, metrics, index_failures, users = s.users](HttpRequest&) {
    auto reg = c->types();
    json active = json::object(), deleted = json::object(), tags = json::object();
    int64_t entity_count = 0;
    // One pass over the type index, reading each record for status and tags.
    for (const auto& [name, def] : reg->all()) {
      if (def.category != types::Category::kEntity) continue;
      c->ScanTypeGuids(name, [&](std::string_view guid) {
        auto rec = c->LoadRecord(std::string(guid));
        if (!rec.ok()) return true;
        ++entity_count;
        json& bucket = (*rec)["status"] == "ACTIVE" ? active : deleted;
        bucket[name] = bucket.value(name, 0) + 1;
        if ((*rec)["status"] == "ACTIVE")
          for (const json& cl : c->Classifications(*rec)) {
            std::string t = cl.value("typeName", "");
            tags[t] = tags.value(t, 0) + 1;
          }
        return true;
      }).PermitUnchecked();
    }
    int64_t type_count = 0, tag_count = 0;
    for (const auto& [name, def] : reg->all()) {
      type_count += def.category == types::Category::kEntity;
      tag_count += def.category == types::Category::kClassification;
    }
    json data = {{"general", {{"entityCount", entity_count}, {"typeCount", type_count}, {"tagCount", tag_count},
                              {"typeUnusedCount", type_count - static_cast<int64_t>(active.size())},
                              {"collectionTime", catalog::NowMillis()},
                              // Entities the indexer could not index in full since start (details: admin/index/failures).
                              {"indexFailures", index_failures ? index_failures->total() : 0}}},
                 {"entity", {{"entityActive", active}, {"entityDeleted", deleted}, {"entityShell", json::object()}}},
                 {"tag", {{"tagEntities", tags}}}};
    data["login"] = LoginMetrics(users->login_stats());
    if (metrics) data["server"] = metrics->Json();
    return HttpResponse::Json({{"data", data}});
  });
  r.Add("PUT", base + "/purge", Access::kAdmin, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    if (!body->is_array()) return HttpResponse::Error(Status::InvalidArgument("body must be a list of guids", atlas_code::kInvalidParameters));
    std::vector<std::string> guids;
    for (const json& g : *body)
      if (g.is_string()) guids.push_back(g);
    auto m = c->PurgeEntities(guids, req.principal.user);
    return m.ok() ? HttpResponse::Json(m->response) : HttpResponse::Error(m.status());
  });
  // Admin audit (AtlasAuditEntry list, newest first). Atlas: POST with
  // AuditSearchParameters {auditFilters, limit, offset}; GET takes operation,
  // userName, limit and offset as query parameters.
  auto audits = [c](const json& filter, const std::string& operation, const std::string& user, int limit,
                    int offset) -> HttpResponse {
    if (limit < 0 || offset < 0)
      return HttpResponse::Error(Status::InvalidArgument("Limit/offset should be non-negative", atlas_code::kBadRequest));
    std::optional<search::Filter> f;
    if (filter.is_object() && !filter.empty()) {
      auto parsed = search::ParseFilter(filter, nullptr);
      if (!parsed.ok()) return HttpResponse::Error(parsed.status());
      f = std::move(*parsed);
    }
    catalog::Catalog::AdminAuditQuery q;
    q.operation = operation;
    q.user = user;
    q.limit = std::numeric_limits<int>::max();
    const int64_t now = catalog::NowMillis();
    json out = json::array();
    int skipped = 0;
    for (json& e : c->AdminAudits(q)) {
      if (f && !search::Evaluate(*f, [&e](const std::string& a) { return e.value(a, json()); }, now)) continue;
      if (skipped++ < offset) continue;
      if (static_cast<int>(out.size()) >= (limit == 0 ? 100 : limit)) break;
      out.push_back(std::move(e));
    }
    return HttpResponse::Json(out);
  };
  r.Add("POST", base + "/audits", Access::kAdmin, [audits](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    if (!body->is_object())
      return HttpResponse::Error(Status::InvalidArgument("AuditSearchParameters must be an object", atlas_code::kInvalidParameters));
    json filter = body->value("auditFilters", json::object());
    return audits(filter.is_null() ? json::object() : filter, "", "", body->value("limit", 0), body->value("offset", 0));
  });
  r.Add("GET", base + "/audits", Access::kAdmin, [audits](HttpRequest& req) {
    return audits(json::object(), req.Query("operation"), req.Query("userName"), req.QueryInt("limit", 0),
                  req.QueryInt("offset", 0));
  });
}

}  // namespace meridian::server
