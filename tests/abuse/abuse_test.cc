// Crash-and-abuse suite against the real `meridian serve`: deeply nested JSON,
// over-long terms, NUL bytes, huge numbers and malformed requests. After each
// attack the server must still answer, a new write must become searchable and
// nothing written before may be lost. Ends with a bounded kill -9 loop during
// ingest (MERIDIAN_KILL9_RUNS runs, default 3; scripts/kill9-loop runs more).
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

const std::string kV2 = "/api/atlas/v2";
constexpr size_t kDeep = 100000;  // levels: far past any limit, a 200 KB value

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with every "@DEEP@" replaced by a JSON value nested `kDeep` levels.
std::string WithDeep(std::string text, char open = '[') {
  const char close = open == '[' ? ']' : '}';
  std::string deep;
  if (open == '[') {
    deep = std::string(kDeep, '[') + std::string(kDeep, ']');
  } else {
    for (size_t i = 0; i < kDeep; ++i) deep += "{\"a\":";
    deep += "1" + std::string(kDeep, close);
  }
  for (size_t p; (p = text.find("@DEEP@")) != std::string::npos;) text.replace(p, 6, deep);
  return text;
}

json HiveDb(const std::string& name) {
  return {{"typeName", "hive_db"},
          {"attributes", {{"name", name}, {"qualifiedName", name + "@abuse"}, {"clusterName", "abuse"}}}};
}

std::set<std::string> Names(const json& result) {
  std::set<std::string> out;
  for (const json& e : result.value("entities", json::array())) out.insert(e["attributes"].value("name", ""));
  return out;
}

class AbuseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer();
    started_ = server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << "server did not start; see " << server_->data_dir(); }

  const TestServer& srv() const { return *server_; }
  HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& auth = "admin:admin") const {
    return Request(srv().port(), method, target, body, auth);
  }
  static void ExpectError(const HttpResult& r, int status, const std::string& code = "") {
    EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
    json j = r.Json();
    if (!code.empty()) EXPECT_EQ(j.value("errorCode", ""), code) << r.body.substr(0, 300);
    EXPECT_FALSE(j.value("errorMessage", "").empty()) << r.body.substr(0, 300);
  }

  // Creates a hive_db and returns its guid (remembered for ExpectServing).
  std::string NewDb(const std::string& name) {
    auto r = srv().Post(kV2 + "/entity", {{"entity", HiveDb(name)}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string guid;
    for (const json& e : r.Json()["mutatedEntities"].value("CREATE", json::array())) guid = e.value("guid", "");
    if (!guid.empty()) written_.push_back(guid);
    return guid;
  }

  // The server answers, a new entity becomes searchable at once, and every
  // entity written earlier in the suite is still there.
  void ExpectServing(const std::string& after) {
    SCOPED_TRACE("after " + after);
    ASSERT_EQ(srv().Get("/api/atlas/admin/status", "").status, 200) << "the server is down";
    const std::string name = "probe_" + std::to_string(++probes_);
    ASSERT_FALSE(NewDb(name).empty());
    auto found = srv().Get(kV2 + "/search/basic?typeName=hive_db&query=" + name);
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(Names(found.Json()), std::set<std::string>{name}) << "search does not follow writes";
    for (const auto& g : written_) EXPECT_EQ(srv().Get(kV2 + "/entity/guid/" + g).status, 200) << "lost " << g;
    auto failures = srv().Get("/api/meridian/v1/admin/index/failures");
    ASSERT_EQ(failures.status, 200) << failures.body;
    EXPECT_EQ(failures.Json()["index"].value("current", -1), 0) << failures.body;
    auto metrics = srv().Get("/api/atlas/admin/metrics");
    EXPECT_EQ(metrics.Json()["data"]["general"].value("indexFailures", -1), 0) << metrics.body;
  }

  static TestServer* server_;
  static bool started_;
  static std::vector<std::string> written_;
  static int probes_;
};

TestServer* AbuseTest::server_ = nullptr;
bool AbuseTest::started_ = false;
std::vector<std::string> AbuseTest::written_;
int AbuseTest::probes_ = 0;

// ---- Nesting: every place a client's JSON goes in is refused with 400. ----

TEST_F(AbuseTest, DeeplyNestedEntityAttributesAreRefused) {
  const std::string db = R"({"entity":{"typeName":"hive_db","attributes":{"qualifiedName":"deep@abuse","clusterName":"c",)";
  for (const std::string& attrs : {R"("name":@DEEP@}}})", R"("name":"d","parameters":{"k":@DEEP@}}}})",
                                   R"("name":"d"},"customAttributes":{"k":@DEEP@}}})",
                                   R"("name":"d"},"labels":@DEEP@}})"}) {
    ExpectError(Send("POST", kV2 + "/entity", WithDeep(db + attrs)), 400, "ATLAS-400-00-01A");
    ExpectError(Send("POST", kV2 + "/entity", WithDeep(db + attrs, '{')), 400, "ATLAS-400-00-01A");
  }
  ExpectServing("nested entity attributes");
}

TEST_F(AbuseTest, DeeplyNestedValuesElsewhereAreRefused) {
  const std::string guid = NewDb("nest_target");
  ExpectError(Send("POST", kV2 + "/entity/guid/" + guid + "/classifications",
                   WithDeep(R"([{"typeName":"PII","attributes":{"level":@DEEP@}}])")),
              400, "ATLAS-400-00-01A");
  ExpectError(Send("PUT", kV2 + "/entity/guid/" + guid + "?name=description", WithDeep("@DEEP@")), 400,
              "ATLAS-400-00-01A");
  auto glossary = srv().Post(kV2 + "/glossary", {{"name", "abuse_glossary"}});
  ASSERT_EQ(glossary.status, 200) << glossary.body;
  ExpectError(Send("POST", kV2 + "/glossary/term",
                   WithDeep(R"({"name":"t","shortDescription":@DEEP@,"anchor":{"glossaryGuid":")" +
                            glossary.Json().value("guid", "") + "\"}}")),
              400, "ATLAS-400-00-01A");
  ExpectError(Send("POST", kV2 + "/search/basic",
                   WithDeep(R"({"typeName":"hive_db","entityFilters":{"condition":"AND","criterion":@DEEP@}})")),
              400, "ATLAS-400-00-01A");
  ExpectError(Send("POST", kV2 + "/search/basic",
                   WithDeep(R"({"typeName":"hive_db","entityFilters":{"attributeName":"name","operator":"eq",)"
                            R"("attributeValue":@DEEP@}})")),
              400, "ATLAS-400-00-01A");
  ExpectError(Send("POST", kV2 + "/lineage/" + guid, WithDeep(R"({"depth":@DEEP@})")), 400, "ATLAS-400-00-01A");
  ExpectError(Send("POST", "/api/meridian/v1/login", WithDeep(R"({"username":@DEEP@})"), ""), 400,
              "ATLAS-400-00-01A");
  ExpectServing("nested values in classifications, PUT ?name=, glossary, search, lineage and sign-in");
}

