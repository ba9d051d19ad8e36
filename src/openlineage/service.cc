#include <functional>

#include "openlineage_internal.h"

namespace meridian::openlineage {

using nlohmann::json;

OpenLineageService::OpenLineageService(catalog::Catalog* catalog, Options options)
    : catalog_(catalog), options_(std::move(options)) {}

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
  ASSIGN_OR_RETURN(internal::Plan plan, internal::PlanEvent(*catalog_, options_, e));
  if (plan.entities.empty()) {
    if (!plan.aliases.empty())
      RETURN_IF_ERROR(catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
        return plan.aliases;
      }));
    return json::object();
  }
  ASSIGN_OR_RETURN(catalog::Mutation m, catalog_->CreateOrUpdate(plan.entities, json(), user, plan.aliases));
  return m.response;
}

}  // namespace meridian::openlineage
