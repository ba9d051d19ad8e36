#include "meridian/notify/notification_feed.h"
#include "meridian/atlas_error_codes.h"

#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

namespace meridian::notify {

namespace {

// User-record keys (docs/storage-format.md).
std::string ConsumerKey(std::string_view name) { return "notification_consumer" + std::string(1, '\0') + std::string(name); }
std::string DeliveryKey(std::string_view name) { return "notification_delivery" + std::string(1, '\0') + std::string(name); }

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

// Time left before the request must answer: its deadline less a margin to write the response.
std::chrono::milliseconds Remaining(const Deadline& deadline) {
  if (deadline.at() == Deadline::Clock::time_point::max()) return std::chrono::milliseconds::max();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.at() - Deadline::Clock::now()) -
              std::chrono::milliseconds(250);
  return std::max(left, std::chrono::milliseconds(0));
}

}  // namespace

Result<std::vector<catalog::StoredNotification>> Delivery::Pending(size_t limit) const {
  return catalog_.NotificationsAfter(delivered(), limit);
}

Result<std::vector<catalog::StoredNotification>> Delivery::Next(size_t limit, std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  if (!catalog_.WriteAllowed().ok()) {
    // Only the writer delivers (its marks are persisted): here the mark follows the replicated one.
    auto rec = catalog_.GetUserRecord(DeliveryKey(name_));
    if (rec.ok() && rec->value("delivered", uint64_t{0}) > delivered()) delivered_ = rec->value("delivered", uint64_t{0});
    feed_.WaitBeyond(std::numeric_limits<uint64_t>::max(), until, Deadline());  // sleeps until `until` or Stop
    return std::vector<catalog::StoredNotification>{};
  }
  feed_.WaitBeyond(delivered(), until, Deadline());
  return Pending(limit);
}

Status Delivery::MarkDelivered(uint64_t sequence) {
  if (sequence <= delivered()) return Status::Ok();
  RETURN_IF_ERROR(catalog_.ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    return catalog::Catalog::UserRecordChanges{
        {DeliveryKey(name_), json{{"name", name_}, {"delivered", sequence}, {"updateTime", catalog::NowMillis()}}}};
  }));
  delivered_ = sequence;
  return Status::Ok();
}

NotificationFeed::NotificationFeed(catalog::Catalog& catalog, FeedOptions options)
    : catalog_(catalog), options_(options) {
  catalog_.AddCommitObserver([this](const catalog::CommitInfo&) {
    std::lock_guard lock(mu_);
    changed_.notify_all();
  });
}

NotificationFeed::~NotificationFeed() { Stop(); }

void NotificationFeed::Start() {
  std::lock_guard lock(mu_);
  if (pruner_.joinable()) return;
  stopping_ = false;
  pruner_ = std::thread([this] { PruneLoop(); });
}

void NotificationFeed::Stop() {
  std::thread pruner;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    pruner.swap(pruner_);  // joined by one caller only
  }
  changed_.notify_all();
  stopped_.notify_all();
  if (pruner.joinable()) pruner.join();
}

Result<FeedPage> NotificationFeed::Read(uint64_t after, size_t limit, std::chrono::milliseconds wait,
                                        const Deadline& deadline) {
  wait = std::min({wait, std::chrono::milliseconds(options_.max_wait_ms), Remaining(deadline)});
  if (wait.count() > 0 && catalog_.last_notification() == after) {
    // Bounded: at most max_waiters requests hold a worker here; the others answer at once.
    if (waiting_.fetch_add(1) < options_.max_waiters)
      WaitBeyond(after, std::chrono::steady_clock::now() + wait, deadline);
    waiting_.fetch_sub(1);
  }
  FeedPage page;
  page.last_sequence = catalog_.last_notification();
  ASSIGN_OR_RETURN(page.notifications, catalog_.NotificationsAfter(after, limit));
  ASSIGN_OR_RETURN(page.oldest_sequence, catalog_.OldestNotification());
  page.truncated = after + 1 < page.oldest_sequence;
  return page;
}

bool NotificationFeed::WaitBeyond(uint64_t after, std::chrono::steady_clock::time_point until,
                                  const Deadline& deadline) {
  std::unique_lock lock(mu_);
  // Short slices so that a client that went away (deadline cancelled) frees its worker soon.
  while (!stopping_ && catalog_.last_notification() <= after && !deadline.Cancelled() &&
         std::chrono::steady_clock::now() < until)
    changed_.wait_until(lock, std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)));
  return catalog_.last_notification() > after;
}

