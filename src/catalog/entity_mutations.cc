// Entity create/update/delete/purge and the EntityMutationResponse.
#include <algorithm>
#include <set>

#include "meridian/types/typedef_shape.h"
#include "write_context.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

namespace {

// Resolves object ids inside one mutation: placeholders, real guids and unique attributes.
class RefResolver {
 public:
  // `create_shells`: a reference by unique attributes to an entity that does not exist creates a
  // shell entity (isIncomplete, only those attributes), as Atlas's hook consumer does.
  explicit RefResolver(WriteContext& ctx, bool create_shells = false) : ctx_(ctx), create_shells_(create_shells) {}
  // Placeholder guids, and on import the incoming guids of entities matched by unique attributes.
  std::map<std::string, std::string>& placeholders() { return placeholders_; }

  Result<std::string> Resolve(const json& ref) {
    if (ref.is_string()) return ResolveGuid(ref.get<std::string>(), ref);
    if (!ref.is_object()) return Status::InvalidArgument("invalid object id " + ref.dump(), atlas_code::kInvalidParameters);
    std::string guid = ref.value("guid", "");
    if (!guid.empty()) {
      auto r = ResolveGuid(guid, ref);
      if (r.ok() || !ref.contains("uniqueAttributes")) return r;
    }
    auto ua = ref.find("uniqueAttributes");
    std::string type = ref.value("typeName", "");
    if (ua != ref.end() && ua->is_object() && !type.empty()) {
      const types::TypeDef* def = ctx_.reg().FindEntity(type);
      if (!def) return Status::InvalidArgument("Given typename " + type + " was invalid", atlas_code::kUnknownTypename);
      for (auto it = ua->begin(); it != ua->end(); ++it) {
        if (!it->is_string()) continue;
        auto found = ctx_.FindUnique(type, it.key(), it->get<std::string>());
        if (found) return *found;
      }
      if (create_shells_) return Shell(*def, *ua);
      return Status::NotFound("Referenced entity " + type + " " + ua->dump() + " does not exist", atlas_code::kInstanceByUniqueAttributeNotFound);
    }
    return Status::InvalidArgument("invalid object id " + ref.dump() + ": needs guid or typeName+uniqueAttributes",
                                   atlas_code::kInvalidParameters);
  }

 private:
  Result<std::string> Shell(const types::TypeDef& type, const json& unique_attributes) {
    json attrs = json::object();
    for (auto it = unique_attributes.begin(); it != unique_attributes.end(); ++it)
      if (it->is_string() && std::find(type.unique_attributes.begin(), type.unique_attributes.end(), it.key()) !=
                                 type.unique_attributes.end())
        attrs[it.key()] = *it;
    if (attrs.empty())
      return Status::NotFound("Referenced entity " + type.name + " " + unique_attributes.dump() + " does not exist",
                              atlas_code::kInstanceByUniqueAttributeNotFound);
    const std::string guid = NewGuid();
    json* rec = ctx_.Create(guid, type.name);
    (*rec)["attributes"] = attrs;
    (*rec)["isIncomplete"] = true;
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
      ctx_.RegisterPendingUnique(type.name, it.key(), it->get<std::string>(), guid);
    return guid;
  }

