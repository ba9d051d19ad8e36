// Business metadata, saved searches, relations search, search-result
// downloads, classification sync, labels by unique attributes and the admin
// audit, over HTTP against the real server binary.
#include <cstdlib>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

const std::string kV2 = "/api/atlas/v2";

class V2FamiliesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start()) << "server did not start; see " << server_.data_dir();
    ASSERT_EQ(server_.Post(kV2 + "/entity/bulk", Fixture("tutorial_catalog.json")).status, 200);
    table_ = GuidOf("hive_table", "atlas_emr.trip_details@primary");
    other_table_ = GuidOf("hive_table", "atlas_emr.trip_zone_lookup@primary");
    db_ = GuidOf("hive_db", "atlas_emr@primary");
  }

  std::string GuidOf(const std::string& type, const std::string& qn) {
    HttpResult r = server_.Get(kV2 + "/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" + UrlEncode(qn) +
                               "&ignoreRelationships=true");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["entity"].value("guid", "");
  }
  json Entity(const std::string& guid) {
    return server_.Get(kV2 + "/entity/guid/" + guid + "?ignoreRelationships=true").Json()["entity"];
  }
  static void ExpectError(const HttpResult& r, int status, const std::string& code, const std::string& text = "") {
    EXPECT_EQ(r.status, status) << r.body;
    json j = r.Json();
    EXPECT_EQ(j.value("errorCode", ""), code) << r.body;
    EXPECT_NE(j.value("errorMessage", "").find(text), std::string::npos) << r.body;
  }
  // Governance (tables: owner_team string of at most 12, rowCount int, tier enum, tags array<string>;
  // databases: certified boolean) and DbOnly (databases only).
  void CreateBusinessMetadataTypes() {
    json types = {
        {"enumDefs", {{{"name", "gov_tier"}, {"elementDefs", {{{"value", "GOLD"}, {"ordinal", 1}},
                                                              {{"value", "SILVER"}, {"ordinal", 2}}}}}}},
        {"businessMetadataDefs",
         {{{"name", "Governance"},
           {"attributeDefs",
            {{{"name", "owner_team"}, {"typeName", "string"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_table\"]"}, {"maxStrLength", "12"}}}},
             {{"name", "rowCount"}, {"typeName", "int"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_table\"]"}}}},
             {{"name", "tier"}, {"typeName", "gov_tier"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_table\"]"}}}},
             {{"name", "tags"}, {"typeName", "array<string>"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_table\"]"}}}},
             {{"name", "certified"}, {"typeName", "boolean"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_db\"]"}}}}}}},
          {{"name", "DbOnly"},
           {"attributeDefs",
            {{{"name", "steward"}, {"typeName", "string"}, {"isOptional", true},
              {"options", {{"applicableEntityTypes", "[\"hive_db\"]"}}}}}}}}}};
    HttpResult r = server_.Post(kV2 + "/types/typedefs", types);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void AddUser(const std::string& user, const std::string& role) {
    server_.Stop();
    std::string cmd = "MERIDIAN_PASSWORD=" + user + "-pw " + TestServer::Binary() + " passwd " + user + " --role " +
                      role + " --data-dir " + server_.data_dir() + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    ASSERT_TRUE(server_.Start());
  }
  HttpResult Multipart(const std::string& target, const std::string& csv) {
    const std::string boundary = "----meridian-bm";
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bm.csv\"\r\n"
                       "Content-Type: text/csv\r\n\r\n" +
                       csv + "\r\n--" + boundary + "--\r\n";
    return Request(server_.port(), "POST", target, body, "admin:admin",
                   {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  TestServer server_;
  std::string table_, other_table_, db_;
};

// ---- Business metadata ----

TEST_F(V2FamiliesTest, BusinessAttributesAreSetMergedOverwrittenAndRemoved) {
  CreateBusinessMetadataTypes();
  const std::string bm = kV2 + "/entity/guid/" + table_ + "/businessmetadata";
  HttpResult r = server_.Post(bm, {{"Governance", {{"owner_team", "sales"}, {"rowCount", "42"}, {"tier", "GOLD"}}}});
  ASSERT_EQ(r.status, 204) << r.body;
  json e = Entity(table_);
  EXPECT_EQ(e["businessAttributes"]["Governance"],
            json({{"owner_team", "sales"}, {"rowCount", 42}, {"tier", "GOLD"}}));
  // Without isOverwrite the given attributes are merged in.
  ASSERT_EQ(server_.Post(bm + "/Governance", {{"tags", {"pii", "finance"}}}).status, 204);
  EXPECT_EQ(Entity(table_)["businessAttributes"]["Governance"]["owner_team"], "sales");
  EXPECT_EQ(Entity(table_)["businessAttributes"]["Governance"]["tags"], json({"pii", "finance"}));
  // With isOverwrite=true they replace everything.
  // (Atlas's Python client writes the flag as "True".)
  ASSERT_EQ(server_.Post(bm + "?isOverwrite=True", {{"Governance", {{"rowCount", 7}}}}).status, 204);
  EXPECT_EQ(Entity(table_)["businessAttributes"], json({{"Governance", {{"rowCount", 7}}}}));
  // Removal by name, then of the whole business metadata.
  ASSERT_EQ(server_.Post(bm, {{"Governance", {{"owner_team", "ops"}}}}).status, 204);
  ASSERT_EQ(server_.Delete(bm + "/Governance", json({{"rowCount", nullptr}}).dump()).status, 204);
  EXPECT_EQ(Entity(table_)["businessAttributes"], json({{"Governance", {{"owner_team", "ops"}}}}));
  ASSERT_EQ(server_.Delete(bm, json({{"Governance", json::object()}}).dump()).status, 204);
  EXPECT_FALSE(Entity(table_).contains("businessAttributes"));
  // Each change is audited.
  json audit = server_.Get(kV2 + "/entity/" + table_ + "/audit?auditAction=BUSINESS_ATTRIBUTE_UPDATE").Json();
  EXPECT_EQ(audit.size(), 6u) << audit;
}

TEST_F(V2FamiliesTest, BusinessAttributeErrorsAreAtlasErrors) {
  CreateBusinessMetadataTypes();
  const std::string bm = kV2 + "/entity/guid/" + table_ + "/businessmetadata";
  ExpectError(server_.Post(bm, {{"NoSuchMetadata", {{"x", 1}}}}), 404, "ATLAS-404-00-007",
              "NoSuchMetadata: invalid business-metadata for entity type hive_table");
  ExpectError(server_.Post(bm, {{"Governance", {{"rowCount", "many"}}}}), 404, "ATLAS-404-00-007",
              "hive_table.Governance.rowCount");
  ExpectError(server_.Post(bm, {{"Governance", {{"tier", "BRONZE"}}}}), 404, "ATLAS-404-00-007", "tier");
  ExpectError(server_.Post(bm, {{"Governance", {{"owner_team", "a-team-name-far-too-long"}}}}), 404,
              "ATLAS-404-00-007", "exceeds maximum length");
  // Applicable to databases only: not on a table.
  ExpectError(server_.Post(bm, {{"DbOnly", {{"steward", "ann"}}}}), 404, "ATLAS-404-00-007",
              "DbOnly: invalid business-metadata for entity type hive_table");
  ExpectError(server_.Post(bm, {{"Governance", {{"certified", true}}}}), 404, "ATLAS-404-00-007", "certified");
  ExpectError(server_.Post(bm, json::object()), 400, "ATLAS-400-00-01A");
  ExpectError(server_.Post(kV2 + "/entity/guid/no-such-guid/businessmetadata", {{"Governance", {{"rowCount", 1}}}}),
              404, "ATLAS-404-00-005");
  ExpectError(server_.Delete(bm, json({{"NoSuchMetadata", json::object()}}).dump()), 404, "ATLAS-404-00-007");
  // A failed request changes nothing; the database takes its own.
  EXPECT_FALSE(Entity(table_).contains("businessAttributes"));
  ASSERT_EQ(server_.Post(kV2 + "/entity/guid/" + db_ + "/businessmetadata",
                         {{"DbOnly", {{"steward", "ann"}}}, {"Governance", {{"certified", "true"}}}})
                .status,
            204);
  EXPECT_EQ(Entity(db_)["businessAttributes"]["Governance"]["certified"], true);
  // Business-metadata defs are checked like Atlas's.
  json bad = {{"businessMetadataDefs",
               {{{"name", "BadRef"},
                 {"attributeDefs", {{{"name", "t"}, {"typeName", "hive_table"},
                                     {"options", {{"applicableEntityTypes", "[\"hive_table\"]"}}}}}}}}}};
  ExpectError(server_.Post(kV2 + "/types/typedefs", bad), 400, "ATLAS-400-00-094");
  json no_types = {{"businessMetadataDefs",
                    {{{"name", "NoTypes"}, {"attributeDefs", {{{"name", "t"}, {"typeName", "string"}}}}}}}};
  ExpectError(server_.Post(kV2 + "/types/typedefs", no_types), 400, "ATLAS-400-00-02B");
}

TEST_F(V2FamiliesTest, BasicSearchFiltersOnBusinessAttributes) {
  CreateBusinessMetadataTypes();
  ASSERT_EQ(server_.Post(kV2 + "/entity/guid/" + table_ + "/businessmetadata", {{"Governance", {{"rowCount", 10}}}})
                .status,
            204);
  ASSERT_EQ(server_.Post(kV2 + "/entity/guid/" + other_table_ + "/businessmetadata",
                         {{"Governance", {{"rowCount", 2}}}})
                .status,
            204);
  json body = {{"typeName", "hive_table"},
               {"entityFilters", {{"attributeName", "Governance.rowCount"}, {"operator", ">"}, {"attributeValue", "5"}}}};
  HttpResult r = server_.Post(kV2 + "/search/basic", body);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Json()["entities"].size(), 1u) << r.body;
  EXPECT_EQ(r.Json()["entities"][0]["guid"], table_);
  body["entityFilters"]["attributeName"] = "Governance.noSuchAttribute";
  ExpectError(server_.Post(kV2 + "/search/basic", body), 400, "ATLAS-400-00-01A");
  body["entityFilters"]["attributeName"] = "DbOnly.steward";  // not applicable to tables
  ExpectError(server_.Post(kV2 + "/search/basic", body), 400, "ATLAS-400-00-01A");
}

TEST_F(V2FamiliesTest, BusinessMetadataCsvImport) {
  CreateBusinessMetadataTypes();
  HttpResult t = server_.Get(kV2 + "/entity/businessmetadata/import/template");
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(t.body.rfind("EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue", 0), 0u);
  std::string csv =
      "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,"
      "EntityUniqueAttributeName[optional]\n"
      "hive_table,atlas_emr.trip_details@primary,Governance.owner_team,finance,\n"
      "hive_table,atlas_emr.trip_details@primary,Governance.tags,a|b,qualifiedName\n"
      "hive_table,atlas_emr.nothing@primary,Governance.owner_team,x,\n"
      "hive_table,atlas_emr.trip_zone_lookup@primary,Governance.rowCount,not-a-number,\n"
      "hive_table,atlas_emr.trip_zone_lookup@primary,NoSuch.attr,1,\n";
  HttpResult r = Multipart(kV2 + "/entity/businessmetadata/import", csv);
  ASSERT_EQ(r.status, 200) << r.body;
  json res = r.Json();
  ASSERT_EQ(res["successImportInfoList"].size(), 1u) << res;
  EXPECT_EQ(res["successImportInfoList"][0]["parentObjectName"], table_);
  EXPECT_EQ(res["failedImportInfoList"].size(), 3u) << res;
  EXPECT_EQ(Entity(table_)["businessAttributes"]["Governance"],
            json({{"owner_team", "finance"}, {"tags", {"a", "b"}}}));
  EXPECT_FALSE(Entity(other_table_).contains("businessAttributes"));
  ExpectError(Multipart(kV2 + "/entity/businessmetadata/import", "EntityType,x\n"), 400, "ATLAS-400-00-09B");
  // The import is in the admin audit.
  json audits = server_.Get("/api/atlas/admin/audits?operation=IMPORT").Json();
  ASSERT_EQ(audits.size(), 1u) << audits;
  EXPECT_EQ(audits[0]["userName"], "admin");
}

// ---- Entity extras ----

TEST_F(V2FamiliesTest, LabelsAndHeaderByUniqueAttributes) {
  const std::string ua = kV2 + "/entity/uniqueAttribute/type/hive_table";
  const std::string sel = "?attr:qualifiedName=" + UrlEncode("atlas_emr.trip_details@primary");
  ASSERT_EQ(server_.Post(ua + "/labels" + sel, json({"a", "b"})).status, 204);
  ASSERT_EQ(server_.Put(ua + "/labels" + sel, json({"c"})).status, 204);
  ASSERT_EQ(server_.Delete(ua + "/labels" + sel, json({"a"}).dump()).status, 204);
  EXPECT_EQ(Entity(table_)["labels"], json({"b", "c"}));
  HttpResult h = server_.Get(ua + "/header" + sel);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.Json()["guid"], table_);
  EXPECT_EQ(h.Json()["labels"], json({"b", "c"}));
  ExpectError(server_.Post(ua + "/labels?attr:qualifiedName=nope", json({"a"})), 404, "ATLAS-404-00-009");
  ExpectError(server_.Post(kV2 + "/entity/uniqueAttribute/type/no_such_type/labels" + sel, json({"a"})), 400,
              "ATLAS-400-00-014");
}

