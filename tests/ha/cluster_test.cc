// A real high-availability cluster on loopback: a ZooKeeper server and three Meridian
// servers, each with its own data dir and port.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "test_server.h"
#include "zookeeper_server.h"

namespace meridian::testing {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kSessionTimeoutMs = 2000;

struct Member {
  std::string id;
  int port = 0;
  std::unique_ptr<TestServer> server;
};

class Cluster {
 public:
  // `extra`: more [ha] settings, one per line.
  explicit Cluster(const std::string& ack, std::string extra = "") : ack_(ack), extra_(std::move(extra)) {}
  bool Start(int members) {
    if (!zk_.Start()) return false;
    for (int i = 1; i <= members; ++i) {
      Member m;
      m.id = "m" + std::to_string(i);
      m.port = FreePort();
      config_dir_ = std::filesystem::temp_directory_path() / ("meridian-ha-" + std::to_string(getpid()));
      std::filesystem::create_directories(config_dir_);
      const std::string config = (config_dir_ / (m.id + ".toml")).string();
      std::ofstream(config) << "[ha]\nzookeeper = \"" << zk_.connect_string() << "\"\nserver_id = \"" << m.id
                            << "\"\nurl = \"http://127.0.0.1:" << m.port << "\"\ncluster_secret = \"s3cret-for-tests\"\n"
                            << "ack = \"" << ack_ << "\"\nsession_timeout_ms = " << kSessionTimeoutMs
                            << "\nquorum_timeout_ms = 3000\n" << extra_;
      m.server = std::make_unique<TestServer>(std::vector<std::string>{"--config", config}, m.port);
      if (!m.server->Start()) return false;
      // The first member leads; the others join it as followers.
      if (i == 1 && !WaitForRole(0, "ACTIVE", std::chrono::seconds(15))) return false;
      members_.push_back(std::move(m));
    }
    return true;
  }
  ~Cluster() {
    members_.clear();
    std::error_code ec;
    std::filesystem::remove_all(config_dir_, ec);
  }
  Member& at(size_t i) { return members_[i]; }
  size_t size() const { return members_.size(); }
  std::string Role(size_t i) {
    auto r = Request(members_[i].port, "GET", "/api/atlas/admin/status", "", "");
    return r.status == 200 ? r.Json().value("Status", "") : "";
  }
  bool WaitForRole(size_t i, const std::string& role, std::chrono::seconds timeout) {
    const auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (i < members_.size() ? Role(i) == role : true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // Index of the member that reports ACTIVE, waiting up to `timeout`; -1 if none.
  int WaitForLeader(std::chrono::milliseconds timeout, int except = -1) {
    const auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      for (size_t i = 0; i < members_.size(); ++i)
        if (static_cast<int>(i) != except && members_[i].server->pid() > 0 && Role(i) == "ACTIVE") return static_cast<int>(i);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  // The servers' logs, for a failure message.
  std::string Logs() {
    std::string out;
    for (auto& m : members_) {
      std::ifstream in(m.server->data_dir() + "/server.log");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.size() > 6000) text = text.substr(text.size() - 6000);
      out += "---- " + m.id + "\n" + text;
    }
    return out;
  }
  json ClusterStatus(size_t i) { return Request(members_[i].port, "GET", "/api/meridian/v1/admin/cluster").Json(); }
  ZooKeeperServer& zk() { return zk_; }

 private:
  std::string ack_;
  std::string extra_;
  ZooKeeperServer zk_;
  std::filesystem::path config_dir_;
  std::vector<Member> members_;
};

// These tests need Debian's zookeeper package (and java); without them they are skipped.
#define SKIP_WITHOUT_ZOOKEEPER()                                                 \
  if (std::string why = ZooKeeperServer::Unavailable(); !why.empty()) GTEST_SKIP() << why

json Db(const std::string& name) {
  return {{"entity",
           {{"typeName", "hive_db"},
            {"attributes", {{"qualifiedName", name + "@cl1"}, {"name", name}, {"clusterName", "cl1"}}}}}};
}

std::string CreatedGuid(const HttpResult& r) {
  auto j = r.Json();
  if (!j.is_object() || !j.contains("mutatedEntities")) return "";
  for (const auto& [op, list] : j["mutatedEntities"].items())
    for (const auto& e : list) return e.value("guid", "");
  return "";
}

TEST(HaCluster, WritesThroughAnyServerAreReadableOnEveryServer) {
  SKIP_WITHOUT_ZOOKEEPER();
  Cluster cluster("leader");
  ASSERT_TRUE(cluster.Start(3));
  EXPECT_EQ(cluster.Role(0), "ACTIVE");
  EXPECT_EQ(cluster.Role(1), "PASSIVE");
  EXPECT_EQ(cluster.Role(2), "PASSIVE");

  for (size_t writer = 0; writer < cluster.size(); ++writer) {
    const std::string name = "sales_" + std::to_string(writer);
    auto created = Request(cluster.at(writer).port, "POST", "/api/atlas/v2/entity", Db(name).dump());
    ASSERT_EQ(created.status, 200) << created.body;
    const std::string guid = CreatedGuid(created);
    ASSERT_FALSE(guid.empty()) << created.body;
    const std::string position = created.headers["x-meridian-log-position"];
    ASSERT_FALSE(position.empty()) << "a write answers with its log position";
    for (size_t reader = 0; reader < cluster.size(); ++reader) {
      // Read-your-writes on any member: the read waits until that member holds the write.
      auto read = Request(cluster.at(reader).port, "GET", "/api/atlas/v2/entity/guid/" + guid, "", "admin:admin",
                          {{"X-Meridian-Read-After", position}});
      ASSERT_EQ(read.status, 200) << "member " << reader << ": " << read.body;
      EXPECT_EQ(read.Json()["entity"]["attributes"]["name"], name);
    }
  }
  // A type created through a follower is there, on that follower, as soon as the write answers.
  for (int i = 0; i < 5; ++i) {
    const std::string name = "Tag" + std::to_string(i);
    json types = {{"classificationDefs", {{{"name", name}, {"superTypes", json::array()}, {"attributeDefs", json::array()}}}}};
    auto created = Request(cluster.at(2).port, "POST", "/api/atlas/v2/types/typedefs", types.dump());
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(Request(cluster.at(2).port, "GET", "/api/atlas/v2/types/typedef/name/" + name).status, 200) << name;
  }
  // Followers keep their own search index.
  for (size_t reader = 0; reader < cluster.size(); ++reader) {
    auto found = Request(cluster.at(reader).port, "GET", "/api/atlas/v2/search/basic?typeName=hive_db&query=sales_2");
    ASSERT_EQ(found.status, 200) << found.body;
    ASSERT_TRUE(found.Json().contains("entities")) << "member " << reader << ": " << found.body;
    EXPECT_EQ(found.Json()["entities"].size(), 1u) << "member " << reader;
  }
  // A follower refuses nothing a user may do, but never writes itself: its store is the leader's.
  auto status = cluster.ClusterStatus(1);
  EXPECT_EQ(status["role"], "PASSIVE");
  EXPECT_EQ(status["leader"]["id"], "m1");
  EXPECT_EQ(status["members"].size(), 3u);
  // Every member's role, position and lag in the Prometheus metrics.
  auto scraped = Request(cluster.at(1).port, "GET", "/api/meridian/v1/metrics/prometheus");
  ASSERT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("meridian_ha_member_leader{member=\"m1\"} 1"), std::string::npos) << scraped.body;
  EXPECT_NE(scraped.body.find("meridian_ha_member_leader{member=\"m3\"} 0"), std::string::npos);
  EXPECT_NE(scraped.body.find("meridian_ha_member_behind{member=\"m2\"}"), std::string::npos);
  EXPECT_NE(scraped.body.find("meridian_ha_member_log_position{member=\"m3\"}"), std::string::npos);
  EXPECT_NE(scraped.body.find("meridian_ha_leader 0"), std::string::npos);
  // The replication API is for the cluster's servers only.
  EXPECT_EQ(Request(cluster.at(0).port, "GET", "/api/meridian/v1/replication/log?after=0&id=x").status, 401);
  // Members stop cleanly, followers first and then the leader.
  for (size_t i : {2, 1, 0}) EXPECT_TRUE(cluster.at(i).server->Stop()) << "member " << i << " did not exit cleanly";
}

TEST(HaCluster, LeaderKilledDuringQuorumWritesLosesNoAcknowledgedWriteAndRejoins) {
  SKIP_WITHOUT_ZOOKEEPER();
  Cluster cluster("quorum");
  ASSERT_TRUE(cluster.Start(3));
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  // Writers send to the leader directly and, once it is gone, to whoever leads.
  std::atomic<int> target{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&] {
      while (!stop) {
        const int t = target.load();
        auto r = Request(cluster.at(t).port, "POST", "/api/atlas/v2/entity", Db("q" + std::to_string(next++)).dump());
        if (r.status == 200) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(CreatedGuid(r));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto killed_at = Clock::now();
  cluster.at(0).server->Kill9();
  const int leader = cluster.WaitForLeader(std::chrono::seconds(10), 0);
  const double failover_s = std::chrono::duration<double>(Clock::now() - killed_at).count();
  ASSERT_GE(leader, 1) << "no new leader within 10 s\n" << cluster.Logs();
  std::printf("new leader m%d after %.2f s\n", leader + 1, failover_s);
  target = leader;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(acknowledged.size(), 20u);

  // Every write acknowledged in quorum mode is on the new leader.
  size_t missing = 0;
  for (const auto& guid : acknowledged)
    if (Request(cluster.at(leader).port, "GET", "/api/atlas/v2/entity/guid/" + guid).status != 200) ++missing;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged writes";

  // The killed leader rejoins as a follower and converges.
  ASSERT_TRUE(cluster.at(0).server->Start()) << cluster.Logs();
  ASSERT_TRUE(cluster.WaitForRole(0, "PASSIVE", std::chrono::seconds(20)));
  const uint64_t leader_position = cluster.ClusterStatus(leader)["logPosition"];
  const auto until = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < until && cluster.ClusterStatus(0)["logPosition"].get<uint64_t>() < leader_position)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(cluster.ClusterStatus(0)["logPosition"].get<uint64_t>(), leader_position);
  size_t missing_on_rejoined = 0;
  for (const auto& guid : acknowledged)
    if (Request(cluster.at(0).port, "GET", "/api/atlas/v2/entity/guid/" + guid).status != 200) ++missing_on_rejoined;
  EXPECT_EQ(missing_on_rejoined, 0u);
}

TEST(HaCluster, WritesOnlyTheOldLeaderHeldAreDiscardedWhenItRejoins) {
  SKIP_WITHOUT_ZOOKEEPER();
  Cluster cluster("leader");
  ASSERT_TRUE(cluster.Start(3));
  auto shared = Request(cluster.at(0).port, "POST", "/api/atlas/v2/entity", Db("replicated").dump());
  ASSERT_EQ(shared.status, 200);
  const std::string shared_position = shared.headers["x-meridian-log-position"];
  for (size_t i : {1, 2})
    ASSERT_EQ(Request(cluster.at(i).port, "GET", "/api/atlas/v2/entity/guid/" + CreatedGuid(shared), "", "admin:admin",
                      {{"X-Meridian-Read-After", shared_position}}).status, 200);
  // The followers go away; the leader (ack = leader) still acknowledges writes only it holds.
  cluster.at(1).server->Kill9();
  cluster.at(2).server->Kill9();
  std::vector<std::string> lonely;
  for (int i = 0; i < 5; ++i) {
    auto r = Request(cluster.at(0).port, "POST", "/api/atlas/v2/entity", Db("lonely_" + std::to_string(i)).dump());
    ASSERT_EQ(r.status, 200) << r.body;
    lonely.push_back(CreatedGuid(r));
  }
  cluster.at(0).server->Kill9();
  // The followers come back and elect one of them: it never had the lonely writes.
  ASSERT_TRUE(cluster.at(1).server->Start()) << cluster.Logs();
  ASSERT_TRUE(cluster.at(2).server->Start()) << cluster.Logs();
  const int leader = cluster.WaitForLeader(std::chrono::seconds(20), 0);
  ASSERT_GE(leader, 1) << cluster.Logs();
  // The old leader rejoins: it discards what the new leader never had, and says how much.
  ASSERT_TRUE(cluster.at(0).server->Start()) << cluster.Logs();
  ASSERT_TRUE(cluster.WaitForRole(0, "PASSIVE", std::chrono::seconds(20)));
  auto status = cluster.ClusterStatus(0);
  EXPECT_GT(status["discardedOnJoin"].get<uint64_t>(), 0u) << status.dump();
  EXPECT_EQ(Request(cluster.at(0).port, "GET", "/api/atlas/v2/entity/guid/" + lonely[0]).status, 404);
  EXPECT_EQ(Request(cluster.at(0).port, "GET", "/api/atlas/v2/entity/guid/" + CreatedGuid(shared)).status, 200);
  // And it follows the new leader from there.
  auto next = Request(cluster.at(leader).port, "POST", "/api/atlas/v2/entity", Db("after_rejoin").dump());
  ASSERT_EQ(next.status, 200);
  EXPECT_EQ(Request(cluster.at(0).port, "GET", "/api/atlas/v2/entity/guid/" + CreatedGuid(next), "", "admin:admin",
                    {{"X-Meridian-Read-After", next.headers["x-meridian-log-position"]}}).status, 200);
}

TEST(HaCluster, FollowerWhosePositionLeftTheLeadersLogStartsAgainFromACheckpoint) {
  SKIP_WITHOUT_ZOOKEEPER();
  // No log kept past a flush: a follower that was away cannot continue from its position.
  Cluster cluster("leader", "wal_retention_mb = 0\n");
  ASSERT_TRUE(cluster.Start(2));
  cluster.at(1).server->Kill9();
  std::string guid, position;
  for (int i = 0; i < 30; ++i) {
    auto r = Request(cluster.at(0).port, "POST", "/api/atlas/v2/entity", Db("while_away_" + std::to_string(i)).dump());
    ASSERT_EQ(r.status, 200) << r.body;
    guid = CreatedGuid(r);
    position = r.headers["x-meridian-log-position"];
  }
  // A backup flushes the leader's memtables, and with them its log.
  const std::string backup = cluster.at(0).server->data_dir() + "-backup";
  auto b = Request(cluster.at(0).port, "POST", "/api/meridian/v1/admin/backup", json{{"to", backup}}.dump());
  ASSERT_EQ(b.status, 200) << b.body;
  std::filesystem::remove_all(backup);

  ASSERT_TRUE(cluster.at(1).server->Start()) << cluster.Logs();
  // Its first fetch is answered 410; it restarts itself and fetches a checkpoint.
  auto read = Request(cluster.at(1).port, "GET", "/api/atlas/v2/entity/guid/" + guid, "", "admin:admin",
                      {{"X-Meridian-Read-After", position}});
  for (int i = 0; i < 100 && read.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    read = Request(cluster.at(1).port, "GET", "/api/atlas/v2/entity/guid/" + guid, "", "admin:admin",
                   {{"X-Meridian-Read-After", position}});
  }
  ASSERT_EQ(read.status, 200) << cluster.Logs();
  EXPECT_NE(cluster.Logs().find("the leader no longer holds log position"), std::string::npos) << cluster.Logs();
  EXPECT_EQ(cluster.Role(1), "PASSIVE");
}

TEST(HaCluster, LeaderStoppedPastItsSessionCannotWriteWhenItResumes) {
  SKIP_WITHOUT_ZOOKEEPER();
  Cluster cluster("leader");
  ASSERT_TRUE(cluster.Start(3));
  const pid_t old_leader = cluster.at(0).server->pid();
  ASSERT_EQ(kill(old_leader, SIGSTOP), 0);
  struct Resume {
    pid_t pid;
    ~Resume() { kill(pid, SIGCONT); }
  } resume_on_failure{old_leader};
  const int leader = cluster.WaitForLeader(std::chrono::seconds(15), 0);
  ASSERT_GE(leader, 1) << cluster.Logs();
  const uint64_t new_epoch = cluster.ClusterStatus(leader)["epoch"];
  // A write sent while it is stopped waits in its socket: it is the first thing the old
  // leader reads when it resumes, before it has even heard that its session expired.
  HttpResult during;
  std::thread writer([&] {
    during = Request(cluster.at(0).port, "POST", "/api/atlas/v2/entity", Db("after_resume").dump());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(old_leader, SIGCONT), 0);
  writer.join();
  if (during.status == 200) {
    // Only acceptable if the write went to the new leader.
    EXPECT_EQ(Request(cluster.at(leader).port, "GET", "/api/atlas/v2/entity/guid/" + CreatedGuid(during)).status, 200)
        << "a deposed leader acknowledged a write of its own";
  } else {
    EXPECT_EQ(during.status, 503) << during.body;
  }
  // It rejoins as a follower of the new epoch.
  ASSERT_TRUE(cluster.WaitForRole(0, "PASSIVE", std::chrono::seconds(20)));
  auto status = cluster.ClusterStatus(0);
  EXPECT_EQ(status["leader"]["id"], "m" + std::to_string(leader + 1));
  EXPECT_EQ(status["epoch"].get<uint64_t>(), new_epoch);
  auto after = Request(cluster.at(0).port, "POST", "/api/atlas/v2/entity", Db("via_old_leader").dump());
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(Request(cluster.at(leader).port, "GET", "/api/atlas/v2/entity/guid/" + CreatedGuid(after)).status, 200);
}

}  // namespace
}  // namespace meridian::testing
