// Catalog: the single owner of entity, relationship, classification and type
// state. Every mutation is validated against the type system and written as
// ONE store WriteBatch that also carries its audit events and the durable
// work-queue entries (search indexing, classification propagation) describing it.
//
// Thread-safety: reads are lock-free (store snapshots of single keys and an
// immutable TypeRegistry snapshot); mutations serialise on an internal mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"
#include "meridian/store/store.h"
#include "meridian/types/type_registry.h"

namespace meridian::catalog {

using nlohmann::json;

// Queue topics written in the same batch as the change they describe.
inline constexpr std::string_view kIndexTopic = "index";              // {"guids":[...]}
inline constexpr std::string_view kPropagationTopic = "propagation";  // {"kind":..., ...}
inline constexpr std::string_view kHookTopic = "hook";                // a received hook message (HookMessage)

struct ReadOptions {
  bool min_ext_info = false;          // referredEntities in minimal (header) form
  bool ignore_relationships = false;  // omit relationshipAttributes
  // Relationship attributes as bare ids {guid, typeName (the end's declared
  // type), relationshipType, relationshipStatus}: no neighbour is read.
  bool reference_ids_only = false;
};

struct AuditQuery {
  int count = 100;
  int offset = 0;
  std::string action;              // filter, e.g. ENTITY_UPDATE
  std::string sort_by = "timestamp";
  bool ascending = false;          // Atlas returns newest first
};

// A mutation's outcome: the EntityMutationResponse body plus the store
// sequence of its batch (searches can wait for the indexer to reach it).
struct Mutation {
  json response = json::object();
  uint64_t sequence = 0;
};

// What one committed mutation changed, for in-memory views kept beside the store.
struct CommitInfo {
  uint64_t sequence = 0;
  std::vector<std::string> entities;  // records written or purged
  // Edge keys written (value set) or deleted (nullopt), as in the edges family.
  std::vector<std::pair<std::string, std::optional<std::string>>> edges;
};

// A notification message received from a hook (REST or Kafka), as kept in the
// hook queue until it is applied or recorded as failed.
struct HookMessage {
  uint64_t sequence = 0;    // queue position: messages are applied in this order
  std::string text;         // the record as received (JSON text)
  std::string source;       // where it came from: "rest" or "kafka:<topic>/<partition>@<offset>"
  std::string digest;       // content digest: a message whose digest was queued before is a redelivery
  int64_t received_ms = 0;
};

// What one hook message changes, decoded from it (meridian/hook/hook_message.h).
struct HookChange {
  enum class Kind { kUpsert, kPartialUpdate, kDelete };
  Kind kind = Kind::kUpsert;
  json entities = json::array();                   // kUpsert: AtlasEntity list (create or update)
  json referred = json::object();                  // kUpsert: referredEntities
  json entity_id;                                  // kPartialUpdate: AtlasObjectId (guid or typeName+uniqueAttributes)
  json attributes = json::object();                // kPartialUpdate: only these change
  json relationship_attributes = json::object();   // kPartialUpdate
  json ids = json::array();                        // kDelete: AtlasObjectIds; absent entities are skipped
  std::string user;                                // recorded as createdBy/updatedBy and in the audit
};

// One part of a split hook message, kept until all its parts are there.
struct HookPart {
  int index = 0;
  int count = 0;
  std::string compression;  // "NONE" or "GZIP"
  std::string chunk;
  int64_t received_ms = 0;
};

// A hook message that could not be applied, kept with its error.
struct HookFailure {
  uint64_t sequence = 0;
  std::string text;
  std::string source;
  std::string error;
  int64_t received_ms = 0;
  int64_t failed_ms = 0;
};

// What Atlas stores for a primitive attribute that an entity leaves unset, and so what reads
// show for it: the attribute's defaultValue, else its type's default (0 for byte, short, int,
// long and biginteger; 0.0 for float, double and bigdecimal; false; epoch 0 for dates; "" for a
// required string). Null when nothing is stored: optional strings without a defaultValue,
// and non-primitive attributes (enums, structs, references, collections).
json UnsetAttributeValue(const types::AttributeDef& def);

class Catalog {
 public:
  struct Options {
    // Default: 10000. Max entities accepted by one bulk write.
    size_t max_entities_per_request = 10000;
  };

