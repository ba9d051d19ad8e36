// REST routes of the lineage module:
//   GET  /api/atlas/v2/lineage/{guid}?direction=&depth=&hideProcess=&excludeDeletedEntities=&maxNodes=
//   GET  /api/atlas/v2/lineage/uniqueAttribute/type/{typeName}?attr:qualifiedName=...
//   POST /api/atlas/v2/lineage/{guid}   on-demand: {"<guid>": {direction, depth, inputRelationsLimit, outputRelationsLimit}}
//   GET  /api/meridian/v1/propagation   background propagation status {pending, done, idle}
#pragma once

#include "meridian/lineage/lineage_service.h"
#include "meridian/lineage/propagation_worker.h"
#include "meridian/server/http.h"

namespace meridian::lineage {

// `service` and `worker` (may be null) must outlive the router.
void RegisterLineageRoutes(server::Router& router, LineageService* service, PropagationWorker* worker);

}  // namespace meridian::lineage
