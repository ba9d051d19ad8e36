// The relationship API: AtlasRelationship instances between existing entities.
#include "meridian/types/typedef_shape.h"
#include "write_context.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

namespace {

constexpr char kTermAssignment[] = "AtlasGlossarySemanticAssignment";

Result<std::string> ResolveEnd(WriteContext& ctx, const Catalog& catalog, const json& end) {
  if (!end.is_object()) return Status::InvalidArgument("relationship end must be an object id", atlas_code::kInvalidParameters);
  std::string guid = end.value("guid", "");
  if (!guid.empty()) {
    if (!ctx.Exists(guid)) return internal::GuidNotFound(guid);
    return guid;
  }
  auto ua = end.find("uniqueAttributes");
  if (ua != end.end() && ua->contains("qualifiedName"))
    return catalog.FindByUniqueAttribute(end.value("typeName", ""), "qualifiedName",
                                         (*ua)["qualifiedName"].get<std::string>());
  return Status::InvalidArgument("relationship end needs guid or uniqueAttributes", atlas_code::kInvalidParameters);
}

json EndObjectId(const Catalog& catalog, const json& end) {
  json out = end;
  auto rec = catalog.LoadRecord(end.value("guid", ""));
  if (rec.ok()) {
    auto qn = (*rec)["attributes"].find("qualifiedName");
    if (qn != (*rec)["attributes"].end()) out["uniqueAttributes"] = {{"qualifiedName", *qn}};
  }
  return out;
}

}  // namespace

Result<json> Catalog::CreateRelationship(const json& body, const std::string& user) {
  ASSIGN_OR_RETURN(json created, CreateRelationships(json::array({body}), user));
  return created[0];
}

