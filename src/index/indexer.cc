#include "meridian/index/indexer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

namespace meridian::index {

using nlohmann::json;

namespace {

// Set to kDocumentFormat once a build finished; an index built by another format
// (or not finished) is rebuilt at start.
constexpr std::string_view kCompleteKey = "meridian.complete";
// The version of the documents' terms: 2 added strong words (XW).
constexpr std::string_view kDocumentFormat = "2";
// Last index-queue entry whose changes are in the index, committed with them.
constexpr std::string_view kQueuePositionKey = "meridian.queue_position";
constexpr size_t kRebuildCommitEvery = 20000;

// Adds the glossary terms assigned to an entity (active `meanings` relationships)
// to its record as "meanings": [{termGuid, displayText, qualifiedName}].
void AddMeanings(const catalog::Catalog& catalog, const types::TypeRegistry& reg, json& rec) {
  const types::TypeDef* t = reg.FindEntity(rec.value("typeName", ""));
  if (!t || !t->relationship_attributes.count("meanings")) return;
  json meanings = rec.value("meanings", json::array());
  for (const auto& e : catalog.Edges(rec.value("guid", ""), "meanings")) {
    if (!e.active) continue;
    auto term = catalog.LoadRecord(e.other);
    if (!term.ok()) continue;
    const json attrs = term->value("attributes", json::object());
    meanings.push_back({{"termGuid", e.other},
                        {"displayText", attrs.value("name", "")},
                        {"qualifiedName", attrs.value("qualifiedName", "")}});
  }
  if (!meanings.empty()) rec["meanings"] = std::move(meanings);
}

// One unit of work from the preparing thread to the writer: a document to
// store (`fresh`: the index cannot hold it yet), or the guid of an entity to drop.
struct Work {
  std::string guid;
  std::optional<PreparedDocument> doc;
  bool fresh = false;
  bool remove = false;
};

// Documents Xapian refused during one round or rebuild, with how often: the
// first refusal falls back to a minimal document, a second one removes it.
using Refusals = std::map<std::string, int>;

// A bounded hand-off between one producer and one consumer.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  // False once the consumer gave up.
  bool Push(Work w) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || aborted_; });
    if (aborted_) return false;
    items_.push_back(std::move(w));
    not_empty_.notify_one();
    return true;
  }
  // False when closed and empty.
  bool Pop(Work* w) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return false;
    *w = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Work> items_;  // GUARDED_BY(mu_)
  bool closed_ = false, aborted_ = false;
};

// Loads, decodes and builds documents on a second thread while this one writes
// them to Xapian (the two halves cost about the same). `produce` emits Work and
// returns its status; the writer commits every `commit_every` items (0: never).
// When Xapian refuses a document, *refused is its guid and the status says why.
Status Pipeline(SearchIndex& index, const std::function<Status(const std::function<bool(Work)>& emit)>& produce,
                size_t commit_every, uint64_t* count, std::string* refused) {
  WorkQueue queue(1024);
  Status produced = Status::Ok();
  std::thread producer([&] {
    produced = produce([&](Work w) { return queue.Push(std::move(w)); });
    queue.Close();
  });
  Status written = Status::Ok();
  uint64_t n = 0;
  Work w;
  while (queue.Pop(&w)) {
    written = w.remove ? index.Remove(w.guid) : w.fresh ? index.Add(std::move(*w.doc)) : index.Put(std::move(*w.doc));
    if (!written.ok() && written.code() == StatusCode::kInvalidArgument && !w.remove) *refused = w.guid;
    if (written.ok() && commit_every && ++n % commit_every == 0) written = index.Commit();
    if (!written.ok()) {
      queue.Abort();
      while (queue.Pop(&w)) {
      }
      break;
    }
  }
  producer.join();
  RETURN_IF_ERROR(written);
  RETURN_IF_ERROR(produced);
  if (count) *count = n;
  return Status::Ok();
}

