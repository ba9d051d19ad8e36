// Glossary terms, their relations and their assignment to entities.
#include <algorithm>
#include <set>

#include "glossary_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::glossary {

namespace {

const std::vector<std::string> kTermAttrs = {"shortDescription", "longDescription", "examples", "abbreviation",
                                             "usage", "additionalAttributes"};

// [{"guid": g}] for the headers in body[key] (whose guid field is `guid_key`), each an ACTIVE `type`.
Result<json> ResolveHeaders(const catalog::Catalog& c, const json& body, const std::string& key, const char* guid_key,
                            std::string_view type, const std::string& self) {
  json out = json::array();
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return Status::InvalidArgument(key + " must be a list", atlas_code::kInvalidParameters);
  for (const json& h : *it) {
    std::string guid = GuidField(h, guid_key);
    if (guid.empty()) return Status::InvalidArgument(key + ": each entry needs " + guid_key, atlas_code::kInvalidParameters);
    if (!self.empty() && guid == self)
      return Status::InvalidArgument("Invalid term relation: term can't have a relation with self", atlas_code::kInvalidTermRelationToSelf);
    RETURN_IF_ERROR(LoadActive(c, guid, type).status());
    out.push_back({{"guid", guid}});
  }
  return out;
}

}  // namespace

Result<json> GlossaryService::TermEntity(const json& body, const std::string& existing_guid,
                                         std::string* qualified_name, json* relation_attributes) {
  RETURN_IF_ERROR(RequireObject(body, "AtlasGlossaryTerm"));
  ASSIGN_OR_RETURN(std::string name, ValidName(body, atlas_code::kGlossaryTermQualifiedNameCantBeDerived, "Glossary term"));
  std::string glossary_guid = GuidField(body.value("anchor", json()), "glossaryGuid");
  if (glossary_guid.empty() && !existing_guid.empty())
    glossary_guid = ActiveNeighbour(*catalog_, existing_guid, "anchor");
  if (glossary_guid.empty())
    return Status::InvalidArgument("Mandatory anchor attribute is missing: anchor.glossaryGuid", atlas_code::kMissingMandatoryAnchor);
  ASSIGN_OR_RETURN(json glossary, LoadActive(*catalog_, glossary_guid, kGlossaryType));
  *qualified_name = name + "@" + StringAttr(glossary, "qualifiedName");
  auto holder = catalog_->FindByUniqueAttribute(kTermType, "qualifiedName", *qualified_name);
  if (holder.ok() && *holder != existing_guid)
    return Status::AlreadyExists("Glossary term with qualifiedName " + *qualified_name + " already exists",
                                 atlas_code::kGlossaryTermAlreadyExists);

  const bool update = !existing_guid.empty();
  json attrs = {{"qualifiedName", *qualified_name}, {"name", name}};
  CopyAttributes(body, kTermAttrs, update, &attrs);
  json rel = {{"anchor", {{"guid", glossary_guid}}}};
  // A full update replaces the term's relations and categories with those given.
  auto reg = catalog_->types();
  const types::TypeDef* term_type = reg->FindEntity(kTermType);
  *relation_attributes = json::object();
  auto resolve = [&](const std::string& key, const char* guid_key, std::string_view type,
                     const std::string& self) -> Status {
    if (!update && !body.contains(key)) return Status::Ok();
    ASSIGN_OR_RETURN(rel[key], ResolveHeaders(*catalog_, body, key, guid_key, type, self));
    ASSIGN_OR_RETURN(json attrs, RelationAttributes(*reg, *term_type, body, key, guid_key));
    if (!attrs.empty()) (*relation_attributes)[key] = attrs;
    return Status::Ok();
  };
  RETURN_IF_ERROR(resolve("categories", "categoryGuid", kCategoryType, ""));
  for (const auto& r : kTermRelations) RETURN_IF_ERROR(resolve(r, "termGuid", kTermType, existing_guid));
  json entity = {{"typeName", kTermType}, {"attributes", attrs}, {"relationshipAttributes", rel}};
  if (!update && body.contains("classifications")) entity["classifications"] = body["classifications"];
  return entity;
}

