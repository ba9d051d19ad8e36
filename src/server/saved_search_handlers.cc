// /api/atlas/v2/search/saved... and /search/.../download...: a user's saved
// searches and search-result downloads.
#include <memory>

#include "handler_util.h"
#include "routes.h"
#include "meridian/search/saved_searches.h"
#include "meridian/search/search_downloads.h"
#include "meridian/server/api.h"

namespace meridian::server {

using nlohmann::json;

void RegisterSavedSearchRoutes(Router& r, const Services& s) {
  catalog::Catalog* catalog = s.catalog;
  const search::SearchService* search = s.search;
  const std::string& download_dir = s.download_dir;
  auto saved = std::make_shared<search::SavedSearches>(catalog, search);
  const std::string base = "/api/atlas/v2/search";
  auto with_body = [](auto fn) {
    return [fn](HttpRequest& req) {
      auto body = req.JsonBody();
      if (!body.ok()) return HttpResponse::Error(body.status());
      return fn(req, *body);
    };
  };

  r.Add("POST", base + "/saved", Access::kRead, with_body([saved](HttpRequest& req, const json& body) {
          return JsonOr(saved->Add(req.principal.user, body));
        }));
  r.Add("PUT", base + "/saved", Access::kRead, with_body([saved](HttpRequest& req, const json& body) {
          return JsonOr(saved->Update(req.principal.user, body));
        }));
  r.Add("GET", base + "/saved", Access::kRead,
        [saved](HttpRequest& req) { return JsonOr(saved->List(req.principal.user, req.Query("user"))); });
  r.Add("GET", base + "/saved/{name}", Access::kRead, [saved](HttpRequest& req) {
    return JsonOr(saved->GetByName(req.principal.user, req.Query("user"), req.params["name"]));
  });
  r.Add("DELETE", base + "/saved/{guid}", Access::kRead, [saved](HttpRequest& req) {
    return NoContentOr(saved->Delete(req.principal.user, req.params["guid"]));
  });
  r.Add("GET", base + "/saved/execute/{name}", Access::kRead, [saved](HttpRequest& req) {
    auto s = saved->GetByName(req.principal.user, req.Query("user"), req.params["name"]);
    return s.ok() ? JsonOr(saved->Execute(*s, req.deadline)) : HttpResponse::Error(s.status());
  });
  r.Add("GET", base + "/saved/execute/guid/{guid}", Access::kRead, [saved](HttpRequest& req) {
    auto s = saved->GetByGuid(req.principal.user, req.params["guid"]);
    return s.ok() ? JsonOr(saved->Execute(*s, req.deadline)) : HttpResponse::Error(s.status());
  });

  auto downloads = std::make_shared<search::SearchDownloads>(catalog, search, download_dir);
  r.Add("POST", base + "/basic/download/create_file", Access::kRead,
        with_body([downloads](HttpRequest& req, const json& body) {
          return NoContentOr(downloads->CreateBasic(req.principal.user, body, req.deadline));
        }));
  r.Add("POST", base + "/dsl/download/create_file", Access::kRead,
        with_body([downloads](HttpRequest& req, const json& body) {
          return NoContentOr(downloads->CreateDsl(req.principal.user, body));
        }));
  r.Add("GET", base + "/download/status", Access::kRead,
        [downloads](HttpRequest& req) { return HttpResponse::Json(downloads->Records(req.principal.user)); });
  r.Add("GET", base + "/download/{filename}", Access::kRead, [downloads](HttpRequest& req) {
    auto text = downloads->Read(req.principal.user, req.params["filename"]);
    if (!text.ok()) return HttpResponse::Error(text.status());
    HttpResponse resp;
    resp.content_type = "text/csv;charset=UTF-8";
    resp.body = std::move(*text);
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + req.params["filename"] + "\"");
    return resp;
  });
}

}  // namespace meridian::server
