// WriteContext: the pending state of one catalog mutation. It reads through to
// the store, records every change in memory, validates the result and turns it
// into one store::Batch (records, unique and type indexes, edges, relationships,
// audit events and queue entries).
// Not thread-safe: used under Catalog::write_mu_.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog_internal.h"

namespace meridian::catalog {

class WriteContext {
 public:
  WriteContext(Catalog& catalog, std::string user);

  const types::TypeRegistry& reg() const { return *reg_; }
  int64_t now() const { return now_; }
  const std::string& user() const { return user_; }

  // The pending record of `guid` (loaded on first use); NotFound if absent.
  Result<json*> Load(const std::string& guid);
  // The type name of `guid`, pending or stored, without loading its record
  // (references only need the type); NotFound if absent.
  Result<std::string> TypeOf(const std::string& guid);
  bool Exists(const std::string& guid);
  // Starts a new entity record.
  json* Create(const std::string& guid, const std::string& type_name);

  // Marks a record changed, with an audit action (ENTITY_UPDATE, CLASSIFICATION_ADD, ...).
  void Touch(const std::string& guid, const std::string& action, const std::string& details);

  // Unique-attribute lookup over the pending state and the store (ACTIVE only).
  std::optional<std::string> FindUnique(const std::string& type, const std::string& attr, const std::string& value);
  void RegisterPendingUnique(const std::string& type, const std::string& attr, const std::string& value,
                             const std::string& guid);

  // Active edges of `guid` on `attr` (pending changes applied).
  std::vector<Catalog::Edge> ActiveEdges(const std::string& guid, const std::string& attr);
  std::vector<Catalog::Edge> AllEdges(const std::string& guid);
  // False when `guid` was created by this mutation and got no edge on `attr`:
  // its stored edges are exactly this mutation's.
  bool MayHaveEdges(const std::string& guid, std::string_view attr) const;

  // Creates the relationship for attribute `end` of `a` pointing at `b` unless an
  // active one exists; detaches single-valued ends that pointed elsewhere.
  Status Link(const std::string& a, const types::RelationshipEnd& end, const std::string& b, const json& attributes,
              std::string* relationship_guid = nullptr);
  // Removes (soft-deletes) a relationship and its edges.
  Status Unlink(const std::string& relationship_guid);
  // Sets relationship attribute `attr` of `guid` to exactly `targets` (resolved guids).
  Status ReplaceRelationshipAttribute(const std::string& guid, const std::string& attr,
                                      const std::vector<std::pair<std::string, std::string>>& targets_with_type);
  // Soft-deletes an entity and its owned children.
  Status SoftDelete(const std::string& guid);
  Status Purge(const std::string& guid);

  Result<json*> LoadRelationship(const std::string& guid);
  void PutRelationship(const json& rel);

  void QueuePropagation(json task) { propagation_tasks_.push_back(std::move(task)); }
  void SetPropagationIndex(const std::string& source, const std::string& name, const std::string& target, bool present);

  // A RELATIONSHIP_CREATE/UPDATE/DELETE notification for `guid`, built at commit
  // from the relationship's final state (src/catalog/notifications.cc).
  void AnnounceRelationship(const std::string& guid, std::string operation);

  // An AtlasAuditEntry (PURGE, IMPORT, ...) written with the batch.
  void AddAdminAudit(std::string operation, json params, json result, int count) {
    admin_audits_.push_back({{"operation", std::move(operation)}, {"params", std::move(params)},
                             {"result", std::move(result)}, {"count", count}});
  }

  // A user record put (value) or deleted (nullopt) with the batch.
  void PutUserRecord(const std::string& key, const std::optional<json>& value) { user_records_.emplace_back(key, value); }
  // A key outside the entity model (queue bookkeeping) written (value) or deleted
  // (nullopt) with this mutation's batch.
  void AddBookkeeping(store::Family family, std::string key, std::optional<std::string> value) {
    bookkeeping_.push_back({family, std::move(key), std::move(value)});
  }

