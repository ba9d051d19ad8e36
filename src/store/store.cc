#include "meridian/store/store.h"

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

namespace meridian::store {

namespace {

constexpr const char* kFamilyNames[] = {"default", "entities", "unique", "type_index", "edges",
                                        "relationships", "typedefs", "audit", "queue", "propagations",
                                        "user_data", "admin_audit"};
constexpr char kSep = '\0';
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kSequenceKey = "sequence";

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(std::string(what) + " not found");
  return Status::Internal("store: " + std::string(what) + ": " + s.ToString());
}

// A failed write: no space or an I/O error means the store cannot persist it (507).
Status WriteError(const rocksdb::Status& s) {
  if (s.IsNoSpace() || s.IsIOError())
    return Status::InsufficientStorage("the store cannot persist this write (" + s.ToString() +
                                       "); reads still work, writes resume once the disk has room");
  return FromRocks(s, "write");
}

// The families whose keys start with an owner (`guid \0 ...`) and are read by
// scans of one owner's keys: their SST files and memtables keep a bloom filter of
// owners, so such a scan skips every file that holds nothing of that owner instead
// of seeking into each level.
bool ScannedByOwner(Family f) { return f == Family::kEdges || f == Family::kAudit || f == Family::kPropagations; }

// The owner part of a key: everything up to and including the first separator.
// Keys without a separator are outside its domain (their scans run in total order).
class OwnerPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "meridian.OwnerPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* sep = std::memchr(key.data(), kSep, key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(sep) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), kSep, key.size()) != nullptr;
  }
};

// Options of an iterator over keys of `prefix` (a scan starting at `start`, a key
// with that prefix, or at the prefix itself): the owner bloom filters are used when
// the prefix names a whole owner, every scan of other families or wider prefixes
// runs in total order.
rocksdb::ReadOptions ScanOptions(Family f, std::string_view prefix) {
  rocksdb::ReadOptions ro;
  const bool one_owner = ScannedByOwner(f) && prefix.find(kSep) != std::string_view::npos;
  ro.total_order_seek = !one_owner;
  ro.prefix_same_as_start = one_owner;
  return ro;
}

// RocksDB's info log, sent to the process log instead of a LOG file in the store.
class SpdlogLogger : public rocksdb::Logger {
 public:
  SpdlogLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buf[1024];
    vsnprintf(buf, sizeof buf, format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) spdlog::error("rocksdb: {}", buf);
    else if (level == rocksdb::InfoLogLevel::WARN_LEVEL) spdlog::warn("rocksdb: {}", buf);
    else spdlog::debug("rocksdb: {}", buf);
  }
};

// Reports RocksDB's background errors and recoveries in the process log, and
// leaves recovery to Store::Write: RocksDB's own no-space recovery waits for
// free space of a whole write buffer and meanwhile refuses DB::Resume().
class ErrorListener : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    spdlog::error("store: writes stopped: {}", error->ToString());
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok()) spdlog::info("store: recovered from '{}'; writes resumed", info.old_bg_error.ToString());
    else spdlog::warn("store: recovery failed: {}", info.new_bg_error.ToString());
  }
};

constexpr auto kResumeEvery = std::chrono::seconds(1);
constexpr size_t kLogCursors = 8;                         // readers (followers) continued without a new iterator
constexpr auto kLogCursorIdle = std::chrono::seconds(60);  // a cursor unused this long is dropped

// A replication error that the caller can act on (restart from a checkpoint, apply in order).
Status LogConflict(std::string msg) {
  return Status(StatusCode::kFailedPrecondition, atlas_code::kInvalidParameters, std::move(msg));
}

// Decodes a replicated batch into LogOps, refusing what the store never writes.
class LogOpDecoder : public rocksdb::WriteBatch::Handler {
 public:
  explicit LogOpDecoder(const std::vector<rocksdb::ColumnFamilyHandle*>& handles) : handles_(handles) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    return Add(cf, key, value, false);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override { return Add(cf, key, {}, true); }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override { return Unsupported("SingleDelete"); }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported("DeleteRange");
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported("Merge");
  }
  rocksdb::Status PutEntityCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported("PutEntity");
  }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported("PutBlobIndex");
  }
  std::vector<LogOp>& ops() { return ops_; }

 private:
  rocksdb::Status Add(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value, bool deleted) {
    for (size_t i = 0; i < handles_.size(); ++i) {
      if (handles_[i]->GetID() != cf) continue;
      ops_.push_back({static_cast<Family>(i), key.ToString(), value.ToString(), deleted});
      return rocksdb::Status::OK();
    }
    return rocksdb::Status::InvalidArgument("unknown column family " + std::to_string(cf));
  }
  static rocksdb::Status Unsupported(const char* op) {
    return rocksdb::Status::NotSupported(std::string(op) + " is not an operation of this store");
  }
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles_;
  std::vector<LogOp> ops_;
};