Result<json> GlossaryService::CreateTerm(const json& body, const std::string& user) {
  ASSIGN_OR_RETURN(json created, CreateTerms(json::array({body}), user));
  return created[0];
}

Result<json> GlossaryService::CreateTerms(const json& bodies, const std::string& user) {
  if (!bodies.is_array() || bodies.empty())
    return Status::InvalidArgument("a non-empty list of glossary terms is required", atlas_code::kInvalidParameters);
  std::vector<std::string> placeholders;
  {
    std::lock_guard<std::mutex> lock(mu_);
    json entities = json::array(), relation_attributes = json::array();
    std::set<std::string> names;
    for (const json& body : bodies) {
      std::string qn;
      json attrs;
      ASSIGN_OR_RETURN(json entity, TermEntity(body, "", &qn, &attrs));
      relation_attributes.push_back(std::move(attrs));
      if (!names.insert(qn).second)
        return Status::AlreadyExists("Glossary term with qualifiedName " + qn + " already exists", atlas_code::kGlossaryTermAlreadyExists);
      placeholders.push_back("-" + std::to_string(entities.size() + 1));
      entity["guid"] = placeholders.back();
      entities.push_back(std::move(entity));
    }
    ASSIGN_OR_RETURN(catalog::Mutation m, catalog_->CreateOrUpdate(entities, json::object(), user));
    for (size_t i = 0; i < placeholders.size(); ++i) {
      placeholders[i] = m.response["guidAssignments"][placeholders[i]].get<std::string>();
      RETURN_IF_ERROR(ApplyRelationAttributes(*catalog_, placeholders[i], relation_attributes[i], user));
    }
  }
  json out = json::array();
  for (const auto& guid : placeholders) {
    ASSIGN_OR_RETURN(json term, GetTerm(guid));
    out.push_back(std::move(term));
  }
  return out;
}

Result<json> GlossaryService::GetTerm(const std::string& guid) const {
  ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kTermType));
  return RenderTerm(*catalog_, rec);
}

Result<json> GlossaryService::UpdateTerm(const std::string& guid, const json& body, const std::string& user) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
    std::string qn;
    json relation_attributes;
    ASSIGN_OR_RETURN(json entity, TermEntity(body, guid, &qn, &relation_attributes));
    RETURN_IF_ERROR(
        catalog_->PartialUpdate(guid, entity["attributes"], entity["relationshipAttributes"], user).status());
    RETURN_IF_ERROR(ApplyRelationAttributes(*catalog_, guid, relation_attributes, user));
  }
  return GetTerm(guid);
}

Result<json> GlossaryService::PartialUpdateTerm(const std::string& guid, const json& attributes,
                                                const std::string& user) {
  std::vector<std::string> allowed = kTermAttrs;
  allowed.push_back("name");
  RETURN_IF_ERROR(CheckPartial(attributes, allowed, "glossary term"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kTermType));
    json attrs = attributes;
    if (attributes.contains("name")) {
      json body = {{"name", attributes["name"]}};
      std::string qn;
      json unused;
      // Only the name (and so the qualifiedName) changes; the relations stay as they are.
      RETURN_IF_ERROR(TermEntity(body, guid, &qn, &unused).status());
      attrs["qualifiedName"] = qn;
    }
    RETURN_IF_ERROR(catalog_->PartialUpdate(guid, attrs, json::object(), user).status());
  }
  return GetTerm(guid);
}

Status GlossaryService::DeleteTerm(const std::string& guid, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
  size_t n = ActiveEdges(*catalog_, guid, "assignedEntities").size();
  if (n > 0)
    return Status::InvalidArgument(
        "Term (guid=" + guid + ") can't be deleted as it has been assigned to " + std::to_string(n) + " entities.",
        atlas_code::kTermHasEntityAssociation);
  return catalog_->DeleteEntities({guid}, user).status();
}

Result<json> GlossaryService::RelatedTerms(const std::string& guid) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
  json out = json::object();
  for (const auto& r : kTermRelations) {
    json list = json::array();
    for (const auto& e : ActiveEdges(*catalog_, guid, r)) list.push_back(TermHeader(*catalog_, e, true));
    if (!list.empty()) out[r] = list;
  }
  return out;
}

