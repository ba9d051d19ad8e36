// Replication log figures, in one process over two real stores (no network):
//  - catch-up: a follower bootstrapped from a checkpoint applies the leader's log;
//  - ReadLog of a position in the middle of a large log file: with a new iterator
//    (a reader the store has no cursor for) and continuing a reader's cursor;
//  - following a leader that writes at full speed: the follower's lag in log
//    positions and in time, sampled after each ReadLog/ApplyReplicated round.
// Usage: replication_log_bench [batches=2000] [entities per batch=50]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "meridian/catalog/catalog.h"

using namespace meridian;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100 * v.size()))];
}

struct Node {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<catalog::Catalog> catalog;
  bool Open(const std::string& dir) {
    store::StoreOptions options;
    options.wal_retention_mb = 1024;
    options.memtable_budget_mb = 512;  // no flush during the run: one large log file
    options.block_cache_mb = 1024;
    auto s = store::Store::Open(dir, options);
    if (!s.ok()) return fprintf(stderr, "%s\n", s.status().ToString().c_str()), false;
    store = std::move(*s);
    auto c = catalog::Catalog::Open(store.get(), {});
    if (!c.ok()) return fprintf(stderr, "%s\n", c.status().ToString().c_str()), false;
    catalog = std::move(*c);
    return true;
  }
};

json Batch(int b, int n) {
  json entities = json::array();
  for (int i = 0; i < n; ++i) {
    const std::string name = "db" + std::to_string(b) + "_" + std::to_string(i);
    entities.push_back({{"typeName", "hive_db"},
                        {"attributes", {{"name", name}, {"qualifiedName", name + "@c"}, {"clusterName", "c"},
                                        {"description", std::string(200, 'x')}}}});
  }
  return entities;
}

