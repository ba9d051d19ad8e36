// Lineage and classification propagation against the real server.
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace meridian::lineage::testing {
namespace {

using nlohmann::json;

template <typename Pred>
bool WaitFor(Pred pred, double timeout_s = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

class LineageTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Start(); }

  void LoadTutorial() {
    for (const char* f : {"tutorial_catalog.json", "tutorial_lineage.json"}) {
      Response r = server_.Request("POST", "/api/atlas/v2/entity/bulk", meridian::testing::Fixture(f).dump());
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  std::string Guid(const std::string& type, const std::string& qn) {
    Response r = server_.Get("/api/atlas/v2/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" + qn +
                             "&ignoreRelationships=true");
    EXPECT_EQ(r.status, 200) << type << " " << qn << ": " << r.body;
    return r.Json()["entity"].value("guid", "");
  }

  json Lineage(const std::string& guid, const std::string& query) {
    Response r = server_.Get("/api/atlas/v2/lineage/" + guid + "?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }

  // Propagated or direct copies of `tag` on `guid` that came from `source`.
  bool HasTag(const std::string& guid, const std::string& tag, const std::string& source) {
    json list = server_.Get("/api/atlas/v2/entity/guid/" + guid + "/classifications").Json()["list"];
    for (const json& c : list)
      if (c.value("typeName", "") == tag && c.value("entityGuid", "") == source) return true;
    return false;
  }

  void CreateClassification(const std::string& name) {
    Response r = server_.Post("/api/atlas/v2/types/typedefs",
                              {{"classificationDefs", {{{"name", name}, {"superTypes", json::array()},
                                                        {"attributeDefs", json::array()}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // User-defined DataSet and Process sub-types for synthetic graphs.
  void CreateLineageTypes() {
    json defs = {{"entityDefs",
                  {{{"name", "lin_dataset"}, {"superTypes", {"DataSet"}}, {"attributeDefs", json::array()}},
                   {{"name", "lin_process"}, {"superTypes", {"Process"}}, {"attributeDefs", json::array()}}}}};
    Response r = server_.Post("/api/atlas/v2/types/typedefs", defs);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static json Ref(const std::string& qn) {
    return {{"typeName", "lin_dataset"}, {"uniqueAttributes", {{"qualifiedName", qn}}}};
  }
  static json Dataset(const std::string& qn) {
    return {{"typeName", "lin_dataset"}, {"attributes", {{"qualifiedName", qn}, {"name", qn}}}};
  }
  static json Process(const std::string& qn, const std::vector<std::string>& ins,
                      const std::vector<std::string>& outs) {
    json i = json::array(), o = json::array();
    for (const auto& q : ins) i.push_back(Ref(q));
    for (const auto& q : outs) o.push_back(Ref(q));
    return {{"typeName", "lin_process"},
            {"attributes", {{"qualifiedName", qn}, {"name", qn}, {"inputs", i}, {"outputs", o}}}};
  }
  void Bulk(const json& entities) {
    Response r = server_.Post("/api/atlas/v2/entity/bulk", {{"entities", entities}});
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  }

  // T0 -> P0 -> T1 -> ... -> T9.
  void CreateChain() {
    json e = json::array();
    for (int i = 0; i < 10; ++i) e.push_back(Dataset("T" + std::to_string(i)));
    Bulk(e);
    e = json::array();
    for (int i = 0; i < 9; ++i)
      e.push_back(Process("P" + std::to_string(i), {"T" + std::to_string(i)}, {"T" + std::to_string(i + 1)}));
    Bulk(e);
  }

  static std::set<std::string> Names(const json& lineage) {
    std::set<std::string> out;
    for (auto& [g, h] : lineage["guidEntityMap"].items()) out.insert(h["attributes"].value("qualifiedName", ""));
    return out;
  }

  Server server_;
};

TEST_F(LineageTest, TableLineageOfTheTutorial) {
  LoadTutorial();
  const std::string by_zone = Guid("hive_table", "atlas_emr.trip_details_by_zone@primary");
  const std::string details = Guid("hive_table", "atlas_emr.trip_details@primary");
  const std::string lookup = Guid("hive_table", "atlas_emr.trip_zone_lookup@primary");
  const std::string process = Guid("hive_process", "atlas_emr.trip_details_by_zone@primary:1700000000000");

  json in = Lineage(by_zone, "direction=INPUT&depth=3");
  EXPECT_EQ(in["baseEntityGuid"], by_zone);
  EXPECT_EQ(in["lineageDirection"], "INPUT");
  EXPECT_EQ(in["lineageDepth"], 3);
  for (const auto& g : {by_zone, details, lookup, process}) EXPECT_TRUE(in["guidEntityMap"].contains(g)) << g;
  EXPECT_EQ(in["guidEntityMap"].size(), 4u);
  std::set<std::pair<std::string, std::string>> rels;
  for (const json& r : in["relations"]) {
    rels.emplace(r["fromEntityId"], r["toEntityId"]);
    EXPECT_FALSE(r.value("relationshipId", "").empty());
  }
  EXPECT_EQ(rels, (std::set<std::pair<std::string, std::string>>{
                      {details, process}, {lookup, process}, {process, by_zone}}));
  const json& header = in["guidEntityMap"][by_zone];
  EXPECT_EQ(header["typeName"], "hive_table");
  EXPECT_TRUE(header.contains("classificationNames"));
  EXPECT_TRUE(header.contains("classifications"));

  for (const auto& base : {details, lookup}) {
    json out = Lineage(base, "direction=OUTPUT");
    EXPECT_TRUE(out["guidEntityMap"].contains(by_zone));
    EXPECT_TRUE(out["guidEntityMap"].contains(process));
    EXPECT_FALSE(out["guidEntityMap"].contains(base == details ? lookup : details));
  }
  // The unique-attribute form and hideProcess.
  Response ua = server_.Get(
      "/api/atlas/v2/lineage/uniqueAttribute/type/hive_table?attr:qualifiedName=atlas_emr.trip_details_by_zone@primary"
      "&direction=INPUT&hideProcess=true");
  ASSERT_EQ(ua.status, 200) << ua.body;
  EXPECT_EQ(ua.Json()["guidEntityMap"].size(), 3u);
  EXPECT_EQ(ua.Json()["relations"].size(), 2u);
  // A process is a valid base: one hop each way.
  json p = Lineage(process, "direction=BOTH&depth=1");
  EXPECT_EQ(p["guidEntityMap"].size(), 4u);

  // Not a DataSet/Process, unknown guid, bad direction.
  Response db = server_.Get("/api/atlas/v2/lineage/" + Guid("hive_db", "atlas_emr@primary"));
  EXPECT_EQ(db.status, 404);
  EXPECT_EQ(db.Json()["errorCode"], "ATLAS-404-00-011");
  EXPECT_EQ(server_.Get("/api/atlas/v2/lineage/no-such-guid").status, 404);
  EXPECT_EQ(server_.Get("/api/atlas/v2/lineage/" + by_zone + "?direction=SIDEWAYS").status, 400);
}

TEST_F(LineageTest, ColumnLineageLeadsBackToTheSourceColumn) {
  LoadTutorial();
  const std::string col = Guid("hive_column", "atlas_emr.trip_details_by_zone.location_id@primary");
  const std::string src = Guid("hive_column", "atlas_emr.trip_details.location_id@primary");
  json in = Lineage(col, "direction=INPUT&depth=0");
  ASSERT_TRUE(in["guidEntityMap"].contains(src)) << in.dump();
  bool through_column_lineage = false;
  for (auto& [g, h] : in["guidEntityMap"].items()) through_column_lineage |= h["typeName"] == "hive_column_lineage";
  EXPECT_TRUE(through_column_lineage);
  EXPECT_EQ(in["guidEntityMap"].size(), 3u);
  json out = Lineage(src, "direction=OUTPUT");
  EXPECT_TRUE(out["guidEntityMap"].contains(col));
}

TEST_F(LineageTest, PropagationAddRemoveAndProcessDelete) {
  LoadTutorial();
  CreateClassification("PII");
  const std::string by_zone = Guid("hive_table", "atlas_emr.trip_details_by_zone@primary");
  const std::string details = Guid("hive_table", "atlas_emr.trip_details@primary");
  const std::string lookup = Guid("hive_table", "atlas_emr.trip_zone_lookup@primary");
  const std::string process = Guid("hive_process", "atlas_emr.trip_details_by_zone@primary:1700000000000");
  const std::string tag_path = "/api/atlas/v2/entity/guid/" + lookup + "/classifications";

  ASSERT_EQ(server_.Request("POST", tag_path, R"([{"typeName":"PII","propagate":true}])").status, 204);
  ASSERT_TRUE(WaitFor([&] { return HasTag(by_zone, "PII", lookup); })) << "PII never reached trip_details_by_zone";
  EXPECT_TRUE(HasTag(process, "PII", lookup));
  EXPECT_FALSE(HasTag(details, "PII", lookup));
  // Lineage headers show the propagated name.
  json in = Lineage(by_zone, "direction=INPUT");
  json names = in["guidEntityMap"][by_zone]["classificationNames"];
  EXPECT_NE(std::find(names.begin(), names.end(), "PII"), names.end());
  // A propagated copy cannot be deleted on the target.
  EXPECT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + by_zone + "/classification/PII").status, 400);

  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + lookup + "/classification/PII").status, 204);
  ASSERT_TRUE(WaitFor([&] { return !HasTag(by_zone, "PII", lookup); })) << "PII not retracted after removal";
  EXPECT_FALSE(HasTag(process, "PII", lookup));

  ASSERT_EQ(server_.Request("POST", tag_path, R"([{"typeName":"PII","propagate":true}])").status, 204);
  ASSERT_TRUE(WaitFor([&] { return HasTag(by_zone, "PII", lookup); }));
  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + process).status, 200);
  ASSERT_TRUE(WaitFor([&] { return !HasTag(by_zone, "PII", lookup); })) << "PII not retracted after process delete";
  EXPECT_TRUE(server_.WaitPropagation());
  // Deleted entities stay in lineage unless excluded.
  EXPECT_TRUE(Lineage(by_zone, "direction=INPUT")["guidEntityMap"].contains(process));
  EXPECT_TRUE(Lineage(by_zone, "direction=INPUT&excludeDeletedEntities=true")["guidEntityMap"].empty());
}

TEST_F(LineageTest, PropagationSwitches) {
  CreateLineageTypes();
  CreateChain();
  CreateClassification("PII");
  std::vector<std::string> t, p;
  for (int i = 0; i < 10; ++i) t.push_back(Guid("lin_dataset", "T" + std::to_string(i)));
  for (int i = 0; i < 9; ++i) p.push_back(Guid("lin_process", "P" + std::to_string(i)));

  // propagate=false and restrictPropagationThroughLineage: nothing flows.
  server_.Request("POST", "/api/atlas/v2/entity/guid/" + t[0] + "/classifications",
                  R"([{"typeName":"PII","propagate":false}])");
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_FALSE(HasTag(t[1], "PII", t[0]));
  server_.Request("PUT", "/api/atlas/v2/entity/guid/" + t[0] + "/classifications",
                  R"([{"typeName":"PII","propagate":true,"restrictPropagationThroughLineage":true}])");
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_FALSE(HasTag(t[1], "PII", t[0]));

  // Full flow to the end of the chain.
  server_.Request("PUT", "/api/atlas/v2/entity/guid/" + t[0] + "/classifications",
                  R"([{"typeName":"PII","propagate":true}])");
  ASSERT_TRUE(WaitFor([&] { return HasTag(t[9], "PII", t[0]); }));

  // A relationship set to NONE cuts the chain after T5 (the output edge of P5).
  json rel, into_t6 = Lineage(t[6], "direction=INPUT&depth=1");
  for (const json& r : into_t6["relations"])
    if (r["toEntityId"] == t[6]) rel = r;
  ASSERT_FALSE(rel.is_null());
  Response u = server_.Request("PUT", "/api/atlas/v2/relationship",
                               json{{"guid", rel["relationshipId"]}, {"propagateTags", "NONE"}}.dump());
  ASSERT_EQ(u.status, 200) << u.body;
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_TRUE(HasTag(t[5], "PII", t[0]));
  EXPECT_FALSE(HasTag(t[6], "PII", t[0]));
  EXPECT_FALSE(HasTag(t[9], "PII", t[0]));
  server_.Request("PUT", "/api/atlas/v2/relationship",
                  json{{"guid", rel["relationshipId"]}, {"propagateTags", "ONE_TO_TWO"}}.dump());
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_TRUE(HasTag(t[9], "PII", t[0]));

  // blockedPropagatedClassifications on the same edge.
  server_.Request("PUT", "/api/atlas/v2/relationship",
                  json{{"guid", rel["relationshipId"]}, {"blockedPropagatedClassifications", {"PII"}}}.dump());
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_FALSE(HasTag(t[6], "PII", t[0]));

  // A deleted source keeps its copies (marked DELETED) unless asked otherwise.
  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + t[0]).status, 200);
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_TRUE(HasTag(t[3], "PII", t[0]));
  json list = server_.Get("/api/atlas/v2/entity/guid/" + t[3] + "/classifications").Json()["list"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["entityStatus"], "DELETED");

  CreateClassification("Sensitive");
  server_.Request("POST", "/api/atlas/v2/entity/guid/" + t[1] + "/classifications",
                  R"([{"typeName":"Sensitive","propagate":true,"removePropagationsOnEntityDelete":true}])");
  ASSERT_TRUE(WaitFor([&] { return HasTag(t[4], "Sensitive", t[1]); }));
  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + t[1]).status, 200);
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_FALSE(HasTag(t[4], "Sensitive", t[1]));
}

// Lineage created after the tag carries it; a deleted middle node cuts only the paths through it.
TEST_F(LineageTest, PropagationFollowsNewLineageAndOtherPaths) {
  CreateLineageTypes();
  CreateClassification("PII");
  Bulk(json::array({Dataset("X"), Dataset("Z")}));
  const std::string x = Guid("lin_dataset", "X"), z = Guid("lin_dataset", "Z");
  server_.Request("POST", "/api/atlas/v2/entity/guid/" + x + "/classifications",
                  R"([{"typeName":"PII","propagate":true}])");
  Bulk(json::array({Process("XZ1", {"X"}, {"Z"}), Process("XZ2", {"X"}, {"Z"})}));
  ASSERT_TRUE(WaitFor([&] { return HasTag(z, "PII", x); }));
  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + Guid("lin_process", "XZ1")).status, 200);
  ASSERT_TRUE(server_.WaitPropagation());
  EXPECT_TRUE(HasTag(z, "PII", x)) << "the second path keeps the copy";
  ASSERT_EQ(server_.Request("DELETE", "/api/atlas/v2/entity/guid/" + Guid("lin_process", "XZ2")).status, 200);
  ASSERT_TRUE(WaitFor([&] { return !HasTag(z, "PII", x); }));
}