// The document of an entity whose full document cannot be indexed: its guid,
// type and status, so that it is still found by type (never refused: every term
// is bounded).
Result<PreparedDocument> MinimalDocument(const std::string& guid, const json& rec, const types::TypeRegistry& reg) {
  json minimal = {{"guid", guid}};
  for (const char* k : {"typeName", "status"})
    if (auto it = rec.find(k); it != rec.end() && it->is_string()) minimal[k] = *it;
  return SearchIndex::Prepare(minimal, reg);
}

// The Work for the current state of entity `guid` (`rec`): its document, or its
// removal when purged. A record that cannot be indexed is recorded in `failures`
// and gets a minimal document; `refusals` (how often Xapian refused this guid's
// document so far) degrades the document further.
Work WorkFor(const catalog::Catalog& catalog, const types::TypeRegistry& reg, const std::string& guid, json rec,
             int refusals, WorkerFailures& failures) {
  Work w;
  w.guid = guid;
  const bool purged = rec.is_object() && rec.contains("status") && rec["status"] == "PURGED";
  if (!rec.is_null() && !rec.is_object()) failures.Record(guid, "index: the stored record is not a JSON object");
  if (!rec.is_object() || purged || refusals >= 2) {
    w.remove = true;
    return w;
  }
  if (refusals == 0) {
    Result<PreparedDocument> doc = Status::Internal("index: no document");
    try {
      AddMeanings(catalog, reg, rec);
      doc = SearchIndex::Prepare(rec, reg);
    } catch (const std::exception& e) {
      doc = Status::Internal(std::string("index: malformed record: ") + e.what());
    }
    if (doc.ok()) {
      failures.Resolve(guid);
      w.doc = std::move(*doc);
      return w;
    }
    failures.Record(guid, doc.status().message());
    spdlog::warn("indexer: entity {} indexed by type only: {}", guid, doc.status().message());
  }
  auto doc = MinimalDocument(guid, rec, reg);
  if (doc.ok()) w.doc = std::move(*doc);
  else w.remove = true;
  return w;
}

// Notes a refused document and whether to try again: true while the guid has
// been refused fewer than three times (full, minimal, removal).
bool NoteRefusal(const std::string& guid, const Status& why, Refusals& refusals, WorkerFailures& failures) {
  int& n = refusals[guid];
  failures.Record(guid, why.message());
  spdlog::warn("indexer: document of entity {} refused ({}); the round is applied without it", guid, why.message());
  return ++n <= 2;
}

}  // namespace

Indexer::Indexer(catalog::Catalog* catalog, SearchIndex* index, IndexerOptions options)
    : catalog_(catalog), index_(index), options_(options) {}

Indexer::~Indexer() { Stop(); }

