#include "handler_util.h"
#include "meridian/notify/notification_feed.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

#include <charconv>

namespace meridian::server {

using notify::NotificationFeed;

namespace {

constexpr uint64_t kDefaultLimit = 100, kMaxLimit = 1000;

// A non-negative integer query parameter; InvalidArgument naming it otherwise.
Result<uint64_t> Unsigned(const HttpRequest& req, const std::string& name, uint64_t def) {
  const std::string v = req.Query(name);
  if (v.empty()) return def;
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size())
    return Status::InvalidArgument(name + " must be a non-negative integer, got '" + v + "'", atlas_code::kInvalidParameters);
  return out;
}

HttpResponse ReadFeed(NotificationFeed* feed, HttpRequest& req) {
  auto after = Unsigned(req, "after", 0);
  if (!after.ok()) return HttpResponse::Error(after.status());
  auto limit = Unsigned(req, "limit", kDefaultLimit);
  if (!limit.ok()) return HttpResponse::Error(limit.status());
  if (*limit < 1 || *limit > kMaxLimit)
    return HttpResponse::Error(Status::InvalidArgument(
        "limit must be between 1 and " + std::to_string(kMaxLimit), atlas_code::kInvalidParameters));
  auto wait = Unsigned(req, "wait", 0);
  if (!wait.ok()) return HttpResponse::Error(wait.status());
  const std::string consumer = req.Query("consumer");
  if (!consumer.empty()) {
    Status s = feed->Acknowledge(consumer, *after, req.principal.user);
    if (!s.ok()) return HttpResponse::Error(s);
  }
  auto page = feed->Read(*after, *limit, std::chrono::milliseconds(std::min<uint64_t>(*wait, 3600000)), req.deadline);
  if (!page.ok()) return HttpResponse::Error(page.status());
  nlohmann::json items = nlohmann::json::array();
  for (auto& n : page->notifications) items.push_back({{"sequence", n.sequence}, {"message", std::move(n.message)}});
  return HttpResponse::Json({{"notifications", std::move(items)},
                             {"lastSequence", page->last_sequence},
                             {"oldestSequence", page->oldest_sequence},
                             {"truncated", page->truncated}});
}

}  // namespace

void RegisterNotificationRoutes(Router& r, const Services& s) {
  NotificationFeed* feed = s.notifications;
  // A page is a short range scan; a waiting long-poll holds one of the feed's few waiter slots.
  r.Add("GET", "/api/meridian/v1/notifications", Access::kRead,
        [feed](HttpRequest& req) { return ReadFeed(feed, req); }, RouteClass::kCheap);
  r.Add("GET", "/api/meridian/v1/admin/notifications", Access::kAdmin, [feed](HttpRequest&) {
    auto p = feed->Positions();
    return p.ok() ? HttpResponse::Json(*p) : HttpResponse::Error(p.status());
  }, RouteClass::kCheap);
}

}  // namespace meridian::server
