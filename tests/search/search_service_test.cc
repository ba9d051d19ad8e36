// SearchService over a real store, catalog, Xapian index and indexer thread.
#include "meridian/search/search_service.h"

#include <atomic>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "meridian/server/http.h"
#include "test_server.h"

namespace meridian::search {
namespace {

using testing::Fixture;

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-search-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto st = store::Store::Open(dir_, {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto cat = catalog::Catalog::Open(store_.get(), {});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
    OpenIndex();
    ASSERT_TRUE(indexer_->Start().ok());

    json types = {{"classificationDefs",
                   {{{"name", "PII"},
                     {"superTypes", json::array()},
                     {"attributeDefs", {{{"name", "level"}, {"typeName", "string"}, {"isOptional", true},
                                         {"cardinality", "SINGLE"}}}}},
                    {{"name", "SENSITIVE_PII"}, {"superTypes", {"PII"}}, {"attributeDefs", json::array()}},
                    {{"name", "Finance"}, {"superTypes", json::array()}, {"attributeDefs", json::array()}}}}};
    auto created = catalog_->CreateTypes(types, "admin");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    json fixture = Fixture("tutorial_catalog.json");
    auto m = catalog_->CreateOrUpdate(fixture["entities"], json(), "admin");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    for (auto& [placeholder, guid] : m->response["guidAssignments"].items()) guids_[placeholder] = guid;
    // -12 vendor_id (trip_details), -17 location_id, -11 trip_details.
    ASSERT_TRUE(catalog_->AddClassifications(guids_["-12"], {{{"typeName", "PII"}, {"attributes", {{"level", "high"}}}}},
                                             "admin").ok());
    ASSERT_TRUE(catalog_->AddClassifications(guids_["-17"], {{{"typeName", "SENSITIVE_PII"}}}, "admin").ok());
    ASSERT_TRUE(catalog_->AddClassifications(guids_["-11"], {{{"typeName", "Finance"}}}, "admin").ok());
  }

  void TearDown() override {
    service_.reset();
    indexer_.reset();
    index_.reset();
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenIndex() {
    service_.reset();
    indexer_.reset();
    index_.reset();
    auto idx = index::SearchIndex::Open(dir_ + "/index", {});
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
    indexer_ = std::make_unique<index::Indexer>(catalog_.get(), index_.get());
    service_ = std::make_unique<SearchService>(catalog_.get(), index_.get(), indexer_.get());
  }

  json Basic(const json& params) {
    auto r = service_->Basic(params);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : json();
  }
  int64_t Count(const json& params) { return Basic(params).value("approximateCount", int64_t{-2}); }
  std::set<std::string> Names(const json& result) {
    std::set<std::string> out;
    for (const json& e : result.value("entities", json::array())) out.insert(e["attributes"].value("name", ""));
    return out;
  }
  json Filter(const std::string& attr, const std::string& op, const json& value) {
    return {{"typeName", "hive_column"},
            {"entityFilters", {{"attributeName", attr}, {"operator", op}, {"attributeValue", value}}}};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<index::SearchIndex> index_;
  std::unique_ptr<index::Indexer> indexer_;
  std::unique_ptr<SearchService> service_;
  std::map<std::string, std::string> guids_;
};

TEST_F(SearchServiceTest, TypeNameAndSubTypes) {
  EXPECT_EQ(Count({{"typeName", "hive_table"}}), 3);
  EXPECT_EQ(Count({{"typeName", "hive_column"}}), 22);
  EXPECT_EQ(Count({{"typeName", "DataSet"}}), 25);
  EXPECT_EQ(Count({{"typeName", "DataSet"}, {"includeSubTypes", false}}), 0);
  EXPECT_EQ(Count({{"typeName", "hive_table,hive_db"}}), 4);
  EXPECT_EQ(Count({{"typeName", "_ALL_ENTITY_TYPES"}}), 26);
  json r = Basic({{"typeName", "hive_db"}});
  EXPECT_EQ(r["queryType"], "BASIC");
  EXPECT_EQ(r["searchParameters"]["limit"], 100);
  ASSERT_EQ(r["entities"].size(), 1u);
  EXPECT_EQ(r["entities"][0]["attributes"]["qualifiedName"], "atlas_emr@primary");
  EXPECT_EQ(r["entities"][0]["attributes"]["owner"], "hadoop");
  auto bad = service_->Basic({{"typeName", "no_such_type"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SearchServiceTest, RequiresACriterion) {
  auto r = service_->Basic({{"limit", 10}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().atlas_code(), "ATLAS-400-00-047");
  auto f = service_->Basic({{"query", "trip"}, {"entityFilters", {{"attributeName", "name"}, {"operator", "="},
                                                                  {"attributeValue", "x"}}}});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SearchServiceTest, NoHitsOmitsEntities) {
  json r = Basic({{"typeName", "hive_table"}, {"query", "nothing_like_this"}});
  EXPECT_FALSE(r.contains("entities"));
  EXPECT_EQ(r["approximateCount"], 0);
}

TEST_F(SearchServiceTest, Classifications) {
  EXPECT_EQ(Count({{"classification", "PII"}}), 2);
  EXPECT_EQ(Count({{"classification", "PII"}, {"includeSubClassifications", false}}), 1);
  EXPECT_EQ(Count({{"classification", "SENSITIVE_PII"}}), 1);
  EXPECT_EQ(Count({{"classification", "*"}}), 3);
  EXPECT_EQ(Count({{"classification", "_CLASSIFIED"}}), 3);
  EXPECT_EQ(Count({{"classification", "_NOT_CLASSIFIED"}}), 23);
  EXPECT_EQ(Count({{"typeName", "hive_table"}, {"classification", "_NOT_CLASSIFIED"}}), 2);
  EXPECT_EQ(Count({{"typeName", "hive_column"}, {"classification", "PII"}}), 2);
  EXPECT_EQ(Count({{"classification", "PI*"}}), 1);  // PII only: SENSITIVE_PII does not start with PI
  EXPECT_EQ(Count({{"classification", "PII"}, {"tagFilters", {{"attributeName", "level"}, {"operator", "="},
                                                              {"attributeValue", "high"}}}}),
            1);
  auto bad = service_->Basic({{"classification", "NoSuchTag"}});
  EXPECT_EQ(bad.status().atlas_code(), "ATLAS-400-00-046");
  json r = Basic({{"classification", "Finance"}, {"includeClassificationAttributes", true}});
  ASSERT_EQ(r["entities"].size(), 1u);
  EXPECT_EQ(r["entities"][0]["classificationNames"], json::array({"Finance"}));
  EXPECT_EQ(r["entities"][0]["classifications"][0]["typeName"], "Finance");
}

TEST_F(SearchServiceTest, FreeTextAndFields) {
  EXPECT_EQ(Names(Basic({{"typeName", "hive_table"}, {"query", "trip_details"}})),
            (std::set<std::string>{"trip_details"}));
  // Identifier parts are words too.
  EXPECT_EQ(Count({{"typeName", "hive_table"}, {"query", "zone"}}), 2);
  EXPECT_EQ(Count({{"typeName", "hive_table"}, {"query", "trip_det*"}}), 2);
  EXPECT_EQ(Count({{"query", "\"Atlas tutorial database\""}}), 1);
  EXPECT_EQ(Count({{"query", "\"database tutorial\""}}), 0);
  EXPECT_EQ(Count({{"typeName", "hive_column"}, {"query", "location_id"}}), 2);
}

TEST_F(SearchServiceTest, EntityFilterOperators) {
  EXPECT_EQ(Count(Filter("name", "=", "location_id")), 2);
  EXPECT_EQ(Count(Filter("name", "eq", "LOCATION_ID")), 0);
  EXPECT_EQ(Count(Filter("name", "!=", "location_id")), 20);
  EXPECT_EQ(Count(Filter("position", "<", "1")), 3);
  EXPECT_EQ(Count(Filter("position", "lte", "1")), 6);
  EXPECT_EQ(Count(Filter("position", ">", "6")), 4);
  EXPECT_EQ(Count(Filter("position", ">=", "6")), 6);
  EXPECT_EQ(Count(Filter("name", "in", "zone,borough")), 4);
  EXPECT_EQ(Count(Filter("name", "like", "*_id")), 4);
  EXPECT_EQ(Count(Filter("name", "like", "pick*")), 2);
  EXPECT_EQ(Count(Filter("name", "startsWith", "location")), 4);
  EXPECT_EQ(Count(Filter("name", "endsWith", "zone")), 4);
  EXPECT_EQ(Count(Filter("name", "contains", "datetime")), 4);
  EXPECT_EQ(Count(Filter("name", "not_contains", "_")), 6);
  EXPECT_EQ(Count(Filter("comment", "isNull", "")), 22);
  EXPECT_EQ(Count(Filter("type", "notNull", "")), 22);
  EXPECT_EQ(Count(Filter("type", "notEmpty", "")), 22);
  EXPECT_EQ(Count(Filter("__timestamp", "timerange", "LAST_7_DAYS")), 22);
  EXPECT_EQ(Count(Filter("__timestamp", "timerange", "1,2")), 0);
  EXPECT_EQ(Count(Filter("__guid", "=", guids_["-12"])), 1);
  EXPECT_EQ(Count(Filter("__typeName", "=", "hive_column")), 22);
  EXPECT_EQ(Count(Filter("__state", "=", "ACTIVE")), 22);
  EXPECT_EQ(Count(Filter("__createdBy", "=", "admin")), 22);
  EXPECT_EQ(Count(Filter("__modifiedBy", "=", "admin")), 22);
  EXPECT_EQ(Count(Filter("__classificationNames", "=", "PII")), 1);
  EXPECT_EQ(Count(Filter("__classificationNames", "containsAny", "PII,SENSITIVE_PII")), 2);
  EXPECT_EQ(Count(Filter("__propagatedClassificationNames", "isNull", "")), 22);
  EXPECT_EQ(Count(Filter("__labels", "isNull", "")), 22);
  EXPECT_EQ(Count(Filter("__modificationTimestamp", ">", "0")), 22);
  auto bad = service_->Basic(Filter("no_such_attribute", "=", "x"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SearchServiceTest, NestedFiltersSortAndPaging) {
  json p = {{"typeName", "hive_column"},
            {"sortBy", "name"},
            {"sortOrder", "DESCENDING"},
            {"entityFilters",
             {{"condition", "OR"},
              {"criterion",
               {{{"attributeName", "name"}, {"operator", "startsWith"}, {"attributeValue", "pick"}},
                {{"condition", "AND"},
                 {"criterion",
                  {{{"attributeName", "type"}, {"operator", "="}, {"attributeValue", "string"}},
                   {{"attributeName", "position"}, {"operator", ">"}, {"attributeValue", "8"}}}}}}}}}};
  json r = Basic(p);
  EXPECT_EQ(r["approximateCount"], 4);  // 2 pickup_datetime, zone and service_zone of trip_details_by_zone
  std::vector<std::string> names;
  for (const json& e : r["entities"]) names.push_back(e["attributes"]["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"zone", "service_zone", "pickup_datetime", "pickup_datetime"}));
  p["limit"] = 2;
  p["offset"] = 1;
  r = Basic(p);
  ASSERT_EQ(r["entities"].size(), 2u);
  EXPECT_EQ(r["entities"][0]["attributes"]["name"], "service_zone");
  EXPECT_EQ(r["searchParameters"]["offset"], 1);
  // Sort on an attribute that is not indexed for sorting.
  json q = {{"typeName", "hive_column"}, {"sortBy", "position"}, {"limit", 3},
            {"entityFilters", {{"attributeName", "qualifiedName"}, {"operator", "startsWith"},
                               {"attributeValue", "atlas_emr.trip_zone_lookup."}}}};
  r = Basic(q);
  ASSERT_EQ(r["entities"].size(), 3u);
  EXPECT_EQ(r["entities"][0]["attributes"]["name"], "locationid");
  EXPECT_EQ(r["approximateCount"], 4);
}

TEST_F(SearchServiceTest, AttributesAndReferredEntities) {
  json r = Basic({{"typeName", "hive_table"}, {"query", "trip_details"}, {"attributes", {"db", "tableType"}},
                  {"entityFilters", {{"attributeName", "name"}, {"operator", "="}, {"attributeValue", "trip_details"}}}});
  ASSERT_EQ(r["entities"].size(), 1u);
  const json& h = r["entities"][0];
  EXPECT_EQ(h["attributes"]["tableType"], "EXTERNAL_TABLE");
  EXPECT_EQ(h["attributes"]["db"]["guid"], guids_["-1"]);
  EXPECT_EQ(r["referredEntities"][guids_["-1"]]["attributes"]["name"], "atlas_emr");
}

TEST_F(SearchServiceTest, DeletedEntities) {
  auto d = catalog_->DeleteEntities({guids_["-12"]}, "admin");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Count({{"typeName", "hive_column"}}), 22);
  EXPECT_EQ(Count({{"typeName", "hive_column"}, {"excludeDeletedEntities", true}}), 21);
  EXPECT_EQ(Count(Filter("__state", "=", "DELETED")), 1);
  ASSERT_TRUE(catalog_->PurgeEntities({guids_["-12"]}, "admin").ok());
  EXPECT_EQ(Count({{"typeName", "hive_column"}}), 21);
}

TEST_F(SearchServiceTest, ReadYourWrites) {
  for (int i = 0; i < 50; ++i) {
    std::string name = "ryw_db_" + std::to_string(i);
    json e = {{"typeName", "hive_db"},
              {"attributes", {{"name", name}, {"qualifiedName", name + "@primary"}, {"clusterName", "primary"}}}};
    auto m = catalog_->CreateOrUpdate(json::array({e}), json(), "admin");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    // No sleeping: the search itself waits for the indexer to reach this write.
    EXPECT_EQ(Count({{"typeName", "hive_db"}, {"query", name}}), 1) << name;
  }
  EXPECT_GE(indexer_->applied_sequence(), catalog_->last_sequence());
}

TEST_F(SearchServiceTest, QuickSuggestionsAttributeFullText) {
  auto q = service_->Quick({{"query", "trip"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)["searchResults"]["approximateCount"], 25);
  std::map<std::string, int> agg;
  for (const json& x : (*q)["aggregationMetrics"]["__typeName"]) agg[x["name"]] = x["count"];
  EXPECT_EQ(agg["hive_table"], 3);
  EXPECT_EQ(agg["hive_column"], 22);

  auto s = service_->Suggestions("trip_d", "");
  ASSERT_TRUE(s.ok());
  std::set<std::string> sug((*s)["suggestions"].begin(), (*s)["suggestions"].end());
  EXPECT_TRUE(sug.count("trip_details"));
  EXPECT_TRUE(sug.count("trip_distance"));

  auto a = service_->Attribute("", "atlas_emr.trip_zone", "hive_table", 0, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)["queryType"], "ATTRIBUTE");
  EXPECT_EQ(Names(*a), (std::set<std::string>{"trip_zone_lookup"}));

  auto f = service_->FullText("borough", false, 0, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)["queryType"], "FULL_TEXT");
  EXPECT_EQ((*f)["fullTextResult"].size(), 2u);
  EXPECT_TRUE((*f)["fullTextResult"][0].contains("score"));
}

TEST_F(SearchServiceTest, RelationshipSearch) {
  RelationshipSearch r;
  r.guid = guids_["-11"];
  r.relation = "columns";
  r.sort_by = "name";
  r.approximate_count = true;
  r.limit = 2;
  r.offset = 1;
  auto res = service_->Relationship(r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ((*res)["queryType"], "RELATIONSHIP");
  EXPECT_EQ((*res)["approximateCount"], 7);
  ASSERT_EQ((*res)["entities"].size(), 2u);
  EXPECT_EQ((*res)["entities"][0]["attributes"]["name"], "fare_amount");
  r.relation = "__hive_table.columns";
  r.limit = 0;
  r.offset = 0;
  res = service_->Relationship(r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ((*res)["entities"].size(), 7u);
  r.relation = "no_such_relation";
  EXPECT_FALSE(service_->Relationship(r).ok());
}

TEST_F(SearchServiceTest, QueueReplayAndRebuild) {
  // Writes made while no indexer runs stay queued and are applied on start.
  ASSERT_TRUE(service_->WaitForIndex().ok());
  indexer_->Stop();
  for (int i = 0; i < 5; ++i) {
    std::string name = "offline_" + std::to_string(i);
    json e = {{"typeName", "hive_db"},
              {"attributes", {{"name", name}, {"qualifiedName", name + "@primary"}, {"clusterName", "c"}}}};
    ASSERT_TRUE(catalog_->CreateOrUpdate(json::array({e}), json(), "admin").ok());
  }
  size_t queued = 0;
  ASSERT_TRUE(store_->Scan(store::Family::kQueue, store::keys::QueuePrefix(catalog::kIndexTopic),
                           [&](std::string_view, std::string_view) { return ++queued > 0; }).ok());
  EXPECT_EQ(queued, 5u);
  OpenIndex();
  ASSERT_TRUE(indexer_->Start().ok());
  EXPECT_EQ(Count({{"typeName", "hive_db"}}), 6);
  queued = 0;
  ASSERT_TRUE(store_->Scan(store::Family::kQueue, store::keys::QueuePrefix(catalog::kIndexTopic),
                           [&](std::string_view, std::string_view) { return ++queued > 0; }).ok());
  EXPECT_EQ(queued, 0u);

  // A rebuild from the store gives the same answers.
  indexer_->Stop();
  uint64_t n = 0;
  ASSERT_TRUE(index::Indexer::Rebuild(*catalog_, *index_, &n).ok());
  EXPECT_EQ(n, 31u);
  ASSERT_TRUE(indexer_->Start().ok());
  EXPECT_EQ(Count({{"typeName", "_ALL_ENTITY_TYPES"}}), 31);
  EXPECT_EQ(Count({{"classification", "PII"}}), 2);
}

TEST_F(SearchServiceTest, StoppedRebuildIsRedoneAtNextStart) {
  // A server stopped while it rebuilds its index stops at once; the next start rebuilds it whole.
  ASSERT_TRUE(service_->WaitForIndex().ok());
  indexer_->Stop();
  std::atomic<bool> stop{true};
  uint64_t n = 0;
  EXPECT_EQ(index::Indexer::Rebuild(*catalog_, *index_, &n, nullptr, &stop).code(), StatusCode::kUnavailable);
  EXPECT_EQ(n, 0u);
  OpenIndex();  // the next start
  ASSERT_TRUE(indexer_->Start().ok());
  EXPECT_EQ(Count({{"typeName", "_ALL_ENTITY_TYPES"}}), 26);
}

TEST_F(SearchServiceTest, IndexThatMissedDeletedQueueEntriesIsRebuilt) {
  // As on a follower whose index fell behind the leader's: the entries of writes this
  // index never applied are acknowledged (deleted) by someone else.
  ASSERT_TRUE(service_->WaitForIndex().ok());
  indexer_->Stop();
  for (int i = 0; i < 3; ++i) {
    std::string name = "missed_" + std::to_string(i);
    json e = {{"typeName", "hive_db"},
              {"attributes", {{"name", name}, {"qualifiedName", name + "@primary"}, {"clusterName", "c"}}}};
    ASSERT_TRUE(catalog_->CreateOrUpdate(json::array({e}), json(), "admin").ok());
  }
  auto last = catalog_->LastQueued(catalog::kIndexTopic);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(catalog_->AckQueue(catalog::kIndexTopic, 0, *last).ok());
  auto gone = catalog_->QueueAckedThrough(catalog::kIndexTopic);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, *last);

  OpenIndex();  // the same index directory: it still lacks the three databases
  ASSERT_TRUE(indexer_->Start().ok());
  // A later write wakes the indexer; it finds the gap and rebuilds.
  json e = {{"typeName", "hive_db"},
            {"attributes", {{"name", "after_gap"}, {"qualifiedName", "after_gap@primary"}, {"clusterName", "c"}}}};
  ASSERT_TRUE(catalog_->CreateOrUpdate(json::array({e}), json(), "admin").ok());
  EXPECT_EQ(Count({{"typeName", "hive_db"}, {"query", "missed_1"}}), 1);
  EXPECT_EQ(Count({{"typeName", "hive_db"}}), 5);
}

TEST_F(SearchServiceTest, TermName) {
  // Glossary assignments live in the record's "meanings" (written by the glossary module).
  auto rec = catalog_->LoadRecord(guids_["-11"]);
  ASSERT_TRUE(rec.ok());
  (*rec)["meanings"] = {{{"termGuid", "t-1"}, {"displayText", "Trip"}, {"qualifiedName", "Trip@Taxi"}}};
  store::Batch b;
  b.Put(store::Family::kEntities, guids_["-11"], store::EncodeRecord(*rec));
  b.Put(store::Family::kQueue, store::keys::Queue(catalog::kIndexTopic, store_->NextSequence()),
        store::EncodeRecord({{"guids", {guids_["-11"]}}}));
  ASSERT_TRUE(store_->Write(b).ok());
  // Any catalog write moves last_sequence past the direct write.
  ASSERT_TRUE(catalog_->ChangeLabels(guids_["-1"], {"tutorial"}, catalog::Catalog::LabelOp::kAdd, "admin").ok());
  EXPECT_EQ(Count({{"termName", "Trip@Taxi"}}), 1);
  EXPECT_EQ(Count({{"typeName", "hive_table"}, {"termName", "Trip"}}), 1);
  EXPECT_EQ(Count({{"termName", "Other@Taxi"}}), 0);
  EXPECT_EQ(Count(Filter("__labels", "=", "tutorial")), 0);
  EXPECT_EQ(Count({{"typeName", "hive_db"}, {"entityFilters", {{"attributeName", "__labels"}, {"operator", "="},
                                                               {"attributeValue", "tutorial"}}}}),
            1);
}

}  // namespace
}  // namespace meridian::search

namespace meridian::search {
namespace {

using namespace std::chrono_literals;

void ExpectGatewayTimeout(const Status& s) {
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  server::HttpResponse r = server::HttpResponse::Error(s);
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(json::parse(r.body).value("errorCode", ""), "ATLAS-504-00-001");
}

Deadline Cancelled() {
  Deadline d;
  d.Cancel();
  return d;
}

TEST_F(SearchServiceTest, SearchesStopAtAnExpiredOrCancelledDeadline) {
  const json indexed = {{"typeName", "hive_column"}, {"query", "trip"}};
  const json filtered = Filter("name", "startsWith", "trip");
  ASSERT_TRUE(service_->Basic(indexed).ok());
  ASSERT_TRUE(service_->Basic(filtered).ok());
  for (const Deadline& d : {Deadline::After(0ms), Cancelled()}) {
    ExpectGatewayTimeout(service_->Basic(indexed, d).status());
    ExpectGatewayTimeout(service_->Basic(filtered, d).status());
    ExpectGatewayTimeout(service_->Quick({{"query", "trip"}}, d).status());
    ExpectGatewayTimeout(service_->FullText("trip", false, 10, 0, d).status());
    ExpectGatewayTimeout(service_->Attribute("name", "trip", "hive_column", 10, 0, d).status());
  }
}

TEST_F(SearchServiceTest, WaitForTheIndexEndsAtTheDeadline) {
  // The indexer is stopped, so a new write is not searchable: the wait (5 s by default) gives up at the
  // request's deadline instead.
  indexer_->Stop();
  auto m = catalog_->CreateOrUpdate(
      {{{"typeName", "hive_db"}, {"attributes", {{"qualifiedName", "late@primary"}, {"name", "late"},
                                                 {"clusterName", "primary"}}}}},
      json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectGatewayTimeout(service_->Basic({{"typeName", "hive_db"}}, Deadline::After(50ms)).status());
  EXPECT_EQ(service_->WaitForIndex(Deadline::After(50ms)).code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace meridian::search
