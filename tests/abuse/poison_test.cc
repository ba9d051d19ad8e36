// One bad item cannot stop the background workers: a record the indexer cannot
// index, or a malformed propagation task, is recorded, skipped and reported,
// and everything else is still applied. The bad items are written straight
// into the store, as a damaged or older data directory would hold them.
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/catalog/catalog.h"
#include "meridian/index/indexer.h"
#include "meridian/index/search_index.h"
#include "meridian/lineage/lineage_graph.h"
#include "meridian/lineage/propagation_worker.h"
#include "meridian/store/store.h"

namespace meridian {
namespace {

using nlohmann::json;

json HiveDb(const std::string& name) {
  return {{"typeName", "hive_db"},
          {"attributes", {{"name", name}, {"qualifiedName", name + "@poison"}, {"clusterName", "poison"}}}};
}

class PoisonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-poison-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto st = store::Store::Open(dir_ + "/store", {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    auto cat = catalog::Catalog::Open(store_.get(), {});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
  }
  void TearDown() override {
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Create(const std::string& name) {
    auto m = catalog_->CreateOrUpdate(json::array({HiveDb(name)}), json(), "admin");
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? m->response["mutatedEntities"]["CREATE"][0].value("guid", "") : "";
  }

  // Writes `record` under `guid` and queues it for the indexer, bypassing the catalog's checks.
  void InjectRecord(const std::string& guid, const json& record) {
    store::Batch b;
    b.Put(store::Family::kEntities, guid, store::EncodeRecord(record));
    b.Put(store::Family::kQueue, store::keys::Queue(catalog::kIndexTopic, store_->NextSequence()),
          store::EncodeRecord({{"guids", {guid}}}));
    ASSERT_TRUE(store_->Write(b).ok());
  }

  void InjectBytes(const std::string& guid, const std::string& bytes) {
    store::Batch b;
    b.Put(store::Family::kEntities, guid, bytes);
    b.Put(store::Family::kQueue, store::keys::Queue(catalog::kIndexTopic, store_->NextSequence()),
          store::EncodeRecord({{"guids", {guid}}}));
    ASSERT_TRUE(store_->Write(b).ok());
  }

  void InjectTask(const json& task) {
    store::Batch b;
    b.Put(store::Family::kQueue, store::keys::Queue(catalog::kPropagationTopic, store_->NextSequence()),
          store::EncodeRecord(task));
    ASSERT_TRUE(store_->Write(b).ok());
  }

  static std::set<std::string> Guids(const index::SearchIndex& idx, const index::Query& q) {
    index::SearchRequest req;
    req.query = q;
    req.limit = 1000;
    auto hits = idx.Search(req);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    return hits.ok() ? std::set<std::string>(hits->guids.begin(), hits->guids.end()) : std::set<std::string>{};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
};

// A record whose document cannot be built (classifications that are not
// objects) in the middle of a round: the round is applied, the entity is
// recorded and still found by type, and a rebuild succeeds too.
TEST_F(PoisonTest, IndexerSkipsARecordItCannotIndex) {
  auto idx = index::SearchIndex::Open(dir_ + "/index", {});
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  index::Indexer indexer(catalog_.get(), idx->get());
  ASSERT_TRUE(indexer.Start().ok());
  const std::string a = Create("good_a");
  ASSERT_TRUE(indexer.WaitForLatest());
  InjectRecord("bad-1", {{"guid", "bad-1"}, {"typeName", "hive_db"}, {"status", "ACTIVE"},
                         {"attributes", {{"name", "bad"}}}, {"classifications", {5, "x"}}});
  const std::string b = Create("good_b");

  ASSERT_TRUE(indexer.WaitForLatest()) << "the indexer is stuck on the bad record";
  EXPECT_EQ(Guids(**idx, index::Query::AttributeEquals("name", "good_b")), std::set<std::string>{b});
  EXPECT_EQ(Guids(**idx, index::Query::Type("hive_db", true)), (std::set<std::string>{a, b, "bad-1"}));
  auto failures = indexer.failures().Current();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].id, "bad-1");
  EXPECT_NE(failures[0].reason.find("malformed"), std::string::npos) << failures[0].reason;
  EXPECT_EQ(indexer.failures().total(), 1u);
  indexer.Stop();

  // `meridian reindex` does the same.
  auto fresh = index::SearchIndex::Open(dir_ + "/index2", {});
  ASSERT_TRUE(fresh.ok());
  WorkerFailures rebuild_failures;
  uint64_t n = 0;
  Status s = index::Indexer::Rebuild(*catalog_, **fresh, &n, &rebuild_failures);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Guids(**fresh, index::Query::Type("hive_db", true)), (std::set<std::string>{a, b, "bad-1"}));
  EXPECT_EQ(rebuild_failures.total(), 1u);
}

// A record that is not an object, or not even decodable, is left out of the
// index and recorded, not retried forever; so in a rebuild.
TEST_F(PoisonTest, IndexerSkipsRecordsItCannotRead) {
  auto idx = index::SearchIndex::Open(dir_ + "/index", {});
  ASSERT_TRUE(idx.ok());
  index::Indexer indexer(catalog_.get(), idx->get());
  ASSERT_TRUE(indexer.Start().ok());
  ASSERT_TRUE(indexer.WaitForLatest());
  InjectRecord("bad-2", json::array({1, 2}));
  InjectBytes("bad-3", "\xc1\xc1 not msgpack");
  const std::string b = Create("good_c");
  ASSERT_TRUE(indexer.WaitForLatest()) << "the indexer is stuck on a bad record";
  EXPECT_EQ(Guids(**idx, index::Query::Type("hive_db", true)), std::set<std::string>{b});
  ASSERT_EQ(indexer.failures().Current().size(), 2u);
  EXPECT_EQ(indexer.failures().Current()[0].id, "bad-2");
  EXPECT_EQ(indexer.failures().Current()[1].id, "bad-3");
  indexer.Stop();

  auto fresh = index::SearchIndex::Open(dir_ + "/index2", {});
  ASSERT_TRUE(fresh.ok());
  Status s = index::Indexer::Rebuild(*catalog_, **fresh);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Guids(**fresh, index::Query::Type("hive_db", true)), std::set<std::string>{b});
}

