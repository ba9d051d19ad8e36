// import-hive: reads databases and tables from a Hive metastore and upserts
// them into Meridian with the Atlas v2 bulk API, or (delete mode) removes the
// hive_db / hive_table entities of a namespace that the metastore no longer has.
//
// Acknowledged batches stay on the server when a run fails; entities are
// upserted by qualifiedName, so a re-run completes the import without
// duplicates. A table the server refuses is reported by name and the run
// goes on; wrong credentials or a server that goes away end the run.
// Thread-safety: single-threaded.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "atlas_client.h"
#include "meridian/importer/hive_mapper.h"
#include "meridian/importer/metastore_client.h"
#include "progress.h"

namespace meridian::importer {

// One -d/-t pair or one line of -f. A name without regex characters matches
// exactly (case-insensitively); otherwise it is a case-insensitive regex that
// must match the whole name.
struct Selector {
  std::string db;
  std::optional<std::string> table;
};

struct ImportOptions {
  std::vector<Selector> selectors;  // empty: every database
  MapperOptions mapper;
  bool delete_non_existing = false;
  // Tables per bulk request. Default: 20.
  size_t tables_per_request = 20;
};

struct EntityCounts {
  int created = 0;
  int updated = 0;
  int deleted = 0;
  int failed = 0;
};

struct ImportSummary {
  // Keyed by "databases", "tables", "columns", "processes", "other".
  std::map<std::string, EntityCounts> counts;
  std::vector<std::string> failures;  // one line per failed object
  std::vector<std::string> warnings;
  Status fatal;                       // set when the run stopped early

  // Multi-line table for the end of a run.
  std::string ToString() const;
};

// Kind of summary row for an Atlas type name.
std::string SummaryKind(const std::string& type_name);

// Adds the CREATE/UPDATE/PARTIAL_UPDATE/DELETE headers of an
// EntityMutationResponse to `summary`.
void CountMutations(const nlohmann::json& response, ImportSummary* summary);

// True when `name` matches a selector pattern (see Selector).
bool MatchesPattern(const std::string& name, const std::string& pattern);

class HiveImporter {
 public:
  HiveImporter(MetastoreClient* metastore, AtlasClient* atlas, ImportOptions options,
               std::ostream& log, bool terminal);

  // Runs the import (or the deletion), never throws; see ImportSummary.
  ImportSummary Run();

 private:
  struct DbPlan {
    HiveDatabase db;
    std::optional<std::string> table_pattern;
    std::vector<std::string> tables;
  };

  Status Plan(std::vector<DbPlan>* plans, ImportSummary* summary);
  Status ImportDatabase(const DbPlan& plan, Progress* progress, ImportSummary* summary);
  // Sends `tables` in one request, falling back to one request per table
  // when the server refuses the batch.
  Status ImportTables(const HiveDatabase& db, const std::vector<HiveTable>& tables,
                      Progress* progress, ImportSummary* summary);
  Status SendTables(const HiveDatabase& db, const std::vector<const HiveTable*>& tables);
  // Sends a view's CREATE VIEW to the lineage endpoint unless its process
  // exists; true when lineage was recorded.
  bool RecordViewLineage(const HiveTable& table, Progress* progress, ImportSummary* summary);
  // The lineage endpoint writes its own hive_table/hive_column for a view;
  // sends the metastore's version again so that it wins.
  Status ReassertViews(const HiveDatabase& db, const std::vector<const HiveTable*>& views,
                       Progress* progress, ImportSummary* summary);
  Status DeleteNonExisting(ImportSummary* summary);
  Status DeleteEntity(const std::string& guid, const std::string& what, ImportSummary* summary);

  MetastoreClient* metastore_;
  AtlasClient* atlas_;
  ImportOptions options_;
  std::ostream& log_;
  bool terminal_;
  bool lineage_endpoint_missing_ = false;
  // Mutation response of the last successful SendTables.
  nlohmann::json last_response_;
};

}  // namespace meridian::importer
