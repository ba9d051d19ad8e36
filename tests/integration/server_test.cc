// The core REST API over HTTP against the real server binary.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << "server did not start; see " << server_.data_dir(); }

  json LoadTutorial() {
    HttpResult r = server_.Post("/api/atlas/v2/entity/bulk", Fixture("tutorial_catalog.json"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  std::string GuidOf(const std::string& type, const std::string& qn) {
    HttpResult r = server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" +
                               UrlEncode(qn) + "&ignoreRelationships=true");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["entity"].value("guid", "");
  }
  static void ExpectError(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json j = r.Json();
    EXPECT_EQ(j.value("errorCode", ""), code) << r.body;
    EXPECT_FALSE(j.value("errorMessage", "").empty()) << r.body;
  }

  TestServer server_;
};

TEST_F(ServerTest, StatusNeedsNoAuthButEverythingElseDoes) {
  EXPECT_EQ(server_.Get("/api/atlas/admin/status", "").status, 200);
  HttpResult r = server_.Get("/api/atlas/v2/types/typedefs/headers", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-401-00-001");
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedefs/headers", "admin:wrong").status, 401);
  EXPECT_EQ(server_.Get("/api/atlas/admin/version").status, 200);
}

TEST_F(ServerTest, TypedefsServeTheHiveModel) {
  HttpResult r = server_.Get("/api/atlas/v2/types/typedef/name/hive_table");
  ASSERT_EQ(r.status, 200);
  json t = r.Json();
  EXPECT_EQ(t["category"], "ENTITY");
  EXPECT_EQ(t["superTypes"], json::array({"DataSet"}));
  bool has_db = false;
  for (const json& a : t["relationshipAttributeDefs"]) has_db = has_db || a["name"] == "db";
  EXPECT_TRUE(has_db);
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/entitydef/name/hive_column").Json()["name"], "hive_column");
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/relationshipdef/name/hive_table_columns").Json()["relationshipCategory"],
            "COMPOSITION");
  ExpectError(server_.Get("/api/atlas/v2/types/typedef/name/nope"), 404, "ATLAS-404-00-001");
  ExpectError(server_.Get("/api/atlas/v2/types/classificationdef/name/hive_table"), 404, "ATLAS-404-00-001");
  json all = server_.Get("/api/atlas/v2/types/typedefs?type=classification").Json();
  EXPECT_TRUE(all["entityDefs"].empty());
  json headers = server_.Get("/api/atlas/v2/types/typedefs/headers?excludeInternalTypesAndReferences=true").Json();
  for (const json& h : headers) EXPECT_NE(h["name"].get<std::string>()[0], '_');
  std::string guid = t["guid"];
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedef/guid/" + guid).Json()["name"], "hive_table");
}

TEST_F(ServerTest, TypedefLifecycle) {
  json pii = {{"classificationDefs", {{{"name", "PII"}, {"description", "personal data"}}}}};
  HttpResult created = server_.Post("/api/atlas/v2/types/typedefs", pii);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Json()["classificationDefs"][0]["name"], "PII");
  ExpectError(server_.Post("/api/atlas/v2/types/typedefs", pii), 409, "ATLAS-409-00-001");
  pii["classificationDefs"][0]["description"] = "personally identifiable";
  HttpResult updated = server_.Put("/api/atlas/v2/types/typedefs", pii);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedef/name/PII").Json()["description"], "personally identifiable");
  json bad = {{"entityDefs", {{{"name", "broken"}, {"superTypes", {"NoSuchType"}}}}}};
  EXPECT_EQ(server_.Post("/api/atlas/v2/types/typedefs", bad).status, 400);
  EXPECT_EQ(server_.Delete("/api/atlas/v2/types/typedef/name/PII").status, 204);
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedef/name/PII").status, 404);
}