  Result<std::string> ResolveGuid(const std::string& guid, const json& ref) {
    if (IsPlaceholderGuid(guid) || placeholders_.count(guid)) {
      auto it = placeholders_.find(guid);
      if (it == placeholders_.end())
        return Status::NotFound("Referenced placeholder guid " + guid + " is not defined in this request",
                                atlas_code::kInstanceGuidNotFound);
      return it->second;
    }
    if (!ctx_.Exists(guid))
      return Status::NotFound("Referenced entity guid " + guid + " " + ref.dump() + " is invalid/not found",
                              atlas_code::kInstanceGuidNotFound);
    return guid;
  }
  WriteContext& ctx_;
  bool create_shells_;
  std::map<std::string, std::string> placeholders_;
};

// Atlas reads null as absent: drops null envelope fields (homeId, classifications,
// meanings, labels, ...) and nulls inside values, but keeps a null attribute
// value, which clears that attribute (EntityGraphMapper.mapAttribute).
json EntityBodyWithoutNulls(json e) {
  if (!e.is_object()) return e;
  for (auto it = e.begin(); it != e.end();) {
    if (it->is_null()) {
      it = e.erase(it);
      continue;
    }
    if ((it.key() == "attributes" || it.key() == "relationshipAttributes") && it->is_object()) {
      for (auto& [name, value] : it->items()) types::DropNulls(value);
    } else {
      types::DropNulls(*it);
    }
    ++it;
  }
  return e;
}

// j[key] if present, else an empty object (no copy either way).
const json& MemberOrEmptyObject(const json& j, const char* key) {
  static const json kEmptyObject = json::object();
  auto it = j.find(key);
  return it == j.end() ? kEmptyObject : *it;
}

bool FlagOr(const json& j, const char* key, bool def) {
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return *it == "true";
  return def;
}

// Splits `value` of a relationship attribute into (guid, relationshipType) targets.
Result<std::vector<std::pair<std::string, std::string>>> ResolveTargets(RefResolver& resolver, WriteContext& ctx,
                                                                        const types::TypeDef& type,
                                                                        const std::string& attr, const json& value) {
  std::vector<std::pair<std::string, std::string>> out;
  if (value.is_null()) return out;
  const size_t count = value.is_array() ? value.size() : 1;
  const types::RelationshipEnd* first = type.FindRelationshipEnd(attr);
  if (!first->multi && count > 1)
    return Status::InvalidArgument(type.name + "." + attr + " takes one reference, got " +
                                       std::to_string(count), atlas_code::kInvalidParameters);
  for (size_t i = 0; i < count; ++i) {
    const json& ref = value.is_array() ? value[i] : value;
    ASSIGN_OR_RETURN(std::string guid, resolver.Resolve(ref));
    std::string rel_type = ref.is_object() ? ref.value("relationshipType", "") : "";
    const types::RelationshipEnd* end = type.FindRelationshipEnd(attr, rel_type);
    ASSIGN_OR_RETURN(std::string target_type, ctx.TypeOf(guid));
    const types::TypeDef* tt = ctx.reg().FindEntity(target_type);
    if (!tt || !tt->IsA(end->other_type))
      return Status::InvalidArgument(type.name + "." + attr + " expects " + end->other_type + ", got " +
                                         target_type + " " + guid, atlas_code::kInvalidParameters);
    out.emplace_back(guid, end->relationship);
  }
  return out;
}

json HeaderList(const Catalog& catalog, WriteContext& ctx, const std::vector<std::string>& guids) {
  json out = json::array();
  std::set<std::string> seen;
  for (const auto& g : guids) {
    if (!seen.insert(g).second) continue;
    auto rec = ctx.Load(g);
    if (rec.ok()) out.push_back(catalog.Header(**rec, false, ctx.MayHaveEdges(g, "meanings")));
  }
  return out;
}

json MutationResponse(const Catalog& catalog, WriteContext& ctx, const std::map<std::string, std::string>& assigned,
                      const char* update_key = "UPDATE") {
  json mutated = json::object();
  if (!ctx.created().empty()) mutated["CREATE"] = HeaderList(catalog, ctx, ctx.created());
  std::vector<std::string> updated;
  for (const auto& g : ctx.updated())
    if (std::find(ctx.deleted().begin(), ctx.deleted().end(), g) == ctx.deleted().end()) updated.push_back(g);
  if (!updated.empty()) mutated[update_key] = HeaderList(catalog, ctx, updated);
  if (!ctx.deleted().empty()) mutated["DELETE"] = HeaderList(catalog, ctx, ctx.deleted());
  if (!ctx.purged().empty()) mutated["PURGE"] = HeaderList(catalog, ctx, ctx.purged());
  json out = json::object();
  if (!mutated.empty()) out["mutatedEntities"] = mutated;
  if (!assigned.empty()) out["guidAssignments"] = assigned;
  return out;
}

// Relationship attribute name -> its value in the request body.
using RelationshipValues = std::map<std::string, const json*>;

struct Incoming {
  json body;
  std::string guid;
  const types::TypeDef* type = nullptr;
  bool is_new = false;
};

// Validates `attrs` against `type` and merges them into `record`; relationship
// attributes found there are added to `rel_attrs` (pointing into `attrs`).
Status MergeAttributes(WriteContext& ctx, const types::TypeDef& type, const json& attrs, json& record,
                       RelationshipValues& rel_attrs, bool* changed) {
  if (!attrs.is_object()) return Status::InvalidArgument("attributes must be an object", atlas_code::kInvalidParameters);
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    const std::string& name = it.key();
    if (type.relationship_attributes.count(name)) {
      rel_attrs[name] = &it.value();
      continue;
    }
    const types::AttributeDef* ad = type.FindAttribute(name);
    if (!ad) continue;  // Atlas ignores attributes its type does not define (EntityGraphMapper.mapAttributes)
    json v = it.value();
    RETURN_IF_ERROR(internal::NormalizeValue(ctx.reg(), ad->value_type, type.name + "." + name, v));
    json& slot = record["attributes"][name];
    if (slot != v) {
      slot = std::move(v);
      *changed = true;
    }
  }
  return Status::Ok();
}

