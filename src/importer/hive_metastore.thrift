// Subset of Hive's hive_metastore.thrift (3.1.3 / 4.x) that import-hive needs.
//
// Field ids, types, requiredness, method names and each method's exception
// order are copied from the real IDL, so this subset talks to a real metastore.
// Fields and methods a real server sends that are not declared here are
// skipped by the generated decoder. fb303 is left out: it only adds methods.
// Calls are not multiplexed, so the service name does not reach the wire.
//
// Strings that a Java metastore may leave null are declared `optional` here
// where Hive has default requiredness. Requiredness is not encoded on the wire,
// so decoding is unchanged; it only lets the C++ writer (the stand-in) leave a
// null off the wire the way Java does instead of sending "".

namespace cpp meridian.importer.hms

enum PrincipalType {
  USER  = 1,
  ROLE  = 2,
  GROUP = 3,
}

struct FieldSchema {
  1: string name,
  2: optional string type,
  3: optional string comment
}

struct SerDeInfo {
  1: optional string name,
  2: optional string serializationLib,
  3: map<string, string> parameters
}

struct Order {
  1: string col,
  2: i32 order
}

struct SkewedInfo {
  1: list<string> skewedColNames,
  2: list<list<string>> skewedColValues,
  3: map<list<string>, string> skewedColValueLocationMaps
}

struct StorageDescriptor {
  1: list<FieldSchema> cols,
  2: optional string location,
  3: optional string inputFormat,
  4: optional string outputFormat,
  5: bool compressed,
  6: i32 numBuckets,
  7: SerDeInfo serdeInfo,
  8: list<string> bucketCols,
  9: list<Order> sortCols,
  10: map<string, string> parameters,
  11: optional SkewedInfo skewedInfo,
  12: optional bool storedAsSubDirectories
}

struct Database {
  1: string name,
  2: optional string description,
  3: optional string locationUri,
  4: map<string, string> parameters,
  6: optional string ownerName,
  7: optional PrincipalType ownerType,
  8: optional string catalogName
}

struct Table {
  1: string tableName,
  2: string dbName,
  3: string owner,
  4: i32 createTime,
  5: i32 lastAccessTime,
  6: i32 retention,
  7: StorageDescriptor sd,
  8: list<FieldSchema> partitionKeys,
  9: map<string, string> parameters,
  10: optional string viewOriginalText,
  11: optional string viewExpandedText,
  12: string tableType,
  14: optional bool temporary = false,
  15: optional bool rewriteEnabled,
  17: optional string catName,
  18: optional PrincipalType ownerType = PrincipalType.USER
}

struct GetTableRequest {
  1: required string dbName,
  2: required string tblName,
  4: optional string catName
}

struct GetTableResult {
  1: required Table table
}

struct GetTablesRequest {
  1: required string dbName,
  2: optional list<string> tblNames,
  4: optional string catName
}

struct GetTablesResult {
  1: required list<Table> tables
}

exception MetaException {
  1: string message
}

exception NoSuchObjectException {
  1: string message
}

exception InvalidOperationException {
  1: string message
}

exception UnknownDBException {
  1: string message
}

service ThriftHiveMetastore {
  list<string> set_ugi(1: string user_name, 2: list<string> group_names)
      throws (1: MetaException o1)

  list<string> get_all_databases() throws (1: MetaException o1)
  list<string> get_databases(1: string pattern) throws (1: MetaException o1)
  Database get_database(1: string name)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)

  list<string> get_all_tables(1: string db_name) throws (1: MetaException o1)
  list<string> get_tables(1: string db_name, 2: string pattern)
      throws (1: MetaException o1)

  // Removed in Hive 4; used only when get_table_req is unknown (Hive < 2.3).
  Table get_table(1: string dbname, 2: string tbl_name)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetTableResult get_table_req(1: GetTableRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetTablesResult get_table_objects_by_name_req(1: GetTablesRequest req)
      throws (1: MetaException o1, 2: InvalidOperationException o2,
              3: UnknownDBException o3)
}
