// /v2/search over the real `meridian serve`: the tutorial data, DSL shapes,
// read-your-writes, kill -9 recovery and `meridian reindex`.
#include <atomic>
#include <chrono>
#include <map>
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

// Glossary assignments (the `meanings` relationships) are searchable by termName.
TEST_F(SearchServerTest, TermName) {
  LoadTutorial();
  auto glossary = server_->Post("/api/atlas/v2/glossary", json{{"name", "Taxi"}});
  ASSERT_EQ(glossary.status, 200) << glossary.body;
  auto term = server_->Post("/api/atlas/v2/glossary/term",
                            json{{"name", "Trip"}, {"anchor", {{"glossaryGuid", glossary.Json()["guid"]}}}});
  ASSERT_EQ(term.status, 200) << term.body;
  std::string table = Get(kSearch + "/basic?typeName=hive_table&query=trip_zone_lookup")["entities"][0]["guid"];
  auto assign = server_->Post("/api/atlas/v2/glossary/terms/" + term.Json()["guid"].get<std::string>() +
                                  "/assignedEntities",
                              json::array({{{"guid", table}}}));
  ASSERT_EQ(assign.status / 100, 2) << assign.body;
  json r = Get(kSearch + "/basic?termName=" + UrlEncode("Trip@Taxi"));
  ASSERT_EQ(r.value("approximateCount", 0), 1) << r.dump();
  EXPECT_EQ(r["entities"][0]["guid"], table);
  EXPECT_EQ(Get(kSearch + "/basic?typeName=hive_table&termName=Trip")["approximateCount"], 1);
  EXPECT_EQ(Get(kSearch + "/basic?termName=Other@Taxi")["approximateCount"], 0);
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

// Atlas's DSL semantics over the real catalog view: distinct results under super-types,
// unset primitives read as defaults (and GET shows them), traversal through stored
// relationships, hasTerm through glossary assignments, aliases, character classes, headers
// and Atlas's errors.
TEST_F(SearchServerTest, DslAtlasSemantics) {
  LoadTutorial();
  auto dsl = [&](const std::string& query, int expect = 200) {
    return Get(kSearch + "/dsl?query=" + UrlEncode(query), expect);
  };
  auto count = [&](const std::string& query) -> json {
    json r = dsl(query);
    return r.contains("attributes") ? r["attributes"]["values"][0][0] : json(0);
  };
  auto guids = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const json& e : dsl(query).value("entities", json::array())) out.push_back(e["guid"]);
    return out;
  };

  // Distinct entities, filters kept under super-types.
  EXPECT_EQ(guids("DataSet where name = \"trip_details\"").size(), 1u);
  EXPECT_EQ(guids("Asset where name = 'zone'").size(), 2u);
  EXPECT_EQ(guids("Referenceable where qualifiedName = \"atlas_emr@primary\"").size(), 1u);
  EXPECT_EQ(count("Asset where name = 'zone' select count()"), 2);

  // Unset primitives: the tutorial tables never set retention or lastAccessTime.
  std::string table = Get(kSearch + "/basic?typeName=hive_table&query=trip_zone_lookup")["entities"][0]["guid"];
  json entity = Get("/api/atlas/v2/entity/guid/" + table)["entity"];
  EXPECT_EQ(entity["attributes"]["retention"], 0) << entity["attributes"].dump();
  EXPECT_EQ(entity["attributes"]["lastAccessTime"], 0);
  EXPECT_FALSE(entity["attributes"].contains("viewOriginalText") &&
               !entity["attributes"]["viewOriginalText"].is_null());  // optional strings stay unset
  EXPECT_EQ(count("hive_table where retention = 0 select count()"), 3);
  EXPECT_EQ(count("hive_table where retention < 1 and temporary = false select count()"), 3);

  // Traversal; any element of an array reference matches.
  EXPECT_EQ(count("hive_column where table.name = \"trip_details\" select count()"), 7);
  EXPECT_EQ(guids("hive_table where columns.name = \"location_id\"").size(), 2u);
  EXPECT_EQ(guids("hive_table where db.name = \"atlas_emr\"").size(), 3u);

  // hasTerm through a glossary assignment.
  auto glossary = server_->Post("/api/atlas/v2/glossary", json{{"name", "Taxi"}});
  ASSERT_EQ(glossary.status, 200) << glossary.body;
  auto term = server_->Post("/api/atlas/v2/glossary/term",
                            json{{"name", "Trip"}, {"anchor", {{"glossaryGuid", glossary.Json()["guid"]}}}});
  ASSERT_EQ(term.status, 200) << term.body;
  auto assign = server_->Post("/api/atlas/v2/glossary/terms/" + term.Json()["guid"].get<std::string>() +
                                  "/assignedEntities",
                              json::array({{{"guid", table}}}));
  ASSERT_EQ(assign.status / 100, 2) << assign.body;
  EXPECT_EQ(guids("hive_table hasTerm Trip"), std::vector<std::string>{table});
  EXPECT_EQ(guids("hive_table hasTerm \"Trip@Taxi\""), std::vector<std::string>{table});
  EXPECT_EQ(guids("hive_table where hive_table hasTerm \"Trip@Taxi\" and name = \"trip_zone_lookup\"").size(), 1u);
  EXPECT_EQ(guids("hive_table where name = \"trip_details\" or hive_table hasTerm Trip").size(), 2u);
  EXPECT_TRUE(guids("hive_table hasTerm \"Trip@Other\"").empty());

  // Aliases, qualified names, character classes, headers.
  EXPECT_EQ(guids("hive_db as d select d").size(), 1u);
  json grouped = dsl("from hive_table groupby (owner) select Asset.owner, count()");
  EXPECT_EQ(grouped["attributes"]["name"], json::array({"Asset.owner", "count()"})) << grouped.dump();
  EXPECT_EQ(guids("hive_table where name like \"trip_[d]*\"").size(), 2u);
  json headers = dsl("hive_table select count() as 'count', min('name')");
  EXPECT_EQ(headers["attributes"]["name"], json::array({"'count'", "min('name')"})) << headers.dump();

  // Atlas's errors for groupby on a referred attribute and for selecting references.
  EXPECT_EQ(dsl("hive_table groupby(db.name)", 400)["errorCode"], "ATLAS-400-00-061");
  EXPECT_EQ(dsl("hive_table select db, columns", 400)["errorCode"], "ATLAS-400-00-060");
  EXPECT_EQ(dsl("hive_table select owner, columns", 400)["errorCode"], "ATLAS-400-00-062");
}