Status CheckMandatory(const types::TypeDef& type, const json& record) {
  for (const auto& [name, ad] : type.attributes) {
    if (ad.is_optional) continue;
    auto v = record["attributes"].find(name);
    if (v == record["attributes"].end() || v->is_null())
      return Status::InvalidArgument("Mandatory attribute " + type.name + "." + name + " is missing or null",
                                     atlas_code::kMissingMandatoryAttribute);
  }
  return Status::Ok();
}

using internal::ValidateClassification;

}  // namespace

Result<Mutation> Catalog::CreateOrUpdate(const json& entities, const json& referred, const std::string& user,
                                         const UserRecordChanges& records) {
  return Upsert(entities, referred, user, /*import=*/false, records);
}

Result<Mutation> Catalog::ImportEntities(const json& entities, const json& referred, const std::string& user) {
  return Upsert(entities, referred, user, /*import=*/true, {});
}

namespace {

// Import: the entity's direct classifications become `incoming` (validated);
// each added, changed or removed one is audited and re-propagated.
Status ReplaceDirectClassifications(WriteContext& ctx, const types::TypeDef& type, const std::string& guid,
                                    json& record, const json& incoming) {
  json next = json::array();
  for (json c : incoming) {
    RETURN_IF_ERROR(ValidateClassification(ctx.reg(), type, c));
    for (const json& existing : next)
      if (existing["typeName"] == c["typeName"])
        return Status::InvalidArgument("Classification " + c["typeName"].get<std::string>() +
                                       " is already associated with entity " + guid, atlas_code::kClassificationAlreadyAssociated);
    next.push_back(std::move(c));
  }
  json& current = record["classifications"];
  auto find = [](const json& list, const json& name) -> const json* {
    for (const json& c : list)
      if (c["typeName"] == name) return &c;
    return nullptr;
  };
  for (const json& c : next) {
    const json* before = find(current, c["typeName"]);
    if (before && *before == c) continue;
    ctx.Touch(guid, before ? "CLASSIFICATION_UPDATE" : "CLASSIFICATION_ADD",
              std::string(before ? "Updated" : "Added") + " classification: " + c.dump());
    ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", c["typeName"]}});
  }
  for (const json& c : current) {
    if (find(next, c["typeName"])) continue;
    ctx.Touch(guid, "CLASSIFICATION_DELETE", "Deleted classification: " + c["typeName"].get<std::string>());
    ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", c["typeName"]}});
  }
  current = std::move(next);
  return Status::Ok();
}

}  // namespace

Result<Mutation> Catalog::Upsert(const json& entities, const json& referred, const std::string& user, bool import,
                                 const UserRecordChanges& records) {
  size_t total = (entities.is_array() ? entities.size() : 0) + (referred.is_object() ? referred.size() : 0);
  if (total > options_.max_entities_per_request)
    return Status::TooLarge("too many entities in one request: " + std::to_string(total) + " > " +
                            std::to_string(options_.max_entities_per_request));
  // Bodies are cleaned before the write lock: that work needs no catalog state.
  ASSIGN_OR_RETURN(std::vector<json> bodies, internal::EntityBodies(entities, referred));
  std::unique_lock<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  std::map<std::string, std::string> assigned;
  RETURN_IF_ERROR(internal::UpsertEntities(ctx, std::move(bodies), &assigned, /*create_shells=*/false, import));
  for (const auto& [key, value] : records) ctx.PutUserRecord(key, value);
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  lock.unlock();  // the response is built from this mutation's own records
  m.response = MutationResponse(*this, ctx, assigned);
  return m;
}

Result<std::vector<json>> internal::EntityBodies(const json& entities, const json& referred) {
  if (!entities.is_array()) return Status::InvalidArgument("entities must be a list", atlas_code::kInvalidParameters);
  if (!referred.is_null() && !referred.is_object())
    return Status::InvalidArgument("referredEntities must be an object", atlas_code::kInvalidParameters);
  size_t total = entities.size() + (referred.is_object() ? referred.size() : 0);
  if (total == 0) return Status::InvalidArgument("no entities to create/update", atlas_code::kInvalidParameters);
  std::vector<json> bodies;
  bodies.reserve(total);
  for (const json& e : entities)
    if (!e.is_null()) bodies.push_back(EntityBodyWithoutNulls(e));
  if (referred.is_object())
    for (auto it = referred.begin(); it != referred.end(); ++it) {
      if (it->is_null()) continue;
      json body = EntityBodyWithoutNulls(it.value());
      if (body.is_object() && !body.contains("guid")) body["guid"] = it.key();
      bodies.push_back(std::move(body));
    }
  return bodies;
}

