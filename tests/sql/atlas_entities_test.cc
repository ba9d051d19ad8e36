// BuildAtlasEntities: qualifiedNames, references and column lineage entities.

#include <gtest/gtest.h>

#include "corpus.h"

#include <map>
#include <string>

#include "meridian/sql/hive_lineage.h"

namespace meridian::sql {
namespace {

using nlohmann::json;

struct MapSchemas : testing::CorpusSchemas {
  MapSchemas() {
    tables = {
      {"sales.orders", {"order_id", "customer_id", "amount", "dt"}},
      {"sales.customers", {"customer_id", "name", "country"}},
      {"sales.daily", {"country", "total", "dt"}},
    };
  }
};

EntityContext Context() {
  EntityContext ctx;
  ctx.cluster = "prod";
  ctx.user = "etl";
  ctx.now_ms = 1718000000000;
  ctx.table_create_time = [](const TableName& t) -> std::optional<int64_t> {
    if (t.table == "orders") return 1717990000000;
    if (t.table == "customers") return 1717980000000;
    if (t.table == "daily") return 1717995000000;
    return std::nullopt;
  };
  ctx.column_type = [](const TableName& t, const std::string& c) -> std::optional<std::string> {
    if (t.table == "customers" && c == "customer_id") return "bigint";
    return std::nullopt;
  };
  return ctx;
}

StatementLineage Analyze(const std::string& sql) {
  MapSchemas schemas;
  ScriptResult r = AnalyzeScript(sql, "sales", schemas);
  EXPECT_TRUE(r.issues.empty()) << (r.issues.empty() ? "" : r.issues[0].reason);
  EXPECT_EQ(r.statements.size(), 1u);
  return r.statements.empty() ? StatementLineage{} : r.statements[0];
}

std::vector<json> OfType(const json& body, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : body["entities"]) {
    if (e["typeName"] == type) out.push_back(e);
  }
  return out;
}

TEST(AtlasEntities, CtasCreatesTableColumnsProcessAndColumnLineage) {
  StatementLineage st = Analyze(
      "create table sales.top as select c.customer_id, sum(o.amount) total, 'x' as tag from sales.customers c "
      "join sales.orders o on c.customer_id = o.customer_id group by c.customer_id");
  EntityContext ctx = Context();
  json body = BuildAtlasEntities(st, ctx);

  auto tables = OfType(body, "hive_table");
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]["attributes"]["qualifiedName"], "sales.top@prod");
  EXPECT_EQ(tables[0]["attributes"]["tableType"], "MANAGED_TABLE");
  EXPECT_EQ(tables[0]["attributes"]["createTime"], 1718000000000);
  EXPECT_EQ(tables[0]["relationshipAttributes"]["db"]["uniqueAttributes"]["qualifiedName"], "sales@prod");
  EXPECT_EQ(tables[0]["relationshipAttributes"]["columns"].size(), 3u);

  auto columns = OfType(body, "hive_column");
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0]["attributes"]["qualifiedName"], "sales.top.customer_id@prod");
  EXPECT_EQ(columns[0]["attributes"]["type"], "bigint");
  EXPECT_EQ(columns[1]["attributes"]["type"], "string");
  EXPECT_EQ(columns[2]["attributes"]["position"], 2);
  EXPECT_EQ(columns[0]["relationshipAttributes"]["table"]["guid"], tables[0]["guid"]);

  auto processes = OfType(body, "hive_process");
  ASSERT_EQ(processes.size(), 1u);
  const json& p = processes[0];
  EXPECT_EQ(p["attributes"]["qualifiedName"], "sales.top@prod:1718000000000");
  EXPECT_EQ(p["attributes"]["name"], "sales.top@prod:1718000000000");
  EXPECT_EQ(p["attributes"]["operationType"], "CREATETABLE_AS_SELECT");
  EXPECT_EQ(p["attributes"]["userName"], "etl");
  EXPECT_EQ(p["attributes"]["clusterName"], "prod");
  EXPECT_EQ(p["attributes"]["recentQueries"][0], st.query_text);
  ASSERT_EQ(p["relationshipAttributes"]["inputs"].size(), 2u);
  EXPECT_EQ(p["relationshipAttributes"]["inputs"][0]["uniqueAttributes"]["qualifiedName"], "sales.customers@prod");
  EXPECT_EQ(p["relationshipAttributes"]["inputs"][1]["uniqueAttributes"]["qualifiedName"], "sales.orders@prod");
  EXPECT_EQ(p["relationshipAttributes"]["outputs"][0]["guid"], tables[0]["guid"]);

  EXPECT_EQ(OfType(body, "hive_process_execution").size(), 1u);

  // The literal column has no source column, so it gets no lineage entity.
  auto lineage = OfType(body, "hive_column_lineage");
  ASSERT_EQ(lineage.size(), 2u);
  EXPECT_EQ(lineage[0]["attributes"]["qualifiedName"], "sales.top@prod:1718000000000:customer_id");
  EXPECT_EQ(lineage[0]["attributes"]["depenendencyType"], "SIMPLE");
  EXPECT_FALSE(lineage[0]["attributes"].contains("expression"));
  EXPECT_EQ(lineage[0]["relationshipAttributes"]["inputs"][0]["uniqueAttributes"]["qualifiedName"],
            "sales.customers.customer_id@prod");
  EXPECT_EQ(lineage[0]["relationshipAttributes"]["outputs"][0]["guid"], columns[0]["guid"]);
  EXPECT_EQ(lineage[0]["relationshipAttributes"]["query"]["guid"], p["guid"]);
  EXPECT_EQ(lineage[1]["attributes"]["qualifiedName"], "sales.top@prod:1718000000000:total");
  EXPECT_EQ(lineage[1]["attributes"]["depenendencyType"], "EXPRESSION");
  EXPECT_EQ(lineage[1]["attributes"]["expression"], "sum(o.amount)");
}