// JSON inside a string (an `in` filter's list) is parsed with the same limit.
TEST_F(AbuseTest, DeeplyNestedJsonInsideAFilterValueIsHarmless) {
  json body = {{"typeName", "hive_db"},
               {"entityFilters", {{"attributeName", "name"}, {"operator", "in"}, {"attributeValue", WithDeep("@DEEP@")}}}};
  auto r = srv().Post(kV2 + "/search/basic", body);
  EXPECT_TRUE(r.status == 200 || r.status == 400) << r.status << " " << r.body.substr(0, 300);
  ExpectServing("nested JSON inside an `in` filter value");
}

TEST_F(AbuseTest, NestingUpToTheLimitIsParsed) {
  auto nested = [](int levels) {
    std::string v = "1";
    for (int i = 0; i < levels; ++i) v = "[" + v + "]";
    return v;
  };
  const std::string target = kV2 + "/entity/guid/" + NewDb("nest_limit") + "?name=description";
  // 64 levels parse (and are then refused only because description is a string).
  auto at_limit = Send("PUT", target, nested(64));
  EXPECT_EQ(at_limit.status, 400);
  EXPECT_EQ(at_limit.Json().value("errorMessage", "").find("deeper than"), std::string::npos) << at_limit.body;
  auto past_limit = Send("PUT", target, nested(65));
  ExpectError(past_limit, 400, "ATLAS-400-00-01A");
  EXPECT_NE(past_limit.Json().value("errorMessage", "").find("deeper than 64 levels"), std::string::npos)
      << past_limit.body;
}

// ---- Long terms: nothing a writer sends can stop the index. ----