TEST_F(LineageTest, DepthAndNodeLimits) {
  CreateLineageTypes();
  CreateChain();
  const std::string t0 = Guid("lin_dataset", "T0"), t9 = Guid("lin_dataset", "T9");
  EXPECT_EQ(Names(Lineage(t0, "direction=OUTPUT&depth=3")),
            (std::set<std::string>{"T0", "P0", "T1", "P1", "T2", "P2", "T3"}));
  EXPECT_EQ(Lineage(t0, "direction=OUTPUT&depth=0")["guidEntityMap"].size(), 19u);
  EXPECT_EQ(Lineage(t0, "direction=OUTPUT&depth=0")["relations"].size(), 18u);
  EXPECT_EQ(Names(Lineage(t9, "direction=INPUT&depth=2")), (std::set<std::string>{"T9", "P8", "T8", "P7", "T7"}));
  EXPECT_TRUE(Lineage(t0, "direction=INPUT")["guidEntityMap"].empty());

  json cut = Lineage(t0, "direction=OUTPUT&depth=0&maxNodes=5");
  EXPECT_LE(cut["guidEntityMap"].size(), 5u);
  EXPECT_TRUE(cut["hasMore"].get<bool>());
  bool flagged = false;
  for (auto& [g, info] : cut["relationsOnDemand"].items()) flagged |= info["hasMoreOutputs"].get<bool>();
  EXPECT_TRUE(flagged) << cut.dump();
  EXPECT_FALSE(Lineage(t0, "direction=OUTPUT&depth=0")["hasMore"].get<bool>());

  // On-demand: per-node relation limits on a fan-out, then expanding one node.
  json e = json::array({Dataset("S")});
  std::vector<std::string> outs;
  for (int i = 0; i < 5; ++i) {
    outs.push_back("O" + std::to_string(i));
    e.push_back(Dataset(outs.back()));
  }
  Bulk(e);
  Bulk(json::array({Process("F", {"S"}, outs)}));
  const std::string s = Guid("lin_dataset", "S"), f = Guid("lin_process", "F");
  Response od = server_.Request(
      "POST", "/api/atlas/v2/lineage/" + s,
      json{{s, {{"direction", "OUTPUT"}, {"depth", 3}, {"outputRelationsLimit", 2}}}}.dump());
  ASSERT_EQ(od.status, 200) << od.body;
  json j = od.Json();
  EXPECT_EQ(j["guidEntityMap"].size(), 4u);  // S, F and two outputs
  EXPECT_TRUE(j["relationsOnDemand"][f]["hasMoreOutputs"].get<bool>());
  EXPECT_EQ(j["relationsOnDemand"][f]["outputRelationsCount"], 2);
  EXPECT_EQ(j["relationsOnDemand"][f]["totalOutputRelationsCount"], 5);
  od = server_.Request("POST", "/api/atlas/v2/lineage/" + s,
                       json{{s, {{"direction", "OUTPUT"}, {"outputRelationsLimit", 2}}},
                            {f, {{"outputRelationsLimit", 10}}}}.dump());
  EXPECT_EQ(od.Json()["guidEntityMap"].size(), 7u);
}

