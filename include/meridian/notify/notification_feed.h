// NotificationFeed: readers of the catalog's entity-change notifications (the
// `notifications` queue topic, Atlas's ATLAS_ENTITIES messages numbered 1, 2, 3 ...).
//
//  - HTTP consumers page through it by sequence (Read), waiting a bounded time
//    for new entries (long-poll), and may name themselves so that their last
//    acknowledged position is kept (Acknowledge) and shown to administrators.
//  - Deliveries (a publisher to Kafka's ATLAS_ENTITIES, say) follow it at least
//    once: read what comes after their mark, publish, MarkDelivered. Their marks
//    are persisted, and retention never removes what a delivery has not marked.
//  - Retention: a background pruner removes notifications beyond the newest
//    `max_entries` or older than `max_age_s`, but nothing a delivery still needs.
//    It skips its passes while the catalog refuses writes (a follower).
//
// Thread-safety: all methods may be called concurrently. Construct before the
// server serves (it registers a catalog commit observer); Stop before the catalog goes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/status.h"

namespace meridian::notify {

using nlohmann::json;

struct FeedOptions {
  uint64_t max_entries = 1000000;  // Default: 1,000,000 notifications kept; 0: no count limit.
  int64_t max_age_s = 604800;      // Default: 7 days; 0: no age limit.
  int prune_interval_s = 60;       // Default: 60 s between retention passes.
  int max_wait_ms = 20000;         // Default: 20 s. Longest long-poll (also bounded by the request deadline).
  int max_waiters = 2;             // Default: 2 long-polls waiting at once; others answer at once.
};

struct FeedPage {
  std::vector<catalog::StoredNotification> notifications;
  uint64_t last_sequence = 0;    // the last notification written
  uint64_t oldest_sequence = 0;  // the oldest retained (last_sequence + 1 when none is)
  bool truncated = false;        // some notifications after `after` were removed by retention
};

class NotificationFeed;

// A consumer that must see every notification (e.g. a Kafka publisher).
class Delivery {
 public:
  const std::string& name() const { return name_; }
  // The last sequence marked delivered (0: none).
  uint64_t delivered() const { return delivered_.load(); }
  // Up to `limit` notifications after delivered(), oldest first.
  Result<std::vector<catalog::StoredNotification>> Pending(size_t limit) const;
  // Like Pending, but when nothing is pending waits up to `wait` for a commit
  // (or the feed stopping). For a publisher's loop; takes no HTTP waiter slot.
  // While the catalog refuses writes (a follower, Catalog::WriteAllowed) it waits
  // `wait` and returns nothing, and delivered() follows the persisted (replicated) mark:
  // only the writer delivers.
  Result<std::vector<catalog::StoredNotification>> Next(size_t limit, std::chrono::milliseconds wait);
  // Records that everything through `sequence` was delivered (persisted; a lower
  // value than the current mark is ignored). Errors: store writes.
  Status MarkDelivered(uint64_t sequence);

 private:
  friend class NotificationFeed;
  Delivery(NotificationFeed& feed, catalog::Catalog& catalog, std::string name, uint64_t delivered)
      : feed_(feed), catalog_(catalog), name_(std::move(name)), delivered_(delivered) {}
  NotificationFeed& feed_;
  catalog::Catalog& catalog_;
  const std::string name_;
  std::atomic<uint64_t> delivered_;
};

class NotificationFeed {
 public:
  NotificationFeed(catalog::Catalog& catalog, FeedOptions options);
  ~NotificationFeed();
  NotificationFeed(const NotificationFeed&) = delete;
  NotificationFeed& operator=(const NotificationFeed&) = delete;

  // Starts and stops the retention thread (a first pass runs at Start).
  void Start();
  void Stop();

  // Up to `limit` notifications after `after`. When there are none yet, waits
  // for one up to `wait` (capped by max_wait_ms and the deadline), unless
  // max_waiters requests already wait. Errors: store reads.
  Result<FeedPage> Read(uint64_t after, size_t limit, std::chrono::milliseconds wait, const Deadline& deadline);

  // Records that consumer `name` (1-128 of [A-Za-z0-9_.-]) has read through
  // `sequence`, by `user`. InvalidArgument for a bad name.
  Status Acknowledge(const std::string& name, uint64_t sequence, const std::string& user);

  // The delivery `name` (created with its persisted mark, or 0). The feed owns it.
  Result<Delivery*> RegisterDelivery(const std::string& name);

  // Runs one retention pass now; the number of notifications removed.
  Result<size_t> Prune();

  // {lastSequence, oldestSequence, retained, retention, consumers: [...], deliveries: [...]}.
  Result<json> Positions() const;

 private:
  friend class Delivery;
  // Waits until a notification after `after` exists, `until` passes, `deadline`
  // is cancelled or the feed stops. True when there is one.
  bool WaitBeyond(uint64_t after, std::chrono::steady_clock::time_point until, const Deadline& deadline);
  void PruneLoop();

  catalog::Catalog& catalog_;
  const FeedOptions options_;
  std::mutex mu_;
  std::condition_variable changed_;  // a commit happened, or Stop
  std::condition_variable stopped_;  // Stop (the pruner sleeps on this one, not on every commit)
  bool stopping_ = false;            // GUARDED_BY(mu_)
  std::atomic<int> waiting_{0};
  std::thread pruner_;                // GUARDED_BY(mu_)
  mutable std::mutex deliveries_mu_;
  std::map<std::string, std::unique_ptr<Delivery>> deliveries_;  // GUARDED_BY(deliveries_mu_)
};

}  // namespace meridian::notify
