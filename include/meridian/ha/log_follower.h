// LogFollower: the follower's side of replication. One thread fetches the leader's write
// batches after this store's log position and applies each with
// Catalog::ApplyReplicated, so the store stays a byte-for-byte copy of the leader's, and
// the search index, lineage graph and notification feed follow as after local commits.
//
// The leader is asked again for every fetch (it changes on failover). When the leader no
// longer holds this store's position (its log was purged), `on_lost` is called once and
// the thread stops: the server must start again from a fresh checkpoint (Bootstrap).
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "meridian/status.h"

namespace meridian::catalog {
class Catalog;
}  // namespace meridian::catalog

namespace meridian::ha {

struct PeerOptions {
  std::string server_id;       // this server, as the leader will know it
  std::string cluster_secret;  // sent as X-Meridian-Cluster-Secret
};

// Header names of the replication protocol.
inline constexpr char kSecretHeader[] = "X-Meridian-Cluster-Secret";
inline constexpr char kLogPositionHeader[] = "X-Meridian-Log-Position";

class LogFollower {
 public:
  // `leader_url()`: the current leader's base URL, nullopt while there is none (or this
  // server leads). `index_applied()`: the sequence this server's search index has applied.
  LogFollower(catalog::Catalog& catalog, PeerOptions peer, std::function<std::optional<std::string>()> leader_url,
              std::function<uint64_t()> index_applied, std::function<void(const std::string& reason)> on_lost);
  ~LogFollower();
  void Start();
  // Returns once no batch is being applied; the position then stays put.
  void Stop();
  bool running() const { return running_.load(); }
  // The last log position whose changes readers see in full: the batch stored, and the type
  // registry and commit observers (lineage graph, feeds) updated. The store's own position
  // can be ahead of it for a moment while a batch is being applied.
  uint64_t visible_position() const { return visible_position_.load(); }
  // The leader's log position at the last fetch (0 before the first).
  uint64_t leader_position() const { return leader_position_.load(); }
  // Milliseconds since this server last held everything the leader had (0 when caught up).
  int64_t lag_ms() const;

 private:
  void Run();

  catalog::Catalog& catalog_;
  const PeerOptions peer_;
  std::function<std::optional<std::string>()> leader_url_;
  std::function<uint64_t()> index_applied_;
  std::function<void(const std::string&)> on_lost_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> leader_position_{0};
  std::atomic<uint64_t> visible_position_{0};
  std::atomic<int64_t> behind_since_ms_{0};  // steady-clock ms when it fell behind; 0 when caught up
  std::thread thread_;
};

// Replaces `data_dir`/store with a checkpoint of the leader at `leader_url` (fetched into
// `data_dir`/store.incoming first) and removes `data_dir`/index, so the search index is
// rebuilt from it. Returns the checkpoint's log position. The store must not be open.
Result<uint64_t> Bootstrap(const PeerOptions& peer, const std::string& leader_url, const std::string& data_dir);

}  // namespace meridian::ha
