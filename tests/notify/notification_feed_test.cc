// The notification feed (GET /api/meridian/v1/notifications) as a consumer sees it.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

const std::string kV2 = "/api/atlas/v2";
const std::string kFeed = "/api/meridian/v1/notifications";

template <typename Pred>
bool WaitFor(Pred pred, double timeout_s = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One page of the feed; null on a connection error or a non-200 answer.
json Poll(int port, uint64_t after, int wait_ms, const std::string& consumer = "", int limit = 100) {
  std::string target = kFeed + "?after=" + std::to_string(after) + "&limit=" + std::to_string(limit) +
                       "&wait=" + std::to_string(wait_ms);
  if (!consumer.empty()) target += "&consumer=" + consumer;
  HttpResult r = Request(port, "GET", target);
  return r.status == 200 ? r.Json() : json();
}

// Everything after `after` until the feed has nothing more.
std::vector<json> Drain(int port, uint64_t after) {
  std::vector<json> out;
  for (;;) {
    json page = Poll(port, after, 0);
    EXPECT_TRUE(page.is_object());
    if (!page.is_object() || page["notifications"].empty()) return out;
    for (const json& n : page["notifications"]) {
      out.push_back(n);
      after = n["sequence"];
    }
  }
}

// A notification as (operation, subject): the entity's qualifiedName or the relationship's type.
std::pair<std::string, std::string> Brief(const json& n) {
  const json& m = n["message"]["message"];
  if (m.contains("entity")) return {m["operationType"], m["entity"]["attributes"].value("qualifiedName", "")};
  return {m["operationType"], m["relationship"].value("typeName", "")};
}

class NotificationFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << ReadFile(server_.data_dir() + "/server.log"); }

  void CreateTypes() {
    json defs = {
        {"classificationDefs",
         {{{"name", "SENSITIVE"},
           {"superTypes", json::array()},
           {"attributeDefs", {{{"name", "level"}, {"typeName", "string"}, {"isOptional", true}}}}},
          {{"name", "PII"}, {"superTypes", {"SENSITIVE"}}, {"attributeDefs", json::array()}}}},
        {"entityDefs",
         {{{"name", "nt_dataset"}, {"superTypes", {"DataSet"}}, {"attributeDefs", json::array()}},
          {{"name", "nt_process"}, {"superTypes", {"Process"}}, {"attributeDefs", json::array()}}}},
        {"relationshipDefs",
         {{{"name", "nt_related"},
           {"relationshipCategory", "ASSOCIATION"},
           {"propagateTags", "NONE"},
           {"endDef1", {{"type", "nt_dataset"}, {"name", "relatedTo"}, {"isContainer", false}, {"cardinality", "SET"}}},
           {"endDef2",
            {{"type", "nt_dataset"}, {"name", "relatedFrom"}, {"isContainer", false}, {"cardinality", "SET"}}}}}}};
    HttpResult r = server_.Post(kV2 + "/types/typedefs", defs);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static json Dataset(const std::string& qn) {
    return {{"typeName", "nt_dataset"}, {"attributes", {{"qualifiedName", qn}, {"name", qn}}}};
  }
  static json Ref(const std::string& qn) {
    return {{"typeName", "nt_dataset"}, {"uniqueAttributes", {{"qualifiedName", qn}}}};
  }

  void Bulk(const json& entities) {
    HttpResult r = server_.Post(kV2 + "/entity/bulk", {{"entities", entities}});
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  }

  std::string Guid(const std::string& type, const std::string& qn) {
    HttpResult r = server_.Get(kV2 + "/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" + qn);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["entity"].value("guid", "");
  }

  bool WaitPropagation() {
    return WaitFor([&] {
      json j = server_.Get("/api/meridian/v1/propagation").Json();
      return j.is_object() && j.value("pending", 1) == 0;
    });
  }

  TestServer server_;
};

