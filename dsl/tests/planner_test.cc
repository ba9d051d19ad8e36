// Planner and executor behaviour that the case files cannot show: index use, early stop,
// REST parameters, limits and concurrency.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "memory_catalog.h"
#include "meridian/dsl/dsl.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::dsl {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override { catalog_ = testing::BuildTutorialCatalog(); }

  QueryResult Run(const std::string& query, const QueryOptions& options = {}) {
    Result<QueryResult> r = ExecuteQuery(*catalog_, query, options);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status().ToString();
    return r.ok() ? *r : QueryResult{};
  }

  std::unique_ptr<testing::MemoryCatalog> catalog_;
};

TEST_F(PlannerTest, EqualityUsesIndexLookupInsteadOfScan) {
  QueryResult r = Run("hive_table where qualifiedName = \"atlas_emr.trip_details@primary\"");
  EXPECT_EQ(r.entity_guids, std::vector<std::string>{"tbl-trip_details"});
  EXPECT_EQ(catalog_->scan_count(), 0u);
  EXPECT_GT(catalog_->lookup_count(), 0u);
}

TEST_F(PlannerTest, InListUsesIndexLookup) {
  QueryResult r =
      Run("hive_table where name = [\"trip_details\", \"trip_zone_lookup\"] and owner = 'hadoop'");
  EXPECT_EQ(r.entity_guids.size(), 2u);
  EXPECT_EQ(catalog_->scan_count(), 0u);
}

TEST_F(PlannerTest, LookupAnswersAreRechecked) {
  // The fixture's name index is case-insensitive (like a full-text index).
  QueryResult r = Run("hive_column where name = \"LOCATION_ID\"");
  EXPECT_TRUE(r.entity_guids.empty());
  EXPECT_EQ(catalog_->scan_count(), 0u);
}

TEST_F(PlannerTest, TraversalEqualityUsesReverseEdgesInsteadOfScan) {
  QueryResult r = Run("hive_column where table.name = \"trip_zone_lookup\"");
  EXPECT_EQ(r.entity_guids.size(), 4u);
  EXPECT_EQ(catalog_->scan_count(), 0u);
  EXPECT_GT(catalog_->lookup_count(), 0u);
  // A direct equality is preferred over the traversal.
  Run("hive_column where table.name = \"trip_details\" and name = \"location_id\"");
  EXPECT_EQ(catalog_->scan_count(), 0u);
}

TEST_F(PlannerTest, UnindexedAttributeScansEachConcreteType) {
  QueryResult r = Run("DataSet where owner = \"etl\"");
  EXPECT_EQ(r.entity_guids.size(), 5u);
  EXPECT_GT(catalog_->scan_count(), 0u);
  EXPECT_EQ(catalog_->lookup_count(), 0u);
}

TEST_F(PlannerTest, GuidEqualityLoadsOnlyThatEntity) {
  QueryResult r = Run("hive_table where __guid = \"tbl-trip_details\"");
  EXPECT_EQ(r.entity_guids, std::vector<std::string>{"tbl-trip_details"});
  EXPECT_EQ(catalog_->scan_count(), 0u);
  EXPECT_EQ(catalog_->load_count(), 1u);
  EXPECT_TRUE(Run("hive_db where __guid = \"tbl-trip_details\"").entity_guids.empty());
}

TEST_F(PlannerTest, StopsReadingOnceThePageIsFull) {
  QueryResult r = Run("hive_column limit 2");
  EXPECT_EQ(r.entity_guids.size(), 2u);
  EXPECT_EQ(catalog_->load_count(), 2u);
}

TEST_F(PlannerTest, RestLimitAndOffsetApplyWithoutQueryLimit) {
  QueryOptions options;
  options.limit = 3;
  options.offset = 1;
  QueryResult r = Run("hive_column orderby position", options);
  ASSERT_EQ(r.entity_guids.size(), 3u);
  // A limit in the query wins over the REST parameters.
  r = Run("hive_column limit 5", options);
  EXPECT_EQ(r.entity_guids.size(), 5u);
  // Out-of-range REST limits fall back to the default; query limits are capped.
  options.limit = 0;
  options.offset = 0;
  options.default_limit = 4;
  EXPECT_EQ(Run("hive_column", options).entity_guids.size(), 4u);
  options.max_limit = 2;
  EXPECT_EQ(Run("hive_column limit 10", options).entity_guids.size(), 2u);
}

TEST_F(PlannerTest, CountIsNotCutByTheDefaultLimit) {
  QueryOptions options;
  options.limit = 1;
  QueryResult r = Run("hive_column select count()", options);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], 13);
  EXPECT_EQ(r.matched_entities, 13u);
}

TEST_F(PlannerTest, NoMatchesReportsZeroMatchedEntities) {
  QueryResult r = Run("hive_table where name = 'nope' select count()");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], 0);
  EXPECT_EQ(r.matched_entities, 0u);
}

TEST_F(PlannerTest, QueryLengthIsBounded) {
  std::string query = "hive_table where name = '" + std::string(5000, 'x') + "'";
  Result<QueryResult> r = ExecuteQuery(*catalog_, query, QueryOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().atlas_code(), atlas_code::kInvalidQueryLength);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PlannerTest, LongFlatConditionsDoNotRecurse) {
  std::string query = "hive_table where name = 'x'";
  while (query.size() < 4000) query += " or name = 'trip_details'";
  EXPECT_EQ(Run(query).entity_guids, std::vector<std::string>{"tbl-trip_details"});
}

TEST_F(PlannerTest, ConcurrentQueriesShareTheCatalog) {
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (size_t i = 0; i < counts.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 20; ++n) {
        auto r = ExecuteQuery(*catalog_, "hive_column where table.db.name = 'atlas_emr'", {});
        counts[i] = r.ok() ? r->entity_guids.size() : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t c : counts) EXPECT_EQ(c, 13u);
}

}  // namespace
}  // namespace meridian::dsl
