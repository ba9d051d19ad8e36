// Leader election against a real ZooKeeper server: one leader per epoch, the
// most advanced member taking over, and fencing of a leader stopped past its session.
#include "meridian/ha/election.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "zookeeper_server.h"

namespace meridian::ha {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
using meridian::testing::ZooKeeperServer;

constexpr int kSessionMs = 2000;
constexpr int kSettleMs = 500;

// Polls `condition` until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& condition, milliseconds limit = seconds(15)) {
  auto give_up = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// One cluster member in this process, with the applied sequence it reports.
struct TestMember {
  std::atomic<uint64_t> applied{0};
  std::mutex mu;
  std::vector<std::pair<Role, LeaderInfo>> changes;  // every on_change call
  std::unique_ptr<Election> election;                // last: destroyed first

  std::vector<std::pair<Role, LeaderInfo>> Changes() {
    std::lock_guard lock(mu);
    return changes;
  }
};

void WriteLine(int fd, const std::string& line) {
  std::string out = line + "\n";
  ssize_t n = write(fd, out.data(), out.size());
  (void)n;
}

// Blocks until the parent writes a line on `fd`.
void AwaitGo(int fd) {
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') {
  }
}

// A forked child running a member: it reports lines on `fd` and waits for the
// parent's go-ahead on `go` (see Go).
struct Child {
  pid_t pid = -1;
  int fd = -1;
  int go = -1;

  void Go() { WriteLine(go, "go"); }

  // The next line, or "" when none arrives within `limit`.
  std::string ReadLine(milliseconds limit = seconds(20)) {
    std::string line;
    auto give_up = Clock::now() + limit;
    while (Clock::now() < give_up) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char c;
      if (read(fd, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line.push_back(c);
    }
    return "";
  }
  // Waits for the child's exit; its status, or -1 when it had to be killed.
  int Wait(milliseconds limit = seconds(20)) {
    int st = 0;
    auto give_up = Clock::now() + limit;
    while (waitpid(pid, &st, WNOHANG) == 0) {
      if (Clock::now() > give_up) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        return -1;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    close(fd);
    close(go);
    pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(fd);
      close(go);
    }
  }
};

class ElectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!ZooKeeperServer::Unavailable().empty()) return;
    server_ = new ZooKeeperServer();
    started_ = server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    std::string why = ZooKeeperServer::Unavailable();
    if (!why.empty()) GTEST_SKIP() << "ZooKeeper cannot run here: " << why;
    ASSERT_TRUE(started_) << "ZooKeeper did not start; see " << server_->log_path();
    root_ = std::string("/meridian-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  ElectionOptions Options(const std::string& id, int session_ms = kSessionMs) const {
    ElectionOptions options;
    options.zookeeper = server_->connect_string();
    options.root = root_;
    options.server_id = id;
    options.url = "http://127.0.0.1:2100" + id.substr(1);
    options.session_timeout_ms = session_ms;
    options.settle_ms = kSettleMs;
    return options;
  }

  std::unique_ptr<TestMember> StartMember(const std::string& id, uint64_t applied, int session_ms = kSessionMs) {
    auto member = std::make_unique<TestMember>();
    member->applied = applied;
    TestMember* m = member.get();
    auto started = Election::Start(
        Options(id, session_ms), [m] { return m->applied.load(); },
        [m](Role role, const LeaderInfo& leader) {
          std::lock_guard lock(m->mu);
          m->changes.emplace_back(role, leader);
        });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (started.ok()) member->election = std::move(started).value();
    return member;
  }

  // Runs `body(options, report_fd, go_fd)` in a forked child that exits with body's
  // result. Fork before this process starts threads of its own.
  Child Fork(const ElectionOptions& options, const std::function<int(const ElectionOptions&, int, int)>& body) {
    int report[2], go[2];
    EXPECT_EQ(pipe(report), 0);
    EXPECT_EQ(pipe(go), 0);
    Child child;
    child.pid = fork();
    if (child.pid == 0) {
      close(report[0]);
      close(go[1]);
      _exit(body(options, report[1], go[0]));
    }
    close(report[1]);
    close(go[0]);
    child.fd = report[0];
    child.go = go[1];
    return child;
  }

  static ZooKeeperServer* server_;
  static bool started_;
  std::string root_;
};

