// KafkaHookSource: reads Atlas hook records from Kafka (ATLAS_HOOK, consumer
// group `atlas`, from the earliest offset when the group is new) into the
// HookWorker. Records are queued durably first (HookWorker::Submit, one batch
// per poll round of up to 500 records) and only then is the round's last offset
// per partition committed: a crash before the commit redelivers records, which
// the worker recognises by their digest and drops, so nothing is lost or applied
// twice. While the store refuses writes, the same records are retried and nothing
// is committed. Kafka being unreachable is logged and retried by librdkafka.
// While the worker cannot take records (HookWorker::CanSubmit: a follower) nothing
// is polled; past the consumer's max.poll.interval.ms the group gives its partitions
// to the other members.
// Thread-safety: Start/Stop from one thread; the counters from any.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "meridian/hook/hook_worker.h"
#include "meridian/kafka/kafka.h"

namespace meridian::hook {

class KafkaHookSource {
 public:
  // Creates the consumer (InvalidArgument for a bad property); Start begins reading.
  static Result<std::unique_ptr<KafkaHookSource>> Create(const kafka::ConsumerOptions& options, HookWorker* worker);
  ~KafkaHookSource();

  void Start();
  // Finishes the current round (queued records are committed) and leaves the group.
  void Stop();

  uint64_t consumed() const { return consumed_.load(); }  // records read since start

 private:
  KafkaHookSource(std::unique_ptr<kafka::Consumer> consumer, HookWorker* worker);
  void Run();

  std::unique_ptr<kafka::Consumer> consumer_;
  HookWorker* worker_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> consumed_{0};
};

}  // namespace meridian::hook
