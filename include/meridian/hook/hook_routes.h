// REST routes of the hook module:
//   POST /api/atlas/v2/notification/topic/{topicName}  (admin) Atlas's REST notification: a JSON array
//        of records, each a string holding the record's JSON or the record object itself (a body
//        that is one object is one record).
//        ATLAS_HOOK: queued durably (HookWorker::Submit), then 204. ATLAS_ENTITIES: handed to
//        `publish_entities` (Kafka), 503 when there is none. Other topics: 400 ATLAS-400-00-0A7.
//   GET  /api/meridian/v1/admin/hook/failures?offset=&limit=  (admin) failed messages with their
//        errors, oldest first, and the worker's counters.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "meridian/hook/hook_worker.h"
#include "meridian/server/http.h"

namespace meridian::hook {

// Publishes records to ATLAS_ENTITIES and returns once they are confirmed.
using PublishFn = std::function<Status(const std::vector<std::string>& records)>;

// `worker` and `catalog` must outlive the router; `publish_entities` may be empty.
void RegisterHookRoutes(server::Router& router, HookWorker* worker, catalog::Catalog* catalog,
                        PublishFn publish_entities = {});

}  // namespace meridian::hook
