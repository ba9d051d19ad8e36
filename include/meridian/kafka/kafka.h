// Kafka clients on librdkafka: a small consumer (one subscriber of a consumer
// group with manual commits) and a small producer (publish, then wait for the
// brokers' acknowledgement). All librdkafka use of the server is in src/kafka.
//
// Settings: `bootstrap_servers` plus any librdkafka property in `properties`
// (e.g. security.protocol, sasl.*, ssl.*, session.timeout.ms); a property
// librdkafka does not know fails Create with InvalidArgument.
// Errors: Unavailable (503) when Kafka cannot be reached or refuses a request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/status.h"

namespace meridian::kafka {

using Properties = std::map<std::string, std::string>;

struct ConsumerOptions {
  std::string bootstrap_servers;            // required: host:port[,host:port...]
  std::string group_id = "atlas";           // Default: atlas (Atlas's hook consumer group)
  std::vector<std::string> topics;          // required
  Properties properties;                    // extra librdkafka settings
};

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
};

// Subscribes `topics` in `group_id` with auto.offset.reset=earliest and
// enable.auto.commit=false: a new group starts at the beginning, and a restarted
// consumer resumes after the last committed record.
// Thread-safety: one thread at a time.
class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  ~Consumer();  // leaves the group (Close)

  // The next record, or nullopt when none arrives within `timeout`. Transient
  // client errors are logged and read as nullopt; fatal ones are Unavailable.
  Result<std::optional<Record>> Poll(std::chrono::milliseconds timeout);
  // Commits (synchronously) the position after `record` for its partition.
  Status Commit(const Record& record);
  // Leaves the group; further calls fail.
  void Close();

  struct Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ProducerOptions {
  std::string bootstrap_servers;                  // required
  Properties properties;                          // extra librdkafka settings
  std::chrono::milliseconds timeout{30000};       // Default: 30 s. Longest wait for an acknowledgement.
};

struct OutgoingRecord {
  std::string topic;
  std::optional<std::string> key;  // nullopt: no key (Atlas's hooks and notifications send none)
  std::string value;
};

// Idempotent producer with acks=all: records of one partition are stored once and in order.
// Thread-safety: Send may be called from several threads.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  ~Producer();  // waits up to `timeout` for records still in flight

  // Publishes `records` in order and returns once every one is acknowledged,
  // or the first error (Unavailable; InvalidArgument for a record larger than
  // message.max.bytes, 1,000,000 by default). Records sent before an error may be stored.
  Status Send(const std::vector<OutgoingRecord>& records);
  Status Send(const OutgoingRecord& record) { return Send(std::vector<OutgoingRecord>{record}); }

  struct Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::kafka
