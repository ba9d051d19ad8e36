#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "meridian/store/store.h"

namespace meridian::store {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/meridian-unit-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(KeyCodec, BigEndianRoundTripAndOrder) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 1ull << 40, ~0ull}) {
    std::string s;
    keys::PutBigEndian64(&s, v);
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(keys::GetBigEndian64(s), v);
  }
  EXPECT_LT(keys::Queue("index", 9), keys::Queue("index", 10));
  EXPECT_LT(keys::Queue("index", 255), keys::Queue("index", 256));
  EXPECT_EQ(keys::QueueSeq(keys::Queue("index", 123456789)), 123456789u);
}

TEST(KeyCodec, EdgeKeysParseBack) {
  std::string k = keys::Edge("g1", "columns", "g2");
  std::string_view attr, other;
  ASSERT_TRUE(keys::ParseEdge(k, &attr, &other));
  EXPECT_EQ(attr, "columns");
  EXPECT_EQ(other, "g2");
  EXPECT_EQ(k.rfind(keys::EdgePrefix("g1", "columns"), 0), 0u);
  // A guid that is a prefix of another must not match its neighbours' prefix.
  EXPECT_NE(keys::Edge("g10", "a", "x").rfind(keys::EdgePrefix("g1"), 0), 0u);
}

TEST(Store, BatchIsAtomicAndScansAreBounded) {
  TempDir dir;
  auto s = Store::Open(dir.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Batch b;
  b.Put(Family::kEdges, keys::Edge("a", "x", "1"), "r1");
  b.Put(Family::kEdges, keys::Edge("a", "x", "2"), "r2");
  b.Put(Family::kEdges, keys::Edge("a", "y", "3"), "r3");
  b.Put(Family::kEdges, keys::Edge("ab", "x", "4"), "r4");
  ASSERT_TRUE((*s)->Write(b).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*s)->Scan(Family::kEdges, keys::EdgePrefix("a", "x"), [&](std::string_view, std::string_view v) {
                  seen.emplace_back(v);
                  return true;
                }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"r1", "r2"}));
  seen.clear();
  ASSERT_TRUE((*s)->Scan(Family::kEdges, keys::EdgePrefix("a"), [&](std::string_view, std::string_view v) {
                  seen.emplace_back(v);
                  return true;
                }).ok());
  EXPECT_EQ(seen.size(), 3u);
  std::string v;
  EXPECT_EQ((*s)->Get(Family::kEntities, "missing", &v).code(), StatusCode::kNotFound);
}

TEST(Store, BatchedReadsMatchSingleReads) {
  TempDir dir;
  auto s = Store::Open(dir.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Batch b;
  b.Put(Family::kEntities, "g1", "one");
  b.Put(Family::kEntities, "g3", "three");
  b.Put(Family::kEdges, keys::Edge("a", "x", "1"), "r1");
  b.Put(Family::kEdges, keys::Edge("a", "y", "2"), "r2");
  b.Put(Family::kEdges, keys::Edge("ab", "x", "3"), "r3");
  b.Put(Family::kEdges, keys::Edge("c", "x", "4"), "r4");
  ASSERT_TRUE((*s)->Write(b).ok());

  std::vector<std::string> values;
  std::vector<Status> got = (*s)->MultiGet(Family::kEntities, {"g3", "g2", "g1"}, &values);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].ok());
  EXPECT_EQ(values[0], "three");
  EXPECT_EQ(got[1].code(), StatusCode::kNotFound);
  EXPECT_TRUE(got[2].ok());
  EXPECT_EQ(values[2], "one");
  EXPECT_TRUE((*s)->MultiGet(Family::kEntities, {}, &values).empty());

  // Each prefix's keys reach fn with that prefix's index, whatever the order given;
  // a key under two prefixes (one extending the other) is passed once.
  std::vector<std::pair<size_t, std::string>> seen;
  auto collect = [&](size_t i, std::string_view, std::string_view v) {
    seen.emplace_back(i, std::string(v));
    return true;
  };
  ASSERT_TRUE((*s)->ScanPrefixes(Family::kEdges, {keys::EdgePrefix("c"), keys::EdgePrefix("zz"), keys::EdgePrefix("a")},
                                 collect).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<size_t, std::string>>{{2, "r1"}, {2, "r2"}, {0, "r4"}}));
  seen.clear();
  ASSERT_TRUE((*s)->ScanPrefixes(Family::kEdges, {keys::EdgePrefix("a", "y"), keys::EdgePrefix("a")}, collect).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<size_t, std::string>>{{1, "r1"}, {1, "r2"}}));
  seen.clear();
  ASSERT_TRUE((*s)->ScanPrefixes(Family::kEdges, {keys::EdgePrefix("ab"), keys::EdgePrefix("a")},
                                 [&](size_t i, std::string_view k, std::string_view v) {
                                   collect(i, k, v);
                                   return false;  // stops the whole scan
                                 }).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<size_t, std::string>>{{1, "r1"}}));
}

