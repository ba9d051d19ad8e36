#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <limits>
#include <optional>

#include "catalog_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog::internal {

namespace {

using types::ValueType;

Status Mismatch(const std::string& attr, const std::string& expected, const json& value) {
  std::string shown = value.dump();
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return Status::InvalidArgument("invalid value for attribute " + attr + ": expected " + expected + ", got " + shown,
                                 atlas_code::kInvalidParameters);
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

// The range of an integer attribute type; nullopt for biginteger (unbounded).
struct IntRange {
  int64_t lo, hi;
};
std::optional<IntRange> IntegerRange(const std::string& t) {
  if (t == "byte") return IntRange{-128, 127};
  if (t == "short") return IntRange{-32768, 32767};
  if (t == "int") return IntRange{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  if (t == "long" || t == "date") return IntRange{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  return std::nullopt;
}

// An integer of type `t` from a JSON number, or nullopt when it is not a whole
// number or falls outside the type's range (never a silent wrap-around).
std::optional<json> WholeNumber(const std::string& t, const json& value) {
  const auto range = IntegerRange(t);
  if (value.is_number_unsigned()) {
    if (range && value.get<uint64_t>() > static_cast<uint64_t>(range->hi)) return std::nullopt;
    return value;
  }
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    if (range && (v < range->lo || v > range->hi)) return std::nullopt;
    return value;
  }
  const double d = value.get<double>();
  if (!std::isfinite(d) || std::floor(d) != d) return std::nullopt;
  // Whole doubles in [-2^63, 2^63) convert exactly; biginteger is stored as a long too.
  const IntRange r = range.value_or(IntRange{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()});
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return std::nullopt;
  const auto v = static_cast<int64_t>(d);
  if (v < r.lo || v > r.hi) return std::nullopt;
  return json(v);
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Status GuidNotFound(const std::string& guid) {
  return Status::NotFound("Given instance guid " + guid + " is invalid/not found", atlas_code::kInstanceGuidNotFound);
}

Status CheckLabel(const std::string& label) {
  if (label.size() > kMaxLabelLength)
    return Status::InvalidArgument("Invalid label: " + json(label).dump(-1, ' ', false, json::error_handler_t::replace) +
                                       ", label size should not be greater than " + std::to_string(kMaxLabelLength),
                                   atlas_code::kInvalidLabelLength);
  for (char c : label)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return Status::InvalidArgument("Invalid label: " + json(label).dump(-1, ' ', false, json::error_handler_t::replace) +
                                         ", label should contain alphanumeric characters, '_' or '-'",
                                     atlas_code::kInvalidLabelCharacters);
  return Status::Ok();
}

Status CheckClientGuid(const std::string& guid) {
  bool ok = !guid.empty() && guid.size() <= kMaxClientGuidLength;
  for (char c : guid)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.:@~").find(c) != std::string_view::npos);
  if (ok) return Status::Ok();
  std::string shown = json(guid).dump(-1, ' ', false, json::error_handler_t::replace);
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return Status::InvalidArgument("ObjectId is not valid " + shown + ": a guid has 1 to " +
                                     std::to_string(kMaxClientGuidLength) + " letters, digits or -_.:@~",
                                 atlas_code::kInvalidObjectId);
}

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
        if (value.is_number()) {
          // Fractions of a millisecond are dropped; out-of-range values are refused.
          json whole = value.is_number_float() && std::isfinite(value.get<double>())
                           ? json(std::trunc(value.get<double>()))
                           : value;
          if (auto v = WholeNumber(t, whole)) { value = std::move(*v); return Status::Ok(); }
          return Mismatch(attr, "a date within the range of epoch milliseconds", value);
        }
        if (value.is_string()) {
          auto ms = ParseIsoDate(value.get<std::string>());
          if (ms) { value = *ms; return Status::Ok(); }
        }
        return Mismatch(attr, "a date (epoch milliseconds or yyyy-MM-ddTHH:mm:ss.SSSZ)", value);
      }
      if (t == "byte" || t == "short" || t == "int" || t == "long" || t == "biginteger") {
        if (value.is_string()) {
          try {
            size_t used = 0;
            long long v = std::stoll(value.get<std::string>(), &used);
            if (used == value.get<std::string>().size()) value = v;
          } catch (...) {
          }
        }
        if (value.is_number())
          if (auto v = WholeNumber(t, value)) { value = std::move(*v); return Status::Ok(); }
        return Mismatch(attr, "an integer within the range of " + t, value);
      }
      if (t == "float" || t == "double" || t == "bigdecimal") {
        if (value.is_number_float() &&
            (!std::isfinite(value.get<double>()) ||
             (t == "float" && std::fabs(value.get<double>()) > std::numeric_limits<float>::max())))
          return Mismatch(attr, "a number within the range of " + t, value);
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
