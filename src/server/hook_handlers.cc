#include <algorithm>

#include "handler_util.h"
#include "meridian/hook/hook_worker.h"
#include "routes.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

namespace {

constexpr const char* kHookTopic = "ATLAS_HOOK";
constexpr const char* kEntitiesTopic = "ATLAS_ENTITIES";

// The records of a REST notification body.
Result<std::vector<std::string>> Records(const HttpRequest& req) {
  ASSIGN_OR_RETURN(json body, req.JsonBody());
  if (body.is_object()) return std::vector<std::string>{body.dump()};  // one message, as Atlas takes it
  if (!body.is_array()) return Status::InvalidArgument("notification body must be a JSON array of messages");
  std::vector<std::string> out;
  out.reserve(body.size());
  for (const json& m : body) {
    if (m.is_string()) out.push_back(m.get<std::string>());
    else if (m.is_object()) out.push_back(m.dump());
    else return Status::InvalidArgument("each notification message must be a string or an object");
  }
  return out;
}

json FailureJson(const catalog::HookFailure& f) {
  return {{"sequence", f.sequence}, {"source", f.source},       {"error", f.error},
          {"receivedTime", f.received_ms}, {"failedTime", f.failed_ms}, {"message", f.text}};
}

}  // namespace

void RegisterHookRoutes(Router& router, const Services& s) {
  hook::HookWorker* worker = s.hook;
  catalog::Catalog* catalog = s.catalog;
  const PublishFn& publish_entities = s.publish_entities;
  router.Add("POST", "/api/atlas/v2/notification/topic/{topicName}", Access::kAdmin,
             [worker, publish_entities](HttpRequest& req) {
               const std::string& topic = req.params["topicName"];
               if (topic != kHookTopic && topic != kEntitiesTopic)
                 return HttpResponse::Error(
                     Status::InvalidArgument("Unsupported topic name : " + topic, atlas_code::kInvalidTopicName));
               auto records = Records(req);
               if (!records.ok()) return HttpResponse::Error(records.status());
               if (topic == kEntitiesTopic) {
                 if (!publish_entities)
                   return HttpResponse::Error(Status::Unavailable(
                       "no Kafka is configured (kafka.bootstrap_servers) to publish ATLAS_ENTITIES messages to"));
                 Status s = publish_entities(*records);
                 return s.ok() ? HttpResponse::NoContent() : HttpResponse::Error(s);
               }
               auto added = worker->Submit(*records, "rest");
               return added.ok() ? HttpResponse::NoContent() : HttpResponse::Error(added.status());
             });
  router.Add("GET", "/api/meridian/v1/admin/hook/failures", Access::kAdmin, [worker, catalog](HttpRequest& req) {
    const int offset = std::max(0, req.QueryInt("offset", 0));
    const int limit = std::clamp(req.QueryInt("limit", 100), 1, 10000);
    json list = json::array();
    for (const auto& f : catalog->HookFailures(static_cast<size_t>(offset), static_cast<size_t>(limit)))
      list.push_back(FailureJson(f));
    return HttpResponse::Json({{"failures", list}, {"stats", worker->Stats()}});
  });
}

}  // namespace meridian::server