Status Indexer::Rebuild(catalog::Catalog& catalog, SearchIndex& index, uint64_t* count, WorkerFailures* failures,
                        const std::atomic<bool>* stop) {
  WorkerFailures local;
  WorkerFailures& failed = failures ? *failures : local;
  // Queue entries written before the entity scan starts are covered by it.
  ASSIGN_OR_RETURN(uint64_t queued_before, catalog.LastQueued(catalog::kIndexTopic));
  // An empty queue holds no sequence: everything through the entries already deleted is
  // in the store too. Recording less would make the indexer see a gap and rebuild again.
  ASSIGN_OR_RETURN(const uint64_t deleted_through, catalog.QueueAckedThrough(catalog::kIndexTopic));
  queued_before = std::max(queued_before, deleted_through);
  RETURN_IF_ERROR(index.SetMetadata(std::string(kCompleteKey), ""));
  auto reg = catalog.types();
  uint64_t n = 0;
  Refusals refusals;
  for (;;) {
    RETURN_IF_ERROR(index.Clear());
    RETURN_IF_ERROR(index.Commit());
    std::string refused;
    Status s = Pipeline(
        index,
        [&](const std::function<bool(Work)>& emit) {
          return catalog.ScanRecords([&](const std::string& guid, Result<json> rec) {
            if (stop && stop->load()) return false;
            if (!rec.ok()) {
              failed.Record(guid, rec.status().message());
              spdlog::warn("reindex: entity {} skipped: {}", guid, rec.status().message());
              return true;
            }
            if (rec->is_object() && rec->contains("status") && (*rec)["status"] == "PURGED") return true;
            auto it = refusals.find(guid);
            Work w = WorkFor(catalog, *reg, guid, std::move(*rec), it == refusals.end() ? 0 : it->second, failed);
            if (w.remove) return true;
            w.fresh = true;  // the index was cleared above
            return emit(std::move(w));
          });
        },
        kRebuildCommitEvery, &n, &refused);
    if (stop && stop->load()) return Status::Unavailable("search index rebuild stopped");
    if (s.ok()) break;
    // Xapian dropped the uncommitted documents with the refused one: start again without it.
    if (refused.empty() || !NoteRefusal(refused, s, refusals, failed)) return s;
  }
  RETURN_IF_ERROR(index.SetMetadata(std::string(kCompleteKey), std::string(kDocumentFormat)));
  RETURN_IF_ERROR(index.SetMetadata(std::string(kQueuePositionKey), std::to_string(queued_before)));
  RETURN_IF_ERROR(index.Commit());
  if (count) *count = n;
  // Queue entries up to queued_before are covered by the scan; later ones (writes that
  // raced it) stay queued and are applied as usual.
  return catalog.AckQueue(catalog::kIndexTopic, 0, queued_before);
}

Status Indexer::Start() {
  stop_ = false;
  // The server answers at once; the backlog (or a first build) is worked off here,
  // and searches wait for it through WaitFor.
  thread_ = std::thread([this] {
    // Below request threads: under a write burst acknowledgements come first and
    // the index catches up after (searches still wait for it, bounded).
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
    if (index_->GetMetadata(std::string(kCompleteKey)) != kDocumentFormat) {
      if (!RebuildHere()) return;
    } else {
      queue_position_ = std::strtoull(index_->GetMetadata(std::string(kQueuePositionKey)).c_str(), nullptr, 10);
    }
    Run();
  });
  return Status::Ok();
}