// Scans of one owner's keys use the owner bloom filters of the edge, audit and
// propagation families; they must return exactly what a total-order scan does,
// across memtables and several SST files, for owners that prefix one another.
TEST(Store, OwnerScansMatchTotalOrderScans) {
  TempDir dir;
  for (int round = 0; round < 3; ++round) {  // each reopen flushes the last round into a file of its own
    auto s = Store::Open(dir.path(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Batch b;
    const std::string r = std::to_string(round);
    b.Put(Family::kEdges, keys::Edge("a", "x", r), "a" + r);
    b.Put(Family::kEdges, keys::Edge("ab", "x", r), "ab" + r);
    b.Put(Family::kEdges, keys::Edge("only" + r, "x", "1"), "only" + r);
    b.Put(Family::kAudit, keys::Audit("a", 1000 + round, round), "audit" + r);
    ASSERT_TRUE((*s)->Write(b).ok());
  }
  auto s = Store::Open(dir.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Batch b;  // and one round still in the memtable
  b.Put(Family::kEdges, keys::Edge("a", "y", "m"), "am");
  ASSERT_TRUE((*s)->Write(b).ok());

  auto values = [&](Family f, std::string_view prefix, std::string_view start_after = {}) {
    std::vector<std::string> out;
    EXPECT_TRUE((*s)->Scan(f, prefix, [&](std::string_view, std::string_view v) {
      out.emplace_back(v);
      return true;
    }, start_after).ok());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(values(Family::kEdges, keys::EdgePrefix("a")), (V{"a0", "a1", "a2", "am"}));
  EXPECT_EQ(values(Family::kEdges, keys::EdgePrefix("a", "y")), (V{"am"}));
  EXPECT_EQ(values(Family::kEdges, keys::EdgePrefix("only1")), (V{"only1"}));
  EXPECT_EQ(values(Family::kEdges, keys::EdgePrefix("nobody")), (V{}));
  EXPECT_EQ(values(Family::kEdges, keys::EdgePrefix("a"), keys::Edge("a", "x", "0")), (V{"a1", "a2", "am"}));
  // Prefixes that name no whole owner cross owners, in key order.
  EXPECT_EQ(values(Family::kEdges, "a"), (V{"a0", "a1", "a2", "am", "ab0", "ab1", "ab2"}));
  EXPECT_EQ(values(Family::kEdges, "").size(), 10u);
  EXPECT_EQ(values(Family::kAudit, keys::AuditPrefix("a")), (V{"audit0", "audit1", "audit2"}));

  std::vector<std::string> seen;
  ASSERT_TRUE((*s)->ScanPrefixes(Family::kEdges, {keys::EdgePrefix("only2"), keys::EdgePrefix("a"), keys::EdgePrefix("zz")},
                                 [&](size_t, std::string_view, std::string_view v) {
                                   seen.emplace_back(v);
                                   return true;
                                 }).ok());
  EXPECT_EQ(seen, (V{"a0", "a1", "a2", "am", "only2"}));
}

TEST(Store, SequenceSurvivesReopen) {
  TempDir dir;
  uint64_t last;
  {
    auto s = Store::Open(dir.path(), {});
    ASSERT_TRUE(s.ok());
    (*s)->NextSequence();
    last = (*s)->NextSequence();
    Batch b;
    b.Put(Family::kMeta, "k", "v");
    ASSERT_TRUE((*s)->Write(b).ok());
  }
  auto s = Store::Open(dir.path(), {});
  ASSERT_TRUE(s.ok());
  EXPECT_GT((*s)->NextSequence(), last);
}

TEST(Store, BackgroundWorkSettlesAfterFlushes) {
  TempDir dir;
  StoreOptions options;
  options.memtable_budget_mb = 1;  // every few batches fill the memtables and flush them
  auto s = Store::Open(dir.path(), options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::atomic<bool> writing{true};
  std::atomic<uint64_t> most_running{0};
  std::thread watcher([&] {
    while (writing) {
      most_running = std::max<uint64_t>(most_running, (*s)->Background().running);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  const std::string value(4096, 'v');
  for (int round = 0; round < 40; ++round) {
    Batch b;
    for (int i = 0; i < 100; ++i) b.Put(Family::kEntities, "e" + std::to_string(round * 100 + i), value);
    Status written = (*s)->Write(b);
    EXPECT_TRUE(written.ok()) << written.ToString();
  }
  writing = false;
  watcher.join();
  EXPECT_GE(most_running, 1u);  // 16 MB through 1 MB of memtables: flushes were seen running
  Store::BackgroundWork work = (*s)->Background();
  for (int i = 0; i < 500 && (work.running > 0 || work.pending_bytes > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    work = (*s)->Background();
  }
  EXPECT_EQ(work.running, 0u);
  EXPECT_EQ(work.pending_bytes, 0u);
}

TEST(Store, RefusesAnotherSchemaVersion) {
  TempDir dir;
  {
    auto s = Store::Open(dir.path(), {});
    ASSERT_TRUE(s.ok());
    Batch b;
    b.Put(Family::kMeta, "schema_version", "999");
    ASSERT_TRUE((*s)->Write(b).ok());
  }
  auto s = Store::Open(dir.path(), {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("schema version 999"), std::string::npos);
}

TEST(Record, MsgpackRoundTrip) {
  nlohmann::json j = {{"a", 1}, {"b", {1, 2, "x"}}, {"c", {{"d", nullptr}}}};
  auto back = DecodeRecord(EncodeRecord(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, j);
  EXPECT_FALSE(DecodeRecord("\xc1garbage").ok());
}

TEST(Record, SummaryKeepsScalarsOfTheRecordAndItsAttributesOnly) {
  nlohmann::json record = {
      {"typeName", "hive_table"}, {"guid", "g1"}, {"status", "ACTIVE"}, {"version", 3},
      {"labels", {"a", "b"}},
      {"classifications", {{{"typeName", "PII"}, {"attributes", {{"level", 1}}}}}},
      {"attributes",
       {{"name", "t1"}, {"qualifiedName", "db.t1@cl"}, {"retention", 7}, {"temporary", false}, {"comment", nullptr},
        {"parameters", {{"k", "v"}}}, {"columns", {"c1", "c2"}}}}};
  auto summary = DecodeRecordSummary(EncodeRecord(record));
  ASSERT_TRUE(summary.ok());
  nlohmann::json expected = {
      {"typeName", "hive_table"}, {"guid", "g1"}, {"status", "ACTIVE"}, {"version", 3},
      {"attributes",
       {{"name", "t1"}, {"qualifiedName", "db.t1@cl"}, {"retention", 7}, {"temporary", false}, {"comment", nullptr}}}};
  EXPECT_EQ(*summary, expected);
  // A record without attributes still has an (empty) attributes object.
  auto bare = DecodeRecordSummary(EncodeRecord({{"guid", "g2"}}));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ((*bare)["attributes"], nlohmann::json::object());
  EXPECT_FALSE(DecodeRecordSummary("\xc1garbage").ok());
}

TEST(Record, SummaryBuildsTheFieldsAskedForWhole) {
  nlohmann::json classifications = {{{"typeName", "PII"}, {"attributes", {{"level", 1}, {"tags", {"x", {{"y", 2}}}}}}},
                                    {{"typeName", "SENSITIVE"}, {"propagate", false}}};
  nlohmann::json record = {{"guid", "g1"},
                           {"labels", {"a"}},
                           {"classifications", classifications},
                           {"propagatedClassifications", nlohmann::json::array()},
                           {"attributes", {{"name", "t1"}, {"columns", {"c1"}}, {"parameters", {{"k", "v"}}}}}};
  constexpr std::string_view kWhole[] = {"classifications", "propagatedClassifications"};
  auto summary = DecodeRecordSummary(EncodeRecord(record), kWhole);
  ASSERT_TRUE(summary.ok());
  nlohmann::json expected = {{"guid", "g1"},
                             {"classifications", classifications},
                             {"propagatedClassifications", nlohmann::json::array()},
                             {"attributes", {{"name", "t1"}}}};
  EXPECT_EQ(*summary, expected);
}

}  // namespace
}  // namespace meridian::store