ZooKeeperServer* ElectionTest::server_ = nullptr;
bool ElectionTest::started_ = false;

bool IsLeader(const std::optional<LeaderInfo>& leader, const std::string& id, uint64_t epoch) {
  return leader && leader->id == id && leader->epoch == epoch;
}

TEST_F(ElectionTest, SingleMemberLeadsInEpochOne) {
  auto m1 = StartMember("m1", 42);
  ASSERT_TRUE(m1->election);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kLeader);
  EXPECT_EQ(m1->election->epoch(), 1u);
  auto leader = m1->election->leader();
  ASSERT_TRUE(leader);
  EXPECT_EQ(leader->id, "m1");
  EXPECT_EQ(leader->url, "http://127.0.0.1:21001");
  EXPECT_EQ(leader->epoch, 1u);
  EXPECT_TRUE(m1->election->CheckLease().ok()) << m1->election->CheckLease().ToString();
  EXPECT_EQ(m1->election->EpochStarts(), (std::map<uint64_t, uint64_t>{{1, 42}}));

  auto members = m1->election->Members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].id, "m1");
  EXPECT_EQ(members[0].url, "http://127.0.0.1:21001");
  EXPECT_EQ(members[0].applied, 42u);
  EXPECT_TRUE(members[0].leader);

  auto changes = m1->Changes();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().first, Role::kLeader);
  EXPECT_EQ(changes.back().second.id, "m1");
  EXPECT_EQ(changes.back().second.epoch, 1u);
}

TEST_F(ElectionTest, ThreeMembersAgreeOnTheMostAdvancedLeader) {
  auto m1 = StartMember("m1", 5);
  auto m2 = StartMember("m2", 9);
  auto m3 = StartMember("m3", 7);
  ASSERT_TRUE(m1->election && m2->election && m3->election);
  for (auto* m : {m1.get(), m2.get(), m3.get()}) EXPECT_NE(m->election->WaitForRole(seconds(15)), Role::kUnknown);
  ASSERT_TRUE(Eventually([&] {
    return IsLeader(m1->election->leader(), "m2", 1) && IsLeader(m3->election->leader(), "m2", 1);
  }));

  EXPECT_EQ(m2->election->role(), Role::kLeader);
  EXPECT_EQ(m1->election->role(), Role::kFollower);
  EXPECT_EQ(m3->election->role(), Role::kFollower);
  EXPECT_EQ(m1->election->leader()->url, "http://127.0.0.1:21002");
  EXPECT_TRUE(m2->election->CheckLease().ok());
  for (auto* follower : {m1.get(), m3.get()}) {
    Status lease = follower->election->CheckLease();
    EXPECT_EQ(lease.code(), StatusCode::kUnavailable) << lease.ToString();
    EXPECT_EQ(follower->election->epoch(), 0u);
  }

  auto members = m1->election->Members();
  ASSERT_EQ(members.size(), 3u);
  for (const auto& [member, id, applied] : {std::tuple{members[0], "m1", 5}, {members[1], "m2", 9}, {members[2], "m3", 7}}) {
    EXPECT_EQ(member.id, id);
    EXPECT_EQ(member.applied, static_cast<uint64_t>(applied));
    EXPECT_EQ(member.leader, member.id == "m2");
  }
}

