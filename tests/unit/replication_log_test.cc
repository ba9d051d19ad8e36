// Replication primitives on real stores: a follower bootstrapped from the leader's
// checkpoint applies the leader's write-ahead log and ends up identical.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/catalog/catalog.h"

#ifndef MERIDIAN_FIXTURES_DIR
#define MERIDIAN_FIXTURES_DIR "tests/fixtures"
#endif

namespace meridian::catalog {
namespace {

using store::Family;

json Load(const std::string& name) {
  std::ifstream in(std::string(MERIDIAN_FIXTURES_DIR) + "/" + name);
  return json::parse(in);
}

// One server's data: a store and its catalog in `dir`.
struct Replica {
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Catalog> catalog;

  void Open(const store::StoreOptions& options = {}) {
    catalog.reset();
    store.reset();
    auto s = store::Store::Open(dir, options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
    auto c = Catalog::Open(store.get(), {});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog = std::move(*c);
  }
  void Close() {
    catalog.reset();
    store.reset();
  }
};

// Every key and value of every family.
std::map<std::pair<int, std::string>, std::string> Contents(const store::Store& st) {
  std::map<std::pair<int, std::string>, std::string> out;
  for (int f = 0; f < static_cast<int>(Family::kCount); ++f) {
    Status s = st.Scan(static_cast<Family>(f), "", [&](std::string_view k, std::string_view v) {
      out[{f, std::string(k)}] = std::string(v);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

// Applies the leader's log to the follower until it has caught up; the batches applied.
size_t Follow(const Catalog& leader, Catalog& follower, size_t max_bytes = 4096) {
  size_t applied = 0;
  for (;;) {
    std::vector<store::LogBatch> batches;
    Status read = leader.ReadLog(follower.LogPosition(), max_bytes, &batches);
    EXPECT_TRUE(read.ok()) << read.ToString();
    if (!read.ok() || batches.empty()) return applied;
    for (const auto& b : batches) {
      Status s = follower.ApplyReplicated(b);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return applied;
      ++applied;
    }
  }
}

json Db(const std::string& name) {
  return {{"typeName", "hive_db"}, {"attributes", {{"name", name}, {"qualifiedName", name + "@c"}, {"clusterName", "c"}}}};
}

class ReplicationLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/meridian-repl-XXXXXX";
    root_ = mkdtemp(tmpl);
    leader_.dir = root_ + "/leader";
    follower_.dir = root_ + "/follower";
    store::StoreOptions options;
    options.wal_retention_mb = 16;
    leader_.Open(options);
  }
  void TearDown() override {
    follower_.Close();
    leader_.Close();
    std::filesystem::remove_all(root_);
  }
  // The follower's data dir from a checkpoint of the leader; returns the checkpoint's log position.
  uint64_t Bootstrap() {
    std::filesystem::create_directories(follower_.dir);
    uint64_t sequence = 0, position = 0;
    Status s = leader_.catalog->Checkpoint(follower_.dir + "/store", &sequence, &position);
    EXPECT_TRUE(s.ok()) << s.ToString();
    follower_.Open();
    return position;
  }
  void Write(Replica& r, const json& entities) {
    auto m = r.catalog->CreateOrUpdate(entities, json(), "admin");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
  }
  std::string Guid(Replica& r, const std::string& type, const std::string& qn) {
    auto g = r.catalog->FindByUniqueAttribute(type, "qualifiedName", qn);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : "";
  }

  std::string root_;
  Replica leader_, follower_;
};

TEST_F(ReplicationLogTest, FollowerFromCheckpointAppliesTheLogAndMatchesTheLeader) {
  Write(leader_, Load("tutorial_catalog.json")["entities"]);
  const uint64_t at_checkpoint = leader_.catalog->LogPosition();
  const uint64_t position = Bootstrap();
  EXPECT_EQ(position, at_checkpoint);
  EXPECT_EQ(follower_.catalog->LogPosition(), at_checkpoint);
  uint64_t on_disk = 0;
  ASSERT_TRUE(Catalog::ReadCheckpointLogPosition(follower_.dir + "/store", &on_disk).ok());
  EXPECT_EQ(on_disk, at_checkpoint);

  EXPECT_EQ(follower_.catalog->last_sequence(), leader_.catalog->last_sequence());

  std::set<std::string> observed_entities;
  std::vector<EdgeChange> observed_edges;
  std::vector<uint64_t> entity_commits;  // last_sequence() seen by observers of entity changes
  follower_.catalog->AddCommitObserver([&](const CommitInfo& info) {
    observed_entities.insert(info.entities.begin(), info.entities.end());
    observed_edges.insert(observed_edges.end(), info.edges.begin(), info.edges.end());
    EXPECT_EQ(info.sequence, follower_.catalog->last_sequence());
    if (!info.entities.empty()) entity_commits.push_back(info.sequence);
  });

  // After the checkpoint: types, lineage, a classification, a soft delete and a purge.
  json types = {{"entityDefs", {{{"name", "replica_dataset"}, {"superTypes", {"DataSet"}}}}},
                {"classificationDefs", {{{"name", "Sensitive"}}}}};
  ASSERT_TRUE(leader_.catalog->CreateTypes(types, "admin").ok());
  Write(leader_, Load("tutorial_lineage.json")["entities"]);
  Write(leader_, json::array({{{"typeName", "replica_dataset"},
                               {"attributes", {{"qualifiedName", "rd1"}, {"name", "rd1"}}}}}));
  const std::string table = Guid(leader_, "hive_table", "atlas_emr.trip_details@primary");
  ASSERT_TRUE(leader_.catalog->AddClassifications(table, json::array({{{"typeName", "Sensitive"}}}), "admin").ok());
  const std::string column = Guid(leader_, "hive_column", "atlas_emr.trip_zone_lookup.zone@primary");
  ASSERT_TRUE(leader_.catalog->DeleteEntities({column}, "admin").ok());
  ASSERT_TRUE(leader_.catalog->PurgeEntities({column}, "admin").ok());

  EXPECT_EQ(follower_.catalog->types()->FindEntity("replica_dataset"), nullptr);
  EXPECT_GT(Follow(*leader_.catalog, *follower_.catalog), 5u);

  EXPECT_EQ(follower_.catalog->LogPosition(), leader_.catalog->LogPosition());
  EXPECT_EQ(Contents(*follower_.store), Contents(*leader_.store));
  EXPECT_EQ(follower_.catalog->last_sequence(), leader_.catalog->last_sequence());
  EXPECT_EQ(follower_.catalog->last_notification(), leader_.catalog->last_notification());
  EXPECT_GT(follower_.catalog->last_notification(), 0u);
  ASSERT_NE(follower_.catalog->types()->FindEntity("replica_dataset"), nullptr);
  EXPECT_NE(follower_.catalog->types()->Find("Sensitive"), nullptr);

  // Reads on the follower answer as on the leader.
  const std::string process = Guid(leader_, "hive_process", "atlas_emr.trip_details_by_zone@primary:1700000000000");
  EXPECT_EQ(Guid(follower_, "hive_process", "atlas_emr.trip_details_by_zone@primary:1700000000000"), process);
  EXPECT_EQ(follower_.catalog->GetEntity(process, {})->dump(), leader_.catalog->GetEntity(process, {})->dump());
  EXPECT_EQ(follower_.catalog->Classifications(*follower_.catalog->LoadRecord(table)).size(), 1u);

  // The observers saw what a local commit shows: the written and purged entities, lineage edges, removed edges.
  EXPECT_TRUE(observed_entities.count(process));
  EXPECT_TRUE(observed_entities.count(table));
  EXPECT_TRUE(observed_entities.count(column));
  EXPECT_TRUE(observed_entities.count(Guid(leader_, "replica_dataset", "rd1")));
  size_t lineage = 0, removed = 0;
  for (const auto& c : observed_edges) {
    if (!c.removed && (c.edge.attribute == "inputs" || c.edge.attribute == "outputs") && c.guid == process) {
      ++lineage;
      EXPECT_FALSE(c.edge.relationship.empty());
      EXPECT_FALSE(c.edge.type.empty());
      EXPECT_TRUE(c.edge.active);
    }
    if (c.removed && (c.guid == column || c.edge.other == column)) ++removed;
  }
  EXPECT_GE(lineage, 2u);
  EXPECT_GE(removed, 1u);
  // Every replicated entity change moves last_sequence() on (readers key caches on it).
  ASSERT_GE(entity_commits.size(), 5u);
  for (size_t i = 1; i < entity_commits.size(); ++i) EXPECT_GT(entity_commits[i], entity_commits[i - 1]);

  // The follower keeps following after a restart.
  follower_.Open();
  EXPECT_EQ(follower_.catalog->LogPosition(), leader_.catalog->LogPosition());
  Write(leader_, json::array({Db("after_restart")}));
  EXPECT_EQ(Follow(*leader_.catalog, *follower_.catalog), 1u);
  EXPECT_EQ(Contents(*follower_.store), Contents(*leader_.store));
}

// The leader keeps writing while it is checkpointed and followed, and while a second
// checkpoint flushes its memtables (a new log file): the follower still ends up identical.
TEST_F(ReplicationLogTest, FollowingWhileTheLeaderWritesAndFlushesConverges) {
  constexpr int kWrites = 1000;
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      json table = {{"typeName", "hive_table"},
                    {"attributes", {{"name", "t" + std::to_string(i)}, {"qualifiedName", "db.t" + std::to_string(i) + "@c"},
                                    {"db", {{"typeName", "hive_db"}, {"uniqueAttributes", {{"qualifiedName", "db@c"}}}}}}}};
      auto m = leader_.catalog->CreateOrUpdate(json::array({Db("db"), table}), json(), "admin");
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      ++written;
    }
  });
  while (written < kWrites / 4) std::this_thread::yield();
  const uint64_t position = Bootstrap();
  EXPECT_EQ(follower_.catalog->LogPosition(), position);
  Follow(*leader_.catalog, *follower_.catalog, 2048);
  uint64_t sequence = 0;
  ASSERT_TRUE(leader_.catalog->Checkpoint(root_ + "/flush", &sequence).ok());
  while (written < kWrites) Follow(*leader_.catalog, *follower_.catalog, 2048);
  writer.join();
  Follow(*leader_.catalog, *follower_.catalog);
  EXPECT_EQ(follower_.catalog->LogPosition(), leader_.catalog->LogPosition());
  EXPECT_EQ(Contents(*follower_.store), Contents(*leader_.store));
  EXPECT_EQ(follower_.catalog->last_sequence(), leader_.catalog->last_sequence());
}

TEST_F(ReplicationLogTest, BatchesOutOfOrderTwiceOrMalformedAreRefusedAndWriteNothing) {
  Bootstrap();
  Write(leader_, json::array({Db("a")}));
  Write(leader_, json::array({Db("b")}));
  std::vector<store::LogBatch> batches;
  ASSERT_TRUE(leader_.catalog->ReadLog(follower_.catalog->LogPosition(), 1 << 20, &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].sequence, follower_.catalog->LogPosition() + 1);
  EXPECT_EQ(batches[1].sequence, batches[0].sequence + batches[0].count);

  const auto before = Contents(*follower_.store);
  const uint64_t position = follower_.catalog->LogPosition();
  EXPECT_EQ(follower_.catalog->ApplyReplicated(batches[1]).code(), StatusCode::kFailedPrecondition);
  store::LogBatch truncated = batches[0];
  truncated.data.resize(truncated.data.size() / 2);
  EXPECT_EQ(follower_.catalog->ApplyReplicated(truncated).code(), StatusCode::kInvalidArgument);
  store::LogBatch miscounted = batches[0];
  miscounted.count += 1;
  EXPECT_EQ(follower_.catalog->ApplyReplicated(miscounted).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(follower_.catalog->LogPosition(), position);
  EXPECT_EQ(Contents(*follower_.store), before);

  ASSERT_TRUE(follower_.catalog->ApplyReplicated(batches[0]).ok());
  const auto after_first = Contents(*follower_.store);
  EXPECT_EQ(follower_.catalog->ApplyReplicated(batches[0]).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Contents(*follower_.store), after_first);
  ASSERT_TRUE(follower_.catalog->ApplyReplicated(batches[1]).ok());
  EXPECT_EQ(Contents(*follower_.store), Contents(*leader_.store));

  // Nothing newer: no batches. A reader ahead of this log is told so.
  ASSERT_TRUE(leader_.catalog->ReadLog(leader_.catalog->LogPosition(), 1 << 20, &batches).ok());
  EXPECT_TRUE(batches.empty());
  EXPECT_EQ(leader_.catalog->ReadLog(leader_.catalog->LogPosition() + 5, 1 << 20, &batches).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(ReplicationLogTest, ReadLogReturnsAtLeastOneBatchAndStopsNearMaxBytes) {
  Bootstrap();
  for (int i = 0; i < 5; ++i) Write(leader_, json::array({Db("m" + std::to_string(i))}));
  std::vector<store::LogBatch> batches;
  ASSERT_TRUE(leader_.catalog->ReadLog(follower_.catalog->LogPosition(), 1, &batches).ok());
  EXPECT_EQ(batches.size(), 1u);
  ASSERT_TRUE(leader_.catalog->ReadLog(follower_.catalog->LogPosition(), 1 << 20, &batches).ok());
  EXPECT_EQ(batches.size(), 5u);
}

TEST_F(ReplicationLogTest, FencedCatalogWritesNothingAcksNothingAndStillAppliesTheLog) {
  Bootstrap();
  std::atomic<bool> leader{false};
  follower_.catalog->SetWriteFence([&] {
    return leader ? Status::Ok() : Status::Unavailable("this server is not the leader");
  });
  EXPECT_EQ(follower_.catalog->WriteAllowed().code(), StatusCode::kUnavailable);

  Write(leader_, json::array({Db("x")}));
  const auto before = Contents(*follower_.store);
  const uint64_t position = follower_.catalog->LogPosition();
  auto m = follower_.catalog->CreateOrUpdate(json::array({Db("local")}), json(), "admin");
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(m.status().message(), "this server is not the leader");
  json types = {{"classificationDefs", {{{"name", "Local"}}}}};
  EXPECT_EQ(follower_.catalog->CreateTypes(types, "admin").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(follower_.catalog->types()->Find("Local"), nullptr);
  EXPECT_EQ(follower_.catalog->LogPosition(), position);
  EXPECT_EQ(Contents(*follower_.store), before);

  // Replication bypasses the fence.
  EXPECT_EQ(Follow(*leader_.catalog, *follower_.catalog), 1u);
  EXPECT_EQ(Contents(*follower_.store), Contents(*leader_.store));

  // The follower's consumer acknowledges: nothing is deleted.
  auto last = follower_.catalog->LastQueued(kIndexTopic);
  ASSERT_TRUE(last.ok());
  const uint64_t queued = *follower_.catalog->CountQueued(kIndexTopic, 0);
  ASSERT_GT(queued, 0u);
  EXPECT_TRUE(follower_.catalog->AckQueue(kIndexTopic, 0, *last).ok());
  EXPECT_EQ(*follower_.catalog->CountQueued(kIndexTopic, 0), queued);
  EXPECT_EQ(follower_.catalog->LogPosition(), leader_.catalog->LogPosition());

  // Promoted: the fence passes, and the next acknowledgement also deletes what was held back.
  leader = true;
  EXPECT_TRUE(follower_.catalog->WriteAllowed().ok());
  EXPECT_TRUE(follower_.catalog->AckQueue(kIndexTopic, *last, *last).ok());
  EXPECT_EQ(*follower_.catalog->CountQueued(kIndexTopic, 0), 0u);
  Write(follower_, json::array({Db("now_leader")}));
}

TEST_F(ReplicationLogTest, ReadLogOfAPurgedPositionIsNotFound) {
  // Without retention, log files are deleted once their data is flushed (here: by a
  // clean close, which flushes every family).
  Replica plain{root_ + "/plain", nullptr, nullptr};
  plain.Open();
  const uint64_t start = plain.catalog->LogPosition();
  Write(plain, json::array({Db("p1")}));
  Write(plain, json::array({Db("p2")}));
  std::vector<store::LogBatch> batches;
  ASSERT_TRUE(plain.catalog->ReadLog(start, 1 << 20, &batches).ok());  // still in the live log
  EXPECT_EQ(batches.size(), 2u);
  plain.Open();
  Status purged = plain.catalog->ReadLog(start, 1 << 20, &batches);
  EXPECT_EQ(purged.code(), StatusCode::kNotFound) << purged.ToString();
  EXPECT_NE(purged.message().find("checkpoint"), std::string::npos) << purged.message();
  EXPECT_TRUE(batches.empty());
  ASSERT_TRUE(plain.catalog->ReadLog(plain.catalog->LogPosition(), 1 << 20, &batches).ok());
  EXPECT_TRUE(batches.empty());
  // The same while running: a checkpoint flushes every family, and the log file before it goes.
  const uint64_t before_flush = plain.catalog->LogPosition();
  Write(plain, json::array({Db("p3")}));
  ASSERT_TRUE(plain.catalog->ReadLog(before_flush, 1 << 20, &batches).ok());
  EXPECT_EQ(batches.size(), 1u);
  uint64_t sequence = 0;
  ASSERT_TRUE(plain.catalog->Checkpoint(root_ + "/plain-copy", &sequence).ok());
  EXPECT_EQ(plain.catalog->ReadLog(before_flush, 1 << 20, &batches).code(), StatusCode::kNotFound);
  uint64_t none = 1;
  ASSERT_TRUE(Catalog::ReadCheckpointLogPosition(root_ + "/no-such-store", &none).ok());
  EXPECT_EQ(none, 0u);

  // With retention the same positions stay readable across the flush.
  const uint64_t kept_from = leader_.catalog->LogPosition();
  Write(leader_, json::array({Db("r1")}));
  Write(leader_, json::array({Db("r2")}));
  store::StoreOptions options;
  options.wal_retention_mb = 16;
  leader_.Open(options);
  ASSERT_TRUE(leader_.catalog->ReadLog(kept_from, 1 << 20, &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].sequence, kept_from + 1);
  plain.Close();
}

TEST_F(ReplicationLogTest, AckFloorKeepsEntriesUntilItPassesThem) {
  for (const char* name : {"f1", "f2", "f3"}) Write(leader_, json::array({Db(name)}));
  std::vector<Catalog::QueueEntry> entries;
  ASSERT_TRUE(leader_.catalog->ReadQueue(kIndexTopic, 0, 10, &entries).ok());
  ASSERT_EQ(entries.size(), 3u);
  std::atomic<uint64_t> floor{entries[0].sequence};
  leader_.catalog->SetQueueAckFloor(kIndexTopic, [&] { return floor.load(); });

  // The consumer acknowledges all three: only the first goes.
  ASSERT_TRUE(leader_.catalog->AckQueue(kIndexTopic, 0, entries[2].sequence).ok());
  std::vector<Catalog::QueueEntry> left;
  ASSERT_TRUE(leader_.catalog->ReadQueue(kIndexTopic, 0, 10, &left).ok());
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].sequence, entries[1].sequence);
  // The propagation topic has no floor.
  EXPECT_TRUE(leader_.catalog->AckQueue(kPropagationTopic, 0, entries[2].sequence).ok());

  // The floor rises past the second; the consumer's next acknowledgement starts beyond both.
  floor = entries[1].sequence;
  Write(leader_, json::array({Db("f4")}));
  std::vector<Catalog::QueueEntry> all;
  ASSERT_TRUE(leader_.catalog->ReadQueue(kIndexTopic, 0, 10, &all).ok());
  ASSERT_EQ(all.size(), 3u);
  const uint64_t fourth = all[2].sequence;
  ASSERT_TRUE(leader_.catalog->AckQueue(kIndexTopic, all[1].sequence, fourth).ok());
  ASSERT_TRUE(leader_.catalog->ReadQueue(kIndexTopic, 0, 10, &left).ok());
  ASSERT_EQ(left.size(), 2u);  // the third and fourth: above the floor
  EXPECT_EQ(left[0].sequence, all[1].sequence);

  // Once the floor has passed everything, the next acknowledgement (nothing new) deletes the rest.
  floor = fourth;
  ASSERT_TRUE(leader_.catalog->AckQueue(kIndexTopic, fourth, fourth).ok());
  EXPECT_EQ(*leader_.catalog->CountQueued(kIndexTopic, 0), 0u);
}

TEST_F(ReplicationLogTest, PromotedFollowerContinuesTheSequenceAndTheOldLeaderFollowsIt) {
  Bootstrap();
  Write(leader_, Load("tutorial_catalog.json")["entities"]);
  Write(leader_, json::array({Db("before_failover")}));
  Follow(*leader_.catalog, *follower_.catalog);
  const uint64_t leader_sequence = leader_.catalog->last_sequence();
  ASSERT_EQ(follower_.catalog->last_sequence(), leader_sequence);

  // Failover: the follower writes; its sequences continue after the leader's.
  auto m = follower_.catalog->CreateOrUpdate(json::array({Db("after_failover")}), json(), "admin");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_GT(m->sequence, leader_sequence);
  std::vector<Catalog::QueueEntry> entries;
  ASSERT_TRUE(follower_.catalog->ReadQueue(kIndexTopic, 0, 100, &entries).ok());
  ASSERT_FALSE(entries.empty());
  std::set<uint64_t> sequences;
  for (const auto& e : entries) EXPECT_TRUE(sequences.insert(e.sequence).second) << "sequence reused";
  EXPECT_GT(entries.back().sequence, leader_sequence);

  // The old leader, at the same log position, follows the new one.
  EXPECT_EQ(Follow(*follower_.catalog, *leader_.catalog), 1u);
  EXPECT_EQ(Contents(*leader_.store), Contents(*follower_.store));
  EXPECT_EQ(leader_.catalog->last_sequence(), m->sequence);
  EXPECT_TRUE(leader_.catalog->FindByUniqueAttribute("hive_db", "qualifiedName", "after_failover@c").ok());
}

}  // namespace
}  // namespace meridian::catalog