Status internal::UpsertEntities(WriteContext& ctx, std::vector<json> bodies,
                                std::map<std::string, std::string>* assigned_out, bool create_shells, bool import) {
  RefResolver resolver(ctx, create_shells);
  std::map<std::string, std::string>& assigned = *assigned_out;
  std::vector<Incoming> incoming;
  incoming.reserve(bodies.size());
  for (json& body : bodies) incoming.push_back({std::move(body)});

  // 1. Identify every entity: existing by guid or unique attribute, else new.
  for (Incoming& in : incoming) {
    if (!in.body.is_object()) return Status::InvalidArgument("an entity must be an object", atlas_code::kInvalidParameters);
    const std::string type_name = in.body.value("typeName", "");
    in.type = ctx.reg().FindEntity(type_name);
    if (!in.type) return Status::InvalidArgument("Given typename " + type_name + " was invalid", atlas_code::kUnknownTypename);
    const json& attrs = MemberOrEmptyObject(in.body, "attributes");
    if (!attrs.is_object()) return Status::InvalidArgument("attributes must be an object", atlas_code::kInvalidParameters);
    std::string given = in.body.contains("guid") && in.body["guid"].is_string() ? in.body["guid"].get<std::string>() : "";
    if (!given.empty() && !IsPlaceholderGuid(given) && ctx.Exists(given)) {
      in.guid = given;
    } else if (!given.empty() && IsPlaceholderGuid(given) && resolver.placeholders().count(given)) {
      in.guid = resolver.placeholders()[given];
    } else {
      for (const auto& u : in.type->unique_attributes) {
        auto v = attrs.find(u);
        if (v == attrs.end() || !v->is_string()) continue;
        if (auto found = ctx.FindUnique(type_name, u, v->get<std::string>())) {
          in.guid = *found;
          break;
        }
      }
      if (in.guid.empty()) {
        if (!given.empty() && !IsPlaceholderGuid(given)) RETURN_IF_ERROR(internal::CheckClientGuid(given));
        in.guid = !given.empty() && !IsPlaceholderGuid(given) ? given : NewGuid();
        in.is_new = true;
        json* rec = ctx.Create(in.guid, type_name);
        if (import) {  // the source's creation and last-update stamps are kept
          for (const char* k : {"createTime", "updateTime"})
            if (in.body.contains(k) && in.body[k].is_number_integer()) (*rec)[k] = in.body[k];
          for (const char* k : {"createdBy", "updatedBy"})
            if (in.body.contains(k) && in.body[k].is_string()) (*rec)[k] = in.body[k];
        }
        for (const auto& u : in.type->unique_attributes) {
          auto v = attrs.find(u);
          if (v != attrs.end() && v->is_string()) ctx.RegisterPendingUnique(type_name, u, v->get<std::string>(), in.guid);
        }
      }
    }
    // On import, an entity that exists here under another guid keeps the local one; references
    // to the incoming guid resolve to it, and guidAssignments tells the caller.
    if (IsPlaceholderGuid(given) || (import && !given.empty() && given != in.guid)) {
      resolver.placeholders()[given] = in.guid;
      assigned[given] = in.guid;
    }
  }

  // 2. Attributes, then relationships (all guids are known by now).
  std::vector<RelationshipValues> rel_attrs(incoming.size());
  for (size_t i = 0; i < incoming.size(); ++i) {
    Incoming& in = incoming[i];
    ASSIGN_OR_RETURN(json* rec, ctx.Load(in.guid));
    if ((*rec)["typeName"] != in.type->name)
      return Status::InvalidArgument("entity " + in.guid + " is a " + (*rec)["typeName"].get<std::string>() +
                                     ", not a " + in.type->name, atlas_code::kInvalidParameters);
    bool was_deleted = (*rec)["status"] != "ACTIVE";
    bool changed = false;
    RETURN_IF_ERROR(MergeAttributes(ctx, *in.type, MemberOrEmptyObject(in.body, "attributes"), *rec, rel_attrs[i],
                                    &changed));
    const bool shell = FlagOr(in.body, "isIncomplete", false);
    if (in.is_new && shell) {
      (*rec)["isIncomplete"] = true;
    } else if (!in.is_new && changed && !shell && rec->value("isIncomplete", false)) {
      (*rec)["isIncomplete"] = false;  // a shell entity gets its full content
      RETURN_IF_ERROR(CheckMandatory(*in.type, *rec));
    }
    const json& ra = MemberOrEmptyObject(in.body, "relationshipAttributes");
    if (!ra.is_object()) return Status::InvalidArgument("relationshipAttributes must be an object", atlas_code::kInvalidParameters);
    for (auto it = ra.begin(); it != ra.end(); ++it)
      if (in.type->relationship_attributes.count(it.key())) rel_attrs[i][it.key()] = &it.value();
    if (in.is_new) {
      if (in.body.contains("labels") && in.body["labels"].is_array()) {
        for (const json& l : in.body["labels"])
          if (l.is_string()) RETURN_IF_ERROR(internal::CheckLabel(l.get<std::string>()));
        (*rec)["labels"] = in.body["labels"];
      }
      if (in.body.contains("customAttributes") && in.body["customAttributes"].is_object())
        (*rec)["customAttributes"] = in.body["customAttributes"];
      json classes = json::array();
      for (json c : in.body.value("classifications", json::array())) {
        RETURN_IF_ERROR(ValidateClassification(ctx.reg(), *in.type, c));
        for (const json& existing : classes)
          if (existing["typeName"] == c["typeName"])
            return Status::InvalidArgument("Classification " + c["typeName"].get<std::string>() +
                                           " is already associated with entity " + in.guid, atlas_code::kClassificationAlreadyAssociated);
        classes.push_back(c);
      }
      (*rec)["classifications"] = classes;
    } else {
      if (import && in.body.contains("classifications") && in.body["classifications"].is_array())
        RETURN_IF_ERROR(ReplaceDirectClassifications(ctx, *in.type, in.guid, *rec, in.body["classifications"]));
      if (changed)
        ctx.Touch(in.guid, "ENTITY_UPDATE", "Updated: " + json{{"typeName", in.type->name},
                                                             {"attributes", MemberOrEmptyObject(in.body, "attributes")}}.dump());
    }
    if (was_deleted && changed) return Status::InvalidArgument("entity " + in.guid + " is deleted", atlas_code::kInstanceGuidDeleted);
  }
  for (size_t i = 0; i < incoming.size(); ++i) {
    for (const auto& [name, value] : rel_attrs[i]) {
      ASSIGN_OR_RETURN(auto targets, ResolveTargets(resolver, ctx, *incoming[i].type, name, *value));
      RETURN_IF_ERROR(ctx.ReplaceRelationshipAttribute(incoming[i].guid, name, targets));
    }
  }
  // 3. Mandatory attributes and audit of creations.
  for (const Incoming& in : incoming) {
    if (!in.is_new) continue;
    ASSIGN_OR_RETURN(json* rec, ctx.Load(in.guid));
    RETURN_IF_ERROR(CheckMandatory(*in.type, *rec));
  }
  if (import)  // entities deleted at the source arrive deleted
    for (const Incoming& in : incoming)
      if (in.body.value("status", "") == "DELETED") RETURN_IF_ERROR(ctx.SoftDelete(in.guid));
  for (const auto& guid : ctx.created()) {
    ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
    ctx.Touch(guid, "ENTITY_CREATE", "Created: " + json{{"typeName", (*rec)["typeName"]},
                                                       {"attributes", (*rec)["attributes"]}}.dump());
    for (const json& c : (*rec)["classifications"]) {
      ctx.Touch(guid, "CLASSIFICATION_ADD", "Added classification: " + c.dump());
      if (c.value("propagate", true))
        ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", c["typeName"]}});
    }
  }
  return Status::Ok();
}

