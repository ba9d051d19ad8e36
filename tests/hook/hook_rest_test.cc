// Atlas hook messages over REST (POST /api/atlas/v2/notification/topic/{topic}) against the real
// server: the Hive hook's messages for the Atlas-on-EMR tutorial, compared with import-hive +
// lineage-sql; V1 messages; failures that do not block; redelivery; topic and auth errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "hook_support.h"
#include "test_process.h"

namespace meridian::hook {
namespace {

using namespace meridian::hook::testing;  // NOLINT
using meridian::testing::HttpResult;
using meridian::testing::Request;

const char* kHookPath = "/api/atlas/v2/notification/topic/ATLAS_HOOK";

class HookRestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer();
    ASSERT_TRUE(server_->Start());
    server_->Stop();
    for (const auto& [user, role] : {std::pair{"reader", "DATA_SCIENTIST"}, std::pair{"steward", "DATA_STEWARD"}}) {
      std::string cmd = "MERIDIAN_PASSWORD=secret-pw " + TestServer::Binary() + " passwd " + user + " --role " + role +
                        " --data-dir " + server_->data_dir() + " > /dev/null";
      ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() { delete server_; }

  static HttpResult Post(const json& records, const std::string& auth = "admin:admin") {
    return server_->Post(kHookPath, records, auth);
  }

  static TestServer* server_;
};

TestServer* HookRestTest::server_ = nullptr;

// import-hive of the tutorial's metastore, then lineage-sql of its CTAS, on a server of their own:
// the lineage of trip_details_by_zone and of its location_id column.
std::pair<std::set<std::string>, std::set<std::string>> ReferenceLineage() {
  namespace it = meridian::importer::testing;
  TestServer reference;
  EXPECT_TRUE(reference.Start());
  it::ChildProcess standin({MERIDIAN_HMS_STANDIN, "--fixture", std::string(MERIDIAN_FIXTURES_DIR) + "/hms/atlas_emr.json",
                            "--port", "0"});
  std::string line = standin.WaitForLine("listening on", std::chrono::seconds(10));
  std::smatch m;
  EXPECT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)$"))) << line;
  const std::string url = "http://127.0.0.1:" + std::to_string(reference.port());
  auto import = it::RunCommand({TestServer::Binary(), "import-hive", "--metastore", "thrift://127.0.0.1:" + m[1].str(),
                                "-d", "atlas_emr", "--url", url},
                               {{"MERIDIAN_PASSWORD", "admin"}});
  EXPECT_EQ(import.exit_code, 0) << import.out << import.err;
  const std::string sql = reference.data_dir() + "/ctas.sql";
  std::ofstream(sql) << "create table trip_details_by_zone as select * from trip_details join trip_zone_lookup "
                        "on LocationID = location_id;\n";
  auto lineage = it::RunCommand({TestServer::Binary(), "lineage-sql", "--default-db", "atlas_emr", "--url", url, sql},
                                {{"MERIDIAN_PASSWORD", "admin"}});
  EXPECT_EQ(lineage.exit_code, 0) << lineage.out << lineage.err;
  return {DatasetEdges(reference.Get("/api/atlas/v2/lineage/uniqueAttribute/type/hive_table?attr:qualifiedName=" +
                                     UrlEncode("atlas_emr.trip_details_by_zone@primary") + "&direction=INPUT&depth=3")
                           .Json()),
          DatasetEdges(reference.Get("/api/atlas/v2/lineage/uniqueAttribute/type/hive_column?attr:qualifiedName=" +
                                     UrlEncode("atlas_emr.trip_details_by_zone.location_id@primary") +
                                     "&direction=INPUT&depth=3")
                           .Json())};
}

TEST_F(HookRestTest, TutorialHiveHookMessagesGiveTheSameLineageAsImportHiveAndLineageSql) {
  const json records = TutorialRecords();
  // Split (3 parts, out of order), plain and GZIP-compressed records.
  HttpResult r = Post(records["create"]);
  ASSERT_EQ(r.status, 204) << r.body;
  json stats = WaitApplied(*server_, 4);
  EXPECT_EQ(stats["failures"].size(), 0u) << stats.dump();

  json db = Entity(*server_, "hive_db", "atlas_emr@primary");
  ASSERT_FALSE(db.is_null());
  EXPECT_EQ(db["createdBy"], "hadoop");  // the hook's user
  json details = Entity(*server_, "hive_table", "atlas_emr.trip_details@primary");
  ASSERT_FALSE(details.is_null());
  EXPECT_EQ(details["attributes"]["tableType"], "EXTERNAL_TABLE");
  EXPECT_EQ(details["relationshipAttributes"]["columns"].size(), 7u);
  EXPECT_EQ(details["relationshipAttributes"]["db"]["guid"], db["guid"]);
  EXPECT_FALSE(Entity(*server_, "aws_s3_v2_directory", "s3://atlas-emr-demo/trip_details/@primary").is_null());
  json by_zone = Entity(*server_, "hive_table", "atlas_emr.trip_details_by_zone@primary");
  ASSERT_FALSE(by_zone.is_null());
  EXPECT_EQ(by_zone["relationshipAttributes"]["columns"].size(), 11u);
  json ctas = Entity(*server_, "hive_process", "atlas_emr.trip_details_by_zone@primary:1700000100000");
  ASSERT_FALSE(ctas.is_null());
  EXPECT_EQ(ctas["relationshipAttributes"]["inputs"].size(), 2u);
  EXPECT_EQ(ctas["relationshipAttributes"]["columnLineages"].size(), 11u);

  auto lineage = [&](const std::string& type, const std::string& qn) {
    return DatasetEdges(server_->Get("/api/atlas/v2/lineage/uniqueAttribute/type/" + type +
                                     "?attr:qualifiedName=" + UrlEncode(qn) + "&direction=INPUT&depth=3")
                            .Json());
  };
  const auto table_lineage = lineage("hive_table", "atlas_emr.trip_details_by_zone@primary");
  const auto column_lineage = lineage("hive_column", "atlas_emr.trip_details_by_zone.location_id@primary");
  EXPECT_TRUE(table_lineage.count("hive_table atlas_emr.trip_details@primary -> hive_table atlas_emr.trip_details_by_zone@primary"));
  EXPECT_TRUE(table_lineage.count(
      "aws_s3_v2_directory s3://atlas-emr-demo/trip_zone_lookup/@primary -> hive_table atlas_emr.trip_zone_lookup@primary"));
  auto [ref_table, ref_column] = ReferenceLineage();
  EXPECT_EQ(ref_table.size(), 4u);  // two tables -> CTAS, two S3 directories -> their tables
  EXPECT_EQ(table_lineage, ref_table);
  EXPECT_EQ(column_lineage, ref_column);
  EXPECT_EQ(column_lineage, (std::set<std::string>{"hive_column atlas_emr.trip_details.location_id@primary -> "
                                                   "hive_column atlas_emr.trip_details_by_zone.location_id@primary"}));

  // ALTER TABLE ... RENAME TO trip_zone_summary: same entity, new names, its columns follow.
  ASSERT_EQ(Post(records["rename"]).status, 204);
  stats = WaitApplied(*server_, 4 + 15);
  EXPECT_EQ(stats["failures"].size(), 0u) << stats.dump();
  EXPECT_TRUE(Entity(*server_, "hive_table", "atlas_emr.trip_details_by_zone@primary").is_null());
  json renamed = Entity(*server_, "hive_table", "atlas_emr.trip_zone_summary@primary");
  ASSERT_FALSE(renamed.is_null());
  EXPECT_EQ(renamed["guid"], by_zone["guid"]);
  EXPECT_EQ(renamed["attributes"]["name"], "trip_zone_summary");
  EXPECT_EQ(renamed["relationshipAttributes"]["columns"].size(), 11u);
  json col = Entity(*server_, "hive_column", "atlas_emr.trip_zone_summary.location_id@primary");
  ASSERT_FALSE(col.is_null());
  EXPECT_TRUE(Entity(*server_, "hive_column", "atlas_emr.trip_details_by_zone.location_id@primary").is_null());
  EXPECT_EQ(lineage("hive_column", "atlas_emr.trip_zone_summary.location_id@primary").size(), 1u);

  // DROP TABLE: the table and its columns are deleted.
  ASSERT_EQ(Post(records["drop"]).status, 204);
  WaitApplied(*server_, 4 + 15 + 1);
  json dropped = server_->Get("/api/atlas/v2/entity/guid/" + renamed["guid"].get<std::string>()).Json();
  EXPECT_EQ(dropped["entity"]["status"], "DELETED");
  EXPECT_EQ(server_->Get("/api/atlas/v2/entity/guid/" + col["guid"].get<std::string>()).Json()["entity"]["status"],
            "DELETED");

  // Redelivery of everything: recognised, nothing changes (the old table does not come back).
  const uint64_t applied_before = HookStats(*server_)["stats"]["applied"];
  for (const char* phase : {"create", "rename", "drop"}) ASSERT_EQ(Post(records[phase]).status, 204);
  stats = WaitApplied(*server_);
  EXPECT_EQ(stats["stats"]["applied"], applied_before);
  EXPECT_GE(stats["stats"]["duplicates"].get<uint64_t>(), 22u);
  EXPECT_TRUE(Entity(*server_, "hive_table", "atlas_emr.trip_details_by_zone@primary").is_null());
  EXPECT_EQ(server_->Get("/api/atlas/v2/entity/guid/" + renamed["guid"].get<std::string>()).Json()["entity"]["status"],
            "DELETED");
  json audit = server_->Get("/api/atlas/v2/entity/" + details["guid"].get<std::string>() + "/audit?count=100").Json();
  int creates = 0;
  for (const json& e : audit) creates += e["action"] == "ENTITY_CREATE";
  EXPECT_EQ(creates, 1);
}

json V1Reference(const std::string& type, const std::string& id, const json& values) {
  return {{"jsonClass", "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference"},
          {"id", {{"jsonClass", "org.apache.atlas.typesystem.json.InstanceSerialization$_Id"}, {"id", id},
                  {"version", 0}, {"typeName", type}, {"state", "ACTIVE"}}},
          {"typeName", type}, {"values", values}, {"traitNames", json::array()}, {"traits", json::object()},
          {"systemAttributes", json::object()}};
}

json V1Id(const std::string& type, const std::string& id) {
  return {{"jsonClass", "org.apache.atlas.typesystem.json.InstanceSerialization$_Id"}, {"id", id},
          {"version", 0}, {"typeName", type}, {"state", "ACTIVE"}};
}

json Envelope(const json& message) {
  return {{"version", {{"version", "1.0.0"}}}, {"msgCreatedBy", "sqoop"}, {"msgCreationTime", 1767225600000},
          {"msgCompressionKind", "NONE"}, {"msgSplitIdx", 1}, {"msgSplitCount", 1}, {"message", message}};
}

TEST_F(HookRestTest, V1MessagesCreateUpdateAndDelete) {
  // A V1 ENTITY_CREATE: a hive_db with a nested table Referenceable that refers back to it by $_Id.
  json table = V1Reference("hive_table", "-12", {{"qualifiedName", "v1db.orders@v1"}, {"name", "orders"},
                                                  {"createTime", "2026-01-01T00:00:00.000Z"},
                                                  {"db", V1Id("hive_db", "-11")}});
  json db = V1Reference("hive_db", "-11", {{"qualifiedName", "v1db@v1"}, {"name", "v1db"}, {"clusterName", "v1"}});
  json create = Envelope({{"type", "ENTITY_CREATE"}, {"user", "etl"}, {"entities", json::array({db, table})}});
  json partial = Envelope({{"type", "ENTITY_PARTIAL_UPDATE"}, {"user", "etl"}, {"typeName", "hive_table"},
                           {"attribute", "qualifiedName"}, {"attributeValue", "v1db.orders@v1"},
                           {"entity", V1Reference("hive_table", "-13", {{"description", "orders, by V1"}})}});
  // Sent as strings, as RestNotification does.
  ASSERT_EQ(Post(json::array({create.dump(), partial.dump()})).status, 204);
  WaitApplied(*server_);
  json t = Entity(*server_, "hive_table", "v1db.orders@v1");
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["attributes"]["description"], "orders, by V1");
  EXPECT_EQ(t["attributes"]["createTime"], 1767225600000);
  EXPECT_EQ(t["createdBy"], "etl");
  EXPECT_EQ(t["relationshipAttributes"]["db"]["guid"], Entity(*server_, "hive_db", "v1db@v1")["guid"]);