TEST_F(ServerTest, TutorialBulkCreateAndReadBothWays) {
  json r = LoadTutorial();
  EXPECT_EQ(r["mutatedEntities"]["CREATE"].size(), 26u);
  EXPECT_TRUE(r["guidAssignments"].contains("-1"));
  std::string table = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  HttpResult byGuid = server_.Get("/api/atlas/v2/entity/guid/" + table);
  ASSERT_EQ(byGuid.status, 200);
  json e = byGuid.Json()["entity"];
  EXPECT_EQ(e["status"], "ACTIVE");
  EXPECT_EQ(e["createdBy"], "admin");
  EXPECT_TRUE(e["createTime"].is_number());
  EXPECT_EQ(e["relationshipAttributes"]["db"]["typeName"], "hive_db");
  EXPECT_EQ(e["relationshipAttributes"]["columns"].size(), 7u);
  EXPECT_EQ(byGuid.Json()["referredEntities"].size(), 7u);
  json min = server_.Get("/api/atlas/v2/entity/guid/" + table + "?minExtInfo=true&ignoreRelationships=true").Json();
  EXPECT_FALSE(min["entity"].contains("relationshipAttributes"));
  std::string db = GuidOf("hive_db", "atlas_emr@primary");
  json dbe = server_.Get("/api/atlas/v2/entity/guid/" + db).Json()["entity"];
  EXPECT_EQ(dbe["relationshipAttributes"]["tables"].size(), 3u);
  json header = server_.Get("/api/atlas/v2/entity/guid/" + table + "/header").Json();
  EXPECT_EQ(header["displayText"], "trip_details");
  EXPECT_EQ(header["attributes"]["description"], "");  // missing header attributes are ""
  json bulk = server_.Get("/api/atlas/v2/entity/bulk?guid=" + table + "&guid=" + db).Json();
  EXPECT_EQ(bulk["entities"].size(), 2u);
  json byUnique = server_.Get("/api/atlas/v2/entity/bulk/uniqueAttribute/type/hive_table?attr_0:qualifiedName=" +
                              UrlEncode("atlas_emr.trip_details@primary") + "&attr_1:qualifiedName=" +
                              UrlEncode("atlas_emr.trip_zone_lookup@primary")).Json();
  EXPECT_EQ(byUnique["entities"].size(), 2u);
  // Lookup by a super-type finds sub-types.
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/DataSet?attr:qualifiedName=" +
                        UrlEncode("atlas_emr.trip_details@primary")).status, 200);
}