bool Indexer::RebuildHere() {
  uint64_t n = 0;
  Status s = Rebuild(*catalog_, *index_, &n, &failures_, &stop_);
  if (stop_) {
    spdlog::info("search index build stopped; it starts again at the next start");
    return false;
  }
  if (!s.ok()) {
    spdlog::error("search index build failed: {}", s.ToString());
    return false;
  }
  indexed_ += n;
  queue_position_ = std::strtoull(index_->GetMetadata(std::string(kQueuePositionKey)).c_str(), nullptr, 10);
  spdlog::info("search index built: {} entities", n);
  return true;
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
  constexpr size_t kEntriesPerRead = 256;
  std::set<std::string> guid_set;
  // Entries this index still needed were deleted (a follower whose index fell behind the
  // leader's): only a rebuild brings it back in step.
  ASSIGN_OR_RETURN(const uint64_t gone_through, catalog_->QueueAckedThrough(catalog::kIndexTopic));
  if (gone_through > queue_position_) {
    spdlog::warn("indexer: queue entries up to {} are gone but the index holds only up to {}: rebuilding it",
                 gone_through, queue_position_);
    if (!RebuildHere()) return Status::Internal("search index rebuild failed");
  }
  uint64_t consumed = queue_position_;
  *drained = false;
  std::vector<catalog::Catalog::QueueEntry> entries;
  while (!*drained && guid_set.size() < options_.max_guids_per_round) {
    RETURN_IF_ERROR(catalog_->ReadQueue(catalog::kIndexTopic, consumed, kEntriesPerRead, &entries));
    size_t used = 0;
    for (const auto& entry : entries) {
      ++used;
      consumed = entry.sequence;
      if (entry.task.is_object() && entry.task.contains("guids") && entry.task.at("guids").is_array())
        for (const json& g : entry.task.at("guids"))
          if (g.is_string()) guid_set.insert(g.get<std::string>());
      if (guid_set.size() >= options_.max_guids_per_round) break;
    }
    *drained = entries.size() < kEntriesPerRead && used == entries.size();
  }
  if (consumed != queue_position_) {
    const std::vector<std::string> guids(guid_set.begin(), guid_set.end());
    auto reg = catalog_->types();
    Refusals refusals;
    for (;;) {
      std::string refused;
      Status s = Pipeline(
          *index_,
          [&](const std::function<bool(Work)>& emit) {
            // A store that cannot be read fails the round (it is retried); a record
            // that cannot be decoded or indexed only affects its own document.
            return catalog_->LoadRecords(guids, [&](const std::string& g, Result<json> got) {
              json rec;  // null: the entity is gone, so is its document
              if (got.ok()) rec = std::move(*got);
              else if (got.status().code() != StatusCode::kNotFound) {
                failures_.Record(g, got.status().message());
                spdlog::warn("indexer: entity {} left out of the index: {}", g, got.status().message());
              }
              auto it = refusals.find(g);
              return emit(WorkFor(*catalog_, *reg, g, std::move(rec), it == refusals.end() ? 0 : it->second, failures_));
            });
          },
          0, nullptr, &refused);
      if (s.ok()) s = index_->SetMetadata(std::string(kQueuePositionKey), std::to_string(consumed));
      if (s.ok()) s = index_->Commit();
      if (s.ok()) break;
      // Xapian dropped the round's uncommitted documents with the refused one: redo the round without it.
      if (refused.empty() || !NoteRefusal(refused, s, refusals, failures_)) return s;
    }
    indexed_ += guids.size();
    RETURN_IF_ERROR(catalog_->AckQueue(catalog::kIndexTopic, queue_position_, consumed));
    queue_position_ = consumed;
  }
  if (*drained) {
    std::lock_guard<std::mutex> lock(mu_);
    if (target > applied_) applied_ = target;
  }
  applied_cv_.notify_all();
  return Status::Ok();
}

void Indexer::Run() {
  auto last_round = std::chrono::steady_clock::time_point{};
  bool behind = false;  // the last round stopped at max_guids_per_round
  while (!stop_) {
    if (catalog_->last_sequence() <= applied_) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_cv_.wait_for(lock, options_.poll, [&] { return stop_.load(); });
      continue;
    }
    if (!behind && options_.gather.count() > 0) {
      // Writes keep coming: let them gather so that one round (one Xapian commit, one
      // document per entity however often it changed) covers more of them.
      std::unique_lock<std::mutex> lock(mu_);
      wake_cv_.wait_until(lock, last_round + options_.gather, [&] { return stop_.load() || waiters_ > 0; });
    }
    last_round = std::chrono::steady_clock::now();
    bool drained = false;
    Status s = ApplyRound(&drained);
    behind = s.ok() && !drained;
    if (!s.ok()) {
      spdlog::error("indexer: {}; retrying", s.ToString());
      std::unique_lock<std::mutex> lock(mu_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_.load(); });
    }
  }
}

bool Indexer::WaitFor(uint64_t sequence, const Deadline& deadline) {
  if (applied_ >= sequence) return true;
  std::unique_lock<std::mutex> lock(mu_);
  ++waiters_;  // under mu_: the indexer sees it before it next waits to gather writes
  wake_cv_.notify_all();
  const auto until = std::min(std::chrono::steady_clock::now() + options_.max_wait, deadline.at());
  const bool applied = applied_cv_.wait_until(lock, until, [&] { return applied_ >= sequence; });
  --waiters_;
  return applied;
}

}  // namespace meridian::index
