#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <cstdio>

#include "catalog_internal.h"

namespace meridian::catalog::internal {

namespace {

using types::ValueType;

Status Mismatch(const std::string& attr, const std::string& expected, const json& value) {
  std::string shown = value.dump();
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return Status::InvalidArgument("invalid value for attribute " + attr + ": expected " + expected + ", got " + shown,
                                 "ATLAS-400-00-01A");
}

// "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" (also without millis, or a date alone) -> epoch ms.
std::optional<int64_t> ParseIsoDate(const std::string& s) {
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &y, &mo, &d, &h, &mi, &sec, &ms);
  if (n < 3) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Status NormalizeValue(const types::TypeRegistry& reg, const ValueType& vt, const std::string& attr, json& value) {
  if (value.is_null()) return Status::Ok();
  switch (vt.kind) {
    case ValueType::Kind::kPrimitive: {
      const std::string& t = vt.name;
      if (t == "string") {
        if (value.is_string()) return Status::Ok();
        if (value.is_number() || value.is_boolean()) { value = value.dump(); return Status::Ok(); }
        return Mismatch(attr, "a string", value);
      }
      if (t == "boolean") {
        if (value.is_boolean()) return Status::Ok();
        if (value.is_string() && (value == "true" || value == "false")) { value = value == "true"; return Status::Ok(); }
        return Mismatch(attr, "a boolean", value);
      }
      if (t == "date") {
        if (value.is_number_integer()) return Status::Ok();
        if (value.is_number_float()) { value = static_cast<int64_t>(value.get<double>()); return Status::Ok(); }
        if (value.is_string()) {
          auto ms = ParseIsoDate(value.get<std::string>());
          if (ms) { value = *ms; return Status::Ok(); }
        }
        return Mismatch(attr, "a date (epoch milliseconds or yyyy-MM-ddTHH:mm:ss.SSSZ)", value);
      }
      if (t == "byte" || t == "short" || t == "int" || t == "long" || t == "biginteger") {
        if (value.is_number_integer()) return Status::Ok();
        if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>()) {
          value = static_cast<int64_t>(value.get<double>());
          return Status::Ok();
        }
        if (value.is_string()) {
          try {
            size_t used = 0;
            long long v = std::stoll(value.get<std::string>(), &used);
            if (used == value.get<std::string>().size()) { value = v; return Status::Ok(); }
          } catch (...) {
          }
        }
        return Mismatch(attr, "an integer (" + t + ")", value);
      }
      if (t == "float" || t == "double" || t == "bigdecimal") {
        if (value.is_number()) return Status::Ok();
        if (value.is_string()) {
          try {
            size_t used = 0;
            double v = std::stod(value.get<std::string>(), &used);
            if (used == value.get<std::string>().size()) { value = v; return Status::Ok(); }
          } catch (...) {
          }
        }
        return Mismatch(attr, "a number (" + t + ")", value);
      }
      return Status::Ok();  // "object": any JSON
    }
    case ValueType::Kind::kEnum: {
      const types::TypeDef* e = reg.Find(vt.name);
      if (value.is_number_integer() && e) {
        for (const json& el : e->json.value("elementDefs", json::array()))
          if (el.value("ordinal", -1) == value.get<int>()) { value = el.value("value", ""); return Status::Ok(); }
      }
      // Atlas matches enum values regardless of case and stores the defined spelling
      // (AtlasEnumType.getNormalizedValue).
      if (value.is_string() && e) {
        const std::string given = value.get<std::string>();
        for (const std::string& v : e->enum_values)
          if (EqualsIgnoreCase(v, given)) {
            value = v;
            return Status::Ok();
          }
      }
      return Mismatch(attr, "a value of enum " + vt.name, value);
    }
    case ValueType::Kind::kStruct: {
      const types::TypeDef* s = reg.Find(vt.name);
      if (!value.is_object() || !s) return Mismatch(attr, "a struct " + vt.name, value);
      json attrs = value.contains("attributes") && value["attributes"].is_object() ? value["attributes"] : value;
      attrs.erase("typeName");
      // Atlas keeps only the attributes the struct type defines (AtlasStructType.normalizeAttributeValues).
      for (auto it = attrs.begin(); it != attrs.end();) {
        const types::AttributeDef* ad = s->FindAttribute(it.key());
        if (!ad) {
          it = attrs.erase(it);
          continue;
        }
        RETURN_IF_ERROR(NormalizeValue(reg, ad->value_type, attr + "." + it.key(), it.value()));
        ++it;
      }
      value = json{{"typeName", vt.name}, {"attributes", attrs}};
      return Status::Ok();
    }
    case ValueType::Kind::kEntityRef: {
      if (value.is_object() && (value.contains("guid") || value.contains("uniqueAttributes"))) return Status::Ok();
      if (value.is_string()) { value = json{{"guid", value}}; return Status::Ok(); }
      return Mismatch(attr, "an object id of " + vt.name, value);
    }
    case ValueType::Kind::kArray: {
      if (!value.is_array()) return Mismatch(attr, "an array", value);
      for (json& el : value) RETURN_IF_ERROR(NormalizeValue(reg, *vt.element, attr + "[]", el));
      return Status::Ok();
    }
    case ValueType::Kind::kMap: {
      if (!value.is_object()) return Mismatch(attr, "a map", value);
      for (auto it = value.begin(); it != value.end(); ++it)
        RETURN_IF_ERROR(NormalizeValue(reg, *vt.element, attr + "." + it.key(), it.value()));
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace meridian::catalog::internal
