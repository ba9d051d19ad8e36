// The lineage walk (Atlas semantics, docs hive-model.md §6) over either
// adjacency view.
//
// From a DataSet, INPUT follows producing processes then their inputs, `depth`
// dataset->process->dataset hops (0 = unlimited); OUTPUT mirrors it; BOTH is
// the union. From a Process the first hop reaches its inputs/outputs. A process
// is emitted only with a dataset on its far side. Each relationship is emitted
// once, so cycles terminate. A node budget bounds the result: nodes whose
// relations were not all returned are listed with their counts. The walk
// tests its deadline as it goes and stops when it expires.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "meridian/deadline.h"
#include "meridian/lineage/lineage_graph.h"
#include "meridian/status.h"

namespace meridian::lineage {

enum class Direction { kInput, kOutput, kBoth };

struct WalkOptions {
  Direction direction = Direction::kBoth;
  int depth = 3;                 // dataset hops; 0 = unlimited
  size_t max_nodes = 10000;      // node budget of the whole result
  bool include_deleted = true;   // follow relationships of DELETED entities (Atlas does)
  // Per-node caps on relations followed in each direction (on-demand lineage);
  // empty = unlimited. Called with the node guid.
  std::function<size_t(const std::string& guid, bool input)> relations_limit;
  // Tested every kDeadlineStride expanded nodes; on expiry the walk stops and
  // WalkResult::status carries deadline.Check()'s error.
  Deadline deadline;
};

inline constexpr size_t kDeadlineStride = 256;

struct Relation {
  std::string from, to, relationship;  // data-flow direction
};

// Per-node bookkeeping for nodes whose expansion was capped or cut.
struct NodeRelations {
  size_t input_count = 0, output_count = 0;  // relations returned
  size_t input_total = 0, output_total = 0;  // relations the node has
  bool has_more_inputs = false, has_more_outputs = false;
  bool expanded_input = false, expanded_output = false;
};

struct WalkResult {
  std::vector<std::string> nodes;  // discovery order
  std::vector<Relation> relations;
  std::map<std::string, NodeRelations> node_relations;  // expanded nodes
  bool has_more = false;  // the node budget cut the walk
  Status status;          // DeadlineExceeded when the deadline stopped the walk
};

WalkResult Walk(const LineageGraph& graph, const std::string& base, bool base_is_process, const WalkOptions& opts);
WalkResult Walk(const StoreAdjacency& adjacency, const std::string& base, bool base_is_process,
                const WalkOptions& opts);

}  // namespace meridian::lineage