// Malformed propagation tasks are recorded and skipped; the queue drains.
TEST_F(PoisonTest, PropagationWorkerSkipsMalformedTasks) {
  lineage::LineageGraph graph;
  ASSERT_TRUE(graph.Load(*catalog_).ok());
  lineage::PropagationWorker worker(*catalog_, graph, {});
  InjectTask({{"kind", "classification"}, {"guid", 5}, {"name", "PII"}});
  InjectTask({{"kind", "entity_deleted"}, {"guid", json::array({1})}});
  InjectTask({{"kind", "classification"}, {"guid", "no-such-entity"}, {"name", "PII"}});
  worker.Start();
  for (int i = 0; i < 3000 && worker.pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(worker.pending(), 0u) << "the propagation worker is stuck";
  EXPECT_EQ(worker.failures().total(), 2u);
  worker.Stop();
}

// The failure list stays bounded however many items fail, and forgets an item that succeeds later.
TEST(WorkerFailuresTest, BoundedAndResolvable) {
  WorkerFailures f;
  for (size_t i = 0; i < WorkerFailures::kMaxKept + 50; ++i) f.Record("g" + std::to_string(i), "bad");
  f.Record("g1000", "worse");  // again: counted, still one entry
  EXPECT_EQ(f.total(), WorkerFailures::kMaxKept + 51);
  auto current = f.Current();
  ASSERT_EQ(current.size(), WorkerFailures::kMaxKept);
  EXPECT_EQ(current.front().id, "g50");  // the oldest were dropped
  EXPECT_EQ(current.back().id, "g1000");
  EXPECT_EQ(current.back().reason, "worse");
  f.Resolve("g1000");
  EXPECT_EQ(f.Current().size(), WorkerFailures::kMaxKept - 1);
  EXPECT_EQ(f.ToJson()["current"], WorkerFailures::kMaxKept - 1);
}

}  // namespace
}  // namespace meridian