Status NotificationFeed::Acknowledge(const std::string& name, uint64_t sequence, const std::string& user) {
  if (!ValidName(name))
    return Status::InvalidArgument("consumer must be 1 to 128 letters, digits, '_', '.' or '-'", atlas_code::kInvalidParameters);
  return catalog_.ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    const std::string key = ConsumerKey(name);
    auto current = catalog_.GetUserRecord(key);
    if (current.ok() && current->value("sequence", uint64_t{0}) == sequence && current->value("user", "") == user)
      return catalog::Catalog::UserRecordChanges{};  // unchanged: no write
    return catalog::Catalog::UserRecordChanges{
        {key, json{{"name", name}, {"sequence", sequence}, {"user", user}, {"updateTime", catalog::NowMillis()}}}};
  });
}

Result<Delivery*> NotificationFeed::RegisterDelivery(const std::string& name) {
  if (!ValidName(name))
    return Status::InvalidArgument("delivery name must be 1 to 128 letters, digits, '_', '.' or '-'");
  std::lock_guard lock(deliveries_mu_);
  auto it = deliveries_.find(name);
  if (it != deliveries_.end()) return it->second.get();
  uint64_t mark = 0;
  auto rec = catalog_.GetUserRecord(DeliveryKey(name));
  if (rec.ok()) mark = rec->value("delivered", uint64_t{0});
  else if (rec.status().code() != StatusCode::kNotFound) return rec.status();
  auto d = std::unique_ptr<Delivery>(new Delivery(*this, catalog_, name, mark));
  return deliveries_.emplace(name, std::move(d)).first->second.get();
}

Result<size_t> NotificationFeed::Prune() {
  catalog::NotificationPrune p;
  p.max_entries = options_.max_entries;
  if (options_.max_age_s > 0) p.created_before_ms = catalog::NowMillis() - options_.max_age_s * 1000;
  {
    std::lock_guard lock(deliveries_mu_);
    for (const auto& [name, d] : deliveries_) {
      uint64_t keep = d->delivered() + 1;
      if (p.keep_from == 0 || keep < p.keep_from) p.keep_from = keep;
    }
  }
  size_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, catalog_.PruneNotifications(p));
    total += n;
    if (n < p.max_deletes) break;
  }
  return total;
}

void NotificationFeed::PruneLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // Only the writer prunes; its deletions reach the followers by replication.
    if (catalog_.WriteAllowed().ok()) {
      auto removed = Prune();
      if (!removed.ok()) spdlog::warn("notification retention: {}", removed.status().message());
      else if (*removed > 0) spdlog::info("notification retention removed {} notifications", *removed);
    }
    lock.lock();
    stopped_.wait_for(lock, std::chrono::seconds(std::max(1, options_.prune_interval_s)),
                      [this] { return stopping_; });
  }
}

Result<json> NotificationFeed::Positions() const {
  const uint64_t last = catalog_.last_notification();
  ASSIGN_OR_RETURN(uint64_t oldest, catalog_.OldestNotification());
  json consumers = json::array();
  const std::string prefix = ConsumerKey("");
  for (auto& [key, rec] : catalog_.ScanUserRecords(prefix)) {
    const uint64_t seq = rec.value("sequence", uint64_t{0});
    consumers.push_back({{"name", rec.value("name", key.substr(prefix.size()))},
                         {"sequence", seq},
                         {"lag", last > seq ? last - seq : 0},
                         {"behindRetention", seq + 1 < oldest},
                         {"user", rec.value("user", "")},
                         {"updateTime", rec.value("updateTime", int64_t{0})}});
  }
  json deliveries = json::array();
  {
    std::lock_guard lock(deliveries_mu_);
    for (const auto& [name, d] : deliveries_) {
      const uint64_t seq = d->delivered();
      deliveries.push_back({{"name", name}, {"delivered", seq}, {"lag", last > seq ? last - seq : 0}});
    }
  }
  return json{{"lastSequence", last},
              {"oldestSequence", oldest},
              {"retained", last + 1 - oldest},
              {"retention",
               {{"maxEntries", options_.max_entries}, {"maxAgeSeconds", options_.max_age_s}}},
              {"consumers", std::move(consumers)},
              {"deliveries", std::move(deliveries)}};
}

}  // namespace meridian::notify
