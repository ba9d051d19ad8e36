// Transport-neutral HTTP request/response and the router. Handlers see only
// these types; Boost.Beast stays inside src/server/http_server.cc.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/auth/auth.h"
#include "meridian/deadline.h"
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
  // Parses the body as JSON; InvalidArgument with Atlas's code when it is not.
  Result<nlohmann::json> JsonBody() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json;charset=UTF-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Json(const nlohmann::json& j, int status = 200);
  static HttpResponse NoContent();
  // The one mapping from Status to HTTP status and Atlas's error body.
  static HttpResponse Error(const Status& s);
};

// Minimum role a route needs.
enum class Access { kPublic, kRead, kWrite, kAdmin };

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Matches method + path against patterns such as "/api/atlas/v2/entity/guid/{guid}".
// Literal segments win over {params}. Not thread-safe to modify; immutable once serving.
class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, Handler handler);
  struct Match {
    const Handler* handler = nullptr;
    Access access = Access::kRead;
    bool path_known = false;  // some route has this path (for 405)
  };
  Match Find(const std::string& method, const std::string& path, std::map<std::string, std::string>* params) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
    int literal_count;
  };
  std::vector<Route> routes_;
};

std::string PercentDecode(std::string_view in, bool plus_is_space);
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace meridian::server