  // Writes a loaded record again without a new version, update time, audit or
  // notification (bookkeeping such as replication marks); it is reindexed.
  void Rewrite(const std::string& guid) {
    if (records_.count(guid)) touched_set_.insert(guid);
  }

  const std::vector<std::string>& created() const { return created_; }
  const std::vector<std::string>& updated() const { return updated_; }
  const std::vector<std::string>& deleted() const { return deleted_; }
  const std::vector<std::string>& purged() const { return purged_; }
  bool IsCreated(const std::string& guid) const { return created_set_.count(guid) > 0; }

  // Validates unique attributes and writes everything as one batch.
  Status Commit(uint64_t* sequence);

 private:
  struct Pending {
    json record;
    bool stored = false;                       // the record existed before this mutation
    std::vector<std::string> original_unique;  // its unique keys as stored
  };
  // Stored edges of `guid` whose keys start with `prefix`, pending changes applied.
  std::vector<Catalog::Edge> EdgesWithPrefix(const std::string& guid, const std::string& prefix);
  void PutEdge(const std::string& guid, const std::string& attr, const std::string& other, const std::string& value);
  void DeleteEdge(const std::string& guid, const std::string& attr, const std::string& other);
  std::vector<std::string> UniqueKeys(const json& record) const;
  // Adds this mutation's entity notifications to `batch`, numbered after the
  // catalog's last one; returns the new last sequence (src/catalog/notifications.cc).
  uint64_t WriteNotifications(store::Batch& batch);
  // AtlasObjectId {guid, typeName, uniqueAttributes} of a relationship end.
  json NotificationEnd(const json& end);

  Catalog& catalog_;
  std::shared_ptr<const types::TypeRegistry> reg_;
  std::string user_;
  int64_t now_;
  std::map<std::string, Pending> records_;
  std::map<std::string, std::string> pending_unique_;          // unique key -> guid
  std::map<std::string, std::optional<std::string>> edges_;    // edge key -> value (nullopt: deleted)
  std::map<std::string, json> relationships_;
  std::map<std::string, std::string> types_;  // guid -> type name of referenced, unloaded records
  std::set<std::string> absent_unique_;       // unique keys the store was asked for and lacks
  std::map<std::string, std::optional<bool>> propagation_index_;  // key -> present?
  std::vector<std::string> created_, updated_, deleted_, purged_;
  std::set<std::string> created_set_, touched_set_;
  std::vector<std::pair<std::string, json>> audits_;  // guid, event
  std::vector<json> propagation_tasks_;
  std::vector<json> admin_audits_;
  std::vector<std::pair<std::string, std::string>> relationship_events_;  // guid, operation
  std::vector<std::pair<std::string, std::optional<json>>> user_records_;
  std::set<std::string> linked_;  // ends of lineage-carrying relationships created here
  struct Bookkeeping {
    store::Family family;
    std::string key;
    std::optional<std::string> value;
  };
  std::vector<Bookkeeping> bookkeeping_;
};

namespace internal {
// The bodies of Catalog::CreateOrUpdate (on bodies from EntityBodies) and Catalog::PartialUpdate
// on an open context (write lock held); the caller commits. `assigned` receives placeholder -> guid.
// `create_shells`: references by unique attributes to absent entities create shell entities.
// `import`: as Catalog::ImportEntities (given guids and stamps kept, classifications replaced).
Status UpsertEntities(WriteContext& ctx, std::vector<json> bodies, std::map<std::string, std::string>* assigned,
                      bool create_shells = false, bool import = false);
// The entity bodies of a create/update request (`entities` a list, `referred` an object by
// guid or null), without their null fields; InvalidArgument for a malformed or empty request.
// Needs no catalog state: callers run it before taking the write lock.
Result<std::vector<json>> EntityBodies(const json& entities, const json& referred);
Status PartiallyUpdateEntity(WriteContext& ctx, const std::string& guid, const json& attributes,
                             const json& relationship_attributes);
}  // namespace internal

}  // namespace meridian::catalog