Result<Mutation> Catalog::PartialUpdate(const std::string& guid, const json& attributes,
                                        const json& relationship_attributes, const std::string& user) {
  std::unique_lock<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  RETURN_IF_ERROR(internal::PartiallyUpdateEntity(ctx, guid, attributes, relationship_attributes));
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  lock.unlock();  // the response is built from this mutation's own records
  m.response = MutationResponse(*this, ctx, {}, "PARTIAL_UPDATE");
  return m;
}

Status Catalog::MarkReplicated(const std::vector<std::string>& guids, const std::string& attribute,
                               const json& server, const std::string& user) {
  constexpr size_t kPerBatch = 1000;
  const std::string server_guid = server.value("guid", "");
  for (size_t begin = 0; begin < guids.size(); begin += kPerBatch) {
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteContext ctx(*this, user);
    size_t marked = 0;
    for (size_t i = begin; i < std::min(guids.size(), begin + kPerBatch); ++i) {
      auto loaded = ctx.Load(guids[i]);
      if (!loaded.ok()) continue;
      json& attrs = (**loaded)["attributes"];
      json& marks = attrs[attribute];
      if (!marks.is_array()) marks = json::array();
      bool present = false;
      for (const json& m : marks) present = present || (m.is_object() && m.value("guid", "") == server_guid);
      if (present) continue;
      marks.push_back(server);
      ctx.Rewrite(guids[i]);
      ++marked;
    }
    if (marked > 0) RETURN_IF_ERROR(ctx.Commit(nullptr));
  }
  return Status::Ok();
}