TEST_F(ElectionTest, FailoverElectsTheMemberWithTheHighestAppliedSequence) {
  auto m1 = StartMember("m1", 10);
  auto m2 = StartMember("m2", 30);
  auto m3 = StartMember("m3", 20);
  ASSERT_TRUE(m1->election && m2->election && m3->election);
  ASSERT_TRUE(Eventually([&] { return m2->election->role() == Role::kLeader; }));
  ASSERT_TRUE(Eventually([&] { return IsLeader(m1->election->leader(), "m2", 1); }));

  // m1 catches up past m3 and publishes it; then the leader resigns.
  m1->applied = 50;
  ASSERT_TRUE(Eventually([&] {
    for (const auto& m : m3->election->Members()) {
      if (m.id == "m1") return m.applied == 50;
    }
    return false;
  }));
  auto resigned = Clock::now();
  m2->election.reset();

  ASSERT_TRUE(Eventually([&] { return m1->election->role() == Role::kLeader; }, seconds(10)));
  auto failover = std::chrono::duration_cast<milliseconds>(Clock::now() - resigned).count();
  std::cout << "new leader " << failover << " ms after the old one resigned\n";
  EXPECT_EQ(m1->election->epoch(), 2u);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m3->election->leader(), "m1", 2); }));
  EXPECT_EQ(m3->election->role(), Role::kFollower);
  EXPECT_EQ(m3->election->EpochStarts(), (std::map<uint64_t, uint64_t>{{1, 30}, {2, 50}}));

  // m3 saw the vacancy: follower without a leader, then m1's leadership.
  bool saw_vacancy = false;
  for (const auto& [role, leader] : m3->Changes()) saw_vacancy = saw_vacancy || (role == Role::kFollower && leader.id.empty());
  EXPECT_TRUE(saw_vacancy);
}

TEST_F(ElectionTest, ReturningLeaderRejoinsAsFollowerAndEpochsIncrease) {
  auto m1 = StartMember("m1", 3);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kLeader);
  auto m2 = StartMember("m2", 1);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m2->election->leader(), "m1", 1); }));

  m1->election.reset();
  ASSERT_TRUE(Eventually([&] { return m2->election->role() == Role::kLeader; }));
  EXPECT_EQ(m2->election->epoch(), 2u);

  m1 = StartMember("m1", 3);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kFollower);
  EXPECT_TRUE(IsLeader(m1->election->leader(), "m2", 2));
  EXPECT_EQ(m2->election->role(), Role::kLeader);
  EXPECT_FALSE(m1->election->CheckLease().ok());

  m2->election.reset();
  ASSERT_TRUE(Eventually([&] { return m1->election->role() == Role::kLeader; }));
  EXPECT_EQ(m1->election->epoch(), 3u);
  EXPECT_EQ(m1->election->EpochStarts(), (std::map<uint64_t, uint64_t>{{1, 3}, {2, 1}, {3, 3}}));
}

TEST_F(ElectionTest, EqualAppliedSequencesGoToTheSmallestId) {
  auto m2 = StartMember("m2", 5);
  auto m1 = StartMember("m1", 5);
  ASSERT_TRUE(m1->election && m2->election);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kLeader);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m2->election->leader(), "m1", 1); }));
  EXPECT_EQ(m2->election->role(), Role::kFollower);
}

TEST_F(ElectionTest, SecondLiveMemberWithTheSameIdIsRejected) {
  auto m1 = StartMember("m1", 1);
  ASSERT_TRUE(m1->election);
  auto twin = Election::Start(Options("m1", 1000), [] { return uint64_t{2}; }, nullptr);
  ASSERT_FALSE(twin.ok());
  EXPECT_EQ(twin.status().code(), StatusCode::kAlreadyExists) << twin.status().ToString();
  auto members = m1->election->Members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].applied, 1u);  // the live member's node is untouched
}

