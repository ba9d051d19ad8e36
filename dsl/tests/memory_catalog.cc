#include "memory_catalog.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace meridian::dsl::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

AttributeInfo Attr(const std::string& name, const std::string& type_name) {
  AttributeInfo info;
  info.name = name;
  info.type_name = type_name;
  if (type_name == "string") {
    info.kind = ValueKind::kString;
  } else if (type_name == "boolean") {
    info.kind = ValueKind::kBoolean;
  } else if (type_name == "date") {
    info.kind = ValueKind::kDate;
  } else if (type_name == "int" || type_name == "long" || type_name == "double" ||
             type_name == "float" || type_name == "short" || type_name == "byte") {
    info.kind = ValueKind::kNumber;
  } else if (type_name.rfind("array<", 0) == 0) {
    info.kind = ValueKind::kArray;
    info.is_multi = true;
  } else if (type_name.rfind("map<", 0) == 0) {
    info.kind = ValueKind::kMap;
  }
  // An optional attribute left unset reads as its type's default; optional strings stay absent.
  if (type_name == "boolean") {
    info.default_value = false;
  } else if (type_name == "float" || type_name == "double") {
    info.default_value = 0.0;
  } else if (info.kind == ValueKind::kNumber || info.kind == ValueKind::kDate) {
    info.default_value = 0;
  }
  return info;
}

AttributeInfo EnumAttr(const std::string& name, const std::string& enum_type) {
  AttributeInfo info;
  info.name = name;
  info.type_name = enum_type;
  info.kind = ValueKind::kEnum;
  return info;
}

AttributeInfo RefAttr(const std::string& name, const std::string& target, bool multi) {
  AttributeInfo info;
  info.name = name;
  info.type_name = multi ? "array<" + target + ">" : target;
  info.kind = ValueKind::kReference;
  info.is_relationship = true;
  info.is_multi = multi;
  info.referenced_type = target;
  return info;
}

void MemoryCatalog::AddType(TypeDef def) { types_.push_back(std::move(def)); }

void MemoryCatalog::AddEntity(nlohmann::json entity) {
  if (!entity.contains("status")) entity["status"] = "ACTIVE";
  const std::string guid = entity["guid"].get<std::string>();
  by_type_[entity["typeName"].get<std::string>()].push_back(guid);
  entities_[guid] = std::move(entity);
}

void MemoryCatalog::Link(const std::string& from, const std::string& attr, const std::string& to) {
  nlohmann::json& source = entities_.at(from);
  const nlohmann::json& target = entities_.at(to);
  const auto& attrs = target["attributes"];
  nlohmann::json ref = {
      {"guid", to},
      {"typeName", target["typeName"]},
      {"entityStatus", target["status"]},
      {"displayText", attrs.value("name", attrs.value("qualifiedName", ""))},
      {"qualifiedName", attrs.value("qualifiedName", "")},
      {"relationshipStatus", "ACTIVE"},
  };
  auto info = FindAttribute(source["typeName"].get<std::string>(), attr);
  auto& slot = source["relationshipAttributes"][attr];
  if (info && info->is_multi) {
    slot.push_back(std::move(ref));
  } else {
    slot = std::move(ref);
  }
}

void MemoryCatalog::SetRelationshipStatus(const std::string& from, const std::string& attr,
                                          const std::string& to, const std::string& status) {
  nlohmann::json& slot = entities_.at(from)["relationshipAttributes"][attr];
  if (slot.is_object() && slot.value("guid", "") == to) slot["relationshipStatus"] = status;
  if (!slot.is_array()) return;
  for (auto& ref : slot) {
    if (ref.value("guid", "") == to) ref["relationshipStatus"] = status;
  }
}

void MemoryCatalog::AddClassification(const std::string& guid, nlohmann::json classification) {
  entities_.at(guid)["classifications"].push_back(std::move(classification));
}

