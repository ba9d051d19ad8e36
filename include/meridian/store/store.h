// Store: Meridian's embedded graph store on RocksDB.
//
// One column family per concern (see docs/storage-format.md):
//   meta           schema version, sequence counter
//   entities       guid -> entity record
//   unique         type \0 attr \0 value -> guid        (ACTIVE entities only)
//   type_index     type \0 guid -> ""                    (every entity, any status)
//   edges          guid \0 attr \0 other guid -> edge    (both directions of a relationship)
//   relationships  relationship guid -> relationship record
//   typedefs       type name -> typedef JSON            (user-defined and changed types)
//   audit          guid \0 be64(ms) \0 be64(seq) -> event
//   queue          topic \0 be64(seq) -> task            (durable work for indexer/propagation)
//   propagations   source guid \0 tag \0 target guid -> "" (where a tag's propagated copies are)
//   user_data      kind \0 ... -> record                  (saved searches, search-result downloads)
//   admin_audit    be64(ms) \0 be64(seq) -> AtlasAuditEntry (type changes, purges, imports)
// Every mutation goes through one WriteBatch (Store::Write), so it is atomic.
//
// Disk full and I/O errors: a write that cannot be persisted fails with
// InsufficientStorage (HTTP 507) and leaves the store unchanged; reads keep
// working. RocksDB then stops taking writes; the next write retries recovery
// (DB::Resume, at most once a second), so writes succeed again once space
// returns, without a restart. RocksDB's info log goes to the process log (spdlog, warnings and
// above), never to a file of its own that could fill the disk.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace rocksdb {
class Cache;
class DB;
class ColumnFamilyHandle;
class WriteBatch;
class TransactionLogIterator;
}  // namespace rocksdb

namespace meridian::store {

enum class Family : int {
  kMeta = 0, kEntities, kUnique, kTypeIndex, kEdges, kRelationships, kTypedefs, kAudit, kQueue, kPropagations,
  kUserData, kAdminAudit, kCount
};

struct StoreOptions {
  // Default: 256. RocksDB block cache shared by all column families.
  size_t block_cache_mb = 256;
  // Default: 64. Memory for memtables of all column families together, charged to
  // the block cache: RocksDB's memory stays within block_cache_mb (plus index and
  // filter blocks of open files, which are cached too). Past it, the largest
  // memtable is flushed.
  size_t memtable_budget_mb = 64;
  // Default: false. fsync the WAL on every write; without it an acknowledged
  // write survives a process crash (kill -9) but not a power loss.
  bool sync_writes = false;
  // Default: 0 (RocksDB's default: write-ahead log files are deleted once their data
  // is flushed). > 0: flushed log files are kept (archived) up to this many MB and at
  // most an hour, so that a follower can fetch batches with ReadLog after a pause.
  size_t wal_retention_mb = 0;
};

// One committed write batch as it appears in the write-ahead log.
struct LogBatch {
  uint64_t sequence = 0;  // RocksDB sequence number of the batch's first operation
  uint32_t count = 0;     // operations in it: the next batch starts at sequence + count
  std::string data;       // the rocksdb::WriteBatch representation (WriteBatch::Data())
};

// One operation of a replicated batch, decoded for in-memory views.
struct LogOp {
  Family family;
  std::string key;
  std::string value;  // empty when deleted
  bool deleted = false;
};

// Bytes that key and value encoders produce.
namespace keys {
std::string Unique(std::string_view type, std::string_view attr, std::string_view value);
std::string TypeIndex(std::string_view type, std::string_view guid);
std::string TypePrefix(std::string_view type);
std::string Edge(std::string_view guid, std::string_view attr, std::string_view other);
std::string EdgePrefix(std::string_view guid);
std::string EdgePrefix(std::string_view guid, std::string_view attr);
// Splits an edge key into (attr, other guid); returns false if malformed.
bool ParseEdge(std::string_view key, std::string_view* attr, std::string_view* other);
std::string Audit(std::string_view guid, uint64_t ms, uint64_t seq);
std::string AuditPrefix(std::string_view guid);
std::string Queue(std::string_view topic, uint64_t seq);
std::string QueuePrefix(std::string_view topic);
uint64_t QueueSeq(std::string_view key);
void PutBigEndian64(std::string* out, uint64_t v);
uint64_t GetBigEndian64(std::string_view in);
}  // namespace keys

// Value of an edge key: the relationship's guid, whether it is ACTIVE, and its type.
struct EdgeValue {
  std::string relationship;
  bool active = true;
  std::string type;
};
std::string EncodeEdgeValue(const EdgeValue& edge);
// Lenient: a value without status or type reads as ACTIVE with an empty type.
EdgeValue DecodeEdgeValue(std::string_view value);

// Compact binary encoding of a JSON record (MessagePack).
std::string EncodeRecord(const nlohmann::json& j);
Result<nlohmann::json> DecodeRecord(std::string_view bytes);
// An encoded record with only its scalar fields: the top-level ones (typeName,
// guid, status, ...) and the scalar values of "attributes"; arrays and maps are
// skipped without being built, except the top-level fields named in `whole_fields`,
// which are built in full. Enough to show the record as a reference.
Result<nlohmann::json> DecodeRecordSummary(std::string_view bytes, std::span<const std::string_view> whole_fields = {});
// One top-level string field of an encoded record (e.g. "typeName"), read
// without building the record: NotFound if absent or not a string.
Result<std::string> DecodeRecordString(std::string_view bytes, std::string_view field);

class Store;

// A set of mutations applied atomically by Store::Write.
class Batch {
 public:
  void Put(Family f, std::string_view key, std::string_view value) {
    ops_.push_back({f, std::string(key), std::string(value), false});
  }
  void Delete(Family f, std::string_view key) { ops_.push_back({f, std::string(key), {}, true}); }
  size_t Count() const { return ops_.size(); }

