// Atlas hook messages from Kafka: the real server consumes ATLAS_HOOK from librdkafka's in-process
// mock cluster (started by this test), is killed mid-stream and restarted, and ends with every
// message applied exactly once.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "hook_support.h"
#include "meridian/kafka/kafka.h"
#include "meridian/kafka/mock_cluster.h"

namespace meridian::hook {
namespace {

using namespace meridian::hook::testing;  // NOLINT

class HookKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::MockCluster::Create(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("ATLAS_HOOK", 1).ok());
    auto producer = kafka::Producer::Create({cluster_->bootstrap_servers()});
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    producer_ = std::move(*producer);
  }

  void TearDown() override {
    if (!config_.empty()) std::remove(config_.c_str());
  }

  // A server consuming the mock cluster (group `atlas`); a short session so that a restarted
  // server rejoins the group quickly.
  std::unique_ptr<TestServer> NewServer() {
    config_ = ::testing::TempDir() + "/hook_kafka_" + std::to_string(::getpid()) + ".toml";
    std::ofstream(config_) << "[kafka]\nbootstrap_servers = \"" << cluster_->bootstrap_servers() << "\"\n"
                           << "[kafka.properties]\n\"session.timeout.ms\" = \"6000\"\n"
                           << "\"heartbeat.interval.ms\" = \"500\"\n";
    return std::make_unique<TestServer>(std::vector<std::string>{"--config", config_});
  }

  void Produce(const json& records) {
    std::vector<kafka::OutgoingRecord> out;
    for (const json& r : records) out.push_back({"ATLAS_HOOK", std::nullopt, r.get<std::string>()});
    ASSERT_TRUE(producer_->Send(out).ok());
  }

  // Waits (at most 60 s) until `done` holds.
  static bool Eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 1200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static int AuditCount(const TestServer& server, const std::string& guid, const std::string& action) {
    int n = 0;
    for (const json& e : server.Get("/api/atlas/v2/entity/" + guid + "/audit?count=1000").Json())
      n += e["action"] == action;
    return n;
  }

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  std::string config_;
};

TEST_F(HookKafkaTest, TutorialFromKafkaIsAppliedOnceAcrossAKillMidStream) {
  const json records = TutorialRecords();
  auto server = NewServer();
  ASSERT_TRUE(server->Start());
  Produce(records["create"]);  // a split message (parts out of order), plain ones, a compressed one
  ASSERT_TRUE(Eventually([&] { return !Entity(*server, "hive_process", "atlas_emr.trip_details_by_zone@primary:1700000100000").is_null(); }));
  const json by_zone = Entity(*server, "hive_table", "atlas_emr.trip_details_by_zone@primary");
  const json details = Entity(*server, "hive_table", "atlas_emr.trip_details@primary");
  ASSERT_FALSE(by_zone.is_null());
  const auto edges = DatasetEdges(server->Get("/api/atlas/v2/lineage/uniqueAttribute/type/hive_column?attr:qualifiedName=" +
                                              UrlEncode("atlas_emr.trip_details_by_zone.borough@primary") +
                                              "&direction=INPUT")
                                      .Json());
  EXPECT_EQ(edges, (std::set<std::string>{"hive_column atlas_emr.trip_zone_lookup.borough@primary -> "
                                          "hive_column atlas_emr.trip_details_by_zone.borough@primary"}));

  // The rename's 15 messages, and a kill -9 while they are being read and applied.
  Produce(records["rename"]);
  server->Kill9();
  Produce(records["drop"]);
  ASSERT_TRUE(server->Start());
  ASSERT_TRUE(Eventually([&] {
    json t = server->Get("/api/atlas/v2/entity/guid/" + by_zone["guid"].get<std::string>()).Json();
    return t["entity"]["status"] == "DELETED";
  }));
  json stats = WaitApplied(*server);
  EXPECT_EQ(stats["failures"].size(), 0u) << stats.dump();
  json renamed = server->Get("/api/atlas/v2/entity/guid/" + by_zone["guid"].get<std::string>()).Json()["entity"];
  EXPECT_EQ(renamed["attributes"]["qualifiedName"], "atlas_emr.trip_zone_summary@primary");
  EXPECT_TRUE(Entity(*server, "hive_table", "atlas_emr.trip_details_by_zone@primary").is_null());
  EXPECT_TRUE(Entity(*server, "hive_column", "atlas_emr.trip_zone_summary.location_id@primary").is_null());
  EXPECT_EQ(AuditCount(*server, details["guid"], "ENTITY_CREATE"), 1);
  EXPECT_EQ(AuditCount(*server, by_zone["guid"], "ENTITY_CREATE"), 1);
  EXPECT_EQ(AuditCount(*server, by_zone["guid"], "ENTITY_DELETE"), 1);

  // A restart with everything committed reads nothing again.
  server->Stop();
  ASSERT_TRUE(server->Start());
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the group is joined again and would deliver
  stats = WaitApplied(*server);
  EXPECT_EQ(stats["stats"]["applied"], 0) << stats.dump();
  EXPECT_EQ(stats["stats"]["received"], 0) << stats.dump();
  EXPECT_EQ(AuditCount(*server, details["guid"], "ENTITY_CREATE"), 1);
}

TEST_F(HookKafkaTest, ProducerConfirmsDeliveryAndRefusesOversizedRecords) {
  EXPECT_TRUE(producer_->Send({"other_topic", std::string("key"), "value"}).ok());
  Status s = producer_->Send({"other_topic", std::nullopt, std::string(2'000'000, 'x')});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  auto consumer = kafka::Consumer::Create({cluster_->bootstrap_servers(), "probe", {"other_topic"}, {}});
  ASSERT_TRUE(consumer.ok());
  std::optional<kafka::Record> got;
  ASSERT_TRUE(Eventually([&] {
    auto r = (*consumer)->Poll(std::chrono::milliseconds(100));
    if (r.ok() && *r) got = **r;
    return got.has_value();
  }));
  EXPECT_EQ(got->value, "value");
  EXPECT_EQ(got->key, std::optional<std::string>("key"));
  EXPECT_TRUE((*consumer)->Commit(*got).ok());
}

}  // namespace
}  // namespace meridian::hook
