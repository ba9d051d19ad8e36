// TypeRegistry: the resolved Atlas type system (enum, struct, classification,
// entity, relationship and business-metadata definitions).
//
// A registry is immutable once built; the catalog swaps in a new snapshot
// (shared_ptr<const TypeRegistry>) when typedefs change, so readers never lock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace meridian::types {

enum class Category { kEnum, kStruct, kClassification, kEntity, kRelationship, kBusinessMetadata };

std::string_view CategoryName(Category c);

// The shape of an attribute's value, parsed from its typeName.
struct ValueType {
  enum class Kind { kPrimitive, kEnum, kStruct, kEntityRef, kArray, kMap } kind = Kind::kPrimitive;
  std::string name;              // "string", "date", an enum/struct/entity type name, or the full container name
  std::shared_ptr<ValueType> element;  // array element or map value
  std::shared_ptr<ValueType> key;      // map key
};

struct AttributeDef {
  std::string name;
  std::string type_name;
  ValueType value_type;
  bool is_optional = true;
  bool is_unique = false;
  bool is_indexable = false;
  std::string cardinality = "SINGLE";
  std::string defined_in;  // the type that declares it
  nlohmann::json json;     // the def as Atlas writes it
};

// One end of a relationship as seen from an entity type: the attribute `name`
// on `type` pointing at entities of the other end.
struct RelationshipEnd {
  std::string relationship;   // relationship def name, e.g. "hive_table_columns"
  std::string category;       // ASSOCIATION | AGGREGATION | COMPOSITION
  std::string label;          // edge label, e.g. "__hive_table.columns"
  std::string propagate_tags; // NONE | ONE_TO_TWO | TWO_TO_ONE | BOTH
  int end = 1;                // which end this attribute is on (1 or 2)
  std::string type;           // the entity type that has this attribute
  std::string name;           // attribute name on `type`
  bool is_container = false;  // this side owns/contains the other
  bool multi = false;         // cardinality SET/LIST
  std::string other_type;     // entity type at the far end
  std::string other_name;     // attribute name on the far end
  bool other_multi = false;
};

struct TypeDef {
  Category category = Category::kEntity;
  std::string name;
  std::string guid;
  nlohmann::json json;  // the stored def (with category, guid, timestamps, version)

  // Entity and classification types (transitive; not including self).
  std::vector<std::string> all_super_types;
  std::vector<std::string> all_sub_types;
  // Entity, struct, classification, business metadata: own + inherited attributes.
  std::map<std::string, AttributeDef, std::less<>> attributes;
  // Entity types: relationship attributes by name (several defs may share a name).
  std::map<std::string, std::vector<RelationshipEnd>, std::less<>> relationship_attributes;
  std::vector<std::string> unique_attributes;
  // Enum values.
  std::vector<std::string> enum_values;
  // Relationship defs: both ends.
  std::optional<RelationshipEnd> end1, end2;

  bool IsA(std::string_view type) const;
  const AttributeDef* FindAttribute(std::string_view attr) const;
  // The relationship end for `attr`, preferring `relationship_type` when given.
  const RelationshipEnd* FindRelationshipEnd(std::string_view attr, std::string_view relationship_type = {}) const;
};

class TypeRegistry {
 public:
  // Builds a registry from typedef JSON documents (AtlasTypesDef shape). Later
  // documents may not redefine earlier names. Fails on unresolved references.
  static Result<std::shared_ptr<const TypeRegistry>> Build(const std::vector<nlohmann::json>& defs);

  const TypeDef* Find(std::string_view name) const;
  const TypeDef* FindByGuid(std::string_view guid) const;
  const TypeDef* FindEntity(std::string_view name) const;
  const TypeDef* FindClassification(std::string_view name) const;
  const std::map<std::string, TypeDef, std::less<>>& all() const { return types_; }

  // `type` and all of its sub-types (entity or classification).
  std::vector<std::string> SelfAndSubTypes(std::string_view type) const;

  // The def as returned by the REST API (adds computed subTypes and relationshipAttributeDefs).
  nlohmann::json ToJson(const TypeDef& def) const;

 private:
  Status Resolve();
  std::map<std::string, TypeDef, std::less<>> types_;
  std::map<std::string, std::string, std::less<>> by_guid_;
};

// Whether an attribute of a business-metadata def applies to entities of
// `entity_type`: one of its options.applicableEntityTypes (a JSON list, as a
// string or an array) is the type or one of its super-types.
bool AppliesTo(const AttributeDef& business_attribute, const TypeDef& entity_type);

// Atlas's rules for a business-metadata def: attributes are primitives, enums
// or arrays of those (else ATLAS-400-00-094) and name existing entity types in
// options.applicableEntityTypes (ATLAS-400-00-02B when missing, -00A when unknown).
Status CheckBusinessMetadataDef(const TypeRegistry& reg, const TypeDef& def);

// Parses "array<map<string,int>>" and friends; validates names against `known`.
Result<ValueType> ParseValueType(std::string_view type_name);

// Applies Atlas model patches (the "patches" arrays of models/*/patches/*.json)
// to typedef documents, in order. Patches for types not present are skipped.
void ApplyModelPatches(std::vector<nlohmann::json>& defs, const nlohmann::json& patch_file);

// The typedef documents Meridian ships: Atlas's base, glossary, Hadoop and
// cloud models, with their patches applied.
std::vector<nlohmann::json> BuiltinModelDocs();

}  // namespace meridian::types
