// ResponseCache: serialized GET responses keyed by request, valid only while
// the catalog's write sequence is unchanged. Any committed write invalidates
// everything, so a cached body can never show stale state. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace meridian::server {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_entries) : max_entries_(max_entries) {}

  // The cached body for `key` if it was stored at `sequence`.
  std::shared_ptr<const std::string> Find(const std::string& key, uint64_t sequence) {
    std::lock_guard<std::mutex> lock(mu_);
    if (sequence != sequence_) return nullptr;
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }

  void Store(const std::string& key, uint64_t sequence, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    if (sequence != sequence_) {
      entries_.clear();
      sequence_ = sequence;
    }
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_[key] = std::make_shared<const std::string>(std::move(body));
  }

 private:
  const size_t max_entries_;
  std::mutex mu_;
  uint64_t sequence_ = 0;                                                        // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace meridian::server
