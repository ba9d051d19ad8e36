// /v2/search over the real `meridian serve`: the tutorial data, DSL shapes,
// read-your-writes, kill -9 recovery and `meridian reindex`.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

const std::string kSearch = "/api/atlas/v2/search";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> Names(const json& result) {
  std::set<std::string> out;
  for (const json& e : result.value("entities", json::array())) out.insert(e["attributes"].value("name", ""));
  return out;
}

json HiveDb(const std::string& name) {
  return {{"typeName", "hive_db"},
          {"attributes", {{"name", name}, {"qualifiedName", name + "@primary"}, {"clusterName", "primary"}}}};
}

class SearchServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>();
    dir_ = server_->data_dir();
    ASSERT_TRUE(server_->Start()) << ReadFile(dir_ + "/server.log");
  }
  void TearDown() override { server_.reset(); }
  void LoadTutorial() {
    for (const char* f : {"tutorial_catalog.json", "tutorial_lineage.json"}) {
      auto r = server_->Post("/api/atlas/v2/entity/bulk", Fixture(f));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  json Get(const std::string& target, int expect = 200) {
    auto r = server_->Get(target);
    EXPECT_EQ(r.status, expect) << target << ": " << r.body;
    return r.Json();
  }

  std::string dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(SearchServerTest, TutorialBasicSearch) {
  LoadTutorial();
  json r = Get(kSearch + "/basic?typeName=hive_table");
  EXPECT_EQ(r["approximateCount"], 3);
  EXPECT_EQ(Names(r), (std::set<std::string>{"trip_details", "trip_zone_lookup", "trip_details_by_zone"}));
  r = Get(kSearch + "/basic?typeName=hive_column&query=location_id");
  EXPECT_EQ(r["approximateCount"], 2);
  json body = {{"typeName", "hive_column"},
               {"excludeDeletedEntities", true},
               {"entityFilters",
                {{"condition", "AND"},
                 {"criterion",
                  {{{"attributeName", "name"}, {"operator", "="}, {"attributeValue", "location_id"}},
                   {{"attributeName", "qualifiedName"}, {"operator", "startsWith"},
                    {"attributeValue", "atlas_emr.trip_details."}}}}}}};
  auto p = server_->Post(kSearch + "/basic", body);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.Json()["approximateCount"], 1);
  EXPECT_EQ(p.Json()["entities"][0]["attributes"]["qualifiedName"], "atlas_emr.trip_details.location_id@primary");

  json none = Get(kSearch + "/basic?typeName=hive_table&query=absent_word");
  EXPECT_FALSE(none.contains("entities"));
  json err = Get(kSearch + "/basic?limit=5", 400);
  EXPECT_EQ(err["errorCode"], "ATLAS-400-00-047");
  auto noType = server_->Post(kSearch + "/basic", json{{"query", "trip"}, {"entityFilters", {{"attributeName", "name"},
                                                                                           {"operator", "="},
                                                                                           {"attributeValue", "x"}}}});
  EXPECT_EQ(noType.status, 400);

  json quick = Get(kSearch + "/quick?query=trip_details_by_zone&limit=5");
  EXPECT_TRUE(quick["aggregationMetrics"].contains("__typeName"));
  EXPECT_GT(quick["searchResults"]["approximateCount"].get<int>(), 0);
  auto quick_post = server_->Post(kSearch + "/quick", json{{"query", "borough"}, {"typeName", "hive_column"}});
  ASSERT_EQ(quick_post.status, 200);
  EXPECT_EQ(quick_post.Json()["searchResults"]["approximateCount"], 2);
  json sug = Get(kSearch + "/suggestions?prefixString=trip_z&fieldName=name");
  EXPECT_EQ(sug["suggestions"], json::array({"trip_zone_lookup"}));
  json attr = Get(kSearch + "/attribute?attrName=name&attrValuePrefix=trip_details&typeName=hive_table");
  EXPECT_EQ(attr["approximateCount"], 2);
  json ft = Get(kSearch + "/fulltext?query=borough");
  EXPECT_EQ(ft["queryType"], "FULL_TEXT");
  EXPECT_EQ(ft["fullTextResult"].size(), 3u);  // two columns and their column lineage

  std::string table_guid = Get(kSearch + "/basic?typeName=hive_table&query=trip_zone_lookup")["entities"][0]["guid"];
  json rel = Get(kSearch + "/relationship?guid=" + table_guid + "&relation=columns&sortBy=name&getApproximateCount=true");
  EXPECT_EQ(rel["approximateCount"], 4);
  EXPECT_EQ(rel["entities"][0]["attributes"]["name"], "borough");
}

#ifdef MERIDIAN_HAVE_DSL
TEST_F(SearchServerTest, TutorialDsl) {
  LoadTutorial();
  json r = Get(kSearch + "/dsl?query=" + UrlEncode("from hive_table where name = trip_details"));
  EXPECT_EQ(r["queryType"], "DSL");
  ASSERT_EQ(r["entities"].size(), 1u);
  EXPECT_EQ(r["entities"][0]["attributes"]["name"], "trip_details");
  EXPECT_TRUE(r["entities"][0].contains("classifications"));

  r = Get(kSearch + "/dsl?query=" + UrlEncode("from hive_column where name = 'location_id'"));
  std::set<std::string> qns;
  for (const json& e : r["entities"]) qns.insert(e["attributes"]["qualifiedName"]);
  EXPECT_EQ(qns, (std::set<std::string>{"atlas_emr.trip_details.location_id@primary",
                                        "atlas_emr.trip_details_by_zone.location_id@primary"}));

  r = Get(kSearch + "/dsl?query=" + UrlEncode("hive_table select count()"));
  EXPECT_FALSE(r.contains("queryType"));
  EXPECT_EQ(r["attributes"]["values"], json::array({json::array({3})}));

  r = Get(kSearch + "/dsl?typeName=hive_column&query=" + UrlEncode("where name = 'zone' select name, qualifiedName"));
  EXPECT_EQ(r["attributes"]["name"], json::array({"name", "qualifiedName"}));
  EXPECT_EQ(r["attributes"]["values"].size(), 2u);

  json bad = Get(kSearch + "/dsl?query=" + UrlEncode("from hive_table where"), 400);
  EXPECT_NE(bad["errorMessage"].get<std::string>().find("position"), std::string::npos) << bad.dump();
  json unknown = Get(kSearch + "/dsl?query=" + UrlEncode("from no_such_type"), 400);
  EXPECT_NE(unknown["errorMessage"].get<std::string>().find("no_such_type"), std::string::npos) << unknown.dump();
}
#endif

TEST_F(SearchServerTest, ReadYourWrites) {
  for (int i = 0; i < 30; ++i) {
    std::string name = "ryw_" + std::to_string(i);
    auto w = server_->Post("/api/atlas/v2/entity", json{{"entity", HiveDb(name)}});
    ASSERT_EQ(w.status, 200) << w.body;
    json r = Get(kSearch + "/basic?typeName=hive_db&query=" + name);
    EXPECT_EQ(r["approximateCount"], 1) << name;
  }
}

// kill -9 while entities stream in; after a restart every acknowledged entity
// is searchable and the index holds exactly what the store holds.
TEST_F(SearchServerTest, KillNineRecovery) {
  std::mutex mu;
  std::set<std::string> acked, inflight;
  std::atomic<bool> stop{false};
  const int port = server_->port();
  std::thread writer([&] {
    for (int batch = 0; !stop; ++batch) {
      json entities = json::array();
      std::vector<std::string> names;
      for (int i = 0; i < 40; ++i) {
        names.push_back("k9_" + std::to_string(batch) + "_" + std::to_string(i));
        entities.push_back(HiveDb(names.back()));
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        inflight = std::set<std::string>(names.begin(), names.end());
      }
      auto r = Request(port, "POST", "/api/atlas/v2/entity/bulk", json{{"entities", entities}}.dump());
      if (r.status != 200) return;
      std::lock_guard<std::mutex> lock(mu);
      acked.insert(names.begin(), names.end());
      inflight.clear();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  server_->Kill9();
  stop = true;
  writer.join();
  ASSERT_GT(acked.size(), 0u);

  ASSERT_TRUE(server_->Start()) << ReadFile(dir_ + "/server.log");
  std::set<std::string> found;
  size_t total = 0;
  for (size_t offset = 0;; offset += 10000) {
    json r = Get(kSearch + "/basic?typeName=hive_db&limit=10000&offset=" + std::to_string(offset));
    total = r.value("approximateCount", size_t{0});
    std::set<std::string> page = Names(r);
    found.insert(page.begin(), page.end());
    if (page.size() < 10000) break;
  }
  EXPECT_EQ(total, found.size());
  for (const auto& n : acked) EXPECT_TRUE(found.count(n)) << "acknowledged but not searchable: " << n;
  for (const auto& n : found) EXPECT_TRUE(acked.count(n) || inflight.count(n)) << "never written: " << n;
  // The batch in flight at the kill is in the index exactly when it is in the store.
  for (const auto& n : inflight) {
    int status = server_->Get("/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=" + n +
                              "@primary").status;
    EXPECT_EQ(status == 200, found.count(n) == 1) << n;
  }
}

TEST_F(SearchServerTest, Reindex) {
  LoadTutorial();
  json before = Get(kSearch + "/basic?typeName=_ALL_ENTITY_TYPES&limit=1");
  server_->Stop();
  std::string cmd = TestServer::Binary() + " reindex --data-dir " + dir_ + " > " + dir_ + "/reindex.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_ + "/reindex.log");
  EXPECT_NE(ReadFile(dir_ + "/reindex.log").find("reindexed 38 entities"), std::string::npos)
      << ReadFile(dir_ + "/reindex.log");
  ASSERT_TRUE(server_->Start());
  json after = Get(kSearch + "/basic?typeName=_ALL_ENTITY_TYPES&limit=1");
  EXPECT_EQ(after["approximateCount"], before["approximateCount"]);
  EXPECT_EQ(Get(kSearch + "/basic?typeName=hive_table")["approximateCount"], 3);
  // A lost index directory is rebuilt at start-up.
  server_->Stop();
  std::filesystem::remove_all(dir_ + "/index");
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Get(kSearch + "/basic?typeName=hive_column&query=borough")["approximateCount"], 2);
}

}  // namespace
}  // namespace meridian::testing
