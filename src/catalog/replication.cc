// Replication: the leader's log read and applied unchanged, and the write fence.
#include <set>

#include <spdlog/spdlog.h>

#include "catalog_internal.h"
#include "meridian/catalog/catalog.h"

namespace meridian::catalog {

namespace keys = store::keys;
using store::Family;

uint64_t Catalog::LogPosition() const { return store_->LogPosition(); }

Status Catalog::ReadLog(uint64_t after, size_t max_bytes, std::vector<store::LogBatch>* out) const {
  return store_->ReadLog(after, max_bytes, out);
}

void Catalog::SetWriteFence(std::function<Status()> fence) { store_->SetWriteFence(std::move(fence)); }

Status Catalog::WriteAllowed() const { return store_->CheckWriteFence(); }

Status Catalog::ApplyReplicated(const store::LogBatch& batch) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<store::LogOp> ops;
  RETURN_IF_ERROR(store_->ApplyLogBatch(batch, &ops));

  CommitInfo info;
  std::set<std::string> entities;
  bool types_changed = false, commit = false;
  for (store::LogOp& op : ops) {
    switch (op.family) {
      case Family::kMeta:
        if (op.key == internal::kNotificationSequenceKey && !op.deleted)
          last_notification_ = keys::GetBigEndian64(op.value);
        break;
      case Family::kEntities:
        commit = true;
        entities.insert(std::move(op.key));
        break;
      case Family::kEdges: {
        commit = true;
        std::string_view attr, other;
        if (!keys::ParseEdge(op.key, &attr, &other)) break;
        EdgeChange change;
        change.guid = op.key.substr(0, op.key.size() - attr.size() - other.size() - 2);
        change.edge.attribute = std::string(attr);
        change.edge.other = std::string(other);
        change.removed = op.deleted;
        if (!op.deleted) internal::SetEdgeValue(op.value, &change.edge);
        info.edges.push_back(std::move(change));
        break;
      }
      case Family::kTypedefs:
        types_changed = true;
        break;
      case Family::kRelationships:
        commit = true;
        break;
      case Family::kQueue:  // new work (index, propagation, notifications); deletions are acknowledgements
        commit = commit || !op.deleted;
        break;
      default:
        break;
    }
  }
  // As after a local commit: the sequence persisted with the batch is the last one written.
  const uint64_t sequence = store_->CurrentSequence();
  if (sequence > last_sequence_) last_sequence_ = sequence;
  if (types_changed) {
    Status loaded = LoadTypes();
    if (!loaded.ok())
      spdlog::error("replication: types changed at log position {} cannot be loaded; the previous ones stay: {}",
                    batch.sequence, loaded.ToString());
  }
  if (!commit) return Status::Ok();
  info.sequence = last_sequence_;
  info.entities.assign(entities.begin(), entities.end());
  NotifyCommit(info);
  return Status::Ok();
}

}  // namespace meridian::catalog