TEST_F(ServerTest, UpdatesPartialUpdatesAndAudit) {
  LoadTutorial();
  std::string table = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  HttpResult p = server_.Put("/api/atlas/v2/entity/guid/" + table + "?name=description", "Taxi trips");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.Json()["mutatedEntities"]["PARTIAL_UPDATE"][0]["guid"], table);
  json upd = {{"entity", {{"attributes", {{"owner", "etl"}}}}}};
  ASSERT_EQ(server_.Put("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                        UrlEncode("atlas_emr.trip_details@primary"), upd).status, 200);
  json e = server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"];
  EXPECT_EQ(e["attributes"]["description"], "Taxi trips");
  EXPECT_EQ(e["attributes"]["owner"], "etl");
  EXPECT_EQ(e["version"], 2);
  json audit = server_.Get("/api/atlas/v2/entity/" + table + "/audit").Json();
  ASSERT_GE(audit.size(), 3u);
  EXPECT_EQ(audit[audit.size() - 1]["action"], "ENTITY_CREATE");
  EXPECT_EQ(audit[0]["action"], "ENTITY_UPDATE");
  EXPECT_EQ(audit[0]["user"], "admin");
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/" + table + "/audit?auditAction=ENTITY_CREATE").Json().size(), 1u);
}

TEST_F(ServerTest, ClassificationsLabelsAndRelationships) {
  LoadTutorial();
  ASSERT_EQ(server_.Post("/api/atlas/v2/types/typedefs", {{"classificationDefs", {{{"name", "PII"}}}}}).status, 200);
  std::string table = GuidOf("hive_table", "atlas_emr.trip_zone_lookup@primary");
  json tag = json::array({{{"typeName", "PII"}, {"propagate", true}}});
  EXPECT_EQ(server_.Post("/api/atlas/v2/entity/guid/" + table + "/classifications", tag).status, 204);
  ExpectError(server_.Post("/api/atlas/v2/entity/guid/" + table + "/classifications", tag), 400, "ATLAS-400-00-01B");
  json list = server_.Get("/api/atlas/v2/entity/guid/" + table + "/classifications").Json();
  EXPECT_EQ(list["list"][0]["typeName"], "PII");
  EXPECT_EQ(list["totalCount"], 1);
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + table + "/classification/PII").status, 200);
  EXPECT_EQ(server_.Delete("/api/atlas/v2/entity/guid/" + table + "/classification/PII").status, 204);
  ExpectError(server_.Delete("/api/atlas/v2/entity/guid/" + table + "/classification/PII"), 404, "ATLAS-404-00-008");
  std::string other = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  json bulk = {{"classification", {{"typeName", "PII"}}}, {"entityGuids", {table, other}}};
  EXPECT_EQ(server_.Post("/api/atlas/v2/entity/bulk/classification", bulk).status, 204);
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + other + "/header").Json()["classificationNames"],
            json::array({"PII"}));
  EXPECT_EQ(server_.Post("/api/atlas/v2/entity/uniqueAttribute/type/hive_db/classifications?attr:qualifiedName=" +
                         UrlEncode("atlas_emr@primary"), json::array({{{"typeName", "PII"}}})).status, 204);
  // Labels: POST replaces, PUT adds, DELETE removes.
  EXPECT_EQ(server_.Post("/api/atlas/v2/entity/guid/" + table + "/labels", json::array({"gold", "taxi"})).status, 204);
  EXPECT_EQ(server_.Delete("/api/atlas/v2/entity/guid/" + table + "/labels", "[\"taxi\"]").status, 204);
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"]["labels"], json::array({"gold"}));
  // Relationship API.
  std::string db = GuidOf("hive_db", "atlas_emr@primary");
  json rel = server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"]["relationshipAttributes"]["db"];
  std::string rel_guid = rel["relationshipGuid"];
  json got = server_.Get("/api/atlas/v2/relationship/guid/" + rel_guid + "?extendedInfo=true").Json();
  EXPECT_EQ(got["relationship"]["typeName"], "hive_table_db");
  EXPECT_EQ(got["relationship"]["end2"]["guid"], db);
  EXPECT_EQ(got["referredEntities"].size(), 2u);
  json dup = {{"typeName", "hive_table_db"}, {"end1", {{"guid", table}}}, {"end2", {{"guid", db}}}};
  ExpectError(server_.Post("/api/atlas/v2/relationship", dup), 409, "ATLAS-409-00-004");
  EXPECT_EQ(server_.Delete("/api/atlas/v2/relationship/guid/" + rel_guid).status, 204);
  EXPECT_FALSE(server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"]["relationshipAttributes"].contains("db"));
  HttpResult again = server_.Post("/api/atlas/v2/relationship", dup);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["status"], "ACTIVE");
}

TEST_F(ServerTest, DeletePurgeAndQuirks) {
  LoadTutorial();
  std::string table = GuidOf("hive_table", "atlas_emr.trip_zone_lookup@primary");
  HttpResult d = server_.Delete("/api/atlas/v2/entity/guid/" + table);
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.Json()["mutatedEntities"]["DELETE"].size(), 5u);  // table + its 4 columns
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"]["status"], "DELETED");
  ExpectError(server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                          UrlEncode("atlas_emr.trip_zone_lookup@primary")), 404, "ATLAS-404-00-009");
  HttpResult unknown = server_.Delete("/api/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(unknown.Json(), json::object());
  HttpResult purge = server_.Put("/api/atlas/admin/purge", json::array({table}));
  ASSERT_EQ(purge.status, 200) << purge.body;
  EXPECT_EQ(purge.Json()["mutatedEntities"]["PURGE"].size(), 1u);
  ExpectError(server_.Get("/api/atlas/v2/entity/guid/" + table), 404, "ATLAS-404-00-005");
  std::string t2 = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  EXPECT_EQ(server_.Delete("/api/atlas/v2/entity/bulk?guid=" + t2).Json()["mutatedEntities"]["DELETE"].size(), 8u);
}

