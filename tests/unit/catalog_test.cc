#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/catalog/catalog.h"

#ifndef MERIDIAN_FIXTURES_DIR
#define MERIDIAN_FIXTURES_DIR "tests/fixtures"
#endif

namespace meridian::catalog {
namespace {

nlohmann::json Load(const std::string& name) {
  std::ifstream in(std::string(MERIDIAN_FIXTURES_DIR) + "/" + name);
  return nlohmann::json::parse(in);
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-catalog-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Reopen();
  }
  void TearDown() override {
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    catalog_.reset();
    store_.reset();
    auto s = store::Store::Open(dir_, {});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    auto c = Catalog::Open(store_.get(), {});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  json LoadTutorial() {
    json body = Load("tutorial_catalog.json");
    auto m = catalog_->CreateOrUpdate(body["entities"], json(), "admin");
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? m->response : json();
  }
  std::string Guid(const std::string& type, const std::string& qn) {
    auto g = catalog_->FindByUniqueAttribute(type, "qualifiedName", qn);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : "";
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

TEST(NewGuidTest, GuidsAreVersion7AndSortInTheOrderTheyWereMade) {
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i) {
    made.push_back(NewGuid());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (const std::string& g : made) {
    ASSERT_EQ(g.size(), 36u) << g;
    for (size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(g[i], '-') << g;
    EXPECT_EQ(g[14], '7') << g;                                       // version
    EXPECT_NE(std::string("89ab").find(g[19]), std::string::npos) << g;  // variant 1
  }
  EXPECT_TRUE(std::is_sorted(made.begin(), made.end()));
  // The leading 48 bits are the Unix milliseconds of creation.
  const long long millis = std::stoll(made[0].substr(0, 8) + made[0].substr(9, 4), nullptr, 16);
  EXPECT_LE(std::llabs(millis - NowMillis()), 60'000);
  EXPECT_NE(NewGuid(), NewGuid());
}

TEST_F(CatalogTest, TutorialCreatesEntitiesWithRelationshipsBothWays) {
  json r = LoadTutorial();
  EXPECT_EQ(r["mutatedEntities"]["CREATE"].size(), 1u + 3u + 7u + 4u + 11u);
  EXPECT_EQ(r["guidAssignments"].size(), 26u);
  std::string table = Guid("hive_table", "atlas_emr.trip_details@primary");
  auto e = catalog_->GetEntity(table, {});
  ASSERT_TRUE(e.ok());
  const json& rel = (*e)["entity"]["relationshipAttributes"];
  EXPECT_EQ(rel["db"]["displayText"], "atlas_emr");
  EXPECT_EQ(rel["db"]["relationshipType"], "hive_table_db");
  EXPECT_EQ(rel["columns"].size(), 7u);
  EXPECT_EQ((*e)["referredEntities"].size(), 7u);  // owned columns come with bodies
  std::string db = Guid("hive_db", "atlas_emr@primary");
  auto d = catalog_->GetEntity(db, {});
  EXPECT_EQ((*d)["entity"]["relationshipAttributes"]["tables"].size(), 3u);
  std::string col = Guid("hive_column", "atlas_emr.trip_details.location_id@primary");
  auto c = catalog_->GetEntity(col, {});
  EXPECT_EQ((*c)["entity"]["relationshipAttributes"]["table"]["guid"], table);
}

TEST_F(CatalogTest, SecondUpsertChangesNothing) {
  LoadTutorial();
  json r = LoadTutorial();
  EXPECT_FALSE(r.contains("mutatedEntities")) << r.dump();
  std::string table = Guid("hive_table", "atlas_emr.trip_details@primary");
  EXPECT_EQ((*catalog_->LoadRecord(table))["version"], 0);
}

TEST_F(CatalogTest, UpdateMergesAttributesAndBumpsVersion) {
  LoadTutorial();
  json e = {{"typeName", "hive_table"},
            {"attributes", {{"qualifiedName", "atlas_emr.trip_details@primary"}, {"name", "trip_details"},
                            {"description", "Taxi trips"}}}};
  auto m = catalog_->CreateOrUpdate(json::array({e}), json(), "steward");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->response["mutatedEntities"]["UPDATE"].size(), 1u);
  auto rec = catalog_->LoadRecord(Guid("hive_table", "atlas_emr.trip_details@primary"));
  EXPECT_EQ((*rec)["attributes"]["description"], "Taxi trips");
  EXPECT_EQ((*rec)["attributes"]["owner"], "hadoop");  // untouched attributes stay
  EXPECT_EQ((*rec)["version"], 1);
  EXPECT_EQ((*rec)["updatedBy"], "steward");
}

TEST_F(CatalogTest, DeleteIsSoftCascadesToOwnedChildrenAndReleasesName) {
  LoadTutorial();
  std::string table = Guid("hive_table", "atlas_emr.trip_zone_lookup@primary");
  auto m = catalog_->DeleteEntities({table}, "admin");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->response["mutatedEntities"]["DELETE"].size(), 1u + 4u);
  EXPECT_EQ((*catalog_->LoadRecord(table))["status"], "DELETED");
  EXPECT_FALSE(catalog_->FindByUniqueAttribute("hive_table", "qualifiedName", "atlas_emr.trip_zone_lookup@primary").ok());
  // The db is not deleted, and its relationship shows as deleted.
  std::string db = Guid("hive_db", "atlas_emr@primary");
  EXPECT_EQ((*catalog_->LoadRecord(db))["status"], "ACTIVE");
  // The name can be reused by a new entity.
  json again = {{"typeName", "hive_table"},
                {"attributes", {{"qualifiedName", "atlas_emr.trip_zone_lookup@primary"}, {"name", "trip_zone_lookup"}}}};
  auto c = catalog_->CreateOrUpdate(json::array({again}), json(), "admin");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->response["mutatedEntities"]["CREATE"].size(), 1u);
  // Unknown guid: not an error.
  auto none = catalog_->DeleteEntities({"no-such-guid"}, "admin");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->response.contains("mutatedEntities"));
  // Purge removes the deleted one for good.
  auto p = catalog_->PurgeEntities({table}, "admin");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->response["mutatedEntities"]["PURGE"].size(), 1u);
  EXPECT_FALSE(catalog_->LoadRecord(table).ok());
}

TEST_F(CatalogTest, ValidationErrorsWriteNothing) {
  json bad_ref = {{"typeName", "hive_table"},
                  {"attributes", {{"qualifiedName", "x.y@p"}, {"name", "y"},
                                  {"db", {{"typeName", "hive_db"}, {"uniqueAttributes", {{"qualifiedName", "nope@p"}}}}}}}};
  auto r = catalog_->CreateOrUpdate(json::array({bad_ref}), json(), "admin");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(catalog_->FindByUniqueAttribute("hive_table", "qualifiedName", "x.y@p").ok());
  json wrong_target = {{"typeName", "hive_table"},
                       {"guid", "-1"},
                       {"attributes", {{"qualifiedName", "x.y@p"}, {"name", "y"}, {"db", {{"guid", "-1"}}}}}};
  EXPECT_EQ(catalog_->CreateOrUpdate(json::array({wrong_target}), json(), "admin").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CatalogTest, ClassificationsAddListRemove) {
  LoadTutorial();
  json pii = {{"classificationDefs", {{{"name", "PII"}, {"attributeDefs", {{{"name", "level"}, {"typeName", "string"}}}}}}}};
  ASSERT_TRUE(catalog_->CreateTypes(pii, "admin").ok());
  EXPECT_EQ(catalog_->CreateTypes(pii, "admin").status().code(), StatusCode::kAlreadyExists);
  std::string table = Guid("hive_table", "atlas_emr.trip_zone_lookup@primary");
  ASSERT_TRUE(catalog_->AddClassifications(table, json::array({{{"typeName", "PII"}, {"attributes", {{"level", "high"}}}}}), "a").ok());
  Status dup = catalog_->AddClassifications(table, json::array({{{"typeName", "PII"}}}), "a");
  EXPECT_EQ(dup.atlas_code(), "ATLAS-400-00-01B");
  EXPECT_EQ(catalog_->AddClassifications(table, json::array({{{"typeName", "Nope"}}}), "a").code(), StatusCode::kNotFound);
  auto rec = catalog_->LoadRecord(table);
  json classes = catalog_->Classifications(*rec);
  ASSERT_EQ(classes.size(), 1u);
  EXPECT_EQ(classes[0]["entityGuid"], table);
  EXPECT_EQ(classes[0]["propagate"], true);
  EXPECT_EQ(catalog_->Header(*rec)["classificationNames"], json::array({"PII"}));
  // In use: the classification type cannot be deleted.
  EXPECT_EQ(catalog_->DeleteTypeByName("PII").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(catalog_->DeleteClassification(table, "PII", "", "a").ok());
  EXPECT_EQ(catalog_->DeleteClassification(table, "PII", "", "a").code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog_->DeleteTypeByName("PII").ok());
  auto audit = catalog_->Audit(table, {});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ((*audit)[0]["action"], "CLASSIFICATION_DELETE");  // newest first
}

TEST_F(CatalogTest, TypesSurviveReopenAndInUseTypesRejectIncompatibleChanges) {
  json t = {{"entityDefs", {{{"name", "my_dataset"}, {"superTypes", {"DataSet"}},
                             {"attributeDefs", {{{"name", "rows"}, {"typeName", "long"}, {"isOptional", true}}}}}}}};
  ASSERT_TRUE(catalog_->CreateTypes(t, "admin").ok());
  json e = {{"typeName", "my_dataset"}, {"attributes", {{"qualifiedName", "d1"}, {"name", "d1"}, {"rows", 5}}}};
  ASSERT_TRUE(catalog_->CreateOrUpdate(json::array({e}), json(), "admin").ok());
  Reopen();
  ASSERT_NE(catalog_->types()->FindEntity("my_dataset"), nullptr);
  json drop_attr = {{"entityDefs", {{{"name", "my_dataset"}, {"superTypes", {"DataSet"}}, {"attributeDefs", json::array()}}}}};
  EXPECT_EQ(catalog_->UpdateTypes(drop_attr, "admin").status().code(), StatusCode::kInvalidArgument);
  json add_attr = t;
  add_attr["entityDefs"][0]["attributeDefs"].push_back({{"name", "format"}, {"typeName", "string"}, {"isOptional", true}});
  auto up = catalog_->UpdateTypes(add_attr, "admin");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->at("entityDefs")[0]["version"], 2);
  EXPECT_EQ(catalog_->DeleteTypeByName("my_dataset").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->DeleteTypeByName("hive_table").code(), StatusCode::kFailedPrecondition);
}

TEST_F(CatalogTest, WritesAreAtomicAndQueueIndexWorkInTheSameBatch) {
  LoadTutorial();
  int queued = 0;
  ASSERT_TRUE(store_->Scan(store::Family::kQueue, store::keys::QueuePrefix(kIndexTopic),
                           [&](std::string_view, std::string_view) { ++queued; return true; }).ok());
  EXPECT_EQ(queued, 1);  // one entry for the whole request
  Reopen();  // everything acknowledged is there after reopening
  EXPECT_TRUE(catalog_->FindByUniqueAttribute("hive_column", "qualifiedName",
                                              "atlas_emr.trip_zone_lookup.zone@primary").ok());
}

// The durable queue as its consumers read it: in sequence order from a position,
// acknowledged entries gone, and the position kept across reads.
TEST_F(CatalogTest, QueueReadsInOrderFromAPositionAndAcknowledgedEntriesAreGone) {
  for (const std::string name : {"q1", "q2", "q3"}) {
    json db = {{"typeName", "hive_db"},
               {"attributes", {{"name", name}, {"qualifiedName", name + "@c"}, {"clusterName", "c"}}}};
    auto m = catalog_->CreateOrUpdate(json::array({db}), json(), "admin");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
  }
  std::vector<Catalog::QueueEntry> entries;
  ASSERT_TRUE(catalog_->ReadQueue(kIndexTopic, 0, 10, &entries).ok());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_LT(entries[0].sequence, entries[1].sequence);
  EXPECT_LT(entries[1].sequence, entries[2].sequence);
  EXPECT_EQ(entries[2].task["guids"].size(), 1u);
  EXPECT_EQ(*catalog_->LastQueued(kIndexTopic), entries[2].sequence);

  std::vector<Catalog::QueueEntry> after_first;
  ASSERT_TRUE(catalog_->ReadQueue(kIndexTopic, entries[0].sequence, 1, &after_first).ok());
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(after_first[0].sequence, entries[1].sequence);

  ASSERT_TRUE(catalog_->AckQueue(kIndexTopic, 0, entries[1].sequence).ok());
  EXPECT_EQ(*catalog_->CountQueued(kIndexTopic, 0), 1u);
  Reopen();  // acknowledgements are durable too
  std::vector<Catalog::QueueEntry> left;
  ASSERT_TRUE(catalog_->ReadQueue(kIndexTopic, 0, 10, &left).ok());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].sequence, entries[2].sequence);
}

