#include "meridian/lineage/propagation_worker.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "meridian/lineage/walker.h"

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
  catalog_.AddCommitObserver([this](const catalog::CommitInfo& info) {
    if (!info.propagation_queued) return;  // nothing new in its queue
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
    running_.Cancel();
    cv_.notify_one();
  }
  thread_.join();
}

uint64_t PropagationWorker::pending() const {
  auto n = catalog_.CountQueued(catalog::kPropagationTopic, position_.load());
  return n.ok() ? *n : 0;
}

void PropagationWorker::Run() {
  while (!stop_) {
    std::vector<catalog::Catalog::QueueEntry> tasks;
    // Only the writer works off the queue: a follower receives the results by replication.
    if (catalog_.WriteAllowed().ok()) {
      Status read = catalog_.ReadQueue(catalog::kPropagationTopic, position_.load(), kTasksPerRound, &tasks);
      if (!read.ok()) spdlog::error("propagation: cannot read its queue: {}", read.ToString());
    }
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
    std::set<std::string> linked;  // ends of new lineage relationships, each read once a round
    for (const auto& [sequence, task] : tasks) {
      // A malformed task (or record) is recorded and skipped; the others go on.
      try {
        PairsOfTask(task.is_object() ? task : json::object(), &pairs, &linked);
      } catch (const std::exception& e) {
        Fail("task " + Shorten(task.dump(-1, ' ', false, json::error_handler_t::replace)), e.what());
      }
    }
    PairsOf(std::vector<std::string>(linked.begin(), linked.end()), &pairs);
    for (const auto& [source, tag] : pairs) {
      if (source.empty() || tag.empty()) continue;
      bool finished = true;
      try {
        finished = Recompute(source, tag);
      } catch (const std::exception& e) {
        Fail(source + "/" + tag, e.what());
      }
      if (!finished) return;  // stopped: the tasks stay queued
    }
    if (!catalog_.WriteAllowed().ok()) continue;  // no longer the writer: the tasks stay queued for the one that is
    Status s = catalog_.AckQueue(catalog::kPropagationTopic, position_.load(), tasks.back().sequence);
    if (!s.ok()) spdlog::error("propagation: cannot delete finished tasks: {}", s.ToString());
    position_ = tasks.back().sequence;
    done_ += tasks.size();
  }
}

void PropagationWorker::PairsOfTask(const json& task, std::set<Pair>* pairs, std::set<std::string>* linked) const {
  const std::string kind = task.value("kind", "");
  if (kind == "classification") {
    pairs->emplace(task.value("guid", ""), task.value("name", ""));
  } else if (kind == "entity_deleted") {
    PairsOf({task.value("guid", "")}, pairs);
  } else if (kind == "linked") {
    for (const json& g : task.value("guids", json::array()))
      if (g.is_string()) linked->insert(g.get<std::string>());
  } else if (kind == "edge") {
    std::string e1 = task.value("end1", ""), e2 = task.value("end2", "");
    if (e1.empty() || e2.empty()) {
      auto rel = catalog_.GetRelationship(task.value("relationship", ""), false);
      if (rel.ok()) {
        e1 = (*rel)["relationship"]["end1"].value("guid", "");
        e2 = (*rel)["relationship"]["end2"].value("guid", "");
      }
    }
    PairsOf({e1, e2}, pairs);
  }
}

void PropagationWorker::PairsOf(std::vector<std::string> guids, std::set<Pair>* out) const {
  std::erase(guids, std::string());
  std::vector<Result<json>> records = catalog_.LoadRecordSummaries(guids, /*with_classifications=*/true);
  for (size_t i = 0; i < guids.size(); ++i) {
    if (!records[i].ok()) continue;
    const json& rec = *records[i];
    if (auto it = rec.find("classifications"); it != rec.end() && it->is_array())
      for (const json& c : *it)
        if (c.is_object()) out->emplace(guids[i], c.value("typeName", ""));
    if (auto it = rec.find("propagatedClassifications"); it != rec.end() && it->is_array())
      for (const json& c : *it)
        if (c.is_object()) out->emplace(c.value("entityGuid", ""), c.value("typeName", ""));
  }
}

void PropagationWorker::Fail(const std::string& id, const std::string& why) {
  failures_.Record(id, why);
  spdlog::error("propagation: {} skipped: {}", id, why);
}

