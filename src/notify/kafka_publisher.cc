#include "meridian/notify/kafka_publisher.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "meridian/hook/notification_codec.h"

namespace meridian::notify {

namespace {
constexpr size_t kBatch = 500;
constexpr std::chrono::milliseconds kPoll{1000};
constexpr std::chrono::milliseconds kFirstBackoff{1000}, kMaxBackoff{30000};
}  // namespace

KafkaPublisher::KafkaPublisher(NotificationFeed* feed, kafka::Producer* producer, std::string topic)
    : feed_(feed), producer_(producer), topic_(std::move(topic)) {}

KafkaPublisher::~KafkaPublisher() { Stop(); }

Status KafkaPublisher::Start() {
  ASSIGN_OR_RETURN(delivery_, feed_->RegisterDelivery("kafka." + topic_));
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void KafkaPublisher::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool KafkaPublisher::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stop_.load(); });
}

void KafkaPublisher::Run() {
  auto backoff = kFirstBackoff;
  while (!stop_) {
    auto batch = delivery_->Next(kBatch, kPoll);
    Status s = batch.status();
    if (s.ok() && !batch->empty()) {
      std::vector<kafka::OutgoingRecord> records;
      for (const auto& n : *batch)
        for (auto& text : hook::EncodeRecords(n.message)) records.push_back({topic_, std::nullopt, std::move(text)});
      s = producer_->Send(records);
      if (s.ok()) s = delivery_->MarkDelivered(batch->back().sequence);
    }
    if (s.ok()) {
      backoff = kFirstBackoff;
      continue;
    }
    spdlog::warn("notifications to Kafka topic {}: {}; retrying in {} ms", topic_, s.ToString(), backoff.count());
    if (!Sleep(backoff)) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace meridian::notify
