// A follower's in-memory views and background workers over a replicated catalog:
// the lineage graph, the search index and the notification feed follow the leader's
// log; the writers (propagation, hook queue, deliveries) wait until the fence passes.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/catalog/catalog.h"
#include "meridian/hook/hook_worker.h"
#include "meridian/index/indexer.h"
#include "meridian/index/search_index.h"
#include "meridian/lineage/lineage_service.h"
#include "meridian/lineage/propagation_worker.h"
#include "meridian/notify/notification_feed.h"

#ifndef MERIDIAN_FIXTURES_DIR
#define MERIDIAN_FIXTURES_DIR "tests/fixtures"
#endif

namespace meridian {
namespace {

using nlohmann::json;

json Fixture(const std::string& name) {
  std::ifstream in(std::string(MERIDIAN_FIXTURES_DIR) + "/" + name);
  return json::parse(in);
}

// Polls `done` until it holds, for at most 20 s (a bound, not a timing expectation).
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

struct Node {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<catalog::Catalog> catalog;
  void Open(const std::string& dir) {
    store::StoreOptions options;
    options.wal_retention_mb = 16;
    auto s = store::Store::Open(dir, options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
    auto c = catalog::Catalog::Open(store.get(), {});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog = std::move(*c);
  }
};

void Follow(const catalog::Catalog& leader, catalog::Catalog& follower) {
  for (;;) {
    std::vector<store::LogBatch> batches;
    ASSERT_TRUE(leader.ReadLog(follower.LogPosition(), 1 << 16, &batches).ok());
    if (batches.empty()) return;
    for (const auto& b : batches) ASSERT_TRUE(follower.ApplyReplicated(b).ok());
  }
}

bool HasPropagated(const catalog::Catalog& c, const std::string& guid, const std::string& tag) {
  auto rec = c.LoadRecord(guid);
  if (!rec.ok()) return false;
  for (const json& p : rec->value("propagatedClassifications", json::array()))
    if (p.value("typeName", "") == tag) return true;
  return false;
}

const char kHookRecord[] = R"({"version": {"version": "1.0.0"}, "msgCreatedBy": "hive", "msgCreationTime": 1700000000600,
  "msgCompressionKind": "NONE", "msgSplitIdx": 1, "msgSplitCount": 1,
  "message": {"type": "ENTITY_CREATE_V2", "user": "hadoop", "entities": {"entities": [{"typeName": "hive_db",
  "guid": "-1", "attributes": {"qualifiedName": "from_hook@primary", "name": "from_hook", "clusterName": "primary"}}]}}})";

class ReplicaWorkersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-replica-workers-XXXXXX";
    root_ = mkdtemp(tmpl);
    leader_.Open(root_ + "/leader");
    std::filesystem::create_directories(root_ + "/follower");
    uint64_t sequence = 0;
    ASSERT_TRUE(leader_.catalog->Checkpoint(root_ + "/follower/store", &sequence).ok());
    follower_.Open(root_ + "/follower");
  }
  void TearDown() override {
    follower_.catalog.reset();
    follower_.store.reset();
    leader_.catalog.reset();
    leader_.store.reset();
    std::filesystem::remove_all(root_);
  }
  std::string Guid(const catalog::Catalog& c, const std::string& type, const std::string& qn) {
    auto g = c.FindByUniqueAttribute(type, "qualifiedName", qn);
    return g.ok() ? *g : "";
  }

  std::string root_;
  Node leader_, follower_;
};

