// Glossary categories: a tree per glossary, each category naming its terms.
#include <set>

#include "glossary_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::glossary {

namespace {

const std::vector<std::string> kCategoryAttrs = {"shortDescription", "longDescription", "additionalAttributes"};

// True when `ancestor` is `guid` or one of its parents (walks up at most the tree's depth).
bool IsSelfOrAncestor(const catalog::Catalog& c, const std::string& ancestor, std::string guid) {
  std::set<std::string> seen;
  while (!guid.empty() && seen.insert(guid).second) {
    if (guid == ancestor) return true;
    guid = ActiveNeighbour(c, guid, "parentCategory");
  }
  return false;
}

// A category of glossary `glossary_guid`, else ATLAS-400-00-07F.
Result<json> LoadCategoryOf(const catalog::Catalog& c, const std::string& guid, const std::string& glossary_guid) {
  ASSIGN_OR_RETURN(json rec, LoadActive(c, guid, kCategoryType));
  if (ActiveNeighbour(c, guid, "anchor") != glossary_guid)
    return Status::InvalidArgument(
        "Invalid child category relationship: Child category (guid = " + guid + ") belongs to different glossary",
        atlas_code::kInvalidChildCategoryDifferentGlossary);
  return rec;
}

// qualifiedName of a category named `name` under `parent_guid` (or at the top of the glossary).
Result<std::string> CategoryQualifiedName(const catalog::Catalog& c, const std::string& name,
                                          const std::string& parent_guid, const std::string& glossary_guid) {
  if (!parent_guid.empty()) {
    ASSIGN_OR_RETURN(json parent, c.LoadRecord(parent_guid));
    return name + "." + StringAttr(parent, "qualifiedName");
  }
  ASSIGN_OR_RETURN(json glossary, c.LoadRecord(glossary_guid));
  return name + "@" + StringAttr(glossary, "qualifiedName");
}

}  // namespace

Result<json> GlossaryService::CategoryEntity(const json& body, const std::string& existing_guid,
                                             std::string* glossary_guid, json* relation_attributes) {
  RETURN_IF_ERROR(RequireObject(body, "AtlasGlossaryCategory"));
  ASSIGN_OR_RETURN(std::string name, ValidName(body, atlas_code::kMissingCategoryDisplayName, "Glossary category"));
  *glossary_guid = GuidField(body.value("anchor", json()), "glossaryGuid");
  if (glossary_guid->empty() && !existing_guid.empty())
    *glossary_guid = ActiveNeighbour(*catalog_, existing_guid, "anchor");
  if (glossary_guid->empty())
    return Status::InvalidArgument("Mandatory anchor attribute is missing: anchor.glossaryGuid", atlas_code::kMissingMandatoryAnchor);
  RETURN_IF_ERROR(LoadActive(*catalog_, *glossary_guid, kGlossaryType).status());
  if (!existing_guid.empty() && ActiveNeighbour(*catalog_, existing_guid, "anchor") != *glossary_guid)
    return Status::InvalidArgument("a category cannot move to another glossary", atlas_code::kInvalidParameters);

  const bool update = !existing_guid.empty();
  std::string parent = GuidField(body.value("parentCategory", json()), "categoryGuid");
  if (!parent.empty()) {
    RETURN_IF_ERROR(LoadCategoryOf(*catalog_, parent, *glossary_guid).status());
    if (update && IsSelfOrAncestor(*catalog_, existing_guid, parent))
      return Status::InvalidArgument("category " + parent + " cannot be the parent of its ancestor " + existing_guid,
                                     atlas_code::kInvalidParameters);
  }
  json children = json::array();
  for (const json& h : body.value("childrenCategories", json::array())) {
    std::string child = GuidField(h, "categoryGuid");
    if (child.empty()) return Status::InvalidArgument("childrenCategories: each entry needs categoryGuid");
    RETURN_IF_ERROR(LoadCategoryOf(*catalog_, child, *glossary_guid).status());
    if (child == parent || (update && IsSelfOrAncestor(*catalog_, child, existing_guid)))
      return Status::InvalidArgument("category " + child + " cannot be a child of its descendant", atlas_code::kInvalidParameters);
    children.push_back({{"guid", child}});
  }
  json terms = json::array();
  for (const json& h : body.value("terms", json::array())) {
    std::string term = GuidField(h, "termGuid");
    if (term.empty())
      return Status::InvalidArgument("Term guid can't be empty/null when adding to a category", atlas_code::kMissingTermIdForCategorization);
    RETURN_IF_ERROR(LoadActive(*catalog_, term, kTermType).status());
    terms.push_back({{"guid", term}});
  }
  auto reg = catalog_->types();
  ASSIGN_OR_RETURN(json term_attrs,
                   RelationAttributes(*reg, *reg->FindEntity(kCategoryType), body, "terms", "termGuid"));
  *relation_attributes = term_attrs.empty() ? json::object() : json{{"terms", term_attrs}};

  ASSIGN_OR_RETURN(std::string qn, CategoryQualifiedName(*catalog_, name, parent, *glossary_guid));
  auto holder = catalog_->FindByUniqueAttribute(kCategoryType, "qualifiedName", qn);
  if (holder.ok() && *holder != existing_guid)
    return Status::AlreadyExists("Glossary category with qualifiedName " + qn + " already exists", atlas_code::kGlossaryCategoryAlreadyExists);
  json attrs = {{"qualifiedName", qn}, {"name", name}};
  CopyAttributes(body, kCategoryAttrs, update, &attrs);
  json rel = {{"anchor", {{"guid", *glossary_guid}}}};
  if (update || !parent.empty()) rel["parentCategory"] = parent.empty() ? json() : json{{"guid", parent}};
  if (update || !children.empty()) rel["childrenCategories"] = children;
  if (update || !terms.empty()) rel["terms"] = terms;
  json entity = {{"typeName", kCategoryType}, {"attributes", attrs}, {"relationshipAttributes", rel}};
  if (!update && body.contains("classifications")) entity["classifications"] = body["classifications"];
  return entity;
}

