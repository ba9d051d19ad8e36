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
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
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
// Atlas V2 entity notifications (the ATLAS_ENTITIES envelope), numbered 1, 2, 3, ... without gaps.
inline constexpr std::string_view kNotificationTopic = "notifications";

// One entity-change notification as kept in the queue: its sequence number and
// Atlas's envelope {version, msgCompressionKind, msgCreationTime, message: EntityNotificationV2, ...}.
struct StoredNotification {
  uint64_t sequence = 0;
  json message;
};

// What PruneNotifications removes: the notifications beyond the newest
// `max_entries` and those created before `created_before_ms`, but never
// `keep_from` or later. 0 switches a limit off.
struct NotificationPrune {
  uint64_t max_entries = 0;
  int64_t created_before_ms = 0;
  uint64_t keep_from = 0;   // 0: no pin
  size_t max_deletes = 10000;  // per call; call again while it returns this many
};
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

// One relationship edge as stored on an entity.
struct Edge {
  std::string attribute;     // attribute name on this entity
  std::string other;         // the neighbour's guid
  std::string relationship;  // relationship guid
  std::string type;          // relationship type name
  bool active = true;
};

// An edge of entity `guid` written or removed by a commit.
struct EdgeChange {
  std::string guid;
  Edge edge;  // its state after the commit (attribute and other only, when removed)
  bool removed = false;
};

// What one committed mutation changed, for in-memory views kept beside the store.
struct CommitInfo {
  uint64_t sequence = 0;
  std::vector<std::string> entities;  // records written or purged
  std::vector<EdgeChange> edges;
  bool propagation_queued = false;  // the batch queued tag-propagation tasks
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

  // Loads built-in and stored typedefs. `store` must outlive the catalog, and nothing
  // else may use it: the catalog is its only reader and writer.
  static Result<std::unique_ptr<Catalog>> Open(store::Store* store, Options options);

  std::shared_ptr<const types::TypeRegistry> types() const;

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
  // The record's scalar fields only (store::DecodeRecordSummary): cheaper, for
  // showing it as a reference.
  Result<json> LoadRecordSummary(const std::string& guid) const;
  // LoadRecordSummary of each of `guids` (result i for guids[i]) in one batched read;
  // with `with_classifications`, each also holds its "classifications" and
  // "propagatedClassifications" arrays in full.
  std::vector<Result<json>> LoadRecordSummaries(const std::vector<std::string>& guids,
                                                bool with_classifications = false) const;
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
  // and `meaningNames` list the glossary terms of the entity's active `meanings` relationships
  // (`look_up_meanings` false skips that store scan, for an entity known to have none).
  json Header(const json& record, bool with_classifications = false, bool look_up_meanings = true) const;
  Result<json> HeaderByGuid(const std::string& guid) const;
  // All classifications of an entity: direct then propagated.
  json Classifications(const json& record) const;

  // Puts (value) and deletes (nullopt) of user records (see ChangeUserRecords).
  using UserRecordChanges = std::vector<std::pair<std::string, std::optional<json>>>;