// Edges written by a commit reach observers decoded, and ScanEdges reads the same state.
// Components register their observers from several threads while the server starts
// (the lineage graph loads in the background) and commits may already run.
TEST_F(CatalogTest, CommitObserversCanRegisterWhileCommitsRun) {
  constexpr int kCommits = 300;
  std::atomic<int> commits{0};
  std::thread writer([&] {
    for (int i = 0; i < kCommits; ++i) {
      const std::string name = "db" + std::to_string(i);
      json db = {{"typeName", "hive_db"}, {"attributes", {{"name", name}, {"qualifiedName", name + "@c"}, {"clusterName", "c"}}}};
      if (catalog_->CreateOrUpdate(json::array({db}), json(), "admin").ok()) ++commits;
    }
  });
  // Observers keep arriving for as long as the writer commits.
  std::deque<std::atomic<int>> seen;
  while (commits.load() < kCommits) {
    std::atomic<int>& counter = seen.emplace_back(0);
    catalog_->AddCommitObserver([&counter](const CommitInfo&) { ++counter; });
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  writer.join();
  ASSERT_EQ(commits.load(), kCommits);
  json last = {{"typeName", "hive_db"}, {"attributes", {{"name", "last"}, {"qualifiedName", "last@c"}, {"clusterName", "c"}}}};
  ASSERT_TRUE(catalog_->CreateOrUpdate(json::array({last}), json(), "admin").ok());
  // Every observer saw at least the commit made after it registered.
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_GE(seen[i].load(), 1) << "observer " << i;
}

TEST_F(CatalogTest, CommitObserversAndScanEdgesSeeTheSameLineageEdges) {
  std::vector<catalog::EdgeChange> seen;
  catalog_->AddCommitObserver([&](const CommitInfo& info) {
    for (const auto& c : info.edges)
      if (c.edge.attribute == "inputs" || c.edge.attribute == "outputs") seen.push_back(c);
  });
  LoadTutorial();
  auto table = [](const std::string& name) {
    return json{{"typeName", "hive_table"}, {"uniqueAttributes", {{"qualifiedName", "atlas_emr." + name + "@primary"}}}};
  };
  json process = {{"typeName", "hive_process"},
                  {"attributes", {{"name", "ctas"}, {"qualifiedName", "atlas_emr.ctas@primary"}, {"startTime", 1},
                                  {"endTime", 2}, {"userName", "hive"}, {"operationType", "CREATETABLE_AS_SELECT"},
                                  {"queryText", "create table ..."}, {"queryPlan", "{}"}, {"queryId", "q-1"},
                                  {"recentQueries", json::array()}, {"clusterName", "primary"},
                                  {"inputs", {table("trip_details"), table("trip_zone_lookup")}},
                                  {"outputs", {table("trip_details_by_zone")}}}}};
  auto m = catalog_->CreateOrUpdate(json::array({process}), json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<std::pair<std::string, catalog::Edge>> scanned;
  ASSERT_TRUE(catalog_->ScanEdges({"inputs", "outputs"}, [&](std::string_view guid, const catalog::Edge& e) {
    scanned.emplace_back(std::string(guid), e);
    return true;
  }).ok());
  ASSERT_EQ(scanned.size(), 3u);  // two inputs, one output
  ASSERT_EQ(scanned.size(), seen.size());
  for (const auto& [guid, e] : scanned) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const catalog::EdgeChange& c) {
      return c.guid == guid && c.edge.attribute == e.attribute && c.edge.other == e.other;
    });
    ASSERT_NE(it, seen.end()) << guid << " " << e.attribute << " " << e.other;
    EXPECT_FALSE(it->removed);
    EXPECT_EQ(it->edge.relationship, e.relationship);
    EXPECT_EQ(it->edge.type, e.type);
    EXPECT_TRUE(e.active);
    EXPECT_TRUE(catalog_->LoadRelationshipRecord(e.relationship).ok());
    EXPECT_TRUE(catalog_->IsEntityOfType(guid, "hive_process"));
    EXPECT_FALSE(catalog_->IsEntityOfType(guid, "hive_table"));
  }
}