TEST_F(ServerTest, BadInputGetsAtlasErrorsAndTheServerKeepsServing) {
  const std::string url = "/api/atlas/v2/entity";
  ExpectError(Request(server_.port(), "POST", url, "{not json"), 400, "ATLAS-400-00-01A");
  ExpectError(server_.Post(url, {{"entity", {{"typeName", "nope"}, {"attributes", json::object()}}}}), 400,
              "ATLAS-400-00-00A");
  ExpectError(server_.Post(url, {{"entity", {{"typeName", "hive_table"}, {"attributes", {{"name", "x"}}}}}}), 400,
              "ATLAS-400-00-02B");
  ExpectError(server_.Post(url, {{"entity", {{"typeName", "hive_table"},
                                             {"attributes", {{"qualifiedName", "a@b"}, {"name", "a"}, {"retention", "x"}}}}}}),
              400, "ATLAS-400-00-01A");
  // As in Atlas, an attribute the type does not define is ignored, not refused.
  HttpResult bogus = server_.Post(url, {{"entity", {{"typeName", "hive_table"},
                                                    {"attributes", {{"qualifiedName", "a@b"}, {"name", "a"}, {"bogus", 1}}}}}});
  ASSERT_EQ(bogus.status, 200) << bogus.body;
  EXPECT_FALSE(server_.Get("/api/atlas/v2/entity/guid/" + bogus.Json()["mutatedEntities"]["CREATE"][0]["guid"].get<std::string>())
                   .Json()["entity"]["attributes"].contains("bogus"));
  ExpectError(server_.Post(url, {{"entity", {{"typeName", "hive_table"},
                                             {"attributes", {{"qualifiedName", "a@b"}, {"name", "a"},
                                                             {"db", {{"guid", "11111111-1111-1111-1111-111111111111"}}}}}}}}),
              404, "ATLAS-404-00-005");
  // Two new entities claiming one qualifiedName in different sub-types of DataSet is fine; the same type is a conflict.
  json two = {{"entities", {{{"typeName", "hive_table"}, {"guid", "-1"}, {"attributes", {{"qualifiedName", "dup@p"}, {"name", "a"}}}},
                            {{"typeName", "hive_column"}, {"guid", "-2"}, {"attributes", {{"qualifiedName", "dup@p"}, {"name", "b"}, {"type", "int"}}}}}}};
  EXPECT_EQ(server_.Post("/api/atlas/v2/entity/bulk", two).status, 200);
  LoadTutorial();
  std::string t1 = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  json rename = {{"entity", {{"typeName", "hive_table"}, {"guid", t1},
                             {"attributes", {{"qualifiedName", "atlas_emr.trip_zone_lookup@primary"}, {"name", "x"}}}}}};
  ExpectError(server_.Post(url, rename), 409, "ATLAS-409-00-011");
  ExpectError(server_.Get("/api/atlas/v2/entity/guid/does-not-exist"), 404, "ATLAS-404-00-005");
  // Setting one attribute by name is strict in Atlas: an attribute the type does not define is refused.
  ExpectError(server_.Put("/api/atlas/v2/entity/guid/" + t1 + "?name=bogus", "x"), 400, "ATLAS-400-00-023");
  ExpectError(server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/nope?attr:qualifiedName=x"), 400, "ATLAS-400-00-014");
  EXPECT_EQ(server_.Get("/api/atlas/v2/no/such/api").status, 404);
  // Still serving, and nothing half-written.
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + t1).Json()["entity"]["attributes"]["name"], "trip_details");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  std::string huge(70u << 20, 'x');
  HttpResult r = Request(server_.port(), "POST", "/api/atlas/v2/entity/bulk", huge);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(server_.Get("/api/atlas/admin/status", "").status, 200);
}