 private:
  friend class Store;
  struct Op { Family f; std::string key; std::string value; bool del; };
  std::vector<Op> ops_;
};

class Store {
 public:
  static constexpr uint32_t kSchemaVersion = 1;

  // Opens or creates the store in `dir`. Fails if the on-disk schema version
  // is not kSchemaVersion.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  ~Store();

  // NotFound when the key is absent.
  Status Get(Family f, std::string_view key, std::string* value) const;
  bool Exists(Family f, std::string_view key) const;
  // Visits keys starting with `prefix` in order, beginning after `start_after`
  // when given. `fn` returns false to stop.
  Status Scan(Family f, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& fn,
              std::string_view start_after = {}) const;
  // Batched Get of every key in `keys` (one read of each block they share): (*values)[i]
  // and the returned status i belong to keys[i]; NotFound for an absent key.
  std::vector<Status> MultiGet(Family f, const std::vector<std::string>& keys, std::vector<std::string>* values) const;
  // Scan of each of `prefixes` with one iterator (cheaper than a Scan each): fn gets the
  // index of the prefix a key belongs to; prefixes are visited in ascending order, each
  // key once even where prefixes overlap. `fn` returns false to stop.
  Status ScanPrefixes(Family f, const std::vector<std::string>& prefixes,
                      const std::function<bool(size_t prefix, std::string_view key, std::string_view value)>& fn) const;
  // Writes `batch` atomically (with the persisted sequence). When a write fence is
  // set and fails, returns its status and writes nothing.
  Status Write(Batch& batch);

  // A process-wide increasing sequence, persisted with the next Write.
  uint64_t NextSequence();
  // The last value NextSequence returned (or the persisted one, after Open or ApplyLogBatch).
  uint64_t CurrentSequence() const { return sequence_.load(); }
  // Writes a consistent point-in-time copy of the store to `dir` (must not
  // exist; hard links where possible) and sets *sequence to the sequence
  // persisted in that copy: every write acknowledged before the call is in it.
  // *log_position (optional) is the LogPosition of the copy: a follower that opens
  // it continues with ReadLog(*log_position).
  Status Checkpoint(const std::string& dir, uint64_t* sequence, uint64_t* log_position = nullptr) const;
  // Opens the RocksDB directory `store_dir` (e.g. a checkpoint) read-only and
  // sets *sequence to its persisted sequence. Fails when it cannot be read.
  static Status ReadSequence(const std::string& store_dir, uint64_t* sequence);

  // ---- Replication (one leader writes; followers apply its log unchanged) ----
  // Every replica that applied the same log has the same RocksDB sequence numbers,
  // so a follower can continue from any replica's log after a failover.

