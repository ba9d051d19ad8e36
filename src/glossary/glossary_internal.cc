#include "glossary_internal.h"
#include "meridian/atlas_error_codes.h"

#include <algorithm>

namespace meridian::glossary {

using catalog::Catalog;

const std::vector<std::string> kTermRelations = {
    "seeAlso",          "synonyms",    "antonyms",         "preferredTerms",  "preferredToTerms",
    "replacementTerms", "replacedBy",  "translationTerms", "translatedTerms", "isA",
    "classifies",       "validValues", "validValuesFor"};

Result<json> LoadActive(const Catalog& c, const std::string& guid, std::string_view type) {
  auto rec = c.LoadRecord(guid);
  if (!rec.ok() || rec->value("typeName", "") != type || rec->value("status", "") != "ACTIVE")
    return Status::NotFound("Given instance guid " + guid + " is invalid/not found", atlas_code::kInstanceGuidNotFound);
  return rec;
}

std::vector<std::string> GlossaryGuids(const Catalog& c) {
  std::vector<std::string> out;
  c.ScanTypeGuids(kGlossaryType, [&](std::string_view guid) {
    out.emplace_back(guid);
    return true;
  }).PermitUnchecked();
  return out;
}

std::string GlossaryGuidByName(const Catalog& c, const std::string& name) {
  for (const auto& guid : GlossaryGuids(c)) {
    auto rec = c.LoadRecord(guid);
    if (rec.ok() && rec->value("status", "") == "ACTIVE" && StringAttr(*rec, "name") == name) return guid;
  }
  return {};
}

std::vector<Catalog::Edge> ActiveEdges(const Catalog& c, const std::string& guid, std::string_view attr) {
  std::vector<Catalog::Edge> out;
  for (auto& e : c.Edges(guid, attr))
    if (e.active && e.attribute == attr) out.push_back(std::move(e));
  return out;
}

std::string ActiveNeighbour(const Catalog& c, const std::string& guid, std::string_view attr) {
  auto edges = ActiveEdges(c, guid, attr);
  return edges.empty() ? std::string() : edges.front().other;
}

std::string StringAttr(const json& record, const std::string& name) {
  auto attrs = record.find("attributes");
  if (attrs == record.end() || !attrs->is_object()) return {};
  auto it = attrs->find(name);
  return it != attrs->end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::string> ValidName(const json& body, const std::string& missing_code, const std::string& what) {
  auto it = body.find("name");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    return Status::InvalidArgument(what + " name is missing: attributes qualifiedName and name are required",
                                   missing_code);
  std::string name = *it;
  if (name.find_first_of("@.") != std::string::npos)
    return Status::InvalidArgument("Name cannot contain following special chars ('@', '.'): " + name,
                                   atlas_code::kInvalidDisplayName);
  return name;
}

std::string GuidField(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status RequireObject(const json& body, const std::string& what) {
  if (!body.is_object()) return Status::InvalidArgument(what + " must be a JSON object", atlas_code::kInvalidParameters);
  return Status::Ok();
}

void CopyAttributes(const json& body, const std::vector<std::string>& names, bool clear_absent, json* attributes) {
  for (const auto& n : names) {
    auto it = body.find(n);
    if (it != body.end() && !it->is_null())
      (*attributes)[n] = *it;
    else if (clear_absent)
      (*attributes)[n] = nullptr;
  }
}

Status CheckPartial(const json& attributes, const std::vector<std::string>& allowed, const std::string& what) {
  if (!attributes.is_object() || attributes.empty())
    return Status::InvalidArgument("partial update of " + what + " needs a non-empty {\"attribute\": value} object",
                                   atlas_code::kInvalidParameters);
  for (auto it = attributes.begin(); it != attributes.end(); ++it)
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      return Status::InvalidArgument("Invalid attribute " + it.key() + " for partial update of " + what,
                                     atlas_code::kInvalidPartialUpdateAttr);
  return Status::Ok();
}

Result<json> CheckRelationshipAttributes(const types::TypeRegistry& reg, const std::string& relationship_type,
                                         const json& source) {
  json out = json::object();
  const types::TypeDef* def = reg.Find(relationship_type);
  if (!def || !source.is_object()) return out;
  for (const auto& [name, ad] : def->attributes) {
    auto it = source.find(name);
    if (it == source.end() || it->is_null()) continue;
    bool ok = true;
    const types::ValueType& vt = ad.value_type;
    if (vt.kind == types::ValueType::Kind::kEnum) {
      const types::TypeDef* e = reg.Find(vt.name);
      ok = it->is_string() && e &&
           std::find(e->enum_values.begin(), e->enum_values.end(), it->get<std::string>()) != e->enum_values.end();
    } else if (vt.name == "string") {
      ok = it->is_string();
    } else if (vt.name == "int" || vt.name == "long" || vt.name == "short") {
      ok = it->is_number_integer();
    }
    if (!ok)
      return Status::InvalidArgument("invalid value " + it->dump() + " for " + relationship_type + "." + name,
                                     atlas_code::kInvalidParameters);
    out[name] = *it;
  }
  return out;
}

Result<json> RelationAttributes(const types::TypeRegistry& reg, const types::TypeDef& type, const json& body,
                                const std::string& key, const char* guid_key) {
  json out = json::object();
  const types::RelationshipEnd* end = type.FindRelationshipEnd(key);
  auto list = body.find(key);
  if (!end || list == body.end() || !list->is_array()) return out;
  for (const json& h : *list) {
    ASSIGN_OR_RETURN(json attrs, CheckRelationshipAttributes(reg, end->relationship, h));
    std::string other = GuidField(h, guid_key);
    if (!attrs.empty() && !other.empty()) out[other] = attrs;
  }
  return out;
}

Status ApplyRelationAttributes(Catalog& c, const std::string& guid, const json& pending, const std::string& user) {
  for (auto rel = pending.begin(); rel != pending.end(); ++rel)
    for (const auto& e : ActiveEdges(c, guid, rel.key())) {
      auto attrs = rel->find(e.other);
      if (attrs == rel->end()) continue;
      json current = RelationshipAttributes(c, e.relationship);
      bool same = true;
      for (auto a = attrs->begin(); a != attrs->end() && same; ++a) same = current.value(a.key(), json()) == *a;
      if (same) continue;
      RETURN_IF_ERROR(c.UpdateRelationship({{"guid", e.relationship}, {"attributes", *attrs}}, user).status());
    }
  return Status::Ok();
}

json RelationshipAttributes(const Catalog& c, const std::string& rel_guid) {
  auto rel = c.LoadRelationshipRecord(rel_guid);
  if (!rel.ok()) return json::object();
  json attrs = rel->value("attributes", json::object());
  return attrs.is_object() ? attrs : json::object();
}

json Paged(std::vector<json> items, const Page& page, const std::function<std::string(const json&)>& key) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const json& a, const json& b) { return page.ascending ? key(a) < key(b) : key(b) < key(a); });
  json out = json::array();
  size_t start = static_cast<size_t>(std::max(0, page.offset));
  for (size_t i = start; i < items.size(); ++i) {
    if (page.limit > 0 && out.size() >= static_cast<size_t>(page.limit)) break;
    out.push_back(std::move(items[i]));
  }
  return out;
}