  // Loads built-in and stored typedefs. `store` must outlive the catalog.
  static Result<std::unique_ptr<Catalog>> Open(store::Store* store, Options options);

  std::shared_ptr<const types::TypeRegistry> types() const;
  store::Store& store() const { return *store_; }

  // ---- Types (REST /v2/types) ----
  // Request bodies are read as Atlas reads them: null means absent, and each def is
  // normalised (types/typedef_shape.h) before it is stored. Create refuses existing
  // names (ATLAS-409-00-001); update follows Atlas's rules for changing a type. Both
  // answer with the defs they changed (empty lists when nothing was given).
  Result<json> CreateTypes(const json& types_def, const std::string& user);
  Result<json> UpdateTypes(const json& types_def, const std::string& user);
  // `user` is recorded in the admin audit.
  Status DeleteTypes(const json& types_def, const std::string& user = {});
  Status DeleteTypeByName(const std::string& name, const std::string& user = {});

  // ---- Entities ----
  // Raw stored record (direct classifications, no relationship attributes).
  Result<json> LoadRecord(const std::string& guid) const;
  // The stored record's typeName, read without decoding the rest; NotFound
  // (ATLAS-404-00-005) for an unknown guid.
  Result<std::string> TypeNameOf(const std::string& guid) const;
  // Guid of the ACTIVE entity of `type` (or a sub-type) whose unique `attr` is `value`.
  Result<std::string> FindByUniqueAttribute(const std::string& type, const std::string& attr,
                                            const std::string& value) const;
  // AtlasEntityWithExtInfo: {"entity":..., "referredEntities":{...}}.
  Result<json> GetEntity(const std::string& guid, const ReadOptions& opts) const;
  // The Atlas entity object for a stored record; unset primitive attributes read as
  // UnsetAttributeValue (except on incomplete "shell" entities), as Atlas stores them.
  json RenderEntity(const json& record, const ReadOptions& opts) const;
  // AtlasEntityHeader. `with_classifications` adds the full classification list; `meanings`
  // and `meaningNames` list the glossary terms of the entity's active `meanings` relationships.
  json Header(const json& record, bool with_classifications = false) const;
  Result<json> HeaderByGuid(const std::string& guid) const;
  // All classifications of an entity: direct then propagated.
  json Classifications(const json& record) const;

  // POST /entity and /entity/bulk: upsert by guid or unique attributes. As in Atlas,
  // null envelope fields are absent, a null attribute clears it, attributes the type
  // does not define are ignored and enum values match regardless of case.
  Result<Mutation> CreateOrUpdate(const json& entities, const json& referred, const std::string& user);
  // PUT /entity/guid/{g}?name=attr and PUT /entity/uniqueAttribute: only the given attributes change.
  Result<Mutation> PartialUpdate(const std::string& guid, const json& attributes, const json& relationship_attributes,
                                 const std::string& user);
  // Soft delete (status DELETED), cascading to owned children. Unknown guids are ignored.
  Result<Mutation> DeleteEntities(const std::vector<std::string>& guids, const std::string& user);
  // Hard delete of DELETED entities.
  Result<Mutation> PurgeEntities(const std::vector<std::string>& guids, const std::string& user);

  // ---- Classifications and labels ----
  Status AddClassifications(const std::string& guid, const json& classifications, const std::string& user);
  Status UpdateClassifications(const std::string& guid, const json& classifications, const std::string& user);
  Status DeleteClassification(const std::string& guid, const std::string& name, const std::string& source_guid,
                              const std::string& user);
  Status AddClassificationToEntities(const json& classification, const std::vector<std::string>& guids,
                                     const std::string& user);
  enum class LabelOp { kAdd, kSet, kRemove };
  Status ChangeLabels(const std::string& guid, const json& labels, LabelOp op, const std::string& user);
  // Propagated copies of the tag `name` attached to `source_guid`, as computed by
  // the lineage module: adds (or refreshes from `classification`) the copy on
  // each of `add`, removes it from each of `remove`. Idempotent, one batch.
  Status ApplyPropagation(const std::string& source_guid, const json& classification,
                          const std::vector<std::string>& add, const std::vector<std::string>& remove);
  // Entities that currently hold a copy of (`source_guid`, `name`).
  std::vector<std::string> PropagationTargets(const std::string& source_guid, const std::string& name) const;

