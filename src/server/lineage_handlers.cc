#include <algorithm>

#include "meridian/lineage/lineage_service.h"
#include "meridian/lineage/propagation_worker.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;
using lineage::LineageRequest;
using lineage::ParseDirection;

namespace {

HttpResponse Body(const Result<std::string>& r) {
  if (!r.ok()) return HttpResponse::Error(r.status());
  HttpResponse resp;
  resp.body = *r;
  return resp;
}

// Query parameters shared by the GET forms.
Result<LineageRequest> ParseQuery(const HttpRequest& req) {
  LineageRequest lr;
  lr.deadline = req.deadline;
  ASSIGN_OR_RETURN(lr.direction, ParseDirection(req.Query("direction", "BOTH")));
  lr.depth = req.QueryInt("depth", 3);
  if (lr.depth < 0) return Status::InvalidArgument("depth must be >= 0 (0 = unlimited)", atlas_code::kInvalidParameters);
  lr.hide_process = req.QueryBool("hideProcess", false);
  lr.include_deleted = !req.QueryBool("excludeDeletedEntities", false);
  int max_nodes = req.QueryInt("maxNodes", 0);
  if (max_nodes < 0) return Status::InvalidArgument("maxNodes must be >= 0", atlas_code::kInvalidParameters);
  lr.max_nodes = static_cast<size_t>(max_nodes);
  return lr;
}

Result<std::string> GuidFromUniqueAttribute(const catalog::Catalog& catalog, const HttpRequest& req) {
  const std::string type = req.params.at("typeName");
  if (!catalog.types()->FindEntity(type))
    return Status::InvalidArgument("Given typename " + type + " was invalid", atlas_code::kTypeNameInvalid);
  for (const auto& [k, v] : req.query)
    if (k.rfind("attr:", 0) == 0) return catalog.FindByUniqueAttribute(type, k.substr(5), v);
  return Status::InvalidArgument("no unique attribute given: use attr:qualifiedName=<value>", atlas_code::kInvalidParameters);
}

}  // namespace

void RegisterLineageRoutes(Router& r, const Services& s) {
  lineage::LineageService* svc = s.lineage;
  lineage::PropagationWorker* worker = s.propagation;
  const std::string base = "/api/atlas/v2/lineage";
  r.Add("GET", base + "/{guid}", Access::kRead, [svc](HttpRequest& req) {
    auto lr = ParseQuery(req);
    if (!lr.ok()) return HttpResponse::Error(lr.status());
    return Body(svc->Lineage(req.params["guid"], *lr));
  });
  r.Add("GET", base + "/uniqueAttribute/type/{typeName}", Access::kRead, [svc](HttpRequest& req) {
    auto lr = ParseQuery(req);
    if (!lr.ok()) return HttpResponse::Error(lr.status());
    auto guid = GuidFromUniqueAttribute(svc->catalog(), req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    return Body(svc->Lineage(*guid, *lr));
  });
  r.Add("POST", base + "/{guid}", Access::kRead, [svc](HttpRequest& req) {
    const std::string guid = req.params["guid"];
    json body = json::object();
    if (!req.body.empty()) {
      auto parsed = req.JsonBody();
      if (!parsed.ok()) return HttpResponse::Error(parsed.status());
      if (!parsed->is_object())
        return HttpResponse::Error(Status::InvalidArgument("body must map guids to lineage constraints"));
      body = std::move(*parsed);
    }
    LineageRequest lr;
    lr.deadline = req.deadline;
    lr.on_demand = true;
    lr.constraints = body;
    json mine = body.contains(guid) && body[guid].is_object() ? body[guid] : json::object();
    auto dir = ParseDirection(mine.value("direction", req.Query("direction", "BOTH")));
    if (!dir.ok()) return HttpResponse::Error(dir.status());
    lr.direction = *dir;
    lr.depth = mine.contains("depth") && mine["depth"].is_number_integer() ? mine["depth"].get<int>()
                                                                           : req.QueryInt("depth", 3);
    if (lr.depth < 0) return HttpResponse::Error(Status::InvalidArgument("depth must be >= 0"));
    lr.hide_process = req.QueryBool("hideProcess", false);
    lr.include_deleted = !req.QueryBool("excludeDeletedEntities", false);
    return Body(svc->Lineage(guid, lr));
  });
  r.Add("GET", "/api/meridian/v1/propagation", Access::kRead, [worker](HttpRequest&) {
    if (!worker) return HttpResponse::Json({{"enabled", false}});
    return HttpResponse::Json(
        {{"enabled", true}, {"pending", worker->pending()}, {"done", worker->done()}, {"idle", worker->idle()},
         {"failed", worker->failures().total()}});
  });
}

}  // namespace meridian::server
