#include <algorithm>
#include <functional>

#include "meridian/request_json.h"
#include "openlineage_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::openlineage {

using nlohmann::json;

namespace {

// Set while this thread commits an event's batch; the commit observer runs in the
// committing thread, under the catalog's write lock.
thread_local bool tls_applying = false;
constexpr uint64_t kNoCommit = ~uint64_t{0};
thread_local uint64_t tls_commit_generation = kNoCommit;

constexpr size_t kMaxRemembered = 500000;

std::string KeyOf(const json& e) {
  return internal::EntityKey(e["typeName"].get<std::string>(), e["attributes"]["qualifiedName"].get<std::string>());
}

// The parts of an entity body that a write sets independently of each other: each
// attribute, each relationship attribute, and the rest (type, shell flag) as one.
// (hash of the part's name, hash of its value), sorted by name.
using Parts = std::vector<std::pair<size_t, size_t>>;
size_t Combine(size_t seed, size_t h) { return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)); }
Parts PartsOf(const json& entity) {
  Parts out;
  const std::hash<std::string> name_hash;
  const std::hash<json> value_hash;
  size_t rest = 0;
  for (auto it = entity.begin(); it != entity.end(); ++it) {
    const bool attrs = it.key() == "attributes", rels = it.key() == "relationshipAttributes";
    if (!(attrs || rels) || !it->is_object()) {
      rest = Combine(Combine(rest, name_hash(it.key())), value_hash(*it));
      continue;
    }
    for (auto a = it->begin(); a != it->end(); ++a)
      out.emplace_back(Combine(name_hash(a.key()), attrs ? 1 : 2), value_hash(*a));
  }
  out.emplace_back(0, rest);
  std::sort(out.begin(), out.end());
  return out;
}

// True when every part of `planned` is in `known` with the same value.
bool Covered(const Parts& planned, const Parts& known) {
  for (const auto& [name, value] : planned) {
    auto it = std::lower_bound(known.begin(), known.end(), std::pair<size_t, size_t>{name, 0});
    if (it == known.end() || it->first != name || it->second != value) return false;
  }
  return true;
}

// `known` with the parts of `written` set.
void Merge(Parts& known, const Parts& written) {
  Parts out;
  out.reserve(known.size() + written.size());
  auto k = known.begin();
  for (const auto& w : written) {
    while (k != known.end() && k->first < w.first) out.push_back(*k++);
    if (k != known.end() && k->first == w.first) ++k;
    out.push_back(w);
  }
  out.insert(out.end(), k, known.end());
  known = std::move(out);
}

}  // namespace

OpenLineageService::OpenLineageService(catalog::Catalog* catalog, Options options)
    : catalog_(catalog), options_(std::move(options)) {
  catalog_->AddCommitObserver([this](const catalog::CommitInfo&) {
    std::lock_guard<std::mutex> lock(written_mu_);
    if (tls_applying) {
      tls_commit_generation = generation_;
      return;
    }
    ++generation_;
    written_.clear();
  });
}

std::mutex& OpenLineageService::StripeFor(const std::string& key) {
  return stripes_[std::hash<std::string>{}(key) % stripes_.size()];
}

Status OpenLineageService::Validate(const json& event) const { return internal::ParseEvent(event).status(); }

Result<json> OpenLineageService::Apply(const json& event, const std::string& user) {
  ASSIGN_OR_RETURN(internal::Event e, internal::ParseEvent(event));
  // One job's events are planned and written one at a time: a plan reads what the
  // previous events of the job left (run state, accumulated lineage).
  const std::string key = e.kind == internal::Kind::kDataset ? e.dataset.name + "@" + e.dataset.ns
                                                             : e.job_name + "@" + e.job_ns;
  std::lock_guard<std::mutex> lock(StripeFor(key));
  auto remembered = [this](const std::string& k) {
    std::lock_guard<std::mutex> cache(written_mu_);
    return written_.count(k) > 0;
  };
  uint64_t generation_before;
  {
    std::lock_guard<std::mutex> cache(written_mu_);
    generation_before = generation_;
  }
  ASSIGN_OR_RETURN(internal::Plan plan, internal::PlanEvent(*catalog_, options_, e, remembered));

  // An entity whose every part is as this process last wrote it is left out: writing
  // it again would change nothing (attributes merge, relationship attributes replace).
  std::vector<Parts> parts;
  std::vector<std::string> keys;
  for (const json& entity : plan.entities) {
    parts.push_back(PartsOf(entity));
    keys.push_back(KeyOf(entity));
  }
  json changed = json::array();
  {
    std::lock_guard<std::mutex> cache(written_mu_);
    for (size_t i = 0; i < plan.entities.size(); ++i) {
      auto it = written_.find(keys[i]);
      if (it == written_.end() || !Covered(parts[i], it->second)) changed.push_back(plan.entities[i]);
    }
  }
  auto write = [&](const json& entities) -> Result<json> {
    if (entities.empty() && plan.renames.empty() && plan.deletes.empty()) {
      if (!plan.aliases.empty())
        RETURN_IF_ERROR(catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
          return plan.aliases;
        }));
      return json::object();
    }
    catalog::Catalog::EntityChanges changes;
    changes.updates = plan.renames;
    changes.entities = entities;
    changes.deletes = plan.deletes;
    changes.records = plan.aliases;
    tls_applying = true;
    auto m = catalog_->ApplyEntityChanges(changes, user);
    tls_applying = false;
    if (!m.ok()) return m.status();
    return m->response;
  };
  tls_commit_generation = kNoCommit;
  auto result = write(changed);
  if (!result.ok() && changed.size() != plan.entities.size()) {
    // A skipped entity may have changed under us (deleted, say): write the whole plan.
    {
      std::lock_guard<std::mutex> cache(written_mu_);
      written_.clear();
    }
    result = write(plan.entities);
  }
  if (!result.ok()) return result.status();
  std::lock_guard<std::mutex> cache(written_mu_);
  if (!plan.renames.empty() || !plan.deletes.empty()) {
    // Renamed and deleted entities (and the aliases pointing at them) are not as last written,
    // here nor in what events planned concurrently remember.
    ++generation_;
    written_.clear();
  } else if (tls_commit_generation != kNoCommit && generation_ == tls_commit_generation) {
    // Only what this call committed, and only if no other commit came after it.
    if (written_.size() > kMaxRemembered) written_.clear();
    for (size_t i = 0; i < plan.entities.size(); ++i) {
      Merge(written_[keys[i]], parts[i]);
    }
    for (const auto& [k, v] : plan.aliases) written_[internal::AliasCacheKey(k)];
  }
  if (!plan.stored_aliases.empty() && generation_ == generation_before)
    for (const auto& k : plan.stored_aliases) written_[internal::AliasCacheKey(k)];
  return result;
}

Result<json> OpenLineageService::ParseBody(const std::string& body, std::string encoding) const {
  for (auto& c : encoding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (encoding.empty() || encoding == "identity") return ParseRequestJson(body, "request body");
  if (encoding != "gzip" && encoding != "x-gzip")
    return Status::InvalidArgument("unsupported Content-Encoding '" + encoding + "': use gzip or none",
                                   atlas_code::kInvalidParameters);
  ASSIGN_OR_RETURN(std::string text, internal::Gunzip(body, options_.max_inflated_bytes));
  return ParseRequestJson(text, "OpenLineage event");
}

}  // namespace meridian::openlineage
