#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

#include <optional>
#include <set>
#include <string>

namespace meridian::types {

namespace {

using json = nlohmann::json;

constexpr const char* kCode = atlas_code::kInvalidParameters;

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("invalid type definition " + where + ": " + what, kCode);
}

// Jackson reads a number or boolean into a String field; anything else is an error.
Status StringOf(json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_string()) return Status::Ok();
  if (it->is_number() || it->is_boolean()) {
    *it = it->dump();
    return Status::Ok();
  }
  return Bad(where, std::string(key) + " must be a string");
}

Status BoolOf(json& j, const char* key, const std::string& where, std::optional<bool> def) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (def) j[key] = *def;
    return Status::Ok();
  }
  if (it->is_boolean()) return Status::Ok();
  if (it->is_string() && (*it == "true" || *it == "false")) {
    *it = *it == "true";
    return Status::Ok();
  }
  return Bad(where, std::string(key) + " must be true or false");
}

Status IntOf(json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_number_integer()) return Status::Ok();
  if (it->is_number_float() && it->get<double>() == static_cast<double>(static_cast<int64_t>(it->get<double>()))) {
    *it = static_cast<int64_t>(it->get<double>());
    return Status::Ok();
  }
  return Bad(where, std::string(key) + " must be an integer");
}

Status OneOf(json& j, const char* key, const std::string& where, std::initializer_list<const char*> allowed,
             const char* def) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (def) j[key] = def;
    return Status::Ok();
  }
  if (it->is_string())
    for (const char* a : allowed)
      if (*it == a) return Status::Ok();
  std::string names;
  for (const char* a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
  return Bad(where, std::string(key) + " must be one of " + names + ", got " + it->dump());
}

// Map<String, String>: scalar values are read as strings.
Status StringMapOf(json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_object()) return Bad(where, std::string(key) + " must be an object of strings");
  for (auto& [k, v] : it->items()) {
    if (v.is_string()) continue;
    if (!v.is_number() && !v.is_boolean())
      return Bad(where, std::string(key) + "." + k + " must be a string");
    v = v.dump();
  }
  return Status::Ok();
}

Status ListOf(json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) {
    j[key] = json::array();
    return Status::Ok();
  }
  if (!it->is_array()) return Bad(where, std::string(key) + " must be a list");
  return Status::Ok();
}

Status StringListOf(json& j, const char* key, const std::string& where) {
  RETURN_IF_ERROR(ListOf(j, key, where));
  std::set<std::string> seen;
  json out = json::array();
  for (const json& s : j[key]) {
    if (!s.is_string() || s.get<std::string>().empty())
      return Bad(where, std::string(key) + " must be a list of type names");
    if (seen.insert(s.get<std::string>()).second) out.push_back(s);
  }
  j[key] = std::move(out);
  return Status::Ok();
}

Status RequiredName(json& j, const char* key, const std::string& where) {
  RETURN_IF_ERROR(StringOf(j, key, where));
  if (!j.contains(key) || j[key].get<std::string>().empty()) return Bad(where, std::string(key) + " is missing");
  return Status::Ok();
}

Status NormalizeAttributeDef(json& a, const std::string& owner) {
  if (!a.is_object()) return Bad(owner, "attributeDefs must hold objects");
  const std::string where = owner + "." + StringField(a, "name", "?");
  RETURN_IF_ERROR(RequiredName(a, "name", where));
  RETURN_IF_ERROR(RequiredName(a, "typeName", where));
  RETURN_IF_ERROR(OneOf(a, "cardinality", where, {"SINGLE", "LIST", "SET"}, "SINGLE"));
  // Atlas's AtlasAttributeDef defaults: mandatory, not unique, not indexed.
  RETURN_IF_ERROR(BoolOf(a, "isOptional", where, false));
  RETURN_IF_ERROR(BoolOf(a, "isUnique", where, false));
  RETURN_IF_ERROR(BoolOf(a, "isIndexable", where, false));
  RETURN_IF_ERROR(BoolOf(a, "includeInNotification", where, std::nullopt));
  for (const char* k : {"valuesMinCount", "valuesMaxCount", "searchWeight"}) RETURN_IF_ERROR(IntOf(a, k, where));
  for (const char* k : {"defaultValue", "description", "displayName", "indexType"})
    RETURN_IF_ERROR(StringOf(a, k, where));
  RETURN_IF_ERROR(StringMapOf(a, "options", where));
  if (a.contains("constraints")) {
    if (!a["constraints"].is_array()) return Bad(where, "constraints must be a list");
    for (json& c : a["constraints"]) {
      if (!c.is_object()) return Bad(where, "constraints must hold objects");
      RETURN_IF_ERROR(RequiredName(c, "type", where + " constraint"));
      if (c.contains("params") && !c["params"].is_object()) return Bad(where, "constraint params must be an object");
    }
  }
  return Status::Ok();
}

