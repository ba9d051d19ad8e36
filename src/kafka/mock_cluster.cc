#include "meridian/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace meridian::kafka {

struct MockCluster::Impl {
  rd_kafka_t* rk = nullptr;  // owns the cluster's threads
  rd_kafka_mock_cluster_t* mc = nullptr;
  ~Impl() {
    if (mc) rd_kafka_mock_cluster_destroy(mc);  // before its owning handle
    if (rk) rd_kafka_destroy(rk);
  }
};

MockCluster::MockCluster(std::unique_ptr<Impl> impl, std::string bootstraps)
    : impl_(std::move(impl)), bootstraps_(std::move(bootstraps)) {}
MockCluster::~MockCluster() = default;

Result<std::unique_ptr<MockCluster>> MockCluster::Create(int brokers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);  // quiet: the handle has no bootstrap servers
  auto impl = std::make_unique<Impl>();
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return Status::Internal(std::string("kafka mock cluster: ") + err);
  }
  impl->mc = rd_kafka_mock_cluster_new(impl->rk, brokers);
  if (!impl->mc) return Status::Internal("kafka mock cluster could not be created");
  std::string bootstraps = rd_kafka_mock_cluster_bootstraps(impl->mc);
  return std::unique_ptr<MockCluster>(new MockCluster(std::move(impl), std::move(bootstraps)));
}

Status MockCluster::CreateTopic(const std::string& topic, int partitions) {
  rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(impl_->mc, topic.c_str(), partitions, 1);
  return e ? Status::Internal(std::string("kafka mock topic ") + topic + ": " + rd_kafka_err2str(e)) : Status::Ok();
}

}  // namespace meridian::kafka