  json del = Envelope({{"type", "ENTITY_DELETE"}, {"user", "etl"}, {"typeName", "hive_table"},
                       {"attribute", "qualifiedName"}, {"attributeValue", "v1db.orders@v1"}});
  ASSERT_EQ(Post(json::array({del})).status, 204);
  WaitApplied(*server_);
  EXPECT_TRUE(Entity(*server_, "hive_table", "v1db.orders@v1").is_null());
  EXPECT_EQ(server_->Get("/api/atlas/v2/entity/guid/" + t["guid"].get<std::string>()).Json()["entity"]["status"],
            "DELETED");
}

TEST_F(HookRestTest, BadMessagesAreKeptWithTheirErrorAndDoNotBlockTheNextOnes) {
  const size_t failures_before = HookStats(*server_)["failures"].size();
  auto db = [](const std::string& name) {
    return Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"},
                     {"entities", {{"entities", json::array({{{"typeName", "hive_db"},
                                                               {"attributes", {{"qualifiedName", name + "@bad"},
                                                                               {"name", name},
                                                                               {"clusterName", "bad"}}}}})}}}});
  };
  json unknown_type = Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"},
                                {"entities", {{"entities", json::array({{{"typeName", "no_such_type"},
                                                                         {"attributes", json::object()}}})}}}});
  json missing = Envelope({{"type", "ENTITY_PARTIAL_UPDATE_V2"}, {"user", "etl"},
                           {"entityId", {{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "nope@bad"}}}}},
                           {"entity", {{"entity", {{"typeName", "hive_table"}, {"attributes", {{"name", "x"}}}}}}}});
  json newer = db("future");
  newer["version"]["version"] = "2.0.0";
  json bad_gzip = {{"version", {{"version", "1.0.0"}}}, {"msgCompressionKind", "GZIP"}, {"msgSplitIdx", 1},
                   {"msgSplitCount", 1}, {"message", "bm90IGd6aXA="}};
  json records = json::array({db("first"), "{not json", unknown_type, missing, newer, bad_gzip,
                              Envelope({{"type", "TYPE_CREATE"}, {"user", "etl"}}), db("last")});
  ASSERT_EQ(Post(records).status, 204);
  json stats = WaitApplied(*server_);
  EXPECT_FALSE(Entity(*server_, "hive_db", "first@bad").is_null());
  EXPECT_FALSE(Entity(*server_, "hive_db", "last@bad").is_null());
  EXPECT_TRUE(Entity(*server_, "hive_db", "future@bad").is_null());
  const json& failures = stats["failures"];
  ASSERT_EQ(failures.size(), failures_before + 6) << failures.dump(1);
  std::string errors;
  for (size_t i = failures_before; i < failures.size(); ++i) {
    errors += failures[i]["error"].get<std::string>() + "\n";
    EXPECT_EQ(failures[i]["source"], "rest");
    EXPECT_FALSE(failures[i]["message"].get<std::string>().empty());
  }
  for (const char* expected : {"JSON", "no_such_type", "nope@bad", "incompatible message version 2.0.0", "gzip",
                               "unsupported hook message type 'TYPE_CREATE'"})
    EXPECT_NE(errors.find(expected), std::string::npos) << expected << " in\n" << errors;
  // In order: the failures are listed oldest first, as the messages came.
  EXPECT_NE(failures[failures_before]["error"].get<std::string>().find("JSON"), std::string::npos);
}