// A consumer following the feed while a script of writes runs sees every change, in order,
// with the propagated classification changes of the lineage targets.
TEST_F(NotificationFeedTest, ConsumerSeesEveryChangeInOrder) {
  CreateTypes();
  const uint64_t start = Poll(server_.port(), 0, 0)["lastSequence"];
  std::mutex mu;
  std::vector<json> seen;
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    uint64_t after = start;
    while (!stop) {
      json page = Poll(server_.port(), after, 1000, "tagsync");
      if (!page.is_object()) continue;
      std::lock_guard lock(mu);
      for (const json& n : page["notifications"]) {
        seen.push_back(n);
        after = n["sequence"];
      }
    }
  });

  Bulk({Dataset("t0"), Dataset("t1")});
  Bulk({{{"typeName", "nt_process"},
         {"attributes", {{"qualifiedName", "p0"}, {"name", "p0"}, {"inputs", {Ref("t0")}}, {"outputs", {Ref("t1")}}}}}});
  const std::string t0 = Guid("nt_dataset", "t0"), t1 = Guid("nt_dataset", "t1"), p0 = Guid("nt_process", "p0");
  ASSERT_EQ(server_.Put(kV2 + "/entity/guid/" + t0 + "?name=description", "first table").status, 200);
  ASSERT_EQ(server_.Post(kV2 + "/entity/guid/" + t0 + "/classifications",
                         json::array({{{"typeName", "PII"}, {"attributes", {{"level", "high"}}}, {"propagate", true}}}))
                .status,
            204);
  ASSERT_TRUE(WaitPropagation());
  ASSERT_EQ(server_.Put(kV2 + "/entity/guid/" + t0 + "/classifications",
                        json::array({{{"typeName", "PII"}, {"attributes", {{"level", "low"}}}, {"propagate", true}}}))
                .status,
            204);
  ASSERT_TRUE(WaitPropagation());
  ASSERT_EQ(server_.Put(kV2 + "/entity/guid/" + t1 + "/labels", json::array({"gold"})).status, 204);
  ASSERT_EQ(server_.Delete(kV2 + "/entity/guid/" + t1 + "/labels", json::array({"gold"}).dump()).status, 204);
  HttpResult rel = server_.Post(kV2 + "/relationship", {{"typeName", "nt_related"},
                                                        {"end1", {{"guid", t0}, {"typeName", "nt_dataset"}}},
                                                        {"end2", {{"guid", t1}, {"typeName", "nt_dataset"}}}});
  ASSERT_EQ(rel.status, 200) << rel.body;
  const std::string rel_guid = rel.Json()["guid"];
  ASSERT_EQ(server_.Put(kV2 + "/relationship", {{"guid", rel_guid}, {"propagateTags", "NONE"}}).status, 200);
  ASSERT_EQ(server_.Delete(kV2 + "/relationship/guid/" + rel_guid).status, 204);
  ASSERT_EQ(server_.Delete(kV2 + "/entity/guid/" + t0 + "/classification/PII").status, 204);
  ASSERT_TRUE(WaitPropagation());
  ASSERT_EQ(server_.Delete(kV2 + "/entity/guid/" + t1).status, 200);

  const uint64_t last = Poll(server_.port(), 0, 0)["lastSequence"];
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !seen.empty() && seen.back()["sequence"] == last;
  })) << "the consumer did not reach sequence " << last;
  stop = true;
  consumer.join();

  // Numbered without gaps, each an Atlas V2 entity notification.
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i]["sequence"], start + 1 + i);
    const json& env = seen[i]["message"];
    EXPECT_EQ(env["version"], json({{"version", "1.0.0"}}));
    EXPECT_EQ(env["msgCompressionKind"], "NONE");
    EXPECT_EQ(env["message"]["type"], "ENTITY_NOTIFICATION_V2");
    EXPECT_TRUE(env["message"]["eventTime"].is_number_integer());
  }
  std::vector<std::pair<std::string, std::string>> got;
  for (const json& n : seen) got.push_back(Brief(n));
  // Propagation applies its targets in one batch, in walk order: compare those as sets.
  auto sorted_range = [&](size_t from, size_t to) {
    if (to <= got.size()) std::sort(got.begin() + from, got.begin() + to);
  };
  sorted_range(5, 7);
  sorted_range(8, 10);
  sorted_range(16, 18);
  using P = std::pair<std::string, std::string>;
  const std::vector<P> want = {
      {"ENTITY_CREATE", "t0"},          {"ENTITY_CREATE", "t1"},         {"ENTITY_CREATE", "p0"},
      {"ENTITY_UPDATE", "t0"},          {"CLASSIFICATION_ADD", "t0"},    {"CLASSIFICATION_ADD", "p0"},
      {"CLASSIFICATION_ADD", "t1"},     {"CLASSIFICATION_UPDATE", "t0"}, {"CLASSIFICATION_UPDATE", "p0"},
      {"CLASSIFICATION_UPDATE", "t1"},  {"LABEL_ADD", "t1"},             {"LABEL_DELETE", "t1"},
      {"RELATIONSHIP_CREATE", "nt_related"}, {"RELATIONSHIP_UPDATE", "nt_related"},
      {"RELATIONSHIP_DELETE", "nt_related"}, {"CLASSIFICATION_DELETE", "t0"}, {"CLASSIFICATION_DELETE", "p0"},
      {"CLASSIFICATION_DELETE", "t1"},  {"ENTITY_DELETE", "t1"}};
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got, want);

  // The propagated copy on t1: the full list after the change, super-type entry included.
  for (const json& n : seen) {
    const json& m = n["message"]["message"];
    if (!m.contains("entity") || m["entity"]["guid"] != t1) continue;
    if (m["operationType"] == "CLASSIFICATION_UPDATE")
      EXPECT_EQ(m["entity"]["classifications"][0]["attributes"]["level"], "low") << m.dump();
    if (m["operationType"] != "CLASSIFICATION_ADD") continue;
    EXPECT_EQ(m["entity"]["classificationNames"], json({"PII", "SENSITIVE"}));
    ASSERT_EQ(m["entity"]["classifications"].size(), 2u);
    EXPECT_EQ(m["entity"]["classifications"][0]["entityGuid"], t0);
    EXPECT_EQ(m["entity"]["classifications"][0]["attributes"]["level"], "high");
    EXPECT_EQ(m["entity"]["classifications"][1]["typeName"], "SENSITIVE");
    EXPECT_EQ(m["entity"]["classifications"][1]["attributes"]["level"], "high");
  }
  for (const json& n : seen) {
    const json& m = n["message"]["message"];
    if (m["operationType"] == "CLASSIFICATION_DELETE" && m["entity"]["guid"] == t0)
      EXPECT_TRUE(m["entity"]["classifications"].empty()) << m.dump();
    if (m["operationType"] == "ENTITY_DELETE") EXPECT_EQ(m["entity"]["status"], "DELETED");
    if (m["operationType"] == "ENTITY_UPDATE") EXPECT_EQ(m["entity"]["attributes"]["description"], "first table");
    if (m["operationType"] == "RELATIONSHIP_CREATE") {
      EXPECT_EQ(m["relationship"]["guid"], rel_guid);
      EXPECT_EQ(m["relationship"]["end1"]["guid"], t0);
      EXPECT_EQ(m["relationship"]["end2"]["uniqueAttributes"]["qualifiedName"], "t1");
    }
  }

  // The named consumer's acknowledged position is shown to administrators.
  json positions = server_.Get("/api/meridian/v1/admin/notifications").Json();
  EXPECT_EQ(positions["lastSequence"], last);
  bool found = false;
  for (const json& c : positions["consumers"])
    if (c["name"] == "tagsync") found = c["sequence"].get<uint64_t>() <= last;
  EXPECT_TRUE(found) << positions.dump();
}