  // Last RocksDB sequence number written (0 for a new store): identical on every
  // replica at the same point of the log.
  uint64_t LogPosition() const;
  // Appends to *out (cleared first) the batches whose operations lie after `after`
  // (a LogPosition), in order, until about `max_bytes` of data (at least one batch
  // when any exists). OK with no batches when nothing is newer. Errors:
  // NotFound when the log no longer holds `after + 1` (purged, see wal_retention_mb:
  // the reader must start again from a checkpoint); FailedPrecondition when `after`
  // is beyond this store's log (the reader has writes this store never had) or not
  // at a batch boundary; Internal when the log cannot be read.
  Status ReadLog(uint64_t after, size_t max_bytes, std::vector<LogBatch>* out) const;
  // Follower side: writes `batch` exactly as the leader wrote it, bypassing the write
  // fence and honouring sync_writes. FailedPrecondition (nothing written) unless
  // batch.sequence == LogPosition() + 1: batches are never applied out of order or
  // twice. InvalidArgument when the data is not a well-formed batch of `count`
  // operations of known families (Put and Delete only). Sets the process-wide sequence
  // to the one persisted in the batch, so NextSequence continues from it after a
  // promotion. Appends the batch's operations to *ops (optional), in batch order.
  Status ApplyLogBatch(const LogBatch& batch, std::vector<LogOp>* ops);
  // Fencing: when set, every Write() first calls `fence` under the write lock and
  // fails with its status (nothing written) unless it is Ok; null removes the fence.
  // `fence` must be quick and must not use the store. May be called at any time.
  void SetWriteFence(std::function<Status()> fence);
  // Ok when no fence is set or it passes; else the fence's status.
  Status CheckWriteFence() const;
  // Log position of a store directory (e.g. a data dir's store/ before opening it,
  // or a checkpoint), opened read-only; 0 when it does not exist. Internal when it
  // exists but cannot be read.
  static Status ReadLogPosition(const std::string& store_dir, uint64_t* log_position);
  // Approximate number of keys in a family (RocksDB estimate).
  uint64_t EstimateKeys(Family f) const;
  // Bytes of memory RocksDB holds now.
  struct MemoryUsage {
    uint64_t memtables = 0;      // all column families, mutable and immutable
    uint64_t block_cache = 0;    // cached blocks, memtable reservations included
    uint64_t table_readers = 0;  // index and filter blocks held outside the cache
  };
  MemoryUsage Memory() const;
  // Flushes and compactions RocksDB runs now, and the bytes its compactions still owe
  // (estimate). Both fall to 0 once the store has settled after a burst of writes.
  struct BackgroundWork {
    uint64_t running = 0;        // flushes and compactions in progress
    uint64_t pending_bytes = 0;  // all column families
  };
  BackgroundWork Background() const;
  const std::string& dir() const { return dir_; }

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[static_cast<int>(f)]; }
  // Writes `wb` (under write_mu_), resuming RocksDB after an earlier failed write.
  Status WriteLocked(rocksdb::WriteBatch& wb);
  // ReadLog's iterators kept between calls, by the position they stopped at.
  std::unique_ptr<rocksdb::TransactionLogIterator> TakeLogCursor(uint64_t position) const;
  void KeepLogCursor(uint64_t position, std::unique_ptr<rocksdb::TransactionLogIterator> iterator) const;

  std::string dir_;
  bool sync_ = false;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  std::atomic<uint64_t> sequence_{0};
  struct LogCursor {
    uint64_t position;
    std::unique_ptr<rocksdb::TransactionLogIterator> iterator;
    std::chrono::steady_clock::time_point used;
  };
  mutable std::mutex cursor_mu_;
  mutable std::vector<LogCursor> cursors_;  // GUARDED_BY(cursor_mu_), least recently used first
  mutable std::mutex fence_mu_;
  std::shared_ptr<const std::function<Status()>> fence_;  // GUARDED_BY(fence_mu_); null: no fence
  std::mutex write_mu_;
  bool write_failed_ = false;                        // GUARDED_BY(write_mu_)
  std::chrono::steady_clock::time_point last_resume_;  // GUARDED_BY(write_mu_)
};

}  // namespace meridian::store
