// MemoryCatalog: an in-memory CatalogView for the DSL tests and fuzzer.
//
// Holds type definitions (with super-types and attributes) and entities in Atlas JSON
// form. LookupEquals answers for the attributes passed to IndexAttribute like a full-text
// index: `name` lookups are case-insensitive and every lookup answers entities of any type
// holding the value, so the executor's re-check (value, exact type, one visit per entity) is
// exercised.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "meridian/dsl/catalog_view.h"

namespace meridian::dsl::testing {

struct TypeDef {
  std::string name;
  bool is_classification = false;
  std::vector<std::string> super_types;
  std::vector<AttributeInfo> attributes;
};

class MemoryCatalog : public CatalogView {
 public:
  void AddType(TypeDef def);
  // `entity` needs typeName and guid; status defaults to ACTIVE.
  void AddEntity(nlohmann::json entity);
  // Points relationship attribute `attr` of `from` at `to` (appends when multi-valued).
  void Link(const std::string& from, const std::string& attr, const std::string& to);
  // Marks the relationship `from`.`attr` -> `to` ACTIVE or DELETED.
  void SetRelationshipStatus(const std::string& from, const std::string& attr, const std::string& to,
                             const std::string& status);
  void AddClassification(const std::string& guid, nlohmann::json classification);
  void IndexAttribute(const std::string& attr) { indexed_.insert(attr); }

  size_t scan_count() const { return scans_; }
  size_t lookup_count() const { return lookups_; }
  size_t load_count() const { return loads_; }

  bool IsEntityType(std::string_view name) const override;
  bool IsClassificationType(std::string_view name) const override;
  std::vector<std::string> EntityTypeNames() const override;
  std::vector<std::string> SelfAndSubTypes(std::string_view type) const override;
  std::optional<AttributeInfo> FindAttribute(std::string_view type,
                                             std::string_view attr) const override;
  void ScanType(std::string_view type,
                const std::function<bool(const std::string& guid)>& fn) const override;
  std::optional<std::vector<std::string>> LookupEquals(std::string_view type, std::string_view attr,
                                                       const nlohmann::json& value) const override;
  // Reverse edge lookup answered from the stored relationship attributes (a real store
  // reads its inverse edges instead).
  std::optional<std::vector<std::string>> Referrers(std::string_view type, std::string_view attr,
                                                    const std::string& target) const override;
  // Counters kept in memory, as a store keeps them with its writes: exact, case-sensitive.
  // Values are listed in the order entities were added.
  std::optional<uint64_t> CountType(std::string_view type, bool active_only) const override;
  std::optional<uint64_t> CountAttributePrefix(std::string_view type, std::string_view attr,
                                               std::string_view prefix,
                                               bool active_only) const override;
  std::optional<std::vector<std::pair<std::string, uint64_t>>> CountByValue(
      std::string_view type, std::string_view attr, bool active_only) const override;
  std::optional<nlohmann::json> LoadEntity(const std::string& guid) const override;
  // Really drops relationshipAttributes, so that every case checks the planner's choice.
  std::optional<nlohmann::json> LoadEntityShallow(const std::string& guid) const override;

 private:
  const TypeDef* FindType(std::string_view name) const;
  bool IsSubTypeOf(const TypeDef& type, std::string_view ancestor, int depth = 0) const;

  std::vector<TypeDef> types_;  // in definition order
  std::map<std::string, nlohmann::json, std::less<>> entities_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_type_;
  std::set<std::string, std::less<>> indexed_;
  mutable std::atomic<size_t> scans_{0};
  mutable std::atomic<size_t> lookups_{0};
  mutable std::atomic<size_t> loads_{0};
};

// Attribute helpers for building type definitions.
AttributeInfo Attr(const std::string& name, const std::string& type_name);
AttributeInfo EnumAttr(const std::string& name, const std::string& enum_type);
AttributeInfo RefAttr(const std::string& name, const std::string& target, bool multi);

// The Atlas tutorial data set (hive_db atlas_emr, tables trip_details, trip_zone_lookup,
// trip_details_by_zone, their columns, a CTAS hive_process, classifications, labels,
// glossary terms, a DELETED column and a shell database). See tutorial_catalog.cc.
std::unique_ptr<MemoryCatalog> BuildTutorialCatalog();

// A taxi fleet (depots, vehicles, vans, drivers, glossary terms) with unset primitives, names
// shared across types and term assignments. See fleet_catalog.cc.
std::unique_ptr<MemoryCatalog> BuildFleetCatalog();

}  // namespace meridian::dsl::testing
