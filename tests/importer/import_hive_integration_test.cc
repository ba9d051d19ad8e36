// End-to-end: meridian-hms-standin serves a fixture, the real `meridian serve`
// runs on a free loopback port with a temporary data directory, and
// `meridian import-hive` moves the metadata across. Tests share one server and
// keep apart by using their own --cluster (so their own qualifiedNames).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "meridian/importer/hive_mapper.h"
#include "meridian/client/rest_client.h"
#include "test_process.h"
#include "test_server.h"

namespace meridian::importer {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using ::meridian::testing::TestServer;

const std::string kFixtureDir = MERIDIAN_HMS_FIXTURES;
const std::string kMeridian = TestServer::Binary();

class ImportHiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = new std::string(testing::MakeTempDir());
    server_ = new TestServer();
    ASSERT_TRUE(server_->Start()) << "server did not start";
  }

  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*data_dir_);
    delete data_dir_;
  }

  void TearDown() override { standin_.reset(); }

  static std::string Url() { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Starts (or restarts) the stand-in on `fixture`; returns its thrift URI.
  std::string StartStandin(const std::string& fixture) {
    standin_.reset();
    standin_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        MERIDIAN_HMS_STANDIN, "--fixture", fixture, "--port", "0"});
    const std::string line = standin_->WaitForLine("listening on", std::chrono::seconds(10));
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)$"))) << line;
    return "thrift://127.0.0.1:" + m[1].str();
  }

  static testing::CommandResult ImportHive(const std::string& metastore,
                                           std::vector<std::string> extra,
                                           const std::string& password = "admin") {
    std::vector<std::string> argv{kMeridian, "import-hive", "--metastore", metastore,
                                  "--url", Url()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::RunCommand(argv, {{"MERIDIAN_PASSWORD", password}});
  }

  // The entity with that qualifiedName, or null when there is none.
  static json Get(const std::string& type, const std::string& qn) {
    auto response = server_->Get("/api/atlas/v2/entity/uniqueAttribute/type/" + type +
                                 "?attr:qualifiedName=" + client::UrlEncode(qn));
    if (response.status == 404) return json();
    EXPECT_EQ(response.status, 200) << response.body;
    return response.Json()["entity"];
  }

  // atlas_emr.json with `edit` applied, written to a temp file.
  std::string EditedFixture(const std::function<void(json&)>& edit) {
    std::ifstream in(kFixtureDir + "/atlas_emr.json");
    json fixture = json::parse(in);
    edit(fixture);
    const std::string path = *data_dir_ + "/fixture-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                             ".json";
    std::ofstream(path) << fixture.dump();
    return path;
  }

  static json& TablesOf(json& fixture) { return fixture["databases"][0]["tables"]; }

  // The summary row "<kind>  created updated deleted failed" of an import's stdout.
  static std::vector<int> Row(const std::string& out, const std::string& kind) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("\\n" + kind + " +(\\d+) +(\\d+) +(\\d+) +(\\d+)"))) {
      return {};
    }
    return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
  }

  static std::string* data_dir_;
  static TestServer* server_;
  std::unique_ptr<testing::ChildProcess> standin_;
};

std::string* ImportHiveTest::data_dir_ = nullptr;
TestServer* ImportHiveTest::server_ = nullptr;