// A consumer that was following the feed when the server was killed resumes from
// its last sequence after the restart and misses nothing that was acknowledged.
TEST_F(NotificationFeedTest, ResumesAfterKillNineWithoutGap) {
  std::atomic<int> port{server_.port()};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<json> seen;
  uint64_t after = 0;
  std::thread writer([&] {
    for (int batch = 0; !stop; ++batch) {
      json entities = json::array();
      std::vector<std::string> names;
      for (int i = 0; i < 20; ++i) {
        names.push_back("k9_" + std::to_string(batch) + "_" + std::to_string(i));
        entities.push_back({{"typeName", "DataSet"}, {"attributes", {{"qualifiedName", names.back()}, {"name", names.back()}}}});
      }
      HttpResult r = Request(port, "POST", kV2 + "/entity/bulk", json{{"entities", entities}}.dump());
      if (r.status != 200) return;
      std::lock_guard lock(mu);
      acked.insert(names.begin(), names.end());
    }
  });
  std::thread consumer([&] {
    while (!stop) {
      json page = Poll(port, after, 500);
      if (!page.is_object()) continue;
      for (const json& n : page["notifications"]) {
        seen.push_back(n);
        after = n["sequence"];
      }
    }
  });
  ASSERT_TRUE(WaitFor([&] { std::lock_guard lock(mu); return acked.size() >= 200; }));
  server_.Kill9();
  stop = true;
  writer.join();
  consumer.join();
  ASSERT_TRUE(server_.Start()) << ReadFile(server_.data_dir() + "/server.log");
  // Writes after the restart continue the numbering.
  Bulk({{{"typeName", "DataSet"}, {"attributes", {{"qualifiedName", "after_restart"}, {"name", "after_restart"}}}}});
  acked.insert("after_restart");

  for (json& n : Drain(server_.port(), after)) seen.push_back(std::move(n));
  std::set<std::string> created;
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i]["sequence"], i + 1) << "gap or repeat at position " << i;
    const json& m = seen[i]["message"]["message"];
    if (m["operationType"] == "ENTITY_CREATE") created.insert(m["entity"]["attributes"].value("qualifiedName", ""));
  }
  for (const auto& qn : acked) EXPECT_TRUE(created.count(qn)) << "acknowledged create without notification: " << qn;
  // Nothing is announced that was not committed: every announced create exists.
  for (const auto& qn : created)
    EXPECT_EQ(server_.Get(kV2 + "/entity/uniqueAttribute/type/DataSet?attr:qualifiedName=" + qn).status, 200) << qn;
}

