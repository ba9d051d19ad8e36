#include "meridian/server/cluster_gate.h"

#include "meridian/client/rest_client.h"
#include "meridian/ha/node.h"

namespace meridian::server {

namespace {

constexpr auto kForwardTimeout = std::chrono::seconds(120);

// Headers of the leader's answer that the client should see.
constexpr const char* kPassedBack[] = {"x-meridian-log-position", "retry-after", "content-disposition"};

// The request's path and query, encoded again (the server decoded them).
std::string Target(const HttpRequest& req) {
  std::string target;
  size_t start = 1;
  while (start <= req.path.size()) {
    size_t slash = req.path.find('/', start);
    if (slash == std::string::npos) slash = req.path.size();
    target += "/" + client::UrlEncode(std::string_view(req.path).substr(start, slash - start));
    start = slash + 1;
  }
  char sep = '?';
  for (const auto& [k, v] : req.query) {
    target += sep + client::UrlEncode(k) + "=" + client::UrlEncode(v);
    sep = '&';
  }
  return target;
}

}  // namespace

HttpResponse HaGate::Forward(const HttpRequest& req) {
  auto leader = node_.leader();
  if (!leader || leader->id == node_.options().server_id) {
    HttpResponse r = HttpResponse::Error(Status::Unavailable("no leader is elected at the moment: retry shortly"));
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  client::RestClientOptions options;
  options.base_url = leader->url;
  options.user.clear();
  options.timeout = kForwardTimeout;
  options.retries = 0;  // a write must not be sent twice
  options.keep_alive = false;
  auto client = client::RestClient::Create(options);
  if (!client.ok()) return HttpResponse::Error(client.status());
  client::Headers headers{{ha::kSecretHeader, node_.options().cluster_secret},
                          {"X-Meridian-Forwarded-User", req.principal.user},
                          {"X-Meridian-Forwarded-Role", std::string(auth::RoleName(req.principal.role))}};
  const std::string content_type = req.Header("content-type");
  auto answer = (*client)->Request(req.method, Target(req), req.body,
                                   content_type.empty() ? "application/json" : content_type, headers);
  if (!answer.ok()) {
    HttpResponse r = HttpResponse::Error(
        Status::Unavailable("the leader " + leader->id + " did not answer the forwarded write: " + answer.status().message()));
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  HttpResponse resp;
  resp.status = answer->status;
  resp.body = std::move(answer->body);
  if (auto ct = answer->Header("content-type"); !ct.empty()) resp.content_type = ct;
  for (const char* name : kPassedBack)
    if (auto v = answer->Header(name); !v.empty()) resp.headers.emplace_back(name, v);
  if (auto position = answer->Header("x-meridian-log-position"); !position.empty())
    node_.WaitApplied(std::stoull(position), std::chrono::milliseconds(node_.options().read_wait_ms));
  return resp;
}

std::optional<HttpResponse> HaGate::Before(HttpRequest& req, RouteClass route_class) {
  if (const std::string after = req.Header(kReadAfterHeader); !after.empty()) {
    uint64_t position = 0;
    try {
      position = std::stoull(after);
    } catch (...) {
      return HttpResponse::Error(Status::InvalidArgument("X-Meridian-Read-After must be a log position (a number)"));
    }
    if (!node_.WaitApplied(position, std::chrono::milliseconds(node_.options().read_wait_ms))) {
      HttpResponse r = HttpResponse::Error(Status::Unavailable(
          "this server holds log position " + std::to_string(node_.log_position()) + ", not yet " +
          std::to_string(position) + ": retry, or read from the leader"));
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
  }
  if (route_class != RouteClass::kWrite || node_.leading()) return std::nullopt;
  if (!req.Header("x-meridian-cluster-secret").empty())
    return HttpResponse::Error(Status::Unavailable("this server is not the leader any more: retry"));
  return Forward(req);
}

void HaGate::After(const HttpRequest&, RouteClass route_class, HttpResponse& resp) {
  if (route_class != RouteClass::kWrite || resp.status >= 300 || !node_.leading()) return;
  const uint64_t position = node_.log_position();
  resp.headers.emplace_back("X-Meridian-Log-Position", std::to_string(position));
  if (!node_.options().quorum_ack) return;
  Status s = node_.shipper()->WaitReplicated(position, std::chrono::milliseconds(node_.options().quorum_timeout_ms));
  if (!s.ok()) {
    resp = HttpResponse::Error(s);
    resp.headers.emplace_back("X-Meridian-Log-Position", std::to_string(position));
  }
}

}  // namespace meridian::server
