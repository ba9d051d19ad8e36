#include "meridian/importer/hive_mapper.h"

#include <algorithm>
#include <cctype>

namespace meridian::importer {
namespace {

using nlohmann::json;

json Entity(const std::string& type, const std::string& guid, json attributes) {
  return json{{"typeName", type}, {"guid", guid}, {"attributes", std::move(attributes)},
              {"relationshipAttributes", json::object()}};
}

json Ref(const std::string& type, const std::string& guid, const std::string& relationship) {
  return json{{"guid", guid}, {"typeName", type}, {"relationshipType", relationship}};
}

json ColumnEntity(const HiveColumn& col, int position, const std::string& table_qn,
                  const HiveTable& table, const std::string& table_guid,
                  const std::string& relationship, const std::string& guid) {
  json attrs{{"qualifiedName", ColumnQualifiedName(table_qn, col.name)},
             {"name", col.name},
             {"owner", table.owner},
             {"position", position}};
  if (col.type) attrs["type"] = *col.type;
  if (col.comment) attrs["comment"] = *col.comment;
  json e = Entity("hive_column", guid, std::move(attrs));
  e["relationshipAttributes"]["table"] = Ref("hive_table", table_guid, relationship);
  return e;
}

json StorageDescriptorEntity(const HiveStorageDescriptor& sd, const std::string& table_qn,
                             const std::string& table_guid, const std::string& guid) {
  json attrs{{"qualifiedName", table_qn + "_storage"},
             {"compressed", sd.compressed},
             {"numBuckets", sd.num_buckets},
             {"storedAsSubDirectories", sd.stored_as_sub_directories},
             {"parameters", sd.parameters}};
  if (sd.location) attrs["location"] = *sd.location;
  if (sd.input_format) attrs["inputFormat"] = *sd.input_format;
  if (sd.output_format) attrs["outputFormat"] = *sd.output_format;
  if (!sd.bucket_cols.empty()) attrs["bucketCols"] = sd.bucket_cols;
  json serde{{"parameters", sd.serde_info.parameters}};
  if (sd.serde_info.name) serde["name"] = *sd.serde_info.name;
  if (sd.serde_info.serialization_lib) serde["serializationLib"] = *sd.serde_info.serialization_lib;
  attrs["serdeInfo"] = json{{"typeName", "hive_serde"}, {"attributes", std::move(serde)}};
  json sort = json::array();
  for (const auto& o : sd.sort_cols) {
    sort.push_back(json{{"typeName", "hive_order"}, {"attributes", {{"col", o.col}, {"order", o.order}}}});
  }
  attrs["sortCols"] = std::move(sort);
  json e = Entity("hive_storagedesc", guid, std::move(attrs));
  e["relationshipAttributes"]["table"] = Ref("hive_table", table_guid, "hive_table_storagedesc");
  return e;
}

// scheme, authority and path of `uri`; scheme empty when there is none.
struct Uri {
  std::string scheme;
  std::string authority;
  std::string path;
};

Uri SplitUri(const std::string& location) {
  Uri u;
  auto sep = location.find("://");
  if (sep == std::string::npos) {
    auto colon = location.find(':');
    if (colon != std::string::npos && location.find('/') > colon) {
      u.scheme = location.substr(0, colon);
      u.path = location.substr(colon + 1);
    } else {
      u.path = location;
    }
    return u;
  }
  u.scheme = location.substr(0, sep);
  std::string rest = location.substr(sep + 3);
  auto slash = rest.find('/');
  u.authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  return u;
}

std::string AddS3Entities(const Uri& uri, const MapperOptions& options, EntityBatch* batch) {
  const std::string scheme = ToLower(uri.scheme);
  const std::string bucket = ToLower(uri.authority);
  const std::string bucket_prefix = scheme + "://" + bucket;
  std::string parent_guid = batch->Add(Entity(
      "aws_s3_v2_bucket", batch->NewGuid(),
      json{{"qualifiedName", bucket_prefix + "@" + options.cluster}, {"name", bucket}}));
  std::string parent_type = "aws_s3_v2_bucket";
  std::string prefix = "/";
  size_t start = 0;
  const std::string& path = uri.path;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    start = end + 1;
    if (segment.empty()) continue;
    prefix += segment + "/";
    json dir = Entity("aws_s3_v2_directory", batch->NewGuid(),
                      json{{"qualifiedName", bucket_prefix + prefix + "@" + options.cluster},
                           {"name", segment},
                           {"objectPrefix", prefix}});
    dir["relationshipAttributes"]["container"] =
        Ref(parent_type, parent_guid, "aws_s3_v2_container_contained");
    parent_guid = batch->Add(std::move(dir));
    parent_type = "aws_s3_v2_directory";
  }
  return parent_guid;
}

}  // namespace