TEST_F(NotificationFeedTest, RejectsBadRequests) {
  EXPECT_EQ(Request(server_.port(), "GET", kFeed, "", "").status, 401);
  for (const std::string q : {"?after=-1", "?after=abc", "?limit=0", "?limit=5000", "?wait=x", "?consumer=a%20b"}) {
    HttpResult r = server_.Get(kFeed + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_EQ(r.Json().value("errorCode", ""), "ATLAS-400-00-01A") << q;
  }
}

// Long-polls hold at most max_waiters workers: the others answer at once, and
// the waiting ones answer as soon as a change commits.
TEST_F(NotificationFeedTest, LongPollsAreBounded) {
  const uint64_t last = Poll(server_.port(), 0, 0)["lastSequence"];
  std::atomic<int> done{0}, with_news{0};
  std::vector<std::thread> polls;
  for (int i = 0; i < 6; ++i)
    polls.emplace_back([&] {
      json page = Poll(server_.port(), last, 20000);
      if (page.is_object() && !page["notifications"].empty()) ++with_news;
      ++done;
    });
  // Two wait (the default max_waiters); four answer empty at once.
  ASSERT_TRUE(WaitFor([&] { return done == 4; })) << done;
  EXPECT_EQ(with_news, 0);
  // A cheap request is served meanwhile.
  EXPECT_EQ(server_.Get(kV2 + "/types/typedefs/headers").status, 200);
  Bulk({{{"typeName", "DataSet"}, {"attributes", {{"qualifiedName", "news"}, {"name", "news"}}}}});
  for (auto& t : polls) t.join();
  EXPECT_EQ(with_news, 2);
}

// Retention keeps the newest max_entries and drops what is older than max_age_s;
// a consumer that fell behind is told so.
TEST(NotificationRetention, KeepsTheNewestAndReportsTruncation) {
  char tmpl[] = "/tmp/meridian-notify-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string config = dir + "/meridian.toml";
  std::ofstream(config) << "[notifications]\nmax_entries = 5\nprune_interval_s = 1\n";
  TestServer server({"--config", config});
  ASSERT_TRUE(server.Start()) << ReadFile(server.data_dir() + "/server.log");
  for (int i = 0; i < 12; ++i) {
    std::string qn = "r" + std::to_string(i);
    ASSERT_EQ(server.Post(kV2 + "/entity", {{"entity", {{"typeName", "DataSet"}, {"attributes", {{"qualifiedName", qn}, {"name", qn}}}}}}).status, 200);
  }
  ASSERT_TRUE(WaitFor([&] { return Poll(server.port(), 0, 0).value("oldestSequence", 0) == 8; }))
      << Poll(server.port(), 0, 0).dump();
  json page = Poll(server.port(), 0, 0);
  EXPECT_TRUE(page["truncated"].get<bool>());
  ASSERT_EQ(page["notifications"].size(), 5u);
  EXPECT_EQ(page["notifications"][0]["sequence"], 8);
  EXPECT_EQ(page["lastSequence"], 12);
  EXPECT_FALSE(Poll(server.port(), 7, 0)["truncated"].get<bool>());
  json positions = server.Get("/api/meridian/v1/admin/notifications").Json();
  EXPECT_EQ(positions["retained"], 5);
  EXPECT_EQ(positions["retention"]["maxEntries"], 5);
  server.Stop();

  // By age: everything older than a second goes; the numbering survives a restart.
  std::ofstream(config) << "[notifications]\nmax_age_s = 1\nprune_interval_s = 1\n";
  ASSERT_TRUE(server.Start());
  ASSERT_TRUE(WaitFor([&] { return Poll(server.port(), 0, 0).value("oldestSequence", 0) == 13; }))
      << Poll(server.port(), 0, 0).dump();
  page = Poll(server.port(), 0, 0);
  EXPECT_TRUE(page["notifications"].empty());
  EXPECT_EQ(page["lastSequence"], 12);
  EXPECT_TRUE(page["truncated"].get<bool>());
  EXPECT_FALSE(Poll(server.port(), 12, 0)["truncated"].get<bool>());
  server.Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace meridian::testing
