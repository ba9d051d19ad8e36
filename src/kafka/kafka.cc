#include "meridian/kafka/kafka.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

namespace meridian::kafka {

namespace {

void LogToSpdlog(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  if (level <= 3) spdlog::error("kafka {}: {}", fac, buf);
  else if (level == 4) spdlog::warn("kafka {}: {}", fac, buf);
  else if (level <= 6) spdlog::info("kafka {}: {}", fac, buf);
  else spdlog::debug("kafka {}: {}", fac, buf);
}

// A librdkafka configuration with `settings` applied over `base`; InvalidArgument names a refused property.
Result<rd_kafka_conf_t*> MakeConf(const std::string& bootstrap_servers, const Properties& base,
                                  const Properties& settings) {
  if (bootstrap_servers.empty()) return Status::InvalidArgument("kafka: bootstrap servers are not set");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  Properties all = base;
  all["bootstrap.servers"] = bootstrap_servers;
  for (const auto& [k, v] : settings) all[k] = v;
  for (const auto& [k, v] : all) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogToSpdlog);
  return conf;
}

Status KafkaError(const std::string& what, rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    return Status::InvalidArgument(what + ": " + rd_kafka_err2str(err));
  return Status::Unavailable(what + ": " + rd_kafka_err2str(err));
}

// Outcome of one Send call, shared with the delivery reports of its records.
struct Delivery {
  std::atomic<int> remaining{0};
  std::mutex mu;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;  // GUARDED_BY(mu): the first failure
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* owner = static_cast<std::shared_ptr<Delivery>*>(m->_private);
  if (owner == nullptr) return;
  Delivery& d = **owner;
  if (m->err) {
    std::lock_guard<std::mutex> lock(d.mu);
    if (d.err == RD_KAFKA_RESP_ERR_NO_ERROR) d.err = m->err;
  }
  d.remaining.fetch_sub(1);
  delete owner;
}

}  // namespace

// ---- Consumer ----

struct Consumer::Impl {
  rd_kafka_t* rk = nullptr;
  ~Impl() { Close(); }
  void Close() {
    if (!rk) return;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    rk = nullptr;
  }
};

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

Result<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  if (options.topics.empty()) return Status::InvalidArgument("kafka consumer: no topics to subscribe");
  ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                   MakeConf(options.bootstrap_servers,
                            {{"group.id", options.group_id},
                             {"auto.offset.reset", "earliest"},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"enable.partition.eof", "false"}},
                            options.properties));
  char err[512];
  auto impl = std::make_unique<Impl>();
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(impl->rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size()));
  for (const auto& t : options.topics) rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(impl->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) return KafkaError("kafka consumer: subscribe", e);
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Result<std::optional<Record>> Consumer::Poll(std::chrono::milliseconds timeout) {
  if (!impl_->rk) return Status::Unavailable("kafka consumer is closed");
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, static_cast<int>(timeout.count()));
  if (!m) return std::optional<Record>();
  std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> guard(m, rd_kafka_message_destroy);
  if (m->err) {
    char reason[512];
    if (rd_kafka_fatal_error(impl_->rk, reason, sizeof reason))
      return Status::Unavailable(std::string("kafka consumer: fatal error: ") + reason);
    spdlog::warn("kafka consumer: {}", rd_kafka_message_errstr(m));
    return std::optional<Record>();
  }
  Record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
  return std::optional<Record>(std::move(r));
}

Status Consumer::Commit(const Record& record) {
  if (!impl_->rk) return Status::Unavailable("kafka consumer is closed");
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, record.topic.c_str(), record.partition)->offset = record.offset + 1;
  rd_kafka_resp_err_t e = rd_kafka_commit(impl_->rk, list, 0);
  rd_kafka_topic_partition_list_destroy(list);
  return e ? KafkaError("kafka consumer: commit", e) : Status::Ok();
}

void Consumer::Close() { impl_->Close(); }

// ---- Producer ----

struct Producer::Impl {
  rd_kafka_t* rk = nullptr;
  std::chrono::milliseconds timeout{30000};
  ~Impl() {
    if (!rk) return;
    rd_kafka_flush(rk, static_cast<int>(timeout.count()));
    rd_kafka_destroy(rk);
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                   MakeConf(options.bootstrap_servers,
                            {{"enable.idempotence", "true"},
                             {"acks", "all"},
                             {"message.timeout.ms", std::to_string(options.timeout.count())}},
                            options.properties));
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  char err[512];
  auto impl = std::make_unique<Impl>();
  impl->timeout = options.timeout;
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("kafka producer: ") + err);
  }
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Status Producer::Send(const std::vector<OutgoingRecord>& records) {
  auto delivery = std::make_shared<Delivery>();
  delivery->remaining = static_cast<int>(records.size());
  const auto deadline = std::chrono::steady_clock::now() + impl_->timeout;
  Status result = Status::Ok();
  size_t sent = 0;
  for (const auto& r : records) {
    auto* owner = new std::shared_ptr<Delivery>(delivery);
    void* key = r.key ? const_cast<char*>(r.key->data()) : nullptr;
    const size_t key_len = r.key ? r.key->size() : 0;
    rd_kafka_resp_err_t e;
    for (;;) {
      e = rd_kafka_producev(
          impl_->rk, RD_KAFKA_V_TOPIC(r.topic.c_str()),
          RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
          RD_KAFKA_V_KEY(key, key_len),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(owner), RD_KAFKA_V_END);
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || std::chrono::steady_clock::now() > deadline) break;
      rd_kafka_poll(impl_->rk, 10);
    }
    if (e) {
      delete owner;
      result = KafkaError("kafka producer: " + r.topic, e);
      break;
    }
    ++sent;
  }
  // Records never handed over get no delivery report.
  delivery->remaining -= static_cast<int>(records.size() - sent);
  while (delivery->remaining.load() > 0 && std::chrono::steady_clock::now() < deadline)
    rd_kafka_poll(impl_->rk, 5);
  if (!result.ok()) return result;
  if (delivery->remaining.load() > 0) return Status::Unavailable("kafka producer: no acknowledgement in time");
  std::lock_guard<std::mutex> lock(delivery->mu);
  return delivery->err ? KafkaError("kafka producer", delivery->err) : Status::Ok();
}

}  // namespace meridian::kafka
