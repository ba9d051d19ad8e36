// Pieces of the OpenLineage module shared by its files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/openlineage/openlineage.h"
#include "meridian/status.h"

namespace meridian::openlineage::internal {

using nlohmann::json;

enum class Kind { kRun, kDataset, kJob };

// An empty facets object.
const json& NoFacets();

// Facets point into the event document the Event was parsed from, which must outlive it.
struct Dataset {
  std::string ns, name;
  const json* facets = &NoFacets();
};

// One event, checked: the fields the mapping needs are present and well-typed.
struct Event {
  Kind kind = Kind::kRun;
  std::string event_type;  // START, RUNNING, COMPLETE, ABORT, FAIL, OTHER (missing: OTHER)
  int64_t event_time_ms = 0;
  std::string producer;
  std::string run_id;
  const json* run_facets = &NoFacets();
  std::string job_ns, job_name;
  const json* job_facets = &NoFacets();
  std::vector<Dataset> inputs, outputs;
  Dataset dataset;  // DatasetEvent
};

// InvalidArgument naming the first problem. The event refers to `j`'s facets.
Result<Event> ParseEvent(const json& j);

// RFC 3339 date-time ("2026-01-01T10:00:00.123Z", "+02:00" offsets; no offset = UTC) to epoch ms.
std::optional<int64_t> ParseTime(std::string_view s);

// The entities of one event and the alias records to write with them.
struct Plan {
  json entities = json::array();
  // lifecycleStateChange: renamed datasets and their columns (applied before `entities`),
  // dropped datasets and columns a CREATE/OVERWRITE/ALTER schema no longer has.
  std::vector<catalog::Catalog::EntityChanges::Update> renames;
  std::vector<std::string> deletes;
  catalog::Catalog::UserRecordChanges aliases;
  std::vector<std::string> stored_aliases;  // alias keys already stored with the right value
};

// "type\nqualifiedName" of an entity body, and the key of an alias record in that cache.
std::string EntityKey(const std::string& type, const std::string& qualified_name);
std::string AliasCacheKey(const std::string& alias_key);

// True when this process wrote `key` (EntityKey or AliasCacheKey) and nothing else has
// committed since: the entity exists, or the alias record is stored.
using Remembered = std::function<bool(const std::string& key)>;

// Builds the entities of `event`, reading the catalog for what exists already (hive
// tables and columns, the job's lineage so far, the run's merged state). Call under
// the event's job stripe, then write the plan in one Catalog::ApplyEntityChanges.
Result<Plan> PlanEvent(const catalog::Catalog& catalog, const Options& options, const Event& event,
                       const Remembered& remembered);

// gzip (or zlib) body to bytes; InvalidArgument when corrupt or larger than `limit`.
Result<std::string> Gunzip(std::string_view compressed, size_t limit);

}  // namespace meridian::openlineage::internal
