#include "thrift_convert.h"

#include <optional>
#include <string>
#include <vector>

namespace meridian::importer {
namespace {

// Thrift marks a null default-requiredness field by leaving __isset unset.
std::optional<std::string> OptionalString(bool isset, const std::string& value) {
  if (!isset) return std::nullopt;
  return value;
}

HiveColumn FromThrift(const hms::FieldSchema& f) {
  HiveColumn c;
  c.name = f.name;
  c.type = OptionalString(f.__isset.type, f.type);
  c.comment = OptionalString(f.__isset.comment, f.comment);
  return c;
}

std::vector<HiveColumn> FromThrift(const std::vector<hms::FieldSchema>& fields) {
  std::vector<HiveColumn> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back(FromThrift(f));
  return out;
}

HiveStorageDescriptor FromThrift(const hms::StorageDescriptor& sd) {
  HiveStorageDescriptor out;
  out.cols = FromThrift(sd.cols);
  out.location = OptionalString(sd.__isset.location, sd.location);
  out.input_format = OptionalString(sd.__isset.inputFormat, sd.inputFormat);
  out.output_format = OptionalString(sd.__isset.outputFormat, sd.outputFormat);
  out.compressed = sd.compressed;
  out.num_buckets = sd.numBuckets;
  out.serde_info.name = OptionalString(sd.serdeInfo.__isset.name, sd.serdeInfo.name);
  out.serde_info.serialization_lib =
      OptionalString(sd.serdeInfo.__isset.serializationLib, sd.serdeInfo.serializationLib);
  out.serde_info.parameters = sd.serdeInfo.parameters;
  out.bucket_cols = sd.bucketCols;
  for (const auto& o : sd.sortCols) out.sort_cols.push_back({o.col, o.order});
  out.parameters = sd.parameters;
  out.stored_as_sub_directories = sd.__isset.storedAsSubDirectories && sd.storedAsSubDirectories;
  return out;
}

std::optional<PrincipalType> OptionalPrincipal(bool isset, hms::PrincipalType::type t) {
  if (!isset) return std::nullopt;
  return static_cast<PrincipalType>(t);
}

hms::FieldSchema ToThrift(const HiveColumn& c) {
  hms::FieldSchema f;
  f.__set_name(c.name);
  if (c.type) f.__set_type(*c.type);
  if (c.comment) f.__set_comment(*c.comment);
  return f;
}

std::vector<hms::FieldSchema> ToThrift(const std::vector<HiveColumn>& cols) {
  std::vector<hms::FieldSchema> out;
  out.reserve(cols.size());
  for (const auto& c : cols) out.push_back(ToThrift(c));
  return out;
}

hms::StorageDescriptor ToThrift(const HiveStorageDescriptor& sd) {
  hms::StorageDescriptor out;
  out.__set_cols(ToThrift(sd.cols));
  if (sd.location) out.__set_location(*sd.location);
  if (sd.input_format) out.__set_inputFormat(*sd.input_format);
  if (sd.output_format) out.__set_outputFormat(*sd.output_format);
  out.__set_compressed(sd.compressed);
  out.__set_numBuckets(sd.num_buckets);
  hms::SerDeInfo serde;
  if (sd.serde_info.name) serde.__set_name(*sd.serde_info.name);
  if (sd.serde_info.serialization_lib) serde.__set_serializationLib(*sd.serde_info.serialization_lib);
  serde.__set_parameters(sd.serde_info.parameters);
  out.__set_serdeInfo(serde);
  out.__set_bucketCols(sd.bucket_cols);
  std::vector<hms::Order> sort;
  for (const auto& o : sd.sort_cols) {
    hms::Order order;
    order.__set_col(o.col);
    order.__set_order(o.order);
    sort.push_back(order);
  }
  out.__set_sortCols(sort);
  out.__set_parameters(sd.parameters);
  out.__set_storedAsSubDirectories(sd.stored_as_sub_directories);
  return out;
}

}  // namespace

HiveDatabase FromThrift(const hms::Database& db) {
  HiveDatabase out;
  out.name = db.name;
  out.description = OptionalString(db.__isset.description, db.description);
  out.location_uri = OptionalString(db.__isset.locationUri, db.locationUri);
  out.parameters = db.parameters;
  out.owner_name = OptionalString(db.__isset.ownerName, db.ownerName);
  out.owner_type = OptionalPrincipal(db.__isset.ownerType, db.ownerType);
  out.catalog_name = OptionalString(db.__isset.catalogName, db.catalogName);
  return out;
}

HiveTable FromThrift(const hms::Table& t) {
  HiveTable out;
  out.table_name = t.tableName;
  out.db_name = t.dbName;
  out.owner = t.owner;
  out.create_time = t.createTime;
  out.last_access_time = t.lastAccessTime;
  out.retention = t.retention;
  out.sd = FromThrift(t.sd);
  out.partition_keys = FromThrift(t.partitionKeys);
  out.parameters = t.parameters;
  out.view_original_text = OptionalString(t.__isset.viewOriginalText, t.viewOriginalText);
  out.view_expanded_text = OptionalString(t.__isset.viewExpandedText, t.viewExpandedText);
  out.table_type = t.tableType;
  out.temporary = t.__isset.temporary && t.temporary;
  out.owner_type = OptionalPrincipal(t.__isset.ownerType, t.ownerType);
  return out;
}

hms::Database ToThrift(const HiveDatabase& db) {
  hms::Database out;
  out.__set_name(db.name);
  if (db.description) out.__set_description(*db.description);
  if (db.location_uri) out.__set_locationUri(*db.location_uri);
  out.__set_parameters(db.parameters);
  if (db.owner_name) out.__set_ownerName(*db.owner_name);
  if (db.owner_type) out.__set_ownerType(static_cast<hms::PrincipalType::type>(*db.owner_type));
  if (db.catalog_name) out.__set_catalogName(*db.catalog_name);
  return out;
}

hms::Table ToThrift(const HiveTable& t) {
  hms::Table out;
  out.__set_tableName(t.table_name);
  out.__set_dbName(t.db_name);
  out.__set_owner(t.owner);
  out.__set_createTime(t.create_time);
  out.__set_lastAccessTime(t.last_access_time);
  out.__set_retention(t.retention);
  out.__set_sd(ToThrift(t.sd));
  out.__set_partitionKeys(ToThrift(t.partition_keys));
  out.__set_parameters(t.parameters);
  if (t.view_original_text) out.__set_viewOriginalText(*t.view_original_text);
  if (t.view_expanded_text) out.__set_viewExpandedText(*t.view_expanded_text);
  out.__set_tableType(t.table_type);
  out.__set_temporary(t.temporary);
  if (t.owner_type) out.__set_ownerType(static_cast<hms::PrincipalType::type>(*t.owner_type));
  return out;
}

}  // namespace meridian::importer
