// Deadline: when a request's work must stop, and whether its client has gone.
//
// The server gives every request one (per route class); long-running work —
// DSL execution, search, lineage walks, propagation checks — calls Check()
// every few hundred steps and returns its Status when it fails.
// Thread-safety: copies share the cancellation flag; all methods may be called
// from any thread. Default: a deadline that never expires and is never cancelled.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "meridian/status.h"

namespace meridian {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  Deadline() = default;
  static Deadline After(std::chrono::milliseconds budget) {
    Deadline d;
    d.at_ = Clock::now() + budget;
    d.budget_ = budget;
    return d;
  }

  // Marks the work abandoned (the client disconnected, the server is stopping).
  void Cancel() const {
    if (cancelled_) cancelled_->store(true, std::memory_order_relaxed);
  }
  bool Cancelled() const { return cancelled_ && cancelled_->load(std::memory_order_relaxed); }
  bool Expired() const { return Cancelled() || (at_ != Clock::time_point::max() && Clock::now() >= at_); }

  // Ok, or DeadlineExceeded (HTTP 504, ATLAS-504-00-001) naming `what`.
  Status Check(const char* what) const {
    if (!Expired()) return Status::Ok();
    if (Cancelled()) return Status::DeadlineExceeded(std::string(what) + " cancelled: the request was abandoned");
    return Status::DeadlineExceeded(std::string(what) + " exceeded the request deadline of " +
                                    std::to_string(budget_.count()) + " ms");
  }

  Clock::time_point at() const { return at_; }

 private:
  Clock::time_point at_ = Clock::time_point::max();
  std::chrono::milliseconds budget_{0};
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace meridian