TEST_F(ReplicaWorkersTest, FollowerViewsFollowTheLogAndItsWritersWaitForPromotion) {
  std::atomic<bool> promoted{false};
  catalog::Catalog& follower = *follower_.catalog;
  follower.SetWriteFence([&] { return promoted ? Status::Ok() : Status::Unavailable("not the leader"); });

  // The follower's views and workers, started as a server starts them.
  lineage::LineageService lineage(follower, {});
  ASSERT_TRUE(lineage.Attach().ok());
  lineage::PropagationWorker propagation(follower, lineage.graph(), {});
  hook::HookWorker hooks(follower, {});
  auto index = index::SearchIndex::Open(root_ + "/follower/index", {});
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  index::Indexer indexer(&follower, index->get(), {});
  notify::NotificationFeed feed(follower, {});
  auto delivery = feed.RegisterDelivery("kafka.test");
  ASSERT_TRUE(delivery.ok());
  propagation.Start();
  hooks.Start();
  ASSERT_TRUE(indexer.Start().ok());
  EXPECT_FALSE(hooks.CanSubmit());

  // The leader: types, lineage, a tag that propagates downstream, a hook message, a delivery mark.
  catalog::Catalog& leader = *leader_.catalog;
  ASSERT_TRUE(leader.CreateTypes({{"classificationDefs", {{{"name", "PII"}}}}}, "admin").ok());
  for (const char* f : {"tutorial_catalog.json", "tutorial_lineage.json"})
    ASSERT_TRUE(leader.CreateOrUpdate(Fixture(f)["entities"], json(), "admin").ok());
  const std::string details = Guid(leader, "hive_table", "atlas_emr.trip_details@primary");
  const std::string by_zone = Guid(leader, "hive_table", "atlas_emr.trip_details_by_zone@primary");
  ASSERT_FALSE(by_zone.empty());
  ASSERT_TRUE(leader.AddClassifications(details, json::array({{{"typeName", "PII"}}}), "admin").ok());
  {
    hook::HookWorker leader_hooks(leader, {});  // queues only: not started
    ASSERT_TRUE(leader_hooks.Submit({kHookRecord}, "rest").ok());
    notify::NotificationFeed leader_feed(leader, {});
    auto leader_delivery = leader_feed.RegisterDelivery("kafka.test");
    ASSERT_TRUE(leader_delivery.ok());
    ASSERT_TRUE((*leader_delivery)->MarkDelivered(2).ok());
  }
  Follow(leader, follower);
  const uint64_t position = leader.LogPosition();
  ASSERT_EQ(follower.LogPosition(), position);

  // Lineage on the follower, from its graph kept by commit observers, as on the leader.
  lineage::LineageService reference(leader, {});
  ASSERT_TRUE(reference.Attach().ok());
  auto mine = lineage.Lineage(details, {});
  auto theirs = reference.Lineage(details, {});
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_EQ(json::parse(*mine)["relations"].size(), json::parse(*theirs)["relations"].size());
  EXPECT_GE(json::parse(*mine)["relations"].size(), 2u);
  EXPECT_EQ(*mine, *theirs);

  // The follower's own search index gets every entity; its acknowledgements delete nothing.
  ASSERT_TRUE(indexer.WaitForLatest());
  size_t active = 0;
  ASSERT_TRUE(follower.ScanRecords([&](const std::string&, Result<json> r) {
    active += r.ok() && r->value("status", "") == "ACTIVE";
    return true;
  }).ok());
  EXPECT_EQ((*index)->DocumentCount(), active);
  EXPECT_GT(*follower.CountQueued(catalog::kIndexTopic, 0), 0u);

  // The writers wait: nothing consumed, nothing written.
  ASSERT_TRUE(Eventually([&] { return propagation.idle(); }));
  EXPECT_GT(*follower.CountQueued(catalog::kPropagationTopic, 0), 0u);
  EXPECT_EQ(follower.CountHookMessages(), 1u);
  EXPECT_EQ(hooks.applied(), 0u);
  EXPECT_FALSE(HasPropagated(follower, by_zone, "PII"));
  auto pending = (*delivery)->Next(10, std::chrono::milliseconds(1));
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  EXPECT_EQ((*delivery)->delivered(), 2u);  // the replicated mark
  EXPECT_EQ(follower.LogPosition(), position);
  EXPECT_EQ(leader.LogPosition(), position);

  // Promotion: the same workers take over.
  promoted = true;
  ASSERT_TRUE(Eventually([&] { return HasPropagated(follower, by_zone, "PII"); }));
  ASSERT_TRUE(Eventually([&] { return hooks.applied() == 1; }));
  EXPECT_EQ(hooks.pending(), 0u);
  EXPECT_FALSE(Guid(follower, "hive_db", "from_hook@primary").empty());
  EXPECT_TRUE(Eventually([&] { return *follower.CountQueued(catalog::kPropagationTopic, 0) == 0; }));
  // The indexer's next acknowledgement also deletes what it held back as a follower.
  ASSERT_TRUE(indexer.WaitForLatest());
  EXPECT_TRUE(Eventually([&] { return *follower.CountQueued(catalog::kIndexTopic, 0) == 0; }));
  pending = (*delivery)->Next(10, std::chrono::milliseconds(1));
  ASSERT_TRUE(pending.ok());
  ASSERT_FALSE(pending->empty());
  EXPECT_EQ(pending->front().sequence, 3u);

  indexer.Stop();
  hooks.Stop();
  propagation.Stop();
  feed.Stop();
}

}  // namespace
}  // namespace meridian
