// Maps Hive metastore objects to Atlas entities the way Atlas's
// HiveMetaStoreBridge does (hive_db, hive_table, hive_storagedesc,
// hive_column, and for external tables the location's path entities plus the
// create-table hive_process).
//
// Entities are AtlasEntity JSON objects. Entities in one request refer to each
// other by placeholder guids ("-1", "-2", ...) handed out by an EntityBatch;
// databases are referenced by unique attribute so that a table batch does not
// need to carry its database.
// Thread-safety: functions are pure; an EntityBatch is not shared.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "meridian/importer/hive_model.h"

namespace meridian::importer {

struct MapperOptions {
  // Metadata namespace (atlas.metadata.namespace). Default: "primary".
  std::string cluster = "primary";
  // userName of a create-table process whose table has no owner.
  // Default: "hive" (atlas.hook.hive.default.username).
  std::string default_user = "hive";
  // startTime/endTime of create-table processes, in ms since epoch.
  int64_t now_ms = 0;
};

// Entities of one bulk request (POST /api/atlas/v2/entity/bulk).
class EntityBatch {
 public:
  // A new placeholder guid, unique within this batch.
  std::string NewGuid();
  // Adds `entity` (which must carry "guid"), unless an entity of the same type
  // and qualifiedName is already in the batch. Returns the guid in use.
  std::string Add(nlohmann::json entity);
  size_t size() const { return entities_.size(); }
  const std::vector<nlohmann::json>& entities() const { return entities_; }
  // {"entities": [...]}.
  nlohmann::json ToRequest() const;

 private:
  int64_t next_guid_ = 1;
  std::vector<nlohmann::json> entities_;
  std::map<std::pair<std::string, std::string>, std::string> by_name_;
};

std::string ToLower(std::string s);

// `db@ns`, or `catalog:db@ns` for a catalog other than "hive"; lower-cased.
std::string DbQualifiedName(const HiveDatabase& db, const std::string& cluster);
// `db.table@ns`, lower-cased.
std::string TableQualifiedName(const std::string& db, const std::string& table,
                               const std::string& cluster);
// `db.table.column@ns`, lower-cased.
std::string ColumnQualifiedName(const std::string& table_qualified_name, const std::string& column);
// `<table qn>:<createTime ms>`.
std::string CreateProcessQualifiedName(const HiveTable& table, const std::string& cluster);
// `create external table <t>(<col type>,...) location '<loc>'` as Atlas writes it.
std::string CreateTableQuery(const HiveTable& table);
// `CREATE [MATERIALIZED] VIEW `db`.`view` AS <text>` for a view, else empty.
std::string ViewCreateStatement(const HiveTable& table);
bool IsExternalTable(const HiveTable& table);
bool IsView(const HiveTable& table);

// The hive_db entity, with guid from `batch`.
nlohmann::json MapDatabase(const HiveDatabase& db, const MapperOptions& options,
                           EntityBatch* batch);

// Adds the hive_table with its hive_storagedesc and hive_columns (data columns
// and partition keys) to `batch`; with `with_create_process` and an external
// table that has a location, also the path entities and the hive_process.
// Returns the table's guid in the batch.
std::string AddTable(const HiveDatabase& db, const HiveTable& table, const MapperOptions& options,
                     bool with_create_process, EntityBatch* batch);

// Adds the path entities for `location` (hdfs_path, aws_s3_v2_bucket and
// aws_s3_v2_directory chain, or fs_path) and returns the guid of the deepest.
std::string AddPathEntities(const std::string& location, const MapperOptions& options,
                            EntityBatch* batch);

}  // namespace meridian::importer
