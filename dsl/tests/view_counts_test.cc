// count(), like "prefix*" counts and groupby counts are answered from the CatalogView's
// counts (an index or counters in a real store) without reading any entity; other
// aggregates still read them. Results equal those of a scan.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memory_catalog.h"
#include "meridian/dsl/dsl.h"

namespace meridian::dsl {
namespace {

std::vector<std::vector<nlohmann::json>> Rows(const testing::MemoryCatalog& c, const std::string& query,
                                              size_t* loads) {
  const size_t before = c.load_count();
  Result<QueryResult> r = ExecuteQuery(c, query, QueryOptions{});
  EXPECT_TRUE(r.ok()) << query << ": " << r.status().ToString();
  *loads = c.load_count() - before;
  return r.ok() ? r->rows : std::vector<std::vector<nlohmann::json>>{};
}

TEST(DslViewCounts, CountsWithoutReadingEntities) {
  auto fleet = testing::BuildFleetCatalog();
  size_t loads = 0;
  using Row = std::vector<nlohmann::json>;
  EXPECT_EQ(Rows(*fleet, "vehicle select count()", &loads), std::vector<Row>({{6}}));
  EXPECT_EQ(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "Asset select count() as n", &loads), std::vector<Row>({{12}}));
  EXPECT_EQ(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "van where name like \"table*\" select count()", &loads), std::vector<Row>({{2}}));
  EXPECT_EQ(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "vehicle groupby(owner) select owner, count()", &loads),
            std::vector<Row>({{"ops", 5}, {"finance", 1}}));
  EXPECT_EQ(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "depot groupby(city) select city, count() as n orderby n desc", &loads),
            std::vector<Row>({{"Leeds", 1}, {"Derby", 1}, {"", 1}}));
  EXPECT_EQ(loads, 0u);
}

TEST(DslViewCounts, OtherAggregatesReadEntities) {
  auto fleet = testing::BuildFleetCatalog();
  size_t loads = 0;
  using Row = std::vector<nlohmann::json>;
  EXPECT_EQ(Rows(*fleet, "vehicle where seats > 2 select count()", &loads), std::vector<Row>({{2}}));
  EXPECT_GT(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "van where name like \"t?ble*\" select count()", &loads), std::vector<Row>({{2}}));
  EXPECT_GT(loads, 0u);
  EXPECT_EQ(Rows(*fleet, "vehicle groupby(owner) select owner, max(seats)", &loads),
            std::vector<Row>({{"ops", 4}, {"finance", 2}}));
  EXPECT_GT(loads, 0u);
}

}  // namespace
}  // namespace meridian::dsl
