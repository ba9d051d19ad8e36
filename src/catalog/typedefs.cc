// Type definitions: built-in models plus user-defined and changed types kept in
// the typedefs column family.
#include <algorithm>
#include <set>

#include "catalog_internal.h"
#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

using store::Family;

namespace {

constexpr const char* kLists[] = {"enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs",
                                  "businessMetadataDefs"};

const char* ListOf(std::string_view category) {
  if (category == "ENUM") return "enumDefs";
  if (category == "STRUCT") return "structDefs";
  if (category == "CLASSIFICATION") return "classificationDefs";
  if (category == "RELATIONSHIP") return "relationshipDefs";
  if (category == "BUSINESS_METADATA") return "businessMetadataDefs";
  return "entityDefs";
}

// Built-in types get stable guids derived from their names.
std::string StableGuid(const std::string& name) {
  uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL;
  for (unsigned char c : name) {
    h1 = (h1 ^ c) * 1099511628211ULL;
    h2 = (h2 ^ c) * 1469598103934665603ULL + 7;
  }
  char buf[37];
  snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(h1 >> 32),
           static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(h1 & 0xfff),
           static_cast<unsigned>(h2 >> 52), static_cast<unsigned long long>(h2 & 0xffffffffffffULL));
  return buf;
}

void Stamp(json& def, const std::string& user, int64_t now, bool is_new, const json* previous) {
  if (is_new) {
    if (!def.contains("guid") || !def["guid"].is_string() || def["guid"].get<std::string>().empty())
      def["guid"] = NewGuid();
    def["createdBy"] = user;
    def["createTime"] = now;
    def["version"] = 1;
  } else if (previous) {
    for (const char* k : {"guid", "createdBy", "createTime"})
      if (previous->contains(k)) def[k] = (*previous)[k];
    const json& v = (*previous)["version"];
    def["version"] = (v.is_number_integer() ? v.get<int64_t>() : 1) + 1;
  }
  def["updatedBy"] = user;
  def["updateTime"] = now;
  if (!def.contains("typeVersion")) def["typeVersion"] = "1.0";
  if (!def.contains("description")) def["description"] = def.value("name", "");
}

bool TypeInUse(const store::Store& store, const std::string& name) {
  bool used = false;
  store.Scan(Family::kTypeIndex, store::keys::TypePrefix(name), [&](std::string_view, std::string_view) {
    used = true;
    return false;
  }).PermitUnchecked();
  return used;
}

bool ClassificationInUse(const store::Store& store, const std::string& name) {
  bool used = false;
  store.Scan(Family::kEntities, "", [&](std::string_view, std::string_view v) {
    auto rec = store::DecodeRecord(v);
    if (!rec.ok()) return true;
    for (const json& c : rec->value("classifications", json::array())) used = used || c.value("typeName", "") == name;
    return !used;
  }).PermitUnchecked();
  return used;
}

bool Flag(const json& j, const char* key, bool def) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

// Atlas's rules for updating a type (AtlasStructDefStoreV2.updateVertexPreUpdate,
// AtlasEntityDefStoreV2): attributes cannot be removed or change their type, new
// attributes must be optional, super-types cannot be removed. Descriptions,
// options and new enum values may change freely.
Status CheckUpdate(const types::TypeDef& old_def, const json& new_def, bool in_use) {
  std::map<std::string, const json*> next;
  for (const json& a : new_def["attributeDefs"]) next[a["name"].get<std::string>()] = &a;
  std::set<std::string> current;
  for (const json& a : old_def.json.value("attributeDefs", json::array())) {
    const std::string n = types::StringField(a, "name");
    current.insert(n);
    auto it = next.find(n);
    if (it == next.end())
      return Status::InvalidArgument(old_def.name + "." + n + " : attribute delete not supported", atlas_code::kAttributeDeletionNotSupported);
    if (types::StringField(*it->second, "typeName") != types::StringField(a, "typeName"))
      return Status::InvalidArgument("Data type update for attribute is not supported", atlas_code::kBadRequest);
    if (in_use && Flag(a, "isOptional", true) && !Flag(*it->second, "isOptional", false))
      return Status::InvalidArgument("type " + old_def.name + " is in use: attribute " + n +
                                     " cannot become mandatory", atlas_code::kInvalidParameters);
  }
  for (const auto& [n, a] : next)
    if (!current.count(n) && !Flag(*a, "isOptional", false))
      return Status::InvalidArgument(old_def.name + "." + n + " : can not add mandatory attribute", atlas_code::kCannotAddMandatoryAttribute);
  if (new_def.contains("superTypes"))
    for (const json& s : old_def.json.value("superTypes", json::array())) {
      const json& sup = new_def["superTypes"];
      if (std::find(sup.begin(), sup.end(), s) == sup.end())
        return Status::InvalidArgument("superType remove not supported", atlas_code::kSuperTypeRemovalNotSupported);
    }
  return Status::Ok();
}

