#include "meridian/types/type_registry.h"
#include "meridian/atlas_error_codes.h"

#include <algorithm>
#include <functional>

namespace meridian::types {

namespace {

using json = nlohmann::json;

const std::set<std::string, std::less<>> kPrimitives = {
    "boolean", "byte", "short", "int", "long", "float", "double",
    "biginteger", "bigdecimal", "string", "date", "object"};

Category CategoryFromListKey(std::string_view key) {
  if (key == "enumDefs") return Category::kEnum;
  if (key == "structDefs") return Category::kStruct;
  if (key == "classificationDefs") return Category::kClassification;
  if (key == "relationshipDefs") return Category::kRelationship;
  if (key == "businessMetadataDefs") return Category::kBusinessMetadata;
  return Category::kEntity;
}

std::string Str(const json& j, const char* key, std::string def = {}) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

bool Bool(const json& j, const char* key, bool def) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

RelationshipEnd MakeEnd(const json& rel, int end) {
  const json& me = rel.at(end == 1 ? "endDef1" : "endDef2");
  const json& other = rel.at(end == 1 ? "endDef2" : "endDef1");
  RelationshipEnd e;
  e.relationship = Str(rel, "name");
  e.category = Str(rel, "relationshipCategory", "ASSOCIATION");
  e.label = Str(rel, "relationshipLabel", "r:" + e.relationship);
  e.propagate_tags = Str(rel, "propagateTags", "NONE");
  e.end = end;
  e.type = Str(me, "type");
  e.name = Str(me, "name");
  e.is_container = Bool(me, "isContainer", false);
  e.multi = Str(me, "cardinality", "SINGLE") != "SINGLE";
  e.other_type = Str(other, "type");
  e.other_name = Str(other, "name");
  e.other_multi = Str(other, "cardinality", "SINGLE") != "SINGLE";
  return e;
}

}  // namespace

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kEnum: return "ENUM";
    case Category::kStruct: return "STRUCT";
    case Category::kClassification: return "CLASSIFICATION";
    case Category::kEntity: return "ENTITY";
    case Category::kRelationship: return "RELATIONSHIP";
    case Category::kBusinessMetadata: return "BUSINESS_METADATA";
  }
  return "ENTITY";
}

Result<ValueType> ParseValueType(std::string_view t) {
  ValueType v;
  v.name = std::string(t);
  auto inner = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (t.size() > prefix.size() + 1 && t.substr(0, prefix.size()) == prefix && t.back() == '>')
      return t.substr(prefix.size(), t.size() - prefix.size() - 1);
    return std::nullopt;
  };
  if (auto in = inner("array<")) {
    v.kind = ValueType::Kind::kArray;
    ASSIGN_OR_RETURN(ValueType e, ParseValueType(*in));
    v.element = std::make_shared<ValueType>(std::move(e));
    return v;
  }
  if (auto in = inner("map<")) {
    // Split at the top-level comma.
    int depth = 0;
    size_t comma = std::string_view::npos;
    for (size_t i = 0; i < in->size(); ++i) {
      char c = (*in)[i];
      if (c == '<') ++depth;
      else if (c == '>') --depth;
      else if (c == ',' && depth == 0) { comma = i; break; }
    }
    if (comma == std::string_view::npos)
      return Status::InvalidArgument("invalid map type " + std::string(t), atlas_code::kUnknownTypename);
    v.kind = ValueType::Kind::kMap;
    ASSIGN_OR_RETURN(ValueType k, ParseValueType(in->substr(0, comma)));
    ASSIGN_OR_RETURN(ValueType e, ParseValueType(in->substr(comma + 1)));
    v.key = std::make_shared<ValueType>(std::move(k));
    v.element = std::make_shared<ValueType>(std::move(e));
    return v;
  }
  if (t.empty() || t.find_first_of("<>, ") != std::string_view::npos)
    return Status::InvalidArgument("invalid type name '" + std::string(t) + "'", atlas_code::kUnknownTypename);
  v.kind = kPrimitives.count(t) ? ValueType::Kind::kPrimitive : ValueType::Kind::kStruct;  // refined in Resolve
  return v;
}