// kill -9 of the leader: its nodes stay until its session expires; a new leader
// follows, and the killed member, restarted at once, waits for its old node and rejoins.
TEST_F(ElectionTest, KilledLeaderIsReplacedAndRejoins) {
  Child child = Fork(Options("m1"), [](const ElectionOptions& options, int fd, int /*go*/) {
    auto started = Election::Start(options, [] { return uint64_t{100}; }, nullptr);
    if (!started.ok()) return 1;
    auto election = std::move(started).value();
    WriteLine(fd, election->WaitForRole(seconds(15)) == Role::kLeader ? "leader" : "not leader");
    pause();
    return 0;
  });
  ASSERT_EQ(child.ReadLine(), "leader");
  auto m2 = StartMember("m2", 50);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m2->election->leader(), "m1", 1); }));

  ASSERT_EQ(kill(child.pid, SIGKILL), 0);
  EXPECT_EQ(child.Wait(), -1);
  auto killed = Clock::now();
  auto m1 = StartMember("m1", 100);  // blocks until the killed session's member node is gone
  ASSERT_TRUE(m1->election);
  ASSERT_TRUE(Eventually([&] {
    auto l1 = m1->election->leader();
    auto l2 = m2->election->leader();
    return l1 && l2 && l1->epoch == 2 && l2->epoch == 2 && l1->id == l2->id;
  }, seconds(10)));
  std::cout << "new leader " << m1->election->leader()->id << " "
            << std::chrono::duration_cast<milliseconds>(Clock::now() - killed).count() << " ms after kill -9\n";
  EXPECT_NE(m1->election->role() == Role::kLeader, m2->election->role() == Role::kLeader);
  EXPECT_EQ(m1->election->Members().size(), 2u);
}

// The old leader runs in a child that is stopped (SIGSTOP) past its session. A
// thread in the child notices the jump of the steady clock when it resumes and
// checks the lease at once, as a write arriving at that moment would.
TEST_F(ElectionTest, LeaderStoppedPastItsSessionCannotWriteWhenResumed) {
  Child child = Fork(Options("m1"), [](const ElectionOptions& options, int fd, int /*go*/) {
    auto started = Election::Start(options, [] { return uint64_t{100}; }, nullptr);
    if (!started.ok()) {
      WriteLine(fd, "error " + started.status().ToString());
      return 1;
    }
    auto election = std::move(started).value();
    if (election->WaitForRole(seconds(15)) != Role::kLeader || !election->CheckLease().ok()) {
      WriteLine(fd, "not leader");
      return 1;
    }
    WriteLine(fd, "leader");
    auto last = Clock::now();
    for (;;) {
      std::this_thread::sleep_for(milliseconds(5));
      auto now = Clock::now();
      if (now - last > milliseconds(kSessionMs)) break;  // we were stopped
      last = now;
    }
    Status lease = election->CheckLease();
    WriteLine(fd, lease.ok() ? "lease ok" : "lease refused: " + lease.message());
    // The client library then learns that the session expired.
    bool expired = Eventually([&] { return election->role() == Role::kUnknown; }, seconds(10));
    WriteLine(fd, expired ? "expired" : "still " + std::to_string(static_cast<int>(election->role())));
    election.reset();
    WriteLine(fd, "closed");
    return 0;
  });
  ASSERT_EQ(child.ReadLine(), "leader");

  auto m2 = StartMember("m2", 50);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m2->election->leader(), "m1", 1); }));
  ASSERT_EQ(kill(child.pid, SIGSTOP), 0);
  ASSERT_TRUE(Eventually([&] { return m2->election->role() == Role::kLeader; }));
  EXPECT_EQ(m2->election->epoch(), 2u);
  ASSERT_EQ(kill(child.pid, SIGCONT), 0);

  std::string lease = child.ReadLine();
  std::cout << "resumed old leader: " << lease << "\n";
  EXPECT_EQ(lease.rfind("lease refused", 0), 0u) << lease;
  EXPECT_EQ(child.ReadLine(), "expired");
  EXPECT_EQ(child.ReadLine(), "closed");
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_EQ(m2->election->role(), Role::kLeader);
  EXPECT_TRUE(m2->election->CheckLease().ok());
}

