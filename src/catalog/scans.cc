// Whole-store reads, the durable work queue and checkpoints: the typed views of the
// store that the catalog's users need beyond single entities.
#include "meridian/catalog/catalog.h"

#include <algorithm>

#include "catalog_internal.h"

namespace meridian::catalog {

namespace keys = store::keys;
using store::Family;

Status Catalog::ScanEdges(const std::vector<std::string>& attributes,
                          const std::function<bool(std::string_view guid, const Edge& edge)>& fn) const {
  return store_->Scan(Family::kEdges, {}, [&](std::string_view k, std::string_view v) {
    std::string_view attr, other;
    if (!keys::ParseEdge(k, &attr, &other)) return true;
    bool wanted = false;
    for (const auto& a : attributes) wanted = wanted || a == attr;
    if (!wanted) return true;
    Edge e;
    e.attribute = std::string(attr);
    e.other = std::string(other);
    internal::SetEdgeValue(v, &e);
    return fn(k.substr(0, k.size() - attr.size() - other.size() - 2), e);
  });
}

Status Catalog::ScanTypeGuids(std::string_view type, const std::function<bool(std::string_view guid)>& fn) const {
  const std::string prefix = keys::TypePrefix(type);
  return store_->Scan(Family::kTypeIndex, prefix,
                      [&](std::string_view k, std::string_view) { return fn(k.substr(prefix.size())); });
}

bool Catalog::IsEntityOfType(std::string_view guid, std::string_view type) const {
  return store_->Exists(Family::kTypeIndex, keys::TypeIndex(type, guid));
}

Status Catalog::ScanRecords(const std::function<bool(const std::string& guid, Result<json> record)>& fn) const {
  return store_->Scan(Family::kEntities, "", [&](std::string_view k, std::string_view v) {
    return fn(std::string(k), store::DecodeRecord(v));
  });
}

void Catalog::ForEachStoredRecord(const std::vector<std::string>& guids,
                                  const std::function<bool(size_t, const Status&, std::string_view)>& fn) const {
  // A bounded number of records at a time: a caller that stops early has read at most
  // one batch more than it used.
  constexpr size_t kRecordsPerRead = 256;
  std::vector<std::string> batch, bytes;
  for (size_t from = 0; from < guids.size(); from += kRecordsPerRead) {
    batch.assign(guids.begin() + static_cast<std::ptrdiff_t>(from),
                 guids.begin() + static_cast<std::ptrdiff_t>(std::min(guids.size(), from + kRecordsPerRead)));
    std::vector<Status> got = store_->MultiGet(Family::kEntities, batch, &bytes);
    for (size_t i = 0; i < batch.size(); ++i)
      if (!fn(from + i, got[i], bytes[i])) return;
  }
}

Status Catalog::LoadRecords(const std::vector<std::string>& guids,
                            const std::function<bool(const std::string& guid, Result<json> record)>& fn) const {
  Status failed;
  ForEachStoredRecord(guids, [&](size_t i, const Status& got, std::string_view bytes) {
    if (!got.ok() && got.code() != StatusCode::kNotFound) {
      failed = got;
      return false;
    }
    return got.ok() ? fn(guids[i], store::DecodeRecord(bytes)) : fn(guids[i], got);
  });
  return failed;
}

Status Catalog::ReadQueue(std::string_view topic, uint64_t after, size_t limit, std::vector<QueueEntry>* out) const {
  out->clear();
  if (limit == 0) return Status::Ok();
  // Starting after the acknowledged part skips its deleted keys, which would slow the scan.
  const std::string start = after ? keys::Queue(topic, after) : std::string();
  return store_->Scan(Family::kQueue, keys::QueuePrefix(topic), [&](std::string_view k, std::string_view v) {
    QueueEntry entry;
    entry.sequence = keys::QueueSeq(k);
    auto task = store::DecodeRecord(v);
    if (task.ok()) entry.task = std::move(*task);
    out->push_back(std::move(entry));
    return out->size() < limit;
  }, start);
}

Status Catalog::AckQueue(std::string_view topic, uint64_t after, uint64_t through) {
  std::lock_guard<std::mutex> lock(ack_mu_);
  auto it = acks_.find(topic);
  if (it == acks_.end()) it = acks_.emplace(std::string(topic), AckState{}).first;
  AckState& state = it->second;
  const uint64_t from = state.held ? std::min(*state.held, after) : after;
  if (!WriteAllowed().ok()) {
    // A follower deletes nothing: the leader's acknowledgements arrive by replication.
    if (through > after) state.held = from;
    return Status::Ok();
  }
  const uint64_t upto = state.floor ? std::min(through, state.floor()) : through;
  if (upto > from) RETURN_IF_ERROR(DeleteQueued(topic, from, upto));
  const uint64_t kept_after = std::max(from, upto);
  if (through > kept_after) state.held = kept_after;
  else state.held.reset();
  return Status::Ok();
}

void Catalog::SetQueueAckFloor(std::string_view topic, std::function<uint64_t()> floor) {
  std::lock_guard<std::mutex> lock(ack_mu_);
  auto it = acks_.find(topic);
  if (it == acks_.end()) it = acks_.emplace(std::string(topic), AckState{}).first;
  it->second.floor = std::move(floor);
}

namespace {
std::string QueueAckedKey(std::string_view topic) { return std::string("queue_acked") + '\0' + std::string(topic); }
}  // namespace

Status Catalog::DeleteQueued(std::string_view topic, uint64_t after, uint64_t through) {
  constexpr size_t kDeletesPerBatch = 10000;
  for (bool more = true; more;) {
    const std::string start = after ? keys::Queue(topic, after) : std::string();
    store::Batch batch;
    std::string last;
    more = false;
    RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(topic), [&](std::string_view k, std::string_view) {
      if (keys::QueueSeq(k) > through) return false;
      batch.Delete(Family::kQueue, k);
      last.assign(k);
      more = batch.Count() >= kDeletesPerBatch;
      return !more;
    }, start));
    if (batch.Count() == 0) break;
    // How far entries are gone, in the same batch: a follower's consumer that is behind it
    // knows it missed some (QueueAckedThrough).
    std::string acked;
    keys::PutBigEndian64(&acked, more ? keys::QueueSeq(last) : through);
    batch.Put(Family::kMeta, QueueAckedKey(topic), acked);
    RETURN_IF_ERROR(store_->Write(batch));
    if (more) after = keys::QueueSeq(last);
  }
  return Status::Ok();
}

