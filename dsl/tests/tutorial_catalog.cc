// The Atlas tutorial data (NYC taxi trips imported from Hive into database atlas_emr).
//
// Timestamps: atlas_emr tables were created 2017-12-12, the CTAS table 2018-01-05.
// Classifications: trip_details is PII (level high), which propagated to
// trip_details_by_zone; trip_details.location_id is PII_Location (a PII sub-type), which
// propagated to trip_details_by_zone.location_id. One column is DELETED; staging@primary is a
// shell (incomplete) database.
#include <utility>

#include "memory_catalog.h"

namespace meridian::dsl::testing {
namespace {

using Json = nlohmann::json;

void DefineTypes(MemoryCatalog& c) {
  c.AddType({"Referenceable", false, {}, {Attr("qualifiedName", "string")}});
  c.AddType({"Asset",
             false,
             {"Referenceable"},
             {Attr("name", "string"), Attr("description", "string"), Attr("owner", "string"),
              Attr("displayName", "string")}});
  c.AddType({"DataSet",
             false,
             {"Asset"},
             {RefAttr("inputToProcesses", "Process", true),
              RefAttr("outputFromProcesses", "Process", true)}});
  c.AddType({"Process",
             false,
             {"Asset"},
             {RefAttr("inputs", "DataSet", true), RefAttr("outputs", "DataSet", true)}});
  c.AddType(
      {"hive_db",
       false,
       {"Asset"},
       {Attr("clusterName", "string"), Attr("location", "string"),
        Attr("parameters", "map<string,string>"), EnumAttr("ownerType", "hive_principal_type"),
        RefAttr("tables", "hive_table", true)}});
  c.AddType({"hive_table",
             false,
             {"DataSet"},
             {Attr("createTime", "date"), Attr("lastAccessTime", "date"), Attr("comment", "string"),
              Attr("retention", "int"), Attr("temporary", "boolean"), Attr("tableType", "string"),
              Attr("aliases", "array<string>"), Attr("parameters", "map<string,string>"),
              RefAttr("db", "hive_db", false), RefAttr("columns", "hive_column", true),
              RefAttr("partitionKeys", "hive_column", true)}});
  c.AddType({"hive_column",
             false,
             {"DataSet"},
             {Attr("type", "string"), Attr("comment", "string"), Attr("position", "int"),
              RefAttr("table", "hive_table", false)}});
  c.AddType(
      {"hive_process",
       false,
       {"Process"},
       {Attr("operationType", "string"), Attr("queryText", "string"), Attr("userName", "string"),
        Attr("startTime", "date"), Attr("endTime", "date"), Attr("clusterName", "string")}});
  c.AddType({"AtlasGlossaryTerm", false, {}, {Attr("qualifiedName", "string"), Attr("name", "string")}});
  c.AddType({"PII", true, {}, {Attr("level", "string")}});
  c.AddType({"PII_Location", true, {"PII"}, {Attr("precision", "string")}});
  c.AddType({"Fact", true, {}, {}});
  c.AddType({"Dimension", true, {}, {}});
  c.AddType({"Log Data", true, {}, {}});
}

Json Tag(const std::string& type, const std::string& entity_guid,
         Json attributes = Json::object()) {
  return {{"typeName", type}, {"entityGuid", entity_guid}, {"attributes", std::move(attributes)}};
}

Json Entity(const std::string& type, const std::string& guid, Json attributes,
            const std::string& created_by, int64_t create_time, int64_t update_time) {
  return {{"typeName", type},
          {"guid", guid},
          {"status", "ACTIVE"},
          {"createdBy", created_by},
          {"updatedBy", created_by},
          {"createTime", create_time},
          {"updateTime", update_time},
          {"version", 0},
          {"attributes", std::move(attributes)},
          {"relationshipAttributes", Json::object()},
          {"classifications", Json::array()},
          {"labels", Json::array()},
          {"isIncomplete", false}};
}

constexpr int64_t k20170101 = 1483228800000;     // 2017-01-01T00:00:00.000Z
constexpr int64_t kTripDetails = 1513046158440;  // 2017-12-12T02:35:58.440Z
constexpr int64_t kZoneLookup = 1513046170000;   // 2017-12-12T02:36:10.000Z
constexpr int64_t kAtlasEmr = 1513046100000;     // 2017-12-12T02:35:00.000Z
constexpr int64_t kCtas = 1515110400000;         // 2018-01-05T00:00:00.000Z
constexpr int64_t k20190101 = 1546300800000;     // 2019-01-01T00:00:00.000Z
constexpr int64_t k20240610 = 1717977600000;     // 2024-06-10T00:00:00.000Z
constexpr int64_t k20240701 = 1719792000000;     // 2024-07-01T00:00:00.000Z

void AddDatabases(MemoryCatalog& c) {
  Json emr = Entity("hive_db", "db-atlas_emr",
                    {{"qualifiedName", "atlas_emr@primary"},
                     {"name", "atlas_emr"},
                     {"clusterName", "primary"},
                     {"owner", "hadoop"},
                     {"description", "NYC taxi data from the Atlas tutorial"},
                     {"location", "hdfs://nn:8020/warehouse/tablespace/managed/hive/atlas_emr.db"},
                     {"ownerType", "USER"},
                     {"parameters", {{"comment", "tutorial"}}}},
                    "hive", kAtlasEmr, kAtlasEmr);
  emr["labels"] = {"gold"};
  emr["customAttributes"] = {{"team", "taxi"}};
  c.AddEntity(std::move(emr));
  c.AddEntity(Entity("hive_db", "db-default",
                     {{"qualifiedName", "default@primary"},
                      {"name", "default"},
                      {"clusterName", "primary"},
                      {"owner", "public"},
                      {"description", "Default Hive database"},
                      {"ownerType", "ROLE"}},
                     "admin", k20170101, k20170101));
  Json reports = Entity("hive_db", "db-reports",
                        {{"qualifiedName", "reports@primary"},
                         {"name", "Reports"},
                         {"clusterName", "primary"},
                         {"owner", "bi"},
                         {"ownerType", "USER"}},
                        "admin", k20190101, k20190101);
  reports["classifications"] = {Tag("Log Data", "db-reports")};
  c.AddEntity(std::move(reports));
  Json shell = Entity("hive_db", "db-staging", {{"qualifiedName", "staging@primary"}}, "hive",
                      k20190101, k20190101);
  shell["isIncomplete"] = true;
  c.AddEntity(std::move(shell));
}

void AddTables(MemoryCatalog& c) {
  Json trips = Entity("hive_table", "tbl-trip_details",
                      {{"qualifiedName", "atlas_emr.trip_details@primary"},
                       {"name", "trip_details"},
                       {"owner", "hadoop"},
                       {"createTime", kTripDetails},
                       {"lastAccessTime", kTripDetails},
                       {"comment", "NYC taxi trip records"},
                       {"retention", 0},
                       {"temporary", false},
                       {"tableType", "MANAGED_TABLE"},
                       {"aliases", {"trips", "yellow_trips"}},
                       {"parameters", {{"numRows", "1000"}}}},
                      "hive", kTripDetails, k20240610);
  trips["classifications"] = {Tag("PII", "tbl-trip_details", {{"level", "high"}})};
  trips["labels"] = {"gold", "raw"};
  trips["meanings"] = {
      {{"termGuid", "term-trip"}, {"displayText", "trip"}, {"qualifiedName", "trip@taxi"}}};
  c.AddEntity(std::move(trips));

  Json zones = Entity("hive_table", "tbl-trip_zone_lookup",
                      {{"qualifiedName", "atlas_emr.trip_zone_lookup@primary"},
                       {"name", "trip_zone_lookup"},
                       {"owner", "hadoop"},
                       {"createTime", kZoneLookup},
                       {"lastAccessTime", kZoneLookup},
                       {"retention", 0},
                       {"temporary", false},
                       {"tableType", "EXTERNAL_TABLE"}},
                      "hive", kZoneLookup, kZoneLookup);
  zones["classifications"] = {Tag("Dimension", "tbl-trip_zone_lookup")};
  zones["labels"] = {"gold"};
  c.AddEntity(std::move(zones));

  Json by_zone = Entity("hive_table", "tbl-trip_details_by_zone",
                        {{"qualifiedName", "atlas_emr.trip_details_by_zone@primary"},
                         {"name", "trip_details_by_zone"},
                         {"owner", "etl"},
                         {"createTime", kCtas},
                         {"lastAccessTime", kCtas},
                         {"comment", "trips aggregated per zone"},
                         {"retention", 30},
                         {"temporary", true},
                         {"tableType", "MANAGED_TABLE"}},
                        "admin", kCtas, k20240701);
  by_zone["updatedBy"] = "etl";
  by_zone["classifications"] = {Tag("Fact", "tbl-trip_details_by_zone"),
                                Tag("PII", "tbl-trip_details", {{"level", "high"}})};
  by_zone["relationshipAttributes"]["meanings"] = {{{"guid", "term-revenue"},
                                                    {"typeName", "AtlasGlossaryTerm"},
                                                    {"displayText", "revenue"},
                                                    {"qualifiedName", "revenue@finance"}}};
  c.AddEntity(std::move(by_zone));
}

struct ColumnSpec {
  const char* table;
  const char* name;
  const char* type;
  int position;
  const char* comment;
};

constexpr ColumnSpec kColumns[] = {
    {"trip_details", "vendor_id", "int", 0, nullptr},
    {"trip_details", "pickup_datetime", "timestamp", 1, nullptr},
    {"trip_details", "dropoff_datetime", "timestamp", 2, nullptr},
    {"trip_details", "location_id", "int", 3, "pickup zone"},
    {"trip_details", "fare_amount", "double", 4, "fare in USD"},
    {"trip_details", "old_fare", "double", 5, nullptr},
    {"trip_zone_lookup", "LocationID", "int", 0, "TLC taxi zone id"},
    {"trip_zone_lookup", "Borough", "string", 1, nullptr},
    {"trip_zone_lookup", "Zone", "string", 2, nullptr},
    {"trip_zone_lookup", "service_zone", "string", 3, nullptr},
    {"trip_details_by_zone", "location_id", "int", 0, nullptr},
    {"trip_details_by_zone", "zone", "string", 1, nullptr},
    {"trip_details_by_zone", "trip_count", "bigint", 2, nullptr},
    {"trip_details_by_zone", "total_fare", "double", 3, nullptr},
};

void AddColumns(MemoryCatalog& c) {
  for (const auto& spec : kColumns) {
    const std::string table = spec.table;
    const std::string guid = "col-" + table + "." + spec.name;
    const std::string owner = table == "trip_details_by_zone" ? "etl" : "hadoop";
    Json attrs = {{"qualifiedName", "atlas_emr." + table + "." + spec.name + "@primary"},
                  {"name", spec.name},
                  {"type", spec.type},
                  {"position", spec.position},
                  {"owner", owner}};
    if (spec.comment != nullptr) attrs["comment"] = spec.comment;
    const int64_t created = table == "trip_details_by_zone" ? kCtas : kTripDetails;
    Json column = Entity("hive_column", guid, std::move(attrs), "hive", created, created);
    if (guid == "col-trip_details.old_fare") column["status"] = "DELETED";
    if (guid == "col-trip_details.location_id") {
      column["classifications"] = {
          Tag("PII_Location", guid, {{"level", "low"}, {"precision", "zone"}})};
    }
    if (guid == "col-trip_details_by_zone.location_id") {
      column["classifications"] = {Tag("PII_Location", "col-trip_details.location_id",
                                       {{"level", "low"}, {"precision", "zone"}})};
    }
    c.AddEntity(std::move(column));
    c.Link(guid, "table", "tbl-" + table);
    c.Link("tbl-" + table, "columns", guid);
  }
}

void AddProcess(MemoryCatalog& c) {
  Json process =
      Entity("hive_process", "proc-ctas",
             {{"qualifiedName", "atlas_emr.trip_details_by_zone@primary:1515110400000"},
              {"name", "atlas_emr.trip_details_by_zone@primary:1515110400000"},
              {"operationType", "CREATETABLE_AS_SELECT"},
              {"queryText",
               "create table trip_details_by_zone as select d.location_id, z.zone, count(*) as "
               "trip_count, sum(d.fare_amount) as total_fare from trip_details d join "
               "trip_zone_lookup z on d.location_id = z.LocationID group by d.location_id, z.zone"},
              {"userName", "etl"},
              {"owner", "etl"},
              {"startTime", kCtas},
              {"endTime", kCtas + 60000},
              {"clusterName", "primary"}},
             "etl", kCtas, kCtas);
  process["classifications"] = {Tag("Log Data", "proc-ctas")};
  c.AddEntity(std::move(process));
  for (const char* input : {"tbl-trip_details", "tbl-trip_zone_lookup"}) {
    c.Link("proc-ctas", "inputs", input);
    c.Link(input, "inputToProcesses", "proc-ctas");
  }
  c.Link("proc-ctas", "outputs", "tbl-trip_details_by_zone");
  c.Link("tbl-trip_details_by_zone", "outputFromProcesses", "proc-ctas");
}

}  // namespace

std::unique_ptr<MemoryCatalog> BuildTutorialCatalog() {
  auto c = std::make_unique<MemoryCatalog>();
  DefineTypes(*c);
  AddDatabases(*c);
  AddTables(*c);
  for (const char* table :
       {"tbl-trip_details", "tbl-trip_zone_lookup", "tbl-trip_details_by_zone"}) {
    c->Link(table, "db", "db-atlas_emr");
    c->Link("db-atlas_emr", "tables", table);
  }
  AddColumns(*c);
  AddProcess(*c);
  // The glossary terms assigned to tables (see AddTables).
  c->AddEntity(Entity("AtlasGlossaryTerm", "term-trip", {{"qualifiedName", "trip@taxi"}, {"name", "trip"}},
                      "admin", k20190101, k20190101));
  c->AddEntity(Entity("AtlasGlossaryTerm", "term-revenue",
                      {{"qualifiedName", "revenue@finance"}, {"name", "revenue"}}, "admin", k20190101,
                      k20190101));
  c->IndexAttribute("qualifiedName");
  c->IndexAttribute("name");
  return c;
}

}  // namespace meridian::dsl::testing