TEST_F(ImportHiveTest, TutorialImportThenReimportChangesNothing) {
  const std::string uri = StartStandin(kFixtureDir + "/atlas_emr.json");
  auto run = ImportHive(uri, {});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Row(run.out, "databases"), (std::vector<int>{1, 0, 0, 0})) << run.out;
  EXPECT_EQ(Row(run.out, "tables"), (std::vector<int>{3, 0, 0, 0})) << run.out;
  EXPECT_EQ(Row(run.out, "columns"), (std::vector<int>{22, 0, 0, 0})) << run.out;
  EXPECT_EQ(Row(run.out, "processes"), (std::vector<int>{2, 0, 0, 0})) << run.out;

  json db = Get("hive_db", "atlas_emr@primary");
  ASSERT_FALSE(db.is_null());
  EXPECT_EQ(db["attributes"]["clusterName"], "primary");
  EXPECT_EQ(db["attributes"]["owner"], "hadoop");

  json table = Get("hive_table", "atlas_emr.trip_details@primary");
  ASSERT_FALSE(table.is_null());
  EXPECT_EQ(table["attributes"]["name"], "trip_details");
  EXPECT_EQ(table["attributes"]["createTime"], 1700000001000);
  EXPECT_EQ(table["attributes"]["tableType"], "EXTERNAL_TABLE");
  EXPECT_EQ(table["attributes"]["comment"], "Yellow taxi trip details");
  const json& rel = table["relationshipAttributes"];
  EXPECT_EQ(rel["db"]["guid"], db["guid"]);
  EXPECT_EQ(rel["columns"].size(), 7u);
  EXPECT_EQ(rel["partitionKeys"].size(), 0u);

  for (const char* qn : {"atlas_emr.trip_zone_lookup@primary", "atlas_emr.trip_details_by_zone@primary"}) {
    EXPECT_FALSE(Get("hive_table", qn).is_null()) << qn;
  }
  for (const char* t : {"trip_details", "trip_zone_lookup", "trip_details_by_zone"}) {
    EXPECT_FALSE(Get("hive_storagedesc", std::string("atlas_emr.") + t + "@primary_storage").is_null())
        << t;
  }
  for (const char* c : {"atlas_emr.trip_details.vendor_id@primary",
                        "atlas_emr.trip_details.fare_amount@primary",
                        "atlas_emr.trip_zone_lookup.locationid@primary",
                        "atlas_emr.trip_details_by_zone.service_zone@primary"}) {
    EXPECT_FALSE(Get("hive_column", c).is_null()) << c;
  }
  json column = Get("hive_column", "atlas_emr.trip_zone_lookup.locationid@primary");
  EXPECT_EQ(column["attributes"]["name"], "LocationID");
  EXPECT_EQ(column["attributes"]["type"], "int");
  EXPECT_EQ(column["attributes"]["position"], 0);

  EXPECT_FALSE(Get("aws_s3_v2_bucket", "s3://atlas-emr-demo@primary").is_null());
  json dir = Get("aws_s3_v2_directory", "s3://atlas-emr-demo/trip_details/@primary");
  ASSERT_FALSE(dir.is_null());
  json process = Get("hive_process", "atlas_emr.trip_details@primary:1700000001000");
  ASSERT_FALSE(process.is_null());
  EXPECT_EQ(process["attributes"]["operationType"], "CREATETABLE");
  EXPECT_EQ(process["relationshipAttributes"]["inputs"][0]["guid"], dir["guid"]);
  EXPECT_EQ(process["relationshipAttributes"]["outputs"][0]["guid"], table["guid"]);
  EXPECT_FALSE(Get("hive_process", "atlas_emr.trip_zone_lookup@primary:1700000002000").is_null());
  EXPECT_TRUE(Get("hive_process", "atlas_emr.trip_details_by_zone@primary:1700000100000").is_null());

  // Second run: same entities, nothing created.
  auto again = ImportHive(uri, {});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  for (const char* kind : {"databases", "tables", "columns", "processes", "other"}) {
    auto row = Row(again.out, kind);
    ASSERT_EQ(row.size(), 4u) << again.out;
    EXPECT_EQ(row[0], 0) << kind << "\n" << again.out;
    EXPECT_EQ(row[3], 0) << kind << "\n" << again.out;
  }
  EXPECT_EQ(Get("hive_table", "atlas_emr.trip_details@primary")["guid"], table["guid"]);
}

