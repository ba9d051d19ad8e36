#include "meridian/hook/hook_message.h"

namespace meridian::hook {

using nlohmann::json;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string JsonClass(const json& v) {
  if (!v.is_object()) return {};
  auto it = v.find("jsonClass");
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The id of a V1 $_Id (or of a Referenceable's `id`), as a string.
std::string V1Id(const json& id) {
  const json& v = id.is_object() ? id.value("id", json()) : id;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return {};
}

Result<json> ConvertValue(const json& v, json* referred, int depth) {
  if (depth > 32) return Status::InvalidArgument("V1 entity nests too deeply");
  const std::string cls = JsonClass(v);
  if (EndsWith(cls, "$_Reference")) {
    ASSIGN_OR_RETURN(json entity, EntityFromReferenceable(v, referred));
    const std::string guid = entity["guid"];
    json ref = {{"guid", guid}, {"typeName", entity["typeName"]}};
    (*referred)[guid] = std::move(entity);
    return ref;
  }
  if (EndsWith(cls, "$_Id")) return json{{"guid", V1Id(v)}, {"typeName", v.value("typeName", "")}};
  if (EndsWith(cls, "$_Struct")) {
    json attrs = json::object();
    if (v.contains("values") && v["values"].is_object())
      for (auto it = v["values"].begin(); it != v["values"].end(); ++it) {
        ASSIGN_OR_RETURN(attrs[it.key()], ConvertValue(it.value(), referred, depth + 1));
      }
    return json{{"typeName", v.value("typeName", "")}, {"attributes", attrs}};
  }
  if (v.is_array() || v.is_object()) {
    json out = v.is_array() ? json::array() : json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      ASSIGN_OR_RETURN(json c, ConvertValue(it.value(), referred, depth + 1));
      if (v.is_array()) out.push_back(std::move(c));
      else out[it.key()] = std::move(c);
    }
    return out;
  }
  return v;
}

const json& Field(const json& payload, const char* name) {
  static const json kNull;
  auto it = payload.find(name);
  return it == payload.end() ? kNull : *it;
}

Status Need(bool ok, const std::string& type, const char* what) {
  return ok ? Status::Ok() : Status::InvalidArgument(type + " message without " + what);
}

json V1UniqueId(const json& payload) {
  return {{"typeName", payload.value("typeName", "")},
          {"uniqueAttributes", {{payload.value("attribute", ""), payload.value("attributeValue", "")}}}};
}

}  // namespace

Result<json> EntityFromReferenceable(const json& r, json* referred) {
  if (!r.is_object()) return Status::InvalidArgument("V1 entity must be an object");
  std::string type = r.value("typeName", "");
  const json& id = Field(r, "id");
  if (type.empty() && id.is_object()) type = id.value("typeName", "");
  if (type.empty()) return Status::InvalidArgument("V1 entity without typeName");
  json entity = {{"typeName", type}, {"attributes", json::object()}};
  if (std::string guid = V1Id(id); !guid.empty()) entity["guid"] = guid;
  else entity["guid"] = catalog::NewGuid();
  const json& values = Field(r, "values");
  if (values.is_object()) {
    for (auto it = values.begin(); it != values.end(); ++it) {
      ASSIGN_OR_RETURN(entity["attributes"][it.key()], ConvertValue(it.value(), referred, 1));
    }
  }
  const json& traits = Field(r, "traits");
  json classifications = json::array();
  if (traits.is_object()) {
    for (auto it = traits.begin(); it != traits.end(); ++it) {
      json c = {{"typeName", it->is_object() ? it->value("typeName", it.key()) : it.key()}};
      if (it->is_object() && (*it).contains("values") && (*it)["values"].is_object()) {
        ASSIGN_OR_RETURN(c["attributes"], ConvertValue((*it)["values"], referred, 1));
      }
      classifications.push_back(std::move(c));
    }
  }
  if (!classifications.empty()) entity["classifications"] = std::move(classifications);
  return entity;
}

Result<catalog::HookChange> ChangeOf(json payload, const std::string& created_by) {
  using Kind = catalog::HookChange::Kind;
  if (!payload.is_object()) return Status::InvalidArgument("hook message payload must be an object");
  const std::string type = payload.value("type", "");
  catalog::HookChange change;
  const json& user = Field(payload, "user");
  change.user = user.is_string() && !user.get<std::string>().empty() ? user.get<std::string>()
                : !created_by.empty()                                ? created_by
                                                                     : "UNKNOWN";
  if (type == "ENTITY_CREATE_V2" || type == "ENTITY_FULL_UPDATE_V2") {
    auto e = payload.find("entities");
    RETURN_IF_ERROR(Need(e != payload.end() && e->is_object() && e->contains("entities"), type, "entities.entities"));
    change.kind = Kind::kUpsert;
    change.entities = std::move((*e)["entities"]);
    if (e->contains("referredEntities") && !(*e)["referredEntities"].is_null())
      change.referred = std::move((*e)["referredEntities"]);
    return change;
  }
  if (type == "ENTITY_PARTIAL_UPDATE_V2") {
    const json& id = Field(payload, "entityId");
    const json& e = Field(payload, "entity");
    RETURN_IF_ERROR(Need(id.is_object(), type, "an entityId object"));
    RETURN_IF_ERROR(Need(e.is_object() && e.contains("entity") && e["entity"].is_object(), type, "entity.entity"));
    change.kind = Kind::kPartialUpdate;
    change.entity_id = id;
    const json& body = e["entity"];
    if (body.contains("attributes") && body["attributes"].is_object()) change.attributes = body["attributes"];
    if (body.contains("relationshipAttributes") && body["relationshipAttributes"].is_object())
      change.relationship_attributes = body["relationshipAttributes"];
    return change;
  }
  if (type == "ENTITY_DELETE_V2") {
    const json& ids = Field(payload, "entities");
    RETURN_IF_ERROR(Need(ids.is_array(), type, "an entities list"));
    change.kind = Kind::kDelete;
    change.ids = ids;
    return change;
  }
  if (type == "ENTITY_CREATE" || type == "ENTITY_FULL_UPDATE") {
    const json& list = Field(payload, "entities");
    RETURN_IF_ERROR(Need(list.is_array(), type, "an entities list"));
    change.kind = Kind::kUpsert;
    for (const json& r : list) {
      ASSIGN_OR_RETURN(json entity, EntityFromReferenceable(r, &change.referred));
      change.entities.push_back(std::move(entity));
    }
    // A nested entity that is also listed at the top level is taken from the list.
    for (const json& e : change.entities) change.referred.erase(e["guid"].get<std::string>());
    return change;
  }
  if (type == "ENTITY_PARTIAL_UPDATE") {
    RETURN_IF_ERROR(Need(payload.contains("typeName") && payload.contains("attribute") &&
                             payload.contains("attributeValue"), type, "typeName, attribute and attributeValue"));
    const json& r = Field(payload, "entity");
    RETURN_IF_ERROR(Need(r.is_object(), type, "an entity"));
    json referred = json::object();
    ASSIGN_OR_RETURN(json entity, EntityFromReferenceable(r, &referred));
    if (!referred.empty())
      return Status::InvalidArgument(type + " message with nested entities: send them in an ENTITY_CREATE first");
    change.kind = Kind::kPartialUpdate;
    change.entity_id = V1UniqueId(payload);
    change.attributes = entity["attributes"];
    return change;
  }
  if (type == "ENTITY_DELETE") {
    RETURN_IF_ERROR(Need(payload.contains("typeName") && payload.contains("attribute") &&
                             payload.contains("attributeValue"), type, "typeName, attribute and attributeValue"));
    change.kind = Kind::kDelete;
    change.ids = json::array({V1UniqueId(payload)});
    return change;
  }
  return Status::InvalidArgument("unsupported hook message type '" + type + "'");
}

}  // namespace meridian::hook