TEST_F(HookRestTest, AnIncompleteSplitMessageWaitsWithoutBlockingTheOthers) {
  const json create = TutorialRecords()["create"];  // [1..3]: parts 2, 0, 1 of one message
  json part0 = json::parse(create[2].get<std::string>()), part1 = json::parse(create[3].get<std::string>()),
       part2 = json::parse(create[1].get<std::string>());
  for (json* p : {&part0, &part1, &part2}) (*p)["msgId"] = "split-wait-test_1";  // a message of its own
  auto db = Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"},
                      {"entities", {{"entities", json::array({{{"typeName", "hive_db"},
                                                               {"attributes", {{"qualifiedName", "after_split@wait"},
                                                                               {"name", "after_split"},
                                                                               {"clusterName", "wait"}}}}})}}}});
  const json before = HookStats(*server_)["stats"];
  ASSERT_EQ(Post(json::array({part0, part2, db})).status, 204);
  json stats = WaitApplied(*server_);
  EXPECT_FALSE(Entity(*server_, "hive_db", "after_split@wait").is_null());
  EXPECT_EQ(stats["stats"]["applied"], before["applied"].get<uint64_t>() + 1);  // the parts wait
  ASSERT_EQ(Post(json::array({part1})).status, 204);
  stats = WaitApplied(*server_);
  EXPECT_EQ(stats["stats"]["applied"], before["applied"].get<uint64_t>() + 2);  // joined and applied
  EXPECT_EQ(stats["stats"]["failed"], before["failed"]);
  EXPECT_FALSE(Entity(*server_, "hive_table", "atlas_emr.trip_details@primary").is_null());
}

