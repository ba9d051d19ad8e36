#include "meridian/lineage/lineage_service.h"
#include "meridian/atlas_error_codes.h"

#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

namespace meridian::lineage {

using nlohmann::json;

namespace {

void AppendQuoted(std::string* out, const std::string& s) {
  bool plain = true;
  for (unsigned char c : s) plain = plain && c >= 0x20 && c != '"' && c != '\\';
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(json(s).dump());
  }
}

size_t JsonSize(const json& j, const char* key, size_t def) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return def;
  return static_cast<size_t>(it->get<int64_t>());
}

constexpr size_t kOnDemandDefaultLimit = 3;
// Longest wait for a graph that is still loading.
constexpr std::chrono::seconds kGraphWait{60};

}  // namespace

Result<Direction> ParseDirection(const std::string& s) {
  if (s.empty() || s == "BOTH") return Direction::kBoth;
  if (s == "INPUT") return Direction::kInput;
  if (s == "OUTPUT") return Direction::kOutput;
  return Status::InvalidArgument("invalid lineage direction " + s + ": use INPUT, OUTPUT or BOTH", atlas_code::kInvalidParameters);
}

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kInput: return "INPUT";
    case Direction::kOutput: return "OUTPUT";
    case Direction::kBoth: return "BOTH";
  }
  return "BOTH";
}

LineageService::LineageService(catalog::Catalog& catalog, LineageOptions options)
    : catalog_(catalog), options_(options) {}

