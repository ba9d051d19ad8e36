// ExecuteQuery stops at QueryOptions::deadline: a scan of a large type returns the deadline's
// status (504, ATLAS-504-00-001) after reading a bounded number of entities.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "memory_catalog.h"
#include "meridian/dsl/dsl.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::dsl {
namespace {

constexpr int kEntities = 20000;

std::unique_ptr<testing::MemoryCatalog> LargeCatalog() {
  auto c = std::make_unique<testing::MemoryCatalog>();
  c->AddType({"part", false, {}, {testing::Attr("name", "string"), testing::Attr("size", "int")}});
  for (int i = 0; i < kEntities; ++i) {
    c->AddEntity({{"typeName", "part"},
                  {"guid", "part-" + std::to_string(i)},
                  {"attributes", {{"name", "p" + std::to_string(i)}, {"size", i % 7}}}});
  }
  return c;
}

TEST(DslDeadline, ExpiredDeadlineStopsLargeScan) {
  auto catalog = LargeCatalog();
  QueryOptions options;
  options.deadline = Deadline::After(std::chrono::milliseconds(0));
  for (const char* query : {"part where size = 9", "part where size = 3 select count()",
                            "part orderby name", "part groupby(size) select size, count()"}) {
    const size_t loads_before = catalog->load_count();
    Result<QueryResult> result = ExecuteQuery(*catalog, query, options);
    ASSERT_FALSE(result.ok()) << query;
    EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << query;
    EXPECT_NE(result.status().ToString().find(atlas_code::kDeadlineExceeded), std::string::npos);
    EXPECT_LT(catalog->load_count() - loads_before, 1000u) << query << ": the scan did not stop";
  }
}

TEST(DslDeadline, CancelledRequestStops) {
  auto catalog = LargeCatalog();
  QueryOptions options;
  options.deadline.Cancel();
  Result<QueryResult> result = ExecuteQuery(*catalog, "part where size = 3", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(result.status().message().find("cancelled"), std::string::npos);
}

TEST(DslDeadline, QueriesWithinTheirDeadlineComplete) {
  auto catalog = LargeCatalog();
  QueryOptions options;
  options.deadline = Deadline::After(std::chrono::hours(1));
  Result<QueryResult> result = ExecuteQuery(*catalog, "part where size = 3 select count()", options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  int expected = 0;
  for (int i = 0; i < kEntities; ++i) expected += i % 7 == 3;
  EXPECT_EQ(result->rows.at(0).at(0), expected);
}

}  // namespace
}  // namespace meridian::dsl