std::string EntityBatch::NewGuid() { return "-" + std::to_string(next_guid_++); }

std::string EntityBatch::Add(json entity) {
  auto key = std::make_pair(entity.value("typeName", ""),
                            entity["attributes"].value("qualifiedName", ""));
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  std::string guid = entity.at("guid").get<std::string>();
  by_name_.emplace(std::move(key), guid);
  entities_.push_back(std::move(entity));
  return guid;
}

json EntityBatch::ToRequest() const { return json{{"entities", entities_}}; }

std::string ToLower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string DbQualifiedName(const HiveDatabase& db, const std::string& cluster) {
  std::string name = ToLower(db.name);
  if (db.catalog_name && !db.catalog_name->empty() && ToLower(*db.catalog_name) != "hive") {
    name = ToLower(*db.catalog_name) + ":" + name;
  }
  return name + "@" + cluster;
}

std::string TableQualifiedName(const std::string& db, const std::string& table,
                               const std::string& cluster) {
  return ToLower(db) + "." + ToLower(table) + "@" + cluster;
}

std::string ColumnQualifiedName(const std::string& table_qualified_name, const std::string& column) {
  auto at = table_qualified_name.rfind('@');
  return table_qualified_name.substr(0, at) + "." + ToLower(column) +
         table_qualified_name.substr(at);
}

std::string CreateProcessQualifiedName(const HiveTable& table, const std::string& cluster) {
  return TableQualifiedName(table.db_name, table.table_name, cluster) + ":" +
         std::to_string(static_cast<int64_t>(table.create_time) * 1000);
}

std::string CreateTableQuery(const HiveTable& table) {
  std::string cols;
  auto append = [&cols](const std::vector<HiveColumn>& list) {
    for (const auto& c : list) {
      if (!cols.empty()) cols += ",";
      cols += c.name + " " + c.type.value_or("");
    }
  };
  append(table.sd.cols);
  append(table.partition_keys);
  if (!cols.empty()) cols = "(" + cols + ")";
  return "create external table " + table.table_name + cols + " location '" +
         table.sd.location.value_or("") + "'";
}

bool IsExternalTable(const HiveTable& table) { return table.table_type == "EXTERNAL_TABLE"; }

bool IsView(const HiveTable& table) {
  return table.table_type == "VIRTUAL_VIEW" || table.table_type == "MATERIALIZED_VIEW" ||
         table.table_type == "EXTERNAL_MATERIALIZED_VIEW";
}

std::string ViewCreateStatement(const HiveTable& table) {
  if (!IsView(table)) return "";
  const auto& text = table.view_expanded_text && !table.view_expanded_text->empty()
                         ? table.view_expanded_text
                         : table.view_original_text;
  if (!text || text->empty()) return "";
  const bool materialized = table.table_type != "VIRTUAL_VIEW";
  return std::string("CREATE ") + (materialized ? "MATERIALIZED VIEW" : "VIEW") + " `" +
         table.db_name + "`.`" + table.table_name + "` AS " + *text;
}

json MapDatabase(const HiveDatabase& db, const MapperOptions& options, EntityBatch* batch) {
  std::string name = ToLower(db.name);
  if (db.catalog_name && !db.catalog_name->empty() && ToLower(*db.catalog_name) != "hive") {
    name = ToLower(*db.catalog_name) + ":" + name;
  }
  json attrs{{"qualifiedName", DbQualifiedName(db, options.cluster)},
             {"name", name},
             {"clusterName", options.cluster},
             {"parameters", db.parameters}};
  if (db.description) attrs["description"] = *db.description;
  if (db.location_uri) attrs["location"] = *db.location_uri;
  if (db.owner_name) attrs["owner"] = *db.owner_name;
  if (db.owner_type) attrs["ownerType"] = PrincipalTypeName(*db.owner_type);
  return Entity("hive_db", batch->NewGuid(), std::move(attrs));
}

