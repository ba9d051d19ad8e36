// Api: the request dispatcher. Classifies requests by route (RouteClass),
// authenticates from the headers (HTTP Basic or a browser session cookie),
// checks the route's role and CSRF header, calls the handler, and serves the
// bundled web UI for non-API paths. Hooks() plugs these steps into HttpServer
// so that a request's body is read only once its headers are admitted.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "meridian/auth/auth.h"
#include "meridian/catalog/catalog.h"
#include "meridian/server/http.h"
#include "meridian/worker_failures.h"
#include "meridian/server/http_server.h"
#include "meridian/server/server_metrics.h"

namespace meridian::search {
class SearchService;
}  // namespace meridian::search
namespace meridian::hook {
class HookWorker;
}  // namespace meridian::hook
namespace meridian::exchange {
class ExchangeService;
}  // namespace meridian::exchange
namespace meridian::openlineage {
class OpenLineageService;
}  // namespace meridian::openlineage
namespace meridian::notify {
class NotificationFeed;
}  // namespace meridian::notify
namespace meridian::ha {
class Node;
}  // namespace meridian::ha
namespace meridian::lineage {
class LineageService;
class PropagationWorker;
}  // namespace meridian::lineage

namespace meridian::server {

// How a member of a high-availability cluster (meridian/ha) runs requests: writes sent
// to a follower go to the leader, reads may wait until a log position is applied, and a
// leader's writes may wait until a follower holds them. Thread-safe.
class ClusterGate {
 public:
  virtual ~ClusterGate() = default;
  // Before an admitted API request runs here: nullopt to run it, else its response.
  virtual std::optional<HttpResponse> Before(HttpRequest& req, RouteClass route_class) = 0;
  // After it ran here: may add headers or replace the response.
  virtual void After(const HttpRequest& req, RouteClass route_class, HttpResponse& resp) = 0;
};

struct ApiOptions {
  std::string ui_dir;             // Default: <binary dir>/ui. Missing dir: / explains how to build the UI.
  std::string version = "0.1.0";
  bool secure_cookies = false;            // Set-Cookie with `Secure` (the server speaks HTTPS). Default: false.
  const ServerMetrics* metrics = nullptr;  // Served by the metrics routes when set. Default: none.
  // High availability: the gate every API request passes (null: a single server), and the
  // secret the cluster's servers present to each other (X-Meridian-Cluster-Secret). A request
  // carrying it acts for the user named in X-Meridian-Forwarded-User with the role in
  // X-Meridian-Forwarded-Role (a write a follower forwarded). Empty: no such requests.
  ClusterGate* cluster_gate = nullptr;
  std::string cluster_secret;
};

using PublishFn = std::function<Status(const std::vector<std::string>& records)>;

// Everything the routes serve from; the Api registers every route group from it.
// catalog, users and sessions are required; a group whose service is null (or whose
// folder is empty) is left out. All must outlive the Api.
struct Services {
  catalog::Catalog* catalog = nullptr;
  auth::UserStore* users = nullptr;
  auth::SessionStore* sessions = nullptr;
  const search::SearchService* search = nullptr;      // /v2/search, saved searches, downloads
  lineage::LineageService* lineage = nullptr;         // /v2/lineage
  lineage::PropagationWorker* propagation = nullptr;  // /meridian/v1/propagation and its failures
  notify::NotificationFeed* notifications = nullptr;  // /meridian/v1/notifications
  openlineage::OpenLineageService* openlineage = nullptr;  // POST /api/v1/lineage
  exchange::ExchangeService* exchange = nullptr;           // /api/atlas/admin/export, import, ...
  hook::HookWorker* hook = nullptr;                        // /v2/notification/topic/{topic}, hook failures
  // Publishes records to Kafka's ATLAS_ENTITIES and returns once they are confirmed; empty
  // without Kafka (then posting to that topic answers 503).
  PublishFn publish_entities;
  const WorkerFailures* index_failures = nullptr;     // /admin/index/failures, /admin/metrics
  ha::Node* cluster = nullptr;  // /meridian/v1/replication/..., /meridian/v1/admin/cluster; PASSIVE status
  std::string users_file;    // copied by POST /meridian/v1/admin/backup (empty: no backup route)
  std::string download_dir;  // search-result downloads (empty: no download routes)
};

class Api {
 public:
  Api(Services services, ApiOptions options);
  // Admit, then Execute.
  HttpResponse Handle(HttpRequest& req);
  // From method and path: the matched route's class; UI files and sign-out are
  // cheap, sign-in is a write. Thread-safe once serving.
  RouteClass Classify(const HttpRequest& req) const;
  // From the headers only: nullopt when the request may go on (fills
  // req.principal and req.params), else its answer (401, 403, 404, 405, 400).
  std::optional<HttpResponse> Admit(HttpRequest& req);
  // Runs an admitted request (with its body).
  HttpResponse Execute(HttpRequest& req);
  // Classify, Admit and Execute as HttpServer hooks; the Api must outlive the server.
  RequestHooks Hooks();

 private:
  HttpResponse HandleLogin(HttpRequest& req);
  HttpResponse HandleLogout(HttpRequest& req);
  HttpResponse ServeStatic(const HttpRequest& req) const;
  // True when the request carries the cluster secret.
  bool FromCluster(const HttpRequest& req) const;
  // Fills req.principal; the error response when authentication fails.
  std::optional<HttpResponse> Authenticate(HttpRequest& req, bool* via_session, std::string* csrf);

  Services services_;
  ApiOptions options_;
  Router router_;
};

}  // namespace meridian::server