  // ---- Business metadata (src/catalog/business_metadata.cc) ----
  // `business_attributes` is {bmName: {attr: value}}. Values are validated
  // against the business-metadata defs applicable to the entity's type; any
  // problem fails the whole request with ATLAS-404-00-007 (Atlas's
  // INSTANCE_CRUD_INVALID_PARAMS) listing every message. With `overwrite` the
  // entity's business attributes become exactly the given ones; otherwise the
  // given attributes are added or replaced and the rest kept.
  Status SetBusinessAttributes(const std::string& guid, const json& business_attributes, bool overwrite,
                               const std::string& user);
  // Removes the named attributes ({bmName: {attr: any}}); an empty map for a
  // name removes every attribute of that business metadata.
  Status RemoveBusinessAttributes(const std::string& guid, const json& business_attributes, const std::string& user);
  // Atlas's business-metadata CSV (see BusinessMetadataTemplate): every row
  // applied, failures reported per row; BulkImportResponse. One batch per entity.
  Result<json> ImportBusinessMetadataCsv(const std::string& csv, const std::string& user);
  static std::string BusinessMetadataTemplate();

  // ---- Classification sync (src/catalog/business_metadata.cc) ----
  // GET /entity/bulk/headers: AtlasEntityHeaders {guidHeaderMap} of entities
  // whose classifications changed at or after `from_ms` (from the audit log).
  Result<json> ClassificationChangesSince(int64_t from_ms) const;
  // POST /entity/bulk/setClassifications: for each {guid: header}, the header's
  // classifications become the entity's direct ones (`override`: others are
  // removed; otherwise only added/updated). One batch.
  Status SetClassifications(const json& guid_header_map, bool override, const std::string& user);

  // ---- User records (src/catalog/user_records.cc) ----
  // Small records owned by users (saved searches, download files), keyed by
  // the caller (see docs/storage-format.md). `change` runs under the write
  // lock and returns the puts (value) and deletes (nullopt) to commit as one
  // batch, so read-check-write sequences are atomic.
  using UserRecordChanges = std::vector<std::pair<std::string, std::optional<json>>>;
  Status ChangeUserRecords(const std::function<Result<UserRecordChanges>()>& change);
  // NotFound when absent.
  Result<json> GetUserRecord(std::string_view key) const;
  std::vector<std::pair<std::string, json>> ScanUserRecords(std::string_view prefix) const;

  // ---- Admin audit (src/catalog/user_records.cc) ----
  // AtlasAuditEntry records of type changes, purges and imports, newest first,
  // optionally only those of `operation` and `user`.
  struct AdminAuditQuery {
    std::string operation;
    std::string user;
    int64_t from_ms = 0;
    int64_t to_ms = 0;  // 0: no upper bound
    int limit = 100;
    int offset = 0;
  };
  std::vector<json> AdminAudits(const AdminAuditQuery& query) const;