namespace {

// Atlas omits null fields: only present, non-null attributes are rendered.
void PutAttributes(const json& record, const std::vector<std::string>& names, json* out) {
  const json& attrs = record["attributes"];
  for (const auto& n : names) {
    auto it = attrs.find(n);
    if (it != attrs.end() && !it->is_null()) (*out)[n] = *it;
  }
}

json Base(const Catalog& c, const json& record, const std::vector<std::string>& names) {
  json out = {{"guid", record.value("guid", "")}};
  PutAttributes(record, names, &out);
  json classes = c.Classifications(record);
  if (!classes.empty()) out["classifications"] = classes;
  return out;
}

std::string NameOfGuid(const Catalog& c, const std::string& guid) {
  auto rec = c.LoadRecord(guid);
  return rec.ok() ? StringAttr(*rec, "name") : std::string();
}

json AnchorOf(const Catalog& c, const std::string& guid) {
  auto edges = ActiveEdges(c, guid, "anchor");
  if (edges.empty()) return nullptr;
  return json{{"glossaryGuid", edges.front().other},
              {"relationGuid", edges.front().relationship},
              {"displayText", NameOfGuid(c, edges.front().other)}};
}

}  // namespace

json TermHeader(const Catalog& c, const Catalog::Edge& edge, bool with_attributes) {
  auto rec = c.LoadRecord(edge.other);
  json h = {{"termGuid", edge.other},
            {"relationGuid", edge.relationship},
            {"displayText", rec.ok() ? StringAttr(*rec, "name") : std::string()}};
  if (rec.ok()) h["qualifiedName"] = StringAttr(*rec, "qualifiedName");
  if (with_attributes) {
    json attrs = RelationshipAttributes(c, edge.relationship);
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
      if (!it->is_null()) h[it.key()] = *it;
  }
  return h;
}