// A store directory opened read-only (a checkpoint, or a data dir before it is opened).
struct ReadOnlyStore {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~ReadOnlyStore() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
};

Status OpenReadOnly(const std::string& store_dir, ReadOnlyStore* out) {
  rocksdb::DBOptions db_options;
  db_options.info_log = std::make_shared<SpdlogLogger>();
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(db_options, store_dir, families, &out->handles, &raw);
  out->db.reset(raw);
  if (!s.ok()) return Status::Internal("cannot open the store copy in " + store_dir + ": " + s.ToString());
  return Status::Ok();
}

Status ReadPersistedSequence(const ReadOnlyStore& store, uint64_t* sequence) {
  std::string value;
  rocksdb::Status s =
      store.db->Get(rocksdb::ReadOptions(), store.handles[static_cast<int>(Family::kMeta)], kSequenceKey, &value);
  *sequence = s.ok() ? keys::GetBigEndian64(value) : 0;
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "sequence");
  return Status::Ok();
}

void Append(std::string* out, std::string_view part) {
  out->append(part);
  out->push_back(kSep);
}

}  // namespace

namespace keys {

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string Unique(std::string_view type, std::string_view attr, std::string_view value) {
  std::string k;
  Append(&k, type);
  Append(&k, attr);
  k.append(value);
  return k;
}

std::string TypePrefix(std::string_view type) {
  std::string k;
  Append(&k, type);
  return k;
}

std::string TypeIndex(std::string_view type, std::string_view guid) { return TypePrefix(type).append(guid); }

std::string EdgePrefix(std::string_view guid) {
  std::string k;
  Append(&k, guid);
  return k;
}

std::string EdgePrefix(std::string_view guid, std::string_view attr) {
  std::string k = EdgePrefix(guid);
  Append(&k, attr);
  return k;
}

std::string Edge(std::string_view guid, std::string_view attr, std::string_view other) {
  return EdgePrefix(guid, attr).append(other);
}

bool ParseEdge(std::string_view key, std::string_view* attr, std::string_view* other) {
  size_t a = key.find(kSep);
  if (a == std::string_view::npos) return false;
  size_t b = key.find(kSep, a + 1);
  if (b == std::string_view::npos) return false;
  *attr = key.substr(a + 1, b - a - 1);
  *other = key.substr(b + 1);
  return true;
}

std::string AuditPrefix(std::string_view guid) { return EdgePrefix(guid); }

std::string Audit(std::string_view guid, uint64_t ms, uint64_t seq) {
  std::string k = AuditPrefix(guid);
  PutBigEndian64(&k, ms);
  PutBigEndian64(&k, seq);
  return k;
}

std::string QueuePrefix(std::string_view topic) { return EdgePrefix(topic); }

std::string Queue(std::string_view topic, uint64_t seq) {
  std::string k = QueuePrefix(topic);
  PutBigEndian64(&k, seq);
  return k;
}

uint64_t QueueSeq(std::string_view key) { return key.size() < 8 ? 0 : GetBigEndian64(key.substr(key.size() - 8)); }

}  // namespace keys

// "<relationship guid>\x1f<A|D>\x1f<relationship type>"
std::string EncodeEdgeValue(const EdgeValue& edge) {
  std::string v = edge.relationship;
  v.push_back('\x1f');
  v.push_back(edge.active ? 'A' : 'D');
  v.push_back('\x1f');
  v.append(edge.type);
  return v;
}

EdgeValue DecodeEdgeValue(std::string_view value) {
  EdgeValue edge;
  size_t a = value.find('\x1f');
  edge.relationship = std::string(value.substr(0, a));
  if (a == std::string_view::npos || a + 1 >= value.size()) return edge;
  edge.active = value[a + 1] == 'A';
  if (a + 3 <= value.size()) edge.type = std::string(value.substr(a + 3));
  return edge;
}

