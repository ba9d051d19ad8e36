#include "meridian/hook/kafka_hook_source.h"

#include <map>

#include <spdlog/spdlog.h>

namespace meridian::hook {

namespace {
constexpr size_t kRoundRecords = 500;
}  // namespace

Result<std::unique_ptr<KafkaHookSource>> KafkaHookSource::Create(const kafka::ConsumerOptions& options,
                                                                 HookWorker* worker) {
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> consumer, kafka::Consumer::Create(options));
  return std::unique_ptr<KafkaHookSource>(new KafkaHookSource(std::move(consumer), worker));
}

KafkaHookSource::KafkaHookSource(std::unique_ptr<kafka::Consumer> consumer, HookWorker* worker)
    : consumer_(std::move(consumer)), worker_(worker) {}

KafkaHookSource::~KafkaHookSource() { Stop(); }

void KafkaHookSource::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void KafkaHookSource::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->Close();
}

void KafkaHookSource::Run() {
  while (!stop_) {
    if (!worker_->CanSubmit()) {
      // A follower reads nothing: the records stay in Kafka for the writer.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    // One round: what is already there (up to kRoundRecords), waiting at most 200 ms for the first.
    std::vector<kafka::Record> round;
    while (round.size() < kRoundRecords && !stop_) {
      auto r = consumer_->Poll(std::chrono::milliseconds(round.empty() ? 200 : 0));
      if (!r.ok()) {
        spdlog::error("hook: {}", r.status().message());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        break;
      }
      if (!*r) break;
      round.push_back(std::move(**r));
    }
    if (round.empty()) continue;
    consumed_ += round.size();
    std::vector<std::string> values;
    values.reserve(round.size());
    for (const auto& r : round) values.push_back(r.value);
    const auto& first = round.front();
    const std::string source = "kafka:" + first.topic + "/" + std::to_string(first.partition) + "@" +
                               std::to_string(first.offset);
    // Nothing is committed before the records are durable; retried while the store refuses them.
    for (;;) {
      auto added = worker_->Submit(values, source);
      if (added.ok()) break;
      spdlog::warn("hook: records from Kafka not queued, retrying: {}", added.status().ToString());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    std::map<std::pair<std::string, int32_t>, const kafka::Record*> last;
    for (const auto& r : round) last[{r.topic, r.partition}] = &r;
    for (const auto& [tp, r] : last) {
      Status s = consumer_->Commit(*r);
      if (!s.ok()) spdlog::warn("hook: {} (the records will be redelivered and recognised)", s.message());
    }
  }
}

}  // namespace meridian::hook
