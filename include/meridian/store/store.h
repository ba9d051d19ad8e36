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
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace rocksdb {
class Cache;
class DB;
class ColumnFamilyHandle;
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
  Status Write(Batch& batch);

  // A process-wide increasing sequence, persisted with the next Write.
  uint64_t NextSequence();
  // Writes a consistent point-in-time copy of the store to `dir` (must not
  // exist; hard links where possible) and sets *sequence to the sequence
  // persisted in that copy: every write acknowledged before the call is in it.
  Status Checkpoint(const std::string& dir, uint64_t* sequence) const;
  // Opens the RocksDB directory `store_dir` (e.g. a checkpoint) read-only and
  // sets *sequence to its persisted sequence. Fails when it cannot be read.
  static Status ReadSequence(const std::string& store_dir, uint64_t* sequence);
  // Approximate number of keys in a family (RocksDB estimate).
  uint64_t EstimateKeys(Family f) const;
  // Bytes of memory RocksDB holds now.
  struct MemoryUsage {
    uint64_t memtables = 0;      // all column families, mutable and immutable
    uint64_t block_cache = 0;    // cached blocks, memtable reservations included
    uint64_t table_readers = 0;  // index and filter blocks held outside the cache
  };
  MemoryUsage Memory() const;
  const std::string& dir() const { return dir_; }

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[static_cast<int>(f)]; }

  std::string dir_;
  bool sync_ = false;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  std::atomic<uint64_t> sequence_{0};
  std::mutex write_mu_;
  bool write_failed_ = false;                        // GUARDED_BY(write_mu_)
  std::chrono::steady_clock::time_point last_resume_;  // GUARDED_BY(write_mu_)
};

}  // namespace meridian::store
