#include "meridian/lineage/propagation_worker.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include <spdlog/spdlog.h>

namespace meridian::lineage {

using nlohmann::json;

namespace {

constexpr size_t kTasksPerRound = 512;

const json* DirectClassification(const json& rec, const std::string& tag) {
  auto it = rec.find("classifications");
  if (it == rec.end() || !it->is_array()) return nullptr;
  for (const json& c : *it)
    if (c.value("typeName", "") == tag) return &c;
  return nullptr;
}

bool Blocks(const json& rel, const std::string& tag) {
  auto it = rel.find("blockedPropagatedClassifications");
  if (it == rel.end() || !it->is_array()) return false;
  for (const json& b : *it) {
    if (b.is_string() && b.get<std::string>() == tag) return true;
    if (b.is_object() && b.value("typeName", "") == tag) return true;
  }
  return false;
}

}  // namespace

PropagationWorker::PropagationWorker(catalog::Catalog& catalog, const LineageGraph& graph,
                                     PropagationOptions options)
    : catalog_(catalog), graph_(graph), options_(options) {}

PropagationWorker::~PropagationWorker() { Stop(); }

void PropagationWorker::Start() {
  catalog_.AddCommitObserver([this](const catalog::CommitInfo&) {
    std::lock_guard lock(mu_);
    wake_ = true;
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

void PropagationWorker::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_one();
  }
  thread_.join();
}

uint64_t PropagationWorker::pending() const {
  uint64_t n = 0;
  std::string prefix = store::keys::QueuePrefix(catalog::kPropagationTopic), after;
  {
    std::lock_guard lock(position_mu_);
    after = position_;
  }
  // Starts after the finished part, whose deleted keys would slow the scan.
  catalog_.store().Scan(store::Family::kQueue, prefix, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }, after).PermitUnchecked();
  return n;
}

void PropagationWorker::Run() {
  const std::string prefix = store::keys::QueuePrefix(catalog::kPropagationTopic);
  std::string last_key;
  while (!stop_) {
    std::vector<std::pair<std::string, json>> tasks;
    catalog_.store().Scan(store::Family::kQueue, prefix, [&](std::string_view k, std::string_view v) {
      auto task = store::DecodeRecord(v);
      tasks.emplace_back(std::string(k), task.ok() ? std::move(*task) : json::object());
      return tasks.size() < kTasksPerRound;
    }, last_key).PermitUnchecked();
    if (tasks.empty()) {
      idle_ = true;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return wake_ || stop_; });
      wake_ = false;
      continue;
    }
    idle_ = false;
    // Tasks describe what changed; the state is recomputed from the store, so
    // the (source, tag) pairs of a round are each recomputed once.
    std::set<Pair> pairs;
    for (const auto& [key, task] : tasks) {
      const std::string kind = task.value("kind", "");
      if (kind == "classification") {
        pairs.emplace(task.value("guid", ""), task.value("name", ""));
      } else if (kind == "entity_deleted") {
        PairsOf(task.value("guid", ""), &pairs);
      } else if (kind == "edge") {
        std::string e1 = task.value("end1", ""), e2 = task.value("end2", "");
        if (e1.empty() || e2.empty()) {
          auto rel = catalog_.GetRelationship(task.value("relationship", ""), false);
          if (rel.ok()) {
            e1 = (*rel)["relationship"]["end1"].value("guid", "");
            e2 = (*rel)["relationship"]["end2"].value("guid", "");
          }
        }
        PairsOf(e1, &pairs);
        PairsOf(e2, &pairs);
      }
    }
    for (const auto& [source, tag] : pairs) {
      if (source.empty() || tag.empty()) continue;
      if (!Recompute(source, tag)) return;  // stopped: the tasks stay queued
    }
    store::Batch done;
    for (const auto& [key, task] : tasks) done.Delete(store::Family::kQueue, key);
    Status s = catalog_.store().Write(done);
    if (!s.ok()) spdlog::error("propagation: cannot delete finished tasks: {}", s.ToString());
    last_key = tasks.back().first;
    {
      std::lock_guard lock(position_mu_);
      position_ = last_key;
    }
    done_ += tasks.size();
  }
}

void PropagationWorker::PairsOf(const std::string& guid, std::set<Pair>* out) const {
  if (guid.empty()) return;
  auto rec = catalog_.LoadRecord(guid);
  if (!rec.ok()) return;
  for (const json& c : rec->value("classifications", json::array())) out->emplace(guid, c.value("typeName", ""));
  for (const json& c : rec->value("propagatedClassifications", json::array()))
    out->emplace(c.value("entityGuid", ""), c.value("typeName", ""));
}

