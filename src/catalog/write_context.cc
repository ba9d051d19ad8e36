#include "write_context.h"
#include "meridian/atlas_error_codes.h"

#include <algorithm>

namespace meridian::catalog {

using store::Family;
namespace keys = store::keys;

WriteContext::WriteContext(Catalog& catalog, std::string user)
    : catalog_(catalog), reg_(catalog.types()), user_(std::move(user)), now_(NowMillis()) {}

Result<json*> WriteContext::Load(const std::string& guid) {
  auto it = records_.find(guid);
  if (it != records_.end()) return &it->second.record;
  ASSIGN_OR_RETURN(json rec, catalog_.LoadRecord(guid));
  Pending p{std::move(rec), true, {}};
  p.original_unique = UniqueKeys(p.record);
  return &records_.emplace(guid, std::move(p)).first->second.record;
}

Result<std::string> WriteContext::TypeOf(const std::string& guid) {
  if (auto it = records_.find(guid); it != records_.end()) return it->second.record["typeName"].get<std::string>();
  if (auto it = types_.find(guid); it != types_.end()) return it->second;
  ASSIGN_OR_RETURN(std::string type, catalog_.TypeNameOf(guid));
  return types_.emplace(guid, std::move(type)).first->second;
}

bool WriteContext::Exists(const std::string& guid) { return TypeOf(guid).ok(); }

json* WriteContext::Create(const std::string& guid, const std::string& type_name) {
  json rec = {{"typeName", type_name}, {"guid", guid},      {"status", "ACTIVE"},     {"createdBy", user_},
              {"updatedBy", user_},    {"createTime", now_}, {"updateTime", now_},     {"version", 0},
              {"attributes", json::object()}, {"classifications", json::array()},
              {"labels", json::array()},      {"isIncomplete", false},               {"provenanceType", 0}};
  created_.push_back(guid);
  created_set_.insert(guid);
  touched_set_.insert(guid);
  return &(records_[guid] = Pending{std::move(rec), false, {}}).record;
}

void WriteContext::Touch(const std::string& guid, const std::string& action, const std::string& details) {
  auto it = records_.find(guid);
  if (it == records_.end()) return;
  json& rec = it->second.record;
  if (!created_set_.count(guid) && !touched_set_.count(guid)) {
    rec["updateTime"] = now_;
    rec["updatedBy"] = user_;
    rec["version"] = rec.value("version", 0) + 1;
    if (action == "ENTITY_UPDATE") updated_.push_back(guid);
  } else if (action == "ENTITY_UPDATE" && !created_set_.count(guid) &&
             std::find(updated_.begin(), updated_.end(), guid) == updated_.end()) {
    updated_.push_back(guid);
  }
  touched_set_.insert(guid);
  audits_.emplace_back(guid, internal::MakeAuditEvent(guid, now_, user_, action, details));
}

std::optional<std::string> WriteContext::FindUnique(const std::string& type, const std::string& attr,
                                                    const std::string& value) {
  for (const auto& sub : reg_->SelfAndSubTypes(type)) {
    std::string key = keys::Unique(sub, attr, value);
    auto it = pending_unique_.find(key);
    if (it != pending_unique_.end()) return it->second;
    std::string guid;
    if (absent_unique_.count(key)) continue;
    if (!(*catalog_.store_).Get(Family::kUnique, key, &guid).ok()) {
      absent_unique_.insert(std::move(key));
    } else {
      types_.emplace(guid, sub);  // the key names the entity's own type
      // A pending delete or rename may have released it.
      auto rec = records_.find(guid);
      if (rec != records_.end()) {
        const json& r = rec->second.record;
        if (r.value("status", "") != "ACTIVE") continue;
        auto v = r["attributes"].find(attr);
        if (v == r["attributes"].end() || !v->is_string() || v->get<std::string>() != value) continue;
      }
      return guid;
    }
  }
  return std::nullopt;
}

void WriteContext::RegisterPendingUnique(const std::string& type, const std::string& attr, const std::string& value,
                                         const std::string& guid) {
  pending_unique_[keys::Unique(type, attr, value)] = guid;
}

std::vector<Catalog::Edge> WriteContext::EdgesWithPrefix(const std::string& guid, const std::string& prefix) {
  std::map<std::string, std::optional<std::string>> merged;
  if (!created_set_.count(guid)) {  // a new entity has no stored edges yet
    (*catalog_.store_).Scan(Family::kEdges, prefix, [&](std::string_view k, std::string_view v) {
      merged[std::string(k)] = std::string(v);
      return true;
    }).PermitUnchecked();
  }
  for (auto it = edges_.lower_bound(prefix); it != edges_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    merged[it->first] = it->second;
  std::vector<Catalog::Edge> out;
  for (const auto& [k, v] : merged) {
    if (!v) continue;
    Catalog::Edge e;
    std::string_view attr, other;
    if (!keys::ParseEdge(k, &attr, &other)) continue;
    e.attribute = std::string(attr);
    e.other = std::string(other);
    internal::SetEdgeValue(*v, &e);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Catalog::Edge> WriteContext::AllEdges(const std::string& guid) {
  return EdgesWithPrefix(guid, keys::EdgePrefix(guid));
}

bool WriteContext::MayHaveEdges(const std::string& guid, std::string_view attr) const {
  if (!created_set_.count(guid)) return true;
  std::string prefix = keys::EdgePrefix(guid, attr);
  auto it = edges_.lower_bound(prefix);
  return it != edges_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::vector<Catalog::Edge> WriteContext::ActiveEdges(const std::string& guid, const std::string& attr) {
  // Only this attribute's keys: an entity with many edges elsewhere (a job's runs) costs nothing here.
  std::vector<Catalog::Edge> out;
  for (auto& e : EdgesWithPrefix(guid, keys::EdgePrefix(guid, attr)))
    if (e.active) out.push_back(std::move(e));
  return out;
}

void WriteContext::PutEdge(const std::string& guid, const std::string& attr, const std::string& other,
                           const std::string& value) {
  edges_[keys::Edge(guid, attr, other)] = value;
}

void WriteContext::DeleteEdge(const std::string& guid, const std::string& attr, const std::string& other) {
  edges_[keys::Edge(guid, attr, other)] = std::nullopt;
}

Result<json*> WriteContext::LoadRelationship(const std::string& guid) {
  auto it = relationships_.find(guid);
  if (it != relationships_.end()) return &it->second;
  std::string bytes;
  Status s = (*catalog_.store_).Get(Family::kRelationships, guid, &bytes);
  if (s.code() == StatusCode::kNotFound)
    return Status::NotFound("Given relationship guid " + guid + " is invalid/not found", atlas_code::kRelationshipGuidNotFound);
  RETURN_IF_ERROR(s);
  ASSIGN_OR_RETURN(json rel, store::DecodeRecord(bytes));
  return &(relationships_[guid] = std::move(rel));
}

void WriteContext::PutRelationship(const json& rel) { relationships_[rel["guid"].get<std::string>()] = rel; }

Status WriteContext::Link(const std::string& a, const types::RelationshipEnd& end, const std::string& b,
                          const json& attributes, std::string* relationship_guid) {
  for (const auto& e : ActiveEdges(a, end.name)) {
    if (e.other == b && e.type == end.relationship) {
      if (relationship_guid) *relationship_guid = e.relationship;
      return Status::Ok();
    }
  }
  // Single-valued ends point at one entity: detach what they pointed at before.
  if (!end.multi)
    for (const auto& e : ActiveEdges(a, end.name)) RETURN_IF_ERROR(Unlink(e.relationship));
  if (!end.other_multi)
    for (const auto& e : ActiveEdges(b, end.other_name)) RETURN_IF_ERROR(Unlink(e.relationship));

  ASSIGN_OR_RETURN(std::string type_a, TypeOf(a));
  ASSIGN_OR_RETURN(std::string type_b, TypeOf(b));
  const bool a_is_end1 = end.end == 1;
  std::string guid = NewGuid();
  json rel = {{"typeName", end.relationship},
              {"guid", guid},
              {"status", "ACTIVE"},
              {"label", end.label},
              {"propagateTags", end.propagate_tags},
              {"attributes", attributes.is_object() ? attributes : json::object()},
              {"end1", {{"guid", a_is_end1 ? a : b}, {"typeName", a_is_end1 ? type_a : type_b}}},
              {"end2", {{"guid", a_is_end1 ? b : a}, {"typeName", a_is_end1 ? type_b : type_a}}},
              {"propagatedClassifications", json::array()},
              {"blockedPropagatedClassifications", json::array()},
              {"createdBy", user_},
              {"updatedBy", user_},
              {"createTime", now_},
              {"updateTime", now_},
              {"version", 0}};
  relationships_[guid] = std::move(rel);
  std::string value = store::EncodeEdgeValue({guid, true, end.relationship});
  PutEdge(a, end.name, b, value);
  PutEdge(b, end.other_name, a, value);
  // Tags may now flow between a and b: one task per commit names all such ends.
  if (end.propagate_tags != "NONE") {
    linked_.insert(a);
    linked_.insert(b);
  }
  if (relationship_guid) *relationship_guid = guid;
  return Status::Ok();
}

Status WriteContext::Unlink(const std::string& relationship_guid) {
  ASSIGN_OR_RETURN(json* rel, LoadRelationship(relationship_guid));
  if ((*rel)["status"] == "DELETED") return Status::Ok();
  (*rel)["status"] = "DELETED";
  (*rel)["updateTime"] = now_;
  (*rel)["updatedBy"] = user_;
  const types::TypeDef* def = reg_->Find((*rel)["typeName"].get<std::string>());
  const std::string g1 = (*rel)["end1"]["guid"], g2 = (*rel)["end2"]["guid"];
  if (def && def->end1 && def->end2) {
    DeleteEdge(g1, def->end1->name, g2);
    DeleteEdge(g2, def->end2->name, g1);
  }
  if ((*rel).value("propagateTags", "NONE") != "NONE")
    propagation_tasks_.push_back({{"kind", "edge"}, {"relationship", relationship_guid}, {"op", "remove"},
                                  {"end1", g1}, {"end2", g2}});
  return Status::Ok();
}

Status WriteContext::ReplaceRelationshipAttribute(
    const std::string& guid, const std::string& attr,
    const std::vector<std::pair<std::string, std::string>>& targets_with_type) {
  ASSIGN_OR_RETURN(json* rec, Load(guid));
  const types::TypeDef* t = reg_->FindEntity((*rec)["typeName"].get<std::string>());
  bool changed = false;
  std::set<std::string> wanted;
  for (const auto& [target, rel_type] : targets_with_type) wanted.insert(target);
  for (const auto& e : ActiveEdges(guid, attr)) {
    if (wanted.count(e.other)) continue;
    RETURN_IF_ERROR(Unlink(e.relationship));
    changed = true;
    // A container drops an owned child: the child goes with it.
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(attr, e.type) : nullptr;
    if (end && end->is_container && end->category == "COMPOSITION") RETURN_IF_ERROR(SoftDelete(e.other));
  }
  for (const auto& [target, rel_type] : targets_with_type) {
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(attr, rel_type) : nullptr;
    if (!end) return Status::InvalidArgument(attr + ": not a relationship attribute of " + t->name);
    bool exists = false;
    for (const auto& e : ActiveEdges(guid, attr)) exists = exists || (e.other == target && e.type == end->relationship);
    if (exists) continue;
    RETURN_IF_ERROR(Link(guid, *end, target, json::object()));
    changed = true;
  }
  if (changed && !created_set_.count(guid)) Touch(guid, "ENTITY_UPDATE", "Updated: relationship attribute " + attr);
  return Status::Ok();
}

Status WriteContext::SoftDelete(const std::string& guid) {
  auto loaded = Load(guid);
  if (!loaded.ok()) return Status::Ok();
  json* rec = *loaded;
  if ((*rec)["status"] != "ACTIVE") return Status::Ok();
  (*rec)["status"] = "DELETED";
  (*rec)["updateTime"] = now_;
  (*rec)["updatedBy"] = user_;
  deleted_.push_back(guid);
  touched_set_.insert(guid);
  audits_.emplace_back(guid, internal::MakeAuditEvent(guid, now_, user_, "ENTITY_DELETE",
                                                      "Deleted: " + json{{"typeName", (*rec)["typeName"]},
                                                                        {"guid", guid}}.dump()));
  const types::TypeDef* t = reg_->FindEntity((*rec)["typeName"].get<std::string>());
  std::vector<Catalog::Edge> edges = AllEdges(guid);
  for (const auto& e : edges) {
    if (!e.active) continue;
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(e.attribute, e.type) : nullptr;
    // Relationships stay visible as DELETED; owned children are deleted too.
    ASSIGN_OR_RETURN(json* rel, LoadRelationship(e.relationship));
    (*rel)["status"] = "DELETED";
    (*rel)["updateTime"] = now_;
    std::string value = store::EncodeEdgeValue({e.relationship, false, e.type});
    PutEdge(guid, e.attribute, e.other, value);
    if (end) PutEdge(e.other, end->other_name, guid, value);
    if (end && end->is_container && end->category == "COMPOSITION") RETURN_IF_ERROR(SoftDelete(e.other));
  }
  propagation_tasks_.push_back({{"kind", "entity_deleted"}, {"guid", guid}});
  return Status::Ok();
}

Status WriteContext::Purge(const std::string& guid) {
  ASSIGN_OR_RETURN(json* rec, Load(guid));
  if ((*rec)["status"] == "ACTIVE")
    return Status::InvalidArgument("entity " + guid + " is ACTIVE; only DELETED entities can be purged");
  (*rec)["status"] = "PURGED";
  const types::TypeDef* t = reg_->FindEntity((*rec)["typeName"].get<std::string>());
  for (const auto& e : AllEdges(guid)) {
    const types::RelationshipEnd* end = t ? t->FindRelationshipEnd(e.attribute, e.type) : nullptr;
    DeleteEdge(guid, e.attribute, e.other);
    if (end) DeleteEdge(e.other, end->other_name, guid);
    auto rel = LoadRelationship(e.relationship);
    if (rel.ok()) (**rel)["status"] = "PURGED";
  }
  purged_.push_back(guid);
  touched_set_.insert(guid);
  audits_.emplace_back(guid, internal::MakeAuditEvent(guid, now_, user_, "ENTITY_PURGE",
                                                      "Purged: " + json{{"guid", guid}}.dump()));
  return Status::Ok();
}

void WriteContext::SetPropagationIndex(const std::string& source, const std::string& name, const std::string& target,
                                       bool present) {
  std::string k = keys::EdgePrefix(source, name).append(target);
  propagation_index_[k] = present;
}

std::vector<std::string> WriteContext::UniqueKeys(const json& record) const {
  std::vector<std::string> out;
  if (record.value("status", "") != "ACTIVE") return out;
  const std::string type = record["typeName"];
  const types::TypeDef* t = reg_->FindEntity(type);
  if (!t) return out;
  for (const auto& u : t->unique_attributes) {
    auto v = record["attributes"].find(u);
    if (v == record["attributes"].end() || v->is_null()) continue;
    out.push_back(keys::Unique(type, u, v->is_string() ? v->get<std::string>() : v->dump()));
  }
  return out;
}

Status WriteContext::Commit(uint64_t* sequence) {
  store::Batch batch;
  std::map<std::string, std::string> claimed;  // unique key -> guid, within this batch
  std::vector<std::string> released;
  for (auto& [guid, p] : records_) {
    if (!touched_set_.count(guid) && !created_set_.count(guid)) continue;
    const std::vector<std::string>& before = p.original_unique;
    std::vector<std::string> after = UniqueKeys(p.record);
    for (const auto& k : before)
      if (std::find(after.begin(), after.end(), k) == after.end()) released.push_back(k);
    for (const auto& k : after) {
      if (std::find(before.begin(), before.end(), k) != before.end()) continue;
      auto [it, fresh] = claimed.emplace(k, guid);
      bool taken = !fresh && it->second != guid;
      std::string holder;
      // Writes are serialised, so a key the store lacked earlier in this mutation is still absent.
      if (!taken && !absent_unique_.count(k) && (*catalog_.store_).Get(Family::kUnique, k, &holder).ok() &&
          holder != guid) {
        // Still taken unless this mutation deleted or renamed the holder.
        auto h = records_.find(holder);
        std::vector<std::string> holder_keys = h == records_.end() ? std::vector<std::string>{k}
                                                                   : UniqueKeys(h->second.record);
        taken = std::find(holder_keys.begin(), holder_keys.end(), k) != holder_keys.end();
      }
      if (taken) {
        size_t a = k.find('\0'), b = k.find('\0', a + 1);
        return Status::Conflict("Another instance of type " + k.substr(0, a) + " has the same unique attribute " +
                                    k.substr(a + 1, b - a - 1) + " = " + k.substr(b + 1),
                                atlas_code::kUniqueAttributeTaken);
      }
    }
  }
  // Releases first, so a key moving between entities in one batch ends up claimed.
  for (const auto& k : released) batch.Delete(Family::kUnique, k);
  for (const auto& [k, guid] : claimed) batch.Put(Family::kUnique, k, guid);
  for (auto& [guid, p] : records_) {
    if (!touched_set_.count(guid) && !created_set_.count(guid)) continue;
    const std::string type = p.record["typeName"];
    if (p.record["status"] == "PURGED") {
      batch.Delete(Family::kEntities, guid);
      batch.Delete(Family::kTypeIndex, keys::TypeIndex(type, guid));
    } else {
      batch.Put(Family::kEntities, guid, store::EncodeRecord(p.record));
      if (!p.stored) batch.Put(Family::kTypeIndex, keys::TypeIndex(type, guid), {});
    }
  }
  for (const auto& [k, v] : edges_) {
    if (v) batch.Put(Family::kEdges, k, *v);
    else batch.Delete(Family::kEdges, k);
  }
  for (const auto& [guid, rel] : relationships_) {
    if (rel.value("status", "") == "PURGED") batch.Delete(Family::kRelationships, guid);
    else batch.Put(Family::kRelationships, guid, store::EncodeRecord(rel));
  }
  for (const auto& [k, present] : propagation_index_) {
    if (*present) batch.Put(Family::kPropagations, k, {});
    else batch.Delete(Family::kPropagations, k);
  }
  store::Store& st = (*catalog_.store_);
  for (const auto& [guid, ev] : audits_) batch.Put(Family::kAudit, keys::Audit(guid, now_, st.NextSequence()),
                                                   store::EncodeRecord(ev));
  if (!touched_set_.empty()) {
    json guids = json::array();
    for (const auto& g : touched_set_) guids.push_back(g);
    batch.Put(Family::kQueue, keys::Queue(kIndexTopic, st.NextSequence()), store::EncodeRecord({{"guids", guids}}));
  }
  if (!linked_.empty())
    propagation_tasks_.push_back({{"kind", "linked"}, {"guids", json(std::vector<std::string>(linked_.begin(), linked_.end()))}});
  for (const auto& task : propagation_tasks_)
    batch.Put(Family::kQueue, keys::Queue(kPropagationTopic, st.NextSequence()), store::EncodeRecord(task));
  for (const auto& [key, value] : user_records_) {
    if (value) batch.Put(Family::kUserData, key, store::EncodeRecord(*value));
    else batch.Delete(Family::kUserData, key);
  }
  for (const json& a : admin_audits_)
    catalog_.AddAdminAudit(batch, a["operation"], user_, now_, a["params"], a["result"], a["count"]);
  const uint64_t last_notification = WriteNotifications(batch);
  for (const Bookkeeping& b : bookkeeping_) {
    if (b.value) batch.Put(b.family, b.key, *b.value);
    else batch.Delete(b.family, b.key);
  }
  CommitInfo info;
  info.propagation_queued = !propagation_tasks_.empty();
  RETURN_IF_ERROR(catalog_.Commit(batch, &info.sequence));
  catalog_.last_notification_ = last_notification;
  if (sequence) *sequence = info.sequence;
  info.entities.assign(touched_set_.begin(), touched_set_.end());
  info.edges.reserve(edges_.size());
  for (const auto& [k, v] : edges_) {
    EdgeChange change;
    std::string_view attr, other;
    if (!keys::ParseEdge(k, &attr, &other)) continue;
    change.guid = k.substr(0, k.size() - attr.size() - other.size() - 2);
    change.edge.attribute = std::string(attr);
    change.edge.other = std::string(other);
    change.removed = !v;
    if (v) {
      store::EdgeValue value = store::DecodeEdgeValue(*v);
      change.edge.relationship = std::move(value.relationship);
      change.edge.type = std::move(value.type);
      change.edge.active = value.active;
    }
    info.edges.push_back(std::move(change));
  }
  catalog_.NotifyCommit(info);
  return Status::Ok();
}

}  // namespace meridian::catalog
