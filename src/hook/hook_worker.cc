#include "meridian/hook/hook_worker.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "meridian/hook/hook_message.h"
#include "meridian/hook/notification_codec.h"

namespace meridian::hook {

using nlohmann::json;

namespace {

constexpr size_t kLagWindow = 10000;
constexpr size_t kRound = 128;

bool Retriable(const Status& s) {
  return s.code() == StatusCode::kInsufficientStorage || s.code() == StatusCode::kUnavailable;
}

}  // namespace

HookWorker::HookWorker(catalog::Catalog& catalog, HookWorkerOptions options)
    : catalog_(catalog), options_(options) {
  lags_.reserve(kLagWindow);
}

HookWorker::~HookWorker() { Stop(); }

void HookWorker::Start() {
  pending_ = catalog_.CountHookMessages();
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void HookWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    wake_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<size_t> HookWorker::Submit(const std::vector<std::string>& records, const std::string& source) {
  std::vector<catalog::HookMessage> messages;
  messages.reserve(records.size());
  const int64_t now = catalog::NowMillis();
  for (const auto& text : records) {
    catalog::HookMessage m;
    m.text = text;
    m.source = source;
    m.digest = Digest(text);
    m.received_ms = now;
    messages.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(size_t added, catalog_.EnqueueHookMessages(messages));
  received_ += added;
  duplicates_ += records.size() - added;
  pending_ += added;
  if (added > 0) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      wake_ = true;
    }
    cv_.notify_one();
  }
  return added;
}

bool HookWorker::CanSubmit() const { return catalog_.WriteAllowed().ok(); }

void HookWorker::Run() {
  bool fenced = false;
  while (!stop_) {
    if (!catalog_.WriteAllowed().ok()) {
      // A follower: the writer applies the queue; its results arrive by replication.
      fenced = true;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_.load(); });
      continue;
    }
    if (fenced) {
      fenced = false;
      pending_ = catalog_.CountHookMessages();  // the queue changed by replication meanwhile
    }
    if (std::chrono::steady_clock::now() - last_housekeeping_ > std::chrono::minutes(1)) Housekeeping();
    // From after the last message handled: the queue's head is all deleted keys.
    std::vector<catalog::HookMessage> round = catalog_.PendingHookMessages(position_, kRound);
    if (round.empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return wake_; });
      wake_ = false;
      continue;
    }
    for (const auto& m : round) {
      if (stop_) return;
      bool done = true;
      try {
        done = Process(m);
      } catch (const std::exception& e) {  // a malformed message must not stop the worker
        done = Fail(m, std::string("cannot read the message: ") + e.what());
      }
      if (!done) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_.load(); });
        break;
      }
      position_ = m.sequence;
    }
  }
}

bool HookWorker::Process(const catalog::HookMessage& m) {
  auto decoded = DecodeRecord(m.text);
  if (!decoded.ok())
    return Fail(m, decoded.status().message());
  if (!decoded->is_part) return Apply(m, std::move(decoded->payload), decoded->created_by, {});

  const std::string& id = decoded->split_id;
  catalog::HookPart part = decoded->part;
  part.received_ms = m.received_ms;
  std::vector<catalog::HookPart> parts = catalog_.HookParts(id);
  parts.erase(std::remove_if(parts.begin(), parts.end(), [&](const auto& p) { return p.index == part.index; }),
              parts.end());
  parts.push_back(part);
  for (const auto& p : parts)
    if (p.count != part.count)
      return Fail(m, "split message " + id + ": parts disagree on msgSplitCount", id);
  if (static_cast<int>(parts.size()) == part.count) {
    auto joined = JoinParts(parts);
    if (!joined.ok())
      return Fail(m, "split message " + id + ": " + joined.status().message(), id);
    return Apply(m, std::move(joined->payload), joined->created_by, id);
  }
  Status s = catalog_.StashHookPart(m.sequence, id, part);
  if (!s.ok()) {
    spdlog::warn("hook: cannot keep part {} of split message {}: {}", part.index, id, s.ToString());
    return false;
  }
  --pending_;
  return true;
}

bool HookWorker::Apply(const catalog::HookMessage& m, json payload, const std::string& created_by,
                       const std::string& split_id) {
  catalog::HookMessage kept = m;
  if (!split_id.empty()) kept.text = payload.dump();  // the joined message, not its last part
  auto change = ChangeOf(std::move(payload), created_by);
  if (!change.ok())
    return Fail(kept, change.status().message(), split_id);
  auto r = catalog_.ApplyHookMessage(m.sequence, *change, split_id);
  if (r.ok()) {
    ++applied_;
    --pending_;
    RecordLag(catalog::NowMillis() - m.received_ms);
    return true;
  }
  if (Retriable(r.status()) || !catalog_.WriteAllowed().ok()) {
    spdlog::warn("hook: message {} not applied, retrying: {}", m.sequence, r.status().ToString());
    return false;
  }
  return Fail(kept, r.status().ToString(), split_id);
}

bool HookWorker::Fail(const catalog::HookMessage& m, const std::string& error, const std::string& split_id) {
  spdlog::warn("hook: message {} from {} failed: {}", m.sequence, m.source, error);
  Status s = catalog_.FailHookMessage(m, error, split_id);
  if (!s.ok()) {
    spdlog::error("hook: cannot record failed message {}: {}", m.sequence, s.ToString());
    return false;
  }
  ++failed_;
  --pending_;
  return true;
}

void HookWorker::Housekeeping() {
  last_housekeeping_ = std::chrono::steady_clock::now();
  const int64_t now = catalog::NowMillis();
  for (const auto& id : catalog_.StaleHookParts(now - options_.split_wait.count())) {
    auto parts = catalog_.HookParts(id);
    catalog::HookMessage m;
    m.source = "split message " + id;
    m.text = json{{"msgId", id}, {"partsReceived", parts.size()},
                  {"msgSplitCount", parts.empty() ? 0 : parts.front().count}}.dump();
    Status s = catalog_.FailHookMessage(m, "split message " + id + " incomplete after " +
                                               std::to_string(options_.split_wait.count() / 1000) + " s", id);
    if (s.ok()) ++failed_;
  }
  if (last_housekeeping_ - last_prune_ < std::chrono::hours(1)) return;
  last_prune_ = last_housekeeping_;
  Status s = catalog_.PruneHookDigests(now - options_.dedup_window.count());
  if (!s.ok()) spdlog::warn("hook: cannot prune message digests: {}", s.ToString());
}

void HookWorker::RecordLag(int64_t ms) {
  std::lock_guard<std::mutex> lock(lag_mu_);
  if (lags_.size() < kLagWindow) {
    lags_.push_back(ms);
  } else {
    lags_[lag_next_] = ms;
    lag_next_ = (lag_next_ + 1) % kLagWindow;
  }
}

double HookWorker::LagPercentileMs(double p) const {
  std::vector<int64_t> v;
  {
    std::lock_guard<std::mutex> lock(lag_mu_);
    v = lags_;
  }
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return static_cast<double>(v[k]);
}

json HookWorker::Stats() const {
  return {{"received", received()},   {"duplicates", duplicates()},       {"applied", applied()},
          {"failed", failed()},       {"pending", pending()},             {"lagP50Ms", LagPercentileMs(50)},
          {"lagP99Ms", LagPercentileMs(99)}};
}

}  // namespace meridian::hook