TEST_F(AbuseTest, LabelsFollowAtlasRules) {
  const std::string guid = NewDb("labelled");
  ExpectError(srv().Post(kV2 + "/entity/guid/" + guid + "/labels", json::array({std::string(300, 'x')})), 400,
              "ATLAS-400-00-08F");
  ExpectError(srv().Post(kV2 + "/entity/guid/" + guid + "/labels", json::array({"has space"})), 400,
              "ATLAS-400-00-090");
  ExpectError(srv().Post(kV2 + "/entity/guid/" + guid + "/labels", json::array({std::string("nul\0byte", 8)})), 400,
              "ATLAS-400-00-090");
  json with_labels = HiveDb("labelled_new");
  with_labels["labels"] = json::array({std::string(51, 'y')});
  ExpectError(srv().Post(kV2 + "/entity", {{"entity", with_labels}}), 400, "ATLAS-400-00-08F");
  // Labels within Atlas's limits are kept.
  const std::string ok_label = std::string(46, 'z') + "_-09";
  ASSERT_EQ(srv().Post(kV2 + "/entity/guid/" + guid + "/labels", json::array({ok_label})).status, 204);
  EXPECT_EQ(srv().Get(kV2 + "/entity/guid/" + guid).Json()["entity"]["labels"], json::array({ok_label}));
  ExpectServing("over-long and malformed labels");
}

