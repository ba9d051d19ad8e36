// AnalyzeScript behaviour not covered by the corpus: providers, limits, positions.

#include "meridian/sql/hive_lineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "corpus.h"

#include <map>
#include <string>

namespace meridian::sql {
namespace {

using ::testing::HasSubstr;

using MapSchemas = testing::CorpusSchemas;

MapSchemas TripSchemas() {
  MapSchemas s;
  s.tables["default.trip_details"] = {"vendor_id",     "pickup_datetime", "dropoff_datetime", "passenger_count",
                                       "trip_distance", "location_id",     "fare_amount"};
  s.tables["default.trip_zone_lookup"] = {"LocationID", "borough", "zone", "service_zone"};
  return s;
}

TEST(HiveLineage, TutorialLocationIdTracesToTripDetails) {
  MapSchemas schemas = TripSchemas();
  ScriptResult r = AnalyzeScript(
      "create table trip_details_by_zone as select * from trip_details join trip_zone_lookup on LocationID = "
      "location_id",
      "default", schemas);
  ASSERT_TRUE(r.issues.empty()) << r.issues[0].reason;
  ASSERT_EQ(r.statements.size(), 1u);
  const StatementLineage& st = r.statements[0];
  EXPECT_EQ(st.operation, kOpCreateTableAsSelect);
  ASSERT_EQ(st.outputs.size(), 1u);
  EXPECT_EQ(st.outputs[0].table, (TableName{"default", "trip_details_by_zone"}));
  EXPECT_EQ(st.outputs[0].columns.size(), 11u);
  bool found = false;
  for (const auto& cl : st.outputs[0].column_lineage) {
    if (cl.output_column != "location_id") continue;
    found = true;
    ASSERT_EQ(cl.sources.size(), 1u);
    EXPECT_EQ(cl.sources[0].table, (TableName{"default", "trip_details"}));
    EXPECT_EQ(cl.sources[0].column, "location_id");
    EXPECT_EQ(cl.dependency_type, kDependencySimple);
  }
  EXPECT_TRUE(found);
}

TEST(HiveLineage, UnknownSchemaResolvesOnlyUnambiguousColumns) {
  EmptySchemaProvider none;
  ScriptResult r = AnalyzeScript("insert into table t2 (a, b) select x, upper(y) from t1", "db1", none);
  ASSERT_EQ(r.statements.size(), 1u) << (r.issues.empty() ? "" : r.issues[0].reason);
  const auto& lineage = r.statements[0].outputs[0].column_lineage;
  ASSERT_EQ(lineage.size(), 2u);
  EXPECT_EQ(lineage[0].sources[0].table, (TableName{"db1", "t1"}));
  EXPECT_EQ(lineage[0].sources[0].column, "x");
  EXPECT_EQ(lineage[1].expression, "upper(t1.y)");

  r = AnalyzeScript("create table t3 as select x from t1 join t2 on t1.k = t2.k", "db1", none);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_THAT(r.issues[0].reason, HasSubstr("cannot resolve column x"));
}

TEST(HiveLineage, QueryTextAndLinesOfEachStatement) {
  MapSchemas schemas = TripSchemas();
  ScriptResult r = AnalyzeScript(
      "use default;\n\n  create view v as\n  select zone from trip_zone_lookup ;\n"
      "create view w as select borough from trip_zone_lookup",
      "other", schemas);
  ASSERT_EQ(r.statements.size(), 2u);
  EXPECT_EQ(r.statements[0].line, 3);
  EXPECT_EQ(r.statements[0].query_text, "create view v as\n  select zone from trip_zone_lookup");
  EXPECT_EQ(r.statements[1].line, 5);
  EXPECT_EQ(r.statements[0].outputs[0].table, (TableName{"default", "v"}));
}

TEST(HiveLineage, DeepNestingFailsCleanly) {
  EmptySchemaProvider none;
  std::string expr(5000, '(');
  std::string sql = "create table t as select " + expr + "1 from s";
  ScriptResult r = AnalyzeScript(sql, "default", none);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_THAT(r.issues[0].reason, HasSubstr("nesting too deep"));
}

TEST(HiveLineage, ModerateNestingParses) {
  EmptySchemaProvider none;
  std::string open, close;
  for (int i = 0; i < 60; ++i) {
    open += "abs(";
    close += ")";
  }
  ScriptResult r = AnalyzeScript("create table t as select " + open + "x" + close + " as y from s", "default", none);
  ASSERT_TRUE(r.issues.empty()) << r.issues[0].reason;
  ASSERT_EQ(r.statements.size(), 1u);
  EXPECT_EQ(r.statements[0].outputs[0].column_lineage[0].sources[0].column, "x");
}

TEST(HiveLineage, LongOperatorChains) {
  EmptySchemaProvider none;
  std::string chain = "x";
  for (int i = 0; i < 900; ++i) chain += " + x";
  ScriptResult r = AnalyzeScript("create table t as select " + chain + " as y from s", "default", none);
  ASSERT_EQ(r.statements.size(), 1u) << r.issues[0].reason;
  EXPECT_EQ(r.statements[0].outputs[0].column_lineage[0].sources.size(), 1u);
  for (int i = 0; i < 100000; ++i) chain += " + x";
  r = AnalyzeScript("create table t as select " + chain + " as y from s", "default", none);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_THAT(r.issues[0].reason, HasSubstr("expression too deeply nested"));
}

TEST(HiveLineage, EmptyAndCommentOnlyScripts) {
  EmptySchemaProvider none;
  EXPECT_TRUE(AnalyzeScript("", "default", none).issues.empty());
  ScriptResult r = AnalyzeScript("-- nothing\n/* here */ ;;", "default", none);
  EXPECT_TRUE(r.issues.empty());
  EXPECT_TRUE(r.statements.empty());
  r = AnalyzeScript("select 1 /* unterminated", "default", none);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_THAT(r.issues[0].reason, HasSubstr("unterminated /* comment"));
}

TEST(HiveLineage, CtasDeclaredTypesAreKept) {
  MapSchemas schemas = TripSchemas();
  ScriptResult r = AnalyzeScript(
      "create table z (id int comment 'x', name varchar(20)) stored as orc as select LocationID, zone from "
      "trip_zone_lookup",
      "default", schemas);
  ASSERT_EQ(r.statements.size(), 1u);
  EXPECT_EQ(r.statements[0].outputs[0].columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(r.statements[0].outputs[0].declared_types, (std::vector<std::string>{"int", "varchar(20)"}));
}

TEST(HiveLineage, ResultAsJson) {
  MapSchemas schemas = TripSchemas();
  ScriptResult r = AnalyzeScript("create table z as select zone, upper(borough) b from trip_zone_lookup;\nselect 1",
                                 "default", schemas);
  nlohmann::json j = ScriptResultToJson(r);
  ASSERT_EQ(j["statements"].size(), 1u);
  EXPECT_EQ(j["statements"][0]["operation"], "CREATETABLE_AS_SELECT");
  EXPECT_EQ(j["statements"][0]["inputs"][0], "default.trip_zone_lookup");
  const auto& out = j["statements"][0]["outputs"][0];
  EXPECT_EQ(out["table"], "default.z");
  EXPECT_EQ(out["columnLineage"][1]["sources"][0], "default.trip_zone_lookup.borough");
  EXPECT_EQ(out["columnLineage"][1]["dependencyType"], "EXPRESSION");
  EXPECT_EQ(out["columnLineage"][1]["expression"], "upper(trip_zone_lookup.borough)");
  ASSERT_EQ(j["issues"].size(), 1u);
  EXPECT_EQ(j["issues"][0]["line"], 2);
  EXPECT_EQ(j["issues"][0]["skipped"], true);
}

}  // namespace
}  // namespace meridian::sql
