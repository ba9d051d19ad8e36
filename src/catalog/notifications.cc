// Entity-change notifications: Atlas's EntityNotificationV2 messages (see
// docs/notifications.md), derived from a mutation's audit events and written to
// the `notifications` queue topic in the mutation's own batch.
#include <map>
#include <set>

#include "write_context.h"

namespace meridian::catalog {

using store::Family;
namespace keys = store::keys;

namespace {

// The notification operation for an audit action, or "" when Atlas sends none
// (business metadata, glossary terms, purges).
std::string_view OperationOf(std::string_view action) {
  static const std::map<std::string_view, std::string_view> kOps = {
      {"ENTITY_CREATE", "ENTITY_CREATE"},
      {"ENTITY_UPDATE", "ENTITY_UPDATE"},
      {"ENTITY_DELETE", "ENTITY_DELETE"},
      {"CLASSIFICATION_ADD", "CLASSIFICATION_ADD"},
      {"CLASSIFICATION_UPDATE", "CLASSIFICATION_UPDATE"},
      {"CLASSIFICATION_DELETE", "CLASSIFICATION_DELETE"},
      {"PROPAGATED_CLASSIFICATION_ADD", "CLASSIFICATION_ADD"},
      {"PROPAGATED_CLASSIFICATION_UPDATE", "CLASSIFICATION_UPDATE"},
      {"PROPAGATED_CLASSIFICATION_DELETE", "CLASSIFICATION_DELETE"},
      {"LABEL_ADD", "LABEL_ADD"},
      {"LABEL_DELETE", "LABEL_DELETE"}};
  auto it = kOps.find(action);
  return it == kOps.end() ? std::string_view() : it->second;
}

// A classification as Atlas puts it in a notification header.
json NotificationClassification(const json& c, const std::string& entity_guid, const std::string& entity_status) {
  return {{"typeName", c.value("typeName", "")},
          {"attributes", c.value("attributes", json::object())},
          {"entityGuid", c.value("entityGuid", entity_guid)},
          {"entityStatus", c.value("entityStatus", entity_status)},
          {"propagate", c.value("propagate", true)},
          {"removePropagationsOnEntityDelete", c.value("removePropagationsOnEntityDelete", false)},
          {"validityPeriods", c.value("validityPeriods", json::array())}};
}

// AtlasEntityHeader as EntityNotificationListenerV2 builds it: name, description,
// owner, createTime, unique attributes and includeInNotification attributes (when
// set); the complete classification list, propagated copies included, each
// followed by an entry per super-type carrying only the super-type's attributes.
json NotificationHeader(const types::TypeRegistry& reg, const json& record) {
  const std::string type_name = record.value("typeName", "");
  const std::string guid = record.value("guid", "");
  const std::string status = record.value("status", "ACTIVE");
  const types::TypeDef* t = reg.FindEntity(type_name);
  json attrs = json::object();
  const json& a = record["attributes"];
  auto put = [&](const std::string& name) {
    auto it = a.find(name);
    if (it != a.end() && !it->is_null()) attrs[name] = *it;
  };
  for (const char* n : {"name", "description", "owner", "createTime"}) put(n);
  if (t) {
    for (const auto& u : t->unique_attributes) put(u);
    for (const auto& [name, def] : t->attributes)
      if (def.json.is_object() && def.json.value("includeInNotification", false)) put(name);
  }
  json classifications = json::array(), names = json::array();
  auto add = [&](const json& c) {
    json x = NotificationClassification(c, guid, status);
    names.push_back(x["typeName"]);
    const types::TypeDef* ct = reg.FindClassification(x["typeName"].get<std::string>());
    classifications.push_back(x);
    if (!ct) return;
    for (const auto& sup : ct->all_super_types) {
      const types::TypeDef* st = reg.FindClassification(sup);
      json sup_attrs = json::object();
      for (auto it = x["attributes"].begin(); it != x["attributes"].end(); ++it)
        if (st && st->FindAttribute(it.key())) sup_attrs[it.key()] = it.value();
      classifications.push_back({{"typeName", sup}, {"attributes", sup_attrs}, {"entityGuid", x["entityGuid"]},
                                 {"propagate", x["propagate"]}});
      names.push_back(sup);
    }
  };
  for (const json& c : record.value("classifications", json::array())) add(c);
  for (const json& c : record.value("propagatedClassifications", json::array())) add(c);
  return {{"typeName", type_name},
          {"guid", guid},
          {"status", status},
          {"displayText", internal::DisplayText(t, record)},
          {"isIncomplete", record.value("isIncomplete", false)},
          {"attributes", std::move(attrs)},
          {"classificationNames", std::move(names)},
          {"classifications", std::move(classifications)}};
}

// Atlas's envelope on ATLAS_ENTITIES (version 1.0.0, uncompressed, unsplit).
json Envelope(json message, int64_t created_ms) {
  return {{"version", {{"version", "1.0.0"}}},
          {"source", json::object()},
          {"msgCompressionKind", "NONE"},
          {"msgSplitIdx", 1},
          {"msgSplitCount", 1},
          {"msgCreatedBy", ""},
          {"msgCreationTime", created_ms},
          {"spooled", false},
          {"message", std::move(message)}};
}

std::string SequenceValue(uint64_t seq) {
  std::string v;
  keys::PutBigEndian64(&v, seq);
  return v;
}

}  // namespace

void WriteContext::AnnounceRelationship(const std::string& guid, std::string operation) {
  relationship_events_.emplace_back(guid, std::move(operation));
}

json WriteContext::NotificationEnd(const json& end) {
  const std::string guid = end.value("guid", "");
  json id = {{"guid", guid}, {"typeName", end.value("typeName", "")}};
  auto rec = Load(guid);
  if (!rec.ok()) return id;
  id["typeName"] = (**rec)["typeName"];
  const types::TypeDef* t = reg_->FindEntity((**rec)["typeName"].get<std::string>());
  json unique = json::object();
  if (t)
    for (const auto& u : t->unique_attributes)
      if (auto v = (**rec)["attributes"].find(u); v != (**rec)["attributes"].end() && !v->is_null()) unique[u] = *v;
  id["uniqueAttributes"] = std::move(unique);
  return id;
}

uint64_t WriteContext::WriteNotifications(store::Batch& batch) {
  uint64_t seq = catalog_.last_notification();
  const int64_t created = NowMillis();
  auto put = [&](json message) {
    batch.Put(Family::kQueue, keys::Queue(kNotificationTopic, ++seq), store::EncodeRecord(Envelope(std::move(message), created)));
  };
  std::set<std::pair<std::string, std::string_view>> sent;  // (guid, operation): once per request, as Atlas
  for (const auto& [guid, event] : audits_) {
    std::string_view op = OperationOf(event.value("action", ""));
    if (op.empty() || !sent.emplace(guid, op).second) continue;
    if (op == "ENTITY_UPDATE" && IsCreated(guid)) continue;  // announced as created
    auto it = records_.find(guid);
    if (it == records_.end()) continue;
    const json& rec = it->second.record;
    if (rec.value("typeName", "").rfind("__", 0) == 0 || rec.value("status", "") == "PURGED") continue;
    put({{"type", "ENTITY_NOTIFICATION_V2"},
         {"operationType", op},
         {"eventTime", now_},
         {"entity", NotificationHeader(*reg_, rec)}});
  }
  for (const auto& [guid, op] : relationship_events_) {
    auto rel = LoadRelationship(guid);
    if (!rel.ok()) continue;
    const json& r = **rel;
    json header = {{"typeName", r.value("typeName", "")},
                   {"guid", guid},
                   {"status", r.value("status", "ACTIVE")},
                   {"propagateTags", r.value("propagateTags", "NONE")},
                   {"label", r.value("label", "")},
                   {"end1", NotificationEnd(r.value("end1", json::object()))},
                   {"end2", NotificationEnd(r.value("end2", json::object()))},
                   {"attributes", r.value("attributes", json::object())}};
    put({{"type", "ENTITY_NOTIFICATION_V2"},
         {"operationType", op},
         {"eventTime", now_},
         {"relationship", std::move(header)}});
  }
  if (seq != catalog_.last_notification()) batch.Put(Family::kMeta, internal::kNotificationSequenceKey, SequenceValue(seq));
  return seq;
}

Status Catalog::LoadNotificationSequence() {
  std::string v;
  Status s = store_->Get(Family::kMeta, internal::kNotificationSequenceKey, &v);
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  RETURN_IF_ERROR(s);
  last_notification_ = keys::GetBigEndian64(v);
  return Status::Ok();
}

Result<std::vector<StoredNotification>> Catalog::NotificationsAfter(uint64_t after, size_t limit) const {
  std::vector<StoredNotification> out;
  if (limit == 0 || after >= last_notification()) return out;
  Status decode = Status::Ok();
  const std::string prefix = keys::QueuePrefix(kNotificationTopic);
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, prefix, [&](std::string_view k, std::string_view v) {
    auto msg = store::DecodeRecord(v);
    if (!msg.ok()) {
      decode = msg.status();
      return false;
    }
    out.push_back({keys::QueueSeq(k), std::move(*msg)});
    return out.size() < limit;
  }, keys::Queue(kNotificationTopic, after)));
  RETURN_IF_ERROR(decode);
  return out;
}