std::string PropagationWorker::Shorten(std::string s) {
  if (s.size() > 200) s = s.substr(0, 197) + "...";
  return s;
}

Result<std::vector<std::string>> PropagationWorker::Reachable(const std::string& source, const std::string& tag,
                                                             const Deadline& deadline, const LevelFn& on_level) const {
  auto rec = catalog_.LoadRecord(source);
  if (!rec.ok() || rec->value("status", "") != "ACTIVE") return std::vector<std::string>{};
  const json* cls = DirectClassification(*rec, tag);
  if (!cls || !cls->value("propagate", true) || cls->value("restrictPropagationThroughLineage", false))
    return std::vector<std::string>{};

  // Level by level: adjacency is read under the graph's lock, relationship
  // records (instance propagateTags, blocked tags) outside it.
  struct Candidate {
    LineageGraph::Node node;
    uint32_t rel;
    bool from_process;
    std::string rel_guid;  // set when the relationship is not judged yet
  };
  std::vector<LineageGraph::Node> level;
  std::vector<bool> seen;
  {
    LineageGraph::Reader r(graph_);
    LineageGraph::Node n = r.Find(source);
    if (n == LineageGraph::kNoNode) return std::vector<std::string>{};
    level.push_back(n);
  }
  std::unordered_map<uint32_t, bool> rel_allowed;
  std::vector<std::string> out, fresh_guids;
  auto mark = [&](LineageGraph::Node n) {
    if (n >= seen.size()) seen.resize(std::max<size_t>(n + 1, seen.size() * 2), false);
    bool fresh = !seen[n];
    seen[n] = true;
    return fresh;
  };
  mark(level.front());
  std::vector<Candidate> candidates;
  size_t steps = 0;
  while (!level.empty()) {
    RETURN_IF_ERROR(deadline.Check("propagation walk"));
    candidates.clear();
    {
      LineageGraph::Reader r(graph_);
      for (LineageGraph::Node x : level)
        for (const auto& e : r.Down(x))
          if (e.active && (e.other >= seen.size() || !seen[e.other]))
            candidates.push_back({e.other, e.rel, r.IsProcess(x),
                                  rel_allowed.count(e.rel) ? std::string() : r.RelGuid(e.rel)});
    }
    level.clear();
    for (const Candidate& c : candidates) {
      if (++steps % kDeadlineStride == 0) RETURN_IF_ERROR(deadline.Check("propagation walk"));
      auto [it, fresh] = rel_allowed.try_emplace(c.rel, false);
      if (fresh) {
        auto rel = catalog_.LoadRelationshipRecord(c.rel_guid);
        if (rel.ok()) {
          std::string mode = rel->value("propagateTags", "NONE");
          // Process -> dataset is end1 -> end2 (outputs); dataset -> process is end2 -> end1 (inputs).
          bool dir_ok = mode == "BOTH" || (c.from_process ? mode == "ONE_TO_TWO" : mode == "TWO_TO_ONE");
          it->second = dir_ok && rel->value("status", "ACTIVE") == "ACTIVE" && !Blocks(*rel, tag);
        }
      }
      if (!it->second || !mark(c.node)) continue;
      level.push_back(c.node);
    }
    fresh_guids.clear();
    {
      LineageGraph::Reader r(graph_);
      for (LineageGraph::Node n : level) fresh_guids.push_back(r.Guid(n));
    }
    if (on_level && !fresh_guids.empty()) on_level(fresh_guids);
    out.insert(out.end(), fresh_guids.begin(), fresh_guids.end());
  }
  return out;
}

namespace {

// Applies one (source, tag) in chunks, one chunk in flight while the caller
// keeps computing.
class ChunkApplier {
 public:
  ChunkApplier(catalog::Catalog& catalog, const std::string& source, const json& classification, size_t chunk)
      : catalog_(catalog), source_(source), classification_(classification), chunk_(std::max<size_t>(1, chunk)) {}
  // Why the last failed chunk failed; empty when every chunk was applied.
  const std::string& error() const { return error_; }
  ~ChunkApplier() { Wait(); }