Result<json> Catalog::CreateRelationships(const json& bodies, const std::string& user) {
  if (!bodies.is_array() || bodies.empty())
    return Status::InvalidArgument("a non-empty list of relationships is required", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  std::vector<std::string> created;
  for (json body : bodies) {
    if (!body.is_object()) return Status::InvalidArgument("AtlasRelationship must be an object", atlas_code::kInvalidParameters);
    types::DropNulls(body);  // Atlas reads null as absent
    const std::string type_name = body.value("typeName", "");
    const types::TypeDef* def = ctx.reg().Find(type_name);
    if (!def || def->category != types::Category::kRelationship)
      return Status::InvalidArgument("Given typename " + type_name + " was invalid", atlas_code::kUnknownTypename);
    ASSIGN_OR_RETURN(std::string g1, ResolveEnd(ctx, *this, body.value("end1", json())));
    ASSIGN_OR_RETURN(std::string g2, ResolveEnd(ctx, *this, body.value("end2", json())));
    ASSIGN_OR_RETURN(json* r1, ctx.Load(g1));
    ASSIGN_OR_RETURN(json* r2, ctx.Load(g2));
    const types::TypeDef* t1 = ctx.reg().FindEntity((*r1)["typeName"].get<std::string>());
    const types::TypeDef* t2 = ctx.reg().FindEntity((*r2)["typeName"].get<std::string>());
    if (!t1 || !t1->IsA(def->end1->type) || !t2 || !t2->IsA(def->end2->type))
      return Status::InvalidArgument("relationship " + type_name + " connects " + def->end1->type + " to " +
                                     def->end2->type, atlas_code::kInvalidParameters);
    for (const auto& e : ctx.ActiveEdges(g1, def->end1->name))
      if (e.other == g2 && e.type == type_name)
        return Status::AlreadyExists("relationship " + type_name + " between " + g1 + " and " + g2 + " already exists",
                                     atlas_code::kRelationshipAlreadyExists);
    json attrs = body.value("attributes", json::object());
    if (!attrs.is_object()) return Status::InvalidArgument("attributes must be an object", atlas_code::kInvalidParameters);
    for (auto it = attrs.begin(); it != attrs.end();) {
      const types::AttributeDef* ad = def->FindAttribute(it.key());
      if (!ad) {  // Atlas keeps only the attributes the relationship type defines
        it = attrs.erase(it);
        continue;
      }
      RETURN_IF_ERROR(internal::NormalizeValue(ctx.reg(), ad->value_type, it.key(), it.value()));
      ++it;
    }
    std::string rel_guid;
    RETURN_IF_ERROR(ctx.Link(g1, *def->end1, g2, attrs, &rel_guid));
    // As in Atlas, assigning a glossary term is an audited change of the entity (and re-indexes it).
    if (type_name == kTermAssignment) {
      json term = {{"termGuid", g1}, {"relationGuid", rel_guid},
                   {"qualifiedName", (*r1)["attributes"].value("qualifiedName", "")}};
      ctx.Touch(g2, "TERM_ADD", "Added term: " + term.dump());
    }
    ASSIGN_OR_RETURN(json* rel, ctx.LoadRelationship(rel_guid));
    if (body.contains("propagateTags") && body["propagateTags"].is_string())
      (*rel)["propagateTags"] = body["propagateTags"];
    ctx.AnnounceRelationship(rel_guid, "RELATIONSHIP_CREATE");
    created.push_back(rel_guid);
  }
  json results = json::array();
  for (const auto& g : created) results.push_back(**ctx.LoadRelationship(g));
  RETURN_IF_ERROR(ctx.Commit(nullptr));
  for (json& r : results) {
    r["end1"] = EndObjectId(*this, r["end1"]);
    r["end2"] = EndObjectId(*this, r["end2"]);
  }
  return results;
}

Result<json> Catalog::UpdateRelationship(const json& request, const std::string& user) {
  json body = request;
  types::DropNulls(body);  // Atlas reads null as absent
  if (!body.is_object() || !body.contains("guid") || !body["guid"].is_string())
    return Status::InvalidArgument("AtlasRelationship with guid required", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  ASSIGN_OR_RETURN(json* rel, ctx.LoadRelationship(body["guid"].get<std::string>()));
  const types::TypeDef* def = ctx.reg().Find((*rel)["typeName"].get<std::string>());
  if (body.contains("attributes")) {
    json attrs = body["attributes"];
    if (!attrs.is_object()) return Status::InvalidArgument("attributes must be an object", atlas_code::kInvalidParameters);
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      const types::AttributeDef* ad = def ? def->FindAttribute(it.key()) : nullptr;
      if (!ad) continue;  // ignored, as Atlas does
      RETURN_IF_ERROR(internal::NormalizeValue(ctx.reg(), ad->value_type, it.key(), it.value()));
      (*rel)["attributes"][it.key()] = it.value();
    }
  }
  static const std::set<std::string> kPropagate = {"NONE", "ONE_TO_TWO", "TWO_TO_ONE", "BOTH"};
  if (body.contains("propagateTags")) {
    if (!body["propagateTags"].is_string() || !kPropagate.count(body["propagateTags"].get<std::string>()))
      return Status::InvalidArgument("propagateTags must be NONE, ONE_TO_TWO, TWO_TO_ONE or BOTH", atlas_code::kInvalidParameters);
    (*rel)["propagateTags"] = body["propagateTags"];
  }
  if (body.contains("blockedPropagatedClassifications"))
    (*rel)["blockedPropagatedClassifications"] = body["blockedPropagatedClassifications"];
  (*rel)["updateTime"] = ctx.now();
  (*rel)["updatedBy"] = user;
  (*rel)["version"] = rel->value("version", 0) + 1;
  ctx.QueuePropagation({{"kind", "edge"}, {"relationship", (*rel)["guid"]}, {"op", "update"}});
  ctx.AnnounceRelationship((*rel)["guid"], "RELATIONSHIP_UPDATE");
  json result = *rel;
  RETURN_IF_ERROR(ctx.Commit(nullptr));
  return result;
}

Result<json> Catalog::LoadRelationshipRecord(const std::string& guid) const {
  std::string bytes;
  Status s = store_->Get(store::Family::kRelationships, guid, &bytes);
  if (s.code() == StatusCode::kNotFound)
    return Status::NotFound("Given relationship guid " + guid + " is invalid/not found", atlas_code::kRelationshipGuidNotFound);
  RETURN_IF_ERROR(s);
  return store::DecodeRecord(bytes);
}

Status Catalog::ScanRelationshipRecords(const std::function<bool(const json& record)>& fn) const {
  return store_->Scan(store::Family::kRelationships, "", [&](std::string_view, std::string_view v) {
    auto rel = store::DecodeRecord(v);
    return !rel.ok() || fn(*rel);
  });
}

Result<json> Catalog::GetRelationship(const std::string& guid, bool extended) const {
  ASSIGN_OR_RETURN(json rel, LoadRelationshipRecord(guid));
  rel["end1"] = EndObjectId(*this, rel["end1"]);
  rel["end2"] = EndObjectId(*this, rel["end2"]);
  json referred = json::object();
  if (extended)
    for (const char* end : {"end1", "end2"}) {
      auto h = HeaderByGuid(rel[end].value("guid", ""));
      if (h.ok()) referred[rel[end].value("guid", "")] = *h;
    }
  return json{{"relationship", rel}, {"referredEntities", referred}};
}

Status Catalog::DeleteRelationship(const std::string& guid, const std::string& user) {
  return DeleteRelationships({guid}, user);
}

Status Catalog::DeleteRelationships(const std::vector<std::string>& guids, const std::string& user) {
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (const auto& guid : guids) {
    ASSIGN_OR_RETURN(json* rel, ctx.LoadRelationship(guid));
    if ((*rel)["status"] == "DELETED")
      return Status::InvalidArgument("relationship " + guid + " is already deleted", atlas_code::kInvalidParameters);
    RETURN_IF_ERROR(ctx.Unlink(guid));
    ctx.AnnounceRelationship(guid, "RELATIONSHIP_DELETE");
    const std::string entity = (*rel)["end2"].value("guid", "");
    if ((*rel)["typeName"] == kTermAssignment && ctx.Load(entity).ok()) {
      json term = {{"termGuid", (*rel)["end1"].value("guid", "")}, {"relationGuid", guid}};
      ctx.Touch(entity, "TERM_DELETE", "Deleted term: " + term.dump());
    }
  }
  return ctx.Commit(nullptr);
}

}  // namespace meridian::catalog
