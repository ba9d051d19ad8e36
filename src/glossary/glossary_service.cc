// Glossaries: create, read, update, delete and the term/category lists.
#include "glossary_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::glossary {

namespace {

const std::vector<std::string> kGlossaryAttrs = {"shortDescription", "longDescription", "language", "usage",
                                                 "additionalAttributes"};

std::string NameKey(const json& j) { return j.value("name", ""); }
std::string DisplayKey(const json& j) { return j.value("displayText", ""); }

}  // namespace

Status GlossaryService::CheckGlossaryNameFree(const std::string& name, const std::string& except_guid) const {
  for (const auto& guid : GlossaryGuids(*catalog_)) {
    if (guid == except_guid) continue;
    auto rec = catalog_->LoadRecord(guid);
    if (!rec.ok() || rec->value("status", "") != "ACTIVE") continue;
    if (StringAttr(*rec, "name") == name || StringAttr(*rec, "qualifiedName") == name)
      return Status::AlreadyExists("Glossary with qualifiedName " + name + " already exists", atlas_code::kGlossaryAlreadyExists);
  }
  return Status::Ok();
}

Result<json> GlossaryService::ListGlossaries(const Page& page) const {
  std::vector<json> items;
  for (const auto& guid : GlossaryGuids(*catalog_)) {
    auto rec = catalog_->LoadRecord(guid);
    if (rec.ok() && rec->value("status", "") == "ACTIVE") items.push_back(RenderGlossary(*catalog_, *rec));
  }
  return Paged(std::move(items), page, NameKey);
}

Result<json> GlossaryService::CreateGlossary(const json& body, const std::string& user) {
  RETURN_IF_ERROR(RequireObject(body, "AtlasGlossary"));
  ASSIGN_OR_RETURN(std::string name, ValidName(body, atlas_code::kGlossaryQualifiedNameCantBeDerived, "Glossary"));
  std::string qn = body.value("qualifiedName", json()).is_string() ? body["qualifiedName"].get<std::string>() : "";
  if (qn.empty()) qn = name;
  if (qn.find('@') != std::string::npos)
    return Status::InvalidArgument("Glossary qualifiedName cannot contain '@': " + qn, atlas_code::kInvalidDisplayName);
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckGlossaryNameFree(name, ""));
  if (qn != name) RETURN_IF_ERROR(CheckGlossaryNameFree(qn, ""));
  json attrs = {{"qualifiedName", qn}, {"name", name}};
  CopyAttributes(body, kGlossaryAttrs, false, &attrs);
  json entity = {{"typeName", kGlossaryType}, {"guid", "-1"}, {"attributes", attrs}};
  if (body.contains("classifications")) entity["classifications"] = body["classifications"];
  ASSIGN_OR_RETURN(catalog::Mutation m, catalog_->CreateOrUpdate(json::array({entity}), json::object(), user));
  return GetGlossary(m.response["guidAssignments"]["-1"].get<std::string>());
}

Result<json> GlossaryService::GetGlossary(const std::string& guid) const {
  ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kGlossaryType));
  return RenderGlossary(*catalog_, rec);
}

Result<json> GlossaryService::GetGlossaryDetailed(const std::string& guid) const {
  ASSIGN_OR_RETURN(json out, GetGlossary(guid));
  json term_info = json::object(), category_info = json::object();
  for (const auto& e : ActiveEdges(*catalog_, guid, "terms")) {
    auto rec = catalog_->LoadRecord(e.other);
    if (rec.ok()) term_info[e.other] = RenderTerm(*catalog_, *rec);
  }
  for (const auto& e : ActiveEdges(*catalog_, guid, "categories")) {
    auto rec = catalog_->LoadRecord(e.other);
    if (rec.ok()) category_info[e.other] = RenderCategory(*catalog_, *rec);
  }
  out["termInfo"] = term_info;
  out["categoryInfo"] = category_info;
  return out;
}

Result<json> GlossaryService::UpdateGlossary(const std::string& guid, const json& body, const std::string& user) {
  RETURN_IF_ERROR(RequireObject(body, "AtlasGlossary"));
  ASSIGN_OR_RETURN(std::string name, ValidName(body, atlas_code::kGlossaryQualifiedNameCantBeDerived, "Glossary"));
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kGlossaryType));
  if (name != StringAttr(rec, "name")) RETURN_IF_ERROR(CheckGlossaryNameFree(name, guid));
  // The qualifiedName stays: terms and categories are named after it.
  json attrs = {{"name", name}};
  CopyAttributes(body, kGlossaryAttrs, true, &attrs);
  RETURN_IF_ERROR(catalog_->PartialUpdate(guid, attrs, json::object(), user).status());
  return GetGlossary(guid);
}

Result<json> GlossaryService::PartialUpdateGlossary(const std::string& guid, const json& attributes,
                                                    const std::string& user) {
  std::vector<std::string> allowed = kGlossaryAttrs;
  allowed.push_back("name");
  RETURN_IF_ERROR(CheckPartial(attributes, allowed, "glossary"));
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(json rec, LoadActive(*catalog_, guid, kGlossaryType));
  if (attributes.contains("name")) {
    ASSIGN_OR_RETURN(std::string name, ValidName(attributes, atlas_code::kGlossaryQualifiedNameCantBeDerived, "Glossary"));
    if (name != StringAttr(rec, "name")) RETURN_IF_ERROR(CheckGlossaryNameFree(name, guid));
  }
  RETURN_IF_ERROR(catalog_->PartialUpdate(guid, attributes, json::object(), user).status());
  return GetGlossary(guid);
}

Status GlossaryService::DeleteGlossary(const std::string& guid, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kGlossaryType).status());
  for (const auto& t : ActiveEdges(*catalog_, guid, "terms")) {
    size_t n = ActiveEdges(*catalog_, t.other, "assignedEntities").size();
    if (n > 0)
      return Status::InvalidArgument(
          "Term (guid=" + t.other + ") can't be deleted as it has been assigned to " + std::to_string(n) + " entities.",
          atlas_code::kTermHasEntityAssociation);
  }
  // Terms and categories are owned by the glossary (composition): they go with it.
  RETURN_IF_ERROR(catalog_->DeleteEntities({guid}, user).status());
  return Status::Ok();
}

Result<json> GlossaryService::GlossaryTerms(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kGlossaryType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "terms")) {
    auto term = catalog_->LoadRecord(e.other);
    if (term.ok()) items.push_back(RenderTerm(*catalog_, *term));
  }
  return Paged(std::move(items), page, NameKey);
}

Result<json> GlossaryService::GlossaryTermHeaders(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kGlossaryType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "terms")) items.push_back(TermHeader(*catalog_, e, false));
  return Paged(std::move(items), page, DisplayKey);
}

Result<json> GlossaryService::GlossaryCategories(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kGlossaryType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "categories")) {
    auto cat = catalog_->LoadRecord(e.other);
    if (cat.ok()) items.push_back(RenderCategory(*catalog_, *cat));
  }
  return Paged(std::move(items), page, NameKey);
}

Result<json> GlossaryService::GlossaryCategoryHeaders(const std::string& guid, const Page& page) const {
  RETURN_IF_ERROR(LoadActive(*catalog_, guid, kGlossaryType).status());
  std::vector<json> items;
  for (const auto& e : ActiveEdges(*catalog_, guid, "categories")) items.push_back(CategoryHeader(*catalog_, e));
  return Paged(std::move(items), page, DisplayKey);
}

}  // namespace meridian::glossary
