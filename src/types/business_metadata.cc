// Business-metadata applicability (options.applicableEntityTypes).
#include "meridian/types/type_registry.h"

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