std::string EncodeRecord(const nlohmann::json& j) {
  std::string out;
  nlohmann::json::to_msgpack(j, out);
  return out;
}

Result<nlohmann::json> DecodeRecord(std::string_view bytes) {
  auto j = nlohmann::json::from_msgpack(bytes.begin(), bytes.end(), true, false);
  if (j.is_discarded()) return Status::Internal("store: corrupt record");
  return j;
}

namespace {

// SAX consumer that keeps one top-level string field and stops there.
class FieldReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit FieldReader(std::string_view field) : field_(field) {}
  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool string(string_t& s) override {
    if (!wanted_) return true;
    found_ = std::move(s);
    return false;  // done: stop reading
  }
  bool start_object(std::size_t) override { return Open(); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool key(string_t& k) override {
    wanted_ = depth_ == 1 && k == field_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    error_ = true;
    return false;
  }
  const std::optional<std::string>& found() const { return found_; }
  bool error() const { return error_; }

 private:
  bool Scalar() {
    wanted_ = false;
    return true;
  }
  bool Open() {
    wanted_ = false;
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  std::string_view field_;
  int depth_ = 0;
  bool wanted_ = false;
  bool error_ = false;
  std::optional<std::string> found_;
};

// SAX consumer that builds the scalar fields of a record and of its attributes,
// and the top-level fields named in `whole` in full.
class SummaryReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit SummaryReader(std::span<const std::string_view> whole) : whole_(whole) {}
  bool null() override { return Put(nullptr); }
  bool boolean(bool b) override { return Put(b); }
  bool number_integer(number_integer_t n) override { return Put(n); }
  bool number_unsigned(number_unsigned_t n) override { return Put(n); }
  bool number_float(number_float_t n, const string_t&) override { return Put(n); }
  bool binary(binary_t&) override { return Put(nullptr); }
  bool string(string_t& s) override { return Put(std::move(s)); }
  bool start_object(std::size_t) override { return Open(nlohmann::json::object()); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(nlohmann::json::array()); }
  bool end_array() override { return Close(); }
  bool key(string_t& k) override {
    if (!building_.empty() || depth_ == 1 || (depth_ == 2 && attributes_)) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    error_ = true;
    return false;
  }
  nlohmann::json& record() { return record_; }
  bool error() const { return error_; }

 private:
  // The value `v` at the current position: kept when it is a scalar of the record or
  // of its attributes, or part of a field built whole.
  nlohmann::json* Place(nlohmann::json v) {
    if (!building_.empty()) {
      nlohmann::json& parent = *building_.back();
      if (parent.is_array()) {
        parent.push_back(std::move(v));
        return &parent.back();
      }
      return &(parent[key_] = std::move(v));
    }
    if (depth_ == 1) return &(record_[key_] = std::move(v));
    if (depth_ == 2 && attributes_) return &((*attributes_)[key_] = std::move(v));
    return nullptr;
  }
  bool Put(nlohmann::json v) {
    Place(std::move(v));
    return true;
  }
  bool Open(nlohmann::json empty) {
    if (!building_.empty() ||
        (depth_ == 1 && std::find(whole_.begin(), whole_.end(), key_) != whole_.end())) {
      building_.push_back(Place(std::move(empty)));
    } else if (depth_ == 1 && key_ == "attributes" && empty.is_object()) {
      attributes_ = &record_["attributes"];  // depth 0 is the record, depth 1 its "attributes"
    }
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    if (!building_.empty()) building_.pop_back();
    else if (depth_ == 1) attributes_ = nullptr;
    return true;
  }
  std::span<const std::string_view> whole_;
  nlohmann::json record_ = {{"attributes", nlohmann::json::object()}};
  nlohmann::json* attributes_ = nullptr;
  std::vector<nlohmann::json*> building_;  // the containers of a whole field being built, innermost last
  std::string key_;
  int depth_ = 0;
  bool error_ = false;
};

}  // namespace

Result<nlohmann::json> DecodeRecordSummary(std::string_view bytes, std::span<const std::string_view> whole_fields) {
  SummaryReader reader(whole_fields);
  nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &reader, nlohmann::json::input_format_t::msgpack, true);
  if (reader.error()) return Status::Internal("store: corrupt record");
  return std::move(reader.record());
}

