// Internal encodings shared by the catalog's .cc files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"

namespace meridian::catalog::internal {

// kMeta key of the last notification sequence, written with every batch that adds notifications.
inline constexpr std::string_view kNotificationSequenceKey = "notification_sequence";

// Atlas's error for an entity guid that names no entity (ATLAS-404-00-005).
Status GuidNotFound(const std::string& guid);

// Fills `edge`'s relationship, type and status from a stored edge value.
void SetEdgeValue(std::string_view value, Edge* edge);

// Audit event record as stored; rendered as EntityAuditEventV2.
json MakeAuditEvent(const std::string& guid, int64_t ts, const std::string& user, const std::string& action,
                    const std::string& details);

// Converts an attribute value to its stored form, or explains why it does not fit.
Status NormalizeValue(const types::TypeRegistry& reg, const types::ValueType& vt, const std::string& attr, json& value);

// Labels as Atlas allows them: at most kMaxLabelLength characters of
// [A-Za-z0-9_-] (ATLAS-400-00-08F / -090).
inline constexpr size_t kMaxLabelLength = 50;
Status CheckLabel(const std::string& label);

// A guid chosen by the client for a new entity: 1 to kMaxClientGuidLength
// letters, digits or -_.:@~ (ATLAS-400-00-021), so that it is safe as a store key
// prefix (no NUL), in a URL path and as an index term.
inline constexpr size_t kMaxClientGuidLength = 128;
Status CheckClientGuid(const std::string& guid);

// Checks a classification against its type and `entity_type`; rewrites `c`
// to its stored form (src/catalog/entity_mutations.cc).
Status ValidateClassification(const types::TypeRegistry& reg, const types::TypeDef& entity_type, json& c);

// Display text of a record per Atlas's rules.
std::string DisplayText(const types::TypeDef* type, const json& record);

}  // namespace meridian::catalog::internal