Result<uint64_t> Catalog::OldestNotification() const {
  uint64_t oldest = last_notification() + 1;
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(kNotificationTopic),
                               [&](std::string_view k, std::string_view) {
                                 oldest = keys::QueueSeq(k);
                                 return false;
                               }));
  return oldest;
}

Result<size_t> Catalog::PruneNotifications(const NotificationPrune& prune) {
  const uint64_t last = last_notification();
  uint64_t cut = prune.max_entries > 0 && last > prune.max_entries ? last - prune.max_entries : 0;
  std::vector<std::string> doomed;
  Status decode = Status::Ok();
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(kNotificationTopic),
                               [&](std::string_view k, std::string_view v) {
    const uint64_t seq = keys::QueueSeq(k);
    if (prune.keep_from > 0 && seq >= prune.keep_from) return false;
    bool drop = seq <= cut;
    if (!drop && prune.created_before_ms > 0) {
      auto msg = store::DecodeRecord(v);
      if (!msg.ok()) {
        decode = msg.status();
        return false;
      }
      drop = msg->value("msgCreationTime", int64_t{0}) < prune.created_before_ms;
    }
    if (!drop) return false;  // notifications are in creation order: the rest are newer
    doomed.emplace_back(k);
    return doomed.size() < prune.max_deletes;
  }));
  RETURN_IF_ERROR(decode);
  if (doomed.empty()) return size_t{0};
  store::Batch batch;
  for (const auto& k : doomed) batch.Delete(Family::kQueue, k);
  std::lock_guard<std::mutex> lock(write_mu_);
  RETURN_IF_ERROR(Commit(batch, nullptr));
  return doomed.size();
}

}  // namespace meridian::catalog