TEST_F(HookRestTest, ReferencesToUnknownEntitiesCreateShellsThatALaterMessageCompletes) {
  // A query reading a table the hook never announced (created before the hook was installed).
  json process = {{"typeName", "hive_process"}, {"guid", "-1"},
                  {"attributes", {{"qualifiedName", "QUERY:shell.src@s->:INSERT:shell.dst@s"}, {"name", "q"},
                                  {"operationType", "QUERY"}, {"startTime", 1}, {"endTime", 2}, {"userName", "etl"},
                                  {"queryText", "insert into dst select * from src"}, {"queryId", "q1"},
                                  {"queryPlan", "Not Supported"}, {"recentQueries", json::array()},
                                  {"clusterName", "s"}}},
                  {"relationshipAttributes",
                   {{"inputs", json::array({{{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "shell.src@s"}}}}})},
                    {"outputs", json::array({{{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "shell.dst@s"}}}}})}}}};
  json query = Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"}, {"entities", {{"entities", json::array({process})}}}});
  ASSERT_EQ(Post(json::array({query})).status, 204);
  json stats = WaitApplied(*server_);
  json src = Entity(*server_, "hive_table", "shell.src@s");
  ASSERT_FALSE(src.is_null()) << stats.dump();
  EXPECT_EQ(src["isIncomplete"], true);
  EXPECT_EQ(src["attributes"]["qualifiedName"], "shell.src@s");
  EXPECT_FALSE(Entity(*server_, "hive_process", "QUERY:shell.src@s->:INSERT:shell.dst@s").is_null());

  json db = {{"typeName", "hive_db"}, {"guid", "-2"},
             {"attributes", {{"qualifiedName", "shell@s"}, {"name", "shell"}, {"clusterName", "s"}}}};
  json table = {{"typeName", "hive_table"}, {"guid", "-3"},
                {"attributes", {{"qualifiedName", "shell.src@s"}, {"name", "src"}, {"owner", "etl"}}},
                {"relationshipAttributes", {{"db", {{"guid", "-2"}, {"typeName", "hive_db"}}}}}};
  json full = Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"},
                        {"entities", {{"entities", json::array({table})}, {"referredEntities", {{"-2", db}}}}}});
  ASSERT_EQ(Post(json::array({full})).status, 204);
  WaitApplied(*server_);
  json completed = Entity(*server_, "hive_table", "shell.src@s");
  EXPECT_EQ(completed["guid"], src["guid"]);
  EXPECT_EQ(completed["isIncomplete"], false);
  EXPECT_EQ(completed["attributes"]["owner"], "etl");
}