Status internal::PartiallyUpdateEntity(WriteContext& ctx, const std::string& guid, const json& attributes,
                                       const json& relationship_attributes) {
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  if ((*rec)["status"] != "ACTIVE")
    return Status::NotFound("Given instance guid " + guid + " has been deleted", atlas_code::kInstanceGuidDeleted);
  const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
  if (!type) return Status::Internal("entity " + guid + " has an unknown type");
  json given_rel_attrs = relationship_attributes.is_object() ? relationship_attributes : json::object();
  RelationshipValues rel_attrs;
  for (auto& [name, value] : given_rel_attrs.items()) {
    types::DropNulls(value);
    rel_attrs[name] = &value;
  }
  json attrs = attributes.is_null() ? json::object() : attributes;
  if (attrs.is_object())
    for (auto& [name, value] : attrs.items()) types::DropNulls(value);
  bool changed = false;
  RETURN_IF_ERROR(MergeAttributes(ctx, *type, attrs, *rec, rel_attrs, &changed));
  RETURN_IF_ERROR(CheckMandatory(*type, *rec));
  if (changed) ctx.Touch(guid, "ENTITY_UPDATE", "Updated: " + json{{"attributes", attributes}}.dump());
  RefResolver resolver(ctx);
  for (const auto& [name, value] : rel_attrs) {
    if (!type->relationship_attributes.count(name)) continue;  // ignored, as Atlas does
    ASSIGN_OR_RETURN(auto targets, ResolveTargets(resolver, ctx, *type, name, *value));
    RETURN_IF_ERROR(ctx.ReplaceRelationshipAttribute(guid, name, targets));
  }
  return Status::Ok();
}

Result<Mutation> Catalog::ApplyEntityChanges(const EntityChanges& changes, const std::string& user) {
  const size_t total = changes.updates.size() + (changes.entities.is_array() ? changes.entities.size() : 0) +
                       changes.deletes.size();
  if (total > options_.max_entities_per_request)
    return Status::TooLarge("too many entities in one request: " + std::to_string(total) + " > " +
                            std::to_string(options_.max_entities_per_request));
  std::vector<json> bodies;
  if (changes.entities.is_array() && !changes.entities.empty()) {
    ASSIGN_OR_RETURN(bodies, internal::EntityBodies(changes.entities, json()));
  }
  std::unique_lock<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (const auto& u : changes.updates) {
    RETURN_IF_ERROR(internal::PartiallyUpdateEntity(ctx, u.guid, u.attributes, u.relationship_attributes));
    // Later lookups in this batch find the entity under its new unique values.
    ASSIGN_OR_RETURN(json* rec, ctx.Load(u.guid));
    const std::string type_name = (*rec)["typeName"];
    if (const types::TypeDef* type = ctx.reg().FindEntity(type_name))
      for (const auto& a : type->unique_attributes)
        if (auto v = u.attributes.find(a); v != u.attributes.end() && v->is_string())
          ctx.RegisterPendingUnique(type_name, a, v->get<std::string>(), u.guid);
  }
  std::map<std::string, std::string> assigned;
  if (!bodies.empty()) RETURN_IF_ERROR(internal::UpsertEntities(ctx, std::move(bodies), &assigned));
  for (const auto& g : changes.deletes) RETURN_IF_ERROR(ctx.SoftDelete(g));
  for (const auto& [key, value] : changes.records) ctx.PutUserRecord(key, value);
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  lock.unlock();  // the response is built from this mutation's own records
  m.response = MutationResponse(*this, ctx, assigned);
  return m;
}

Result<Mutation> Catalog::DeleteEntities(const std::vector<std::string>& guids, const std::string& user) {
  std::unique_lock<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (const auto& g : guids) RETURN_IF_ERROR(ctx.SoftDelete(g));
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  lock.unlock();  // the response is built from this mutation's own records
  m.response = MutationResponse(*this, ctx, {});
  return m;
}

Result<Mutation> Catalog::PurgeEntities(const std::vector<std::string>& guids, const std::string& user) {
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (const auto& g : guids) {
    auto rec = ctx.Load(g);
    if (!rec.ok() || (**rec)["status"] != "DELETED") continue;  // Atlas skips what it cannot purge
    RETURN_IF_ERROR(ctx.Purge(g));
  }
  if (!ctx.purged().empty()) ctx.AddAdminAudit("PURGE", guids, ctx.purged(), static_cast<int>(ctx.purged().size()));
  Mutation m;
  RETURN_IF_ERROR(ctx.Commit(&m.sequence));
  m.response = MutationResponse(*this, ctx, {});
  return m;
}

// ---- Classifications ----

