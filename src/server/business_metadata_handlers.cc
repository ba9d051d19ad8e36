// /api/atlas/v2/entity/.../businessmetadata: business attributes of entities
// and Atlas's business-metadata CSV import.
#include "handler_util.h"
#include "routes.h"
#include "meridian/server/api.h"

namespace meridian::server {

using nlohmann::json;

void RegisterBusinessMetadataRoutes(Router& r, const Services& s) {
  catalog::Catalog* c = s.catalog;
  const std::string base = "/api/atlas/v2/entity";
  const std::string one = base + "/guid/{guid}/businessmetadata";

  r.Add("POST", one, Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    return NoContentOr(c->SetBusinessAttributes(req.params["guid"], *body, req.QueryBool("isOverwrite", false),
                                                req.principal.user));
  });
  r.Add("DELETE", one, Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    return NoContentOr(c->RemoveBusinessAttributes(req.params["guid"], *body, req.principal.user));
  });
  // The {bmName} forms take that business metadata's attributes alone.
  r.Add("POST", one + "/{bmName}", Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    return NoContentOr(c->SetBusinessAttributes(req.params["guid"], json{{req.params["bmName"], *body}}, false,
                                                req.principal.user));
  });
  r.Add("DELETE", one + "/{bmName}", Access::kWrite, [c](HttpRequest& req) {
    json attrs = json::object();
    if (!req.body.empty()) {
      auto body = req.JsonBody();
      if (!body.ok()) return HttpResponse::Error(body.status());
      attrs = *body;
    }
    return NoContentOr(
        c->RemoveBusinessAttributes(req.params["guid"], json{{req.params["bmName"], attrs}}, req.principal.user));
  });

  r.Add("GET", base + "/businessmetadata/import/template", Access::kRead, [](HttpRequest&) {
    HttpResponse resp;
    resp.content_type = "application/octet-stream";
    resp.body = catalog::Catalog::BusinessMetadataTemplate();
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"template_business_metadata\"");
    return resp;
  });
  r.Add("POST", base + "/businessmetadata/import", Access::kWrite, [c](HttpRequest& req) {
    auto file = UploadedFile(req);
    if (!file.ok()) return HttpResponse::Error(file.status());
    return JsonOr(c->ImportBusinessMetadataCsv(*file, req.principal.user));
  });
}

}  // namespace meridian::server
