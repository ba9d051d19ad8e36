// Node: one server's membership of a high-availability cluster.
//
// ZooKeeper (Election) picks the leader; the leader alone writes, fenced by its
// ZooKeeper lease; the other members are followers that keep a copy of the leader's
// store by applying its write-ahead log (LogFollower), serve every read, and forward
// writes to the leader. A follower promoted to leader stops following and writes on
// from the log position it holds, which is the highest among the members (the
// election's rule). A leader that loses its lease asks its owner to restart it
// (restart callback): it then rejoins as a follower, and when its log holds writes the
// new leader never had (positions past the start of the new leader's epoch), it
// discards them by starting again from the leader's checkpoint, and logs how many.
// See docs/ha.md.
//
// Files in the data dir: ha.json (the last epoch whose log this store continues).
// Thread-safety: all methods may be called concurrently once Join returned.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/ha/election.h"
#include "meridian/ha/log_follower.h"
#include "meridian/ha/log_shipper.h"
#include "meridian/status.h"

namespace meridian::catalog {
class Catalog;
}  // namespace meridian::catalog

namespace meridian::ha {

struct HaOptions {
  std::string zookeeper;        // [ha] zookeeper = "host:port,...": HA is on when set
  std::string root = "/meridian";  // ZooKeeper path of this cluster
  std::string server_id;        // unique in the cluster
  std::string url;              // how the other members reach this server, e.g. http://10.0.0.5:21000
  std::string cluster_secret;   // shared by all members: replication and forwarded writes
  bool quorum_ack = false;      // [ha] ack = "quorum": a write's 200 waits until a follower holds it
  int quorum_timeout_ms = 5000;
  int session_timeout_ms = 6000;
  int read_wait_ms = 5000;      // read-your-writes: longest wait for a log position
  size_t wal_retention_mb = 1024;  // log kept for followers that pause; 0: none beyond the next flush
};

class Node {
 public:
  // Before the store opens: joins the election and waits (up to a minute) for a role. A
  // follower whose store is missing, marked for a new start, or holds writes the leader
  // never had fetches a checkpoint into data_dir first.
  static Result<std::unique_ptr<Node>> Join(const HaOptions& options, const std::string& data_dir);
  ~Node();

  // After the catalog opened: fences its writes to the lease, starts following (or
  // leading). `index_applied`: the search index's applied sequence. `restart(reason)` is
  // called once when this server must rejoin (lost leadership, log gone).
  void Attach(catalog::Catalog* catalog, std::function<uint64_t()> index_applied,
              std::function<void(const std::string& reason)> restart);
  // `fn` runs (on an election thread) when this follower becomes the leader, after it
  // stopped applying the old leader's log: leader-only work starts there.
  void OnPromoted(std::function<void()> fn);
  // Stops following and lets go of the catalog (call before it closes); the election is
  // left when the Node is destroyed.
  void Detach();

  bool leading() const;
  // Ok when this server may write now (leader, lease held, no longer applying a leader's log).
  Status CheckWrite() const;
  std::optional<LeaderInfo> leader() const { return election_->leader(); }
  const HaOptions& options() const { return options_; }
  LogShipper* shipper() { return shipper_.get(); }
  const LogFollower* follower() const { return follower_.get(); }
  // Waits until this server's store holds log position `position`; false after `timeout`.
  bool WaitApplied(uint64_t position, std::chrono::milliseconds timeout) const;
  uint64_t log_position() const;
  // {"serverId", "role": ACTIVE|PASSIVE, "epoch", "leader": {...}, "logPosition", "lagMs",
  //  "discardedOnJoin": log positions this member discarded when it joined (writes its
  //  store held that the leader never had), "members": [{"id", "url", "role",
  //  "logPosition", "behind"}], "followers": [...] (leader only)}.
  nlohmann::json Describe() const;

 private:
  Node(HaOptions options, std::string data_dir) : options_(std::move(options)), data_dir_(std::move(data_dir)) {}
  void OnRoleChange(Role role, const LeaderInfo& leader);
  void RecordEpoch(uint64_t epoch) const;
  void Restart(const std::string& reason);

  const HaOptions options_;
  const std::string data_dir_;
  std::unique_ptr<Election> election_;
  mutable std::mutex catalog_mu_;
  catalog::Catalog* catalog_ = nullptr;  // GUARDED_BY(catalog_mu_); null before Attach and after Detach
  std::unique_ptr<LogShipper> shipper_;
  std::unique_ptr<LogFollower> follower_;
  std::atomic<uint64_t> disk_position_{0};  // before Attach: the store's position on disk
  std::atomic<bool> attached_{false};
  std::atomic<bool> promoted_{false};  // leader, and no longer applying the old leader's log
  std::atomic<bool> restarting_{false};
  std::mutex restart_mu_;
  std::function<void(const std::string&)> restart_;  // GUARDED_BY(restart_mu_)
  std::vector<std::function<void()>> on_promoted_;    // GUARDED_BY(restart_mu_)
  std::thread promotion_;                             // GUARDED_BY(restart_mu_)
  uint64_t followed_epoch_ = 0;  // only in OnRoleChange
  uint64_t discarded_ = 0;       // log positions this store lost when it joined (set in Join)
};

}  // namespace meridian::ha
