// POST /api/v1/lineage: OpenLineage's HTTP transport (the path Marquez serves).
#include "handler_util.h"
#include "meridian/openlineage/openlineage.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;
using openlineage::OpenLineageService;

namespace {

Status WithIndex(const Status& s, size_t i) {
  return Status(s.code(), s.atlas_code(), "event [" + std::to_string(i) + "]: " + s.message());
}

HttpResponse PostLineage(OpenLineageService& svc, HttpRequest& req) {
  auto body = svc.ParseBody(req.body, req.Header("content-encoding"));
  if (!body.ok()) return HttpResponse::Error(body.status());
  if (body->is_object()) {
    auto r = svc.Apply(*body, req.principal.user);
    if (!r.ok()) return HttpResponse::Error(r.status());
    HttpResponse created;
    created.status = 201;
    return created;
  }
  if (!body->is_array())
    return HttpResponse::Error(Status::InvalidArgument("the body must be an OpenLineage event or an array of events",
                                                       atlas_code::kInvalidParameters));
  if (body->empty()) return HttpResponse::Error(Status::InvalidArgument("no events in the array", atlas_code::kInvalidParameters));
  for (size_t i = 0; i < body->size(); ++i)
    if (Status s = svc.Validate((*body)[i]); !s.ok()) return HttpResponse::Error(WithIndex(s, i));
  json failed = json::array();
  for (size_t i = 0; i < body->size(); ++i) {
    if (Status s = req.deadline.Check("OpenLineage batch"); !s.ok()) return HttpResponse::Error(s);
    auto r = svc.Apply((*body)[i], req.principal.user);
    if (!r.ok()) failed.push_back({{"index", i}, {"reason", r.status().message()}, {"retriable", false}});
  }
  const size_t n = body->size();
  return HttpResponse::Json({{"status", failed.empty() ? "success" : "partial_success"},
                             {"summary", {{"received", n}, {"successful", n - failed.size()}, {"failed", failed.size()},
                                          {"retriable", 0}, {"non_retriable", failed.size()}}},
                             {"failed_events", failed}});
}

}  // namespace

void RegisterOpenLineageRoutes(Router& r, const Services& s) {
  OpenLineageService* svc = s.openlineage;
  r.Add("POST", "/api/v1/lineage", Access::kWrite, [svc](HttpRequest& req) { return PostLineage(*svc, req); });
}

}  // namespace meridian::server