TEST_F(ServerTest, ReadOnlyUsersGet403OnWrites) {
  server_.Stop();
  std::string cmd = "MERIDIAN_PASSWORD=reader-pw " + TestServer::Binary() + " passwd reader --role DATA_SCIENTIST --data-dir " +
                    server_.data_dir() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedef/name/hive_db", "reader:reader-pw").status, 200);
  HttpResult w = server_.Post("/api/atlas/v2/entity/bulk", Fixture("tutorial_catalog.json"), "reader:reader-pw");
  EXPECT_EQ(w.status, 403);
  EXPECT_EQ(w.Json()["errorCode"], "ATLAS-403-00-001");
}

TEST_F(ServerTest, BrowserSessionLoginNeedsCsrfHeaderForWrites) {
  HttpResult bad = Request(server_.port(), "POST", "/j_spring_security_check", "j_username=admin&j_password=nope", "",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(bad.status, 401);
  HttpResult login = Request(server_.port(), "POST", "/j_spring_security_check", "j_username=admin&j_password=admin", "",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(login.status, 200);
  std::string cookie = login.headers["set-cookie"];
  ASSERT_NE(cookie.find("HttpOnly"), std::string::npos);
  cookie = cookie.substr(0, cookie.find(';'));
  json session = Request(server_.port(), "GET", "/api/atlas/admin/session", "", "", {{"Cookie", cookie}}).Json();
  EXPECT_EQ(session["userName"], "admin");
  std::string csrf = session["_csrfToken"];
  std::string body = Fixture("tutorial_catalog.json").dump();
  EXPECT_EQ(Request(server_.port(), "POST", "/api/atlas/v2/entity/bulk", body, "", {{"Cookie", cookie}}).status, 400);
  EXPECT_EQ(Request(server_.port(), "POST", "/api/atlas/v2/entity/bulk", body, "",
                    {{"Cookie", cookie}, {"X-XSRF-HEADER", csrf}}).status, 200);
  Request(server_.port(), "GET", "/logout.html", "", "", {{"Cookie", cookie}});
  EXPECT_EQ(Request(server_.port(), "GET", "/api/atlas/admin/session", "", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(ServerTest, EverythingSurvivesRestartAndKill9) {
  LoadTutorial();
  std::string table = GuidOf("hive_table", "atlas_emr.trip_details@primary");
  server_.Stop();
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + table).Json()["entity"]["relationshipAttributes"]["columns"].size(), 7u);
  // Acknowledged writes right before kill -9 are kept.
  ASSERT_EQ(server_.Post("/api/atlas/v2/types/typedefs", {{"classificationDefs", {{{"name", "Sensitive"}}}}}).status, 200);
  json last = {{"entity", {{"typeName", "hive_table"},
                           {"attributes", {{"qualifiedName", "atlas_emr.after_kill@primary"}, {"name", "after_kill"}}}}}};
  ASSERT_EQ(server_.Post("/api/atlas/v2/entity", last).status, 200);
  server_.Kill9();
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                        UrlEncode("atlas_emr.after_kill@primary")).status, 200);
  EXPECT_EQ(server_.Get("/api/atlas/v2/types/typedef/name/Sensitive").status, 200);
  EXPECT_EQ(server_.Get("/api/atlas/v2/entity/guid/" + table).status, 200);
}

TEST_F(ServerTest, MetricsCountEntitiesByType) {
  LoadTutorial();
  json m = server_.Get("/api/atlas/admin/metrics").Json();
  EXPECT_EQ(m["data"]["entity"]["entityActive"]["hive_table"], 3);
  EXPECT_EQ(m["data"]["entity"]["entityActive"]["hive_column"], 22);
}

TEST_F(ServerTest, SqlLineageRecordsProcessAndColumnLineage) {
  LoadTutorial();
  std::string script =
      "create table trip_details_by_zone as select * from trip_details join trip_zone_lookup on LocationID = location_id;\n"
      "select broken from;";
  HttpResult r = Request(server_.port(), "POST", "/api/meridian/v1/lineage/sql?defaultDb=atlas_emr", script,
                         "admin:admin", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  ASSERT_EQ(j["statements"].size(), 1u);
  EXPECT_EQ(j["statements"][0]["operation"], "CREATETABLE_AS_SELECT");
  EXPECT_EQ(j["statements"][0]["processQualifiedName"], "atlas_emr.trip_details_by_zone@primary:1700000000000");
  ASSERT_EQ(j["issues"].size(), 1u);
  EXPECT_EQ(j["issues"][0]["line"], 2);
  // The column lineage of location_id leads back to trip_details.location_id.
  json cl = server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_column_lineage?attr:qualifiedName=" +
                        UrlEncode("atlas_emr.trip_details_by_zone@primary:1700000000000:location_id")).Json();
  ASSERT_TRUE(cl.contains("entity")) << cl.dump();
  EXPECT_EQ(cl["entity"]["attributes"]["depenendencyType"], "SIMPLE");
  EXPECT_EQ(cl["entity"]["relationshipAttributes"]["inputs"][0]["qualifiedName"],
            "atlas_emr.trip_details.location_id@primary");
  // The imported target table keeps its own attributes.
  json target = server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                            UrlEncode("atlas_emr.trip_details_by_zone@primary")).Json();
  EXPECT_EQ(target["entity"]["attributes"]["tableType"], "MANAGED_TABLE");
  EXPECT_EQ(target["entity"]["version"], 0);
  // Running the same statement again records one more execution of the same process, nothing else.
  json again = Request(server_.port(), "POST", "/api/meridian/v1/lineage/sql?defaultDb=atlas_emr", script,
                       "admin:admin", {{"Content-Type", "text/plain"}}).Json();
  ASSERT_EQ(again["mutatedEntities"]["CREATE"].size(), 1u) << again.dump();
  EXPECT_EQ(again["mutatedEntities"]["CREATE"][0]["typeName"], "hive_process_execution");
}

