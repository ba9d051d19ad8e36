// MockCluster: librdkafka's in-process Kafka cluster (rdkafka_mock.h), which
// speaks the Kafka protocol on loopback, for tests and benchmarks. Its API is
// marked experimental by librdkafka, so it is used only here. Nothing persists:
// the topics go with the object.
// Thread-safety: create and destroy from one thread; the cluster serves clients from any.
#pragma once

#include <memory>
#include <string>

#include "meridian/status.h"

namespace meridian::kafka {

class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> Create(int brokers = 1);
  ~MockCluster();

  // "127.0.0.1:<port>[,...]": the clients' bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstraps_; }
  Status CreateTopic(const std::string& topic, int partitions = 1);

  struct Impl;

 private:
  explicit MockCluster(std::unique_ptr<Impl> impl, std::string bootstraps);
  std::unique_ptr<Impl> impl_;
  std::string bootstraps_;
};

}  // namespace meridian::kafka