std::string AddPathEntities(const std::string& location, const MapperOptions& options,
                            EntityBatch* batch) {
  const Uri uri = SplitUri(location);
  const std::string scheme = ToLower(uri.scheme);
  if ((scheme == "s3" || scheme == "s3a") && !uri.authority.empty()) {
    return AddS3Entities(uri, options, batch);
  }
  if (scheme == "hdfs") {
    return batch->Add(Entity("hdfs_path", batch->NewGuid(),
                             json{{"qualifiedName", location + "@" + options.cluster},
                                  {"name", uri.path},
                                  {"path", location},
                                  {"clusterName", options.cluster}}));
  }
  return batch->Add(Entity("fs_path", batch->NewGuid(),
                           json{{"qualifiedName", ToLower(location)},
                                {"name", uri.path},
                                {"path", location}}));
}

std::string AddTable(const HiveDatabase& db, const HiveTable& table, const MapperOptions& options,
                     bool with_create_process, EntityBatch* batch) {
  const std::string qn = TableQualifiedName(table.db_name, table.table_name, options.cluster);
  const int64_t create_ms = static_cast<int64_t>(table.create_time) * 1000;
  const std::string guid = batch->NewGuid();
  json attrs{{"qualifiedName", qn},
             {"name", ToLower(table.table_name)},
             {"owner", table.owner},
             {"createTime", create_ms},
             {"lastAccessTime", table.last_access_time > 0
                                    ? static_cast<int64_t>(table.last_access_time) * 1000
                                    : create_ms},
             {"retention", table.retention},
             {"parameters", table.parameters},
             {"tableType", table.table_type},
             {"temporary", table.temporary}};
  if (auto it = table.parameters.find("comment"); it != table.parameters.end()) {
    attrs["comment"] = it->second;
  }
  if (table.view_original_text) attrs["viewOriginalText"] = *table.view_original_text;
  if (table.view_expanded_text) attrs["viewExpandedText"] = *table.view_expanded_text;
  json entity = Entity("hive_table", guid, std::move(attrs));
  auto& rel = entity["relationshipAttributes"];
  rel["db"] = json{{"typeName", "hive_db"},
                   {"uniqueAttributes", {{"qualifiedName", DbQualifiedName(db, options.cluster)}}},
                   {"relationshipType", "hive_table_db"}};

  const std::string sd_guid = batch->NewGuid();
  rel["sd"] = Ref("hive_storagedesc", sd_guid, "hive_table_storagedesc");
  std::vector<json> children;
  children.push_back(StorageDescriptorEntity(table.sd, qn, guid, sd_guid));

  rel["columns"] = json::array();
  for (size_t i = 0; i < table.sd.cols.size(); ++i) {
    const std::string col_guid = batch->NewGuid();
    rel["columns"].push_back(Ref("hive_column", col_guid, "hive_table_columns"));
    children.push_back(ColumnEntity(table.sd.cols[i], static_cast<int>(i), qn, table, guid,
                                    "hive_table_columns", col_guid));
  }
  rel["partitionKeys"] = json::array();
  for (size_t i = 0; i < table.partition_keys.size(); ++i) {
    const std::string col_guid = batch->NewGuid();
    rel["partitionKeys"].push_back(Ref("hive_column", col_guid, "hive_table_partitionkeys"));
    children.push_back(ColumnEntity(table.partition_keys[i], static_cast<int>(i), qn, table, guid,
                                    "hive_table_partitionkeys", col_guid));
  }
  batch->Add(std::move(entity));
  for (auto& child : children) batch->Add(std::move(child));

  if (with_create_process && IsExternalTable(table) && table.sd.location &&
      !table.sd.location->empty()) {
    const std::string path_guid = AddPathEntities(*table.sd.location, options, batch);
    const std::string path_type = [&] {
      for (const auto& e : batch->entities()) {
        if (e["guid"] == path_guid) return e["typeName"].get<std::string>();
      }
      return std::string("DataSet");
    }();
    const std::string query = CreateTableQuery(table);
    json process = Entity(
        "hive_process", batch->NewGuid(),
        json{{"qualifiedName", CreateProcessQualifiedName(table, options.cluster)},
             {"name", query},
             {"queryText", query},
             {"queryId", query},
             {"clusterName", options.cluster},
             {"operationType", "CREATETABLE"},
             {"userName", table.owner.empty() ? options.default_user : table.owner},
             {"startTime", options.now_ms},
             {"endTime", options.now_ms},
             {"queryPlan", "{}"},
             {"recentQueries", json::array({query})}});
    process["relationshipAttributes"]["inputs"] =
        json::array({Ref(path_type, path_guid, "dataset_process_inputs")});
    process["relationshipAttributes"]["outputs"] =
        json::array({Ref("hive_table", guid, "process_dataset_outputs")});
    batch->Add(std::move(process));
  }
  return guid;
}

}  // namespace meridian::importer