TEST_F(ImportHiveTest, SelectionByDatabaseAndTablePattern) {
  const std::string uri = StartStandin(kFixtureDir + "/atlas_emr.json");
  auto run = ImportHive(uri, {"--cluster", "select", "-d", "atlas_emr", "-t", "trip_details.*"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details@select").is_null());
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details_by_zone@select").is_null());
  EXPECT_TRUE(Get("hive_table", "atlas_emr.trip_zone_lookup@select").is_null());
}

TEST_F(ImportHiveTest, SelectionFromFile) {
  const std::string file = *data_dir_ + "/selection.txt";
  std::ofstream(file) << "# tutorial lookup table only\natlas_emr:trip_zone_lookup\n\n";
  auto run = ImportHive(StartStandin(kFixtureDir + "/atlas_emr.json"),
                        {"--cluster", "fromfile", "-f", file});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_FALSE(Get("hive_db", "atlas_emr@fromfile").is_null());
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_zone_lookup@fromfile").is_null());
  EXPECT_TRUE(Get("hive_table", "atlas_emr.trip_details@fromfile").is_null());
}

TEST_F(ImportHiveTest, LineageSqlCommand) {
  auto run = ImportHive(StartStandin(kFixtureDir + "/atlas_emr.json"), {"--cluster", "lsql"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string file = *data_dir_ + "/ctas.sql";
  std::ofstream(file) << "-- the tutorial's CTAS\n"
                         "create table trip_summary as\n"
                         "select d.vendor_id, z.borough from trip_details d\n"
                         "join trip_zone_lookup z on d.location_id = z.LocationID;\n";
  auto sql = testing::RunCommand({kMeridian, "lineage-sql", "--url", Url(), "--cluster",
                                  "lsql", "--default-db", "atlas_emr", file},
                                 {{"MERIDIAN_PASSWORD", "admin"}});
  if (sql.err.find("has no SQL lineage endpoint") != std::string::npos) {
    GTEST_SKIP() << "server without /api/meridian/v1/lineage/sql";
  }
  EXPECT_EQ(sql.exit_code, 0) << sql.out << sql.err;
  EXPECT_TRUE(std::regex_search(sql.out, std::regex(":[12]: recorded \\S+ \\S+@lsql")))
      << sql.out << sql.err;
}

TEST_F(ImportHiveTest, DeleteNonExistingRemovesDroppedTables) {
  const std::string cluster = "deletes";
  auto run = ImportHive(StartStandin(kFixtureDir + "/atlas_emr.json"), {"--cluster", cluster});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_FALSE(Get("hive_table", "atlas_emr.trip_zone_lookup@" + cluster).is_null());

  const std::string fewer = EditedFixture([](json& f) {
    auto& tables = TablesOf(f);
    tables.erase(tables.begin() + 1);  // trip_zone_lookup
  });
  auto del = ImportHive(StartStandin(fewer), {"--cluster", cluster, "--delete-non-existing"});
  ASSERT_EQ(del.exit_code, 0) << del.out << del.err;
  EXPECT_NE(del.err.find("deleted hive_table atlas_emr.trip_zone_lookup@" + cluster),
            std::string::npos)
      << del.err;
  EXPECT_EQ(Row(del.out, "tables")[2], 1) << del.out;
  EXPECT_TRUE(Get("hive_table", "atlas_emr.trip_zone_lookup@" + cluster).is_null());
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details@" + cluster).is_null());
  EXPECT_FALSE(Get("hive_db", "atlas_emr@" + cluster).is_null());
  // The tutorial's own cluster is untouched.
  EXPECT_EQ(Get("hive_table", "atlas_emr.trip_zone_lookup@primary").is_null(),
            Get("hive_db", "atlas_emr@primary").is_null());
}

TEST_F(ImportHiveTest, DeleteNonExistingRemovesDroppedDatabase) {
  const std::string cluster = "dropdb";
  auto run = ImportHive(StartStandin(kFixtureDir + "/atlas_emr.json"), {"--cluster", cluster});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string empty = EditedFixture([](json& f) { f["databases"] = json::array(); });
  // Named with -d so that servers without basic search find the database too.
  auto del = ImportHive(StartStandin(empty),
                        {"--cluster", cluster, "--delete-non-existing", "-d", "atlas_emr"});
  ASSERT_EQ(del.exit_code, 0) << del.out << del.err;
  EXPECT_TRUE(Get("hive_db", "atlas_emr@" + cluster).is_null());
  EXPECT_TRUE(Get("hive_table", "atlas_emr.trip_details@" + cluster).is_null());
}

TEST_F(ImportHiveTest, MetastoreUnreachable) {
  auto run = ImportHive("thrift://127.0.0.1:" + std::to_string(testing::FreePort()), {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot reach the Hive metastore"), std::string::npos) << run.err;
}

TEST_F(ImportHiveTest, WrongPassword) {
  auto run = ImportHive(StartStandin(kFixtureDir + "/atlas_emr.json"), {"--cluster", "pw"}, "wrong");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("rejected the user name or password"), std::string::npos) << run.err;
  EXPECT_TRUE(Get("hive_db", "atlas_emr@pw").is_null());
}

TEST_F(ImportHiveTest, PasswordFile) {
  const std::string file = *data_dir_ + "/password";
  std::ofstream(file) << "admin\n";
  auto run = testing::RunCommand({kMeridian, "import-hive", "--metastore",
                                  StartStandin(kFixtureDir + "/atlas_emr.json"), "--url", Url(),
                                  "--cluster", "pwfile", "--password-file", file,
                                  "-t", "atlas_emr.trip_details"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details@pwfile").is_null());
}

TEST_F(ImportHiveTest, ServerUnreachable) {
  auto run = testing::RunCommand(
      {kMeridian, "import-hive", "--metastore", StartStandin(kFixtureDir + "/atlas_emr.json"),
       "--url", "http://127.0.0.1:" + std::to_string(testing::FreePort())},
      {{"MERIDIAN_PASSWORD", "admin"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("unreachable"), std::string::npos) << run.err;
}

TEST_F(ImportHiveTest, ServerRefusingATableIsNamedAndTheRestIsKept) {
  const std::string cluster = "refuse";
  const std::string broken = EditedFixture([](json& f) {
    json bad = TablesOf(f)[0];
    bad["tableName"] = "broken";
    bad["sd"]["cols"][0].erase("type");  // hive_column.type is required
    TablesOf(f).push_back(bad);
  });
  auto run = ImportHive(StartStandin(broken), {"--cluster", cluster});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("table 'atlas_emr.broken' refused by the server"), std::string::npos)
      << run.err;
  EXPECT_EQ(Row(run.out, "tables")[3], 1) << run.out;
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details@" + cluster).is_null());
  EXPECT_FALSE(Get("hive_table", "atlas_emr.trip_details_by_zone@" + cluster).is_null());
  EXPECT_TRUE(Get("hive_table", "atlas_emr.broken@" + cluster).is_null());

  // Fixed in the metastore: a re-run completes.
  const std::string fixed = EditedFixture([](json& f) {
    json good = TablesOf(f)[0];
    good["tableName"] = "broken";
    TablesOf(f).push_back(good);
  });
  auto rerun = ImportHive(StartStandin(fixed), {"--cluster", cluster});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_EQ(Row(rerun.out, "tables"), (std::vector<int>{1, 0, 0, 0})) << rerun.out;
  EXPECT_FALSE(Get("hive_table", "atlas_emr.broken@" + cluster).is_null());
}

TEST_F(ImportHiveTest, BadArguments) {
  auto run = testing::RunCommand({kMeridian, "import-hive", "--metastore",
                                  "thrift://127.0.0.1:1", "-t", "no_db"},
                                 {{"MERIDIAN_PASSWORD", "admin"}});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  run = testing::RunCommand({kMeridian, "import-hive"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  run = testing::RunCommand({kMeridian, "import-hive", "--metastore", "http://x:1"},
                            {{"MERIDIAN_PASSWORD", "admin"}});
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

TEST_F(ImportHiveTest, GeneratedFixtureWithViews) {
  const std::string big = *data_dir_ + "/generated.json";
  auto gen = testing::RunCommand({"/usr/bin/python3", MERIDIAN_GEN_FIXTURE, "--dbs", "2",
                                  "--tables", "10", "--columns", "4"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::ofstream(big) << gen.out;
  auto run = ImportHive(StartStandin(big), {"--cluster", "gen", "--batch-size", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Row(run.out, "tables")[0], 20) << run.out;
  json view = Get("hive_table", "bench_db_001.table_00004@gen");
  ASSERT_FALSE(view.is_null());
  EXPECT_EQ(view["attributes"]["tableType"], "VIRTUAL_VIEW");
  json partitioned = Get("hive_table", "bench_db_000.table_00003@gen");
  EXPECT_EQ(partitioned["relationshipAttributes"]["partitionKeys"].size(), 2u);
  EXPECT_FALSE(Get("hdfs_path", "hdfs://namenode:8020/data/bench_db_000/table_00001@gen").is_null());
  if (run.err.find("no SQL lineage endpoint") == std::string::npos) {
    // table_00004 is a view over table_00002.
    EXPECT_EQ(run.err.find("warning"), std::string::npos) << run.err;
    json process = Get("hive_process", "bench_db_001.table_00004@gen:" +
                                           std::to_string(view["attributes"]["createTime"].get<int64_t>()));
    ASSERT_FALSE(process.is_null());
    EXPECT_EQ(process["attributes"]["operationType"], "CREATEVIEW");
    EXPECT_EQ(process["relationshipAttributes"]["inputs"][0]["qualifiedName"],
              "bench_db_001.table_00002@gen");
  }
  auto again = ImportHive(StartStandin(big), {"--cluster", "gen", "--batch-size", "3"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  for (const char* kind : {"databases", "tables", "columns", "processes", "other"}) {
    EXPECT_EQ(Row(again.out, kind), (std::vector<int>{0, 0, 0, 0})) << kind << "\n" << again.out;
  }
}

// A server of its own that is stopped while an import runs, then restarted.
TEST(ImportHiveRecovery, ServerGoingAwayMidRunThenRerunCompletes) {
  const std::string dir = testing::MakeTempDir();
  TestServer server;
  ASSERT_TRUE(server.Start());

  auto gen = testing::RunCommand({"/usr/bin/python3", MERIDIAN_GEN_FIXTURE, "--dbs", "3",
                                  "--tables", "100", "--columns", "20"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::ofstream(dir + "/big.json") << gen.out;
  testing::ChildProcess standin(
      {MERIDIAN_HMS_STANDIN, "--fixture", dir + "/big.json", "--port", "0"});
  std::smatch m;
  const std::string line = standin.WaitForLine("listening on", std::chrono::seconds(10));
  ASSERT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)$"))) << line;
  const std::string metastore = "thrift://127.0.0.1:" + m[1].str();
  auto import = [&server, &metastore] {
    return std::vector<std::string>{kMeridian, "import-hive", "--metastore", metastore, "--url",
                                    "http://127.0.0.1:" + std::to_string(server.port()),
                                    "--batch-size", "5"};
  };
  const std::map<std::string, std::string> env{{"MERIDIAN_PASSWORD", "admin"}};

  testing::CommandResult first;
  std::thread run([&, argv = import()] { first = testing::RunCommand(argv, env); });
  // Stop the server once the second database is in, well before the end.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         server.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_db"
                    "?attr:qualifiedName=bench_db_001%40primary")
                 .status != 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.Stop();
  run.join();
  EXPECT_EQ(first.exit_code, 1) << first.out << first.err;
  EXPECT_NE(first.err.find("unreachable"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("run again to complete"), std::string::npos) << first.err;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(first.out, row, std::regex("\\ntables +(\\d+)"))) << first.out;
  const int created_first = std::stoi(row[1]);
  EXPECT_GT(created_first, 0);
  EXPECT_LT(created_first, 300);

  ASSERT_TRUE(server.Start());  // same data directory
  auto second = testing::RunCommand(import(), env);
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  ASSERT_TRUE(std::regex_search(second.out, row, std::regex("\\ntables +(\\d+)"))) << second.out;
  // A batch the server stored without answering is neither counted nor re-created.
  const int created = created_first + std::stoi(row[1]);
  EXPECT_LE(created, 300);
  EXPECT_GE(created, 295);
  EXPECT_EQ(server.Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table"
                       "?attr:qualifiedName=bench_db_002.table_00099%40primary")
                .status,
            200);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meridian::importer