TEST_F(V2FamiliesTest, ClassificationSyncHeadersAndSetClassifications) {
  ASSERT_EQ(server_.Post(kV2 + "/types/typedefs",
                         {{"classificationDefs", {{{"name", "PII"}}, {{"name", "Sensitive"}}}}})
                .status,
            200);
  json before = server_.Get(kV2 + "/entity/bulk/headers?tagUpdateStartTime=0").Json();
  EXPECT_TRUE(before["guidHeaderMap"].empty()) << before;
  ASSERT_EQ(server_.Post(kV2 + "/entity/guid/" + table_ + "/classifications", json::array({{{"typeName", "PII"}}}))
                .status,
            204);
  json changed = server_.Get(kV2 + "/entity/bulk/headers?tagUpdateStartTime=0").Json();
  ASSERT_TRUE(changed["guidHeaderMap"].contains(table_)) << changed;
  EXPECT_EQ(changed["guidHeaderMap"][table_]["classifications"][0]["typeName"], "PII");
  ExpectError(server_.Get(kV2 + "/entity/bulk/headers?tagUpdateStartTime=99999999999999"), 400, "ATLAS-400-00-029");

  // setClassifications: the header's tags replace the entity's own.
  json headers = {{"guidHeaderMap",
                   {{table_, {{"guid", table_}, {"typeName", "hive_table"},
                              {"classifications", {{{"typeName", "Sensitive"}}}}}}}}};
  HttpResult s = server_.Post(kV2 + "/entity/bulk/setClassifications", headers);
  ASSERT_EQ(s.status, 200) << s.body;
  json names = server_.Get(kV2 + "/entity/guid/" + table_ + "/header").Json()["classificationNames"];
  EXPECT_EQ(names, json({"Sensitive"}));
  // Without override existing ones stay.
  headers["guidHeaderMap"][table_]["classifications"] = {{{"typeName", "PII"}}};
  ASSERT_EQ(server_.Post(kV2 + "/entity/bulk/setClassifications?overrideClassifications=false", headers).status, 200);
  names = server_.Get(kV2 + "/entity/guid/" + table_ + "/header").Json()["classificationNames"];
  EXPECT_EQ(names.size(), 2u) << names;
  headers["guidHeaderMap"][table_]["classifications"] = {{{"typeName", "NoSuchTag"}}};
  ExpectError(server_.Post(kV2 + "/entity/bulk/setClassifications", headers), 404, "ATLAS-404-00-008");
}

