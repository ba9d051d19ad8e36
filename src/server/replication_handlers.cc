// High availability: what followers fetch from the leader, and the cluster's status.
#include <algorithm>

#include "routes.h"
#include "meridian/ha/node.h"

namespace meridian::server {

namespace {

constexpr int kMaxWaitMs = 5000;
constexpr size_t kMaxFetchBytes = 64 << 20;

uint64_t QueryU64(const HttpRequest& req, const std::string& name, uint64_t def) {
  const std::string v = req.Query(name);
  if (v.empty()) return def;
  try {
    return std::stoull(v);
  } catch (...) {
    return def;
  }
}

HttpResponse FetchLog(ha::Node* node, HttpRequest& req) {
  ha::LogShipper* shipper = node->shipper();
  if (!node->leading() || !shipper)
    return HttpResponse::Error(Status::Unavailable("this server is not the leader"));
  const std::string id = req.Query("id");
  if (id.empty()) return HttpResponse::Error(Status::InvalidArgument("id (the follower's server id) is required"));
  const auto wait = std::chrono::milliseconds(std::clamp<int64_t>(QueryU64(req, "waitMs", 1000), 0, kMaxWaitMs));
  const size_t max_bytes = std::clamp<uint64_t>(QueryU64(req, "maxBytes", 8 << 20), 1, kMaxFetchBytes);
  HttpResponse resp;
  Status s = shipper->Fetch(id, QueryU64(req, "after", 0), QueryU64(req, "index", 0), wait, max_bytes, &resp.body);
  if (s.code() == StatusCode::kNotFound) {
    resp = HttpResponse::Error(s);
    resp.status = 410;  // Gone: start again from a checkpoint
    return resp;
  }
  if (!s.ok()) return HttpResponse::Error(s);
  resp.content_type = "application/octet-stream";
  resp.headers.emplace_back(ha::kLogPositionHeader, std::to_string(node->log_position()));
  return resp;
}

}  // namespace

void RegisterReplicationRoutes(Router& r, const Services& s) {
  ha::Node* node = s.cluster;
  const std::string base = "/api/meridian/v1/replication";
  // A fetch waits at most a few seconds for the next batch; followers are few.
  r.Add("GET", base + "/log", Access::kCluster, [node](HttpRequest& req) { return FetchLog(node, req); },
        RouteClass::kCheap);
  r.Add("POST", base + "/checkpoint", Access::kCluster, [node](HttpRequest&) {
    if (!node->leading()) return HttpResponse::Error(Status::Unavailable("this server is not the leader"));
    auto manifest = node->shipper()->CreateCheckpoint();
    return manifest.ok() ? HttpResponse::Json(*manifest) : HttpResponse::Error(manifest.status());
  }, RouteClass::kHeavy);
  r.Add("GET", base + "/checkpoint/{id}/{file}", Access::kCluster, [node](HttpRequest& req) {
    auto path = node->shipper()->LinkCheckpointFile(req.params["id"], req.params["file"]);
    if (!path.ok()) return HttpResponse::Error(path.status());
    HttpResponse resp;
    resp.content_type = "application/octet-stream";
    resp.body_file = *path;  // removed once sent
    return resp;
  }, RouteClass::kHeavy);
  r.Add("DELETE", base + "/checkpoint/{id}", Access::kCluster, [node](HttpRequest& req) {
    Status st = node->shipper()->DropCheckpoint(req.params["id"]);
    return st.ok() ? HttpResponse::NoContent() : HttpResponse::Error(st);
  }, RouteClass::kCheap);
  r.Add("GET", "/api/meridian/v1/admin/cluster", Access::kRead,
        [node](HttpRequest&) { return HttpResponse::Json(node->Describe()); }, RouteClass::kCheap);
}

}  // namespace meridian::server
