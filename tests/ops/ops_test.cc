// Operations: sign-in throttling, a full disk, online backup and restore,
// each against the real server.
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string TempDir(const std::string& tag) {
  std::string tmpl = "/tmp/meridian-" + tag + "-XXXXXX";
  return mkdtemp(tmpl.data());
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// Runs a shell command; returns its exit status and fills *out with its output.
int RunCommand(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// The end of the server's log, for failure messages.
std::string LogTail(const TestServer& s) {
  std::ifstream in(s.data_dir() + "/server.log");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

// hive_db entities named `prefix`0.. in one bulk request; the created guids, or empty on failure.
std::vector<std::string> CreateDbs(const TestServer& s, const std::string& prefix, int n, int* status = nullptr,
                                   const std::string& description = "") {
  json entities = json::array();
  for (int i = 0; i < n; ++i) {
    std::string name = prefix + std::to_string(i);
    json attrs = {{"qualifiedName", name + "@ops"}, {"name", name}, {"clusterName", "ops"}};
    if (!description.empty()) attrs["description"] = description;
    entities.push_back({{"typeName", "hive_db"}, {"guid", std::to_string(-1 - i)}, {"attributes", attrs}});
  }
  HttpResult r = s.Post("/api/atlas/v2/entity/bulk", {{"entities", entities}});
  if (status) *status = r.status;
  std::vector<std::string> guids;
  if (r.status != 200) return guids;
  const json body = r.Json();
  for (const json& e : body["mutatedEntities"]["CREATE"]) guids.push_back(e["guid"]);
  return guids;
}

// Guids of the hive_db entities of cluster "ops" that search finds.
std::set<std::string> SearchDbs(const TestServer& s) {
  std::set<std::string> out;
  for (int offset = 0;; offset += 1000) {
    const json r = s.Get("/api/atlas/v2/search/basic?typeName=hive_db&limit=1000&offset=" + std::to_string(offset)).Json();
    size_t n = 0;
    for (const json& e : r.value("entities", json::array())) {
      ++n;
      if (e["attributes"].value("qualifiedName", "").find("@ops") != std::string::npos) out.insert(e["guid"]);
    }
    if (n < 1000) return out;
  }
}

// ---------------------------------------------------------------- sign-in throttling

class SignInThrottle : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("throttle");
    std::string config = WriteFile(dir_ + "/meridian.toml",
                                   "[auth]\nmax_user_failures = 5\nmax_address_failures = 100\n"
                                   "first_lock_ms = 1000\nmax_lock_ms = 2000\n");
    server_ = std::make_unique<TestServer>(std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server_->Start());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  json LoginMetrics() { return server_->Get("/api/atlas/admin/metrics").Json()["data"]["login"]; }

  std::string dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(SignInThrottle, TenWrongPasswordsLockTheUserUntilTheBackOffPasses) {
  const std::string target = "/api/atlas/admin/version";
  for (int i = 0; i < 10; ++i) {
    HttpResult r = server_->Get(target, "admin:wrong" + std::to_string(i));
    EXPECT_EQ(r.status, i < 5 ? 401 : 429) << i << " " << r.body;
  }
  HttpResult locked = server_->Get(target, "admin:admin");
  ASSERT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.Json()["errorCode"], "ATLAS-429-00-001");
  ASSERT_TRUE(locked.headers.count("retry-after"));
  int retry_after = std::stoi(locked.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  // The form sign-in is locked too.
  HttpResult form = Request(server_->port(), "POST", "/j_spring_security_check", "j_username=admin&j_password=admin", "",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 429);
  // Once the back-off has passed, the right password works.
  int status = 0;
  for (int i = 0; i < 40 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    status = server_->Get(target, "admin:admin").status;
    ASSERT_TRUE(status == 200 || status == 429) << status;
  }
  EXPECT_EQ(status, 200);
  json m = LoginMetrics();
  EXPECT_EQ(m["failures"], 5);
  EXPECT_GE(m["throttled"].get<int>(), 7);
  EXPECT_EQ(m["locks"], 1);
  std::ifstream log(server_->data_dir() + "/server.log");
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("failed sign-in for user 'admin' from 127.0.0.1: locked for 1 s"), std::string::npos);
}

TEST_F(SignInThrottle, UnknownAndKnownUsersFailAlike) {
  auto login = [&](const json& body) {
    return Request(server_->port(), "POST", "/api/meridian/v1/login", body.dump(), "",
                   {{"Content-Type", "application/json"}});
  };
  HttpResult known = login({{"username", "admin"}, {"password", "wrong"}});
  EXPECT_EQ(LoginMetrics()["unknownUserChecks"], 0);
  HttpResult unknown = login({{"username", "nobody"}, {"password", "wrong"}});
  EXPECT_EQ(known.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(known.body, unknown.body);
  // The unknown user's password was hashed like a known user's.
  EXPECT_EQ(LoginMetrics()["unknownUserChecks"], 1);
  EXPECT_EQ(LoginMetrics()["failures"], 2);
  // A user name that is not a string is a bad request, not a server error.
  EXPECT_EQ(login({{"username", json::array({1})}, {"password", 5}}).status, 400);
}

// ---------------------------------------------------------------- disk full

// A small tmpfs mounted over a folder for the life of the object.
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, int mb) : dir_(dir) {
    mounted_ = getuid() == 0 && mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + std::to_string(mb) + "m").c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  // Writes a file until the disk is full.
  void Fill(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::string chunk(1 << 16, 'x');
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }

 private:
  std::string dir_;
  bool mounted_ = false;
};

TEST(DiskFull, WritesGet507ReadsWorkAndWritesResumeWhenSpaceReturns) {
  TestServer server;
  SmallDisk disk(server.data_dir(), 160);
  if (!disk.mounted()) GTEST_SKIP() << "needs root to mount a small tmpfs over the data directory";
  ASSERT_TRUE(server.Start());
  std::vector<std::string> before = CreateDbs(server, "before", 3);
  ASSERT_EQ(before.size(), 3u);
  ASSERT_EQ(SearchDbs(server).size(), 3u);

  disk.Fill(server.data_dir() + "/filler");
  // Writes fill whatever RocksDB had preallocated, then fail with Atlas's 507.
  std::string big(256 << 10, 'd');
  int status = 200, written = 0;
  for (int i = 0; i < 400 && status == 200; ++i) {
    CreateDbs(server, "fill" + std::to_string(i) + "_", 1, &status, big);
    written += status == 200;
  }
  ASSERT_EQ(status, 507) << "no 507 after " << written << " writes of 256 KB\n" << LogTail(server);
  int refused_status = 0;
  CreateDbs(server, "refused", 1, &refused_status);
  EXPECT_EQ(refused_status, 507);
  json err = server.Post("/api/atlas/v2/entity",
                         {{"entity", {{"typeName", "hive_db"},
                                      {"attributes", {{"qualifiedName", "x@ops"}, {"name", "x"}, {"clusterName", "ops"}}}}}})
                 .Json();
  EXPECT_EQ(err["errorCode"], "ATLAS-507-00-001") << err.dump();
  EXPECT_TRUE(err.contains("errorMessage"));

  // Reads keep working: the store, search and the status probe.
  EXPECT_EQ(server.Get("/api/atlas/v2/entity/guid/" + before[0]).status, 200);
  EXPECT_EQ(server.Get("/api/atlas/v2/search/basic?typeName=hive_db&query=before0").status, 200);
  EXPECT_EQ(server.Get("/api/atlas/admin/status", "").status, 200);

  // Space returns: writes succeed again without a restart, and become searchable.
  fs::remove(server.data_dir() + "/filler");
  std::vector<std::string> after;
  for (int i = 0; i < 120 && after.empty(); ++i) {
    after = CreateDbs(server, "after", 1, &status);
    if (after.empty()) {
      ASSERT_EQ(status, 507);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  ASSERT_EQ(after.size(), 1u) << "writes did not resume within 60 s";
  EXPECT_EQ(server.Get("/api/atlas/v2/entity/guid/" + after[0]).status, 200);
  bool searchable = false;
  for (int i = 0; i < 60 && !searchable; ++i) {
    searchable = SearchDbs(server).count(after[0]) > 0;
    if (!searchable) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(searchable);
  server.Stop();
}

// ---------------------------------------------------------------- backup and restore

TEST(BackupRestore, BackupUnderWriteLoadRestoresEveryAcknowledgedWriteAndSearchAgrees) {
  TestServer source;
  ASSERT_TRUE(source.Start());
  std::string work = TempDir("backup");
  std::string password_file = WriteFile(work + "/password", "admin\n");

  // Writers: bulk creates of 20 entities, each acknowledged batch recorded with whether the backup had started.
  std::atomic<bool> stop{false}, backup_started{false};
  std::mutex mu;
  std::vector<std::string> acked_before, acked_any;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&, w] {
      for (int batch = 0; !stop; ++batch) {
        bool started = backup_started;
        auto guids = CreateDbs(source, "w" + std::to_string(w) + "_" + std::to_string(batch) + "_", 20);
        std::lock_guard<std::mutex> lock(mu);
        if (!started) acked_before.insert(acked_before.end(), guids.begin(), guids.end());
        acked_any.insert(acked_any.end(), guids.begin(), guids.end());
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  backup_started = true;
  std::string out;
  int rc = RunCommand(TestServer::Binary() + " backup --to " + work + "/bk --url http://127.0.0.1:" +
                   std::to_string(source.port()) + " --user admin --password-file " + password_file,
               &out);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("store sequence"), std::string::npos) << out;
  ASSERT_GT(acked_before.size(), 100u);
  json manifest = json::parse(std::ifstream(work + "/bk/manifest.json"));
  EXPECT_GT(manifest["storeSequence"].get<uint64_t>(), 0u);
  EXPECT_FALSE(manifest["files"].empty());

  // A damaged copy is refused.
  fs::copy(work + "/bk", work + "/damaged", fs::copy_options::recursive);
  { std::ofstream(work + "/damaged/users.json", std::ios::app) << " "; }
  std::string damaged_out;
  EXPECT_NE(RunCommand(TestServer::Binary() + " restore --from " + work + "/damaged --data-dir " + work + "/d2", &damaged_out), 0);
  EXPECT_NE(damaged_out.find("users.json"), std::string::npos) << damaged_out;

  TestServer restored;
  std::string restore_out;
  ASSERT_EQ(RunCommand(TestServer::Binary() + " restore --from " + work + "/bk --data-dir " + restored.data_dir(), &restore_out), 0)
      << restore_out;
  ASSERT_TRUE(restored.Start());
  // Every write acknowledged before the backup began is there.
  for (const auto& g : acked_before) ASSERT_EQ(restored.Get("/api/atlas/v2/entity/guid/" + g).status, 200) << g;
  // The store holds a prefix of what was written, and search finds exactly what the store holds.
  std::set<std::string> in_store;
  for (const auto& g : acked_any)
    if (restored.Get("/api/atlas/v2/entity/guid/" + g).status == 200) in_store.insert(g);
  EXPECT_GE(in_store.size(), acked_before.size());
  EXPECT_EQ(SearchDbs(restored), in_store);
  restored.Stop();
  fs::remove_all(work);
}

}  // namespace
}  // namespace meridian::testing
