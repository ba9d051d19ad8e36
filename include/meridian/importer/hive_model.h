// Plain C++ view of the Hive metastore objects that import-hive reads.
//
// These mirror the Thrift structs of hive_metastore.thrift (field for field,
// minus privileges and statistics) so that the mapper, the fixture loader and
// the metastore client share one model without exposing generated code.
// std::optional marks values that a metastore may leave null on the wire.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meridian::importer {

enum class PrincipalType : int32_t { kUser = 1, kRole = 2, kGroup = 3 };

// "USER", "ROLE" or "GROUP"; empty for an unknown value.
const char* PrincipalTypeName(PrincipalType type);

struct HiveColumn {
  std::string name;
  std::optional<std::string> type;
  std::optional<std::string> comment;
};

struct HiveSerDe {
  std::optional<std::string> name;
  std::optional<std::string> serialization_lib;
  std::map<std::string, std::string> parameters;
};

struct HiveOrder {
  std::string col;
  int32_t order = 1;  // 1 ascending, 0 descending
};

struct HiveStorageDescriptor {
  std::vector<HiveColumn> cols;
  std::optional<std::string> location;
  std::optional<std::string> input_format;
  std::optional<std::string> output_format;
  bool compressed = false;
  int32_t num_buckets = -1;
  HiveSerDe serde_info;
  std::vector<std::string> bucket_cols;
  std::vector<HiveOrder> sort_cols;
  std::map<std::string, std::string> parameters;
  bool stored_as_sub_directories = false;
};

struct HiveDatabase {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> location_uri;
  std::map<std::string, std::string> parameters;
  std::optional<std::string> owner_name;
  std::optional<PrincipalType> owner_type;
  std::optional<std::string> catalog_name;
};

struct HiveTable {
  std::string table_name;
  std::string db_name;
  std::string owner;
  int32_t create_time = 0;       // seconds since epoch
  int32_t last_access_time = 0;  // seconds since epoch, usually 0
  int32_t retention = 0;
  HiveStorageDescriptor sd;
  std::vector<HiveColumn> partition_keys;
  std::map<std::string, std::string> parameters;
  std::optional<std::string> view_original_text;
  std::optional<std::string> view_expanded_text;
  std::string table_type;  // MANAGED_TABLE, EXTERNAL_TABLE, VIRTUAL_VIEW, ...
  bool temporary = false;
  std::optional<PrincipalType> owner_type;
};

// A whole metastore's worth of metadata (the stand-in's fixture).
struct HiveCatalog {
  std::vector<HiveDatabase> databases;
  std::vector<HiveTable> tables;
};

}  // namespace meridian::importer
