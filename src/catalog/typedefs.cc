// Type definitions: built-in models plus user-defined and changed types kept in
// the typedefs column family.
#include <set>

#include "catalog_internal.h"

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
    def["version"] = previous->value("version", 1) + 1;
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

// An update may add optional attributes and change descriptions/options, but
// must not invalidate stored entities.
Status CheckCompatible(const types::TypeDef& old_def, const json& new_def) {
  std::map<std::string, json> next;
  for (const json& a : new_def.value("attributeDefs", json::array())) next[a.value("name", "")] = a;
  for (const json& a : old_def.json.value("attributeDefs", json::array())) {
    const std::string n = a.value("name", "");
    auto it = next.find(n);
    if (it == next.end())
      return Status::InvalidArgument("type " + old_def.name + " is in use: attribute " + n + " cannot be removed",
                                     "ATLAS-400-00-01A");
    if (it->second.value("typeName", "") != a.value("typeName", ""))
      return Status::InvalidArgument("type " + old_def.name + " is in use: attribute " + n + " cannot change type",
                                     "ATLAS-400-00-01A");
    if (a.value("isOptional", true) && !it->second.value("isOptional", true))
      return Status::InvalidArgument("type " + old_def.name + " is in use: attribute " + n +
                                     " cannot become mandatory", "ATLAS-400-00-01A");
    next.erase(it);
  }
  for (const auto& [n, a] : next)
    if (!a.value("isOptional", true))
      return Status::InvalidArgument("type " + old_def.name + " is in use: new attribute " + n + " must be optional",
                                     "ATLAS-400-00-01A");
  return Status::Ok();
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
    if (def.ok()) stored[std::string(k)] = std::move(*def);
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
  for (auto& [name, def] : stored) user_doc[ListOf(def.value("category", "ENTITY"))].push_back(def);
  docs.push_back(user_doc);
  ASSIGN_OR_RETURN(auto reg, types::TypeRegistry::Build(docs));
  PublishTypes(std::move(reg));
  return Status::Ok();
}

Result<json> Catalog::ChangeTypes(const json& types_def, const std::string& user, bool update) {
  if (!types_def.is_object()) return Status::InvalidArgument("AtlasTypesDef must be an object", "ATLAS-400-00-01A");
  std::lock_guard<std::mutex> lock(write_mu_);
  auto reg = types();
  int64_t now = NowMillis();
  std::map<std::string, json> changed;  // name -> def with category
  for (const char* list : kLists) {
    auto it = types_def.find(list);
    if (it == types_def.end() || it->is_null()) continue;
    if (!it->is_array()) return Status::InvalidArgument(std::string(list) + " must be a list", "ATLAS-400-00-01A");
    for (json def : *it) {
      if (!def.is_object() || !def.contains("name") || !def["name"].is_string() || def["name"].get<std::string>().empty())
        return Status::InvalidArgument(std::string("a type in ") + list + " has no name", "ATLAS-400-00-01A");
      const std::string name = def["name"];
      const types::TypeDef* existing = reg->Find(name);
      if (!update && existing) return Status::AlreadyExists("Given type " + name + " already exists", "ATLAS-409-00-001");
      if (update && !existing) return Status::NotFound("Given typename " + name + " was invalid", "ATLAS-404-00-001");
      static const std::map<std::string, std::string> kCategory = {
          {"enumDefs", "ENUM"}, {"structDefs", "STRUCT"}, {"classificationDefs", "CLASSIFICATION"},
          {"entityDefs", "ENTITY"}, {"relationshipDefs", "RELATIONSHIP"}, {"businessMetadataDefs", "BUSINESS_METADATA"}};
      def["category"] = kCategory.at(list);
      if (existing && std::string(types::CategoryName(existing->category)) != def["category"])
        return Status::InvalidArgument("type " + name + " is a " + std::string(types::CategoryName(existing->category)),
                                       "ATLAS-400-00-01A");
      if (existing && existing->category == types::Category::kEntity && TypeInUse(*store_, name))
        RETURN_IF_ERROR(CheckCompatible(*existing, def));
      Stamp(def, user, now, !existing, existing ? &existing->json : nullptr);
      if (!changed.emplace(name, def).second)
        return Status::InvalidArgument("type " + name + " appears twice", "ATLAS-400-00-01A");
    }
  }
  if (changed.empty()) return Status::InvalidArgument("no type definitions given", "ATLAS-400-00-01A");

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
  json out = json::object();
  for (const char* list : kLists) out[list] = json::array();
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
  if (!t) return Status::NotFound("Given typename " + name + " was invalid", "ATLAS-404-00-001");
  doc[ListOf(types::CategoryName(t->category))].push_back({{"name", name}});
  return DeleteTypes(doc, user);
}

Status Catalog::DeleteTypes(const json& types_def, const std::string& user) {
  if (!types_def.is_object()) return Status::InvalidArgument("AtlasTypesDef must be an object", "ATLAS-400-00-01A");
  std::lock_guard<std::mutex> lock(write_mu_);
  auto reg = types();
  std::set<std::string> names;
  for (const char* list : kLists) {
    auto it = types_def.find(list);
    if (it == types_def.end() || !it->is_array()) continue;
    for (const json& d : *it) names.insert(d.value("name", ""));
  }
  if (names.empty()) return Status::InvalidArgument("no type definitions given", "ATLAS-400-00-01A");
  const auto builtins = types::BuiltinModelDocs();
  for (const auto& name : names) {
    const types::TypeDef* t = reg->Find(name);
    if (!t) return Status::NotFound("Given typename " + name + " was invalid", "ATLAS-404-00-001");
    for (const json& doc : builtins)
      for (const char* list : kLists)
        for (const json& d : doc.value(list, json::array()))
          if (d.value("name", "") == name)
            return Status::Conflict("Given type " + name + " is a built-in type and cannot be deleted",
                                    "ATLAS-409-00-002");
    if (t->category == types::Category::kEntity && TypeInUse(*store_, name))
      return Status::Conflict("Given type " + name + " has references (entities of this type exist)",
                              "ATLAS-409-00-002");
    if (t->category == types::Category::kClassification && ClassificationInUse(*store_, name))
      return Status::Conflict("Given type " + name + " has references (entities carry this classification)",
                              "ATLAS-409-00-002");
  }
  std::vector<json> docs(1, json::object());
  for (const auto& [name, def] : reg->all())
    if (!names.count(name)) docs[0][ListOf(def.json.value("category", "ENTITY"))].push_back(def.json);
  auto next = types::TypeRegistry::Build(docs);
  if (!next.ok())
    return Status::Conflict("Given type has references: " + next.status().message(), "ATLAS-409-00-002");
  store::Batch batch;
  for (const auto& name : names) batch.Delete(Family::kTypedefs, name);
  AddAdminAudit(batch, "TYPE_DEF_DELETE", user, NowMillis(), types_def, json(names), static_cast<int>(names.size()));
  RETURN_IF_ERROR(Commit(batch, nullptr));
  PublishTypes(std::move(*next));
  return Status::Ok();
}

}  // namespace meridian::catalog
