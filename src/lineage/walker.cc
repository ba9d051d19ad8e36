#include "meridian/lineage/walker.h"

#include <deque>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace meridian::lineage {

namespace {

// Adjacency adapters: Node/Rel handles and Near(node) in one direction.
struct MemoryOps {
  using Node = LineageGraph::Node;
  using Rel = uint32_t;
  struct Edge {
    Node other;
    Rel rel;
    bool active;
  };
  const LineageGraph::Reader& r;
  void Near(Node n, bool /*is_process*/, bool up, std::vector<Edge>* out) const {
    out->clear();
    for (const auto& e : up ? r.Up(n) : r.Down(n)) out->push_back({e.other, e.rel, e.active});
  }
  const std::string& Guid(Node n) const { return r.Guid(n); }
  const std::string& RelGuid(Rel rel) const { return r.RelGuid(rel); }
};

struct StoreOps {
  using Node = std::string;
  using Rel = std::string;
  using Edge = StoreAdjacency::Edge;
  const StoreAdjacency& a;
  void Near(const Node& n, bool is_process, bool up, std::vector<Edge>* out) const {
    if (up) a.Up(n, is_process, out);
    else a.Down(n, is_process, out);
  }
  const std::string& Guid(const Node& n) const { return n; }
  const std::string& RelGuid(const Rel& rel) const { return rel; }
};

template <class Ops>
class Walker {
 public:
  using Node = typename Ops::Node;
  using Rel = typename Ops::Rel;
  using Edge = typename Ops::Edge;

  Walker(const Ops& ops, const WalkOptions& opts) : ops_(ops), opts_(opts) {}

  WalkResult Run(const Node& base, bool base_is_process) {
    if (opts_.direction != Direction::kOutput) Direction1(base, base_is_process, true);
    if (opts_.direction != Direction::kInput) Direction1(base, base_is_process, false);
    return std::move(result_);
  }

 private:
  struct Item {
    Node node;
    int hop;
  };

  void Direction1(const Node& base, bool base_is_process, bool up) {
    if (stopped_) return;
    std::unordered_set<Node> visited_datasets, expanded_processes;
    std::deque<Item> frontier;
    std::vector<Edge> near, far;
    if (base_is_process) {
      Near(base, true, up, &far);
      expanded_processes.insert(base);
      ExpandProcess(base, far, 1, up, visited_datasets, frontier);
    } else {
      visited_datasets.insert(base);
      frontier.push_back({base, 0});
    }
    while (!frontier.empty() && !stopped_) {
      Item item = std::move(frontier.front());
      frontier.pop_front();
      if (!Step()) break;
      if (opts_.depth > 0 && item.hop >= opts_.depth) continue;
      Near(item.node, false, up, &near);
      NodeRelations& info = Info(item.node);
      (up ? info.input_total : info.output_total) = near.size();
      (up ? info.expanded_input : info.expanded_output) = true;
      size_t limit = Limit(item.node, up), count = 0;
      for (size_t i = 0; i < near.size() && !stopped_; ++i) {
        const Edge& e = near[i];
        Near(e.other, true, up, &far);
        if (far.empty()) continue;  // a process shows only with a dataset beyond it
        if (count >= limit) {
          (up ? info.has_more_inputs : info.has_more_outputs) = true;
          break;
        }
        if (!Fits({item.node, e.other})) {
          Cut(item.node, up, info);
          break;
        }
        Emit(up ? e.other : item.node, up ? item.node : e.other, e.rel);
        ++count;
        if (expanded_processes.insert(e.other).second)
          ExpandProcess(e.other, far, item.hop + 1, up, visited_datasets, frontier);
      }
      (up ? info.input_count : info.output_count) = count;
    }
    // Datasets left unexpanded by the budget still have relations to offer.
    if (stopped_ && result_.status.ok())
      for (const Item& item : frontier) {
        if (opts_.depth > 0 && item.hop >= opts_.depth) continue;
        Near(item.node, false, up, &near);
        if (near.empty()) continue;
        NodeRelations& info = Info(item.node);
        (up ? info.input_total : info.output_total) = near.size();
        (up ? info.has_more_inputs : info.has_more_outputs) = true;
      }
  }

