// PropagationWorker: applies classification propagation in the background.
//
// Consumes the durable `propagation` queue topic in sequence order (leftovers
// from before a restart first). For each task it works out the affected
// (source entity, tag) pairs, computes the entities reachable downstream of the
// source along lineage relationships that propagate tags, and hands the
// difference against Catalog::PropagationTargets to Catalog::ApplyPropagation
// in chunks. A task's key is deleted only once it is fully applied; chunks are
// idempotent, so a crash mid-way resumes on restart.
//
// Rules (hive-model.md §9): the tag's `propagate` flag; the relationship
// instance's propagateTags (NONE cuts an edge) and blockedPropagatedClassifications;
// restrictPropagationThroughLineage (no propagation along lineage);
// removePropagationsOnEntityDelete (copies of a deleted source's tag go, else
// they stay marked DELETED); deleted entities cut the paths through them.
//
// Only the writer works: while the catalog refuses writes (a follower,
// Catalog::WriteAllowed) the worker idles, consuming nothing, and resumes once the
// fence passes; a round during which the fence started failing is left queued.
//
// Bad items: a malformed task or record, or a (source, tag) whose application
// fails, is recorded in failures() (id: "source/tag" or the task; why; also
// logged) and skipped; the rest of the round is applied. A (source, tag) leaves
// failures() once a later recomputation of it succeeds.
//
// Thread-safety: Start/Stop from one thread; the accessors from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/lineage/lineage_graph.h"
#include "meridian/worker_failures.h"

namespace meridian::lineage {

struct PropagationOptions {
  // Default: 1000. Entities changed per ApplyPropagation batch (other writes wait at most one chunk).
  size_t chunk_size = 1000;
};

class PropagationWorker {
 public:
  PropagationWorker(catalog::Catalog& catalog, const LineageGraph& graph, PropagationOptions options);
  ~PropagationWorker();

  // Starts the thread. Call after the graph is loaded; registers a commit observer to wake up.
  void Start();
  // Stops after the current chunk; unfinished tasks stay queued.
  void Stop();

  // Tasks waiting in the queue and tasks finished since start.
  uint64_t pending() const;
  uint64_t done() const { return done_.load(); }
  // True when there is nothing for this server to do (the queue is empty, or it is a follower).
  bool idle() const { return idle_.load(); }
  const WorkerFailures& failures() const { return failures_; }

  // Entities that should hold (source, tag) now, breadth first; `on_level`
  // (optional) sees each level's new entities as soon as they are known.
  // Tests `deadline` every few hundred entities: DeadlineExceeded once it
  // expires or is cancelled (the worker's own deadline is cancelled by Stop).
  // Exposed for benchmarks and tests.
  using LevelFn = std::function<void(const std::vector<std::string>&)>;
  Result<std::vector<std::string>> Reachable(const std::string& source, const std::string& tag,
                                             const Deadline& deadline = {}, const LevelFn& on_level = nullptr) const;

 private:
  using Pair = std::pair<std::string, std::string>;  // source guid, tag name
  void Run();
  // Applies one task; false when stopped before it finished.
  bool Process(const nlohmann::json& task);
  // Adds the (source, tag) pairs `task` affects; the ends of new lineage links go to `linked`.
  void PairsOfTask(const nlohmann::json& task, std::set<Pair>* out, std::set<std::string>* linked) const;
  // Adds the (source, tag) pairs of the classifications `guids` carry, direct or propagated.
  void PairsOf(std::vector<std::string> guids, std::set<Pair>* out) const;
  void Fail(const std::string& id, const std::string& why);
  static std::string Shorten(std::string s);
  bool Recompute(const std::string& source, const std::string& tag);

  catalog::Catalog& catalog_;
  const LineageGraph& graph_;
  PropagationOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> stop_{false};
  Deadline running_;  // cancelled by Stop(): bounds the walks of Recompute
  std::atomic<bool> idle_{false};
  std::atomic<uint64_t> done_{0};
  WorkerFailures failures_;
  std::atomic<uint64_t> position_{0};  // sequence of the last queue entry finished
};

}  // namespace meridian::lineage