TEST(AtlasEntities, InsertUsesQueryQualifiedNameAndExistingTables) {
  StatementLineage st = Analyze(
      "insert overwrite table daily partition (dt='2024-06-01') select c.country, sum(o.amount) from orders o "
      "join customers c on o.customer_id = c.customer_id group by c.country");
  json body = BuildAtlasEntities(st, Context());
  EXPECT_TRUE(OfType(body, "hive_table").empty());
  EXPECT_TRUE(OfType(body, "hive_column").empty());
  auto processes = OfType(body, "hive_process");
  ASSERT_EQ(processes.size(), 1u);
  const std::string qn =
      "QUERY:sales.customers@prod:1717980000000:sales.orders@prod:1717990000000"
      "->:INSERT_OVERWRITE:sales.daily@prod:1717995000000";
  EXPECT_EQ(processes[0]["attributes"]["qualifiedName"], qn);
  EXPECT_EQ(processes[0]["attributes"]["operationType"], "QUERY");
  EXPECT_EQ(processes[0]["relationshipAttributes"]["outputs"][0]["uniqueAttributes"]["qualifiedName"],
            "sales.daily@prod");
  auto lineage = OfType(body, "hive_column_lineage");
  ASSERT_EQ(lineage.size(), 2u);
  EXPECT_EQ(lineage[0]["attributes"]["qualifiedName"], qn + ":country");
  EXPECT_EQ(lineage[1]["attributes"]["qualifiedName"], qn + ":total");
  EXPECT_EQ(lineage[1]["relationshipAttributes"]["outputs"][0]["uniqueAttributes"]["qualifiedName"],
            "sales.daily.total@prod");
}

TEST(AtlasEntities, UnknownCreateTimesAreLeftOutOfQueryNames) {
  StatementLineage st;
  st.operation = kOpQuery;
  st.inputs = {{"db", "b"}, {"db", "a"}};
  TableWrite w;
  w.table = {"db", "out"};
  w.write_type = "INSERT";
  st.outputs.push_back(w);
  EntityContext ctx;
  ctx.now_ms = 5;
  EXPECT_EQ(ProcessQualifiedName(st, ctx), "QUERY:db.a@primary:db.b@primary->:INSERT:db.out@primary");
}

TEST(AtlasEntities, ViewIsVirtualView) {
  StatementLineage st = Analyze("create view v_orders as select order_id from orders");
  json body = BuildAtlasEntities(st, Context());
  auto tables = OfType(body, "hive_table");
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]["attributes"]["tableType"], "VIRTUAL_VIEW");
  EXPECT_EQ(OfType(body, "hive_process")[0]["attributes"]["qualifiedName"], "sales.v_orders@prod:1718000000000");
  EXPECT_EQ(OfType(body, "hive_process")[0]["attributes"]["operationType"], "CREATEVIEW");
}

}  // namespace
}  // namespace meridian::sql
