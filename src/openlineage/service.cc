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

  std::vector<size_t> hashes;
  for (const json& entity : plan.entities) hashes.push_back(std::hash<std::string>{}(entity.dump()));
  json changed = json::array();
  {
    std::lock_guard<std::mutex> cache(written_mu_);
    for (size_t i = 0; i < plan.entities.size(); ++i) {
      auto it = written_.find(KeyOf(plan.entities[i]));
      if (it == written_.end() || it->second != hashes[i]) changed.push_back(plan.entities[i]);
    }
  }
  auto write = [&](const json& entities) -> Result<json> {
    if (entities.empty()) {
      if (!plan.aliases.empty())
        RETURN_IF_ERROR(catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
          return plan.aliases;
        }));
      return json::object();
    }
    tls_applying = true;
    auto m = catalog_->CreateOrUpdate(entities, json(), user, plan.aliases);
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
  // Only what this call committed, and only if no other commit came after it.
  if (tls_commit_generation != kNoCommit && generation_ == tls_commit_generation) {
    if (written_.size() > kMaxRemembered) written_.clear();
    for (size_t i = 0; i < plan.entities.size(); ++i) written_[KeyOf(plan.entities[i])] = hashes[i];
    for (const auto& [k, v] : plan.aliases) written_[internal::AliasCacheKey(k)] = 0;
  }
  if (!plan.stored_aliases.empty() && generation_ == generation_before)
    for (const auto& k : plan.stored_aliases) written_[internal::AliasCacheKey(k)] = 0;
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