TEST_F(V2FamiliesTest, EntityAuditFilters) {
  for (const char* label : {"x", "y", "z"})
    ASSERT_EQ(server_.Put(kV2 + "/entity/guid/" + table_ + "/labels", json({label})).status, 204);
  const std::string audit = kV2 + "/entity/" + table_ + "/audit";
  json all = server_.Get(audit).Json();
  ASSERT_GE(all.size(), 4u);  // create + 3 label changes
  json labels = server_.Get(audit + "?auditAction=LABEL_ADD").Json();
  ASSERT_EQ(labels.size(), 3u) << labels;
  json one = server_.Get(audit + "?auditAction=LABEL_ADD&count=1&offset=1").Json();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], labels[1]);
  json asc = server_.Get(audit + "?sortBy=timestamp&sortOrder=asc").Json();
  EXPECT_EQ(asc[0]["action"], "ENTITY_CREATE");
}

// ---- Saved searches ----

TEST_F(V2FamiliesTest, SavedSearchesAreCrudAndRunPerUser) {
  AddUser("alice", "DATA_SCIENTIST");
  AddUser("bob", "DATA_STEWARD");
  const std::string alice = "alice:alice-pw", bob = "bob:bob-pw";
  json search = {{"name", "tables"},
                 {"searchType", "BASIC"},
                 {"searchParameters", {{"typeName", "hive_table"}, {"query", "trip_details"}}},
                 {"uiParameters", nullptr}};
  HttpResult add = server_.Post(kV2 + "/search/saved", search, alice);
  ASSERT_EQ(add.status, 200) << add.body;
  json saved = add.Json();
  EXPECT_EQ(saved["ownerName"], "alice");
  const std::string guid = saved["guid"];
  ExpectError(server_.Post(kV2 + "/search/saved", search, alice), 409, "ATLAS-409-00-006");
  // Bob may use the same name for his own.
  ASSERT_EQ(server_.Post(kV2 + "/search/saved", search, bob).status, 200);

  json list = server_.Get(kV2 + "/search/saved", alice).Json();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["guid"], guid);
  EXPECT_EQ(server_.Get(kV2 + "/search/saved/tables", alice).Json()["guid"], guid);
  json run = server_.Get(kV2 + "/search/saved/execute/tables", alice).Json();
  ASSERT_TRUE(run.contains("entities")) << run;
  EXPECT_EQ(run["entities"][0]["guid"], table_);
  EXPECT_EQ(server_.Get(kV2 + "/search/saved/execute/guid/" + guid, alice).Json()["entities"][0]["guid"], table_);

  // Update: rename and turn into a DSL search.
  saved["name"] = "dsl tables";
  saved["searchType"] = "ADVANCED";
  saved["searchParameters"] = {{"query", "hive_table where name = 'trip_zone_lookup'"}};
  HttpResult upd = server_.Put(kV2 + "/search/saved", saved, alice);
  ASSERT_EQ(upd.status, 200) << upd.body;
  json dsl = server_.Get(kV2 + "/search/saved/execute/guid/" + guid, alice).Json();
  ASSERT_EQ(dsl["entities"].size(), 1u) << dsl;
  EXPECT_EQ(dsl["entities"][0]["guid"], other_table_);

  // Another user's search: Atlas answers 400 "invalid data" for every form.
  ExpectError(server_.Get(kV2 + "/search/saved/execute/guid/" + guid, bob), 400, "ATLAS-400-00-029", "invalid data");
  ExpectError(server_.Get(kV2 + "/search/saved?user=alice", bob), 400, "ATLAS-400-00-029");
  ExpectError(server_.Get(kV2 + "/search/saved/dsl%20tables?user=alice", bob), 400, "ATLAS-400-00-029");
  ExpectError(server_.Delete(kV2 + "/search/saved/" + guid, "", bob), 400, "ATLAS-400-00-029");
  json stolen = saved;
  stolen.erase("ownerName");
  ExpectError(server_.Put(kV2 + "/search/saved", stolen, bob), 400, "ATLAS-400-00-056");
  stolen["ownerName"] = "alice";
  ExpectError(server_.Post(kV2 + "/search/saved", stolen, bob), 400, "ATLAS-400-00-029");
  // Missing ones.
  ExpectError(server_.Get(kV2 + "/search/saved/nothing", alice), 404, "ATLAS-404-00-009");
  ExpectError(server_.Get(kV2 + "/search/saved/execute/guid/no-such-guid", alice), 404, "ATLAS-404-00-005");
  ExpectError(server_.Post(kV2 + "/search/saved", {{"searchType", "BASIC"}}, alice), 400, "ATLAS-400-00-01A");

  // Kept across a restart; deleted by its owner.
  server_.Stop();
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(server_.Get(kV2 + "/search/saved/dsl%20tables", alice).Json()["guid"], guid);
  EXPECT_EQ(server_.Delete(kV2 + "/search/saved/" + guid, "", alice).status, 204);
  EXPECT_TRUE(server_.Get(kV2 + "/search/saved", alice).Json().empty());
  EXPECT_EQ(server_.Get(kV2 + "/search/saved", bob).Json().size(), 1u);
}