// An earlier version stored typedefs as clients sent them, nulls included. Such a data
// directory opens, and every type reads and lists.
TEST_F(CatalogTest, StoredTypedefsInTheNullFormLoadAndList) {
  auto null_def = [](const std::string& name, const std::string& category) {
    return json{{"name", name}, {"category", category}, {"guid", name + "-guid"}, {"description", nullptr},
                {"serviceType", nullptr}, {"typeVersion", nullptr}, {"options", nullptr}, {"version", nullptr},
                {"attributeDefs", nullptr}, {"superTypes", nullptr}, {"subTypes", nullptr},
                {"entityTypes", nullptr}, {"relationshipAttributeDefs", nullptr}};
  };
  json entity = null_def("old_entity", "ENTITY");
  json table = null_def("old_table", "ENTITY");
  table["superTypes"] = {"DataSet", nullptr};
  table["attributeDefs"] = {{{"name", "kind"}, {"typeName", "old_enum"}, {"isOptional", true},
                             {"cardinality", "SINGLE"}, {"defaultValue", nullptr}, {"constraints", nullptr}}};
  json classification = null_def("old_tag", "CLASSIFICATION");
  json enumeration = null_def("old_enum", "ENUM");
  enumeration["elementDefs"] = {{{"value", "A"}, {"ordinal", 1}, {"description", nullptr}}};
  json rel = null_def("old_rel", "RELATIONSHIP");
  rel["endDef1"] = {{"type", "old_table"}, {"name", "entities"}, {"cardinality", "SET"}, {"isContainer", nullptr}};
  rel["endDef2"] = {{"type", "old_entity"}, {"name", "table"}, {"cardinality", "SINGLE"}, {"description", nullptr}};
  rel["propagateTags"] = nullptr;
  store::Batch batch;
  for (const json& d : {entity, table, classification, enumeration, rel})
    batch.Put(store::Family::kTypedefs, d["name"].get<std::string>(), store::EncodeRecord(d));
  ASSERT_TRUE(store_->Write(batch).ok());

  Reopen();
  auto reg = catalog_->types();
  for (const char* name : {"old_entity", "old_table", "old_tag", "old_enum", "old_rel"}) {
    const types::TypeDef* t = reg->Find(name);
    ASSERT_NE(t, nullptr) << name;
    json shown = reg->ToJson(*t);
    EXPECT_EQ(shown.dump().find("null"), std::string::npos) << shown.dump();
    EXPECT_EQ(reg->FindByGuid(std::string(name) + "-guid"), t);
  }
  EXPECT_TRUE(reg->Find("old_table")->IsA("DataSet"));
  EXPECT_NE(reg->Find("old_table")->FindRelationshipEnd("entities"), nullptr);
  for (const auto& [name, def] : reg->all()) EXPECT_NO_THROW(reg->ToJson(def)) << name;
  // And the old types can still be changed and used.
  json tagged = table;
  tagged["description"] = "now described";
  ASSERT_TRUE(catalog_->UpdateTypes({{"entityDefs", {tagged}}}, "admin").ok());
  json e = {{"typeName", "old_table"}, {"attributes", {{"qualifiedName", "t@old"}, {"name", "t"}, {"kind", "a"}}}};
  auto m = catalog_->CreateOrUpdate(json::array({e}), json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
}

// What Atlas's clients send for an entity: every unset envelope field null, attributes
// the type does not define, enum values in another case.
TEST_F(CatalogTest, EntityRequestsAreReadAsAtlasReadsThem) {
  json envelope = {{"typeName", "hive_db"}, {"guid", "-7"}, {"homeId", nullptr}, {"classifications", nullptr},
                   {"meanings", nullptr}, {"customAttributes", nullptr}, {"businessAttributes", nullptr},
                   {"labels", nullptr}, {"relationshipAttributes", nullptr}, {"status", nullptr},
                   {"isIncomplete", nullptr}, {"provenanceType", nullptr}, {"proxy", nullptr}, {"version", nullptr},
                   {"createdBy", nullptr}, {"updatedBy", nullptr}, {"createTime", nullptr}, {"updateTime", nullptr},
                   {"attributes", {{"qualifiedName", "lenient@p"}, {"name", "lenient"}, {"clusterName", "p"},
                                   {"notDefinedAnywhere", 1}, {"description", nullptr}}}};
  auto m = catalog_->CreateOrUpdate(json::array({envelope}), nullptr, "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::string db = Guid("hive_db", "lenient@p");
  auto rec = catalog_->LoadRecord(db);
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE((*rec)["attributes"].contains("notDefinedAnywhere"));

  json table = {{"typeName", "hive_table"},
                {"attributes", {{"qualifiedName", "lenient.t@p"}, {"name", "t"}, {"tableType", nullptr},
                                {"db", {{"guid", db}, {"typeName", nullptr}, {"uniqueAttributes", nullptr}}}}},
                {"classifications", nullptr}};
  m = catalog_->CreateOrUpdate(json::array({table}), json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  // Enum values match regardless of case and are stored as the type spells them.
  json types = {{"enumDefs", {{{"name", "lenient_kind"}, {"elementDefs", {{{"value", "MANAGED"}, {"ordinal", 1}}}}}}},
                {"entityDefs", {{{"name", "lenient_ds"}, {"superTypes", {"DataSet"}},
                                 {"attributeDefs", {{{"name", "kind"}, {"typeName", "lenient_kind"},
                                                     {"isOptional", true}}}}}}}};
  ASSERT_TRUE(catalog_->CreateTypes(types, "admin").ok());
  json ds = {{"typeName", "lenient_ds"}, {"attributes", {{"qualifiedName", "ds@p"}, {"name", "ds"}, {"kind", "Managed"}}}};
  m = catalog_->CreateOrUpdate(json::array({ds}), json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto ds_rec = catalog_->LoadRecord(Guid("lenient_ds", "ds@p"));
  EXPECT_EQ((*ds_rec)["attributes"]["kind"], "MANAGED");
  ds["attributes"]["kind"] = "UNMANAGED";
  EXPECT_EQ(catalog_->CreateOrUpdate(json::array({ds}), json(), "admin").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian::catalog
