// /api/atlas/v2/glossary/... : glossaries, terms, categories and term assignments.
#include <algorithm>
#include <memory>

#include "handler_util.h"
#include "meridian/glossary/glossary.h"
#include "routes.h"
#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

namespace {

using Service = std::shared_ptr<glossary::GlossaryService>;

glossary::Page PageOf(const HttpRequest& req) {
  glossary::Page p;
  p.limit = req.QueryInt("limit", -1);
  p.offset = std::max(0, req.QueryInt("offset", 0));
  std::string sort = req.Query("sort", "ASC");
  std::transform(sort.begin(), sort.end(), sort.begin(), ::toupper);
  p.ascending = sort != "DESC";
  return p;
}

// Wraps a handler that needs the JSON body.
template <typename Fn>
Handler WithBody(Fn fn) {
  return [fn](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    types::DropNulls(*body);  // glossary objects: Atlas reads null as absent
    return fn(req, *body);
  };
}

}  // namespace

// The uploaded file of a multipart/form-data body (the part named "file", else
// the first part); any other body is taken as the file itself.
Result<std::string> UploadedFile(const HttpRequest& req) {
  auto parts = MultipartParts(req);
  if (!parts) return req.body;
  for (auto& [name, content] : *parts)
    if (name == "file") return content;
  if (parts->empty()) return Status::InvalidArgument("the multipart body holds no file", atlas_code::kInvalidParameters);
  return parts->front().second;
}

void RegisterGlossaryRoutes(Router& r, const Services& s) {
  Service g = std::make_shared<glossary::GlossaryService>(s.catalog);
  const std::string base = "/api/atlas/v2/glossary";

  // Glossaries.
  r.Add("GET", base, Access::kRead, [g](HttpRequest& req) { return JsonOr(g->ListGlossaries(PageOf(req))); });
  r.Add("POST", base, Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->CreateGlossary(body, req.principal.user));
        }));
  const std::string one = base + "/{glossaryGuid}";
  r.Add("GET", one, Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GetGlossary(req.params["glossaryGuid"])); });
  r.Add("PUT", one, Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->UpdateGlossary(req.params["glossaryGuid"], body, req.principal.user));
        }));
  r.Add("DELETE", one, Access::kWrite, [g](HttpRequest& req) {
    return NoContentOr(g->DeleteGlossary(req.params["glossaryGuid"], req.principal.user));
  });
  r.Add("GET", one + "/detailed", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GetGlossaryDetailed(req.params["glossaryGuid"])); });
  r.Add("PUT", one + "/partial", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->PartialUpdateGlossary(req.params["glossaryGuid"], body, req.principal.user));
        }));
  r.Add("GET", one + "/terms", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GlossaryTerms(req.params["glossaryGuid"], PageOf(req))); });
  r.Add("GET", one + "/terms/headers", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GlossaryTermHeaders(req.params["glossaryGuid"], PageOf(req))); });
  r.Add("GET", one + "/categories", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GlossaryCategories(req.params["glossaryGuid"], PageOf(req))); });
  r.Add("GET", one + "/categories/headers", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GlossaryCategoryHeaders(req.params["glossaryGuid"], PageOf(req))); });

  // Terms.
  r.Add("POST", base + "/term", Access::kWrite,
        WithBody([g](HttpRequest& req, const json& body) { return JsonOr(g->CreateTerm(body, req.principal.user)); }));
  r.Add("POST", base + "/terms", Access::kWrite,
        WithBody([g](HttpRequest& req, const json& body) { return JsonOr(g->CreateTerms(body, req.principal.user)); }));
  const std::string term = base + "/term/{termGuid}";
  r.Add("GET", term, Access::kRead, [g](HttpRequest& req) { return JsonOr(g->GetTerm(req.params["termGuid"])); });
  r.Add("PUT", term, Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->UpdateTerm(req.params["termGuid"], body, req.principal.user));
        }));
  r.Add("PUT", term + "/partial", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->PartialUpdateTerm(req.params["termGuid"], body, req.principal.user));
        }));
  r.Add("DELETE", term, Access::kWrite,
        [g](HttpRequest& req) { return NoContentOr(g->DeleteTerm(req.params["termGuid"], req.principal.user)); });
  const std::string terms = base + "/terms/{termGuid}";
  r.Add("GET", terms + "/related", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->RelatedTerms(req.params["termGuid"])); });
  r.Add("GET", terms + "/assignedEntities", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->AssignedEntities(req.params["termGuid"], PageOf(req))); });
  r.Add("POST", terms + "/assignedEntities", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return NoContentOr(g->AssignTerm(req.params["termGuid"], body, req.principal.user));
        }));
  auto unassign = WithBody([g](HttpRequest& req, const json& body) {
    return NoContentOr(g->RemoveTermAssignment(req.params["termGuid"], body, req.principal.user));
  });
  r.Add("PUT", terms + "/assignedEntities", Access::kWrite, unassign);
  r.Add("DELETE", terms + "/assignedEntities", Access::kWrite, unassign);

  // Import from Atlas's glossary CSV.
  r.Add("GET", base + "/import/template", Access::kRead, [](HttpRequest&) {
    HttpResponse resp;
    resp.content_type = "text/csv;charset=UTF-8";
    resp.body = glossary::GlossaryService::ImportTemplate();
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"template_business_glossary.csv\"");
    return resp;
  });
  r.Add("POST", base + "/import", Access::kWrite, [g](HttpRequest& req) {
    auto file = UploadedFile(req);
    if (!file.ok()) return HttpResponse::Error(file.status());
    return JsonOr(g->ImportCsv(*file, req.principal.user));
  });

  // Categories.
  r.Add("POST", base + "/category", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->CreateCategory(body, req.principal.user));
        }));
  r.Add("POST", base + "/categories", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->CreateCategories(body, req.principal.user));
        }));
  const std::string cat = base + "/category/{categoryGuid}";
  r.Add("GET", cat, Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->GetCategory(req.params["categoryGuid"])); });
  r.Add("PUT", cat, Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->UpdateCategory(req.params["categoryGuid"], body, req.principal.user));
        }));
  r.Add("PUT", cat + "/partial", Access::kWrite, WithBody([g](HttpRequest& req, const json& body) {
          return JsonOr(g->PartialUpdateCategory(req.params["categoryGuid"], body, req.principal.user));
        }));
  r.Add("DELETE", cat, Access::kWrite, [g](HttpRequest& req) {
    return NoContentOr(g->DeleteCategory(req.params["categoryGuid"], req.principal.user));
  });
  r.Add("GET", cat + "/related", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->RelatedCategories(req.params["categoryGuid"])); });
  r.Add("GET", cat + "/terms", Access::kRead,
        [g](HttpRequest& req) { return JsonOr(g->CategoryTerms(req.params["categoryGuid"], PageOf(req))); });
}

}  // namespace meridian::server