const TypeDef* MemoryCatalog::FindType(std::string_view name) const {
  for (const auto& t : types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool MemoryCatalog::IsSubTypeOf(const TypeDef& type, std::string_view ancestor, int depth) const {
  if (type.name == ancestor) return true;
  if (depth > 32) return false;
  for (const auto& super : type.super_types) {
    const TypeDef* s = FindType(super);
    if (s != nullptr && IsSubTypeOf(*s, ancestor, depth + 1)) return true;
  }
  return false;
}

bool MemoryCatalog::IsEntityType(std::string_view name) const {
  const TypeDef* t = FindType(name);
  return t != nullptr && !t->is_classification;
}

bool MemoryCatalog::IsClassificationType(std::string_view name) const {
  const TypeDef* t = FindType(name);
  return t != nullptr && t->is_classification;
}

std::vector<std::string> MemoryCatalog::EntityTypeNames() const {
  std::vector<std::string> names;
  for (const auto& t : types_) {
    if (!t.is_classification) names.push_back(t.name);
  }
  return names;
}

std::vector<std::string> MemoryCatalog::SelfAndSubTypes(std::string_view type) const {
  std::vector<std::string> names;
  const TypeDef* self = FindType(type);
  if (self == nullptr) return names;
  names.push_back(self->name);
  for (const auto& t : types_) {
    if (t.name != self->name && t.is_classification == self->is_classification &&
        IsSubTypeOf(t, type)) {
      names.push_back(t.name);
    }
  }
  return names;
}

std::optional<AttributeInfo> MemoryCatalog::FindAttribute(std::string_view type,
                                                          std::string_view attr) const {
  const TypeDef* t = FindType(type);
  if (t == nullptr) return std::nullopt;
  for (const auto& a : t->attributes) {
    if (a.name == attr) return a;
  }
  for (const auto& super : t->super_types) {
    if (auto found = FindAttribute(super, attr)) return found;
  }
  return std::nullopt;
}

void MemoryCatalog::ScanType(std::string_view type,
                             const std::function<bool(const std::string& guid)>& fn) const {
  ++scans_;
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return;
  for (const auto& guid : it->second) {
    if (!fn(guid)) return;
  }
}

std::optional<nlohmann::json> MemoryCatalog::LoadEntityShallow(const std::string& guid) const {
  auto e = LoadEntity(guid);
  if (e) e->erase("relationshipAttributes");
  return e;
}

std::optional<std::vector<std::string>> MemoryCatalog::Referrers(std::string_view type,
                                                                 std::string_view attr,
                                                                 const std::string& target) const {
  ++lookups_;
  std::vector<std::string> guids;
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return guids;
  for (const auto& guid : it->second) {
    const auto& rels = entities_.at(guid).value("relationshipAttributes", nlohmann::json::object());
    auto v = rels.find(std::string(attr));
    if (v == rels.end()) continue;
    const nlohmann::json refs = v->is_array() ? *v : nlohmann::json::array({*v});
    for (const auto& ref : refs)
      if (ref.is_object() && ref.value("guid", "") == target) guids.push_back(guid);
  }
  return guids;
}

std::optional<std::vector<std::string>> MemoryCatalog::LookupEquals(
    std::string_view type, std::string_view attr, const nlohmann::json& value) const {
  if (!indexed_.count(attr) || !FindType(type)) return std::nullopt;
  ++lookups_;
  std::vector<std::string> guids;
  const bool fold = attr == "name" && value.is_string();
  auto collect = [&](const std::vector<std::string>& of_type) {
    for (const auto& guid : of_type) {
      const auto& attrs = entities_.at(guid)["attributes"];
      auto v = attrs.find(std::string(attr));
      if (v == attrs.end()) continue;
      const bool match =
          fold ? v->is_string() && Lower(v->get<std::string>()) == Lower(value.get<std::string>())
               : *v == value;
      if (match) guids.push_back(guid);
    }
  };
  // Entities of `type` first (in insertion order), then those of every other type.
  if (auto it = by_type_.find(type); it != by_type_.end()) collect(it->second);
  for (const auto& [other, of_type] : by_type_) {
    if (other != type) collect(of_type);
  }
  return guids;
}

namespace {

bool Counted(const nlohmann::json& entity, bool active_only) {
  return !active_only || entity.value("status", "ACTIVE") != "DELETED";
}

const nlohmann::json* StringAttribute(const nlohmann::json& entity, std::string_view attr) {
  auto attrs = entity.find("attributes");
  if (attrs == entity.end() || !attrs->is_object()) return nullptr;
  auto v = attrs->find(std::string(attr));
  return v != attrs->end() && v->is_string() ? &*v : nullptr;
}

}  // namespace

std::optional<uint64_t> MemoryCatalog::CountType(std::string_view type, bool active_only) const {
  uint64_t n = 0;
  if (auto it = by_type_.find(type); it != by_type_.end()) {
    for (const auto& guid : it->second) n += Counted(entities_.at(guid), active_only);
  }
  return n;
}

std::optional<uint64_t> MemoryCatalog::CountAttributePrefix(std::string_view type, std::string_view attr,
                                                            std::string_view prefix,
                                                            bool active_only) const {
  uint64_t n = 0;
  if (auto it = by_type_.find(type); it != by_type_.end()) {
    for (const auto& guid : it->second) {
      const auto& e = entities_.at(guid);
      const nlohmann::json* v = StringAttribute(e, attr);
      n += Counted(e, active_only) && v != nullptr && v->get_ref<const std::string&>().rfind(prefix, 0) == 0;
    }
  }
  return n;
}

std::optional<std::vector<std::pair<std::string, uint64_t>>> MemoryCatalog::CountByValue(
    std::string_view type, std::string_view attr, bool active_only) const {
  std::vector<std::pair<std::string, uint64_t>> counts;
  if (auto it = by_type_.find(type); it != by_type_.end()) {
    for (const auto& guid : it->second) {
      const auto& e = entities_.at(guid);
      const nlohmann::json* v = StringAttribute(e, attr);
      if (!Counted(e, active_only) || v == nullptr) continue;
      const std::string& value = v->get_ref<const std::string&>();
      auto found = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == value; });
      if (found == counts.end()) {
        counts.emplace_back(value, 1);
      } else {
        ++found->second;
      }
    }
  }
  return counts;
}

std::optional<nlohmann::json> MemoryCatalog::LoadEntity(const std::string& guid) const {
  ++loads_;
  auto it = entities_.find(guid);
  if (it == entities_.end()) return std::nullopt;
  return it->second;
}

}  // namespace meridian::dsl::testing