// ---- Relations search ----

TEST_F(V2FamiliesTest, RelationsSearch) {
  HttpResult r = server_.Get(kV2 + "/search/relations?relationshipName=hive_table_db&limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  json res = r.Json();
  EXPECT_EQ(res["approximateCount"], 3) << res;  // three tables in one database
  ASSERT_EQ(res["relations"].size(), 2u);
  EXPECT_EQ(res["relations"][0]["typeName"], "hive_table_db");
  EXPECT_EQ(res["relations"][0]["end2"]["guid"], db_);
  EXPECT_EQ(res["relations"][0]["end2"]["uniqueAttributes"]["qualifiedName"], "atlas_emr@primary");
  json body = {{"relationshipName", "hive_table_columns"},
               {"relationshipFilters", {{"attributeName", "__state"}, {"operator", "="}, {"attributeValue", "ACTIVE"}}},
               {"limit", 100}};
  HttpResult p = server_.Post(kV2 + "/search/relations", body);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.Json()["relations"].size(), 22u);
  ExpectError(server_.Get(kV2 + "/search/relations?relationshipName=no_such"), 400, "ATLAS-400-00-00A");
  ExpectError(server_.Get(kV2 + "/search/relations?relationshipName=hive_table_db&limit=-1"), 400,
              "ATLAS-400-00-029");
  body.erase("relationshipName");
  ExpectError(server_.Post(kV2 + "/search/relations", body), 400, "ATLAS-400-00-029");
}