Result<std::string> DecodeRecordString(std::string_view bytes, std::string_view field) {
  FieldReader reader(field);
  nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &reader, nlohmann::json::input_format_t::msgpack, true);
  if (reader.found()) return *reader.found();
  if (reader.error()) return Status::Internal("store: corrupt record");
  return Status::NotFound("record has no string field " + std::string(field));
}

static_assert(std::size(kFamilyNames) == static_cast<size_t>(Family::kCount));

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir + "/store", ec);
  if (ec) return Status::Internal("cannot create data directory " + dir + ": " + ec.message());

  rocksdb::BlockBasedTableOptions table;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Point reads (records by guid) find their key in a block through a hash index.
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.write_buffer_size = 32 << 20;
  // The families read by key (records by guid, guids by unique attribute): most of those
  // reads miss the memtables, and a whole-key bloom filter (2 % of a memtable, ~650 KB per
  // family) answers that without a skip-list search. The others are read by prefix scans.
  rocksdb::ColumnFamilyOptions point_read_options = cf_options;
  point_read_options.memtable_prefix_bloom_size_ratio = 0.02;
  point_read_options.memtable_whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions owner_scan_options = cf_options;
  owner_scan_options.prefix_extractor = std::make_shared<OwnerPrefix>();
  owner_scan_options.memtable_prefix_bloom_size_ratio = 0.02;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // Compactions run at nice 19: requests and the writer get the cores first.
  // Compaction debt that grows meanwhile slows writes down through RocksDB's own L0 triggers.
  db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::LOW, rocksdb::CpuPriority::kLow).PermitUncheckedError();
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget_mb << 20, cache);
  db_options.info_log = std::make_shared<SpdlogLogger>();
  db_options.listeners.push_back(std::make_shared<ErrorListener>());
  // No background auto-resume thread either (ENOSPC counts as retryable): RocksDB 7
  // can replace a finished but unjoined recovery thread and abort the process.
  db_options.max_bgerror_resume_count = 0;
  if (options.wal_retention_mb > 0) {
    // Flushed log files move to the archive and stay there for ReadLog (followers).
    db_options.WAL_size_limit_MB = options.wal_retention_mb;
    db_options.WAL_ttl_seconds = 3600;
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int f = 0; f < static_cast<int>(Family::kCount); ++f) {
    const bool point_reads = f == static_cast<int>(Family::kEntities) || f == static_cast<int>(Family::kUnique);
    families.emplace_back(kFamilyNames[f], point_reads                            ? point_read_options
                                           : ScannedByOwner(static_cast<Family>(f)) ? owner_scan_options
                                                                                    : cf_options);
  }

  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  store->sync_ = options.sync_writes;
  store->cache_ = cache;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir + "/store", families, &store->handles_, &raw);
  store->db_.reset(raw);
  if (!s.ok()) return Status::Internal("cannot open store in " + dir + ": " + s.ToString());

  std::string version;
  Status vs = store->Get(Family::kMeta, kSchemaKey, &version);
  if (vs.code() == StatusCode::kNotFound) {
    Batch b;
    b.Put(Family::kMeta, kSchemaKey, std::to_string(kSchemaVersion));
    RETURN_IF_ERROR(store->Write(b));
  } else if (!vs.ok()) {
    return vs;
  } else if (version != std::to_string(kSchemaVersion)) {
    return Status::Internal("store in " + dir + " has schema version " + version + "; this build reads version " +
                            std::to_string(kSchemaVersion));
  }
  std::string seq;
  if (store->Get(Family::kMeta, kSequenceKey, &seq).ok()) store->sequence_ = keys::GetBigEndian64(seq);
  return store;
}