// One ReadLog + ApplyReplicated round; the batches applied (-1 on error).
int Round(const catalog::Catalog& leader, catalog::Catalog& follower, size_t max_bytes, double* read_ms) {
  std::vector<store::LogBatch> batches;
  auto t0 = Clock::now();
  Status s = leader.ReadLog(follower.LogPosition(), max_bytes, &batches);
  if (read_ms) *read_ms = Ms(Clock::now() - t0);
  if (!s.ok()) return fprintf(stderr, "read: %s\n", s.ToString().c_str()), -1;
  for (const auto& b : batches) {
    Status a = follower.ApplyReplicated(b);
    if (!a.ok()) return fprintf(stderr, "apply: %s\n", a.ToString().c_str()), -1;
  }
  return static_cast<int>(batches.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int batches = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int per_batch = argc > 2 ? std::atoi(argv[2]) : 50;
  char tmpl[] = "/tmp/meridian-repl-bench-XXXXXX";
  const std::string root = mkdtemp(tmpl);
  Node leader, follower;
  if (!leader.Open(root + "/leader")) return 1;
  std::filesystem::create_directories(root + "/follower");
  uint64_t sequence = 0;
  if (!leader.catalog->Checkpoint(root + "/follower/store", &sequence).ok()) return 1;
  if (!follower.Open(root + "/follower")) return 1;

  // The leader writes `batches` commits into one log file.
  auto t0 = Clock::now();
  for (int b = 0; b < batches; ++b)
    if (!leader.catalog->CreateOrUpdate(Batch(b, per_batch), json(), "bench").ok()) return 1;
  const double write_s = Ms(Clock::now() - t0) / 1000;
  std::vector<store::LogBatch> all;
  leader.catalog->ReadLog(follower.catalog->LogPosition(), SIZE_MAX, &all).PermitUnchecked();
  size_t log_bytes = 0;
  for (const auto& b : all) log_bytes += b.data.size();
  printf("leader: %d commits of %d entities in %.1f s (%.0f entities/s); %zu log batches, %.1f MB of log\n", batches,
         per_batch, write_s, batches * per_batch / write_s, all.size(), log_bytes / 1e6);

  // ReadLog of the middle of the file: a new iterator reads the file from its start.
  const uint64_t middle = all[all.size() / 2].sequence - 1;
  std::vector<store::LogBatch> out;
  std::vector<double> fresh, continued;
  for (int i = 0; i < 5; ++i) {
    // Each position differs from the cursor the previous call left: a new iterator every time.
    const uint64_t at = all[all.size() / 2 + i * 7].sequence - 1;
    auto t = Clock::now();
    leader.catalog->ReadLog(at, 64 << 10, &out).PermitUnchecked();
    fresh.push_back(Ms(Clock::now() - t));
  }
  uint64_t pos = middle;
  for (int i = 0; i < 50 && pos < leader.catalog->LogPosition(); ++i) {
    auto t = Clock::now();
    leader.catalog->ReadLog(pos, 64 << 10, &out).PermitUnchecked();
    if (i > 0) continued.push_back(Ms(Clock::now() - t));  // the first creates the cursor
    if (out.empty()) break;
    pos = out.back().sequence + out.back().count - 1;
  }
  printf("ReadLog (64 KB) from the middle of a %.1f MB log: new iterator p50 %.2f ms, continuing a cursor p50 %.3f ms "
         "p99 %.3f ms\n",
         log_bytes / 1e6, Percentile(fresh, 50), Percentile(continued, 50), Percentile(continued, 99));

  // Catch-up: the follower applies the whole log.
  t0 = Clock::now();
  size_t applied = 0;
  for (int n; (n = Round(*leader.catalog, *follower.catalog, 1 << 20, nullptr)) > 0;) applied += n;
  const double catch_s = Ms(Clock::now() - t0) / 1000;
  printf("catch-up: %zu batches (%.1f MB) applied in %.2f s: %.0f entities/s, %.1f MB/s\n", applied, log_bytes / 1e6,
         catch_s, batches * per_batch / catch_s, log_bytes / 1e6 / catch_s);

  // Following a leader that writes at full speed.
  std::atomic<bool> done{false};
  std::vector<std::pair<uint64_t, Clock::time_point>> commits(batches);  // log position after each commit, and when
  std::atomic<size_t> committed{0};
  std::thread writer([&] {
    for (int b = 0; b < batches; ++b) {
      if (!leader.catalog->CreateOrUpdate(Batch(batches + b, per_batch), json(), "bench").ok()) break;
      commits[b] = {leader.catalog->LogPosition(), Clock::now()};
      committed.store(b + 1, std::memory_order_release);
    }
    done = true;
  });
  std::vector<double> lag_ms, read_ms;
  std::vector<uint64_t> lag_positions;
  size_t next_commit = 0;
  t0 = Clock::now();
  while (!done || follower.catalog->LogPosition() < leader.catalog->LogPosition()) {
    double r = 0;
    const int n = Round(*leader.catalog, *follower.catalog, 1 << 20, &r);
    if (n < 0) return 1;
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    read_ms.push_back(r);
    const uint64_t at = follower.catalog->LogPosition();
    const auto now = Clock::now();
    lag_positions.push_back(leader.catalog->LogPosition() - std::min(at, leader.catalog->LogPosition()));
    // Each commit the follower now holds: the time from its commit on the leader.
    const size_t known = committed.load(std::memory_order_acquire);
    while (next_commit < known && commits[next_commit].first <= at) lag_ms.push_back(Ms(now - commits[next_commit++].second));
  }
  writer.join();
  const double follow_s = Ms(Clock::now() - t0) / 1000;
  printf("following: %d commits of %d entities in %.1f s (%.0f entities/s); follower lag behind each commit p50 %.1f ms "
         "p99 %.1f ms max %.1f ms; ReadLog p50 %.2f ms p99 %.2f ms\n",
         batches, per_batch, follow_s, batches * per_batch / follow_s, Percentile(lag_ms, 50), Percentile(lag_ms, 99),
         Percentile(lag_ms, 100), Percentile(read_ms, 50), Percentile(read_ms, 99));
  bool same = follower.catalog->LogPosition() == leader.catalog->LogPosition();
  printf("log positions equal at the end: %s\n", same ? "yes" : "NO");
  follower = {};
  leader = {};
  std::filesystem::remove_all(root);
  return same ? 0 : 1;
}
