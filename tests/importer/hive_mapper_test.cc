#include "meridian/importer/hive_mapper.h"

#include <gtest/gtest.h>

#include "meridian/importer/fixture.h"

namespace meridian::importer {
namespace {

using nlohmann::json;

class HiveMapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = LoadFixture(std::string(MERIDIAN_HMS_FIXTURES) + "/atlas_emr.json");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    ASSERT_EQ(catalog_.databases.size(), 1u);
    ASSERT_EQ(catalog_.tables.size(), 3u);
    options_.now_ms = 1800000000000;
  }

  const HiveTable& Table(const std::string& name) const {
    for (const auto& t : catalog_.tables) {
      if (t.table_name == name) return t;
    }
    throw std::runtime_error("no table " + name);
  }

  static std::vector<std::string> TypesAndNames(const EntityBatch& batch) {
    std::vector<std::string> out;
    for (const auto& e : batch.entities()) {
      out.push_back(e["typeName"].get<std::string>() + " " +
                    e["attributes"]["qualifiedName"].get<std::string>());
    }
    return out;
  }

  static const json& Find(const EntityBatch& batch, const std::string& qn) {
    for (const auto& e : batch.entities()) {
      if (e["attributes"]["qualifiedName"] == qn) return e;
    }
    throw std::runtime_error("no entity " + qn);
  }

  HiveCatalog catalog_;
  MapperOptions options_;
};

TEST_F(HiveMapperTest, Database) {
  EntityBatch batch;
  json db = MapDatabase(catalog_.databases[0], options_, &batch);
  EXPECT_EQ(db["typeName"], "hive_db");
  EXPECT_EQ(db["guid"], "-1");
  EXPECT_EQ(db["attributes"],
            (json{{"qualifiedName", "atlas_emr@primary"},
                  {"name", "atlas_emr"},
                  {"clusterName", "primary"},
                  {"description", "NYC taxi trips for the Atlas on EMR tutorial"},
                  {"location", "hdfs://ip-10-0-0-1.ec2.internal:8020/user/hive/warehouse/atlas_emr.db"},
                  {"owner", "hadoop"},
                  {"ownerType", "USER"},
                  {"parameters", json::object()}}));
}

TEST_F(HiveMapperTest, DatabaseNamesAreLowerCasedAndCatalogPrefixed) {
  HiveDatabase db;
  db.name = "Sales";
  db.owner_type = PrincipalType::kRole;
  EXPECT_EQ(DbQualifiedName(db, "prod"), "sales@prod");
  db.catalog_name = "hive";
  EXPECT_EQ(DbQualifiedName(db, "prod"), "sales@prod");
  db.catalog_name = "Spark";
  EXPECT_EQ(DbQualifiedName(db, "prod"), "spark:sales@prod");
  EntityBatch batch;
  json e = MapDatabase(db, MapperOptions{"prod"}, &batch);
  EXPECT_EQ(e["attributes"]["name"], "spark:sales");
  EXPECT_EQ(e["attributes"]["ownerType"], "ROLE");
  EXPECT_FALSE(e["attributes"].contains("owner"));
  EXPECT_FALSE(e["attributes"].contains("location"));
}

