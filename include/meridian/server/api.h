// Api: the request dispatcher. Authenticates (HTTP Basic or a browser session
// cookie), checks the route's role and CSRF header, calls the handler, and
// serves the bundled web UI for non-API paths.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "meridian/auth/auth.h"
#include "meridian/catalog/catalog.h"
#include "meridian/server/http.h"

namespace meridian::search {
class SearchService;
}  // namespace meridian::search

namespace meridian::server {

struct ApiOptions {
  std::string ui_dir;             // Default: <binary dir>/ui. Missing dir: / explains how to build the UI.
  std::string version = "0.1.0";
};

struct Services {
  catalog::Catalog* catalog = nullptr;
  auth::UserStore* users = nullptr;
  auth::SessionStore* sessions = nullptr;
};

// Route groups, one per API area (src/server/*_handlers.cc and other modules).
void RegisterTypeRoutes(Router& r, const Services& s);
void RegisterEntityRoutes(Router& r, const Services& s);
void RegisterRelationshipRoutes(Router& r, const Services& s);
void RegisterAdminRoutes(Router& r, const Services& s, const ApiOptions& o);
// POST /api/meridian/v1/lineage/sql?defaultDb=&cluster= with HiveQL text: records its lineage.
void RegisterSqlLineageRoutes(Router& r, const Services& s);
// /v2/search (src/server/search_handlers.cc).
void RegisterSearchRoutes(Router& r, const search::SearchService* search);
// /v2/entity/.../businessmetadata (src/server/business_metadata_handlers.cc).
void RegisterBusinessMetadataRoutes(Router& r, const Services& s);
// /v2/search/saved... and search-result downloads kept under `download_dir`
// (src/server/saved_search_handlers.cc).
void RegisterSavedSearchRoutes(Router& r, catalog::Catalog* catalog, const search::SearchService* search,
                               const std::string& download_dir);

class Api {
 public:
  Api(Services services, ApiOptions options);
  Router& router() { return router_; }
  HttpResponse Handle(HttpRequest& req);

 private:
  HttpResponse HandleLogin(HttpRequest& req);
  HttpResponse HandleLogout(HttpRequest& req);
  HttpResponse ServeStatic(const HttpRequest& req) const;
  // Fills req.principal; the error response when authentication fails.
  std::optional<HttpResponse> Authenticate(HttpRequest& req, bool* via_session, std::string* csrf);

  Services services_;
  ApiOptions options_;
  Router router_;
};

}  // namespace meridian::server
