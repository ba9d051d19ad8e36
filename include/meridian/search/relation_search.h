// Relations search (POST|GET /v2/search/relations): relationships of one
// relationship type (and, by default, its sub-types) that pass
// relationshipFilters, as AtlasRelationshipHeaders in AtlasSearchResult.relations.
//
// Parameters (Atlas's RelationshipSearchParameters): relationshipName,
// relationshipFilters (FilterCriteria over the relationship's attributes and
// __guid, __typeName, __state, __timestamp, __modificationTimestamp),
// includeSubTypes (default true), excludeDeletedEntities, limit (default 100,
// at most 10000), offset, sortBy, sortOrder (ASCENDING|DESCENDING).
// Errors: negative limit/offset or filters without relationshipName → 400
// ATLAS-400-00-029; unknown relationship type → 400 ATLAS-400-00-00A.
// Cost: one scan of the relationships family per request, abandoned with
// DeadlineExceeded (504) when `deadline` expires.
//
// Thread-safety: a pure function of the catalog's state.
#pragma once

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/status.h"

namespace meridian::search {

Result<nlohmann::json> SearchRelations(const catalog::Catalog& catalog, const nlohmann::json& params,
                                       const Deadline& deadline = {});

}  // namespace meridian::search