// Stored typedefs written before requests were normalised may hold nulls or
// non-list values where lists belong; read them as Atlas would.
void CleanStoredDef(json& def) {
  types::DropNulls(def);
  for (const char* k : {"attributeDefs", "superTypes", "entityTypes", "elementDefs"})
    if (def.contains(k) && !def[k].is_array()) def.erase(k);
  for (const char* k : {"attributeDefs", "elementDefs"})
    if (def.contains(k)) {
      json& list = def[k];
      for (auto it = list.begin(); it != list.end();) it = it->is_object() ? it + 1 : list.erase(it);
    }
  for (const char* k : {"superTypes", "entityTypes"})
    if (def.contains(k)) {
      json& list = def[k];
      for (auto it = list.begin(); it != list.end();) it = it->is_string() ? it + 1 : list.erase(it);
    }
  for (const char* k : {"subTypes", "relationshipAttributeDefs", "businessAttributeDefs"}) def.erase(k);
}

}  // namespace

Status Catalog::LoadTypes() {
  std::vector<json> docs = types::BuiltinModelDocs();
  for (json& doc : docs)
    for (const char* list : kLists)
      if (doc.contains(list))
        for (json& d : doc[list]) {
          d["guid"] = StableGuid(d.value("name", ""));
          d["createdBy"] = "admin";
          d["updatedBy"] = "admin";
          d["createTime"] = 0;
          d["updateTime"] = 0;
          d["version"] = 1;
          if (!d.contains("typeVersion")) d["typeVersion"] = "1.0";
        }
  // Stored defs replace built-ins of the same name or add new types.
  std::map<std::string, json> stored;
  RETURN_IF_ERROR(store_->Scan(Family::kTypedefs, "", [&](std::string_view k, std::string_view v) {
    auto def = store::DecodeRecord(v);
    if (def.ok() && def->is_object()) {
      CleanStoredDef(*def);
      stored[std::string(k)] = std::move(*def);
    }
    return true;
  }));
  for (json& doc : docs)
    for (const char* list : kLists)
      if (doc.contains(list))
        for (json& d : doc[list]) {
          auto it = stored.find(d.value("name", ""));
          if (it == stored.end()) continue;
          d = it->second;
          stored.erase(it);
        }
  json user_doc = json::object();
  for (auto& [name, def] : stored) user_doc[ListOf(types::StringField(def, "category", "ENTITY"))].push_back(def);
  docs.push_back(user_doc);
  ASSIGN_OR_RETURN(auto reg, types::TypeRegistry::Build(docs));
  PublishTypes(std::move(reg));
  return Status::Ok();
}