TEST_F(ServerTest, WebRootAnswersWithoutTheUiBuilt) {
  HttpResult r = Request(server_.port(), "GET", "/", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Request(server_.port(), "GET", "/../etc/passwd", "", "").status >= 400, true);
}

TEST(StaticUi, ServesOnlyTheBundleWithCacheHeaders) {
  char tmpl[] = "/tmp/meridian-ui-XXXXXX";
  std::string ui = mkdtemp(tmpl);
  std::filesystem::create_directories(ui + "/assets");
  std::ofstream(ui + "/index.html") << "<!doctype html><title>UI</title>";
  std::ofstream(ui + "/assets/app-1a2b3c.js") << "console.log(1)";
  std::ofstream(ui + "/Makefile") << "secret: build file";
  TestServer server({"--ui-dir", ui});
  ASSERT_TRUE(server.Start());
  HttpResult index = Request(server.port(), "GET", "/", "", "");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.headers["content-type"].find("text/html"), std::string::npos);
  EXPECT_EQ(index.headers["cache-control"], "no-cache");
  HttpResult js = Request(server.port(), "GET", "/assets/app-1a2b3c.js", "", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.headers["content-type"].find("javascript"), std::string::npos);
  EXPECT_NE(js.headers["cache-control"].find("immutable"), std::string::npos);
  EXPECT_EQ(Request(server.port(), "GET", "/Makefile", "", "").body.find("secret"), std::string::npos);
  EXPECT_GE(Request(server.port(), "GET", "/assets/../Makefile", "", "").status, 400);
  EXPECT_EQ(Request(server.port(), "GET", "/login.jsp", "", "").body, index.body);
  EXPECT_EQ(Request(server.port(), "GET", "/assets/missing.js", "", "").status, 404);
  server.Stop();
  std::filesystem::remove_all(ui);
}

}  // namespace
}  // namespace meridian::testing
