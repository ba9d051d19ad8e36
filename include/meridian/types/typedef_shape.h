// The shapes Atlas accepts for request bodies and type definitions.
//
// Atlas (Jackson) reads a JSON null as "absent": official clients send every
// unset field as null. These helpers bring what a client sent to the one form
// Meridian stores, so that no later read can fail on it. Pure functions; safe
// from any thread.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace meridian::types {

// Removes null object members and null array elements, recursively.
void DropNulls(nlohmann::json& j);

// Checks one typedef of `list` ("entityDefs", "enumDefs", ...) as a client sent
// it and brings it to the stored form: nulls dropped, lists where Atlas has
// lists (attributeDefs, superTypes, entityTypes, elementDefs), Atlas's defaults
// for attribute flags left out by the client (cardinality SINGLE, isOptional,
// isUnique and isIndexable false). Fails with Atlas's error code when a field
// has a type no Atlas client could send (e.g. "attributeDefs": "x").
Status NormalizeTypeDef(std::string_view list, nlohmann::json& def);

// Safe reads of a typedef's JSON (the stored form may predate NormalizeTypeDef).
std::string StringField(const nlohmann::json& j, const char* key, std::string def = {});

}  // namespace meridian::types