std::vector<std::string> PropagationWorker::Reachable(const std::string& source, const std::string& tag) const {
  auto rec = catalog_.LoadRecord(source);
  if (!rec.ok() || rec->value("status", "") != "ACTIVE") return {};
  const json* cls = DirectClassification(*rec, tag);
  if (!cls || !cls->value("propagate", true) || cls->value("restrictPropagationThroughLineage", false)) return {};

  // Level by level: adjacency is read under the graph's lock, relationship
  // records (instance propagateTags, blocked tags) outside it.
  struct Candidate {
    LineageGraph::Node node;
    std::string rel;
    bool from_process;
  };
  std::vector<LineageGraph::Node> level;
  std::vector<bool> seen;
  {
    LineageGraph::Reader r(graph_);
    LineageGraph::Node n = r.Find(source);
    if (n == LineageGraph::kNoNode) return {};
    level.push_back(n);
  }
  std::unordered_map<std::string, bool> rel_allowed;
  std::vector<std::string> out;
  auto mark = [&](LineageGraph::Node n) {
    if (n >= seen.size()) seen.resize(std::max<size_t>(n + 1, seen.size() * 2), false);
    bool fresh = !seen[n];
    seen[n] = true;
    return fresh;
  };
  mark(level.front());
  std::vector<Candidate> candidates;
  while (!level.empty()) {
    candidates.clear();
    {
      LineageGraph::Reader r(graph_);
      for (LineageGraph::Node x : level)
        for (const auto& e : r.Down(x))
          if (e.active && (e.other >= seen.size() || !seen[e.other]))
            candidates.push_back({e.other, r.RelGuid(e.rel), r.IsProcess(x)});
    }
    level.clear();
    for (const Candidate& c : candidates) {
      if (c.node < seen.size() && seen[c.node]) continue;
      auto [it, fresh] = rel_allowed.try_emplace(c.rel, false);
      if (fresh) {
        auto rel = catalog_.GetRelationship(c.rel, false);
        if (rel.ok()) {
          const json& r = (*rel)["relationship"];
          std::string mode = r.value("propagateTags", "NONE");
          // Process -> dataset is end1 -> end2 (outputs); dataset -> process is end2 -> end1 (inputs).
          bool dir_ok = mode == "BOTH" || (c.from_process ? mode == "ONE_TO_TWO" : mode == "TWO_TO_ONE");
          it->second = dir_ok && r.value("status", "ACTIVE") == "ACTIVE" && !Blocks(r, tag);
        }
      }
      if (!it->second || !mark(c.node)) continue;
      level.push_back(c.node);
    }
    LineageGraph::Reader r(graph_);
    for (LineageGraph::Node n : level) out.push_back(r.Guid(n));
  }
  return out;
}

bool PropagationWorker::Recompute(const std::string& source, const std::string& tag) {
  auto rec = catalog_.LoadRecord(source);
  const json* cls = rec.ok() ? DirectClassification(*rec, tag) : nullptr;
  std::vector<std::string> current = catalog_.PropagationTargets(source, tag);
  std::vector<std::string> desired;
  const bool active = rec.ok() && rec->value("status", "") == "ACTIVE";
  if (cls && active) {
    desired = Reachable(source, tag);
  } else if (cls && rec.ok() && !cls->value("removePropagationsOnEntityDelete", false)) {
    desired = current;  // a deleted source keeps its copies, marked DELETED
  }
  std::sort(desired.begin(), desired.end());
  std::sort(current.begin(), current.end());
  std::vector<std::string> add, remove, both;
  std::set_difference(desired.begin(), desired.end(), current.begin(), current.end(), std::back_inserter(add));
  std::set_difference(current.begin(), current.end(), desired.begin(), desired.end(), std::back_inserter(remove));
  std::set_intersection(desired.begin(), desired.end(), current.begin(), current.end(), std::back_inserter(both));

  json classification = cls ? *cls : json{{"typeName", tag}};
  // Existing copies are refreshed when the source's tag (or status) changed.
  // Chunks go in sorted order, so the last copy is current only if all are.
  if (cls && !both.empty()) {
    json expected = *cls;
    expected["entityGuid"] = source;
    expected["entityStatus"] = rec->value("status", "ACTIVE");
    auto last = catalog_.LoadRecord(both.back());
    bool stale = true;
    if (last.ok())
      for (const json& p : last->value("propagatedClassifications", json::array()))
        if (p.value("typeName", "") == tag && p.value("entityGuid", "") == source) stale = p != expected;
    if (stale) add = desired;
  }
  if (add.empty() && remove.empty()) return true;
  const size_t chunk = std::max<size_t>(1, options_.chunk_size);
  for (size_t i = 0; i < remove.size(); i += chunk) {
    if (stop_) return false;
    std::vector<std::string> part(remove.begin() + i, remove.begin() + std::min(remove.size(), i + chunk));
    Status s = catalog_.ApplyPropagation(source, classification, {}, part);
    if (!s.ok()) spdlog::error("propagation of {} from {}: {}", tag, source, s.ToString());
  }
  for (size_t i = 0; i < add.size(); i += chunk) {
    if (stop_) return false;
    std::vector<std::string> part(add.begin() + i, add.begin() + std::min(add.size(), i + chunk));
    Status s = catalog_.ApplyPropagation(source, classification, part, {});
    if (!s.ok()) spdlog::error("propagation of {} from {}: {}", tag, source, s.ToString());
  }
  spdlog::info("propagation of {} from {}: +{} -{} entities", tag, source, add.size(), remove.size());
  return true;
}

}  // namespace meridian::lineage
