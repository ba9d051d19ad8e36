#include "meridian/catalog/catalog.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include "catalog_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

using store::Family;
namespace keys = store::keys;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewGuid() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  // UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Guids made
  // together sort together, so a bulk load appends to the store's and the index's key
  // ranges instead of scattering over them, and compactions mostly move files whole.
  const uint64_t millis = static_cast<uint64_t>(NowMillis()) & 0xffffffffffffULL;
  uint64_t a = (millis << 16) | 0x7000ULL | (rng() & 0x0fffULL);          // version 7
  uint64_t b = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[37];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
           static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

bool IsPlaceholderGuid(std::string_view guid) { return !guid.empty() && guid[0] == '-'; }

namespace internal {

void SetEdgeValue(std::string_view value, Edge* edge) {
  store::EdgeValue v = store::DecodeEdgeValue(value);
  edge->relationship = std::move(v.relationship);
  edge->type = std::move(v.type);
  edge->active = v.active;
}

json MakeAuditEvent(const std::string& guid, int64_t ts, const std::string& user, const std::string& action,
                    const std::string& details) {
  return json{{"entityId", guid}, {"timestamp", ts}, {"user", user}, {"action", action}, {"details", details}};
}

std::string DisplayText(const types::TypeDef* type, const json& record) {
  const json& attrs = record["attributes"];
  auto text_of = [&](const std::string& name) -> std::string {
    auto it = attrs.find(name);
    if (it == attrs.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  if (type) {
    auto opt = type->json.find("options");
    if (opt != type->json.end() && opt->contains("displayTextAttribute")) {
      std::string t = text_of((*opt)["displayTextAttribute"].get<std::string>());
      if (!t.empty()) return t;
    }
  }
  for (const char* name : {"name", "displayName", "qualifiedName"}) {
    std::string t = text_of(name);
    if (!t.empty()) return t;
  }
  return record.value("guid", "");
}

}  // namespace internal

Result<std::unique_ptr<Catalog>> Catalog::Open(store::Store* store, Options options) {
  std::unique_ptr<Catalog> c(new Catalog(store, options));
  RETURN_IF_ERROR(c->LoadTypes());
  RETURN_IF_ERROR(c->LoadNotificationSequence());
  // The sequence persisted with the last write: the same on every replica at the same log position.
  c->last_sequence_ = store->CurrentSequence();
  return c;
}

std::shared_ptr<const types::TypeRegistry> Catalog::types() const {
  std::lock_guard<std::mutex> lock(types_mu_);
  return types_;
}

void Catalog::PublishTypes(std::shared_ptr<const types::TypeRegistry> reg) {
  std::lock_guard<std::mutex> lock(types_mu_);
  types_ = std::move(reg);
}

Status Catalog::Commit(store::Batch& batch, uint64_t* sequence) {
  uint64_t seq = store_->NextSequence();
  RETURN_IF_ERROR(store_->Write(batch));
  last_sequence_ = seq;
  if (sequence) *sequence = seq;
  return Status::Ok();
}

namespace {

// The stored bytes of entity `guid`: NotFound in Atlas's words when there is none.
Result<std::string> EntityBytes(const store::Store& store, const std::string& guid) {
  std::string bytes;
  Status s = store.Get(Family::kEntities, guid, &bytes);
  if (s.code() == StatusCode::kNotFound)
    return internal::GuidNotFound(guid);
  RETURN_IF_ERROR(s);
  return bytes;
}

}  // namespace

Result<json> Catalog::LoadRecord(const std::string& guid) const {
  ASSIGN_OR_RETURN(std::string bytes, EntityBytes(*store_, guid));
  return store::DecodeRecord(bytes);
}

Result<json> Catalog::LoadRecordSummary(const std::string& guid) const {
  ASSIGN_OR_RETURN(std::string bytes, EntityBytes(*store_, guid));
  return store::DecodeRecordSummary(bytes);
}

Result<std::string> Catalog::TypeNameOf(const std::string& guid) const {
  ASSIGN_OR_RETURN(std::string bytes, EntityBytes(*store_, guid));
  return store::DecodeRecordString(bytes, "typeName");
}

Result<std::string> Catalog::FindByUniqueAttribute(const std::string& type, const std::string& attr,
                                                   const std::string& value) const {
  auto reg = types();
  const types::TypeDef* t = reg->FindEntity(type);
  if (!t) return Status::InvalidArgument("Given typename " + type + " was invalid", atlas_code::kTypeNameInvalid);
  const types::AttributeDef* ad = t->FindAttribute(attr);
  if (!ad || !ad->is_unique)
    return Status::InvalidArgument(attr + ": invalid unique attribute of type " + type, atlas_code::kInvalidParameters);
  for (const auto& sub : reg->SelfAndSubTypes(type)) {
    std::string guid;
    if (store_->Get(Family::kUnique, keys::Unique(sub, attr, value), &guid).ok()) return guid;
  }
  return Status::NotFound("Instance " + type + " with unique attribute {" + attr + ":" + value + "} does not exist",
                          atlas_code::kInstanceByUniqueAttributeNotFound);
}

namespace {

// The edge stored under `key` with `value`; false for a key that is not an edge's.
bool EdgeFromStored(std::string_view key, std::string_view value, Catalog::Edge* e) {
  std::string_view attr, other;
  if (!keys::ParseEdge(key, &attr, &other)) return false;
  e->attribute = std::string(attr);
  e->other = std::string(other);
  internal::SetEdgeValue(value, e);
  return true;
}

}  // namespace

std::vector<Catalog::Edge> Catalog::Edges(const std::string& guid, std::string_view attribute) const {
  std::vector<Edge> out;
  std::string prefix = attribute.empty() ? keys::EdgePrefix(guid) : keys::EdgePrefix(guid, attribute);
  store_->Scan(Family::kEdges, prefix, [&](std::string_view k, std::string_view v) {
    Edge e;
    if (EdgeFromStored(k, v, &e)) out.push_back(std::move(e));
    return true;
  }).PermitUnchecked();
  return out;
}

std::vector<std::vector<Catalog::Edge>> Catalog::EdgesOfEach(const std::vector<std::string>& guids) const {
  std::vector<std::vector<Edge>> out(guids.size());
  std::vector<std::string> prefixes;
  prefixes.reserve(guids.size());
  for (const auto& g : guids) prefixes.push_back(keys::EdgePrefix(g));
  store_->ScanPrefixes(Family::kEdges, prefixes, [&](size_t i, std::string_view k, std::string_view v) {
    Edge e;
    if (EdgeFromStored(k, v, &e)) out[i].push_back(std::move(e));
    return true;
  }).PermitUnchecked();
  return out;
}

std::vector<Result<json>> Catalog::LoadRecordSummaries(const std::vector<std::string>& guids,
                                                       bool with_classifications) const {
  static constexpr std::string_view kClassificationFields[] = {"classifications", "propagatedClassifications"};
  const std::span<const std::string_view> whole =
      with_classifications ? std::span<const std::string_view>(kClassificationFields) : std::span<const std::string_view>();
  std::vector<Result<json>> out;
  out.reserve(guids.size());
  ForEachStoredRecord(guids, [&](size_t i, const Status& got, std::string_view bytes) {
    if (got.code() == StatusCode::kNotFound) out.emplace_back(internal::GuidNotFound(guids[i]));
    else if (!got.ok()) out.emplace_back(got);
    else out.emplace_back(store::DecodeRecordSummary(bytes, whole));
    return true;
  });
  return out;
}

json Catalog::Classifications(const json& record) const {
  json out = json::array();
  const std::string guid = record.value("guid", "");
  for (const json& c : record.value("classifications", json::array())) {
    json x = c;
    x["entityGuid"] = guid;
    x["entityStatus"] = record.value("status", "ACTIVE");
    out.push_back(std::move(x));
  }
  for (const json& c : record.value("propagatedClassifications", json::array())) out.push_back(c);
  return out;
}

json Catalog::Header(const json& record, bool with_classifications, bool look_up_meanings) const {
  auto reg = types();
  const std::string type_name = record.value("typeName", "");
  const types::TypeDef* t = reg->Find(type_name);
  json h = {{"typeName", type_name},
            {"guid", record.value("guid", "")},
            {"status", record.value("status", "ACTIVE")},
            {"displayText", internal::DisplayText(t, record)},
            {"isIncomplete", record.value("isIncomplete", false)},
            {"labels", record.value("labels", json::array())},
            {"meaningNames", json::array()},
            {"meanings", json::array()}};
  json attrs = json::object();
  const json& a = record["attributes"];
  auto put = [&](const std::string& name) {
    auto it = a.find(name);
    attrs[name] = it != a.end() && !it->is_null() ? *it : json("");
  };
  if (t) {
    for (const auto& u : t->unique_attributes) put(u);
    for (const char* n : {"name", "description", "owner", "createTime"})
      if (t->FindAttribute(n)) put(n);
  }
  h["attributes"] = std::move(attrs);
  json classes = Classifications(record);
  json names = json::array();
  for (const json& c : classes) {
    const std::string n = c.value("typeName", "");
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  h["classificationNames"] = names;
  if (with_classifications) h["classifications"] = classes;
  // Assigned glossary terms: the active relationships of the `meanings` attribute.
  if (look_up_meanings && t && t->relationship_attributes.count("meanings")) {
    for (const Edge& e : Edges(h["guid"].get<std::string>(), "meanings")) {
      if (!e.active || e.attribute != "meanings") continue;
      auto term = LoadRecord(e.other);
      if (!term.ok()) continue;
      json name = (*term)["attributes"].value("name", json(""));
      h["meanings"].push_back({{"termGuid", e.other}, {"relationGuid", e.relationship}, {"displayText", name}});
      h["meaningNames"].push_back(name);
    }
  }
  return h;
}

Result<json> Catalog::HeaderByGuid(const std::string& guid) const {
  ASSIGN_OR_RETURN(json rec, LoadRecord(guid));
  return Header(rec);
}

json UnsetAttributeValue(const types::AttributeDef& def) {
  if (def.value_type.kind != types::ValueType::Kind::kPrimitive) return nullptr;
  const std::string& type = def.value_type.name;
  json given = def.json.is_object() ? def.json.value("defaultValue", json()) : json();
  if (type == "string") {
    if (given.is_string()) return given;
    if (!given.is_null()) return given.dump();
    return def.is_optional ? json() : json("");
  }
  const std::string text = given.is_string() ? given.get<std::string>() : given.is_null() ? "" : given.dump();
  if (type == "boolean") return text == "true" || text == "1" || text == "True" || text == "TRUE";
  char* end = nullptr;
  const double number = text.empty() ? 0 : std::strtod(text.c_str(), &end);
  const bool parsed = !text.empty() && end == text.c_str() + text.size();
  if (type == "float" || type == "double" || type == "bigdecimal") return parsed ? number : 0.0;
  return parsed ? static_cast<int64_t>(number) : int64_t{0};  // byte .. long, biginteger, date (ms)
}

namespace {

// Records read while rendering one response, each loaded once (a table's
// columns point back at the table; its children are also its references).
class RecordMemo {
 public:
  explicit RecordMemo(const Catalog& catalog) : catalog_(catalog) {}
  // The record of `guid`, or null if it cannot be read.
  const json* Get(const std::string& guid) {
    auto it = records_.find(guid);
    if (it == records_.end()) {
      auto rec = catalog_.LoadRecord(guid);
      it = records_.emplace(guid, rec.ok() ? std::move(*rec) : json()).first;
    }
    return it->second.is_null() ? nullptr : &it->second;
  }
  // The whole record if it was loaded, else its scalar fields; null if it cannot be read.
  const json* Summary(const std::string& guid) {
    if (auto it = records_.find(guid); it != records_.end()) return it->second.is_null() ? nullptr : &it->second;
    auto it = summaries_.find(guid);
    if (it == summaries_.end()) {
      auto rec = catalog_.LoadRecordSummary(guid);
      it = summaries_.emplace(guid, rec.ok() ? std::move(*rec) : json()).first;
    }
    return it->second.is_null() ? nullptr : &it->second;
  }
  void Put(const std::string& guid, const json& record) { records_.emplace(guid, record); }
  // Loads the records of `guids` (distinct) that are not loaded yet, in one batched read.
  void Load(const std::vector<std::string>& guids) {
    std::vector<std::string> missing;
    for (const auto& g : guids)
      if (!records_.count(g)) missing.push_back(g);
    catalog_.LoadRecords(missing, [&](const std::string& g, Result<json> rec) {
      records_.emplace(g, rec.ok() ? std::move(*rec) : json());
      return true;
    }).PermitUnchecked();  // the records it did not reach are read one by one by Get
  }
  // Loads the summaries of `guids` that are not loaded yet (whole or summary), in one batched read.
  void LoadSummaries(std::vector<std::string> guids) {
    std::sort(guids.begin(), guids.end());
    guids.erase(std::unique(guids.begin(), guids.end()), guids.end());
    std::erase_if(guids, [&](const std::string& g) { return records_.count(g) || summaries_.count(g); });
    std::vector<Result<json>> got = catalog_.LoadRecordSummaries(guids);
    for (size_t i = 0; i < guids.size(); ++i) summaries_.emplace(guids[i], got[i].ok() ? std::move(*got[i]) : json());
  }

 private:
  const Catalog& catalog_;
  std::unordered_map<std::string, json> records_;
  std::unordered_map<std::string, json> summaries_;
};

// AtlasEntity of `e` (a stored record, consumed) with the relationship
// attributes its `edges` describe.
json Render(const Catalog& catalog, json e, const std::vector<Catalog::Edge>& edges, const ReadOptions& opts,
            RecordMemo& memo) {
  json classes = catalog.Classifications(e);
  e.erase("propagatedClassifications");
  e["classifications"] = std::move(classes);
  if (!e.contains("labels")) e["labels"] = json::array();

  auto reg = catalog.types();
  const types::TypeDef* t = reg->Find(e.value("typeName", ""));
  if (t && !e.value("isIncomplete", false)) {
    json& attrs = e["attributes"];
    if (!attrs.is_object()) attrs = json::object();
    for (const auto& [name, def] : t->attributes) {
      auto it = attrs.find(name);
      if (it != attrs.end() && !it->is_null()) continue;
      json unset = UnsetAttributeValue(def);
      if (!unset.is_null()) attrs[name] = std::move(unset);
    }
  }
  if (opts.ignore_relationships) return e;
  json rel = json::object();
  if (t) {
    for (const auto& [name, ends] : t->relationship_attributes)
      if (ends.front().multi) rel[name] = json::array();
  }
  for (const Catalog::Edge& edge : edges) {
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(edge.attribute, edge.type) : nullptr;
    json ref = {{"guid", edge.other},
                {"relationshipType", edge.type},
                {"relationshipStatus", edge.active ? "ACTIVE" : "DELETED"}};
    if (opts.reference_ids_only) {
      ref["typeName"] = end ? end->other_type : std::string();
    } else {
      const json* other = memo.Summary(edge.other);
      if (!other) continue;
      const types::TypeDef* ot = reg->Find(other->value("typeName", ""));
      ref["typeName"] = other->value("typeName", "");
      ref["entityStatus"] = other->value("status", "ACTIVE");
      ref["displayText"] = internal::DisplayText(ot, *other);
      ref["relationshipGuid"] = edge.relationship;
      ref["relationshipAttributes"] = {{"typeName", edge.type}};
      const json& attrs = (*other)["attributes"];
      auto qn = attrs.find("qualifiedName");
      if (qn != attrs.end()) ref["qualifiedName"] = *qn;
    }
    if (end && !end->multi) {
      // A single-valued attribute shows its active relationship over a deleted one.
      if (!rel.contains(edge.attribute) || edge.active) rel[edge.attribute] = std::move(ref);
    } else {
      rel[edge.attribute].push_back(std::move(ref));
    }
  }
  e["relationshipAttributes"] = std::move(rel);
  return e;
}

}  // namespace

json Catalog::RenderEntity(const json& record, const ReadOptions& opts) const {
  RecordMemo memo(*this);
  std::vector<Edge> edges = opts.ignore_relationships ? std::vector<Edge>{} : Edges(record.value("guid", ""));
  return Render(*this, record, edges, opts, memo);
}

Result<json> Catalog::GetEntity(const std::string& guid, const ReadOptions& opts) const {
  ASSIGN_OR_RETURN(json rec, LoadRecord(guid));
  auto reg = types();
  const types::TypeDef* t = reg->Find(rec.value("typeName", ""));
  const std::vector<Edge> edges = Edges(guid);
  RecordMemo memo(*this);
  memo.Put(guid, rec);
  // Owned children (composition, this side the container) come with full bodies;
  // loaded first, so that the entity's references to them reuse those records.
  std::vector<std::string> child_guids;
  if (t) {
    for (const Edge& edge : edges) {
      const types::RelationshipEnd* end = t->FindRelationshipEnd(edge.attribute, edge.type);
      if (!end || !end->is_container || end->category != "COMPOSITION" || !edge.active) continue;
      if (std::find(child_guids.begin(), child_guids.end(), edge.other) == child_guids.end())
        child_guids.push_back(edge.other);
    }
  }
  memo.Load(child_guids);
  std::erase_if(child_guids, [&](const std::string& g) { return memo.Get(g) == nullptr; });
  // The children's edges, and every entity the references show, each in one batched read.
  const bool child_edges = !opts.min_ext_info && !opts.ignore_relationships;
  const std::vector<std::vector<Edge>> edges_of_child =
      child_edges ? EdgesOfEach(child_guids) : std::vector<std::vector<Edge>>(child_guids.size());
  if (!opts.ignore_relationships && !opts.reference_ids_only) {
    std::vector<std::string> shown;
    for (const Edge& e : edges) shown.push_back(e.other);
    for (const auto& list : edges_of_child)
      for (const Edge& e : list) shown.push_back(e.other);
    memo.LoadSummaries(std::move(shown));
  }
  json out = json::object();
  out["entity"] = Render(*this, std::move(rec), edges, opts, memo);
  out["referredEntities"] = json::object();
  json& referred = out["referredEntities"];
  for (size_t i = 0; i < child_guids.size(); ++i) {
    const json* child = memo.Get(child_guids[i]);
    referred[child_guids[i]] = opts.min_ext_info ? Header(*child) : Render(*this, *child, edges_of_child[i], opts, memo);
  }
  return out;
}

Result<json> Catalog::Audit(const std::string& guid, const AuditQuery& query) const {
  std::vector<json> events;
  RETURN_IF_ERROR(store_->Scan(Family::kAudit, keys::AuditPrefix(guid), [&](std::string_view k, std::string_view v) {
    auto ev = store::DecodeRecord(v);
    if (!ev.ok()) return true;
    if (!query.action.empty() && ev->value("action", "") != query.action) return true;
    (*ev)["eventKey"] = guid + ":" + std::to_string(keys::QueueSeq(k));
    (*ev)["type"] = "ENTITY_AUDIT_V2";
    events.push_back(std::move(*ev));
    return true;
  }));
  auto key_of = [&](const json& e) -> json {
    if (query.sort_by == "user") return e.value("user", "");
    if (query.sort_by == "action") return e.value("action", "");
    return e.value("timestamp", int64_t{0});
  };
  std::stable_sort(events.begin(), events.end(), [&](const json& a, const json& b) {
    return query.ascending ? key_of(a) < key_of(b) : key_of(b) < key_of(a);
  });
  json out = json::array();
  int skip = std::max(0, query.offset);
  for (size_t i = skip; i < events.size() && static_cast<int>(out.size()) < query.count; ++i)
    out.push_back(std::move(events[i]));
  return out;
}

}  // namespace meridian::catalog