// ---- Downloads ----

TEST_F(V2FamiliesTest, SearchResultDownloadsAreCsvPerUser) {
  AddUser("bob", "DATA_SCIENTIST");
  json basic = {{"searchParameters", {{"typeName", "hive_table"}}}, {"attributeLabelMap", {{"Qualified", "qualifiedName"}}}};
  ASSERT_EQ(server_.Post(kV2 + "/search/basic/download/create_file", basic).status, 204);
  ASSERT_EQ(server_.Post(kV2 + "/search/dsl/download/create_file",
                         {{"query", "hive_table where name = 'trip_details' select name, owner"}})
                .status,
            204);
  json status = server_.Get(kV2 + "/search/download/status").Json();
  ASSERT_EQ(status["searchDownloadRecords"].size(), 2u) << status;
  std::string basic_file, dsl_file;
  for (const json& rec : status["searchDownloadRecords"]) {
    EXPECT_EQ(rec["status"], "COMPLETE");
    EXPECT_EQ(rec["userName"], "admin");
    (rec["fileName"].get<std::string>().find("_BASIC_") != std::string::npos ? basic_file : dsl_file) = rec["fileName"];
  }
  HttpResult f = server_.Get(kV2 + "/search/download/" + basic_file);
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(f.body.rfind("\"Type Name\",\"Name\",\"Classifications\",\"Terms\",\"Qualified\"\r\n", 0), 0u) << f.body;
  EXPECT_NE(f.body.find("\"hive_table\",\"trip_details\",\"\",\"\",\"atlas_emr.trip_details@primary\""),
            std::string::npos)
      << f.body;
  HttpResult d = server_.Get(kV2 + "/search/download/" + dsl_file);
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.body.rfind("\"name\",\"owner\"\r\n\"trip_details\"", 0), 0u) << d.body;
  // Bob sees none of admin's files.
  EXPECT_TRUE(server_.Get(kV2 + "/search/download/status", "bob:bob-pw").Json()["searchDownloadRecords"].empty());
  ExpectError(server_.Get(kV2 + "/search/download/" + basic_file, "bob:bob-pw"), 404, "ATLAS-404-00-004");
  EXPECT_EQ(server_.Get(kV2 + "/search/download/..%2Fusers.json").status, 404);
  ExpectError(server_.Get(kV2 + "/search/download/no_such_file.csv"), 404, "ATLAS-404-00-004");
  ExpectError(server_.Post(kV2 + "/search/basic/download/create_file", {{"searchParameters", json::object()}}), 400,
              "ATLAS-400-00-047");
}