namespace internal {

Status ValidateClassification(const types::TypeRegistry& reg, const types::TypeDef& entity_type, json& c) {
  if (!c.is_object()) return Status::InvalidArgument("a classification must be an object", atlas_code::kInvalidParameters);
  types::DropNulls(c);
  const std::string name = types::StringField(c, "typeName");
  const types::TypeDef* ct = reg.FindClassification(name);
  if (!ct) return Status::NotFound("Classification " + name + " not found (unknown classification type)",
                                   atlas_code::kClassificationNotFound);
  json allowed = ct->json.value("entityTypes", json::array());
  if (allowed.is_array() && !allowed.empty()) {
    bool ok = false;
    auto allows = [&](const json& t) { return t.is_string() && entity_type.IsA(t.get<std::string>()); };
    for (const json& t : allowed) ok = ok || allows(t);
    for (const auto& sup : ct->all_super_types) {
      const types::TypeDef* st = reg.Find(sup);
      for (const json& t : st->json.value("entityTypes", json::array())) ok = ok || allows(t);
    }
    if (!ok) return Status::InvalidArgument("Classification " + name + " cannot be associated with type " +
                                            entity_type.name, atlas_code::kInvalidParameters);
  }
  json given = c.value("attributes", json::object());
  if (!given.is_object()) return Status::InvalidArgument("attributes of " + name + " must be an object", atlas_code::kInvalidParameters);
  json attrs = json::object();
  for (auto it = given.begin(); it != given.end(); ++it) {
    const types::AttributeDef* ad = ct->FindAttribute(it.key());
    if (!ad) continue;  // Atlas keeps only the attributes the classification type defines
    json v = it.value();
    RETURN_IF_ERROR(internal::NormalizeValue(reg, ad->value_type, name + "." + it.key(), v));
    attrs[it.key()] = std::move(v);
  }
  json periods = c.value("validityPeriods", json::array());
  json out = {{"typeName", name},
              {"attributes", attrs},
              {"propagate", FlagOr(c, "propagate", true)},
              {"removePropagationsOnEntityDelete", FlagOr(c, "removePropagationsOnEntityDelete", false)},
              {"restrictPropagationThroughLineage", FlagOr(c, "restrictPropagationThroughLineage", false)},
              {"validityPeriods", periods.is_array() ? periods : json::array()}};
  c = std::move(out);
  return Status::Ok();
}

}  // namespace internal

Status Catalog::AddClassifications(const std::string& guid, const json& classifications, const std::string& user) {
  return AddClassificationToEntities(classifications, {guid}, user);
}

