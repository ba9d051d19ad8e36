#include "meridian/importer/fixture.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace meridian::importer {
namespace {

using nlohmann::json;

std::optional<std::string> OptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

std::map<std::string, std::string> StringMap(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->get<std::map<std::string, std::string>>();
}

std::optional<PrincipalType> OptPrincipal(const json& j, const char* key) {
  auto value = OptString(j, key);
  if (!value) return std::nullopt;
  if (*value == "USER") return PrincipalType::kUser;
  if (*value == "ROLE") return PrincipalType::kRole;
  if (*value == "GROUP") return PrincipalType::kGroup;
  throw std::invalid_argument(std::string(key) + " must be USER, ROLE or GROUP, not " + *value);
}

std::vector<HiveColumn> Columns(const json& j, const char* key) {
  std::vector<HiveColumn> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  for (const auto& c : *it) {
    out.push_back({c.at("name").get<std::string>(), OptString(c, "type"), OptString(c, "comment")});
  }
  return out;
}

HiveStorageDescriptor StorageDescriptor(const json& j) {
  HiveStorageDescriptor sd;
  sd.cols = Columns(j, "cols");
  sd.location = OptString(j, "location");
  sd.input_format = OptString(j, "inputFormat");
  sd.output_format = OptString(j, "outputFormat");
  sd.compressed = j.value("compressed", false);
  sd.num_buckets = j.value("numBuckets", -1);
  if (auto it = j.find("serdeInfo"); it != j.end() && !it->is_null()) {
    sd.serde_info.name = OptString(*it, "name");
    sd.serde_info.serialization_lib = OptString(*it, "serializationLib");
    sd.serde_info.parameters = StringMap(*it, "parameters");
  }
  sd.bucket_cols = j.value("bucketCols", std::vector<std::string>{});
  if (auto it = j.find("sortCols"); it != j.end() && !it->is_null()) {
    for (const auto& o : *it) sd.sort_cols.push_back({o.at("col").get<std::string>(), o.value("order", 1)});
  }
  sd.parameters = StringMap(j, "parameters");
  sd.stored_as_sub_directories = j.value("storedAsSubDirectories", false);
  return sd;
}

HiveTable Table(const json& j, const std::string& db_name) {
  HiveTable t;
  t.table_name = j.at("tableName").get<std::string>();
  t.db_name = db_name;
  t.owner = j.value("owner", "");
  t.create_time = j.value("createTime", 0);
  t.last_access_time = j.value("lastAccessTime", 0);
  t.retention = j.value("retention", 0);
  if (auto it = j.find("sd"); it != j.end() && !it->is_null()) t.sd = StorageDescriptor(*it);
  t.partition_keys = Columns(j, "partitionKeys");
  t.parameters = StringMap(j, "parameters");
  t.view_original_text = OptString(j, "viewOriginalText");
  t.view_expanded_text = OptString(j, "viewExpandedText");
  t.table_type = j.value("tableType", "MANAGED_TABLE");
  t.temporary = j.value("temporary", false);
  t.owner_type = OptPrincipal(j, "ownerType");
  return t;
}

}  // namespace

Result<HiveCatalog> ParseFixture(const std::string& json_text) {
  HiveCatalog catalog;
  try {
    const json root = json::parse(json_text);
    for (const auto& d : root.at("databases")) {
      HiveDatabase db;
      db.name = d.at("name").get<std::string>();
      db.description = OptString(d, "description");
      db.location_uri = OptString(d, "locationUri");
      db.parameters = StringMap(d, "parameters");
      db.owner_name = OptString(d, "ownerName");
      db.owner_type = OptPrincipal(d, "ownerType");
      db.catalog_name = OptString(d, "catalogName");
      if (auto it = d.find("tables"); it != d.end() && !it->is_null()) {
        for (const auto& t : *it) catalog.tables.push_back(Table(t, db.name));
      }
      catalog.databases.push_back(std::move(db));
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad fixture: ") + e.what());
  }
  return catalog;
}

Result<HiveCatalog> LoadFixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read fixture " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseFixture(ss.str());
}

}  // namespace meridian::importer
