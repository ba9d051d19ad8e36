// /api/atlas/admin/export, import, importfile and expimp/audit (Atlas's AdminResource).
#include <cstdio>

#include "handler_util.h"
#include "meridian/exchange/exchange.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using exchange::Caller;
using exchange::ExchangeService;
using nlohmann::json;

namespace {

Caller CallerOf(const HttpRequest& req) { return {req.principal.user, req.remote_address}; }

}  // namespace

void RegisterExchangeRoutes(Router& r, const Services& s) {
  ExchangeService* service = s.exchange;
  const std::string base = "/api/atlas/admin";
  // Exports and imports run as long as they need: only a client that goes away stops them.
  r.Add("POST", base + "/export", Access::kAdmin, [service](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    auto out = service->Export(*body, CallerOf(req), req.deadline);
    if (!out.ok()) return HttpResponse::Error(out.status());
    const json opts = body->value("options", json::object());
    const json omit = opts.is_object() ? opts.value("omitZipResponseForEmptyExport", json(false)) : json(false);
    if (out->entity_files == 0 && (omit == json(true) || omit == json("true"))) {
      std::remove(out->zip_path.c_str());
      return HttpResponse::NoContent();
    }
    HttpResponse resp;
    resp.content_type = "application/zip";
    resp.body_file = out->zip_path;
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=AtlasExportResult.zip");
    return resp;
  }, RouteClass::kWrite);

  r.Add("POST", base + "/import", Access::kAdmin, [service](HttpRequest& req) {
    auto parts = server::MultipartParts(req);
    if (!parts)
      return HttpResponse::Error(Status::InvalidArgument(
          "expected multipart/form-data with the ZIP as part 'data' and an optional AtlasImportRequest as 'request'"));
    std::string zip;
    json request = json::object();
    bool have_data = false;
    for (auto& [name, content] : *parts) {
      if (name == "data") {
        zip = std::move(content);
        have_data = true;
      } else if (name == "request" && !content.empty()) {
        auto parsed = ParseRequestJson(content, "AtlasImportRequest");
        if (!parsed.ok()) return HttpResponse::Error(parsed.status());
        request = std::move(*parsed);
      }
    }
    if (!have_data) return HttpResponse::Error(Status::InvalidArgument("the multipart body has no part 'data' (the ZIP)"));
    return JsonOr(service->ImportBytes(std::move(zip), request, CallerOf(req)));
  }, RouteClass::kWrite);

  r.Add("POST", base + "/importfile", Access::kAdmin, [service](HttpRequest& req) {
    json request = json::object();
    if (!req.body.empty()) {
      auto body = req.JsonBody();
      if (!body.ok()) return HttpResponse::Error(body.status());
      request = std::move(*body);
    }
    return JsonOr(service->ImportFile(request, CallerOf(req)));
  }, RouteClass::kWrite);

  r.Add("GET", base + "/expimp/audit", Access::kAdmin, [service](HttpRequest& req) {
    ExchangeService::AuditFilter f;
    f.user = req.Query("userName");
    f.operation = req.Query("operation");
    f.source_cluster = req.Query("sourceClusterName");
    f.target_cluster = req.Query("targetClusterName");
    try {
      f.start_ms = std::stoll(req.Query("startTime", "0"));
      f.end_ms = std::stoll(req.Query("endTime", "0"));
    } catch (const std::exception&) {
      return HttpResponse::Error(Status::InvalidArgument("startTime and endTime are epoch milliseconds"));
    }
    f.limit = req.QueryInt("limit", 100);
    f.offset = req.QueryInt("offset", 0);
    if (f.limit < 0 || f.offset < 0)
      return HttpResponse::Error(Status::InvalidArgument("Limit/offset should be non-negative", atlas_code::kBadRequest));
    return HttpResponse::Json(service->Audits(f));
  }, RouteClass::kHeavy);
}

}  // namespace meridian::server
