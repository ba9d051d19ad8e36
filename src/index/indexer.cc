#include "meridian/index/indexer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

namespace meridian::index {

using nlohmann::json;
using store::Family;
namespace keys = store::keys;

namespace {

constexpr std::string_view kCompleteKey = "meridian.complete";
constexpr size_t kRebuildCommitEvery = 20000;

// Applies the current state of `guid`: index it, or drop it when gone.
Status ApplyGuid(const catalog::Catalog& catalog, SearchIndex& index, const types::TypeRegistry& reg,
                 const std::string& guid) {
  auto rec = catalog.LoadRecord(guid);
  if (rec.ok() && rec->value("status", "") != "PURGED") return index.Upsert(*rec, reg);
  if (!rec.ok() && rec.status().code() != StatusCode::kNotFound) return rec.status();
  return index.Remove(guid);
}

// Deletes every index-topic queue key (after a rebuild made them redundant).
Status ClearQueue(store::Store& st) {
  for (;;) {
    store::Batch batch;
    RETURN_IF_ERROR(st.Scan(Family::kQueue, keys::QueuePrefix(catalog::kIndexTopic), [&](std::string_view k,
                                                                                        std::string_view) {
      batch.Delete(Family::kQueue, k);
      return batch.Count() < 10000;
    }));
    if (batch.Count() == 0) return Status::Ok();
    RETURN_IF_ERROR(st.Write(batch));
  }
}

}  // namespace

Indexer::Indexer(catalog::Catalog* catalog, SearchIndex* index, IndexerOptions options)
    : catalog_(catalog), index_(index), options_(options) {}

Indexer::~Indexer() { Stop(); }

Status Indexer::Rebuild(catalog::Catalog& catalog, SearchIndex& index, uint64_t* count) {
  RETURN_IF_ERROR(index.SetMetadata(std::string(kCompleteKey), ""));
  RETURN_IF_ERROR(index.Clear());
  RETURN_IF_ERROR(index.Commit());
  auto reg = catalog.types();
  uint64_t n = 0;
  Status inner = Status::Ok();
  RETURN_IF_ERROR(catalog.store().Scan(Family::kEntities, "", [&](std::string_view, std::string_view v) {
    auto rec = store::DecodeRecord(v);
    if (!rec.ok()) {
      inner = rec.status();
      return false;
    }
    if (rec->value("status", "") == "PURGED") return true;
    inner = index.Upsert(*rec, *reg);
    if (!inner.ok()) return false;
    if (++n % kRebuildCommitEvery == 0) inner = index.Commit();
    return inner.ok();
  }));
  RETURN_IF_ERROR(inner);
  RETURN_IF_ERROR(index.SetMetadata(std::string(kCompleteKey), "1"));
  RETURN_IF_ERROR(index.Commit());
  if (count) *count = n;
  return ClearQueue(catalog.store());
}

Status Indexer::Start() {
  stop_ = false;
  // The server answers at once; the backlog (or a first build) is worked off here,
  // and searches wait for it through WaitFor.
  thread_ = std::thread([this] {
    // Below request threads: under a write burst acknowledgements come first and
    // the index catches up after (searches still wait for it, bounded).
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
    if (index_->GetMetadata(std::string(kCompleteKey)) != "1") {
      uint64_t n = 0;
      Status s = Rebuild(*catalog_, *index_, &n);
      if (!s.ok()) {
        spdlog::error("search index build failed: {}", s.ToString());
        return;
      }
      indexed_ += n;
      spdlog::info("search index built: {} entities", n);
    }
    Run();
  });
  return Status::Ok();
}

void Indexer::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  thread_.join();
}

Status Indexer::ApplyRound(bool* drained) {
  // Every write with a sequence <= target has its queue entry visible now.
  const uint64_t target = catalog_->last_sequence();
  store::Store& st = catalog_->store();
  std::vector<std::string> consumed;
  std::set<std::string> guids;
  *drained = true;
  RETURN_IF_ERROR(st.Scan(Family::kQueue, keys::QueuePrefix(catalog::kIndexTopic), [&](std::string_view k,
                                                                                      std::string_view v) {
    consumed.emplace_back(k);
    auto task = store::DecodeRecord(v);
    if (task.ok() && task->contains("guids") && (*task)["guids"].is_array())
      for (const json& g : (*task)["guids"])
        if (g.is_string()) guids.insert(g.get<std::string>());
    if (guids.size() < options_.max_guids_per_round) return true;
    *drained = false;
    return false;
  }));
  if (!consumed.empty()) {
    auto reg = catalog_->types();
    for (const auto& g : guids) RETURN_IF_ERROR(ApplyGuid(*catalog_, *index_, *reg, g));
    RETURN_IF_ERROR(index_->Commit());
    indexed_ += guids.size();
    store::Batch batch;
    for (const auto& k : consumed) batch.Delete(Family::kQueue, k);
    RETURN_IF_ERROR(st.Write(batch));
  }
  if (*drained) {
    std::lock_guard<std::mutex> lock(mu_);
    if (target > applied_) applied_ = target;
  }
  applied_cv_.notify_all();
  return Status::Ok();
}

void Indexer::Run() {
  while (!stop_) {
    if (catalog_->last_sequence() <= applied_) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_cv_.wait_for(lock, options_.poll, [&] { return stop_.load(); });
      continue;
    }
    bool drained = false;
    Status s = ApplyRound(&drained);
    if (!s.ok()) {
      spdlog::error("indexer: {}; retrying", s.ToString());
      std::unique_lock<std::mutex> lock(mu_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_.load(); });
    }
  }
}

bool Indexer::WaitFor(uint64_t sequence) {
  if (applied_ >= sequence) return true;
  wake_cv_.notify_all();
  std::unique_lock<std::mutex> lock(mu_);
  return applied_cv_.wait_for(lock, options_.max_wait, [&] { return applied_ >= sequence; });
}

}  // namespace meridian::index
