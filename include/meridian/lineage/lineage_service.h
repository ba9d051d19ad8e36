// LineageService: answers lineage requests in Atlas's AtlasLineageInfo shape.
//
// Walks the in-memory LineageGraph and renders entity headers (with their
// classifications) from a cache of serialised headers that commits invalidate.
// Attach() loads the graph and subscribes to the catalog's commits, either
// before serving or in the background (AttachInBackground) while lineage
// requests wait for it.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/lineage/lineage_graph.h"
#include "meridian/lineage/walker.h"
#include "meridian/status.h"

namespace meridian::lineage {

struct LineageOptions {
  // Default: 10000 ([lineage] max_nodes). Most nodes one response holds.
  size_t max_nodes = 10000;
  // Default: 200000. Serialised headers kept; the cache is emptied when full.
  size_t header_cache_entries = 200000;
};

struct LineageRequest {
  Direction direction = Direction::kBoth;
  int depth = 3;
  bool hide_process = false;
  bool include_deleted = true;
  size_t max_nodes = 0;  // 0: the configured limit; never above it
  // On-demand form: per-guid constraints {direction, depth, inputRelationsLimit,
  // outputRelationsLimit}; the base's (or defaults) apply to other nodes.
  bool on_demand = false;
  nlohmann::json constraints = nlohmann::json::object();
  // The request's time budget: the walk, the rendering and the wait for the
  // graph stop when it expires (DeadlineExceeded, HTTP 504).
  Deadline deadline;
};

Result<Direction> ParseDirection(const std::string& s);
const char* DirectionName(Direction d);

class LineageService {
 public:
  LineageService(catalog::Catalog& catalog, LineageOptions options);

  // Loads the graph from the store and subscribes to the catalog's commits.
  Status Attach();
  // The same on a background thread, with catalog writes paused while the graph
  // loads; `on_ready` then runs inside that pause (it may add commit observers).
  // Lineage requests wait for the graph (at most 60 s, then 503; never past
  // their deadline, then 504).
  void AttachInBackground(std::function<void()> on_ready);
  // Waits until a background attach has finished (its on_ready included).
  void JoinBackgroundAttach();
  ~LineageService() { JoinBackgroundAttach(); }

  // AtlasLineageInfo of `guid`, serialised. NotFound for an unknown guid,
  // NotFound ATLAS-404-00-011 for an entity that is neither DataSet nor Process,
  // DeadlineExceeded once req.deadline expires.
  Result<std::string> Lineage(const std::string& guid, const LineageRequest& req) const;

  const LineageGraph& graph() const { return graph_; }
  catalog::Catalog& catalog() const { return catalog_; }
  const LineageOptions& options() const { return options_; }

 private:
  void OnCommit(const catalog::CommitInfo& info);
  // Serialised AtlasEntityHeader with classifications; empty if unknown.
  std::string Header(const std::string& guid) const;

  catalog::Catalog& catalog_;
  LineageOptions options_;
  LineageGraph graph_;

  std::thread loader_;
  mutable std::mutex ready_mu_;
  mutable std::condition_variable ready_cv_;
  bool ready_ = false;  // GUARDED_BY(ready_mu_)
  Status load_status_;  // GUARDED_BY(ready_mu_)

  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::string, std::string> headers_;
  std::atomic<uint64_t> generation_{0};  // bumped by every invalidation
};

}  // namespace meridian::lineage