bool TypeDef::IsA(std::string_view type) const {
  return name == type || std::find(all_super_types.begin(), all_super_types.end(), type) != all_super_types.end();
}

const AttributeDef* TypeDef::FindAttribute(std::string_view attr) const {
  auto it = attributes.find(attr);
  return it == attributes.end() ? nullptr : &it->second;
}

const RelationshipEnd* TypeDef::FindRelationshipEnd(std::string_view attr, std::string_view relationship_type) const {
  auto it = relationship_attributes.find(attr);
  if (it == relationship_attributes.end() || it->second.empty()) return nullptr;
  if (!relationship_type.empty()) {
    for (const auto& e : it->second)
      if (e.relationship == relationship_type) return &e;
  }
  return &it->second.front();
}

Result<std::shared_ptr<const TypeRegistry>> TypeRegistry::Build(const std::vector<json>& docs) {
  auto reg = std::make_shared<TypeRegistry>();
  for (const json& doc : docs) {
    for (const char* key : {"enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs",
                            "businessMetadataDefs"}) {
      auto it = doc.find(key);
      if (it == doc.end() || !it->is_array()) continue;
      for (const json& d : *it) {
        TypeDef def;
        def.category = CategoryFromListKey(key);
        def.name = Str(d, "name");
        if (def.name.empty())
          return Status::InvalidArgument(std::string("a type in ") + key + " has no name", atlas_code::kInvalidParameters);
        if (reg->types_.count(def.name))
          return Status::AlreadyExists("Given type " + def.name + " already exists", atlas_code::kTypeAlreadyExists);
        def.json = d;
        def.json["category"] = std::string(CategoryName(def.category));
        def.guid = Str(d, "guid");
        reg->types_.emplace(def.name, std::move(def));
      }
    }
  }
  RETURN_IF_ERROR(reg->Resolve());
  return std::shared_ptr<const TypeRegistry>(std::move(reg));
}