Status GlossaryService::RequalifyChildren(const std::string& category_guid, const std::string& user) {
  ASSIGN_OR_RETURN(json parent, catalog_->LoadRecord(category_guid));
  const std::string parent_qn = StringAttr(parent, "qualifiedName");
  for (const auto& e : ActiveEdges(*catalog_, category_guid, "childrenCategories")) {
    ASSIGN_OR_RETURN(json child, catalog_->LoadRecord(e.other));
    std::string qn = StringAttr(child, "name") + "." + parent_qn;
    if (qn == StringAttr(child, "qualifiedName")) continue;
    RETURN_IF_ERROR(catalog_->PartialUpdate(e.other, {{"qualifiedName", qn}}, json::object(), user).status());
    RETURN_IF_ERROR(RequalifyChildren(e.other, user));
  }
  return Status::Ok();
}

Result<json> GlossaryService::CreateCategory(const json& body, const std::string& user) {
  ASSIGN_OR_RETURN(json created, CreateCategories(json::array({body}), user));
  return created[0];
}

Result<json> GlossaryService::CreateCategories(const json& bodies, const std::string& user) {
  if (!bodies.is_array() || bodies.empty())
    return Status::InvalidArgument("a non-empty list of glossary categories is required", atlas_code::kInvalidParameters);
  std::vector<std::string> guids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    json entities = json::array(), relation_attributes = json::array();
    std::set<std::string> names;
    for (const json& body : bodies) {
      std::string glossary_guid;
      json attrs;
      ASSIGN_OR_RETURN(json entity, CategoryEntity(body, "", &glossary_guid, &attrs));
      relation_attributes.push_back(std::move(attrs));
      std::string qn = entity["attributes"]["qualifiedName"];
      if (!names.insert(qn).second)
        return Status::AlreadyExists("Glossary category with qualifiedName " + qn + " already exists",
                                     atlas_code::kGlossaryCategoryAlreadyExists);
      guids.push_back("-" + std::to_string(entities.size() + 1));
      entity["guid"] = guids.back();
      entities.push_back(std::move(entity));
    }
    ASSIGN_OR_RETURN(catalog::Mutation m, catalog_->CreateOrUpdate(entities, json::object(), user));
    for (size_t i = 0; i < guids.size(); ++i) {
      guids[i] = m.response["guidAssignments"][guids[i]].get<std::string>();
      RETURN_IF_ERROR(ApplyRelationAttributes(*catalog_, guids[i], relation_attributes[i], user));
      // Children adopted by a new category are renamed under it.
      RETURN_IF_ERROR(RequalifyChildren(guids[i], user));
    }
  }
  json out = json::array();
  for (const auto& guid : guids) {
    ASSIGN_OR_RETURN(json category, GetCategory(guid));
    out.push_back(std::move(category));
  }
  return out;
}

Result<json> GlossaryService::GetCategory(const std::string& guid) const {
  ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kCategoryType));
  return RenderCategory(*catalog_, rec);
}

