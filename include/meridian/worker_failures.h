// WorkerFailures: what a background worker (the indexer, the propagation
// worker) could not apply, so that one bad item is skipped and reported
// instead of stopping the worker.
//
// Keeps the latest failure per item id (an entity guid, or "source/tag"), at
// most kMaxKept of them (the oldest are dropped), and counts every failure since
// start. An item that later succeeds is resolved (removed from the list; the
// total stays). Thread-safety: every method may be called from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meridian {

class WorkerFailures {
 public:
  static constexpr size_t kMaxKept = 1000;

  struct Failure {
    std::string id;
    std::string reason;
    int64_t time_ms = 0;  // epoch milliseconds of the latest failure
  };

  void Record(const std::string& id, const std::string& reason) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    std::lock_guard<std::mutex> lock(mu_);
    ++total_;
    auto [it, fresh] = current_.try_emplace(id);
    it->second = {reason, now, ++order_};
    if (fresh && current_.size() > kMaxKept) {
      auto oldest = current_.begin();
      for (auto i = current_.begin(); i != current_.end(); ++i)
        if (i->second.order < oldest->second.order) oldest = i;
      current_.erase(oldest);
    }
  }

  // The item was applied after all.
  void Resolve(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!current_.empty()) current_.erase(id);
  }

  uint64_t total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

  // Unresolved failures, oldest first.
  std::vector<Failure> Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::pair<uint64_t, Failure>> sorted;
    for (const auto& [id, e] : current_) sorted.push_back({e.order, {id, e.reason, e.time_ms}});
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Failure> out;
    for (auto& [order, f] : sorted) out.push_back(std::move(f));
    return out;
  }

  // {"total": n, "current": n, "failures": [{"id", "reason", "time"}]}
  nlohmann::json ToJson() const {
    nlohmann::json list = nlohmann::json::array();
    for (const Failure& f : Current()) list.push_back({{"id", f.id}, {"reason", f.reason}, {"time", f.time_ms}});
    return {{"total", total()}, {"current", list.size()}, {"failures", std::move(list)}};
  }

 private:
  struct Entry {
    std::string reason;
    int64_t time_ms = 0;
    uint64_t order = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> current_;  // GUARDED_BY(mu_)
  uint64_t total_ = 0;                    // GUARDED_BY(mu_)
  uint64_t order_ = 0;                    // GUARDED_BY(mu_)
};

}  // namespace meridian
