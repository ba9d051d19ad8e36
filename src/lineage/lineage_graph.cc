#include "meridian/lineage/lineage_graph.h"

#include <algorithm>
#include <mutex>

namespace meridian::lineage {

namespace {

// Edge values are "<relationship guid>\x1f<A|D>\x1f<relationship type>".
void DecodeEdgeValue(std::string_view v, std::string_view* rel, bool* active) {
  size_t a = v.find('\x1f');
  *rel = v.substr(0, a);
  *active = a == std::string_view::npos || a + 1 >= v.size() || v[a + 1] == 'A';
}

bool SplitEdgeKey(std::string_view key, std::string_view* guid, std::string_view* attr, std::string_view* other) {
  size_t a = key.find('\0');
  if (a == std::string_view::npos) return false;
  *guid = key.substr(0, a);
  return store::keys::ParseEdge(key, attr, other);
}

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
                           const std::string* value) {
  const bool is_input = attr == kInputs;  // dataset -> process; else process -> dataset
  if (!value) {
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
  std::string_view rel;
  bool active = true;
  DecodeEdgeValue(*value, &rel, &active);
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

Status LineageGraph::Load(const store::Store& store) {
  std::unique_lock lock(mu_);
  std::string value;
  return store.Scan(store::Family::kEdges, {}, [&](std::string_view k, std::string_view v) {
    std::string_view guid, attr, other;
    if (!SplitEdgeKey(k, &guid, &attr, &other)) return true;
    if (attr != kInputs && attr != kOutputs) return true;
    value.assign(v);
    SetEdge(guid, attr, other, &value);
    return true;
  });
}

void LineageGraph::OnCommit(const catalog::CommitInfo& info) {
  bool any = false;
  for (const auto& [k, v] : info.edges) {
    std::string_view guid, attr, other;
    if (SplitEdgeKey(k, &guid, &attr, &other) && (attr == kInputs || attr == kOutputs)) any = true;
  }
  if (!any) return;
  std::unique_lock lock(mu_);
  for (const auto& [k, v] : info.edges) {
    std::string_view guid, attr, other;
    if (!SplitEdgeKey(k, &guid, &attr, &other) || (attr != kInputs && attr != kOutputs)) continue;
    SetEdge(guid, attr, other, v ? &*v : nullptr);
  }
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
