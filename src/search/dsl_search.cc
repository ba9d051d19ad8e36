// GET /search/dsl: the DSL library run over a CatalogView of the catalog and
// the search index.
#include "meridian/search/search_service.h"

#ifdef MERIDIAN_HAVE_DSL
#include "meridian/dsl/catalog_view.h"
#include "meridian/dsl/dsl.h"
#include "meridian/search/filters.h"
#endif

namespace meridian::search {

#ifdef MERIDIAN_HAVE_DSL

namespace {

// Values held by fewer documents than this are looked up by walking their postings.
constexpr size_t kPostingWalk = 256;
// groupby counts come from the index when the attribute has at most this many values.
constexpr size_t kMaxIndexedGroups = 1000;

// ASCII lower-casing, as the index folds value terms.
std::string FoldCase(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

dsl::ValueKind KindOf(const types::TypeRegistry& reg, const types::ValueType& vt) {
  using K = types::ValueType::Kind;
  switch (vt.kind) {
    case K::kEntityRef: return dsl::ValueKind::kReference;
    case K::kEnum: return dsl::ValueKind::kEnum;
    case K::kStruct: return dsl::ValueKind::kStruct;
    case K::kMap: return dsl::ValueKind::kMap;
    case K::kArray: return dsl::ValueKind::kArray;
    case K::kPrimitive: break;
  }
  const std::string& n = vt.name;
  if (n == "string") return dsl::ValueKind::kString;
  if (n == "boolean") return dsl::ValueKind::kBoolean;
  if (n == "date") return dsl::ValueKind::kDate;
  if (n == "byte" || n == "short" || n == "int" || n == "long" || n == "float" || n == "double" ||
      n == "biginteger" || n == "bigdecimal")
    return dsl::ValueKind::kNumber;
  if (const types::TypeDef* t = reg.Find(n)) {
    if (t->category == types::Category::kEnum) return dsl::ValueKind::kEnum;
    if (t->category == types::Category::kEntity) return dsl::ValueKind::kReference;
    if (t->category == types::Category::kStruct) return dsl::ValueKind::kStruct;
  }
  return dsl::ValueKind::kOther;
}

// The catalog (types, type index, unique index, records) and the search index
// as the DSL sees them. Holds one registry snapshot for the whole query.
class CatalogSearchView : public dsl::CatalogView {
 public:
  CatalogSearchView(const catalog::Catalog& catalog, const index::SearchIndex& index)
      : catalog_(catalog), index_(index), reg_(catalog.types()) {}

  bool IsEntityType(std::string_view name) const override { return reg_->FindEntity(name) != nullptr; }
  bool IsClassificationType(std::string_view name) const override {
    return reg_->FindClassification(name) != nullptr;
  }
  std::vector<std::string> EntityTypeNames() const override {
    std::vector<std::string> out;
    for (const auto& [name, def] : reg_->all())
      if (def.category == types::Category::kEntity) out.push_back(name);
    return out;
  }
  std::vector<std::string> SelfAndSubTypes(std::string_view type) const override {
    if (!reg_->Find(type)) return {};
    return reg_->SelfAndSubTypes(type);
  }

  std::optional<dsl::AttributeInfo> FindAttribute(std::string_view type, std::string_view attr) const override {
    const types::TypeDef* t = reg_->Find(type);
    if (!t) return std::nullopt;
    dsl::AttributeInfo info;
    info.name = std::string(attr);
    auto rel = t->relationship_attributes.find(attr);
    if (const types::AttributeDef* ad = t->FindAttribute(attr)) {
      info.type_name = ad->type_name;
      const types::ValueType& vt = ad->value_type;
      info.kind = KindOf(*reg_, vt);
      if (vt.kind == types::ValueType::Kind::kArray && vt.element) {
        info.is_multi = true;
        if (KindOf(*reg_, *vt.element) == dsl::ValueKind::kReference) {
          info.kind = dsl::ValueKind::kReference;
          info.referenced_type = vt.element->name;
        }
      } else if (info.kind == dsl::ValueKind::kReference) {
        info.referenced_type = vt.name;
      }
      info.is_relationship = rel != t->relationship_attributes.end();
      info.default_value = catalog::UnsetAttributeValue(*ad);
      return info;
    }
    if (rel == t->relationship_attributes.end() || rel->second.empty()) return std::nullopt;
    const types::RelationshipEnd& end = rel->second.front();
    info.kind = dsl::ValueKind::kReference;
    info.is_relationship = true;
    info.is_multi = end.multi;
    info.referenced_type = end.other_type;
    info.type_name = end.multi ? "array<" + end.other_type + ">" : end.other_type;
    return info;
  }

  void ScanType(std::string_view type, const std::function<bool(const std::string& guid)>& fn) const override {
    catalog_.ScanTypeGuids(type, [&](std::string_view guid) { return fn(std::string(guid)); }).PermitUnchecked();
  }

  std::optional<std::vector<std::string>> LookupEquals(std::string_view type, std::string_view attr,
                                                       const nlohmann::json& value) const override {
    if (!value.is_string()) return std::nullopt;
    const types::TypeDef* t = reg_->FindEntity(type);
    const types::AttributeDef* ad = t ? t->FindAttribute(attr) : nullptr;
    if (!ad || ad->type_name != "string") return std::nullopt;
    const std::string v = value.get<std::string>();
    std::vector<std::string> out;
    if (ad->is_unique) {
      // The unique index holds ACTIVE entities; deleted ones come from the text index.
      auto guid = catalog_.FindByUniqueAttribute(std::string(type), std::string(attr), v);
      if (guid.ok()) {
        out.push_back(*guid);
        return out;
      }
    }
    if (v.empty()) return std::nullopt;
    // A rare value: its posting list alone (any type; the DSL re-checks type and value).
    index::Query value_term = index::Query::AttributeEquals(attr, v);
    auto guids = index_.GuidsWithTerm(value_term.term, kPostingWalk);
    if (!guids.ok()) return std::nullopt;
    if (guids->size() < kPostingWalk) return std::move(*guids);
    // A frequent one: intersect with the type in the index.
    Status s = index_.ForEach(index::Query::And({index::Query::Type(type, false), value_term}),
                              index::SortKey::kDocument, false, [&](const std::string& g) {
                                out.push_back(g);
                                return true;
                              });
    if (!s.ok()) return std::nullopt;
    return out;
  }

  // Reverse edges: the entities whose `attr` points at `target` are the far ends of the
  // target's edges on the inverse attribute, filtered to exactly `type`.
  std::optional<std::vector<std::string>> Referrers(std::string_view type, std::string_view attr,
                                                    const std::string& target) const override {
    const types::TypeDef* t = reg_->FindEntity(type);
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(attr) : nullptr;
    if (!end) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& rel_end : t->relationship_attributes.at(std::string(attr)))
      for (const auto& edge : catalog_.Edges(target, rel_end.other_name))
        if (edge.type == rel_end.relationship &&
            catalog_.IsEntityOfType(edge.other, type))
          out.push_back(edge.other);
    return out;
  }

  // Counts from the index: the term frequency of the exact-type term, less the entities
  // also holding the DELETED status term (few, so their intersection is quick).
  std::optional<uint64_t> CountType(std::string_view type, bool active_only) const override {
    auto all = index_.TermFrequency(index::Query::Type(type, false).term);
    if (!all.ok()) return std::nullopt;
    return Active(*all, {index::Query::Type(type, false)}, active_only);
  }

  // From the index's lower-cased value terms: values differing from `prefix` in case only
  // are counted too.
  std::optional<uint64_t> CountAttributePrefix(std::string_view type, std::string_view attr, std::string_view prefix,
                                               bool active_only) const override {
    if (!IsStringAttribute(type, attr) || prefix.empty() || prefix.size() > 200) return std::nullopt;
    std::vector<index::Query> terms = {index::Query::Type(type, false), index::Query::AttributePrefix(attr, prefix)};
    auto all = index_.Count(index::Query::And(terms));
    if (!all.ok()) return std::nullopt;
    return Active(*all, std::move(terms), active_only);
  }

  // One count per distinct value term of `attr` (at most kMaxIndexedGroups); each value is
  // shown as stored in one entity holding it (the terms are lower-cased).
  std::optional<std::vector<std::pair<std::string, uint64_t>>> CountByValue(std::string_view type,
                                                                           std::string_view attr,
                                                                           bool active_only) const override {
    if (!IsStringAttribute(type, attr)) return std::nullopt;
    const std::string prefix = index::Query::AttributeEquals(attr, "").term;
    auto terms = index_.TermsWithPrefix(prefix, kMaxIndexedGroups + 1);
    if (!terms.ok() || terms->size() > kMaxIndexedGroups) return std::nullopt;
    std::vector<std::pair<std::string, uint64_t>> out;
    const bool sole = SoleHolder(type, attr);
    for (const auto& [term, guid] : *terms) {
      // When no other type holds the attribute, the term's frequency is the count.
      std::vector<index::Query> parts = {index::Query::Term(term)};
      if (!sole) parts.push_back(index::Query::Type(type, false));
      auto all = sole ? index_.TermFrequency(term) : index_.Count(index::Query::And(parts));
      if (!all.ok()) return std::nullopt;
      auto n = Active(*all, std::move(parts), active_only);
      if (!n) return std::nullopt;
      if (*n == 0) continue;
      auto rec = catalog_.LoadRecord(guid);
      if (!rec.ok()) return std::nullopt;
      const json value = (*rec)["attributes"].value(std::string(attr), json());
      // A truncated term, or an index behind the store: count by reading the entities.
      if (!value.is_string() || FoldCase(value.get<std::string>()) != term.substr(prefix.size())) return std::nullopt;
      out.emplace_back(value.get<std::string>(), *n);
    }
    return out;
  }

  std::optional<nlohmann::json> LoadEntityShallow(const std::string& guid) const override {
    auto rec = catalog_.LoadRecord(guid);
    if (!rec.ok()) return std::nullopt;
    catalog::ReadOptions opts;
    opts.ignore_relationships = true;
    return catalog_.RenderEntity(*rec, opts);
  }

  // The entity with relationship attributes as bare object ids: the DSL only follows
  // their guids (loading the neighbour itself), so neighbours are not read here.
  std::optional<nlohmann::json> LoadEntity(const std::string& guid) const override {
    auto rec = catalog_.LoadRecord(guid);
    if (!rec.ok()) return std::nullopt;
    catalog::ReadOptions opts;
    opts.reference_ids_only = true;
    return catalog_.RenderEntity(*rec, opts);
  }

 private:
  // No entity of another type than `type` can hold `attr`: every other entity type that
  // declares it (sub-types included) has no document in the index.
  bool SoleHolder(std::string_view type, std::string_view attr) const {
    for (const auto& [name, def] : reg_->all()) {
      if (def.category != types::Category::kEntity || name == type || !def.FindAttribute(attr)) continue;
      auto n = index_.TermFrequency(index::Query::Type(name, false).term);
      if (!n.ok() || *n > 0) return false;
    }
    return true;
  }

  bool IsStringAttribute(std::string_view type, std::string_view attr) const {
    const types::TypeDef* t = reg_->FindEntity(type);
    const types::AttributeDef* ad = t ? t->FindAttribute(attr) : nullptr;
    return ad && ad->type_name == "string";
  }

  // `all` (the matches of `terms`) less those whose status is DELETED, when active_only.
  std::optional<uint64_t> Active(uint64_t all, std::vector<index::Query> terms, bool active_only) const {
    if (!active_only || all == 0) return all;
    terms.push_back(index::Query::Status("DELETED"));
    auto deleted = index_.Count(index::Query::And(std::move(terms)));
    if (!deleted.ok() || *deleted > all) return std::nullopt;
    return all - *deleted;
  }

  const catalog::Catalog& catalog_;
  const index::SearchIndex& index_;
  std::shared_ptr<const types::TypeRegistry> reg_;
};

}  // namespace

Result<json> SearchService::Dsl(const DslSearch& r) const {
  dsl::QueryOptions opts;
  opts.type_name = r.type_name;
  opts.classification = r.classification;
  opts.limit = r.limit;
  opts.offset = r.offset;
  opts.default_limit = options_.default_limit;
  opts.max_limit = options_.max_limit;
  opts.deadline = r.deadline;
  RETURN_IF_ERROR(WaitForIndex(r.deadline));
  CatalogSearchView view(*catalog_, *index_);
  ASSIGN_OR_RETURN(dsl::QueryResult qr, dsl::ExecuteQuery(view, r.query, opts));
  if (qr.is_select) {
    json out = {{"approximateCount", -1}};
    if (qr.matched_entities > 0 || !qr.rows.empty()) {
      json values = json::array();
      for (const auto& row : qr.rows) values.push_back(json(row));
      out["attributes"] = {{"name", qr.column_names}, {"values", values}};
    }
    return out;
  }
  json out = {{"queryType", "DSL"}, {"queryText", r.query}, {"approximateCount", -1}};
  json entities = json::array();
  for (const auto& g : qr.entity_guids) {
    auto rec = catalog_->LoadRecord(g);
    if (rec.ok()) entities.push_back(catalog_->Header(*rec, true));
  }
  if (!entities.empty()) out["entities"] = std::move(entities);
  return out;
}

#else

Result<json> SearchService::Dsl(const DslSearch&) const {
  return Status::Unavailable("DSL search is not available in this build");
}

#endif

}  // namespace meridian::search
