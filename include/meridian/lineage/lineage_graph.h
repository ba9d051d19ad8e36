// Lineage adjacency: which Process reads (inputs) and writes (outputs) which
// DataSet, for table and column lineage alike.
//
// Two interchangeable views serve the walker:
//   LineageGraph  in memory; rebuilt from the edges family at start-up and kept
//                 current by a Catalog commit observer (OnCommit).
//   StoreAdjacency one catalog edge read (a prefix scan) per expansion.
// Both expose Up(node) = the nodes data flows from (a dataset's producing
// processes, a process's inputs) and Down(node) = where it flows to.
//
// Thread-safety: LineageGraph readers hold a Reader (shared lock) while they
// walk; OnCommit takes the exclusive lock. StoreAdjacency is stateless.
#pragma once

#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::lineage {

// Process-side relationship attributes that carry lineage.
inline constexpr std::string_view kInputs = "inputs";
inline constexpr std::string_view kOutputs = "outputs";
// DataSet-side mirrors.
inline constexpr std::string_view kInputToProcesses = "inputToProcesses";
inline constexpr std::string_view kOutputFromProcesses = "outputFromProcesses";

class LineageGraph {
 public:
  using Node = uint32_t;
  static constexpr Node kNoNode = UINT32_MAX;
  struct Edge {
    Node other;
    uint32_t rel;  // index into relationship guids
    bool active;   // false: the relationship is DELETED (an end was deleted)
  };

  // Reads every lineage edge of `catalog`: one pass over its edges.
  Status Load(const catalog::Catalog& catalog);
  // Applies the edge changes of one commit.
  void OnCommit(const catalog::CommitInfo& info);

  // A consistent read view; holds the shared lock while alive.
  class Reader {
   public:
    explicit Reader(const LineageGraph& g) : g_(g), lock_(g.mu_) {}
    Node Find(std::string_view guid) const {
      auto it = g_.index_.find(guid);
      return it == g_.index_.end() ? kNoNode : it->second;
    }
    const std::string& Guid(Node n) const { return g_.nodes_[n].guid; }
    bool IsProcess(Node n) const { return g_.nodes_[n].is_process; }
    const std::vector<Edge>& Up(Node n) const { return g_.nodes_[n].up; }
    const std::vector<Edge>& Down(Node n) const { return g_.nodes_[n].down; }
    const std::string& RelGuid(uint32_t rel) const { return g_.rels_[rel]; }

   private:
    const LineageGraph& g_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  size_t node_count() const;
  size_t edge_count() const;

 private:
  struct NodeData {
    std::string guid;
    bool is_process = false;
    std::vector<Edge> up, down;
  };
  Node Intern(std::string_view guid, bool is_process);
  // Sets (edge given) or removes the edge process --attr--> dataset.
  void SetEdge(std::string_view process, std::string_view attr, std::string_view dataset, const catalog::Edge* edge);

  mutable std::shared_mutex mu_;
  std::deque<NodeData> nodes_;                          // stable addresses: index_ keys view into them
  std::unordered_map<std::string_view, Node> index_;
  std::vector<std::string> rels_;
  size_t edges_ = 0;
};

// The same adjacency read straight from the store, one prefix scan per call.
class StoreAdjacency {
 public:
  struct Edge {
    std::string other;
    std::string rel;
    bool active;
  };
  explicit StoreAdjacency(const catalog::Catalog& catalog) : catalog_(catalog) {}
  void Up(const std::string& guid, bool is_process, std::vector<Edge>* out) const;
  void Down(const std::string& guid, bool is_process, std::vector<Edge>* out) const;

 private:
  void Read(const std::string& guid, std::string_view attr, std::vector<Edge>* out) const;
  const catalog::Catalog& catalog_;
};

}  // namespace meridian::lineage