Store::~Store() {
  cursors_.clear();  // before the database they read
  if (!db_) return;
  // Flushing on a clean stop keeps the next start from replaying the WAL.
  rocksdb::FlushOptions fo;
  db_->Flush(fo, handles_).PermitUncheckedError();
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Status Store::Get(Family f, std::string_view key, std::string* value) const {
  return FromRocks(db_->Get(rocksdb::ReadOptions(), cf(f), rocksdb::Slice(key.data(), key.size()), value), "key");
}

bool Store::Exists(Family f, std::string_view key) const {
  std::string v;
  return Get(f, key, &v).ok();
}

Status Store::Scan(Family f, std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& fn,
                   std::string_view start_after) const {
  // Upper bound: the prefix with its last byte incremented (prefix ends in \0 or is
  // otherwise non-0xff in practice); an empty prefix scans everything.
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(upper.back() + 1);
  rocksdb::Slice upper_slice(upper);
  const bool start_in_prefix = start_after.empty() || start_after.substr(0, prefix.size()) == prefix;
  rocksdb::ReadOptions ro = ScanOptions(f, start_in_prefix ? prefix : std::string_view());
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(f)));
  if (start_after.empty()) {
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    it->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
    if (it->Valid() && it->key().ToStringView() == start_after) it->Next();
  }
  for (; it->Valid(); it->Next()) {
    std::string_view k = it->key().ToStringView();
    if (k.substr(0, prefix.size()) != prefix) break;
    if (!fn(k, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scan");
}

std::vector<Status> Store::MultiGet(Family f, const std::vector<std::string>& keys,
                                    std::vector<std::string>* values) const {
  values->clear();
  if (keys.empty()) return {};
  if (keys.size() == 1) {  // a batch of one costs more than a Get
    values->resize(1);
    return {Get(f, keys[0], &(*values)[0])};
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> pinned(keys.size());
  std::vector<rocksdb::Status> got(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), cf(f), keys.size(), slices.data(), pinned.data(), got.data());
  values->assign(keys.size(), std::string());
  std::vector<Status> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (got[i].ok()) (*values)[i].assign(pinned[i].data(), pinned[i].size());
    out.push_back(FromRocks(got[i], "key"));
  }
  return out;
}

Status Store::ScanPrefixes(Family f, const std::vector<std::string>& prefixes,
                           const std::function<bool(size_t, std::string_view, std::string_view)>& fn) const {
  if (prefixes.empty()) return Status::Ok();
  std::vector<size_t> order(prefixes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return prefixes[a] < prefixes[b]; });
  // Owner blooms only when every prefix names a whole owner (each Seek then stays in its owner).
  const bool all_owners = std::all_of(prefixes.begin(), prefixes.end(),
                                     [](const std::string& p) { return p.find(kSep) != std::string::npos; });
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions(f, all_owners ? prefixes[0] : ""), cf(f)));
  std::string last_key;  // keys already visited (overlapping prefixes) are not passed again
  bool visited = false;
  for (size_t i : order) {
    const std::string& prefix = prefixes[i];
    it->Seek(rocksdb::Slice(prefix));
    if (visited && it->Valid() && it->key().ToStringView() <= last_key) {
      it->Seek(rocksdb::Slice(last_key));
      if (it->Valid() && it->key().ToStringView() == last_key) it->Next();
    }
    for (; it->Valid(); it->Next()) {
      std::string_view k = it->key().ToStringView();
      if (k.substr(0, prefix.size()) != prefix) break;
      last_key.assign(k);
      visited = true;
      if (!fn(i, k, it->value().ToStringView())) return FromRocks(it->status(), "scan");
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
  }
  return Status::Ok();
}

Status Store::Write(Batch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops_) {
    rocksdb::Status s = op.del ? wb.Delete(cf(op.f), op.key) : wb.Put(cf(op.f), op.key, op.value);
    if (!s.ok()) return FromRocks(s, "batch");
  }
  // Serialised so the persisted sequence never goes backwards.
  std::lock_guard<std::mutex> lock(write_mu_);
  RETURN_IF_ERROR(CheckWriteFence());
  std::string seq;
  keys::PutBigEndian64(&seq, sequence_.load());
  rocksdb::Status ps = wb.Put(cf(Family::kMeta), kSequenceKey, seq);
  if (!ps.ok()) return FromRocks(ps, "batch");
  return WriteLocked(wb);
}

