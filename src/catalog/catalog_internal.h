// Internal encodings shared by the catalog's .cc files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"

namespace meridian::catalog::internal {

// Edge value: relationship guid, status flag and relationship type.
std::string EncodeEdgeValue(std::string_view relationship_guid, bool active, std::string_view type);
void DecodeEdgeValue(std::string_view value, Catalog::Edge* edge);

// Audit event record as stored; rendered as EntityAuditEventV2.
json MakeAuditEvent(const std::string& guid, int64_t ts, const std::string& user, const std::string& action,
                    const std::string& details);

// Converts an attribute value to its stored form, or explains why it does not fit.
Status NormalizeValue(const types::TypeRegistry& reg, const types::ValueType& vt, const std::string& attr, json& value);

// Checks a classification against its type and `entity_type`; rewrites `c`
// to its stored form (src/catalog/entity_mutations.cc).
Status ValidateClassification(const types::TypeRegistry& reg, const types::TypeDef& entity_type, json& c);

// Display text of a record per Atlas's rules.
std::string DisplayText(const types::TypeDef* type, const json& record);

}  // namespace meridian::catalog::internal
