// Indexer: keeps the SearchIndex in step with the catalog.
//
// Every catalog mutation writes, in the same store batch as the change, a queue
// entry `index\0<be64 seq>` -> {"guids":[...]}. The indexer thread consumes that
// topic in key order: it loads each guid's CURRENT record (so replays are
// idempotent; a missing or PURGED record removes the document), commits Xapian
// once per round, and only then deletes the consumed queue keys in one store
// batch. After a crash (kill -9 at any point) the keys that remain are simply
// applied again at start-up, so store and index come back into agreement.
//
// Read-your-writes: applied_sequence() is the catalog sequence up to which every
// acknowledged write is searchable. A request that must see its own (and all
// earlier) writes calls WaitFor(catalog.last_sequence()) before searching; the
// wait is bounded (IndexerOptions::max_wait) and returns false on timeout, in
// which case results may miss the newest writes.
//
// Bad documents: a record that cannot be indexed, or a document Xapian refuses,
// never stops the indexer. The entity is recorded in failures() (guid, why;
// also logged), gets a minimal document (guid, type, status) or, if even that is
// refused, none, and the rest of the round is applied. The same holds for
// Rebuild, so `meridian reindex` never fails on one document. An entity leaves
// failures() once a later write of it is indexed in full.
//
// Thread-safety: Start/Stop from one thread; WaitFor, applied_sequence and
// failures from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/index/search_index.h"
#include "meridian/status.h"
#include "meridian/worker_failures.h"

namespace meridian::index {

struct IndexerOptions {
  // Default: 5000. Entities indexed per round (one Xapian commit each); a round
  // stops at the first queue entry that reaches it. Smaller rounds shorten the
  // write-to-searchable lag, larger ones raise throughput.
  size_t max_guids_per_round = 5000;
  // Default: 2 ms. How often an idle indexer looks for new writes.
  std::chrono::milliseconds poll{2};
  // Default: 20 ms. Under a steady stream of writes, a round starts at most this
  // long after the previous one started, so that it covers more writes; a search
  // waiting in WaitFor starts it at once. 0: a round as soon as a write is seen.
  std::chrono::milliseconds gather{20};
  // Default: 5 s. Longest WaitFor by searches.
  std::chrono::milliseconds max_wait{5000};
};

class Indexer {
 public:
  Indexer(catalog::Catalog* catalog, SearchIndex* index, IndexerOptions options = {});
  ~Indexer();

  // Starts the thread, which first rebuilds the index if it was never completed
  // (new or interrupted rebuild), then applies what is left in the queue and
  // follows new writes. Returns at once.
  Status Start();
  void Stop();

  uint64_t applied_sequence() const { return applied_.load(); }
  // Waits until applied_sequence() >= `sequence`, at most options.max_wait and
  // never past `deadline`.
  bool WaitFor(uint64_t sequence, const Deadline& deadline = {});
  // WaitFor(catalog.last_sequence()).
  bool WaitForLatest(const Deadline& deadline = {}) { return WaitFor(catalog_->last_sequence(), deadline); }
  // Entities indexed since start (rebuild included).
  uint64_t indexed_count() const { return indexed_.load(); }
  // Entities whose document could not be indexed (see above).
  const WorkerFailures& failures() const { return failures_; }

  // Empties the index and indexes every stored entity, then clears the queue.
  // For `meridian reindex` (server stopped) and for Start on an incomplete index.
  // Entities that cannot be indexed are skipped and recorded in `failures` (optional).
  // When `*stop` (optional) turns true it ends early with Unavailable; the index stays
  // marked incomplete, so the next Start rebuilds it.
  static Status Rebuild(catalog::Catalog& catalog, SearchIndex& index, uint64_t* count = nullptr,
                        WorkerFailures* failures = nullptr, const std::atomic<bool>* stop = nullptr);

 private:
  // One round: applies up to max_entries_per_round queue entries. *drained is
  // true when the queue held no more entries.
  Status ApplyRound(bool* drained);
  void Run();

  catalog::Catalog* catalog_;
  SearchIndex* index_;
  IndexerOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  // Rebuilds the index on the indexer thread and takes the queue position it reached.
  bool RebuildHere();
  std::atomic<uint64_t> applied_{0};
  uint64_t queue_position_ = 0;  // last index-queue entry applied (indexer thread only)
  std::atomic<uint64_t> indexed_{0};
  WorkerFailures failures_;
  std::mutex mu_;
  std::condition_variable applied_cv_;  // signalled when applied_ grows
  std::condition_variable wake_cv_;     // wakes the thread early (a waiter arrived)
  int waiters_ = 0;                     // GUARDED_BY(mu_): threads in WaitFor
};

}  // namespace meridian::index