  // POST /entity and /entity/bulk: upsert by guid or unique attributes. As in Atlas,
  // null envelope fields are absent, a null attribute clears it, attributes the type
  // does not define are ignored and enum values match regardless of case. A new entity
  // whose body has "isIncomplete": true is stored as a shell; a body without it that
  // changes a shell's attributes completes the shell. `records` are written in the
  // same batch (a module's own index of the entities it writes).
  Result<Mutation> CreateOrUpdate(const json& entities, const json& referred, const std::string& user,
                                  const UserRecordChanges& records = {});
  // A set of entity changes written as one batch (an OpenLineage event, say).
  struct EntityChanges {
    struct Update {
      std::string guid;
      json attributes = json::object();  // as PartialUpdate; a changed unique attribute is re-keyed
      json relationship_attributes = json::object();
    };
    std::vector<Update> updates;       // applied first (renames)
    json entities = json::array();     // then upserted as CreateOrUpdate (may be empty)
    std::vector<std::string> deletes;  // then soft-deleted with their owned children; absent or deleted: skipped
    UserRecordChanges records;         // written with them
  };
  // Applies `changes` in that order, in one batch: nothing is written on error (the errors
  // of PartialUpdate, CreateOrUpdate and DeleteEntities). Audits and notifications as each.
  Result<Mutation> ApplyEntityChanges(const EntityChanges& changes, const std::string& user);
  // Import of an exported entity set (one batch): as CreateOrUpdate, keeping the
  // given guids of new entities and their createTime/updateTime/createdBy/updatedBy;
  // the direct classifications of existing entities become the given ones
  // (propagated copies are recomputed by the propagation worker, never taken); entities
  // whose status is DELETED are soft-deleted. An incoming entity that exists here under
  // another guid (same unique attributes) keeps the local guid: references to the incoming
  // one resolve to it, and guidAssignments maps incoming → local.
  Result<Mutation> ImportEntities(const json& entities, const json& referred, const std::string& user);
  // PUT /entity/guid/{g}?name=attr and PUT /entity/uniqueAttribute: only the given attributes change.
  Result<Mutation> PartialUpdate(const std::string& guid, const json& attributes, const json& relationship_attributes,
                                 const std::string& user);
  // Replication marks, as Atlas records them: adds `server` (an AtlasServer's AtlasObjectId
  // {guid, typeName}) to the soft-reference set `attribute` ("replicatedTo" or
  // "replicatedFrom") of each entity, without a new version, update time, audit or
  // notification. One batch per 1,000 entities; unknown guids are skipped.
  Status MarkReplicated(const std::vector<std::string>& guids, const std::string& attribute, const json& server,
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
  // Records an export or import (`operation` EXPORT or IMPORT) in one batch: an
  // admin audit entry and `exchange_entry` (an ExportImportAuditEntry) for ExchangeAudits.
  Status RecordExchange(const std::string& operation, const std::string& user, int64_t start_ms, const json& params,
                        const json& result, int result_count, const json& exchange_entry);
  // ExportImportAuditEntry records, oldest first.
  std::vector<json> ExchangeAudits() const;

  // ---- Entity-change notifications (src/catalog/notifications.cc) ----
  // Every committed change writes, in its own batch, Atlas's V2 entity notifications
  // (ENTITY_CREATE/UPDATE/DELETE, CLASSIFICATION_ADD/UPDATE/DELETE, including propagated
  // copies, LABEL_ADD/DELETE, RELATIONSHIP_CREATE/UPDATE/DELETE for relationship requests).
  // Up to `limit` notifications with a sequence above `after`, oldest first. Errors: store reads.
  Result<std::vector<StoredNotification>> NotificationsAfter(uint64_t after, size_t limit) const;
  // Sequence of the last notification written (0: none yet). Survives restarts.
  uint64_t last_notification() const { return last_notification_.load(); }
  // Sequence of the oldest retained notification; last_notification() + 1 when none is.
  Result<uint64_t> OldestNotification() const;
  // Deletes old notifications per `prune` (one batch); the number deleted.
  Result<size_t> PruneNotifications(const NotificationPrune& prune);

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
  using Edge = catalog::Edge;
  // Edges of `guid`, optionally only those of one attribute: one prefix scan.
  std::vector<Edge> Edges(const std::string& guid, std::string_view attribute = {}) const;
  // Edges of each of `guids` (result i for guids[i]; guids must be distinct): one
  // iterator for all of them, cheaper than an Edges call each.
  std::vector<std::vector<Edge>> EdgesOfEach(const std::vector<std::string>& guids) const;
  // Every stored edge on one of `attributes`, as (entity guid, edge), in key order:
  // one pass over all edges. `fn` returns false to stop. Fails only when the store does.
  Status ScanEdges(const std::vector<std::string>& attributes,
                   const std::function<bool(std::string_view guid, const Edge& edge)>& fn) const;
  // Guids of every entity of exactly `type`, any status, in guid order; `fn` returns false to stop.
  Status ScanTypeGuids(std::string_view type, const std::function<bool(std::string_view guid)>& fn) const;
  // True when `guid` is an entity of exactly `type` (any status).
  bool IsEntityOfType(std::string_view guid, std::string_view type) const;
  // Passes the record of each of `guids` to `fn` in order: an absent one as NotFound, one
  // that cannot be decoded as its error. Fails only when the store cannot be read; `fn`
  // returns false to stop.
  Status LoadRecords(const std::vector<std::string>& guids,
                     const std::function<bool(const std::string& guid, Result<json> record)>& fn) const;
  // Every stored entity record (PURGED ones included) in guid order; a record that
  // cannot be decoded is passed as its error. `fn` returns false to stop.
  Status ScanRecords(const std::function<bool(const std::string& guid, Result<json> record)>& fn) const;
  // Raw stored relationship record; NotFound (ATLAS-404-00-00C) when absent.
  Result<json> LoadRelationshipRecord(const std::string& guid) const;
  // Every stored relationship record; records that cannot be decoded are skipped.
  Status ScanRelationshipRecords(const std::function<bool(const json& record)>& fn) const;

  // ---- Durable work queue ----
  // Entries are written in the batch of the change they describe (kIndexTopic,
  // kPropagationTopic), so a consumer that reads after its position, applies, and then
  // acknowledges never misses a change across a crash. Errors of the store are returned,
  // never shown as an empty queue.
  struct QueueEntry {
    uint64_t sequence = 0;
    json task;  // null when the entry cannot be decoded
  };
  // Up to `limit` entries of `topic` with a sequence above `after`, in sequence order.
  Status ReadQueue(std::string_view topic, uint64_t after, size_t limit, std::vector<QueueEntry>* out) const;
  // Deletes the entries of `topic` with a sequence in (after, through], in batches,
  // except those held back: when the write fence fails (a follower: it acknowledges
  // nothing and returns Ok; the leader's deletions arrive by replication) and those
  // above the topic's ack floor (SetQueueAckFloor). Held-back entries are deleted by
  // a later AckQueue of the topic once the fence passes and the floor has passed them,
  // even when that call's `after` is beyond them (kept in memory: after a restart the
  // consumer reads them again from the start).
  Status AckQueue(std::string_view topic, uint64_t after, uint64_t through);
  // Ack floor of `topic`: AckQueue never deletes its entries with a sequence above
  // floor() (followers still need them for their own views). `floor` is called under
  // an internal lock and must be quick; null removes the floor. Any time, any thread.
  void SetQueueAckFloor(std::string_view topic, std::function<uint64_t()> floor);
  // Sequence of the last entry of `topic` (0 when empty).
  Result<uint64_t> LastQueued(std::string_view topic) const;
  // Highest sequence up to which entries of `topic` were deleted (0: none ever were). A
  // consumer whose position is below it has missed entries (a follower whose consumer
  // fell behind the leader's).
  Result<uint64_t> QueueAckedThrough(std::string_view topic) const;
  // Number of entries of `topic` with a sequence above `after`.
  Result<uint64_t> CountQueued(std::string_view topic, uint64_t after) const;

  // ---- Backup ----
  // A consistent point-in-time copy of the store in `dir` (which must not exist);
  // *sequence is the last sequence it holds: every write acknowledged before the call.
  // *log_position (optional): the copy's LogPosition, where a follower bootstrapped
  // from it continues with ReadLog.
  Status Checkpoint(const std::string& dir, uint64_t* sequence, uint64_t* log_position = nullptr) const;
  // Memory the store holds now (memtables, block cache, table readers).
  store::Store::MemoryUsage StoreMemory() const;
  // The store's flushes and compactions now (see Store::Background).
  store::Store::BackgroundWork StoreBackground() const;
  // The sequence held by a copy made by Checkpoint; fails when it cannot be read.
  static Status ReadCheckpointSequence(const std::string& dir, uint64_t* sequence);
  // The log position of a store directory (a copy made by Checkpoint, or a data dir's
  // store/ before it is opened); 0 when it does not exist. See Store::ReadLogPosition.
  static Status ReadCheckpointLogPosition(const std::string& dir, uint64_t* log_position);

  // ---- Replication (src/catalog/replication.cc) ----
  // One leader writes; followers apply its write-ahead log unchanged (store.h), so
  // every replica's store, and LogPosition, are identical at the same point of the log.
  // Last log position written (Store::LogPosition).
  uint64_t LogPosition() const;
  // The leader's batches after `after`, about `max_bytes` of them (Store::ReadLog:
  // NotFound when purged, FailedPrecondition when `after` is beyond this log).
  Status ReadLog(uint64_t after, size_t max_bytes, std::vector<store::LogBatch>* out) const;
  // Follower: applies one leader batch (Store::ApplyLogBatch: in order only, bypassing
  // the write fence) under the write lock, then updates what a local commit updates:
  // last_sequence(), last_notification(), the type registry when the batch changes
  // typedefs (a registry that cannot be rebuilt is logged and the old one kept), and
  // calls the commit observers with the entities and edges the batch wrote or removed.
  // Errors: those of Store::ApplyLogBatch; nothing is written then.
  Status ApplyReplicated(const store::LogBatch& batch);
  // Write fence (Store::SetWriteFence): while `fence` fails, every catalog write fails
  // with its status and writes nothing, AckQueue acknowledges nothing (Ok), and the
  // background writers (propagation, hook, notification retention) idle. Null removes it.
  void SetWriteFence(std::function<Status()> fence);
  // Ok when no fence is set or it passes; otherwise the fence's status.
  Status WriteAllowed() const;

  // ---- Audit ----
  Result<json> Audit(const std::string& guid, const AuditQuery& query) const;

  // Registers `fn`, called after every entity/relationship commit, in commit
  // order and under the write lock: it must be quick and must not write.
  // Thread-safe, also while commits run; from inside RunExclusive, `fn` sees every
  // commit after the ones RunExclusive paused.
  void AddCommitObserver(std::function<void(const CommitInfo&)> fn) {
    std::unique_lock lock(observers_mu_);
    observers_.push_back(std::move(fn));
  }
  // Runs `fn` with mutations paused: nothing commits while it runs. For
  // building in-memory views from the store while the server already serves.
  void RunExclusive(const std::function<void()>& fn) {
    std::lock_guard<std::mutex> lock(write_mu_);
    fn();
  }

  // Last sequence written (for read-your-writes waits): the commit sequence of the last
  // write, local or replicated (after Open: the one persisted in the store). Never decreases.
  uint64_t last_sequence() const { return last_sequence_.load(); }

 private:
  // Reads the stored records of `guids` in bounded batches (one MultiGet each) and
  // calls fn(i, status, bytes) for guids[i] in order; fn returns false to stop.
  void ForEachStoredRecord(const std::vector<std::string>& guids,
                           const std::function<bool(size_t i, const Status& got, std::string_view bytes)>& fn) const;
  friend class WriteContext;
  Catalog(store::Store* store, Options options) : store_(store), options_(options) {}
  Status LoadTypes();
  Status LoadNotificationSequence();
  Result<json> ChangeTypes(const json& types_def, const std::string& user, bool update);
  Result<Mutation> Upsert(const json& entities, const json& referred, const std::string& user, bool import,
                          const UserRecordChanges& records);
  Status Commit(store::Batch& batch, uint64_t* sequence);
  // Adds an AtlasAuditEntry (operation TYPE_DEF_CREATE, PURGE, IMPORT, ...) to `batch`.
  void AddAdminAudit(store::Batch& batch, const std::string& operation, const std::string& user, int64_t start_ms,
                     const json& params, const json& result, int result_count);
  void NotifyCommit(const CommitInfo& info) const {
    std::shared_lock lock(observers_mu_);
    for (const auto& fn : observers_) fn(info);
  }
  void PublishTypes(std::shared_ptr<const types::TypeRegistry> reg);

  store::Store* store_;
  Options options_;
  mutable std::mutex types_mu_;
  std::shared_ptr<const types::TypeRegistry> types_;  // GUARDED_BY(types_mu_)
  std::mutex write_mu_;  // serialises mutations
  std::atomic<uint64_t> last_sequence_{0};
  std::atomic<uint64_t> last_notification_{0};  // written under write_mu_
  // Taken after write_mu_ where both are held (NotifyCommit, AddCommitObserver inside RunExclusive).
  mutable std::shared_mutex observers_mu_;
  std::vector<std::function<void(const CommitInfo&)>> observers_;  // GUARDED_BY(observers_mu_)
  // AckQueue's state per topic: its floor and the acknowledged entries still kept.
  struct AckState {
    std::function<uint64_t()> floor;  // null: none
    std::optional<uint64_t> held;     // entries above this (up to an acknowledged `through`) are still stored
  };
  Status DeleteQueued(std::string_view topic, uint64_t after, uint64_t through);
  std::mutex ack_mu_;
  std::map<std::string, AckState, std::less<>> acks_;  // GUARDED_BY(ack_mu_)
};

// Helpers shared by catalog users.
int64_t NowMillis();
// A new random guid, time-ordered (UUID version 7): guids made later sort later.
std::string NewGuid();
bool IsPlaceholderGuid(std::string_view guid);

}  // namespace meridian::catalog
