// POST /api/v1/lineage on the real server: each producer's golden events give the
// expected entities, table lineage and column lineage (read back through the REST
// lineage API); identifiers of one Hive table from Spark and Hive meet on one entity;
// re-delivery, out-of-order delivery, unknown facets, bad input and missing credentials.
#include <zlib.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "test_server.h"

namespace {

using meridian::testing::Fixture;
using meridian::testing::HttpResult;
using meridian::testing::Request;
using meridian::testing::TestServer;
using meridian::testing::UrlEncode;
using nlohmann::json;

constexpr const char* kJson = "application/json";

std::string Gzip(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class OpenLineageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer();
    ASSERT_TRUE(server_->Start());
    // The tutorial's Hive catalog, as import-hive names it (cluster "primary").
    ASSERT_EQ(server_->Post("/api/atlas/v2/entity/bulk", Fixture("tutorial_catalog.json")).status, 200);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static HttpResult PostRaw(const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers =
                                                         {{"Content-Type", kJson}},
                            const std::string& auth = "admin:admin") {
    return Request(server_->port(), "POST", "/api/v1/lineage", body, auth, headers);
  }
  // Posts each event of a fixture on its own, as OpenLineage clients do.
  static void PostEach(const json& events) {
    for (const json& e : events) {
      HttpResult r = PostRaw(e.dump());
      ASSERT_EQ(r.status, 201) << r.body;
      EXPECT_TRUE(r.body.empty());
    }
  }

  static json Entity(const std::string& type, const std::string& qn) {
    HttpResult r = server_->Get("/api/atlas/v2/entity/uniqueAttribute/type/" + type + "?attr:qualifiedName=" +
                                UrlEncode(qn));
    if (r.status != 200) return json();
    return r.Json()["entity"];
  }
  static std::string Guid(const std::string& type, const std::string& qn) {
    json e = Entity(type, qn);
    return e.is_object() ? e.value("guid", "") : "";
  }
  static int AuditCount(const std::string& guid) {
    return static_cast<int>(server_->Get("/api/atlas/v2/entity/" + guid + "/audit?count=1000").Json().size());
  }

  // "type:qualifiedName -> type:qualifiedName" for every relation of the lineage of (type, qn).
  static std::set<std::string> Lineage(const std::string& type, const std::string& qn, const std::string& direction,
                                       int depth = 6) {
    HttpResult r = server_->Get("/api/atlas/v2/lineage/uniqueAttribute/type/" + type + "?attr:qualifiedName=" +
                                UrlEncode(qn) + "&direction=" + direction + "&depth=" + std::to_string(depth));
    std::set<std::string> out;
    if (r.status != 200) return {"HTTP " + std::to_string(r.status) + " " + r.body};
    json j = r.Json();
    auto name = [&](const std::string& guid) {
      const json& e = j["guidEntityMap"][guid];
      return e["typeName"].get<std::string>() + ":" + e["attributes"]["qualifiedName"].get<std::string>();
    };
    for (const json& rel : j["relations"]) out.insert(name(rel["fromEntityId"]) + " -> " + name(rel["toEntityId"]));
    return out;
  }

  static TestServer* server_;
};

TestServer* OpenLineageTest::server_ = nullptr;

const std::string kSparkJob =
    "zone_fares_app.execute_insert_into_hadoop_fs_relation_command.atlas_emr_zone_fares@spark-emr";
const std::string kSparkRun = kSparkJob + ":0195a0b0-1c2d-7e3f-8a9b-0c1d2e3f4a5b";
const std::string kHiveJob = "createtable_as_select.atlas_emr.top_zone_fares@hive-emr";
const std::string kPg = "@postgres://db1.internal:5432";
const std::string kDbtJob = "jaffle_shop.model.jaffle_shop.orders_enriched@dbt-prod";
const std::string kAirflowJob = "daily_sales.load_summary@airflow-prod";
const std::string kFlinkJob = "orders_enrichment@flink-prod";
const std::string kKafka = "@kafka://broker1.internal:9092";

TEST_F(OpenLineageTest, SparkWithTableSymlinkLandsOnTheImportedHiveTable) {
  const std::string trip_details = Guid("hive_table", "atlas_emr.trip_details@primary");
  ASSERT_FALSE(trip_details.empty());
  const json before = Entity("hive_table", "atlas_emr.trip_details@primary");
  PostEach(Fixture("openlineage/spark.json"));

  // Table lineage: the imported trip_details -> the Spark job -> zone_fares (a new shell table).
  EXPECT_EQ(Lineage("hive_table", "atlas_emr.zone_fares@primary", "INPUT"),
            (std::set<std::string>{"hive_table:atlas_emr.trip_details@primary -> ol_job:" + kSparkJob,
                                   "ol_job:" + kSparkJob + " -> hive_table:atlas_emr.zone_fares@primary"}));
  json input = Entity("ol_job", kSparkJob)["relationshipAttributes"]["inputs"];
  ASSERT_EQ(input.size(), 1u);
  EXPECT_EQ(input[0]["guid"], trip_details);
  // Column lineage through the storage-location names of the columnLineage facet.
  const std::string cl = kSparkJob + ":warehouse/atlas_emr.db/zone_fares.total_fare";
  EXPECT_EQ(Lineage("hive_column", "atlas_emr.zone_fares.total_fare@primary", "INPUT"),
            (std::set<std::string>{"hive_column:atlas_emr.trip_details.fare_amount@primary -> ol_column_lineage:" + cl,
                                   "ol_column_lineage:" + cl + " -> hive_column:atlas_emr.zone_fares.total_fare@primary"}));
  EXPECT_EQ(Entity("ol_column_lineage", cl)["attributes"]["transformations"], json::array({"DIRECT/AGGREGATION"}));

  // The imported table keeps its attributes; the new one is a shell in the imported database.
  json after = Entity("hive_table", "atlas_emr.trip_details@primary");
  EXPECT_EQ(after["attributes"], before["attributes"]);
  EXPECT_EQ(after["version"], before["version"]);
  json zone_fares = Entity("hive_table", "atlas_emr.zone_fares@primary");
  EXPECT_TRUE(zone_fares["isIncomplete"].get<bool>());
  EXPECT_EQ(zone_fares["relationshipAttributes"]["db"]["guid"], Guid("hive_db", "atlas_emr@primary"));
  EXPECT_EQ(Entity("hive_column", "atlas_emr.zone_fares.total_fare@primary")["attributes"]["type"], "double");

  json job = Entity("ol_job", kSparkJob)["attributes"];
  EXPECT_EQ(job["integration"], "SPARK");
  EXPECT_EQ(job["processingType"], "BATCH");
  EXPECT_EQ(job["sqlDialect"], "spark");
  EXPECT_EQ(job["indirectInputs"], json::array({"atlas_emr.trip_details.location_id@primary|GROUP_BY"}));
  json run = Entity("ol_run", kSparkRun);
  EXPECT_EQ(run["attributes"]["status"], "COMPLETE");
  EXPECT_EQ(run["attributes"]["startTime"], 1772431201100);  // 2026-03-02T06:00:01.100Z
  EXPECT_EQ(run["attributes"]["endTime"], 1772431452345);    // 2026-03-02T06:04:12.345Z
  EXPECT_EQ(run["attributes"]["parentRunId"], "0195a0af-0000-7000-8000-000000000001");
  EXPECT_EQ(run["attributes"]["parentJobQualifiedName"], "nightly_taxi.build_zone_fares@airflow-prod");
  EXPECT_EQ(run["relationshipAttributes"]["job"]["guid"], Guid("ol_job", kSparkJob));

  // Another event naming only the storage location (no symlink) resolves through the alias.
  json ds = {{"eventTime", "2026-03-02T08:00:00Z"}, {"producer", "https://example.com/catalog-sync"},
             {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"},
             {"dataset", {{"namespace", "s3://atlas-emr-bucket"}, {"name", "data/trip_details"},
                          {"facets", {{"schema", {{"fields", {{{"name", "tip_amount"}, {"type", "double"}}}}}}}}}}};
  ASSERT_EQ(PostRaw(ds.dump()).status, 201);
  EXPECT_EQ(Entity("hive_column", "atlas_emr.trip_details.tip_amount@primary")["relationshipAttributes"]["table"]["guid"],
            trip_details);
  EXPECT_TRUE(Guid("ol_dataset", "data/trip_details@s3://atlas-emr-bucket").empty());
}

TEST_F(OpenLineageTest, SparkAndHiveNamingOneTableMeetOnOneEntity) {
  PostEach(Fixture("openlineage/spark.json"));
  const std::string zone_fares = Guid("hive_table", "atlas_emr.zone_fares@primary");
  PostEach(Fixture("openlineage/hive.json"));
  // Spark wrote zone_fares under its s3 location; the Hive hook reads it by its metastore name.
  json hive_inputs = Entity("ol_job", kHiveJob)["relationshipAttributes"]["inputs"];
  ASSERT_EQ(hive_inputs.size(), 1u);
  EXPECT_EQ(hive_inputs[0]["guid"], zone_fares);
  EXPECT_EQ(Entity("hive_table", "atlas_emr.zone_fares@primary")["guid"], zone_fares);

  // Lineage from the Hive CTAS's output reaches the imported trip_details through both jobs.
  std::set<std::string> table = Lineage("hive_table", "atlas_emr.top_zone_fares@primary", "INPUT");
  EXPECT_TRUE(table.count("hive_table:atlas_emr.zone_fares@primary -> ol_job:" + kHiveJob));
  EXPECT_TRUE(table.count("hive_table:atlas_emr.trip_details@primary -> ol_job:" + kSparkJob));
  std::set<std::string> column = Lineage("hive_column", "atlas_emr.top_zone_fares.total_fare@primary", "INPUT");
  EXPECT_TRUE(column.count("hive_column:atlas_emr.zone_fares.total_fare@primary -> ol_column_lineage:" + kHiveJob +
                           ":atlas_emr.top_zone_fares.total_fare"));
  EXPECT_TRUE(column.count("hive_column:atlas_emr.trip_details.fare_amount@primary -> ol_column_lineage:" + kSparkJob +
                           ":warehouse/atlas_emr.db/zone_fares.total_fare"));
  json top = Entity("hive_table", "atlas_emr.top_zone_fares@primary");
  EXPECT_EQ(top["attributes"]["comment"], "Zones whose fares passed 1000");
  EXPECT_EQ(Entity("hive_column", "atlas_emr.top_zone_fares.total_fare@primary")["attributes"]["position"], 1);
  EXPECT_EQ(Entity("ol_job", kHiveJob)["attributes"]["integration"], "HIVE");
}

TEST_F(OpenLineageTest, DbtModelGivesDatasetsColumnsAndLegacyTransformations) {
  PostEach(Fixture("openlineage/dbt.json"));
  EXPECT_EQ(Lineage("ol_dataset", "analytics.public.orders_enriched" + kPg, "INPUT"),
            (std::set<std::string>{"ol_dataset:analytics.public.raw_orders" + kPg + " -> ol_job:" + kDbtJob,
                                   "ol_dataset:analytics.public.raw_customers" + kPg + " -> ol_job:" + kDbtJob,
                                   "ol_job:" + kDbtJob + " -> ol_dataset:analytics.public.orders_enriched" + kPg}));
  EXPECT_EQ(Lineage("ol_column", "analytics.public.orders_enriched.customer_name" + kPg, "INPUT").count(
                "ol_column:analytics.public.raw_customers.customer_name" + kPg + " -> ol_column_lineage:" + kDbtJob +
                ":analytics.public.orders_enriched.customer_name"),
            1u);
  json out = Entity("ol_dataset", "analytics.public.orders_enriched" + kPg);
  EXPECT_EQ(out["attributes"]["datasetType"], "VIEW");
  EXPECT_EQ(out["attributes"]["description"], "Orders with their customer's name");
  EXPECT_EQ(out["attributes"]["owner"], "team:analytics");
  EXPECT_EQ(out["attributes"]["olNamespace"], "postgres://db1.internal:5432");
  EXPECT_EQ(out["relationshipAttributes"]["columns"].size(), 3u);
  EXPECT_EQ(Entity("ol_column", "analytics.public.orders_enriched.order_id" + kPg)["attributes"]["description"],
            "Primary key");
  json order_id = Entity("ol_column_lineage", kDbtJob + ":analytics.public.orders_enriched.order_id")["attributes"];
  EXPECT_EQ(order_id["transformations"], json::array({"DIRECT/IDENTITY"}));
  EXPECT_EQ(order_id["description"], "identical");
  json amount = Entity("ol_column_lineage", kDbtJob + ":analytics.public.orders_enriched.amount")["attributes"];
  EXPECT_EQ(amount["transformations"], json::array({"DIRECT/TRANSFORMATION"}));
  EXPECT_TRUE(amount["masking"].get<bool>());
  json run = Entity("ol_run", kDbtJob + ":0195a0c3-1111-7222-8333-444455556666")["attributes"];
  EXPECT_EQ(run["startTime"], 1772424000000);  // 05:00:00+01:00 = 04:00:00Z
  EXPECT_EQ(run["endTime"], 1772424007250);
  EXPECT_EQ(Entity("ol_job", kDbtJob)["attributes"]["integration"], "DBT");
}

TEST_F(OpenLineageTest, AirflowSqlOperatorExtendsTheDbtLineage) {
  PostEach(Fixture("openlineage/dbt.json"));
  PostEach(Fixture("openlineage/airflow.json"));
  std::set<std::string> table = Lineage("ol_dataset", "analytics.public.daily_sales" + kPg, "INPUT");
  EXPECT_TRUE(table.count("ol_dataset:analytics.public.orders_enriched" + kPg + " -> ol_job:" + kAirflowJob));
  EXPECT_TRUE(table.count("ol_dataset:analytics.public.raw_orders" + kPg + " -> ol_job:" + kDbtJob));
  std::set<std::string> column = Lineage("ol_column", "analytics.public.daily_sales.total" + kPg, "INPUT");
  EXPECT_TRUE(column.count("ol_column:analytics.public.orders_enriched.amount" + kPg + " -> ol_column_lineage:" +
                           kAirflowJob + ":analytics.public.daily_sales.total"));
  EXPECT_TRUE(column.count("ol_column:analytics.public.raw_orders.amount" + kPg + " -> ol_column_lineage:" + kDbtJob +
                           ":analytics.public.orders_enriched.amount"));
  json job = Entity("ol_job", kAirflowJob)["attributes"];
  EXPECT_EQ(job["integration"], "AIRFLOW");
  EXPECT_EQ(job["owner"], "user:jdoe");
  EXPECT_EQ(job["queryText"].get<std::string>().rfind("INSERT INTO analytics.public.daily_sales", 0), 0u);
  json run = Entity("ol_run", kAirflowJob + ":0195a0d4-2222-7333-8444-555566667777")["attributes"];
  EXPECT_EQ(run["status"], "COMPLETE");
  EXPECT_EQ(run["nominalStartTime"], 1772425800000);  // 2026-03-02T04:30:00Z
  EXPECT_EQ(run["nominalEndTime"], 1772429400000);
  EXPECT_EQ(Entity("ol_column_lineage", kAirflowJob + ":analytics.public.daily_sales.total")["attributes"]["description"],
            "SUM(amount)");
}

TEST_F(OpenLineageTest, FlinkStreamingJobHasLineageWhileRunning) {
  PostEach(Fixture("openlineage/flink.json"));
  EXPECT_EQ(Lineage("ol_dataset", "orders_eur" + kKafka, "INPUT"),
            (std::set<std::string>{"ol_dataset:orders" + kKafka + " -> ol_job:" + kFlinkJob,
                                   "ol_job:" + kFlinkJob + " -> ol_dataset:orders_eur" + kKafka}));
  const std::string cl = kFlinkJob + ":orders_eur.amount_eur";
  EXPECT_EQ(Lineage("ol_column", "orders_eur.amount_eur" + kKafka, "INPUT"),
            (std::set<std::string>{"ol_column:orders.amount" + kKafka + " -> ol_column_lineage:" + cl,
                                   "ol_column:orders.currency" + kKafka + " -> ol_column_lineage:" + cl,
                                   "ol_column_lineage:" + cl + " -> ol_column:orders_eur.amount_eur" + kKafka}));
  EXPECT_EQ(Entity("ol_column_lineage", cl)["attributes"]["transformations"],
            json::array({"DIRECT/TRANSFORMATION", "INDIRECT/CONDITIONAL"}));
  json run = Entity("ol_run", kFlinkJob + ":0195a0e5-3333-7444-8555-666677778888")["attributes"];
  EXPECT_EQ(run["status"], "RUNNING");
  EXPECT_EQ(run["startTime"], 1772409600000);  // 2026-03-02T00:00:00Z
  EXPECT_EQ(Entity("ol_job", kFlinkJob)["attributes"]["processingType"], "STREAMING");
}

TEST_F(OpenLineageTest, JobEventsAndDatasetEventsNeedNoRun) {
  json job_event = {
      {"eventTime", "2026-03-02T09:00:00Z"}, {"producer", "https://example.com/static-lineage"},
      {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent"},
      {"job", {{"namespace", "batch"}, {"name", "nightly_export"}, {"facets", {{"documentation", {{"description", "Export"}}}}}}},
      {"inputs", {{{"namespace", "postgres://db1.internal:5432"}, {"name", "analytics.public.daily_sales"}}}},
      {"outputs", {{{"namespace", "s3://exports"}, {"name", "daily_sales/"}}}}};
  json dataset_event = {
      {"eventTime", "2026-03-02T09:00:01Z"}, {"producer", "https://example.com/catalog-sync"},
      {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"},
      {"dataset", {{"namespace", "s3://exports"}, {"name", "daily_sales/"},
                   {"facets", {{"schema", {{"fields", {{{"name", "total"}, {"type", "decimal(20,2)"}}}}}},
                               {"datasetType", {{"datasetType", "FILE"}}}}}}}};
  HttpResult r = PostRaw(json::array({job_event, dataset_event}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["status"], "success");
  EXPECT_EQ(Lineage("ol_dataset", "daily_sales/@s3://exports", "INPUT", 1),
            (std::set<std::string>{"ol_dataset:analytics.public.daily_sales" + kPg + " -> ol_job:nightly_export@batch",
                                   "ol_job:nightly_export@batch -> ol_dataset:daily_sales/@s3://exports"}));
  json job = Entity("ol_job", "nightly_export@batch");
  EXPECT_EQ(job["attributes"]["description"], "Export");
  EXPECT_TRUE(job["relationshipAttributes"]["runs"].empty());
  json ds = Entity("ol_dataset", "daily_sales/@s3://exports");
  EXPECT_EQ(ds["attributes"]["datasetType"], "FILE");
  EXPECT_EQ(Entity("ol_column", "daily_sales/.total@s3://exports")["attributes"]["type"], "decimal(20,2)");
}

TEST_F(OpenLineageTest, TheSameEventsTwiceChangeNothing) {
  const json spark = Fixture("openlineage/spark.json");
  PostEach(spark);
  const std::vector<std::pair<std::string, std::string>> watched = {
      {"ol_job", kSparkJob}, {"ol_run", kSparkRun}, {"hive_table", "atlas_emr.zone_fares@primary"},
      {"hive_column", "atlas_emr.zone_fares.total_fare@primary"},
      {"ol_column_lineage", kSparkJob + ":warehouse/atlas_emr.db/zone_fares.total_fare"}};
  std::vector<json> before;
  std::vector<int> audits;
  for (const auto& [type, qn] : watched) {
    before.push_back(Entity(type, qn));
    audits.push_back(AuditCount(before.back()["guid"]));
  }
  PostEach(spark);
  // As an array too (a client's batch retry).
  HttpResult r = PostRaw(spark.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["summary"]["successful"], 2);
  for (size_t i = 0; i < watched.size(); ++i) {
    EXPECT_EQ(Entity(watched[i].first, watched[i].second), before[i]) << watched[i].second;
    EXPECT_EQ(AuditCount(before[i]["guid"]), audits[i]) << watched[i].second;
  }
}

TEST_F(OpenLineageTest, AnEntityDeletedElsewhereComesBackWithTheNextEvent) {
  const json spark = Fixture("openlineage/spark.json");
  PostEach(spark);
  const std::string column = Guid("hive_column", "atlas_emr.zone_fares.total_fare@primary");
  ASSERT_EQ(server_->Delete("/api/atlas/v2/entity/guid/" + column).status, 200);
  ASSERT_TRUE(Guid("hive_column", "atlas_emr.zone_fares.total_fare@primary").empty());
  PostEach(spark);
  EXPECT_FALSE(Guid("hive_column", "atlas_emr.zone_fares.total_fare@primary").empty());
  EXPECT_EQ(Lineage("hive_column", "atlas_emr.zone_fares.total_fare@primary", "INPUT").count(
                "hive_column:atlas_emr.trip_details.fare_amount@primary -> ol_column_lineage:" + kSparkJob +
                ":warehouse/atlas_emr.db/zone_fares.total_fare"),
            1u);
}

TEST_F(OpenLineageTest, CompleteBeforeStartEndsInTheSameRun) {
  json events = Fixture("openlineage/flink.json");
  // A batch run of another job: COMPLETE arrives first, then START.
  json complete = events[1], start = events[0];
  for (json* e : {&complete, &start}) {
    (*e)["job"]["name"] = "late_start_job";
    (*e)["run"]["runId"] = "0195a0e5-9999-7444-8555-666677778888";
  }
  complete["eventType"] = "COMPLETE";
  complete["eventTime"] = "2026-03-02T00:20:00Z";
  PostEach(json::array({complete, start}));
  json run = Entity("ol_run", "late_start_job@flink-prod:0195a0e5-9999-7444-8555-666677778888")["attributes"];
  EXPECT_EQ(run["status"], "COMPLETE");
  EXPECT_EQ(run["startTime"], 1772409600000);  // 00:00
  EXPECT_EQ(run["endTime"], 1772410800000);    // 00:20
  EXPECT_EQ(run["lastEventTime"], 1772410800000);
  // A RUNNING event delivered after the end does not reopen the run.
  json running = start;
  running["eventType"] = "RUNNING";
  running["eventTime"] = "2026-03-02T00:10:00Z";
  PostEach(json::array({running}));
  EXPECT_EQ(Entity("ol_run", "late_start_job@flink-prod:0195a0e5-9999-7444-8555-666677778888")["attributes"]["status"],
            "COMPLETE");
  EXPECT_EQ(Lineage("ol_dataset", "orders_eur" + kKafka, "INPUT").count("ol_dataset:orders" + kKafka +
                                                                         " -> ol_job:late_start_job@flink-prod"),
            1u);
}

TEST_F(OpenLineageTest, FailedRunKeepsItsErrorAndAddsNoLineage) {
  json e = Fixture("openlineage/airflow.json")[1];
  e["eventType"] = "FAIL";
  e["job"]["name"] = "daily_sales.broken_task";
  e["run"]["facets"]["errorMessage"] = {{"message", "relation \"daily_sales\" does not exist"},
                                        {"programmingLanguage", "python"}};
  PostEach(json::array({e}));
  json job = Entity("ol_job", "daily_sales.broken_task@airflow-prod");
  EXPECT_TRUE(job["relationshipAttributes"]["outputs"].empty());
  json run = Entity("ol_run", "daily_sales.broken_task@airflow-prod:0195a0d4-2222-7333-8444-555566667777")["attributes"];
  EXPECT_EQ(run["status"], "FAIL");
  EXPECT_EQ(run["errorMessage"], "relation \"daily_sales\" does not exist");
}

TEST_F(OpenLineageTest, UnknownFacetsAndFieldsAreIgnored) {
  json e = Fixture("openlineage/flink.json")[0];
  e["job"]["name"] = "tolerant_job";
  e["someFutureField"] = {{"x", 1}};
  e["run"]["facets"]["vendor_run"] = {{"_producer", "x"}, {"deep", {{"nested", json::array({1, 2})}}}};
  e["job"]["facets"]["vendor_job"] = "not even an object";
  e["inputs"][0]["facets"]["vendor_dataset"] = 42;
  e["inputs"][0]["inputFacets"] = {{"vendor_input", {{"a", "b"}}}};
  e["outputs"][0]["facets"]["schema"]["fields"].push_back({{"name", "nested"}, {"type", "struct"},
                                                            {"fields", {{{"name", "inner"}, {"type", "int"}}}}});
  e["outputs"][0]["facets"]["lineage"] = {{"_schemaURL", "https://openlineage.io/spec/facets/1-0-0/LineageDatasetFacet.json"}};
  e.erase("eventType");  // optional: the run's state is OTHER
  HttpResult r = PostRaw(e.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Entity("ol_run", "tolerant_job@flink-prod:0195a0e5-3333-7444-8555-666677778888")["attributes"]["status"],
            "OTHER");
  EXPECT_FALSE(Guid("ol_column", "orders_eur.nested" + kKafka).empty());
}

TEST_F(OpenLineageTest, GzipBodiesAreAccepted) {
  json e = Fixture("openlineage/dbt.json")[0];
  e["job"]["name"] = "gzipped_job";
  HttpResult r = PostRaw(Gzip(e.dump()), {{"Content-Type", kJson}, {"Content-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(Guid("ol_job", "gzipped_job@dbt-prod").empty());
  HttpResult bad = PostRaw("not gzip at all", {{"Content-Type", kJson}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.Json().value("errorMessage", "").find("gzip"), std::string::npos) << bad.body;
  EXPECT_EQ(PostRaw(e.dump(), {{"Content-Type", kJson}, {"Content-Encoding", "br"}}).status, 400);
}

TEST_F(OpenLineageTest, WhatIsNotAnEventIsRefusedWithAtlasErrors) {
  json good = Fixture("openlineage/dbt.json")[0];
  auto without = [&](const std::string& path) {
    json e = good;
    json::json_pointer p(path);
    e[p.parent_pointer()].erase(p.back());
    return e.dump();
  };
  json bad_type = good;
  bad_type["eventType"] = "FINISHED";
  json bad_time = good;
  bad_time["eventTime"] = "yesterday";
  json bad_inputs = good;
  bad_inputs["inputs"] = {{{"namespace", "x"}}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"42", "must be an OpenLineage event"},
      {"[]", "no events"},
      {"{\"producer\":\"x\"}", "no run, job or dataset"},
      {without("/run"), "run {runId} is required"},
      {without("/run/runId"), "run.runId is required"},
      {without("/job/name"), "job.name is required"},
      {without("/eventTime"), "eventTime is required"},
      {bad_type.dump(), "eventType \"FINISHED\""},
      {bad_time.dump(), "not an RFC 3339"},
      {bad_inputs.dump(), "inputs[0].name is required"},
      {"{\"eventTime\":\"2026-01-01T00:00:00Z\",\"schemaURL\":\"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent\"}",
       "DatasetEvent needs dataset"},
  };
  for (const auto& [body, message] : cases) {
    HttpResult r = PostRaw(body);
    EXPECT_EQ(r.status, 400) << body;
    json j = r.Json();
    EXPECT_EQ(j.value("errorCode", ""), "ATLAS-400-00-01A") << body;
    EXPECT_NE(j.value("errorMessage", "").find(message), std::string::npos) << body << " -> " << r.body;
  }
  // One bad event in an array: the request is refused, naming it, and nothing is applied.
  json ok = good;
  ok["job"]["name"] = "batch_with_a_bad_event";
  HttpResult r = PostRaw(json::array({ok, json::parse(without("/job/name"))}).dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.Json().value("errorMessage", "").find("event [1]"), std::string::npos) << r.body;
  EXPECT_TRUE(Guid("ol_job", "batch_with_a_bad_event@dbt-prod").empty());
}

// A RunEvent of job `job` (namespace lc-tests) writing `outputs`, read from `inputs`.
json RunEvent(const std::string& job, const std::string& type, const json& outputs, const json& inputs = json::array()) {
  return {{"eventTime", "2026-03-03T10:00:00Z"}, {"eventType", type}, {"producer", "https://example.com/lc"},
          {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"},
          {"run", {{"runId", "0195a0f0-0000-7000-8000-" + std::string(12 - std::min<size_t>(12, type.size()), '0') +
                                 type.substr(0, 12)}}},
          {"job", {{"namespace", "lc-tests"}, {"name", job}}},
          {"inputs", inputs},
          {"outputs", outputs}};
}
json Fields(const std::vector<std::string>& names) {
  json out = json::array();
  for (const auto& n : names) out.push_back({{"name", n}, {"type", "string"}});
  return out;
}
json Output(const std::string& ns, const std::string& name, const json& fields, const std::string& change = "",
            const json& previous = json()) {
  json facets = {{"schema", {{"fields", fields}}}};
  if (!change.empty()) {
    facets["lifecycleStateChange"] = {{"lifecycleStateChange", change}};
    if (!previous.is_null()) facets["lifecycleStateChange"]["previousIdentifier"] = previous;
  }
  return {{"namespace", ns}, {"name", name}, {"facets", facets}};
}
const std::string kLcPg = "postgres://lc.internal:5432";
const std::string kLcHive = "hive://metastore.internal:9083";

json ByGuid(TestServer* server, const std::string& guid) { return server->Get("/api/atlas/v2/entity/guid/" + guid).Json()["entity"]; }

TEST_F(OpenLineageTest, DropOnACompletedOutputSoftDeletesTheDatasetOnce) {
  PostEach(json::array({RunEvent("make_tmp", "COMPLETE", json::array({Output(kLcPg, "lc.public.tmp_orders", Fields({"id", "total"}))})),
                        RunEvent("make_tmp", "COMPLETE", json::array({Output(kLcHive, "lc_db.tmp_sales", Fields({"id"}))}))}));
  const std::string ds = Guid("ol_dataset", "lc.public.tmp_orders@" + kLcPg);
  const std::string col = Guid("ol_column", "lc.public.tmp_orders.id@" + kLcPg);
  const std::string table = Guid("hive_table", "lc_db.tmp_sales@primary");
  ASSERT_FALSE(ds.empty());
  ASSERT_FALSE(col.empty());
  ASSERT_FALSE(table.empty());

  // A DROP seen while the run is still going changes nothing.
  PostEach(json::array({RunEvent("drop_tmp", "START", json::array({Output(kLcPg, "lc.public.tmp_orders", json::array(), "DROP")}))}));
  EXPECT_EQ(ByGuid(server_, ds)["status"], "ACTIVE");

  // The COMPLETE deletes both datasets (and their columns), as a Hive DROP TABLE does.
  const json drop = RunEvent("drop_tmp", "COMPLETE",
                             json::array({Output(kLcPg, "lc.public.tmp_orders", json::array(), "DROP"),
                                          Output(kLcHive, "lc_db.tmp_sales", json::array(), "DROP")}));
  PostEach(json::array({drop}));
  EXPECT_EQ(ByGuid(server_, ds)["status"], "DELETED");
  EXPECT_EQ(ByGuid(server_, col)["status"], "DELETED");
  EXPECT_EQ(ByGuid(server_, table)["status"], "DELETED");
  EXPECT_TRUE(Guid("ol_dataset", "lc.public.tmp_orders@" + kLcPg).empty());
  json audit = server_->Get("/api/atlas/v2/entity/" + ds + "/audit?count=1000").Json();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0]["action"], "ENTITY_DELETE");
  // The dropped dataset is no output of the dropping job.
  EXPECT_TRUE(Entity("ol_job", "drop_tmp@lc-tests")["relationshipAttributes"]["outputs"].empty());
  // Again: nothing more happens.
  const int audits = AuditCount(ds);
  PostEach(json::array({drop}));
  EXPECT_EQ(AuditCount(ds), audits);
  EXPECT_TRUE(Guid("ol_dataset", "lc.public.tmp_orders@" + kLcPg).empty());
}

TEST_F(OpenLineageTest, RenameKeepsTheEntityAndBothNamesReachIt) {
  PostEach(json::array({RunEvent("load_v1", "COMPLETE", json::array({Output(kLcPg, "lc.public.orders_v1", Fields({"id", "amount"}))})),
                        RunEvent("load_v1", "COMPLETE", json::array({Output(kLcHive, "lc_db.sales_v1", Fields({"id"}))}))}));
  const std::string ds = Guid("ol_dataset", "lc.public.orders_v1@" + kLcPg);
  const std::string col = Guid("ol_column", "lc.public.orders_v1.amount@" + kLcPg);
  const std::string table = Guid("hive_table", "lc_db.sales_v1@primary");
  const std::string hcol = Guid("hive_column", "lc_db.sales_v1.id@primary");
  ASSERT_FALSE(ds.empty());
  ASSERT_FALSE(table.empty());

  const json rename = RunEvent(
      "rename_v2", "COMPLETE",
      json::array({Output(kLcPg, "lc.public.orders_v2", Fields({"id", "amount"}), "RENAME",
                          {{"namespace", kLcPg}, {"name", "lc.public.orders_v1"}}),
                   Output(kLcHive, "lc_db.sales_v2", Fields({"id"}), "RENAME",
                          {{"namespace", kLcHive}, {"name", "lc_db.sales_v1"}})}));
  PostEach(json::array({rename}));
  json renamed = Entity("ol_dataset", "lc.public.orders_v2@" + kLcPg);
  EXPECT_EQ(renamed["guid"], ds);
  EXPECT_EQ(renamed["attributes"]["name"], "lc.public.orders_v2");
  EXPECT_EQ(renamed["attributes"]["olName"], "lc.public.orders_v2");
  EXPECT_TRUE(Guid("ol_dataset", "lc.public.orders_v1@" + kLcPg).empty());
  EXPECT_EQ(Guid("ol_column", "lc.public.orders_v2.amount@" + kLcPg), col);
  json hive = Entity("hive_table", "lc_db.sales_v2@primary");
  EXPECT_EQ(hive["guid"], table);
  EXPECT_EQ(hive["attributes"]["name"], "sales_v2");
  EXPECT_TRUE(Guid("hive_table", "lc_db.sales_v1@primary").empty());
  EXPECT_EQ(Guid("hive_column", "lc_db.sales_v2.id@primary"), hcol);

  // The same event again changes nothing.
  const int audits = AuditCount(ds), table_audits = AuditCount(table);
  PostEach(json::array({rename}));
  EXPECT_EQ(AuditCount(ds), audits);
  EXPECT_EQ(AuditCount(table), table_audits);
  EXPECT_EQ(Entity("hive_table", "lc_db.sales_v2@primary")["guid"], table);

  // Later events naming the old identifiers land on the renamed entities.
  PostEach(json::array({RunEvent("read_old_names", "COMPLETE", json::array(),
                                 json::array({Output(kLcPg, "lc.public.orders_v1", Fields({"id"})),
                                              Output(kLcHive, "lc_db.sales_v1", Fields({"id"}))}))}));
  const json reader = Entity("ol_job", "read_old_names@lc-tests");
  std::set<std::string> inputs;
  for (const json& in : reader["relationshipAttributes"]["inputs"]) inputs.insert(in["guid"].get<std::string>());
  EXPECT_EQ(inputs, (std::set<std::string>{ds, table}));
  EXPECT_TRUE(Guid("ol_dataset", "lc.public.orders_v1@" + kLcPg).empty());
  EXPECT_TRUE(Guid("hive_table", "lc_db.sales_v1@primary").empty());
  EXPECT_TRUE(Guid("ol_column", "lc.public.orders_v1.id@" + kLcPg).empty());
}

TEST_F(OpenLineageTest, RenameOfASparkLocationMovesItsHiveTable) {
  // Spark names the table by its location, with the metastore name as a TABLE symlink.
  auto located = [](const std::string& path, const std::string& table) {
    json out = Output("s3://lc-bucket", path, Fields({"id"}));
    out["facets"]["symlinks"] = {{"identifiers", {{{"namespace", kLcHive}, {"name", table}, {"type", "TABLE"}}}}};
    return out;
  };
  PostEach(json::array({RunEvent("spark_write", "COMPLETE", json::array({located("warehouse/clicks_old", "lc_db.clicks_old")}))}));
  const std::string table = Guid("hive_table", "lc_db.clicks_old@primary");
  ASSERT_FALSE(table.empty());
  json moved = located("warehouse/clicks", "lc_db.clicks");
  moved["facets"]["lifecycleStateChange"] = {{"lifecycleStateChange", "RENAME"},
                                             {"previousIdentifier", {{"namespace", "s3://lc-bucket"}, {"name", "warehouse/clicks_old"}}}};
  PostEach(json::array({RunEvent("spark_rename", "COMPLETE", json::array({moved}))}));
  EXPECT_EQ(Guid("hive_table", "lc_db.clicks@primary"), table);
  EXPECT_TRUE(Guid("hive_table", "lc_db.clicks_old@primary").empty());
  // The old location and the old table name, alone, both reach the renamed table.
  PostEach(json::array({RunEvent("spark_read_old", "COMPLETE", json::array(),
                                 json::array({Output("s3://lc-bucket", "warehouse/clicks_old", Fields({"id"})),
                                              Output(kLcHive, "lc_db.clicks_old", Fields({"id"}))}))}));
  const json reader = Entity("ol_job", "spark_read_old@lc-tests");
  ASSERT_EQ(reader["relationshipAttributes"]["inputs"].size(), 1u) << reader.dump();
  EXPECT_EQ(reader["relationshipAttributes"]["inputs"][0]["guid"], table);
  EXPECT_TRUE(Guid("hive_table", "lc_db.clicks_old@primary").empty());
  EXPECT_TRUE(Guid("ol_dataset", "warehouse/clicks_old@s3://lc-bucket").empty());
}

TEST_F(OpenLineageTest, SchemaChangesOfACompletedOutputRemoveMissingColumns) {
  const std::string qn = "lc.public.evolving";
  auto column = [&](const std::string& c) { return Guid("ol_column", qn + "." + c + "@" + kLcPg); };
  PostEach(json::array({RunEvent("evolve", "COMPLETE", json::array({Output(kLcPg, qn, Fields({"a", "b", "c", "d"}), "CREATE")}))}));
  ASSERT_FALSE(column("d").empty());
  const std::string b = column("b");
  // Without a lifecycle change, or before COMPLETE, columns are only added.
  PostEach(json::array({RunEvent("evolve", "COMPLETE", json::array({Output(kLcPg, qn, Fields({"a"}))})),
                        RunEvent("evolve", "START", json::array({Output(kLcPg, qn, Fields({"a"}), "ALTER")}))}));
  for (const char* c : {"a", "b", "c", "d"}) EXPECT_FALSE(column(c).empty()) << c;
  // TRUNCATE is accepted and removes nothing.
  PostEach(json::array({RunEvent("evolve", "COMPLETE", json::array({Output(kLcPg, qn, Fields({"a"}), "TRUNCATE")}))}));
  for (const char* c : {"a", "b", "c", "d"}) EXPECT_FALSE(column(c).empty()) << c;
  // ALTER then OVERWRITE: the schema is the whole truth.
  PostEach(json::array({RunEvent("evolve", "COMPLETE", json::array({Output(kLcPg, qn, Fields({"a", "c", "d"}), "ALTER")}))}));
  EXPECT_TRUE(column("b").empty());
  EXPECT_EQ(ByGuid(server_, b)["status"], "DELETED");
  for (const char* c : {"a", "c", "d"}) EXPECT_FALSE(column(c).empty()) << c;
  PostEach(json::array({RunEvent("evolve", "COMPLETE", json::array({Output(kLcPg, qn, Fields({"a", "e"}), "OVERWRITE")}))}));
  EXPECT_TRUE(column("c").empty());
  EXPECT_TRUE(column("d").empty());
  EXPECT_FALSE(column("e").empty());
  const json dataset = Entity("ol_dataset", qn + "@" + kLcPg);
  std::set<std::string> active;
  for (const json& c : dataset["relationshipAttributes"]["columns"])
    if (c.value("entityStatus", "ACTIVE") == "ACTIVE" && c.value("relationshipStatus", "ACTIVE") == "ACTIVE")
      active.insert(c["guid"].get<std::string>());
  EXPECT_EQ(active, (std::set<std::string>{column("a"), column("e")}));
}

TEST_F(OpenLineageTest, NestedFieldsBecomeColumnsNamedByTheirPath) {
  const json fields = {{{"name", "id"}, {"type", "long"}},
                       {{"name", "address"}, {"type", "struct"},
                        {"fields", {{{"name", "city"}, {"type", "string"}, {"description", "City name"}},
                                    {{"name", "geo"}, {"type", "struct"},
                                     {"fields", {{{"name", "lat"}, {"type", "double"}}, {{"name", "lon"}, {"type", "double"}}}}}}}}};
  PostEach(json::array({RunEvent("nested", "COMPLETE", json::array({Output(kLcPg, "lc.public.customers", fields),
                                                                    Output(kLcHive, "lc_db.Customers", fields)}))}));
  json city = Entity("ol_column", "lc.public.customers.address.city@" + kLcPg)["attributes"];
  EXPECT_EQ(city["name"], "address.city");
  EXPECT_EQ(city["type"], "string");
  EXPECT_EQ(city["position"], 0);
  EXPECT_EQ(city["description"], "City name");
  json lon = Entity("ol_column", "lc.public.customers.address.geo.lon@" + kLcPg)["attributes"];
  EXPECT_EQ(lon["type"], "double");
  EXPECT_EQ(lon["position"], 1);
  EXPECT_EQ(Entity("ol_column", "lc.public.customers.address@" + kLcPg)["attributes"]["position"], 1);
  json hive_lat = Entity("hive_column", "lc_db.customers.address.geo.lat@primary");
  EXPECT_EQ(hive_lat["attributes"]["name"], "address.geo.lat");
  EXPECT_EQ(hive_lat["attributes"]["type"], "double");
  EXPECT_EQ(hive_lat["relationshipAttributes"]["table"]["guid"], Guid("hive_table", "lc_db.customers@primary"));
  // An OVERWRITE keeps nested columns it lists and removes the others.
  json fewer = fields;
  fewer[1]["fields"].erase(1);
  PostEach(json::array({RunEvent("nested", "COMPLETE", json::array({Output(kLcPg, "lc.public.customers", fewer, "OVERWRITE")}))}));
  EXPECT_FALSE(Guid("ol_column", "lc.public.customers.address.city@" + kLcPg).empty());
  EXPECT_TRUE(Guid("ol_column", "lc.public.customers.address.geo.lat@" + kLcPg).empty());
  EXPECT_TRUE(Guid("ol_column", "lc.public.customers.address.geo@" + kLcPg).empty());
}

TEST_F(OpenLineageTest, CredentialsAreRequired) {
  const std::string body = Fixture("openlineage/dbt.json")[0].dump();
  EXPECT_EQ(PostRaw(body, {{"Content-Type", kJson}}, "").status, 401);
  EXPECT_EQ(PostRaw(body, {{"Content-Type", kJson}}, "admin:wrong").status, 401);
}

}  // namespace