Result<json> GlossaryService::AssignedEntities(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "assignedEntities")) items.push_back(AssignedEntity(*catalog_, e));
  return Paged(std::move(items), page, [](const json& j) { return j.value("displayText", ""); });
}

Status GlossaryService::AssignTerm(const std::string& guid, const json& entities, const std::string& user) {
  if (!entities.is_array() || entities.empty())
    return Status::InvalidArgument("a non-empty list of entity ids is required", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
  std::set<std::string> assigned;
  for (const auto& e : ActiveEdges(*catalog_, guid, "assignedEntities")) assigned.insert(e.other);
  auto reg = catalog_->types();
  // Validate everything first so that a bad id changes nothing.
  std::vector<std::pair<std::string, json>> plan;
  for (const json& id : entities) {
    if (!id.is_object()) return Status::InvalidArgument("invalid object id " + id.dump(), atlas_code::kInvalidParameters);
    std::string target = GuidField(id, "guid");
    if (target.empty()) {
      auto ua = id.find("uniqueAttributes");
      if (ua == id.end() || !ua->is_object() || !ua->contains("qualifiedName") || !(*ua)["qualifiedName"].is_string())
        return Status::InvalidArgument("object id needs guid or typeName + uniqueAttributes.qualifiedName",
                                       atlas_code::kInvalidParameters);
      ASSIGN_OR_RETURN(target, catalog_->FindByUniqueAttribute(id.value("typeName", ""), "qualifiedName",
                                                               (*ua)["qualifiedName"].get<std::string>()));
    }
    ASSIGN_OR_RETURN(json rec, catalog_->LoadRecord(target));
    if (rec.value("status", "") != "ACTIVE")
      return Status::NotFound("Given instance guid " + target + " has been deleted", atlas_code::kInstanceGuidDeleted);
    const types::TypeDef* type = reg->FindEntity(rec.value("typeName", ""));
    if (!type || !type->relationship_attributes.count("meanings"))
      return Status::InvalidArgument(
          "Entity " + target + " of type " + rec.value("typeName", "") + " cannot be assigned glossary terms",
          atlas_code::kInvalidParameters);
    if (!assigned.insert(target).second) continue;  // already assigned
    auto ra = id.find("relationshipAttributes");
    json source = ra != id.end() && ra->is_object() ? ra->value("attributes", json::object()) : json::object();
    ASSIGN_OR_RETURN(json attrs, CheckRelationshipAttributes(*reg, kAssignmentType, source));
    plan.emplace_back(target, std::move(attrs));
  }
  if (plan.empty()) return Status::Ok();
  json relationships = json::array();
  for (const auto& [target, attrs] : plan)
    relationships.push_back({{"typeName", kAssignmentType},
                             {"end1", {{"guid", guid}, {"typeName", kTermType}}},
                             {"end2", {{"guid", target}}},
                             {"attributes", attrs}});
  return catalog_->CreateRelationships(relationships, user).status();
}

Status GlossaryService::RemoveTermAssignment(const std::string& guid, const json& entities, const std::string& user) {
  if (!entities.is_array() || entities.empty())
    return Status::InvalidArgument("a non-empty list of entity ids is required", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kTermType).status());
  auto edges = ActiveEdges(*catalog_, guid, "assignedEntities");
  std::set<std::string> relationships;  // one request may name an assignment twice
  for (const json& id : entities) {
    std::string target = GuidField(id, "guid");
    std::string rel = GuidField(id, "relationshipGuid");
    if (target.empty() && rel.empty())
      return Status::InvalidArgument("Missing mandatory attribute, TermAssignment relationship guid",
                                     atlas_code::kTermDissociationMissingRelationGuid);
    auto it = std::find_if(edges.begin(), edges.end(), [&](const catalog::Catalog::Edge& e) {
      return (rel.empty() || e.relationship == rel) && (target.empty() || e.other == target);
    });
    if (it == edges.end())
      return Status::InvalidArgument(
          "Given relationshipGuid(" + rel + ") is invalid for term (guid=" + guid + ") and entity(guid=" + target + ")",
          atlas_code::kInvalidTermDissociation);
    relationships.insert(it->relationship);
  }
  return catalog_->DeleteRelationships({relationships.begin(), relationships.end()}, user);
}

}  // namespace meridian::glossary
