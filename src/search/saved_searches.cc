#include "meridian/search/saved_searches.h"

#include <algorithm>

#include "meridian/search/relation_search.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

namespace {

const std::string kPrefix = std::string("saved_search") + '\0';

std::string Key(const std::string& guid) { return kPrefix + guid; }

Status InvalidData() { return Status::InvalidArgument("invalid data", atlas_code::kBadRequest); }

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The searches of `owner` named `name` (at most one is ever stored).
std::optional<json> FindByName(const catalog::Catalog& c, const std::string& owner, const std::string& name) {
  for (auto& [key, rec] : c.ScanUserRecords(kPrefix))
    if (Str(rec, "ownerName") == owner && Str(rec, "name") == name) return rec;
  return std::nullopt;
}

// Checks and normalises a saved search from a request; ownerName defaults to `current_user`.
Result<json> Normalize(const std::string& current_user, const json& in) {
  if (!in.is_object()) return Status::InvalidArgument("invalid parameters: saved search must be an object");
  json out = in;
  if (Str(in, "ownerName").empty()) out["ownerName"] = current_user;
  if (out["ownerName"] != current_user) return InvalidData();
  if (Str(in, "name").empty()) return Status::InvalidArgument("invalid parameters: name is null/empty");
  std::string type = Str(in, "searchType");
  if (type.empty()) type = "BASIC";
  if (type != "BASIC" && type != "ADVANCED" && type != "BASIC_RELATIONSHIP")
    return Status::InvalidArgument("invalid parameters: searchType " + type +
                                   " (expected BASIC, ADVANCED or BASIC_RELATIONSHIP)");
  out["searchType"] = type;
  if (!out.contains("searchParameters") || out["searchParameters"].is_null()) out["searchParameters"] = json::object();
  if (!out["searchParameters"].is_object())
    return Status::InvalidArgument("invalid parameters: searchParameters must be an object");
  if (out.contains("uiParameters") && !out["uiParameters"].is_null() && !out["uiParameters"].is_string())
    out["uiParameters"] = out["uiParameters"].dump();
  return out;
}

Status AlreadyExists(const std::string& name, const std::string& owner) {
  return Status::AlreadyExists("search named " + name + " already exists for user " + owner, atlas_code::kSavedSearchAlreadyExists);
}

Result<json> Load(const catalog::Catalog& c, const std::string& guid) {
  auto rec = c.GetUserRecord(Key(guid));
  if (rec.status().code() == StatusCode::kNotFound)
    return Status::NotFound("Given instance guid " + guid + " is invalid/not found", atlas_code::kInstanceGuidNotFound);
  return rec;
}

}  // namespace

Result<json> SavedSearches::Add(const std::string& current_user, const json& saved_search) {
  ASSIGN_OR_RETURN(json rec, Normalize(current_user, saved_search));
  rec["guid"] = catalog::NewGuid();
  RETURN_IF_ERROR(catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    if (FindByName(*catalog_, rec["ownerName"], rec["name"])) return AlreadyExists(rec["name"], rec["ownerName"]);
    return catalog::Catalog::UserRecordChanges{{Key(rec["guid"]), rec}};
  }));
  return rec;
}

Result<json> SavedSearches::Update(const std::string& current_user, const json& saved_search) {
  ASSIGN_OR_RETURN(json rec, Normalize(current_user, saved_search));
  const std::string guid = Str(rec, "guid");
  if (guid.empty()) return Status::InvalidArgument("ObjectId is not valid: guid is missing", atlas_code::kInvalidObjectId);
  RETURN_IF_ERROR(catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    ASSIGN_OR_RETURN(json existing, Load(*catalog_, guid));
    if (existing["ownerName"] != rec["ownerName"])
      return Status::InvalidArgument("saved-search " + Str(existing, "name") + " can not be moved from user " +
                                         Str(existing, "ownerName") + " to " + Str(rec, "ownerName"),
                                     atlas_code::kSavedSearchChangeUser);
    if (existing["name"] != rec["name"] && FindByName(*catalog_, rec["ownerName"], rec["name"]))
      return AlreadyExists(rec["name"], rec["ownerName"]);
    return catalog::Catalog::UserRecordChanges{{Key(guid), rec}};
  }));
  return rec;
}

Result<json> SavedSearches::List(const std::string& current_user, const std::string& user) const {
  const std::string owner = user.empty() ? current_user : user;
  if (owner != current_user) return InvalidData();
  std::vector<json> mine;
  for (auto& [key, rec] : catalog_->ScanUserRecords(kPrefix))
    if (Str(rec, "ownerName") == owner) mine.push_back(std::move(rec));
  std::sort(mine.begin(), mine.end(), [](const json& a, const json& b) { return Str(a, "name") < Str(b, "name"); });
  return json(mine);
}

Result<json> SavedSearches::GetByName(const std::string& current_user, const std::string& user,
                                      const std::string& name) const {
  const std::string owner = user.empty() ? current_user : user;
  if (owner != current_user) return InvalidData();
  auto rec = FindByName(*catalog_, owner, name);
  if (!rec)
    return Status::NotFound("Instance __AtlasUserSavedSearch with unique attribute {name:" + name + ", ownerName:" +
                                owner + "} does not exist",
                            atlas_code::kInstanceByUniqueAttributeNotFound);
  return *rec;
}

Result<json> SavedSearches::GetByGuid(const std::string& current_user, const std::string& guid) const {
  ASSIGN_OR_RETURN(json rec, Load(*catalog_, guid));
  if (Str(rec, "ownerName") != current_user) return InvalidData();
  return rec;
}

Status SavedSearches::Delete(const std::string& current_user, const std::string& guid) {
  return catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    ASSIGN_OR_RETURN(json rec, GetByGuid(current_user, guid));
    return catalog::Catalog::UserRecordChanges{{Key(guid), std::nullopt}};
  });
}

Result<json> SavedSearches::Execute(const json& saved_search, const Deadline& deadline) const {
  const json params = saved_search.value("searchParameters", json::object());
  const std::string type = Str(saved_search, "searchType");
  if (type == "ADVANCED") {
    DslSearch dsl;
    dsl.query = Str(params, "query");
    dsl.type_name = Str(params, "typeName");
    dsl.classification = Str(params, "classification");
    dsl.limit = params.value("limit", 0);
    dsl.offset = params.value("offset", 0);
    return search_->Dsl(dsl);
  }
  if (type == "BASIC_RELATIONSHIP") return SearchRelations(*catalog_, params, deadline);
  return search_->Basic(params, deadline);
}

}  // namespace meridian::search