  // ---- Hook message queue (src/catalog/hook_queue.cc) ----
  // Appends the messages not seen before (by digest) to the hook queue, in one
  // batch with their digests; sets their sequence. Returns how many were new.
  Result<size_t> EnqueueHookMessages(std::vector<HookMessage>& messages);
  // Up to `limit` queued messages after sequence `after`, in order.
  std::vector<HookMessage> PendingHookMessages(uint64_t after, size_t limit) const;
  size_t CountHookMessages() const;
  // Applies `change` and removes message `sequence` from the queue (and the
  // stored parts of split message `split_id`, when given), in ONE batch. On
  // error nothing is written.
  Result<Mutation> ApplyHookMessage(uint64_t sequence, const HookChange& change, const std::string& split_id = {});
  // Removes `message` from the queue (and the parts of `split_id`) and keeps it as a failure with `error`, one batch.
  Status FailHookMessage(const HookMessage& message, const std::string& error, const std::string& split_id = {});
  // Moves queued message `sequence`, part `part` of split message `split_id`, to the part store.
  Status StashHookPart(uint64_t sequence, const std::string& split_id, const HookPart& part);
  // The stored parts of split message `split_id`, by index.
  std::vector<HookPart> HookParts(const std::string& split_id) const;
  // Split-message ids with a part older than `before_ms`.
  std::vector<std::string> StaleHookParts(int64_t before_ms) const;
  // Failed messages, oldest first.
  std::vector<HookFailure> HookFailures(size_t offset, size_t limit) const;
  // Forgets digests of messages received before `before_ms` (redeliveries after that are applied again).
  Status PruneHookDigests(int64_t before_ms);

  // ---- Relationships ----
  Result<json> CreateRelationship(const json& relationship, const std::string& user);
  Result<json> UpdateRelationship(const json& relationship, const std::string& user);
  Result<json> GetRelationship(const std::string& guid, bool extended) const;
  Status DeleteRelationship(const std::string& guid, const std::string& user);
  // Several relationships in one batch: all are created (or deleted), or none.
  Result<json> CreateRelationships(const json& relationships, const std::string& user);
  Status DeleteRelationships(const std::vector<std::string>& guids, const std::string& user);

  // ---- Graph reads (for lineage, DSL, search) ----
  struct Edge {
    std::string attribute;     // attribute name on this entity
    std::string other;         // the neighbour's guid
    std::string relationship;  // relationship guid
    std::string type;          // relationship type name
    bool active = true;
  };
  // Edges of `guid`, optionally only those of one attribute: one prefix scan.
  std::vector<Edge> Edges(const std::string& guid, std::string_view attribute = {}) const;

  // ---- Audit ----
  Result<json> Audit(const std::string& guid, const AuditQuery& query) const;

  // Registers `fn`, called after every entity/relationship commit, in commit
  // order and under the write lock: it must be quick and must not write.
  // Register before serving, or from inside RunExclusive.
  void AddCommitObserver(std::function<void(const CommitInfo&)> fn) { observers_.push_back(std::move(fn)); }
  // Runs `fn` with mutations paused: nothing commits while it runs. For
  // building in-memory views from the store while the server already serves.
  void RunExclusive(const std::function<void()>& fn) {
    std::lock_guard<std::mutex> lock(write_mu_);
    fn();
  }

  // Last sequence written (for read-your-writes waits).
  uint64_t last_sequence() const { return last_sequence_.load(); }

 private:
  friend class WriteContext;
  Catalog(store::Store* store, Options options) : store_(store), options_(options) {}
  Status LoadTypes();
  Result<json> ChangeTypes(const json& types_def, const std::string& user, bool update);
  Status Commit(store::Batch& batch, uint64_t* sequence);
  // Adds an AtlasAuditEntry (operation TYPE_DEF_CREATE, PURGE, IMPORT, ...) to `batch`.
  void AddAdminAudit(store::Batch& batch, const std::string& operation, const std::string& user, int64_t start_ms,
                     const json& params, const json& result, int result_count);
  void NotifyCommit(const CommitInfo& info) const {
    for (const auto& fn : observers_) fn(info);
  }
  void PublishTypes(std::shared_ptr<const types::TypeRegistry> reg);

  store::Store* store_;
  Options options_;
  mutable std::mutex types_mu_;
  std::shared_ptr<const types::TypeRegistry> types_;  // GUARDED_BY(types_mu_)
  std::mutex write_mu_;  // serialises mutations
  std::atomic<uint64_t> last_sequence_{0};
  std::vector<std::function<void(const CommitInfo&)>> observers_;
};

// Helpers shared by catalog users.
int64_t NowMillis();
std::string NewGuid();
bool IsPlaceholderGuid(std::string_view guid);

}  // namespace meridian::catalog