Status NormalizeEndDef(json& def, const char* key, const std::string& where) {
  auto it = def.find(key);
  if (it == def.end() || !it->is_object()) return Bad(where, std::string(key) + " is missing");
  const std::string w = where + "." + key;
  RETURN_IF_ERROR(RequiredName(*it, "type", w));
  RETURN_IF_ERROR(RequiredName(*it, "name", w));
  RETURN_IF_ERROR(OneOf(*it, "cardinality", w, {"SINGLE", "LIST", "SET"}, "SINGLE"));
  RETURN_IF_ERROR(BoolOf(*it, "isContainer", w, false));
  RETURN_IF_ERROR(BoolOf(*it, "isLegacyAttribute", w, false));
  return StringOf(*it, "description", w);
}

}  // namespace

void DropNulls(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it->is_null()) {
        it = j.erase(it);
      } else {
        DropNulls(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it->is_null()) {
        it = j.erase(it);
      } else {
        DropNulls(*it);
        ++it;
      }
    }
  }
}

std::string StringField(const json& j, const char* key, std::string def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

Status NormalizeTypeDef(std::string_view list, json& def) {
  if (!def.is_object()) return Bad(std::string(list), "each type definition must be an object");
  DropNulls(def);
  const std::string where = StringField(def, "name", "in " + std::string(list));
  if (!def.contains("name") || !def["name"].is_string() || def["name"].get<std::string>().empty())
    return Status::InvalidArgument("a type in " + std::string(list) + " has no name", kCode);
  for (const char* k : {"description", "typeVersion", "serviceType", "guid", "createdBy", "updatedBy"})
    RETURN_IF_ERROR(StringOf(def, k, where));
  for (const char* k : {"createTime", "updateTime", "version"})
    if (def.contains(k) && !def[k].is_number()) def.erase(k);
  RETURN_IF_ERROR(StringMapOf(def, "options", where));
  // Computed on every read, never stored: a client may send back what it read.
  for (const char* k : {"subTypes", "relationshipAttributeDefs", "businessAttributeDefs"}) def.erase(k);

  if (list == "enumDefs") {
    RETURN_IF_ERROR(ListOf(def, "elementDefs", where));
    std::set<std::string> seen;
    for (json& e : def["elementDefs"]) {
      if (!e.is_object()) return Bad(where, "elementDefs must hold objects");
      RETURN_IF_ERROR(RequiredName(e, "value", where + " element"));
      RETURN_IF_ERROR(IntOf(e, "ordinal", where));
      RETURN_IF_ERROR(StringOf(e, "description", where));
      std::string lower = e["value"].get<std::string>();
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!seen.insert(lower).second)
        return Bad(where, "duplicate enum value " + e["value"].get<std::string>());
    }
    return StringOf(def, "defaultValue", where);
  }
  RETURN_IF_ERROR(ListOf(def, "attributeDefs", where));
  std::set<std::string> names;
  for (json& a : def["attributeDefs"]) {
    RETURN_IF_ERROR(NormalizeAttributeDef(a, where));
    if (!names.insert(a["name"].get<std::string>()).second)
      return Bad(where, "duplicate attribute " + a["name"].get<std::string>());
  }
  if (list == "entityDefs" || list == "classificationDefs") RETURN_IF_ERROR(StringListOf(def, "superTypes", where));
  if (list == "classificationDefs") RETURN_IF_ERROR(StringListOf(def, "entityTypes", where));
  if (list == "relationshipDefs") {
    RETURN_IF_ERROR(NormalizeEndDef(def, "endDef1", where));
    RETURN_IF_ERROR(NormalizeEndDef(def, "endDef2", where));
    RETURN_IF_ERROR(OneOf(def, "relationshipCategory", where, {"ASSOCIATION", "AGGREGATION", "COMPOSITION"},
                          "ASSOCIATION"));
    RETURN_IF_ERROR(OneOf(def, "propagateTags", where, {"NONE", "ONE_TO_TWO", "TWO_TO_ONE", "BOTH"}, "NONE"));
    RETURN_IF_ERROR(StringOf(def, "relationshipLabel", where));
  }
  return Status::Ok();
}

}  // namespace meridian::types