TEST_F(HiveMapperTest, ExternalTableWithS3LocationAndProcess) {
  EntityBatch batch;
  const std::string guid =
      AddTable(catalog_.databases[0], Table("trip_details"), options_, true, &batch);
  EXPECT_EQ(guid, "-1");
  EXPECT_EQ(TypesAndNames(batch),
            (std::vector<std::string>{
                "hive_table atlas_emr.trip_details@primary",
                "hive_storagedesc atlas_emr.trip_details@primary_storage",
                "hive_column atlas_emr.trip_details.vendor_id@primary",
                "hive_column atlas_emr.trip_details.pickup_datetime@primary",
                "hive_column atlas_emr.trip_details.dropoff_datetime@primary",
                "hive_column atlas_emr.trip_details.passenger_count@primary",
                "hive_column atlas_emr.trip_details.trip_distance@primary",
                "hive_column atlas_emr.trip_details.location_id@primary",
                "hive_column atlas_emr.trip_details.fare_amount@primary",
                "aws_s3_v2_bucket s3://atlas-emr-demo@primary",
                "aws_s3_v2_directory s3://atlas-emr-demo/trip_details/@primary",
                "hive_process atlas_emr.trip_details@primary:1700000001000",
            }));

  const json& table = Find(batch, "atlas_emr.trip_details@primary");
  const json& a = table["attributes"];
  EXPECT_EQ(a["name"], "trip_details");
  EXPECT_EQ(a["owner"], "hadoop");
  EXPECT_EQ(a["createTime"], 1700000001000);
  EXPECT_EQ(a["lastAccessTime"], 1700000001000);
  EXPECT_EQ(a["retention"], 0);
  EXPECT_EQ(a["tableType"], "EXTERNAL_TABLE");
  EXPECT_EQ(a["temporary"], false);
  EXPECT_EQ(a["comment"], "Yellow taxi trip details");
  EXPECT_EQ(a["parameters"]["EXTERNAL"], "TRUE");
  EXPECT_FALSE(a.contains("viewOriginalText"));
  const json& rel = table["relationshipAttributes"];
  EXPECT_EQ(rel["db"], (json{{"typeName", "hive_db"},
                             {"uniqueAttributes", {{"qualifiedName", "atlas_emr@primary"}}},
                             {"relationshipType", "hive_table_db"}}));
  EXPECT_EQ(rel["sd"], (json{{"guid", "-2"}, {"typeName", "hive_storagedesc"},
                             {"relationshipType", "hive_table_storagedesc"}}));
  ASSERT_EQ(rel["columns"].size(), 7u);
  EXPECT_EQ(rel["columns"][0]["relationshipType"], "hive_table_columns");
  EXPECT_TRUE(rel["partitionKeys"].empty());

  const json& sd = Find(batch, "atlas_emr.trip_details@primary_storage");
  EXPECT_EQ(sd["attributes"]["location"], "s3://atlas-emr-demo/trip_details/");
  EXPECT_EQ(sd["attributes"]["inputFormat"], "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(sd["attributes"]["compressed"], false);
  EXPECT_EQ(sd["attributes"]["numBuckets"], -1);
  EXPECT_FALSE(sd["attributes"].contains("bucketCols"));
  EXPECT_EQ(sd["attributes"]["serdeInfo"],
            (json{{"typeName", "hive_serde"},
                  {"attributes",
                   {{"serializationLib", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"},
                    {"parameters", {{"field.delim", ","}, {"serialization.format", ","}}}}}}));
  EXPECT_EQ(sd["relationshipAttributes"]["table"]["guid"], guid);

  const json& col = Find(batch, "atlas_emr.trip_details.fare_amount@primary");
  EXPECT_EQ(col["attributes"], (json{{"qualifiedName", "atlas_emr.trip_details.fare_amount@primary"},
                                     {"name", "fare_amount"},
                                     {"owner", "hadoop"},
                                     {"position", 6},
                                     {"type", "decimal(10,2)"}}));
  EXPECT_EQ(col["relationshipAttributes"]["table"],
            (json{{"guid", guid}, {"typeName", "hive_table"},
                  {"relationshipType", "hive_table_columns"}}));

  const json& dir = Find(batch, "s3://atlas-emr-demo/trip_details/@primary");
  EXPECT_EQ(dir["attributes"]["name"], "trip_details");
  EXPECT_EQ(dir["attributes"]["objectPrefix"], "/trip_details/");
  EXPECT_EQ(dir["relationshipAttributes"]["container"]["typeName"], "aws_s3_v2_bucket");
  EXPECT_EQ(dir["relationshipAttributes"]["container"]["relationshipType"],
            "aws_s3_v2_container_contained");
  EXPECT_EQ(Find(batch, "s3://atlas-emr-demo@primary")["attributes"]["name"], "atlas-emr-demo");

  const json& process = Find(batch, "atlas_emr.trip_details@primary:1700000001000");
  const std::string query =
      "create external table trip_details(vendor_id string,pickup_datetime timestamp,"
      "dropoff_datetime timestamp,passenger_count int,trip_distance double,location_id int,"
      "fare_amount decimal(10,2)) location 's3://atlas-emr-demo/trip_details/'";
  EXPECT_EQ(process["attributes"],
            (json{{"qualifiedName", "atlas_emr.trip_details@primary:1700000001000"},
                  {"name", query},
                  {"queryText", query},
                  {"queryId", query},
                  {"clusterName", "primary"},
                  {"operationType", "CREATETABLE"},
                  {"userName", "hadoop"},
                  {"startTime", 1800000000000},
                  {"endTime", 1800000000000},
                  {"queryPlan", "{}"},
                  {"recentQueries", json::array({query})}}));
  EXPECT_EQ(process["relationshipAttributes"]["inputs"],
            json::array({{{"guid", dir["guid"]}, {"typeName", "aws_s3_v2_directory"},
                          {"relationshipType", "dataset_process_inputs"}}}));
  EXPECT_EQ(process["relationshipAttributes"]["outputs"],
            json::array({{{"guid", guid}, {"typeName", "hive_table"},
                          {"relationshipType", "process_dataset_outputs"}}}));
}

TEST_F(HiveMapperTest, ColumnNamesKeepCaseButQualifiedNamesAreLower) {
  EntityBatch batch;
  AddTable(catalog_.databases[0], Table("trip_zone_lookup"), options_, false, &batch);
  const json& col = Find(batch, "atlas_emr.trip_zone_lookup.locationid@primary");
  EXPECT_EQ(col["attributes"]["name"], "LocationID");
  EXPECT_EQ(col["attributes"]["position"], 0);
  // Without the process flag, no path and no process.
  for (const auto& e : batch.entities()) EXPECT_NE(e["typeName"], "hive_process");
  EXPECT_EQ(batch.size(), 6u);
}

TEST_F(HiveMapperTest, ManagedTableHasNoProcess) {
  EntityBatch batch;
  AddTable(catalog_.databases[0], Table("trip_details_by_zone"), options_, true, &batch);
  EXPECT_EQ(batch.size(), 1u + 1u + 11u);
  EXPECT_EQ(Find(batch, "atlas_emr.trip_details_by_zone@primary")["attributes"]["tableType"],
            "MANAGED_TABLE");
  EXPECT_FALSE(Find(batch, "atlas_emr.trip_details_by_zone@primary")["attributes"].contains("comment"));
}

TEST_F(HiveMapperTest, SharedBucketAppearsOnceInABatch) {
  EntityBatch batch;
  AddTable(catalog_.databases[0], Table("trip_details"), options_, true, &batch);
  AddTable(catalog_.databases[0], Table("trip_zone_lookup"), options_, true, &batch);
  int buckets = 0;
  for (const auto& e : batch.entities()) buckets += e["typeName"] == "aws_s3_v2_bucket";
  EXPECT_EQ(buckets, 1);
  const json& dir = Find(batch, "s3://atlas-emr-demo/trip_zone_lookup/@primary");
  EXPECT_EQ(dir["relationshipAttributes"]["container"]["guid"],
            Find(batch, "s3://atlas-emr-demo@primary")["guid"]);
}

TEST_F(HiveMapperTest, PathEntities) {
  MapperOptions options{"prod"};
  {
    EntityBatch batch;
    AddPathEntities("s3a://Aws-BigData-Blog/artifacts/aws-blog-emr-atlas/trip_details", options,
                    &batch);
    EXPECT_EQ(TypesAndNames(batch),
              (std::vector<std::string>{
                  "aws_s3_v2_bucket s3a://aws-bigdata-blog@prod",
                  "aws_s3_v2_directory s3a://aws-bigdata-blog/artifacts/@prod",
                  "aws_s3_v2_directory s3a://aws-bigdata-blog/artifacts/aws-blog-emr-atlas/@prod",
                  "aws_s3_v2_directory "
                  "s3a://aws-bigdata-blog/artifacts/aws-blog-emr-atlas/trip_details/@prod"}));
    EXPECT_EQ(batch.entities()[3]["attributes"]["objectPrefix"],
              "/artifacts/aws-blog-emr-atlas/trip_details/");
    EXPECT_EQ(batch.entities()[3]["relationshipAttributes"]["container"]["guid"],
              batch.entities()[2]["guid"]);
  }
  {
    EntityBatch batch;
    const std::string guid = AddPathEntities("hdfs://nn:8020/data/Trips", options, &batch);
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.entities()[0]["guid"], guid);
    EXPECT_EQ(batch.entities()[0]["attributes"],
              (json{{"qualifiedName", "hdfs://nn:8020/data/Trips@prod"},
                    {"name", "/data/Trips"},
                    {"path", "hdfs://nn:8020/data/Trips"},
                    {"clusterName", "prod"}}));
  }
  {
    EntityBatch batch;
    AddPathEntities("file:/tmp/Data", options, &batch);
    EXPECT_EQ(TypesAndNames(batch), std::vector<std::string>{"fs_path file:/tmp/data"});
    EXPECT_EQ(batch.entities()[0]["attributes"]["name"], "/tmp/Data");
  }
  {
    EntityBatch batch;
    AddPathEntities("s3://bucket", options, &batch);
    EXPECT_EQ(TypesAndNames(batch), std::vector<std::string>{"aws_s3_v2_bucket s3://bucket@prod"});
  }
}

TEST_F(HiveMapperTest, ViewsPartitionKeysAndOddValues) {
  HiveDatabase db;
  db.name = "Sales";
  HiveTable view;
  view.db_name = "Sales";
  view.table_name = "Top_Orders";
  view.owner = "";
  view.create_time = 1717990000;
  view.last_access_time = 1717990500;
  view.table_type = "VIRTUAL_VIEW";
  view.view_original_text = "select id from orders";
  view.view_expanded_text = "select `orders`.`id` from `sales`.`orders`";
  view.sd.cols = {{"id", "int", "order id"}, {"broken", std::nullopt, std::nullopt}};
  view.partition_keys = {{"dt", "string", std::nullopt}, {"region", "string", std::nullopt}};
  MapperOptions options{"prod"};
  EntityBatch batch;
  AddTable(db, view, options, true, &batch);
  const json& t = Find(batch, "sales.top_orders@prod");
  EXPECT_EQ(t["attributes"]["name"], "top_orders");
  EXPECT_EQ(t["attributes"]["lastAccessTime"], 1717990500000);
  EXPECT_EQ(t["attributes"]["viewOriginalText"], "select id from orders");
  EXPECT_EQ(t["attributes"]["viewExpandedText"], "select `orders`.`id` from `sales`.`orders`");
  EXPECT_EQ(t["relationshipAttributes"]["partitionKeys"].size(), 2u);
  const json& region = Find(batch, "sales.top_orders.region@prod");
  EXPECT_EQ(region["attributes"]["position"], 1);
  EXPECT_EQ(region["relationshipAttributes"]["table"]["relationshipType"],
            "hive_table_partitionkeys");
  EXPECT_EQ(Find(batch, "sales.top_orders.id@prod")["attributes"]["comment"], "order id");
  EXPECT_FALSE(Find(batch, "sales.top_orders.broken@prod")["attributes"].contains("type"));
  EXPECT_FALSE(Find(batch, "sales.top_orders@prod_storage")["attributes"].contains("location"));
  EXPECT_EQ(ViewCreateStatement(view),
            "CREATE VIEW `Sales`.`Top_Orders` AS select `orders`.`id` from `sales`.`orders`");
  view.table_type = "MATERIALIZED_VIEW";
  view.view_expanded_text.reset();
  EXPECT_EQ(ViewCreateStatement(view),
            "CREATE MATERIALIZED VIEW `Sales`.`Top_Orders` AS select id from orders");
  EXPECT_EQ(ViewCreateStatement(Table("trip_details")), "");
}

TEST_F(HiveMapperTest, ProcessUserFallsBackToDefault) {
  HiveTable t = Table("trip_details");
  t.owner = "";
  t.partition_keys = {{"dt", "string", std::nullopt}};
  EntityBatch batch;
  AddTable(catalog_.databases[0], t, options_, true, &batch);
  const json& p = Find(batch, "atlas_emr.trip_details@primary:1700000001000");
  EXPECT_EQ(p["attributes"]["userName"], "hive");
  EXPECT_NE(p["attributes"]["queryText"].get<std::string>().find("fare_amount decimal(10,2),dt string)"),
            std::string::npos);
}

}  // namespace
}  // namespace meridian::importer
