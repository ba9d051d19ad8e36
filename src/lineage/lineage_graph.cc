#include "meridian/lineage/lineage_graph.h"

#include <algorithm>
#include <mutex>

namespace meridian::lineage {

namespace {

void RemoveEdge(std::vector<LineageGraph::Edge>& list, LineageGraph::Node other) {
  list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& e) { return e.other == other; }), list.end());
}

}  // namespace

LineageGraph::Node LineageGraph::Intern(std::string_view guid, bool is_process) {
  auto it = index_.find(guid);
  if (it != index_.end()) {
    if (is_process) nodes_[it->second].is_process = true;
    return it->second;
  }
  Node n = static_cast<Node>(nodes_.size());
  nodes_.push_back(NodeData{std::string(guid), is_process, {}, {}});
  index_.emplace(std::string_view(nodes_.back().guid), n);
  return n;
}

void LineageGraph::SetEdge(std::string_view process, std::string_view attr, std::string_view dataset,
                           const catalog::Edge* edge) {
  const bool is_input = attr == kInputs;  // dataset -> process; else process -> dataset
  if (!edge) {
    auto p = index_.find(process), d = index_.find(dataset);
    if (p == index_.end() || d == index_.end()) return;
    NodeData& pn = nodes_[p->second];
    NodeData& dn = nodes_[d->second];
    size_t before = pn.up.size() + pn.down.size();
    RemoveEdge(is_input ? pn.up : pn.down, d->second);
    RemoveEdge(is_input ? dn.down : dn.up, p->second);
    if (pn.up.size() + pn.down.size() < before) --edges_;
    return;
  }
  const std::string& rel = edge->relationship;
  const bool active = edge->active;
  Node p = Intern(process, true);
  Node d = Intern(dataset, false);
  auto& plist = is_input ? nodes_[p].up : nodes_[p].down;
  auto& dlist = is_input ? nodes_[d].down : nodes_[d].up;
  for (auto& e : plist) {
    if (e.other != d) continue;
    if (rels_[e.rel] != rel) rels_[e.rel] = std::string(rel);
    e.active = active;
    for (auto& f : dlist) {
      if (f.other != p) continue;
      f.rel = e.rel;
      f.active = active;
    }
    return;
  }
  uint32_t r = static_cast<uint32_t>(rels_.size());
  rels_.emplace_back(rel);
  plist.push_back({d, r, active});
  dlist.push_back({p, r, active});
  ++edges_;
}

Status LineageGraph::Load(const catalog::Catalog& catalog) {
  std::unique_lock lock(mu_);
  return catalog.ScanEdges({std::string(kInputs), std::string(kOutputs)},
                           [&](std::string_view guid, const catalog::Edge& edge) {
                             SetEdge(guid, edge.attribute, edge.other, &edge);
                             return true;
                           });
}

void LineageGraph::OnCommit(const catalog::CommitInfo& info) {
  auto lineage = [](const catalog::EdgeChange& c) {
    return c.edge.attribute == kInputs || c.edge.attribute == kOutputs;
  };
  if (std::none_of(info.edges.begin(), info.edges.end(), lineage)) return;
  std::unique_lock lock(mu_);
  for (const auto& change : info.edges)
    if (lineage(change)) SetEdge(change.guid, change.edge.attribute, change.edge.other, change.removed ? nullptr : &change.edge);
}

size_t LineageGraph::node_count() const {
  std::shared_lock lock(mu_);
  return nodes_.size();
}

size_t LineageGraph::edge_count() const {
  std::shared_lock lock(mu_);
  return edges_;
}

void StoreAdjacency::Read(const std::string& guid, std::string_view attr, std::vector<Edge>* out) const {
  out->clear();
  for (auto& e : catalog_.Edges(guid, attr)) out->push_back({std::move(e.other), std::move(e.relationship), e.active});
}

void StoreAdjacency::Up(const std::string& guid, bool is_process, std::vector<Edge>* out) const {
  Read(guid, is_process ? kInputs : kOutputFromProcesses, out);
}

void StoreAdjacency::Down(const std::string& guid, bool is_process, std::vector<Edge>* out) const {
  Read(guid, is_process ? kOutputs : kInputToProcesses, out);
}

}  // namespace meridian::lineage