TEST_F(LineageTest, CyclesTerminateAndAreReportedOnce) {
  CreateLineageTypes();
  Bulk(json::array({Dataset("A"), Dataset("B")}));
  Bulk(json::array({Process("AB", {"A"}, {"B"}), Process("BA", {"B"}, {"A"}), Process("AA", {"A"}, {"A"})}));
  const std::string a = Guid("lin_dataset", "A");
  for (const char* dir : {"INPUT", "OUTPUT", "BOTH"}) {
    json l = Lineage(a, std::string("depth=0&direction=") + dir);
    EXPECT_EQ(l["guidEntityMap"].size(), 5u) << dir;
    EXPECT_EQ(l["relations"].size(), 6u) << dir;
    std::set<std::string> ids;
    for (const json& r : l["relations"]) ids.insert(r["relationshipId"]);
    EXPECT_EQ(ids.size(), l["relations"].size()) << dir;
  }
}

// kill -9 while a propagation to many entities runs; the restart finishes it.
TEST_F(LineageTest, PropagationResumesAfterKill) {
  CreateLineageTypes();
  CreateClassification("PII");
  // SRC -> FAN -> M0..M99, each Mi -> Pi -> 80 leaves: 8,200 downstream datasets.
  const int kMids = 100, kLeaves = 80;
  json e = json::array({Dataset("SRC")});
  std::vector<std::string> mids, leaves;
  for (int i = 0; i < kMids; ++i) {
    mids.push_back("M" + std::to_string(i));
    e.push_back(Dataset(mids.back()));
  }
  Bulk(e);
  Bulk(json::array({Process("FAN", {"SRC"}, mids)}));
  for (int i = 0; i < kMids; i += 25) {
    json ds = json::array(), ps = json::array();
    for (int m = i; m < i + 25; ++m) {
      std::vector<std::string> outs;
      for (int k = 0; k < kLeaves; ++k) {
        outs.push_back("L" + std::to_string(m) + "_" + std::to_string(k));
        ds.push_back(Dataset(outs.back()));
        leaves.push_back(outs.back());
      }
      ps.push_back(Process("P" + std::to_string(m), {mids[m]}, outs));
    }
    Bulk(ds);
    Bulk(ps);
  }
  ASSERT_TRUE(server_.WaitPropagation(120));
  const std::string src = Guid("lin_dataset", "SRC");
  ASSERT_EQ(server_.Request("POST", "/api/atlas/v2/entity/guid/" + src + "/classifications",
                            R"([{"typeName":"PII","propagate":true}])").status, 204);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  json status = server_.Get("/api/meridian/v1/propagation").Json();
  server_.Kill();
  EXPECT_GT(status.value("pending", 0), 0) << "propagation finished before the kill: " << status.dump();

  server_.Start();
  ASSERT_TRUE(server_.WaitPropagation(120));
  const size_t n = leaves.size();
  for (size_t i : {size_t{0}, n / 3, n / 2, n - 2, n - 1})
    EXPECT_TRUE(HasTag(Guid("lin_dataset", leaves[i]), "PII", src)) << leaves[i];
  EXPECT_TRUE(HasTag(Guid("lin_dataset", mids.back()), "PII", src));
  EXPECT_TRUE(HasTag(Guid("lin_process", "FAN"), "PII", src));
}

}  // namespace
}  // namespace meridian::lineage::testing