TEST_F(HookRestTest, TopicBodyAndAuthErrors) {
  HttpResult r = server_->Post("/api/atlas/v2/notification/topic/NO_SUCH_TOPIC", json::array());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-0A7");
  EXPECT_NE(r.Json()["errorMessage"].get<std::string>().find("NO_SUCH_TOPIC"), std::string::npos);
  r = server_->Post(kHookPath, 42);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-01A");
  // One record as the whole body, as Atlas accepts it.
  r = server_->Post(kHookPath, Envelope({{"type", "ENTITY_CREATE_V2"}, {"user", "etl"},
                                         {"entities", {{"entities", json::array({{{"typeName", "hive_db"},
                                                                                  {"attributes", {{"qualifiedName", "single@one"},
                                                                                                  {"name", "single"},
                                                                                                  {"clusterName", "one"}}}}})}}}}));
  EXPECT_EQ(r.status, 204) << r.body;
  WaitApplied(*server_);
  EXPECT_FALSE(Entity(*server_, "hive_db", "single@one").is_null());
  EXPECT_EQ(server_->Post(kHookPath, json::array({42})).status, 400);
  EXPECT_EQ(Request(server_->port(), "POST", kHookPath, "[", "admin:admin").status, 400);
  // ATLAS_ENTITIES needs Kafka to publish to.
  EXPECT_EQ(server_->Post("/api/atlas/v2/notification/topic/ATLAS_ENTITIES", json::array({"{}"})).status, 503);

  EXPECT_EQ(Post(json::array(), "").status, 401);
  EXPECT_EQ(Post(json::array(), "admin:wrong").status, 401);
  r = Post(json::array(), "reader:secret-pw");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-403-00-001");
  EXPECT_EQ(Post(json::array(), "steward:secret-pw").status, 403);  // Atlas: admin only
  EXPECT_EQ(server_->Get("/api/meridian/v1/admin/hook/failures", "reader:secret-pw").status, 403);
  EXPECT_EQ(Post(json::array()).status, 204);
}

TEST_F(HookRestTest, CountersInPrometheusMetrics) {
  HttpResult r = server_->Get("/api/meridian/v1/metrics/prometheus");
  ASSERT_EQ(r.status, 200);
  for (const char* name : {"# TYPE meridian_hook_messages_applied_total counter", "meridian_hook_messages_received_total",
                           "meridian_hook_messages_failed_total", "meridian_hook_messages_pending",
                           "meridian_hook_apply_lag_p99_seconds"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace meridian::hook
