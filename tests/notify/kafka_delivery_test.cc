// Entity-change notifications on Kafka's ATLAS_ENTITIES, as a tag-sync consumer reads them:
// the real server publishes to librdkafka's in-process mock cluster (started by this test);
// the topic carries every notification of the HTTP feed, in the feed's order, including the
// propagated classifications, and nothing is missing after the server is killed with -9.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "meridian/kafka/kafka.h"
#include "meridian/kafka/mock_cluster.h"
#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

const std::string kV2 = "/api/atlas/v2";

template <typename Pred>
bool WaitFor(Pred pred, double timeout_s = 60) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class KafkaDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::MockCluster::Create(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("ATLAS_ENTITIES", 1).ok());
    config_ = ::testing::TempDir() + "/kafka_delivery_" + std::to_string(::getpid()) + ".toml";
    std::ofstream(config_) << "[kafka]\nbootstrap_servers = \"" << cluster_->bootstrap_servers() << "\"\n";
    server_ = std::make_unique<TestServer>(std::vector<std::string>{"--config", config_});
    ASSERT_TRUE(server_->Start());
    auto consumer = kafka::Consumer::Create({cluster_->bootstrap_servers(), "tagsync", {"ATLAS_ENTITIES"}, {}});
    ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
    consumer_ = std::move(*consumer);
  }

  void TearDown() override {
    if (!config_.empty()) std::remove(config_.c_str());
  }

  void Write(const std::string& method, const std::string& target, const json& body, int status) {
    HttpResult r = method == "POST" ? server_->Post(target, body) : server_->Put(target, body);
    ASSERT_EQ(r.status, status) << method << " " << target << ": " << r.body.substr(0, 300);
  }

  // The feed's messages (Atlas envelopes) from sequence 1, in order.
  std::vector<json> Feed() {
    std::vector<json> out;
    for (uint64_t after = 0;;) {
      json page = server_->Get("/api/meridian/v1/notifications?limit=1000&after=" + std::to_string(after)).Json();
      if (!page.is_object() || page["notifications"].empty()) return out;
      for (const json& n : page["notifications"]) {
        out.push_back(n["message"]);
        after = n["sequence"];
      }
    }
  }

  // Reads the topic until it has carried every one of `expected` (at most 60 s).
  void ReadUntilSeen(const std::vector<json>& expected) {
    WaitFor([&] {
      auto record = consumer_->Poll(std::chrono::milliseconds(200));
      if (record.ok() && record->has_value()) received_.push_back(json::parse((*record)->value));
      size_t found = 0;
      for (const json& e : expected) found += std::find(received_.begin(), received_.end(), e) != received_.end();
      return found == expected.size();
    });
  }

  bool WaitPropagation() {
    return WaitFor([&] { return server_->Get("/api/meridian/v1/propagation").Json().value("pending", 1) == 0; });
  }

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::string config_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<json> received_;  // records of ATLAS_ENTITIES, in the order read
};

TEST_F(KafkaDeliveryTest, TopicCarriesTheFeedInOrderWithPropagatedTagsAndNothingIsLostToKillNine) {
  Write("POST", kV2 + "/types/typedefs",
        {{"classificationDefs", {{{"name", "PII"}, {"superTypes", json::array()}, {"attributeDefs", json::array()}}}},
         {"entityDefs",
          {{{"name", "kd_dataset"}, {"superTypes", {"DataSet"}}, {"attributeDefs", json::array()}},
           {{"name", "kd_process"}, {"superTypes", {"Process"}}, {"attributeDefs", json::array()}}}}},
        200);
  auto dataset = [](const std::string& qn) {
    return json{{"typeName", "kd_dataset"}, {"attributes", {{"qualifiedName", qn}, {"name", qn}}}};
  };
  auto ref = [](const std::string& qn) {
    return json{{"typeName", "kd_dataset"}, {"uniqueAttributes", {{"qualifiedName", qn}}}};
  };
  Write("POST", kV2 + "/entity/bulk", {{"entities", {dataset("src"), dataset("dst")}}}, 200);
  Write("POST", kV2 + "/entity/bulk",
        {{"entities",
          {{{"typeName", "kd_process"},
            {"attributes", {{"qualifiedName", "etl"}, {"name", "etl"}, {"inputs", {ref("src")}}, {"outputs", {ref("dst")}}}}}}}},
        200);
  const std::string src =
      server_->Get(kV2 + "/entity/uniqueAttribute/type/kd_dataset?attr:qualifiedName=src").Json()["entity"]["guid"];
  const std::string dst =
      server_->Get(kV2 + "/entity/uniqueAttribute/type/kd_dataset?attr:qualifiedName=dst").Json()["entity"]["guid"];
  Write("POST", kV2 + "/entity/guid/" + src + "/classifications",
        json::array({{{"typeName", "PII"}, {"propagate", true}}}), 204);
  ASSERT_TRUE(WaitPropagation());
  Write("PUT", kV2 + "/entity/guid/" + dst + "/labels", json::array({"gold"}), 204);

  std::vector<json> feed = Feed();
  ASSERT_GE(feed.size(), 6u);
  ReadUntilSeen(feed);
  ASSERT_EQ(received_.size(), feed.size()) << "the topic carries each notification once in a clean run";
  for (size_t i = 0; i < feed.size(); ++i) EXPECT_EQ(received_[i], feed[i]) << "record " << i;
  // The propagated copy reaches the downstream table as its own CLASSIFICATION_ADD.
  bool propagated = false;
  for (const json& m : received_) {
    const json& body = m["message"];
    if (body.value("operationType", "") != "CLASSIFICATION_ADD" || body["entity"].value("guid", "") != dst) continue;
    for (const json& c : body["entity"]["classifications"])
      propagated |= c.value("typeName", "") == "PII" && c.value("entityGuid", "") == src;
  }
  EXPECT_TRUE(propagated) << "no CLASSIFICATION_ADD of the propagated PII for " << dst;

  // Changes acknowledged just before a kill -9, and after the restart, all reach the topic.
  for (int i = 0; i < 30; ++i)
    Write("PUT", kV2 + "/entity/guid/" + src + "?name=description", "before the crash " + std::to_string(i), 200);
  server_->Kill9();
  ASSERT_TRUE(server_->Start());
  for (int i = 0; i < 5; ++i)
    Write("PUT", kV2 + "/entity/guid/" + dst + "?name=description", "after the restart " + std::to_string(i), 200);
  feed = Feed();
  ReadUntilSeen(feed);
  size_t previous = 0;
  for (size_t i = 0; i < feed.size(); ++i) {
    auto at = std::find(received_.begin(), received_.end(), feed[i]);
    ASSERT_NE(at, received_.end()) << "notification " << i + 1 << " never reached the topic";
    const size_t first = static_cast<size_t>(at - received_.begin());
    if (i > 0) EXPECT_GT(first, previous) << "notification " << i + 1 << " arrived out of order";
    previous = first;
  }
}

}  // namespace
}  // namespace meridian::testing
