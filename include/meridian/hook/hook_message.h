// Hook payloads (HookNotification, V2 and V1) as catalog changes, the way
// Atlas's NotificationHookConsumer reads them:
//   ENTITY_CREATE_V2, ENTITY_FULL_UPDATE_V2  -> upsert of entities + referredEntities
//   ENTITY_PARTIAL_UPDATE_V2                 -> partial update of entityId with entity.entity
//   ENTITY_DELETE_V2                         -> delete of each AtlasObjectId (absent ones skipped)
//   ENTITY_CREATE, ENTITY_FULL_UPDATE (V1)   -> Referenceables converted to AtlasEntity, then upsert
//   ENTITY_PARTIAL_UPDATE (V1)               -> partial update of (typeName, attribute = attributeValue)
//   ENTITY_DELETE (V1)                       -> delete of (typeName, attribute = attributeValue)
// Other types (TYPE_CREATE, IMPORT_*, ...) are refused, as Atlas skips them.
//
// The change's user is the payload's `user`, else `created_by` (msgCreatedBy), else UNKNOWN.
// Errors: InvalidArgument (ATLAS-400-00-01A) naming the problem. Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::hook {

// `payload` is taken by value: its entities are moved into the change.
Result<catalog::HookChange> ChangeOf(nlohmann::json payload, const std::string& created_by);

// A V1 Referenceable ({jsonClass, id, typeName, values, traitNames, traits}) as an
// AtlasEntity; nested Referenceables go to `referred` (guid -> AtlasEntity) and
// are replaced by object ids, $_Id values become AtlasObjectIds, $_Struct values structs.
Result<nlohmann::json> EntityFromReferenceable(const nlohmann::json& referenceable, nlohmann::json* referred);

}  // namespace meridian::hook