  void Add(const std::string& guid) {
    add_.push_back(guid);
    if (add_.size() >= chunk_) Launch();
  }
  void Remove(const std::string& guid) {
    remove_.push_back(guid);
    if (remove_.size() >= chunk_) Launch();
  }
  void Finish() {
    if (!add_.empty() || !remove_.empty()) Launch();
    Wait();
  }
  size_t added() const { return added_; }
  size_t removed() const { return removed_; }

 private:
  void Launch() {
    Wait();
    added_ += add_.size();
    removed_ += remove_.size();
    inflight_ = std::async(std::launch::async, [this, add = std::move(add_), remove = std::move(remove_)] {
      return catalog_.ApplyPropagation(source_, classification_, add, remove);
    });
    add_.clear();
    remove_.clear();
  }
  void Wait() {
    if (!inflight_.valid()) return;
    Status s = Status::Ok();
    try {
      s = inflight_.get();
    } catch (const std::exception& e) {
      s = Status::Internal(e.what());
    }
    if (!s.ok()) error_ = s.ToString();
  }

  catalog::Catalog& catalog_;
  const std::string& source_;
  const json& classification_;
  size_t chunk_;
  std::vector<std::string> add_, remove_;
  size_t added_ = 0, removed_ = 0;
  std::string error_;
  std::future<Status> inflight_;
};

}  // namespace

bool PropagationWorker::Recompute(const std::string& source, const std::string& tag) {
  auto t0 = std::chrono::steady_clock::now();
  auto rec = catalog_.LoadRecord(source);
  const json* cls = rec.ok() ? DirectClassification(*rec, tag) : nullptr;
  std::vector<std::string> current = catalog_.PropagationTargets(source, tag);
  std::sort(current.begin(), current.end());
  const json classification = cls ? *cls : json{{"typeName", tag}};

  // Existing copies are refreshed when the source's tag (or its status) changed.
  // A refresh goes in sorted order, so the greatest copy is current only if all are.
  bool refresh = false;
  if (cls && !current.empty()) {
    json expected = *cls;
    expected["entityGuid"] = source;
    expected["entityStatus"] = rec->value("status", "ACTIVE");
    auto last = catalog_.LoadRecord(current.back());
    refresh = true;
    if (last.ok())
      for (const json& p : last->value("propagatedClassifications", json::array()))
        if (p.value("typeName", "") == tag && p.value("entityGuid", "") == source) refresh = p != expected;
  }

  ChunkApplier apply(catalog_, source, classification, options_.chunk_size);
  std::vector<std::string> desired;
  const bool active = rec.ok() && rec->value("status", "") == "ACTIVE";
  if (cls && active && !refresh) {
    // New targets are applied while the walk goes on.
    auto reached = Reachable(source, tag, running_, [&](const std::vector<std::string>& level) {
      for (const auto& g : level)
        if (!std::binary_search(current.begin(), current.end(), g)) apply.Add(g);
    });
    if (!reached.ok()) return false;  // stopped: the tasks stay queued
    desired = std::move(*reached);
  } else if (cls && active) {
    auto reached = Reachable(source, tag, running_);
    if (!reached.ok()) return false;
    desired = std::move(*reached);
  } else if (cls && rec.ok() && !cls->value("removePropagationsOnEntityDelete", false)) {
    desired = current;  // a deleted source keeps its copies, marked DELETED
  }
  if (stop_) return false;
  std::sort(desired.begin(), desired.end());
  if (refresh)
    for (const auto& g : desired) {
      if (stop_) return false;
      apply.Add(g);
    }
  auto t1 = std::chrono::steady_clock::now();
  std::vector<std::string> remove;
  std::set_difference(current.begin(), current.end(), desired.begin(), desired.end(), std::back_inserter(remove));
  for (const auto& g : remove) {
    if (stop_) return false;
    apply.Remove(g);
  }
  apply.Finish();
  if (apply.error().empty()) failures_.Resolve(source + "/" + tag);
  else Fail(source + "/" + tag, apply.error());
  if (apply.added() || apply.removed()) {
    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    spdlog::info("propagation of {} from {}: +{} -{} entities in {} ms (walk done after {} ms)", tag, source,
                 apply.added(), apply.removed(), ms(std::chrono::steady_clock::now() - t0), ms(t1 - t0));
  }
  return !stop_;
}

}  // namespace meridian::lineage