Status TypeRegistry::Resolve() {
  by_guid_.clear();
  for (auto& [name, def] : types_)
    if (!def.guid.empty()) by_guid_[def.guid] = name;

  // Super-type closure for entity and classification types.
  std::function<Status(TypeDef&, std::vector<std::string>&, int)> collect =
      [&](TypeDef& def, std::vector<std::string>& out, int depth) -> Status {
    if (depth > 64) return Status::InvalidArgument("super-type cycle at " + def.name, atlas_code::kInvalidParameters);
    if (!def.json.contains("superTypes")) return Status::Ok();
    for (const json& s : def.json["superTypes"]) {
      if (!s.is_string()) continue;
      std::string sup = s.get<std::string>();
      auto it = types_.find(sup);
      if (it == types_.end() || it->second.category != def.category)
        return Status::InvalidArgument("Given typename " + sup + " was invalid (super-type of " + def.name + ")",
                                       atlas_code::kUnknownTypename);
      if (std::find(out.begin(), out.end(), sup) == out.end()) out.push_back(sup);
      RETURN_IF_ERROR(collect(it->second, out, depth + 1));
    }
    return Status::Ok();
  };
  for (auto& [name, def] : types_) {
    def.all_super_types.clear();
    def.all_sub_types.clear();
    def.attributes.clear();
    def.relationship_attributes.clear();
    def.unique_attributes.clear();
    if (def.category == Category::kEntity || def.category == Category::kClassification)
      RETURN_IF_ERROR(collect(def, def.all_super_types, 0));
  }
  for (auto& [name, def] : types_)
    for (const auto& sup : def.all_super_types) types_[sup].all_sub_types.push_back(name);

  auto resolve_value_type = [&](ValueType& v, const std::string& owner) -> Status {
    std::function<Status(ValueType&)> fix = [&](ValueType& t) -> Status {
      if (t.element) RETURN_IF_ERROR(fix(*t.element));
      if (t.key) RETURN_IF_ERROR(fix(*t.key));
      if (t.kind != ValueType::Kind::kStruct) return Status::Ok();
      auto it = types_.find(t.name);
      if (it == types_.end())
        return Status::InvalidArgument("Given typename " + t.name + " was invalid (attribute of " + owner + ")",
                                       atlas_code::kUnknownTypename);
      switch (it->second.category) {
        case Category::kEnum: t.kind = ValueType::Kind::kEnum; break;
        case Category::kEntity: t.kind = ValueType::Kind::kEntityRef; break;
        case Category::kStruct: break;
        default:
          return Status::InvalidArgument("attribute type " + t.name + " of " + owner + " is not a value type",
                                         atlas_code::kInvalidParameters);
      }
      return Status::Ok();
    };
    return fix(v);
  };

  // Attributes: supers first, so a sub-type's own def wins.
  for (auto& [name, def] : types_) {
    if (def.category == Category::kEnum) {
      def.enum_values.clear();
      for (const json& e : def.json.value("elementDefs", json::array())) def.enum_values.push_back(Str(e, "value"));
      continue;
    }
    if (def.category == Category::kRelationship) {
      if (!def.json.contains("endDef1") || !def.json.contains("endDef2"))
        return Status::InvalidArgument("relationship " + name + " needs endDef1 and endDef2", atlas_code::kInvalidParameters);
      def.end1 = MakeEnd(def.json, 1);
      def.end2 = MakeEnd(def.json, 2);
      for (const auto* e : {&*def.end1, &*def.end2}) {
        const TypeDef* t = Find(e->type);
        if (!t || t->category != Category::kEntity)
          return Status::InvalidArgument("Given typename " + e->type + " was invalid (end of " + name + ")",
                                         atlas_code::kUnknownTypename);
      }
    }
    std::vector<std::string> chain(def.all_super_types.rbegin(), def.all_super_types.rend());
    chain.push_back(name);
    for (const auto& tname : chain) {
      const TypeDef& t = types_[tname];
      for (const json& a : t.json.value("attributeDefs", json::array())) {
        AttributeDef ad;
        ad.name = Str(a, "name");
        ad.type_name = Str(a, "typeName");
        ad.is_optional = Bool(a, "isOptional", true);
        ad.is_unique = Bool(a, "isUnique", false);
        ad.is_indexable = Bool(a, "isIndexable", false);
        ad.cardinality = Str(a, "cardinality", "SINGLE");
        ad.defined_in = tname;
        ad.json = a;
        ASSIGN_OR_RETURN(ad.value_type, ParseValueType(ad.type_name));
        RETURN_IF_ERROR(resolve_value_type(ad.value_type, tname));
        def.attributes[ad.name] = std::move(ad);
      }
    }
    for (const auto& [an, ad] : def.attributes)
      if (ad.is_unique) def.unique_attributes.push_back(an);
  }

  // Relationship ends become relationship attributes on every type that IsA the end type.
  for (auto& [rname, rel] : types_) {
    if (rel.category != Category::kRelationship) continue;
    for (const auto* e : {&*rel.end1, &*rel.end2}) {
      for (auto& [tname, t] : types_) {
        if (t.category != Category::kEntity || !t.IsA(e->type)) continue;
        t.relationship_attributes[e->name].push_back(*e);
        // A legacy attribute of the same name is served by the relationship.
        t.attributes.erase(e->name);
      }
    }
  }
  for (const auto& [name, def] : types_)
    if (def.category == Category::kBusinessMetadata) RETURN_IF_ERROR(CheckBusinessMetadataDef(*this, def));
  return Status::Ok();
}