Result<json> GlossaryService::UpdateCategory(const std::string& guid, const json& body, const std::string& user) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(LoadActive(*catalog_, guid, kCategoryType).status());
    std::string glossary_guid;
    json relation_attributes;
    ASSIGN_OR_RETURN(json entity, CategoryEntity(body, guid, &glossary_guid, &relation_attributes));
    std::vector<std::string> released;  // children that lose this parent become top-level categories
    std::set<std::string> kept;
    for (const json& c : entity["relationshipAttributes"]["childrenCategories"]) kept.insert(c["guid"]);
    for (const auto& e : ActiveEdges(*catalog_, guid, "childrenCategories"))
      if (!kept.count(e.other)) released.push_back(e.other);
    RETURN_IF_ERROR(
        catalog_->PartialUpdate(guid, entity["attributes"], entity["relationshipAttributes"], user).status());
    RETURN_IF_ERROR(ApplyRelationAttributes(*catalog_, guid, relation_attributes, user));
    RETURN_IF_ERROR(RequalifyChildren(guid, user));
    for (const auto& child : released) {
      ASSIGN_OR_RETURN(json rec, catalog_->LoadRecord(child));
      ASSIGN_OR_RETURN(std::string qn, CategoryQualifiedName(*catalog_, StringAttr(rec, "name"), "", glossary_guid));
      RETURN_IF_ERROR(catalog_->PartialUpdate(child, {{"qualifiedName", qn}}, json::object(), user).status());
      RETURN_IF_ERROR(RequalifyChildren(child, user));
    }
  }
  return GetCategory(guid);
}

Result<json> GlossaryService::PartialUpdateCategory(const std::string& guid, const json& attributes,
                                                    const std::string& user) {
  std::vector<std::string> allowed = kCategoryAttrs;
  allowed.push_back("name");
  RETURN_IF_ERROR(CheckPartial(attributes, allowed, "glossary category"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(LoadActive(*catalog_, guid, kCategoryType).status());
    json attrs = attributes;
    if (attributes.contains("name")) {
      ASSIGN_OR_RETURN(std::string name, ValidName(attributes, atlas_code::kMissingCategoryDisplayName, "Glossary category"));
      ASSIGN_OR_RETURN(std::string qn,
                       CategoryQualifiedName(*catalog_, name, ActiveNeighbour(*catalog_, guid, "parentCategory"),
                                             ActiveNeighbour(*catalog_, guid, "anchor")));
      auto holder = catalog_->FindByUniqueAttribute(kCategoryType, "qualifiedName", qn);
      if (holder.ok() && *holder != guid)
        return Status::AlreadyExists("Glossary category with qualifiedName " + qn + " already exists",
                                     atlas_code::kGlossaryCategoryAlreadyExists);
      attrs["qualifiedName"] = qn;
    }
    RETURN_IF_ERROR(catalog_->PartialUpdate(guid, attrs, json::object(), user).status());
    RETURN_IF_ERROR(RequalifyChildren(guid, user));
  }
  return GetCategory(guid);
}

Status GlossaryService::DeleteCategory(const std::string& guid, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kCategoryType).status());
  const std::string glossary_guid = ActiveNeighbour(*catalog_, guid, "anchor");
  auto children = ActiveEdges(*catalog_, guid, "childrenCategories");
  RETURN_IF_ERROR(catalog_->DeleteEntities({guid}, user).status());
  for (const auto& e : children) {
    ASSIGN_OR_RETURN(json rec, catalog_->LoadRecord(e.other));
    ASSIGN_OR_RETURN(std::string qn, CategoryQualifiedName(*catalog_, StringAttr(rec, "name"), "", glossary_guid));
    RETURN_IF_ERROR(catalog_->PartialUpdate(e.other, {{"qualifiedName", qn}}, json::object(), user).status());
    RETURN_IF_ERROR(RequalifyChildren(e.other, user));
  }
  return Status::Ok();
}

Result<json> GlossaryService::RelatedCategories(const std::string& guid) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kCategoryType).status());
  json out = json::object();
  auto parent = ActiveEdges(*catalog_, guid, "parentCategory");
  if (!parent.empty()) out["parent"] = json::array({CategoryHeader(*catalog_, parent.front())});
  json children = json::array();
  for (const auto& e : ActiveEdges(*catalog_, guid, "childrenCategories"))
    children.push_back(CategoryHeader(*catalog_, e));
  if (!children.empty()) out["children"] = children;
  return out;
}

Result<json> GlossaryService::CategoryTerms(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kCategoryType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "terms")) items.push_back(TermHeader(*catalog_, e, true));
  return Paged(std::move(items), page, [](const json& j) { return j.value("displayText", ""); });
}

}  // namespace meridian::glossary
