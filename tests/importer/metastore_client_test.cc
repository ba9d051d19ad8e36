// MetastoreClient against the real meridian-hms-standin process, in each
// transport/protocol combination.

#include "meridian/importer/metastore_client.h"

#include <gtest/gtest.h>

#include <regex>

#include "test_process.h"

namespace meridian::importer {
namespace {

struct Wire {
  bool framed;
  bool compact;
};

class MetastoreClientTest : public ::testing::TestWithParam<Wire> {
 protected:
  void SetUp() override {
    std::vector<std::string> argv{MERIDIAN_HMS_STANDIN, "--fixture",
                                  std::string(MERIDIAN_HMS_FIXTURES) + "/atlas_emr.json",
                                  "--port", "0"};
    if (GetParam().framed) argv.push_back("--framed");
    if (GetParam().compact) argv.push_back("--compact");
    standin_ = std::make_unique<testing::ChildProcess>(argv);
    const std::string line = standin_->WaitForLine("listening on", std::chrono::seconds(10));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)$"))) << line;
    MetastoreOptions options;
    options.uri = "thrift://127.0.0.1:" + m[1].str();
    options.framed = GetParam().framed;
    options.compact = GetParam().compact;
    options.timeout = std::chrono::seconds(5);
    options.table_batch = 2;
    auto client = MetastoreClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<testing::ChildProcess> standin_;
  std::unique_ptr<MetastoreClient> client_;
};

TEST_P(MetastoreClientTest, ReadsDatabasesAndTables) {
  auto dbs = client_->GetAllDatabases();
  ASSERT_TRUE(dbs.ok()) << dbs.status().ToString();
  EXPECT_EQ(*dbs, std::vector<std::string>{"atlas_emr"});

  auto db = client_->GetDatabase("ATLAS_EMR");
  ASSERT_TRUE(db.ok() && db->has_value());
  EXPECT_EQ((*db)->owner_name, "hadoop");
  EXPECT_EQ((*db)->owner_type, PrincipalType::kUser);
  EXPECT_FALSE((*db)->catalog_name.has_value());

  auto missing_db = client_->GetDatabase("nope");
  ASSERT_TRUE(missing_db.ok()) << missing_db.status().ToString();
  EXPECT_FALSE(missing_db->has_value());

  auto names = client_->GetAllTables("atlas_emr");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"trip_details", "trip_zone_lookup",
                                              "trip_details_by_zone"}));
  auto none = client_->GetAllTables("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto tables = client_->GetTables("atlas_emr", {"trip_details", "gone", "trip_zone_lookup",
                                                 "trip_details_by_zone"});
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 3u);
  const HiveTable& t = (*tables)[0];
  EXPECT_EQ(t.table_name, "trip_details");
  EXPECT_EQ(t.db_name, "atlas_emr");
  EXPECT_EQ(t.create_time, 1700000001);
  EXPECT_EQ(t.table_type, "EXTERNAL_TABLE");
  EXPECT_EQ(t.sd.location, "s3://atlas-emr-demo/trip_details/");
  EXPECT_EQ(t.sd.cols.size(), 7u);
  EXPECT_EQ(t.sd.cols[6].type, "decimal(10,2)");
  EXPECT_FALSE(t.sd.cols[6].comment.has_value());
  EXPECT_FALSE(t.view_original_text.has_value());
  EXPECT_FALSE(t.sd.serde_info.name.has_value());
  EXPECT_EQ(t.sd.serde_info.parameters.at("field.delim"), ",");
  EXPECT_EQ(t.parameters.at("comment"), "Yellow taxi trip details");
  EXPECT_EQ((*tables)[1].sd.cols[0].name, "LocationID");

  auto one = client_->GetTable("atlas_emr", "trip_zone_lookup");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->sd.cols.size(), 4u);
  auto gone = client_->GetTable("atlas_emr", "gone");
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_FALSE(gone->has_value());
  auto unknown_db = client_->GetTables("nope", {"x"});
  ASSERT_TRUE(unknown_db.ok());
  EXPECT_TRUE(unknown_db->empty());
}

TEST_P(MetastoreClientTest, MetastoreGoingAwayIsUnavailable) {
  standin_->Stop();
  auto dbs = client_->GetAllDatabases();
  ASSERT_FALSE(dbs.ok());
  EXPECT_EQ(dbs.status().code(), StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Wires, MetastoreClientTest,
                         ::testing::Values(Wire{false, false}, Wire{true, false},
                                           Wire{false, true}, Wire{true, true}),
                         [](const auto& info) {
                           return std::string(info.param.framed ? "Framed" : "Buffered") +
                                  (info.param.compact ? "Compact" : "Binary");
                         });

TEST(MetastoreClient, UnreachableMetastore) {
  MetastoreOptions options;
  options.uri = "thrift://127.0.0.1:" + std::to_string(testing::FreePort());
  options.timeout = std::chrono::seconds(2);
  auto client = MetastoreClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find("cannot reach the Hive metastore"), std::string::npos);
}

TEST(MetastoreClient, ParsesUris) {
  auto hp = ParseThriftUri("thrift://hms.example.com:9083");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "hms.example.com");
  EXPECT_EQ(hp->second, 9083);
  EXPECT_EQ(ParseThriftUri("thrift://h")->second, 9083);
  EXPECT_FALSE(ParseThriftUri("http://h:1").ok());
  EXPECT_FALSE(ParseThriftUri("thrift://h:99999").ok());
  EXPECT_FALSE(ParseThriftUri("thrift://:1").ok());
}

}  // namespace
}  // namespace meridian::importer
