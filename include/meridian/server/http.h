// Transport-neutral HTTP request/response and the router. Handlers see only
// these types; Boost.Beast stays inside src/server/http_server.cc.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/auth/auth.h"
#include "meridian/deadline.h"
#include "meridian/request_json.h"
#include "meridian/status.h"

namespace meridian::server {

struct HttpRequest {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // percent-decoded, without the query
  std::multimap<std::string, std::string> query;   // decoded; repeated keys kept
  std::map<std::string, std::string> headers;      // lower-case names
  std::string body;

  // Set by the server: when the handler's work must stop (per route class).
  Deadline deadline;
  // Set by the server: the client's IP address (for sign-in throttling).
  std::string remote_address;

  // Set by the dispatcher.
  auth::Principal principal;
  std::map<std::string, std::string> params;       // {name} segments of the matched route

  std::string Header(const std::string& lower_name) const;
  std::string Query(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> QueryAll(const std::string& name) const;
  bool QueryBool(const std::string& name, bool def) const;
  int QueryInt(const std::string& name, int def) const;
  // Parses the body as JSON with ParseRequestJson (meridian/request_json.h): at
  // most kMaxRequestJsonDepth (64) nested levels. InvalidArgument with Atlas's
  // code (400) when the body is empty, not JSON or nested deeper.
  Result<nlohmann::json> JsonBody() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json;charset=UTF-8";
  std::string body;
  // When set, the body is this file instead of `body`: streamed from disk, then
  // the file is removed (also when the response cannot be sent).
  std::string body_file;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Json(const nlohmann::json& j, int status = 200);
  static HttpResponse NoContent();
  // The one mapping from Status to HTTP status and Atlas's error body.
  static HttpResponse Error(const Status& s);
};

// Minimum role a route needs. kCluster: only the other servers of a high-availability
// cluster (the X-Meridian-Cluster-Secret header), never a user.
enum class Access { kPublic, kRead, kWrite, kAdmin, kCluster };

// How the server schedules a route (see HttpServer):
//  kImmediate — answered on the I/O thread at once, never queued: instant handlers only (status, metrics);
//  kCheap     — point reads (entity by guid, headers, types);
//  kWrite     — POST/PUT/DELETE;
//  kHeavy     — work that grows with the catalog: search, DSL, lineage walks, audits.
enum class RouteClass { kImmediate = 0, kCheap = 1, kWrite = 2, kHeavy = 3 };
constexpr int kRouteClassCount = 4;
// "immediate", "cheap", "write", "heavy".
constexpr std::string_view RouteClassName(RouteClass c) {
  constexpr std::string_view kNames[] = {"immediate", "cheap", "write", "heavy"};
  return kNames[static_cast<int>(c)];
}

// The class a route gets when Router::Add is not told one: kHeavy for search
// (/api/atlas/v2/search/...), lineage walks (/api/atlas/v2/lineage/...) and
// audits (.../audit), otherwise kCheap for GET/HEAD and kWrite for other methods.
RouteClass DefaultRouteClass(std::string_view method, std::string_view pattern);

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Matches method + path against patterns such as "/api/atlas/v2/entity/guid/{guid}".
// Literal segments win over {params}. Not thread-safe to modify; immutable once serving.
class Router {
 public:
  // `route_class` empty: DefaultRouteClass(method, pattern).
  void Add(std::string method, std::string pattern, Access access, Handler handler,
           std::optional<RouteClass> route_class = std::nullopt);
  struct Match {
    const Handler* handler = nullptr;
    Access access = Access::kRead;
    RouteClass route_class = RouteClass::kCheap;
    bool path_known = false;  // some route has this path (for 405)
  };
  Match Find(const std::string& method, const std::string& path, std::map<std::string, std::string>* params) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
    RouteClass route_class;
    int literal_count;
  };
  std::vector<Route> routes_;
};

// The parts of a multipart/form-data body in order, as (name, content): the
// name="..." of each part's Content-Disposition. nullopt when the body is not multipart.
std::optional<std::vector<std::pair<std::string, std::string>>> MultipartParts(const HttpRequest& req);

std::string PercentDecode(std::string_view in, bool plus_is_space);
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace meridian::server
