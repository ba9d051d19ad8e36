// HookWorker: takes in Atlas hook notification records (from REST or Kafka) and
// applies them to the catalog, as Atlas's NotificationHookConsumer does.
//
// Submit() appends records to the store's durable hook queue in one batch: once
// it returns OK they survive a crash. A record whose exact text was queued
// before (within `dedup_window`) is a redelivery and is dropped. One thread
// applies the queue strictly in order, each message in ONE batch that also
// removes it from the queue, so a crash at any point neither loses a message
// nor applies it twice. Parts of split messages are kept in the store until
// all of them have arrived (in any order); then the joined message is applied
// and its parts removed in the same batch. Parts still incomplete after
// `split_wait` are given up as a failure.
//
// A message that cannot be applied (bad JSON or envelope, unsupported type,
// unknown type name, missing entity, ...) is removed from the queue and kept
// with its error (Catalog::HookFailures); the next message is applied. A
// storage error (disk full) is retried every second instead: nothing is skipped.
// While the catalog refuses writes (a follower, Catalog::WriteAllowed) the worker
// applies nothing and Submit fails with the fence's status; a message refused by a
// fence that started failing is retried, not recorded as failed.
//
// Thread-safety: Start/Stop from one thread; Submit and the counters from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::hook {

struct HookWorkerOptions {
  // Default: 15 min (Atlas's split.message.segments.wait.time.seconds). Longest wait for a split message's parts.
  std::chrono::milliseconds split_wait{900000};
  // Default: 7 days. How long a record's digest is kept to recognise a redelivery.
  std::chrono::milliseconds dedup_window{7LL * 24 * 3600 * 1000};
};

class HookWorker {
 public:
  HookWorker(catalog::Catalog& catalog, HookWorkerOptions options = {});
  ~HookWorker();

  void Start();
  // Stops after the message being applied; the rest stays queued for the next start.
  void Stop();

  // Durably queues `records` (each one record's JSON text) from `source` ("rest",
  // "kafka:ATLAS_HOOK/0@17", ...); returns how many were new. Errors: the store's (507 when full).
  Result<size_t> Submit(const std::vector<std::string>& records, const std::string& source);
  // False while the catalog refuses writes (a follower): Submit would fail.
  bool CanSubmit() const;

  // Since start: records queued, redeliveries dropped, messages applied, messages failed.
  uint64_t received() const { return received_.load(); }
  uint64_t duplicates() const { return duplicates_.load(); }
  uint64_t applied() const { return applied_.load(); }
  uint64_t failed() const { return failed_.load(); }
  // Records waiting in the queue (parts of incomplete split messages not included).
  uint64_t pending() const { return pending_.load(); }
  // Time from a record's arrival to the commit of its message, over the last 10,000 messages: p50 and p99 in ms.
  double LagPercentileMs(double p) const;
  // All of the above as JSON (for /admin/metrics and the failures route).
  nlohmann::json Stats() const;

 private:
  void Run();
  // Applies or parks one queued record; false when it must be retried later (storage error).
  bool Process(const catalog::HookMessage& m);
  bool Apply(const catalog::HookMessage& m, nlohmann::json payload, const std::string& created_by,
             const std::string& split_id);
  // Moves `m` to the failures; false when the store refused (retried later).
  bool Fail(const catalog::HookMessage& m, const std::string& error, const std::string& split_id = {});
  void Housekeeping();
  void RecordLag(int64_t ms);

  catalog::Catalog& catalog_;
  HookWorkerOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> received_{0}, duplicates_{0}, applied_{0}, failed_{0}, pending_{0};
  mutable std::mutex lag_mu_;
  std::vector<int64_t> lags_;  // GUARDED_BY(lag_mu_): ring of the last kLagWindow lags
  size_t lag_next_ = 0;        // GUARDED_BY(lag_mu_)
  std::chrono::steady_clock::time_point last_housekeeping_{};  // stale split parts: every minute
  std::chrono::steady_clock::time_point last_prune_{};         // digests: every hour
  uint64_t position_ = 0;  // sequence of the last message handled (worker thread only)
};

}  // namespace meridian::hook