json CategoryHeader(const Catalog& c, const Catalog::Edge& edge) {
  json h = {
      {"categoryGuid", edge.other}, {"relationGuid", edge.relationship}, {"displayText", NameOfGuid(c, edge.other)}};
  std::string parent = ActiveNeighbour(c, edge.other, "parentCategory");
  if (!parent.empty()) h["parentCategoryGuid"] = parent;
  return h;
}

json AssignedEntity(const Catalog& c, const Catalog::Edge& edge) {
  json ref = {{"guid", edge.other},
              {"relationshipType", edge.type},
              {"relationshipGuid", edge.relationship},
              {"relationshipStatus", "ACTIVE"},
              {"relationshipAttributes",
               {{"typeName", edge.type}, {"attributes", RelationshipAttributes(c, edge.relationship)}}}};
  auto rec = c.LoadRecord(edge.other);
  if (rec.ok()) {
    json header = c.Header(*rec);
    ref["typeName"] = header["typeName"];
    ref["entityStatus"] = header["status"];
    ref["displayText"] = header["displayText"];
    std::string qn = StringAttr(*rec, "qualifiedName");
    if (!qn.empty()) ref["uniqueAttributes"] = {{"qualifiedName", qn}};
  }
  return ref;
}

json RenderGlossary(const Catalog& c, const json& record) {
  json g = Base(
      c, record,
      {"qualifiedName", "name", "shortDescription", "longDescription", "language", "usage", "additionalAttributes"});
  const std::string guid = g["guid"];
  json terms = json::array(), categories = json::array();
  for (const auto& e : ActiveEdges(c, guid, "terms")) terms.push_back(TermHeader(c, e, false));
  for (const auto& e : ActiveEdges(c, guid, "categories")) categories.push_back(CategoryHeader(c, e));
  if (!terms.empty()) g["terms"] = terms;
  if (!categories.empty()) g["categories"] = categories;
  return g;
}

json RenderTerm(const Catalog& c, const json& record) {
  json t = Base(c, record,
                {"qualifiedName", "name", "shortDescription", "longDescription", "examples", "abbreviation", "usage",
                 "additionalAttributes"});
  const std::string guid = t["guid"];
  json anchor = AnchorOf(c, guid);
  if (!anchor.is_null()) t["anchor"] = anchor;
  json assigned = json::array();
  for (const auto& e : ActiveEdges(c, guid, "assignedEntities")) assigned.push_back(AssignedEntity(c, e));
  if (!assigned.empty()) t["assignedEntities"] = assigned;
  json categories = json::array();
  for (const auto& e : ActiveEdges(c, guid, "categories")) {
    json h = {{"categoryGuid", e.other}, {"relationGuid", e.relationship}, {"displayText", NameOfGuid(c, e.other)}};
    json attrs = RelationshipAttributes(c, e.relationship);
    for (const char* a : {"description", "status"})
      if (attrs.contains(a) && !attrs[a].is_null()) h[a] = attrs[a];
    categories.push_back(std::move(h));
  }
  if (!categories.empty()) t["categories"] = categories;
  for (const auto& rel : kTermRelations) {
    json list = json::array();
    for (const auto& e : ActiveEdges(c, guid, rel)) list.push_back(TermHeader(c, e, true));
    if (!list.empty()) t[rel] = list;
  }
  return t;
}

json RenderCategory(const Catalog& c, const json& record) {
  json cat = Base(c, record, {"qualifiedName", "name", "shortDescription", "longDescription", "additionalAttributes"});
  const std::string guid = cat["guid"];
  json anchor = AnchorOf(c, guid);
  if (!anchor.is_null()) cat["anchor"] = anchor;
  auto parent = ActiveEdges(c, guid, "parentCategory");
  if (!parent.empty()) cat["parentCategory"] = CategoryHeader(c, parent.front());
  json children = json::array(), terms = json::array();
  for (const auto& e : ActiveEdges(c, guid, "childrenCategories")) children.push_back(CategoryHeader(c, e));
  for (const auto& e : ActiveEdges(c, guid, "terms")) terms.push_back(TermHeader(c, e, true));
  if (!children.empty()) cat["childrenCategories"] = children;
  if (!terms.empty()) cat["terms"] = terms;
  return cat;
}

}  // namespace meridian::glossary