Result<uint64_t> Catalog::QueueAckedThrough(std::string_view topic) const {
  std::string value;
  Status s = store_->Get(Family::kMeta, QueueAckedKey(topic), &value);
  if (s.code() == StatusCode::kNotFound) return uint64_t{0};
  RETURN_IF_ERROR(s);
  return keys::GetBigEndian64(value);
}

Result<uint64_t> Catalog::LastQueued(std::string_view topic) const {
  uint64_t last = 0;
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(topic), [&](std::string_view k, std::string_view) {
    last = keys::QueueSeq(k);
    return true;
  }));
  return last;
}

Result<uint64_t> Catalog::CountQueued(std::string_view topic, uint64_t after) const {
  uint64_t n = 0;
  const std::string start = after ? keys::Queue(topic, after) : std::string();
  RETURN_IF_ERROR(store_->Scan(Family::kQueue, keys::QueuePrefix(topic), [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }, start));
  return n;
}

Status Catalog::Checkpoint(const std::string& dir, uint64_t* sequence, uint64_t* log_position) const {
  return store_->Checkpoint(dir, sequence, log_position);
}

store::Store::MemoryUsage Catalog::StoreMemory() const { return store_->Memory(); }
store::Store::BackgroundWork Catalog::StoreBackground() const { return store_->Background(); }

Status Catalog::ReadCheckpointSequence(const std::string& dir, uint64_t* sequence) {
  return store::Store::ReadSequence(dir, sequence);
}

Status Catalog::ReadCheckpointLogPosition(const std::string& dir, uint64_t* log_position) {
  return store::Store::ReadLogPosition(dir, log_position);
}

}  // namespace meridian::catalog