Status Catalog::AddClassificationToEntities(const json& classifications, const std::vector<std::string>& guids,
                                            const std::string& user) {
  json list = classifications.is_array() ? classifications : json::array({classifications});
  types::DropNulls(list);
  if (list.empty()) return Status::InvalidArgument("no classifications given", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (const auto& guid : guids) {
    ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
    if ((*rec)["status"] != "ACTIVE")
      return Status::NotFound("Given instance guid " + guid + " has been deleted", atlas_code::kInstanceGuidDeleted);
    const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
    for (json c : list) {
      RETURN_IF_ERROR(ValidateClassification(ctx.reg(), *type, c));
      for (const json& existing : (*rec)["classifications"])
        if (existing["typeName"] == c["typeName"])
          return Status::InvalidArgument("Classification " + c["typeName"].get<std::string>() +
                                         " is already associated with entity " + guid, atlas_code::kClassificationAlreadyAssociated);
      (*rec)["classifications"].push_back(c);
      ctx.Touch(guid, "CLASSIFICATION_ADD", "Added classification: " + c.dump());
      if (c.value("propagate", true))
        ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", c["typeName"]}});
    }
  }
  return ctx.Commit(nullptr);
}

Status Catalog::UpdateClassifications(const std::string& guid, const json& classifications, const std::string& user) {
  json list = classifications.is_array() ? classifications : json::array({classifications});
  types::DropNulls(list);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
  for (json c : list) {
    RETURN_IF_ERROR(ValidateClassification(ctx.reg(), *type, c));
    bool found = false;
    for (json& existing : (*rec)["classifications"]) {
      if (existing["typeName"] != c["typeName"]) continue;
      existing = c;
      found = true;
    }
    if (!found) {
      for (const json& p : (*rec).value("propagatedClassifications", json::array()))
        if (p["typeName"] == c["typeName"])
          return Status::InvalidArgument("Propagated classification " + c["typeName"].get<std::string>() +
                                         " cannot be updated on entity " + guid, atlas_code::kClassificationUpdateFromPropagatedEntity);
      return Status::NotFound("Classification " + c["typeName"].get<std::string>() +
                              " is not associated with entity " + guid, atlas_code::kClassificationNotFound);
    }
    ctx.Touch(guid, "CLASSIFICATION_UPDATE", "Updated classification: " + c.dump());
    ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", c["typeName"]}});
  }
  return ctx.Commit(nullptr);
}

Status Catalog::DeleteClassification(const std::string& guid, const std::string& name, const std::string& source_guid,
                                     const std::string& user) {
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  if (!source_guid.empty() && source_guid != guid) {
    json& prop = (*rec)["propagatedClassifications"];
    auto before = prop.size();
    for (auto it = prop.begin(); it != prop.end();)
      it = ((*it)["typeName"] == name && (*it)["entityGuid"] == source_guid) ? prop.erase(it) : it + 1;
    if (prop.size() == before)
      return Status::NotFound("Classification " + name + " from " + source_guid + " is not associated with entity " +
                              guid, atlas_code::kClassificationNotFound);
    ctx.SetPropagationIndex(source_guid, name, guid, false);
    ctx.Touch(guid, "PROPAGATED_CLASSIFICATION_DELETE", "Deleted propagated classification: " + name);
    return ctx.Commit(nullptr);
  }
  json& classes = (*rec)["classifications"];
  auto it = std::find_if(classes.begin(), classes.end(), [&](const json& c) { return c["typeName"] == name; });
  if (it == classes.end()) {
    for (const json& p : (*rec).value("propagatedClassifications", json::array()))
      if (p["typeName"] == name)
        return Status::InvalidArgument("Propagated classification " + name + " cannot be deleted from entity " + guid +
                                       "; delete it on " + p.value("entityGuid", "its source"), atlas_code::kClassificationDeleteFromPropagatedEntity);
    return Status::NotFound("Classification " + name + " is not associated with entity " + guid, atlas_code::kClassificationNotFound);
  }
  classes.erase(it);
  ctx.Touch(guid, "CLASSIFICATION_DELETE", "Deleted classification: " + name);
  ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", name}});
  return ctx.Commit(nullptr);
}

Status Catalog::ChangeLabels(const std::string& guid, const json& labels, LabelOp op, const std::string& user) {
  if (!labels.is_array()) return Status::InvalidArgument("labels must be a list of strings", atlas_code::kInvalidParameters);
  for (const json& l : labels) {
    if (!l.is_string() || l.get<std::string>().empty())
      return Status::InvalidArgument("invalid label " + l.dump(), atlas_code::kInvalidParameters);
    if (op != LabelOp::kRemove) RETURN_IF_ERROR(internal::CheckLabel(l.get<std::string>()));
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  std::set<std::string> current;
  for (const json& l : (*rec)["labels"]) current.insert(l.get<std::string>());
  std::set<std::string> next = op == LabelOp::kSet ? std::set<std::string>{} : current;
  for (const json& l : labels) {
    if (op == LabelOp::kRemove) next.erase(l.get<std::string>());
    else next.insert(l.get<std::string>());
  }
  if (next == current) return Status::Ok();
  (*rec)["labels"] = next;
  ctx.Touch(guid, op == LabelOp::kRemove ? "LABEL_DELETE" : "LABEL_ADD", "Labels: " + json(next).dump());
  return ctx.Commit(nullptr);
}

Status Catalog::ApplyPropagation(const std::string& source_guid, const json& classification,
                                 const std::vector<std::string>& add, const std::vector<std::string>& remove) {
  const std::string name = classification.value("typeName", "");
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, "propagation");
  auto source = ctx.Load(source_guid);
  json copy = classification;
  copy["entityGuid"] = source_guid;
  copy["entityStatus"] = source.ok() ? (**source)["status"] : json("DELETED");
  for (const auto& g : add) {
    auto rec = ctx.Load(g);
    if (!rec.ok() || g == source_guid) continue;
    json& prop = (**rec)["propagatedClassifications"];
    if (!prop.is_array()) prop = json::array();
    bool found = false;
    for (json& p : prop) {
      if (p["typeName"] != name || p["entityGuid"] != source_guid) continue;
      found = true;
      if (p != copy) {
        p = copy;
        ctx.Touch(g, "PROPAGATED_CLASSIFICATION_UPDATE", "Updated propagated classification: " + copy.dump());
      }
    }
    if (found) continue;
    prop.push_back(copy);
    ctx.SetPropagationIndex(source_guid, name, g, true);
    ctx.Touch(g, "PROPAGATED_CLASSIFICATION_ADD", "Added propagated classification: " + copy.dump());
  }
  for (const auto& g : remove) {
    auto rec = ctx.Load(g);
    ctx.SetPropagationIndex(source_guid, name, g, false);
    if (!rec.ok()) continue;
    json& prop = (**rec)["propagatedClassifications"];
    if (!prop.is_array()) continue;
    auto before = prop.size();
    for (auto it = prop.begin(); it != prop.end();)
      it = ((*it)["typeName"] == name && (*it)["entityGuid"] == source_guid) ? prop.erase(it) : it + 1;
    if (prop.size() != before) ctx.Touch(g, "PROPAGATED_CLASSIFICATION_DELETE", "Deleted propagated classification: " + name);
  }
  return ctx.Commit(nullptr);
}

std::vector<std::string> Catalog::PropagationTargets(const std::string& source_guid, const std::string& name) const {
  std::vector<std::string> out;
  std::string prefix = store::keys::EdgePrefix(source_guid, name);
  store_->Scan(store::Family::kPropagations, prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k.substr(prefix.size()));
    return true;
  }).PermitUnchecked();
  return out;
}

}  // namespace meridian::catalog
