// OpenLineage ingestion: RunEvent, DatasetEvent and JobEvent (spec 2-0-x)
// turned into Atlas-model entities (models/7000-OpenLineage):
//   job      -> ol_job (a Process: inputs/outputs are the union of what its runs read and wrote)
//   run      -> ol_run (a ProcessExecution of the job: status, start and end times)
//   dataset  -> hive_table db.table@cluster when any of its identifiers (the primary one or a
//               `symlinks` entry) is in a Hive metastore namespace (hive://host:port or
//               thrift://host:port); else ol_dataset {name}@{namespace}
//   schema   -> hive_column / ol_column (nested struct fields too, named by dotted path)
//   lifecycleStateChange on an output -> DROP (in a COMPLETE): the dataset soft-deleted; RENAME:
//               the previousIdentifier's entity renamed in place; CREATE/OVERWRITE/ALTER (in a
//               COMPLETE): columns missing from the schema soft-deleted
//   columnLineage -> one ol_column_lineage (a Process between columns) per output column
// Every non-Hive identifier of a dataset resolved to a Hive table is remembered (an alias
// index kept in the store beside the entities), so later events naming only the storage
// location land on the same table.
//
// Errors: InvalidArgument (400, ATLAS-400-00-01A) for input that is not an OpenLineage
// event; the catalog's errors for writes it refuses.
// Thread-safety: Ingest may be called from many threads; the events of one job are
// applied one at a time, each in one store batch (Catalog::ApplyEntityChanges).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::openlineage {

struct Options {
  // Atlas cluster (metadata namespace) of Hive tables whose metastore is not in
  // `metastore_clusters`. Default: "primary", as import-hive's --cluster.
  std::string default_cluster = "primary";
  // Metastore namespace ("hive://host:port", lower case) -> cluster name. Default: empty.
  std::map<std::string, std::string> metastore_clusters;
  // Largest body accepted after gzip decoding. Default: 64 MiB (the server's body limit).
  size_t max_inflated_bytes = 64u << 20;
};

// What one Ingest did: the number of events and the entities each created or updated.
struct IngestSummary {
  int events = 0;
  nlohmann::json mutated = nlohmann::json::object();  // {"CREATE": [headers], "UPDATE": [...]}
};

class OpenLineageService {
 public:
  // `catalog` must outlive the service. Registers a commit observer on it: construct
  // before serving.
  OpenLineageService(catalog::Catalog* catalog, Options options);

  // Checks one event's shape (kind, eventTime, run.runId, job and dataset names, facet
  // objects) without applying it.
  Status Validate(const nlohmann::json& event) const;
  // A request body as sent: JSON, or gzip-compressed JSON when `content_encoding` is
  // gzip or x-gzip (any case; empty or identity: plain), inflated up to
  // options().max_inflated_bytes. InvalidArgument for another encoding, bad gzip or bad JSON.
  Result<nlohmann::json> ParseBody(const std::string& body, std::string content_encoding) const;
  // Validates, then applies one event in one batch. Re-applying an event changes nothing.
  Result<nlohmann::json> Apply(const nlohmann::json& event, const std::string& user);

  const Options& options() const { return options_; }
  catalog::Catalog& catalog() const { return *catalog_; }

 private:
  std::mutex& StripeFor(const std::string& key);
  // Entities this service wrote, as (type, qualifiedName) -> the parts of the bodies
  // written (each attribute, each relationship attribute, the rest) as hashes of their
  // name and value, sorted by name: an event re-sending them unchanged (a job and its
  // datasets and columns, run after run) skips them. Any commit not made here (REST,
  // imports, propagation) empties it.
  catalog::Catalog* catalog_;
  Options options_;
  std::array<std::mutex, 64> stripes_;
  std::mutex written_mu_;
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> written_;  // GUARDED_BY(written_mu_)
  uint64_t generation_ = 0;  // GUARDED_BY(written_mu_): foreign commits seen
};

}  // namespace meridian::openlineage
