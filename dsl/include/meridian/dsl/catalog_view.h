// CatalogView: the read-only window on types and entities that the DSL runs against.
//
// The DSL library knows nothing about storage or HTTP; the server implements this
// interface over its type registry and entity store. All methods are const and must be
// safe to call concurrently from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meridian::dsl {

enum class ValueKind : uint8_t {
  kString,
  kNumber,  // byte, short, int, long, float, double, biginteger, bigdecimal
  kBoolean,
  kDate,       // epoch milliseconds
  kEnum,       // compared as its symbol text
  kReference,  // an entity (single or, with is_multi, array/set of entities)
  kArray,      // array/set of primitives; element type in type_name ("array<string>")
  kMap,
  kStruct,
  kOther,
};

struct AttributeInfo {
  std::string name;
  std::string
      type_name;  // Atlas type name as declared: "string", "date", "array<string>", "hive_db"
  ValueKind kind = ValueKind::kOther;
  // True when the value lives in entity["relationshipAttributes"] (it is also looked up in
  // entity["attributes"], so legacy reference attributes work either way).
  bool is_relationship = false;
  bool is_multi = false;        // array or set (of references or primitives)
  std::string referenced_type;  // kReference: the entity type pointed at
  // What an entity that leaves this attribute unset holds (Atlas stores it on write): the
  // attribute's defaultValue, else its primitive type's default (0, 0.0, false, epoch 0 for
  // dates; "" for a required string). Null: the attribute stays absent (optional strings,
  // non-primitive attributes).
  nlohmann::json default_value;
};

class CatalogView {
 public:
  virtual ~CatalogView() = default;

  virtual bool IsEntityType(std::string_view name) const = 0;
  virtual bool IsClassificationType(std::string_view name) const = 0;
  // Every entity type name (abstract ones included); used for classification sources.
  virtual std::vector<std::string> EntityTypeNames() const = 0;
  // `type` itself followed by all its direct and indirect sub-types (entity or
  // classification type). Empty when the type is unknown.
  virtual std::vector<std::string> SelfAndSubTypes(std::string_view type) const = 0;
  // Own, inherited and relationship attributes of an entity type, or the (inherited)
  // attributes of a classification type. nullopt when the type or attribute is unknown.
  virtual std::optional<AttributeInfo> FindAttribute(std::string_view type,
                                                     std::string_view attr) const = 0;
  // Streams the guids of entities whose type is exactly `type`, whatever their status.
  // `fn` returns false to stop the scan early.
  virtual void ScanType(std::string_view type,
                        const std::function<bool(const std::string& guid)>& fn) const = 0;
  // Guids of entities of exactly `type` whose attribute `attr` may equal `value`, when an
  // index can answer (e.g. the unique qualifiedName index); nullopt when it cannot. The
  // answer may be a superset (e.g. from a full-text index): every guid is re-checked.
  // `value` is already converted to the attribute's kind (dates as epoch ms).
  virtual std::optional<std::vector<std::string>> LookupEquals(
      std::string_view type, std::string_view attr, const nlohmann::json& value) const = 0;
  // Guids of entities of exactly `type` whose reference attribute `attr` points at
  // `target` (a reverse edge lookup), when the store can answer; nullopt when it
  // cannot. Supersets are fine: every guid is re-checked.
  virtual std::optional<std::vector<std::string>> Referrers(std::string_view type,
                                                            std::string_view attr,
                                                            const std::string& target) const {
    (void)type, (void)attr, (void)target;
    return std::nullopt;
  }
  // ---- Counts a view answers without reading the entities (an index's term frequencies,
  // counters kept with the writes); nullopt when it cannot, and the DSL reads entities. ----
  // Entities of exactly `type`; with `active_only`, only those whose status is not DELETED.
  virtual std::optional<uint64_t> CountType(std::string_view type, bool active_only) const {
    (void)type, (void)active_only;
    return std::nullopt;
  }
  // Entities of exactly `type` whose string attribute `attr` starts with `prefix` (a `like
  // "prefix*"`). A view whose index folds case may count values that differ from `prefix`
  // in case only; it must say so in its own documentation.
  virtual std::optional<uint64_t> CountAttributePrefix(std::string_view type, std::string_view attr,
                                                       std::string_view prefix,
                                                       bool active_only) const {
    (void)type, (void)attr, (void)prefix, (void)active_only;
    return std::nullopt;
  }
  // Entities of exactly `type` per value of its string attribute `attr`, as (value, count);
  // entities without a value are not listed.
  virtual std::optional<std::vector<std::pair<std::string, uint64_t>>> CountByValue(
      std::string_view type, std::string_view attr, bool active_only) const {
    (void)type, (void)attr, (void)active_only;
    return std::nullopt;
  }

  // The entity in Atlas JSON form (the "entity" object of GET /v2/entity/guid/{guid}):
  // typeName, guid, status, createdBy, updatedBy, createTime, updateTime, version,
  // attributes{...}, relationshipAttributes{name: {guid,typeName,displayText,qualifiedName}
  // or [...]}, classifications[{typeName, entityGuid, attributes}] (propagated ones
  // included, recognisable by entityGuid), labels[], customAttributes{}, isIncomplete,
  // meanings[{termGuid, displayText, qualifiedName}]. nullopt when there is no such entity.
  virtual std::optional<nlohmann::json> LoadEntity(const std::string& guid) const = 0;
  // LoadEntity for a query that reads no relationship attribute: a view may leave
  // relationshipAttributes out (and skip reading the entity's edges).
  virtual std::optional<nlohmann::json> LoadEntityShallow(const std::string& guid) const {
    return LoadEntity(guid);
  }
};

}  // namespace meridian::dsl