  // Emits the process's far-side datasets (already filtered) and queues them.
  void ExpandProcess(const Node& p, const std::vector<Edge>& far, int hop, bool up,
                     std::unordered_set<Node>& visited, std::deque<Item>& frontier) {
    if (!Step()) return;
    NodeRelations& info = Info(p);
    (up ? info.input_total : info.output_total) = far.size();
    (up ? info.expanded_input : info.expanded_output) = true;
    size_t limit = Limit(p, up), count = 0;
    for (const Edge& f : far) {
      if (count >= limit) {
        (up ? info.has_more_inputs : info.has_more_outputs) = true;
        break;
      }
      if (!Fits({p, f.other})) {
        Cut(p, up, info);
        break;
      }
      Emit(up ? f.other : p, up ? p : f.other, f.rel);
      ++count;
      if (visited.insert(f.other).second) frontier.push_back({f.other, hop});
    }
    (up ? info.input_count : info.output_count) = count;
  }

  // Counts one expanded node; every kDeadlineStride steps tests the deadline.
  bool Step() {
    if (steps_++ % kDeadlineStride != 0) return !stopped_;
    Status s = opts_.deadline.Check("lineage walk");
    if (!s.ok()) {
      result_.status = std::move(s);
      stopped_ = true;
    }
    return !stopped_;
  }

  void Near(const Node& n, bool is_process, bool up, std::vector<Edge>* out) const {
    ops_.Near(n, is_process, up, out);
    if (opts_.include_deleted) return;
    std::erase_if(*out, [](const Edge& e) { return !e.active; });
  }

  size_t Limit(const Node& n, bool up) const {
    return opts_.relations_limit ? opts_.relations_limit(ops_.Guid(n), up) : std::numeric_limits<size_t>::max();
  }

  // Whether the nodes of one more relation fit the budget.
  bool Fits(std::initializer_list<Node> nodes) const {
    size_t fresh = 0;
    for (const Node& n : nodes) fresh += index_.count(n) ? 0 : 1;
    return index_.size() + fresh <= opts_.max_nodes;
  }

  void Cut(const Node&, bool up, NodeRelations& info) {
    (up ? info.has_more_inputs : info.has_more_outputs) = true;
    result_.has_more = true;
    stopped_ = true;
  }

  void Emit(const Node& from, const Node& to, const Rel& rel) {
    if (!emitted_.insert(rel).second) return;
    Add(from);
    Add(to);
    result_.relations.push_back({ops_.Guid(from), ops_.Guid(to), ops_.RelGuid(rel)});
  }

  void Add(const Node& n) {
    if (index_.emplace(n, result_.nodes.size()).second) result_.nodes.push_back(ops_.Guid(n));
  }

  NodeRelations& Info(const Node& n) { return result_.node_relations[ops_.Guid(n)]; }

  const Ops& ops_;
  const WalkOptions& opts_;
  WalkResult result_;
  std::unordered_map<Node, size_t> index_;
  std::unordered_set<Rel> emitted_;
  bool stopped_ = false;
  size_t steps_ = 0;
};

}  // namespace

WalkResult Walk(const LineageGraph& graph, const std::string& base, bool base_is_process, const WalkOptions& opts) {
  LineageGraph::Reader reader(graph);
  LineageGraph::Node n = reader.Find(base);
  if (n == LineageGraph::kNoNode) return {};
  MemoryOps ops{reader};
  return Walker<MemoryOps>(ops, opts).Run(n, base_is_process);
}

WalkResult Walk(const StoreAdjacency& adjacency, const std::string& base, bool base_is_process,
                const WalkOptions& opts) {
  StoreOps ops{adjacency};
  return Walker<StoreOps>(ops, opts).Run(base, base_is_process);
}

}  // namespace meridian::lineage
