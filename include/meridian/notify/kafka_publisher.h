// KafkaPublisher: delivers the entity-change notifications to a Kafka topic (Atlas's
// ATLAS_ENTITIES, the form Ranger's tag sync reads), at least once and in order.
//
// It follows the feed as the delivery "kafka.<topic>": reads what comes after its
// persisted mark, sends each notification as Atlas's producer would (the envelope's
// JSON; gzip-compressed or split when larger than a record may be), waits for the
// brokers' acknowledgement, then moves the mark. A crash between the send and the mark
// resends those notifications after the restart (at least once, never a gap); retention
// keeps everything the mark has not passed. When Kafka refuses or cannot be reached, it
// retries the same notifications with a back-off (1 s, doubling up to 30 s).
//
// Thread-safety: Start and Stop from one thread; delivered() from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "meridian/kafka/kafka.h"
#include "meridian/notify/notification_feed.h"
#include "meridian/status.h"

namespace meridian::notify {

class KafkaPublisher {
 public:
  // `feed` and `producer` must outlive the publisher.
  KafkaPublisher(NotificationFeed* feed, kafka::Producer* producer, std::string topic = "ATLAS_ENTITIES");
  ~KafkaPublisher();

  // Registers the delivery and starts publishing. Errors: the delivery's mark cannot be read.
  Status Start();
  // Stops after the batch in flight (its mark is moved only if it was acknowledged).
  void Stop();
  // The last notification sequence acknowledged by Kafka.
  uint64_t delivered() const { return delivery_ ? delivery_->delivered() : 0; }

 private:
  void Run();
  bool Sleep(std::chrono::milliseconds d);  // false when stopping

  NotificationFeed* feed_;
  kafka::Producer* producer_;
  const std::string topic_;
  Delivery* delivery_ = nullptr;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace meridian::notify
