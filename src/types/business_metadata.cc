// Business-metadata applicability (options.applicableEntityTypes).
#include "meridian/types/type_registry.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::types {

bool AppliesTo(const AttributeDef& business_attribute, const TypeDef& entity_type) {
  auto opts = business_attribute.json.find("options");
  if (opts == business_attribute.json.end() || !opts->is_object()) return false;
  auto raw = opts->find("applicableEntityTypes");
  if (raw == opts->end()) return false;
  nlohmann::json list = raw->is_string() ? nlohmann::json::parse(raw->get<std::string>(), nullptr, false) : *raw;
  if (!list.is_array()) return false;
  for (const auto& t : list)
    if (t.is_string() && entity_type.IsA(t.get<std::string>())) return true;
  return false;
}

}  // namespace meridian::types

namespace meridian::types {

namespace {

bool ScalarKind(const TypeRegistry& reg, const ValueType& vt) {
  if (vt.kind == ValueType::Kind::kPrimitive) return vt.name != "object";
  if (vt.kind == ValueType::Kind::kEnum) return true;
  const TypeDef* t = reg.Find(vt.name);
  return vt.kind == ValueType::Kind::kStruct && t && t->category == Category::kEnum;
}

}  // namespace

Status CheckBusinessMetadataDef(const TypeRegistry& reg, const TypeDef& def) {
  for (const auto& [name, a] : def.attributes) {
    const ValueType& vt = a.value_type;
    bool ok = vt.kind == ValueType::Kind::kArray ? vt.element && ScalarKind(reg, *vt.element) : ScalarKind(reg, vt);
    if (!ok)
      return Status::InvalidArgument(def.name + "." + name + ": invalid attribute type. Business-metadata attribute "
                                     "cannot be of type entity/classification/struct/business-metadata",
                                     atlas_code::kBusinessMetadataAttributeTypeInvalid);
    auto opts = a.json.find("options");
    nlohmann::json list;
    if (opts != a.json.end() && opts->is_object() && opts->contains("applicableEntityTypes")) {
      const auto& raw = (*opts)["applicableEntityTypes"];
      list = raw.is_string() ? nlohmann::json::parse(raw.get<std::string>(), nullptr, false) : raw;
    }
    if (!list.is_array() || list.empty())
      return Status::InvalidArgument("Mandatory field " + name + ".applicableEntityTypes has empty/null value",
                                     atlas_code::kMissingMandatoryAttribute);
    for (const auto& t : list)
      if (!t.is_string() || !reg.FindEntity(t.get<std::string>()))
        return Status::InvalidArgument(t.dump() + ": Unknown/invalid typename (applicableEntityTypes of " + def.name +
                                           "." + name + ")",
                                       atlas_code::kUnknownTypename);
  }
  return Status::Ok();
}

}  // namespace meridian::types