// count(), like-prefix counts and groupby counts answered from the index agree with the
// data, and leave DELETED entities out.
TEST_F(SearchServerTest, DslCountsFromIndex) {
  LoadTutorial();
  auto values = [&](const std::string& query) {
    json r = Get(kSearch + "/dsl?query=" + UrlEncode(query));
    return r.contains("attributes") ? r["attributes"]["values"] : json::array();
  };
  auto by_type = [&]() {
    std::map<std::string, int> out;
    for (const json& row : values("hive_column groupby(type) select type, count()")) out[row[0]] = row[1];
    return out;
  };
  EXPECT_EQ(values("hive_column select count()"), json::array({json::array({22})}));
  EXPECT_EQ(values("hive_column where name like \"loc*\" select count()"), json::array({json::array({4})}));
  EXPECT_EQ(by_type(), (std::map<std::string, int>{{"double", 4}, {"int", 8}, {"string", 6}, {"timestamp", 4}}));

  std::string column = Get(kSearch + "/dsl?query=" +
                           UrlEncode("hive_column where qualifiedName = \"atlas_emr.trip_details.location_id@primary\""))
                           ["entities"][0]["guid"];
  auto del = server_->Delete("/api/atlas/v2/entity/guid/" + column);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(values("hive_column select count()"), json::array({json::array({21})}));
  EXPECT_EQ(values("hive_column where name like \"loc*\" select count()"), json::array({json::array({3})}));
  EXPECT_EQ(by_type(), (std::map<std::string, int>{{"double", 4}, {"int", 7}, {"string", 6}, {"timestamp", 4}}));
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
  // Once: the rebuilt index starts where the (empty) queue's deleted entries end, so the
  // indexer finds no gap and does not clear and rebuild it again and again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string log = ReadFile(dir_ + "/server.log");
  EXPECT_EQ(log.find("are gone but the index holds only"), std::string::npos) << log;
}

}  // namespace
}  // namespace meridian::testing