// ---- Admin audit ----

TEST_F(V2FamiliesTest, AdminAuditListsTypeChangesAndPurges) {
  AddUser("bob", "ADMIN");
  AddUser("steward", "DATA_STEWARD");
  ASSERT_EQ(server_.Post(kV2 + "/types/typedefs", {{"classificationDefs", {{{"name", "Audited"}}}}}, "bob:bob-pw")
                .status,
            200);
  ASSERT_EQ(server_.Delete(kV2 + "/types/typedef/name/Audited").status, 204);
  const std::string col = GuidOf("hive_column", "atlas_emr.trip_details.vendor_id@primary");
  ASSERT_EQ(server_.Delete(kV2 + "/entity/guid/" + col).status, 200);
  ASSERT_EQ(server_.Put("/api/atlas/admin/purge", json::array({col})).status, 200);

  json all = server_.Post("/api/atlas/admin/audits", json::object()).Json();
  ASSERT_GE(all.size(), 3u) << all;
  EXPECT_EQ(all[0]["operation"], "PURGE");
  EXPECT_EQ(all[0]["resultCount"], 1);
  EXPECT_NE(all[0]["params"].get<std::string>().find(col), std::string::npos);
  EXPECT_EQ(all[1]["operation"], "TYPE_DEF_DELETE");
  EXPECT_EQ(all[2]["operation"], "TYPE_DEF_CREATE");
  EXPECT_EQ(all[2]["userName"], "bob");
  json bobs = server_.Post("/api/atlas/admin/audits",
                           {{"auditFilters", {{"attributeName", "userName"}, {"operator", "="}, {"attributeValue", "bob"}}},
                            {"limit", 10}})
                  .Json();
  ASSERT_EQ(bobs.size(), 1u) << bobs;
  EXPECT_EQ(bobs[0]["operation"], "TYPE_DEF_CREATE");
  EXPECT_EQ(server_.Get("/api/atlas/admin/audits?operation=PURGE").Json().size(), 1u);
  EXPECT_EQ(server_.Get("/api/atlas/admin/audits", "steward:steward-pw").status, 403);
}

}  // namespace
}  // namespace meridian::testing