const TypeDef* TypeRegistry::Find(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

const TypeDef* TypeRegistry::FindByGuid(std::string_view guid) const {
  auto it = by_guid_.find(guid);
  return it == by_guid_.end() ? nullptr : Find(it->second);
}

const TypeDef* TypeRegistry::FindEntity(std::string_view name) const {
  const TypeDef* t = Find(name);
  return t && t->category == Category::kEntity ? t : nullptr;
}

const TypeDef* TypeRegistry::FindClassification(std::string_view name) const {
  const TypeDef* t = Find(name);
  return t && t->category == Category::kClassification ? t : nullptr;
}

std::vector<std::string> TypeRegistry::SelfAndSubTypes(std::string_view type) const {
  const TypeDef* t = Find(type);
  if (!t) return {};
  std::vector<std::string> out{t->name};
  out.insert(out.end(), t->all_sub_types.begin(), t->all_sub_types.end());
  return out;
}

json TypeRegistry::ToJson(const TypeDef& def) const {
  json j = def.json;
  if (def.category == Category::kEntity || def.category == Category::kClassification) {
    json subs = json::array();
    for (const auto& [n, t] : types_) {
      if (t.category != def.category || !t.json.contains("superTypes")) continue;
      for (const json& s : t.json["superTypes"])
        if (s == def.name) subs.push_back(n);
    }
    j["subTypes"] = subs;
    if (!j.contains("superTypes")) j["superTypes"] = json::array();
    if (!j.contains("attributeDefs")) j["attributeDefs"] = json::array();
  }
  if (def.category == Category::kEntity) {
    json rels = json::array();
    for (const auto& [an, ends] : def.relationship_attributes) {
      for (const auto& e : ends) {
        json r = {{"name", an},
                  {"typeName", e.multi ? "array<" + e.other_type + ">" : e.other_type},
                  {"isOptional", true},
                  {"cardinality", e.multi ? "SET" : "SINGLE"},
                  {"valuesMinCount", -1},
                  {"valuesMaxCount", -1},
                  {"isUnique", false},
                  {"isIndexable", false},
                  {"includeInNotification", false},
                  {"relationshipTypeName", e.relationship},
                  {"isLegacyAttribute", false}};
        rels.push_back(std::move(r));
      }
    }
    j["relationshipAttributeDefs"] = rels;
  }
  return j;
}

void ApplyModelPatches(std::vector<json>& docs, const json& patch_file) {
  auto find_def = [&](const std::string& name) -> json* {
    for (json& doc : docs)
      for (auto& [key, list] : doc.items())
        if (list.is_array())
          for (json& d : list)
            if (d.is_object() && d.value("name", "") == name) return &d;
    return nullptr;
  };
  for (const json& p : patch_file.value("patches", json::array())) {
    json* def = find_def(p.value("typeName", ""));
    if (!def) continue;
    std::string action = p.value("action", "");
    const json params = p.contains("params") && p["params"].is_object() ? p["params"] : json::object();
    if (action == "SET_SERVICE_TYPE") {
      if (params.contains("serviceType")) (*def)["serviceType"] = params["serviceType"];
    } else if (action == "ADD_ATTRIBUTE") {
      for (const json& a : p.value("attributeDefs", json::array())) (*def)["attributeDefs"].push_back(a);
    } else if (action == "UPDATE_ATTRIBUTE") {
      for (const json& a : p.value("attributeDefs", json::array()))
        for (json& existing : (*def)["attributeDefs"])
          if (existing.value("name", "") == a.value("name", "")) existing = a;
    } else if (action == "UPDATE_ATTRIBUTE_METADATA") {
      for (json& existing : (*def)["attributeDefs"])
        if (existing.value("name", "") == p.value("attributeName", ""))
          for (auto& [k, v] : params.items()) existing[k] = v;
    } else if (action == "ADD_SUPER_TYPES") {
      for (const json& s : p.value("superTypes", json::array())) (*def)["superTypes"].push_back(s);
    } else if (action == "UPDATE_TYPEDEF_OPTIONS") {
      const json options = p.value("typeDefOptions", json::object());
      for (auto& [k, v] : options.items()) (*def)["options"][k] = v;
    } else if (action == "UPDATE_ENUMDEF") {
      for (const json& e : p.value("elementDefs", json::array())) (*def)["elementDefs"].push_back(e);
    } else if (action == "REMOVE_LEGACY_REF_ATTRIBUTES") {
      // Relationship attributes already shadow legacy ones (see Resolve); record the label.
      if (params.contains("relationshipLabel")) (*def)["relationshipLabel"] = params["relationshipLabel"];
      if (params.contains("relationshipCategory")) (*def)["relationshipCategory"] = params["relationshipCategory"];
    }
    if (p.contains("updateToVersion")) (*def)["typeVersion"] = p["updateToVersion"];
  }
}

}  // namespace meridian::types