// The best candidate is stopped with a long session, so its member node stays:
// the next-best candidate takes over one settle period later instead of waiting for it.
TEST_F(ElectionTest, StuckBestCandidateDoesNotBlockTheElection) {
  constexpr int kLongSessionMs = 10000;
  Child child = Fork(Options("m2", kLongSessionMs), [](const ElectionOptions& options, int fd, int go) {
    AwaitGo(go);
    auto started = Election::Start(options, [] { return uint64_t{50}; }, nullptr);
    if (!started.ok()) return 1;
    auto election = std::move(started).value();
    bool follower = election->WaitForRole(seconds(15)) == Role::kFollower;
    WriteLine(fd, follower ? "follower" : "not follower");
    bool follows = Eventually([&] { return election->leader() && election->leader()->id == "m3"; }, seconds(60));
    WriteLine(fd, follows ? "follows m3" : "does not follow m3");
    return 0;
  });
  auto m1 = StartMember("m1", 10);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kLeader);
  child.Go();
  ASSERT_EQ(child.ReadLine(), "follower");
  auto m3 = StartMember("m3", 20);
  ASSERT_TRUE(Eventually([&] { return IsLeader(m3->election->leader(), "m1", 1); }));
  ASSERT_TRUE(Eventually([&] { return m3->election->Members().size() == 3; }));

  ASSERT_EQ(kill(child.pid, SIGSTOP), 0);
  m1->election.reset();
  ASSERT_TRUE(Eventually([&] { return m3->election->role() == Role::kLeader; }, seconds(8)));
  auto members = m3->election->Members();
  ASSERT_EQ(members.size(), 2u);  // the stuck m2 is still registered
  EXPECT_EQ(members[0].id, "m2");
  EXPECT_EQ(members[0].applied, 50u);
  EXPECT_FALSE(members[0].leader);
  EXPECT_TRUE(members[1].leader);

  ASSERT_EQ(kill(child.pid, SIGCONT), 0);
  EXPECT_EQ(child.ReadLine(), "follows m3");
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_EQ(m3->election->role(), Role::kLeader);
}

TEST_F(ElectionTest, LeaderKeepsItsRoleAcrossAZooKeeperRestartButNotItsLease) {
  auto m1 = StartMember("m1", 7, /*session_ms=*/6000);
  ASSERT_EQ(m1->election->WaitForRole(seconds(15)), Role::kLeader);
  ASSERT_TRUE(m1->election->CheckLease().ok());

  server_->Stop();
  EXPECT_TRUE(Eventually([&] { return !m1->election->CheckLease().ok(); }, seconds(10)));
  EXPECT_EQ(m1->election->role(), Role::kLeader);
  ASSERT_TRUE(server_->Start());
  EXPECT_TRUE(Eventually([&] { return m1->election->CheckLease().ok(); }, seconds(10)));
  EXPECT_EQ(m1->election->role(), Role::kLeader);
  EXPECT_EQ(m1->election->epoch(), 1u);
}

// Without a ZooKeeper server.

TEST(Election, StartFailsWhenZooKeeperCannotBeReached) {
  ZooKeeperServer stopped;  // a free loopback port with nobody listening
  ElectionOptions options;
  options.zookeeper = stopped.connect_string();
  options.server_id = "m1";
  options.url = "http://127.0.0.1:21001";
  options.session_timeout_ms = 1000;
  auto started = Election::Start(options, [] { return uint64_t{0}; }, nullptr);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), StatusCode::kUnavailable) << started.status().ToString();
}

TEST(Election, RejectsBadOptions) {
  auto start = [](const ElectionOptions& options) {
    return Election::Start(options, [] { return uint64_t{0}; }, nullptr).status().code();
  };
  ElectionOptions good;
  good.zookeeper = "127.0.0.1:1";
  good.server_id = "m1";
  ElectionOptions options = good;
  options.server_id = "m/1";
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
  options = good;
  options.server_id = "";
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
  options = good;
  options.root = "meridian";
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
  options = good;
  options.root = "/meridian/";
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
  options = good;
  options.zookeeper = "";
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
  options = good;
  options.session_timeout_ms = 0;
  EXPECT_EQ(start(options), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian::ha