Status Store::WriteLocked(rocksdb::WriteBatch& wb) {
  if (write_failed_) {
    // After a failed write RocksDB refuses writes until it recovers: nudge it, at most once a second.
    auto now = std::chrono::steady_clock::now();
    if (now - last_resume_ >= kResumeEvery) {
      last_resume_ = now;
      rocksdb::Status rs = db_->Resume();
      if (!rs.ok()) spdlog::warn("store: writes cannot resume yet: {}", rs.ToString());
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (s.ok()) {
    if (write_failed_) spdlog::info("store: writes succeed again");
    write_failed_ = false;
    return Status::Ok();
  }
  if (!write_failed_) spdlog::error("store: write failed: {}", s.ToString());
  write_failed_ = true;
  return WriteError(s);
}

void Store::SetWriteFence(std::function<Status()> fence) {
  std::lock_guard<std::mutex> lock(fence_mu_);
  fence_ = fence ? std::make_shared<const std::function<Status()>>(std::move(fence)) : nullptr;
}

Status Store::CheckWriteFence() const {
  std::shared_ptr<const std::function<Status()>> fence;
  {
    std::lock_guard<std::mutex> lock(fence_mu_);
    fence = fence_;
  }
  return fence ? (*fence)() : Status::Ok();
}

uint64_t Store::LogPosition() const { return db_->GetLatestSequenceNumber(); }

std::unique_ptr<rocksdb::TransactionLogIterator> Store::TakeLogCursor(uint64_t position) const {
  std::lock_guard<std::mutex> lock(cursor_mu_);
  const auto now = std::chrono::steady_clock::now();
  std::unique_ptr<rocksdb::TransactionLogIterator> found;
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    if (!found && it->position == position) {
      found = std::move(it->iterator);
      it = cursors_.erase(it);
    } else if (now - it->used > kLogCursorIdle) {
      it = cursors_.erase(it);  // its reader went away: release the log files it holds open
    } else {
      ++it;
    }
  }
  return found;
}

void Store::KeepLogCursor(uint64_t position, std::unique_ptr<rocksdb::TransactionLogIterator> iterator) const {
  std::lock_guard<std::mutex> lock(cursor_mu_);
  if (cursors_.size() >= kLogCursors) cursors_.erase(cursors_.begin());  // the least recently used
  cursors_.push_back({position, std::move(iterator), std::chrono::steady_clock::now()});
}

Status Store::ReadLog(uint64_t after, size_t max_bytes, std::vector<LogBatch>* out) const {
  out->clear();
  const uint64_t latest = db_->GetLatestSequenceNumber();
  if (after == latest) return Status::Ok();
  if (after > latest)
    return LogConflict("log position " + std::to_string(after) + " is beyond this store's log (" +
                       std::to_string(latest) + "): the reader holds writes this store never had");
  const std::string purged = "the write-ahead log no longer holds position " + std::to_string(after + 1) +
                             " (flushed and deleted); start again from a checkpoint";
  // A reader that continues where it stopped continues the same iterator: a new one
  // reads its first log file from the start.
  std::unique_ptr<rocksdb::TransactionLogIterator> it = TakeLogCursor(after);
  rocksdb::BatchResult r;
  bool have = false;
  if (it) {
    it->Next();  // past the last batch returned, or on to what was written since (at the end of the log)
    if (it->Valid()) {
      r = it->GetBatch();
      have = r.sequence == after + 1;
    }
  }
  if (!have) {
    it.reset();
    rocksdb::Status s = db_->GetUpdatesSince(after + 1, &it);
    if (!s.ok() || !it) return s.IsNotFound() || s.ok() ? Status::NotFound(purged) : FromRocks(s, "log");
    if (!it->Valid()) {
      const rocksdb::Status is = it->status();
      return is.ok() || is.IsNotFound() || is.IsCorruption() ? Status::NotFound(purged) : FromRocks(is, "log");
    }
    r = it->GetBatch();
  }
  size_t bytes = 0;
  uint64_t next = after + 1;
  bool gap = false;
  for (;;) {
    const uint64_t count = r.writeBatchPtr->Count();
    if (r.sequence + count > next) {  // else wholly read before (cannot happen at batch boundaries)
      if (r.sequence != next) {
        if (out->empty() && r.sequence > next) return Status::NotFound(purged);
        if (out->empty())
          return LogConflict("log position " + std::to_string(after) + " is inside a write batch (" +
                             std::to_string(r.sequence) + ".." + std::to_string(r.sequence + count - 1) + ")");
        gap = true;  // after what was read: the next call reports it
        break;
      }
      LogBatch b;
      b.sequence = r.sequence;
      b.count = static_cast<uint32_t>(count);
      b.data = r.writeBatchPtr->Data();
      bytes += b.data.size();
      next = b.sequence + count;
      out->push_back(std::move(b));
      if (bytes >= max_bytes) break;
    }
    it->Next();
    if (!it->Valid()) break;
    r = it->GetBatch();
  }
  if (!gap && it->status().ok()) KeepLogCursor(next - 1, std::move(it));
  return Status::Ok();
}

Status Store::ApplyLogBatch(const LogBatch& batch, std::vector<LogOp>* ops) {
  constexpr size_t kHeader = 12;  // WriteBatch: fixed64 sequence, fixed32 count
  if (batch.data.size() < kHeader || batch.count == 0)
    return Status::InvalidArgument("replicated batch at " + std::to_string(batch.sequence) + " is empty or truncated");
  rocksdb::WriteBatch wb(batch.data);
  if (wb.Count() != batch.count)
    return Status::InvalidArgument("replicated batch at " + std::to_string(batch.sequence) + " holds " +
                                   std::to_string(wb.Count()) + " operations, not " + std::to_string(batch.count));
  LogOpDecoder decoder(handles_);
  rocksdb::Status ds = wb.Iterate(&decoder);
  if (!ds.ok())
    return Status::InvalidArgument("replicated batch at " + std::to_string(batch.sequence) +
                                   " cannot be applied: " + ds.ToString());
  std::optional<uint64_t> app_sequence;
  for (const LogOp& op : decoder.ops())
    if (op.family == Family::kMeta && op.key == kSequenceKey && !op.deleted)
      app_sequence = keys::GetBigEndian64(op.value);

  std::lock_guard<std::mutex> lock(write_mu_);
  const uint64_t position = db_->GetLatestSequenceNumber();
  if (batch.sequence != position + 1)
    return LogConflict("replicated batch at " + std::to_string(batch.sequence) + " does not follow this store's log (" +
                       std::to_string(position) + "); nothing written");
  RETURN_IF_ERROR(WriteLocked(wb));
  const uint64_t now = db_->GetLatestSequenceNumber();
  if (now != batch.sequence + batch.count - 1)
    return Status::Internal("store: replicated batch at " + std::to_string(batch.sequence) + " of " +
                            std::to_string(batch.count) + " operations left the log at " + std::to_string(now));
  if (app_sequence) sequence_ = *app_sequence;
  if (ops) ops->insert(ops->end(), std::make_move_iterator(decoder.ops().begin()),
                       std::make_move_iterator(decoder.ops().end()));
  return Status::Ok();
}

Status Store::Checkpoint(const std::string& dir, uint64_t* sequence, uint64_t* log_position) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) return s.IsNoSpace() || s.IsIOError() ? WriteError(s) : FromRocks(s, "checkpoint");
  // Read back from the copy itself: what a store opened on it holds.
  ReadOnlyStore copy;
  RETURN_IF_ERROR(OpenReadOnly(dir, &copy));
  if (log_position) *log_position = copy.db->GetLatestSequenceNumber();
  return ReadPersistedSequence(copy, sequence);
}

