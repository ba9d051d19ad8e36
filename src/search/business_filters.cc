// Business attributes (`<businessMetadata>.<attribute>`) in basic-search entity filters.
#include "meridian/search/filters.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

bool IsBusinessAttribute(const std::string& attribute) {
  size_t dot = attribute.find('.');
  return dot != std::string::npos && dot > 0 && dot + 1 < attribute.size();
}

json BusinessValue(const json& record, const std::string& attribute) {
  size_t dot = attribute.find('.');
  auto bms = record.find("businessAttributes");
  if (dot == std::string::npos || bms == record.end() || !bms->is_object()) return json();
  auto bm = bms->find(attribute.substr(0, dot));
  if (bm == bms->end() || !bm->is_object()) return json();
  auto v = bm->find(attribute.substr(dot + 1));
  return v == bm->end() ? json() : *v;
}

Status CheckBusinessAttributes(const Filter& filter, const types::TypeRegistry& reg, const types::TypeDef* type) {
  if (filter.is_group) {
    for (const auto& c : filter.children) RETURN_IF_ERROR(CheckBusinessAttributes(c, reg, type));
    return Status::Ok();
  }
  if (!type || !IsBusinessAttribute(filter.attribute) || type->FindAttribute(filter.attribute)) return Status::Ok();
  const size_t dot = filter.attribute.find('.');
  const types::TypeDef* bm = reg.Find(filter.attribute.substr(0, dot));
  const types::AttributeDef* ad =
      bm && bm->category == types::Category::kBusinessMetadata ? bm->FindAttribute(filter.attribute.substr(dot + 1))
                                                               : nullptr;
  const bool applies = ad && types::AppliesTo(*ad, *type);
  if (!applies)
    return Status::InvalidArgument("Attribute " + filter.attribute + " not found for type " + type->name,
                                   atlas_code::kInvalidParameters);
  return Status::Ok();
}

}  // namespace meridian::search