Result<json> Catalog::ChangeTypes(const json& types_def, const std::string& user, bool update) {
  if (!types_def.is_object()) return Status::InvalidArgument("AtlasTypesDef must be an object", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  auto reg = types();
  int64_t now = NowMillis();
  std::map<std::string, json> changed;  // name -> def with category
  for (const char* list : kLists) {
    auto it = types_def.find(list);
    if (it == types_def.end() || it->is_null()) continue;
    if (!it->is_array()) return Status::InvalidArgument(std::string(list) + " must be a list", atlas_code::kInvalidParameters);
    for (json def : *it) {
      if (def.is_null()) continue;
      RETURN_IF_ERROR(types::NormalizeTypeDef(list, def));
      const std::string name = def["name"];
      const types::TypeDef* existing = reg->Find(name);
      if (!update && existing) return Status::AlreadyExists("Given type " + name + " already exists", atlas_code::kTypeAlreadyExists);
      if (update && !existing) return Status::NotFound("Given typename " + name + " was invalid", atlas_code::kTypeNameNotFound);
      static const std::map<std::string, std::string> kCategory = {
          {"enumDefs", "ENUM"}, {"structDefs", "STRUCT"}, {"classificationDefs", "CLASSIFICATION"},
          {"entityDefs", "ENTITY"}, {"relationshipDefs", "RELATIONSHIP"}, {"businessMetadataDefs", "BUSINESS_METADATA"}};
      def["category"] = kCategory.at(list);
      if (existing && std::string(types::CategoryName(existing->category)) != def["category"])
        return Status::InvalidArgument("Given type " + name + " doesn't match " +
                                           std::string(types::CategoryName(existing->category)), atlas_code::kTypeMatchFailed);
      if (existing && existing->category != types::Category::kEnum)
        RETURN_IF_ERROR(CheckUpdate(*existing, def,
                                    existing->category == types::Category::kEntity && TypeInUse(*store_, name)));
      Stamp(def, user, now, !existing, existing ? &existing->json : nullptr);
      if (!changed.emplace(name, def).second)
        return Status::InvalidArgument("type " + name + " appears twice", atlas_code::kInvalidParameters);
    }
  }
  // Nothing to create or update: Atlas answers with what it changed, i.e. nothing.
  json out = json::object();
  for (const char* list : kLists) out[list] = json::array();
  if (changed.empty()) return out;

  // Rebuild from the current defs with the changes applied, to validate references.
  std::vector<json> docs(1, json::object());
  for (const auto& [name, def] : reg->all()) {
    auto c = changed.find(name);
    json d = c != changed.end() ? c->second : def.json;
    docs[0][ListOf(d.value("category", "ENTITY"))].push_back(d);
  }
  for (const auto& [name, def] : changed)
    if (!reg->Find(name)) docs[0][ListOf(def.value("category", "ENTITY"))].push_back(def);
  ASSIGN_OR_RETURN(auto next, types::TypeRegistry::Build(docs));

  store::Batch batch;
  for (const auto& [name, def] : changed) {
    batch.Put(Family::kTypedefs, name, store::EncodeRecord(def));
    out[ListOf(def.value("category", "ENTITY"))].push_back(next->ToJson(*next->Find(name)));
  }
  json names = json::array();
  for (const auto& [name, def] : changed) names.push_back(name);
  AddAdminAudit(batch, update ? "TYPE_DEF_UPDATE" : "TYPE_DEF_CREATE", user, now, types_def, names,
                static_cast<int>(changed.size()));
  RETURN_IF_ERROR(Commit(batch, nullptr));
  PublishTypes(std::move(next));
  return out;
}

Result<json> Catalog::CreateTypes(const json& types_def, const std::string& user) {
  return ChangeTypes(types_def, user, false);
}

Result<json> Catalog::UpdateTypes(const json& types_def, const std::string& user) {
  return ChangeTypes(types_def, user, true);
}

Status Catalog::DeleteTypeByName(const std::string& name, const std::string& user) {
  json doc = json::object();
  auto reg = types();
  const types::TypeDef* t = reg->Find(name);
  if (!t) return Status::NotFound("Given typename " + name + " was invalid", atlas_code::kTypeNameNotFound);
  doc[ListOf(types::CategoryName(t->category))].push_back({{"name", name}});
  return DeleteTypes(doc, user);
}

Status Catalog::DeleteTypes(const json& request, const std::string& user) {
  if (!request.is_object()) return Status::InvalidArgument("AtlasTypesDef must be an object", atlas_code::kInvalidParameters);
  json types_def = request;
  types::DropNulls(types_def);
  std::lock_guard<std::mutex> lock(write_mu_);
  auto reg = types();
  std::set<std::string> names;
  for (const char* list : kLists) {
    auto it = types_def.find(list);
    if (it == types_def.end() || !it->is_array()) continue;
    for (const json& d : *it) names.insert(types::StringField(d, "name"));
  }
  if (names.empty()) return Status::InvalidArgument("no type definitions given", atlas_code::kInvalidParameters);
  const auto builtins = types::BuiltinModelDocs();
  for (const auto& name : names) {
    const types::TypeDef* t = reg->Find(name);
    if (!t) return Status::NotFound("Given typename " + name + " was invalid", atlas_code::kTypeNameNotFound);
    for (const json& doc : builtins)
      for (const char* list : kLists)
        for (const json& d : doc.value(list, json::array()))
          if (d.value("name", "") == name)
            return Status::Conflict("Given type " + name + " is a built-in type and cannot be deleted",
                                    atlas_code::kTypeHasReferences);
    if (t->category == types::Category::kEntity && TypeInUse(*store_, name))
      return Status::Conflict("Given type " + name + " has references (entities of this type exist)",
                              atlas_code::kTypeHasReferences);
    if (t->category == types::Category::kClassification && ClassificationInUse(*store_, name))
      return Status::Conflict("Given type " + name + " has references (entities carry this classification)",
                              atlas_code::kTypeHasReferences);
  }
  std::vector<json> docs(1, json::object());
  for (const auto& [name, def] : reg->all())
    if (!names.count(name)) docs[0][ListOf(def.json.value("category", "ENTITY"))].push_back(def.json);
  auto next = types::TypeRegistry::Build(docs);
  if (!next.ok())
    return Status::Conflict("Given type has references: " + next.status().message(), atlas_code::kTypeHasReferences);
  store::Batch batch;
  for (const auto& name : names) batch.Delete(Family::kTypedefs, name);
  AddAdminAudit(batch, "TYPE_DEF_DELETE", user, NowMillis(), types_def, json(names), static_cast<int>(names.size()));
  RETURN_IF_ERROR(Commit(batch, nullptr));
  PublishTypes(std::move(*next));
  return Status::Ok();
}

}  // namespace meridian::catalog