Status Store::ReadSequence(const std::string& store_dir, uint64_t* sequence) {
  ReadOnlyStore copy;
  RETURN_IF_ERROR(OpenReadOnly(store_dir, &copy));
  return ReadPersistedSequence(copy, sequence);
}

Status Store::ReadLogPosition(const std::string& store_dir, uint64_t* log_position) {
  *log_position = 0;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(store_dir) / "CURRENT", ec)) return Status::Ok();
  ReadOnlyStore copy;
  RETURN_IF_ERROR(OpenReadOnly(store_dir, &copy));
  *log_position = copy.db->GetLatestSequenceNumber();
  return Status::Ok();
}

uint64_t Store::NextSequence() { return ++sequence_; }

Store::MemoryUsage Store::Memory() const {
  MemoryUsage m;
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &m.memtables);
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &m.table_readers);
  m.block_cache = cache_->GetUsage();
  return m;
}

Store::BackgroundWork Store::Background() const {
  BackgroundWork w;
  uint64_t flushes = 0, compactions = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &flushes);
  db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &compactions);
  w.running = flushes + compactions;
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &w.pending_bytes);
  return w;
}

uint64_t Store::EstimateKeys(Family f) const {
  uint64_t n = 0;
  db_->GetIntProperty(cf(f), "rocksdb.estimate-num-keys", &n);
  return n;
}

}  // namespace meridian::store
