// Units around the import loop: fixture parsing, selection patterns, mutation
// counting, progress output, the REST client's helpers and error mapping.

#include <gtest/gtest.h>

#include <sstream>

#include "atlas_client.h"
#include "hive_importer.h"
#include "meridian/importer/fixture.h"
#include "progress.h"
#include "meridian/client/rest_client.h"
#include "test_process.h"

namespace meridian::importer {
namespace {

using nlohmann::json;

TEST(Fixture, ParsesNullsAndDefaults) {
  auto catalog = ParseFixture(R"({"databases":[{"name":"d","ownerType":"GROUP","tables":[
      {"tableName":"t","sd":{"cols":[{"name":"c"}]}}]}]})");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_EQ(catalog->tables.size(), 1u);
  const HiveTable& t = catalog->tables[0];
  EXPECT_EQ(t.db_name, "d");
  EXPECT_EQ(t.table_type, "MANAGED_TABLE");
  EXPECT_EQ(t.sd.num_buckets, -1);
  EXPECT_FALSE(t.sd.location.has_value());
  EXPECT_FALSE(t.sd.cols[0].type.has_value());
  EXPECT_FALSE(t.view_original_text.has_value());
  EXPECT_EQ(catalog->databases[0].owner_type, PrincipalType::kGroup);
}

TEST(Fixture, RejectsBadInput) {
  EXPECT_EQ(ParseFixture("{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFixture(R"({"databases":[{"description":"no name"}]})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFixture(R"({"databases":[{"name":"d","ownerType":"NOBODY"}]})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadFixture("/nonexistent/fixture.json").status().code(), StatusCode::kNotFound);
}

TEST(Selector, ExactNamesAndRegexes) {
  EXPECT_TRUE(MatchesPattern("atlas_emr", "ATLAS_EMR"));
  EXPECT_FALSE(MatchesPattern("atlas_emr2", "atlas_emr"));
  EXPECT_TRUE(MatchesPattern("trip_details", "trip_.*"));
  EXPECT_TRUE(MatchesPattern("Trip_Details", "trip_.*"));
  EXPECT_FALSE(MatchesPattern("my_trip_details", "trip_.*"));
  EXPECT_TRUE(MatchesPattern("sales", "sales|hr"));
  EXPECT_FALSE(MatchesPattern("x", "(unclosed"));
}

TEST(Summary, CountsMutationsByKind) {
  ImportSummary summary;
  CountMutations(json::parse(R"({"mutatedEntities":{
      "CREATE":[{"typeName":"hive_table"},{"typeName":"hive_column"},{"typeName":"hive_column"},
                {"typeName":"aws_s3_v2_bucket"}],
      "UPDATE":[{"typeName":"hive_db"}],
      "PARTIAL_UPDATE":[{"typeName":"hive_db"}],
      "DELETE":[{"typeName":"hive_process"}]},
      "guidAssignments":{"-1":"x"}})"),
                 &summary);
  CountMutations(json::object(), &summary);
  CountMutations(json::parse(R"({"statements":[],"mutatedEntities":{"mutatedEntities":{
      "CREATE":[{"typeName":"hive_process"}]}}})"),
                 &summary);
  CountMutations(json::parse(R"({"mutatedEntities":null})"), &summary);
  EXPECT_EQ(summary.counts["processes"].created, 1);
  EXPECT_EQ(summary.counts["tables"].created, 1);
  EXPECT_EQ(summary.counts["columns"].created, 2);
  EXPECT_EQ(summary.counts["other"].created, 1);
  EXPECT_EQ(summary.counts["databases"].updated, 2);
  EXPECT_EQ(summary.counts["processes"].deleted, 1);
  const std::string text = summary.ToString();
  EXPECT_NE(text.find("created  updated  deleted  failed"), std::string::npos) << text;
  EXPECT_NE(text.find("columns             2        0        0       0"), std::string::npos)
      << text;
}

TEST(Progress, PlainLinesWhenNotATerminal) {
  std::ostringstream out;
  Progress progress(out, false, 20);
  for (int i = 0; i < 20; ++i) progress.Step("db.t" + std::to_string(i));
  progress.Finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 10);
  EXPECT_NE(text.find("progress: 20/20 tables (last: db.t19)"), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(Progress, BarOnATerminal) {
  std::ostringstream out;
  Progress progress(out, true, 2);
  progress.Step("db.a");
  progress.Message("warning: x");
  progress.Step("db.b");
  progress.Finish();
  EXPECT_NE(out.str().find("\r[###############               ] 1/2 tables db.a"), std::string::npos);
  EXPECT_NE(out.str().find("warning: x\n"), std::string::npos);
  EXPECT_NE(out.str().find("2/2 tables db.b"), std::string::npos);
}

TEST(RestClient, Encoding) {
  EXPECT_EQ(Base64Encode("admin:admin"), "YWRtaW46YWRtaW4=");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("abc"), "YWJj");
  EXPECT_EQ(UrlEncode("atlas_emr.trip_details@primary"), "atlas_emr.trip_details%40primary");
  EXPECT_EQ(UrlEncode("a b/c"), "a%20b%2Fc");
}

TEST(RestClient, RejectsBadUrls) {
  EXPECT_EQ(RestClient::Create({"ftp://x:1"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(RestClient::Create({"https://x:1"}).ok());
  EXPECT_EQ(RestClient::Create({"https://x:1", "/nonexistent/ca.pem"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RestClient::Create({"http://:21000"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(RestClient, UnreachableServerIsUnavailableAfterRetries) {
  RestClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  options.retries = 2;
  options.retry_delay = std::chrono::milliseconds(10);
  auto client = RestClient::Create(options);
  ASSERT_TRUE(client.ok());
  auto response = (*client)->Request("GET", "/api/atlas/v2/types/typedefs");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("unreachable"), std::string::npos);
}

TEST(AtlasClient, ErrorMapping) {
  Status st = StatusFromResponse(
      {400, R"({"errorCode":"ATLAS-400-00-02B","errorMessage":"type is required"})"}, "POST x");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.atlas_code(), "ATLAS-400-00-02B");
  EXPECT_EQ(st.message(), "POST x: HTTP 400: type is required");
  EXPECT_FALSE(IsFatal(st));
  st = StatusFromResponse({401, ""}, "POST x");
  EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsFatal(st));
  EXPECT_EQ(StatusFromResponse({503, "busy"}, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromResponse({500, "<html>"}, "x").code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace meridian::importer
