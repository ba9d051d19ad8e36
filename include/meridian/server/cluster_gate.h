// HaGate: the ClusterGate of a high-availability member (meridian/ha/node.h).
//  - A write (route class kWrite) sent to a follower is forwarded to the leader, for the
//    user it was authenticated as here; once the leader answers, the follower waits (up to
//    read_wait_ms) until it holds the write, so a read that follows on this server sees it.
//  - A leader's successful write answers with X-Meridian-Log-Position: its log position;
//    with quorum acknowledgement the answer waits until a follower holds it (503 otherwise).
//  - A request with X-Meridian-Read-After: N waits (up to read_wait_ms) until this server
//    holds log position N, else 503: read-your-writes on any member.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include "meridian/server/api.h"

namespace meridian::server {

inline constexpr char kReadAfterHeader[] = "x-meridian-read-after";

class HaGate : public ClusterGate {
 public:
  explicit HaGate(ha::Node& node) : node_(node) {}
  std::optional<HttpResponse> Before(HttpRequest& req, RouteClass route_class) override;
  void After(const HttpRequest& req, RouteClass route_class, HttpResponse& resp) override;

 private:
  HttpResponse Forward(const HttpRequest& req);
  ha::Node& node_;
};

}  // namespace meridian::server