Status LineageService::Attach() {
  auto t0 = std::chrono::steady_clock::now();
  Status s = graph_.Load(catalog_);
  if (s.ok()) catalog_.AddCommitObserver([this](const catalog::CommitInfo& info) { OnCommit(info); });
  if (s.ok())
    spdlog::info("lineage graph: {} nodes, {} edges loaded in {} ms", graph_.node_count(), graph_.edge_count(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  std::lock_guard lock(ready_mu_);
  ready_ = true;
  load_status_ = s;
  if (s.ok()) ready_fast_.store(true, std::memory_order_release);
  ready_cv_.notify_all();
  return s;
}

void LineageService::AttachInBackground(std::function<void()> on_ready) {
  loader_ = std::thread([this, on_ready = std::move(on_ready)] {
    catalog_.RunExclusive([&] {
      if (Attach().ok() && on_ready) on_ready();
    });
  });
}

void LineageService::JoinBackgroundAttach() {
  if (loader_.joinable()) loader_.join();
}

void LineageService::OnCommit(const catalog::CommitInfo& info) {
  graph_.OnCommit(info);
  std::unique_lock lock(cache_mu_);
  ++generation_;
  for (const auto& g : info.entities) headers_.erase(g);
}

bool LineageService::AppendHeader(const std::string& guid, std::string* out) const {
  {
    std::shared_lock lock(cache_mu_);
    auto it = headers_.find(guid);
    if (it != headers_.end()) {
      out->append(it->second);
      return true;
    }
  }
  uint64_t gen = generation_.load();
  auto rec = catalog_.LoadRecord(guid);
  if (!rec.ok()) return false;
  std::string h = catalog_.Header(*rec, true).dump();
  out->append(h);
  std::unique_lock lock(cache_mu_);
  if (generation_.load() == gen) {
    if (headers_.size() >= options_.header_cache_entries) headers_.clear();
    headers_.emplace(guid, std::move(h));
  }
  return true;
}

Result<std::string> LineageService::Lineage(const std::string& guid, const LineageRequest& req) const {
  if (!ready_fast_.load(std::memory_order_acquire)) {
    std::unique_lock lock(ready_mu_);
    const auto limit = std::min(std::chrono::steady_clock::now() + kGraphWait, req.deadline.at());
    if (!ready_cv_.wait_until(lock, limit, [this] { return ready_; })) {
      RETURN_IF_ERROR(req.deadline.Check("waiting for the lineage graph"));
      return Status::Unavailable("the lineage graph is still loading; retry shortly");
    }
    RETURN_IF_ERROR(load_status_);
  }
  ASSIGN_OR_RETURN(std::string type_name, catalog_.TypeNameOf(guid));
  auto reg = catalog_.types();
  const types::TypeDef* t = reg->FindEntity(type_name);
  bool is_process = t && t->IsA("Process");
  if (!t || (!is_process && !t->IsA("DataSet")))
    return Status::NotFound("Given instance guid " + guid + " is not a DataSet or Process entity",
                            atlas_code::kInstanceGuidNotDataset);

  WalkOptions opts;
  opts.direction = req.direction;
  opts.depth = req.depth;
  opts.include_deleted = req.include_deleted;
  opts.max_nodes = req.max_nodes ? std::min(req.max_nodes, options_.max_nodes) : options_.max_nodes;
  json base_constraints = json::object();
  if (req.on_demand) {
    if (req.constraints.is_object() && req.constraints.contains(guid) && req.constraints[guid].is_object())
      base_constraints = req.constraints[guid];
    size_t in_default = JsonSize(base_constraints, "inputRelationsLimit", kOnDemandDefaultLimit);
    size_t out_default = JsonSize(base_constraints, "outputRelationsLimit", kOnDemandDefaultLimit);
    const json& constraints = req.constraints;
    opts.relations_limit = [&constraints, in_default, out_default](const std::string& g, bool input) -> size_t {
      auto it = constraints.find(g);
      if (it == constraints.end() || !it->is_object()) return input ? in_default : out_default;
      return input ? JsonSize(*it, "inputRelationsLimit", in_default)
                   : JsonSize(*it, "outputRelationsLimit", out_default);
    };
  }
  opts.deadline = req.deadline;
  WalkResult walk = Walk(graph_, guid, is_process, opts);
  RETURN_IF_ERROR(walk.status);

  // hideProcess: dataset -> dataset relations through each process.
  std::vector<Relation> relations;
  std::vector<std::string> nodes;
  if (req.hide_process) {
    LineageGraph::Reader reader(graph_);
    auto proc = [&](const std::string& g) {
      auto n = reader.Find(g);
      return n != LineageGraph::kNoNode && reader.IsProcess(n);
    };
    std::unordered_map<std::string, std::vector<const Relation*>> ins, outs;
    for (const Relation& r : walk.relations) {
      if (proc(r.to)) ins[r.to].push_back(&r);
      else outs[r.from].push_back(&r);
    }
    std::unordered_set<std::string> kept;
    for (const auto& [p, in] : ins) {
      auto o = outs.find(p);
      if (o == outs.end()) continue;
      for (const Relation* a : in)
        for (const Relation* b : o->second) {
          relations.push_back({a->from, b->to, p});
          kept.insert(a->from);
          kept.insert(b->to);
        }
    }
    for (const auto& n : walk.nodes)
      if (kept.count(n)) nodes.push_back(n);
  } else {
    relations = std::move(walk.relations);
    nodes = std::move(walk.nodes);
  }

  std::string out;
  out.reserve(512 + nodes.size() * 600 + relations.size() * 160);
  out += "{\"baseEntityGuid\":";
  AppendQuoted(&out, guid);
  out += ",\"lineageDirection\":\"";
  out += DirectionName(req.direction);
  out += "\",\"lineageDepth\":";
  out += std::to_string(req.depth);
  out += ",\"guidEntityMap\":{";
  bool first = true;
  size_t rendered = 0;
  for (const auto& n : nodes) {
    if (rendered++ % kDeadlineStride == 0) RETURN_IF_ERROR(req.deadline.Check("lineage rendering"));
    const size_t mark = out.size();
    if (!first) out.push_back(',');
    AppendQuoted(&out, n);
    out.push_back(':');
    if (AppendHeader(n, &out)) first = false;
    else out.resize(mark);  // unknown entity: left out
  }
  out += "},\"relations\":[";
  first = true;
  for (const Relation& r : relations) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"fromEntityId\":";
    AppendQuoted(&out, r.from);
    out += ",\"toEntityId\":";
    AppendQuoted(&out, r.to);
    out += ",\"relationshipId\":";
    AppendQuoted(&out, r.relationship);
    out.push_back('}');
  }
  out += "],\"relationsOnDemand\":{";
  first = true;
  for (const auto& [g, info] : walk.node_relations) {
    if (!req.on_demand && !info.has_more_inputs && !info.has_more_outputs) continue;
    if (req.hide_process && !req.on_demand) {
      LineageGraph::Reader reader(graph_);
      auto n = reader.Find(g);
      if (n != LineageGraph::kNoNode && reader.IsProcess(n)) continue;
    }
    json o = {{"hasMoreInputs", info.has_more_inputs},
              {"hasMoreOutputs", info.has_more_outputs},
              {"inputRelationsCount", info.input_count},
              {"outputRelationsCount", info.output_count},
              {"totalInputRelationsCount", info.input_total},
              {"totalOutputRelationsCount", info.output_total}};
    if (req.on_demand && opts.relations_limit) {
      o["inputRelationsLimit"] = opts.relations_limit(g, true);
      o["outputRelationsLimit"] = opts.relations_limit(g, false);
    }
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(&out, g);
    out.push_back(':');
    out += o.dump();
  }
  out += "},\"hasMore\":";
  out += walk.has_more ? "true" : "false";
  if (req.on_demand) {
    out += ",\"lineageOnDemandPayload\":";
    out += req.constraints.dump();
  }
  out.push_back('}');
  return out;
}

}  // namespace meridian::lineage