TEST_F(AbuseTest, ClientGuidsAreValidated) {
  for (const std::string& bad : {std::string(245, 'g'), std::string("abc\0def", 7), std::string("a/b"),
                                 std::string("a b"), std::string("a?b")}) {
    json e = HiveDb("guid_" + std::to_string(bad.size()));
    e["guid"] = bad;
    ExpectError(srv().Post(kV2 + "/entity", {{"entity", e}}), 400, "ATLAS-400-00-021");
  }
  json good = HiveDb("client_guid");
  good["guid"] = "client-chosen.guid_1";
  auto r = srv().Post(kV2 + "/entity", {{"entity", good}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(srv().Get(kV2 + "/entity/guid/client-chosen.guid_1").status, 200);
  ExpectServing("invalid client guids");
}

// A guid with a NUL byte cannot reach another entity's audit trail (keys are guid \0 ...).
TEST_F(AbuseTest, NulInAGuidCannotWriteIntoAnotherAuditTrail) {
  json victim = HiveDb("victim");
  victim["guid"] = "victim";
  ASSERT_EQ(srv().Post(kV2 + "/entity", {{"entity", victim}}).status, 200);
  const size_t before = srv().Get(kV2 + "/entity/victim/audit").Json().size();
  json attacker = HiveDb("attacker");
  attacker["guid"] = std::string("victim\0\0\0\0\0\0\0\0\0", 15);
  ExpectError(srv().Post(kV2 + "/entity", {{"entity", attacker}}), 400, "ATLAS-400-00-021");
  EXPECT_EQ(srv().Get(kV2 + "/entity/victim/audit").Json().size(), before);
  ExpectServing("a NUL byte in a guid");
}

TEST_F(AbuseTest, LongNamesAndValuesStaySearchable) {
  // A glossary term name far past Xapian's 245-byte term limit, assigned to an entity.
  auto glossary = srv().Post(kV2 + "/glossary", {{"name", "long_terms"}});
  ASSERT_EQ(glossary.status, 200) << glossary.body;
  const std::string term_name = "term" + std::string(400, 'n');
  auto term = srv().Post(kV2 + "/glossary/term",
                         {{"name", term_name}, {"anchor", {{"glossaryGuid", glossary.Json().value("guid", "")}}}});
  ASSERT_EQ(term.status, 200) << term.body;
  const std::string assigned = NewDb("assigned_long_term");
  ASSERT_EQ(srv().Post(kV2 + "/glossary/terms/" + term.Json().value("guid", "") + "/assignedEntities",
                       json::array({{{"guid", assigned}}})).status,
            204);
  // A type, a classification and attribute values and names far past the limit.
  const std::string long_type = "t" + std::string(300, 'y');
  const std::string long_tag = "c" + std::string(300, 'z');
  const std::string long_attr = "a" + std::string(300, 'w');
  json types = {{"entityDefs", {{{"name", long_type}, {"superTypes", {"DataSet"}},
                                 {"attributeDefs", {{{"name", long_attr}, {"typeName", "string"},
                                                     {"isOptional", true}, {"cardinality", "SINGLE"}}}}}}},
                {"classificationDefs", {{{"name", long_tag}}}}};
  auto created_types = srv().Post(kV2 + "/types/typedefs", types);
  ASSERT_EQ(created_types.status, 200) << created_types.body;
  const std::string long_value = std::string(2000, 'v') + " " + std::string(70000, 'w');
  json e = {{"typeName", long_type},
            {"attributes", {{"name", "long_one"}, {"qualifiedName", std::string(1000, 'q')},
                            {"description", long_value}, {long_attr, long_value}}},
            {"classifications", {{{"typeName", long_tag}}}}};
  auto r = srv().Post(kV2 + "/entity", {{"entity", e}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  auto by_type = srv().Get(kV2 + "/search/basic?typeName=" + long_type);
  ASSERT_EQ(by_type.status, 200) << by_type.body;
  EXPECT_EQ(Names(by_type.Json()), std::set<std::string>{"long_one"});
  auto by_tag = srv().Get(kV2 + "/search/basic?classification=" + long_tag);
  EXPECT_EQ(Names(by_tag.Json()), std::set<std::string>{"long_one"}) << by_tag.body;
  auto by_term = srv().Get(kV2 + "/search/basic?termName=" + UrlEncode(term_name));
  EXPECT_EQ(Names(by_term.Json()), std::set<std::string>{"assigned_long_term"}) << by_term.body;
  ExpectServing("over-long type, classification, term, attribute names and values");
}

TEST_F(AbuseTest, NulBytesInValuesAreStoredAndSearchable) {
  json e = HiveDb("nul_value");
  e["attributes"]["description"] = std::string("before\0after", 12);
  auto r = srv().Post(kV2 + "/entity", {{"entity", e}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto found = srv().Get(kV2 + "/search/basic?typeName=hive_db&query=nul_value");
  EXPECT_EQ(Names(found.Json()), std::set<std::string>{"nul_value"});
  ExpectServing("NUL bytes in attribute values");
}

// ---- Numbers out of range for their attribute type. ----

TEST_F(AbuseTest, OutOfRangeNumbersAreRefused) {
  json db = HiveDb("numbers_db");
  db["guid"] = "-1";
  auto table = [&](const std::string& name, const char* attr, const std::string& raw) {
    return R"({"entities":[)" + db.dump() + R"(,{"typeName":"hive_table","attributes":{"qualifiedName":")" + name +
           R"(@abuse","name":")" + name + R"(","db":{"guid":"-1"},")" + attr + "\":" + raw + "}}]}";
  };
  for (const char* attr : {"retention", "createTime"})
    for (const char* raw : {"1e300", "-1e300", "9223372036854775808", "1e19", "\"99999999999999999999\""}) {
      SCOPED_TRACE(std::string(attr) + " = " + raw);
      ExpectError(Send("POST", kV2 + "/entity/bulk", table("num_bad", attr, raw)), 400, "ATLAS-400-00-01A");
    }
  for (const char* raw : {"2147483648", "-2147483649", "1.5"})
    ExpectError(Send("POST", kV2 + "/entity/bulk", table("num_bad", "retention", raw)), 400, "ATLAS-400-00-01A");
  // In range: stored as given.
  auto ok = Send("POST", kV2 + "/entity/bulk", table("num_ok", "retention", "2147483647"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto ok_date = Send("POST", kV2 + "/entity/bulk", table("num_ok", "createTime", "1.7e12"));
  ASSERT_EQ(ok_date.status, 200) << ok_date.body;
  auto read = srv().Get(kV2 + "/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=num_ok@abuse");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json()["entity"]["attributes"]["retention"], 2147483647);
  EXPECT_EQ(read.Json()["entity"]["attributes"]["createTime"], int64_t{1700000000000});
  ExpectServing("out-of-range numbers");
}

// ---- Malformed requests get 4xx, never 500. ----

TEST_F(AbuseTest, EmptyPathIsABadRequest) {
  ExpectError(Send("GET", "?x=1", ""), 400, "ATLAS-400-00-01A");
  ExpectServing("an empty path");
}

TEST_F(AbuseTest, SignInWithANonStringUserNameIsABadRequest) {
  for (const char* body : {R"({"username":5,"password":"admin"})", R"({"username":["admin"],"password":"admin"})",
                           R"({"username":"admin","password":{"p":1}})"})
    ExpectError(Request(srv().port(), "POST", "/api/meridian/v1/login", body, ""), 400, "ATLAS-400-00-01A");
  auto ok = Request(srv().port(), "POST", "/api/meridian/v1/login", R"({"username":"admin","password":"admin"})", "");
  EXPECT_EQ(ok.status, 200) << ok.body;
  ExpectServing("sign-in with non-string credentials");
}

// Atlas answers DELETE of an unknown guid with 200 and an empty mutation
// response (AtlasEntityStoreV2.deleteById ignores it); so does Meridian, and
// nothing is created or deleted by it.
TEST_F(AbuseTest, DeleteOfAnUnknownGuidChangesNothing) {
  auto r = srv().Delete(kV2 + "/entity/guid/no-such-guid");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Json().contains("mutatedEntities")) << r.body;
  EXPECT_EQ(srv().Get(kV2 + "/entity/guid/no-such-guid").status, 404);
  ExpectServing("DELETE of an unknown guid");
}

// `meridian reindex` over a store holding over-long names succeeds, and the
// rebuilt index finds them.
TEST(AbuseReindex, LongNamesDoNotStopAReindex) {
  TestServer server;
  ASSERT_TRUE(server.Start()) << ReadFile(server.data_dir() + "/server.log");
  const std::string long_type = "r" + std::string(300, 'y');
  json types = {{"entityDefs", {{{"name", long_type}, {"superTypes", {"DataSet"}}, {"attributeDefs", json::array()}}}}};
  ASSERT_EQ(server.Post(kV2 + "/types/typedefs", types).status, 200);
  json e = {{"typeName", long_type}, {"attributes", {{"name", "reindexed"}, {"qualifiedName", std::string(600, 'q')}}}};
  ASSERT_EQ(server.Post(kV2 + "/entity", {{"entity", e}}).status, 200);
  server.Stop();
  const std::string log = server.data_dir() + "/reindex.log";
  const std::string cmd = TestServer::Binary() + " reindex --data-dir " + server.data_dir() + " > " + log + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(log);
  ASSERT_TRUE(server.Start());
  auto found = server.Get(kV2 + "/search/basic?typeName=" + long_type);
  EXPECT_EQ(Names(found.Json()), std::set<std::string>{"reindexed"}) << found.body;
}

// ---- kill -9 during ingest, repeated. ----

int Kill9Runs() {
  const char* env = std::getenv("MERIDIAN_KILL9_RUNS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 3;
}

// Every acknowledged entity is present after a restart, and store and index agree.
TEST(AbuseKillNine, AcknowledgedWritesSurviveRepeatedKills) {
  TestServer server;
  ASSERT_TRUE(server.Start()) << ReadFile(server.data_dir() + "/server.log");
  std::set<std::string> acked;
  const int runs = Kill9Runs();
  for (int run = 0; run < runs; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    std::mutex mu;
    std::set<std::string> inflight;
    std::atomic<bool> stop{false};
    const int port = server.port();
    std::thread writer([&] {
      for (int batch = 0; !stop; ++batch) {
        json entities = json::array();
        std::vector<std::string> names;
        for (int i = 0; i < 50; ++i) {
          names.push_back("k9_" + std::to_string(run) + "_" + std::to_string(batch) + "_" + std::to_string(i));
          entities.push_back(HiveDb(names.back()));
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          inflight = std::set<std::string>(names.begin(), names.end());
        }
        auto r = Request(port, "POST", kV2 + "/entity/bulk", json{{"entities", entities}}.dump());
        if (r.status != 200) return;
        std::lock_guard<std::mutex> lock(mu);
        acked.insert(names.begin(), names.end());
        inflight.clear();
      }
    });
    // Kill at a different point of the ingest each run.
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 250 * (run % 5)));
    server.Kill9();
    stop = true;
    writer.join();
    ASSERT_TRUE(server.Start()) << ReadFile(server.data_dir() + "/server.log");

    std::set<std::string> found;
    for (size_t offset = 0;; offset += 10000) {
      auto r = server.Get(kV2 + "/search/basic?typeName=hive_db&limit=10000&offset=" + std::to_string(offset));
      ASSERT_EQ(r.status, 200) << r.body;
      std::set<std::string> page = Names(r.Json());
      found.insert(page.begin(), page.end());
      if (page.size() < 10000) break;
    }
    for (const auto& n : acked) ASSERT_TRUE(found.count(n)) << "acknowledged but lost or unsearchable: " << n;
    // The store's count (metrics scan the store) equals the index's.
    auto metrics = server.Get("/api/atlas/admin/metrics");
    ASSERT_EQ(metrics.status, 200);
    const int64_t stored = metrics.Json()["data"]["entity"]["entityActive"].value("hive_db", int64_t{0});
    EXPECT_EQ(stored, static_cast<int64_t>(found.size())) << "store and index disagree";
    for (const auto& n : found) {
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_TRUE(acked.count(n) || inflight.count(n)) << "never written: " << n;
    }
    // The batch in flight at the kill counts as acknowledged when it made it.
    acked.insert(found.begin(), found.end());
  }
}

}  // namespace
}  // namespace meridian::testing
