// Value helpers: date parsing and glob matching.
#include "values.h"

#include <gtest/gtest.h>

namespace meridian::dsl {
namespace {

TEST(Values, ParseDslDate) {
  EXPECT_EQ(ParseDslDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDslDate("2017-12-12T02:35:58.440Z"), 1513046158440);
  EXPECT_EQ(ParseDslDate("2024-01-01"), 1704067200000);
  EXPECT_EQ(ParseDslDate("2024-02-29"), 1709164800000);
  EXPECT_EQ(ParseDslDate("2023-02-29"), std::nullopt);
  EXPECT_EQ(ParseDslDate("2024-13-01"), std::nullopt);
  EXPECT_EQ(ParseDslDate("2024-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseDslDate("01/02/2024"), std::nullopt);
  EXPECT_EQ(ParseDslDate(""), std::nullopt);
}

TEST(Values, GlobMatch) {
  EXPECT_TRUE(GlobMatch("trip*", "trip_details"));
  EXPECT_TRUE(GlobMatch("*_zone", "trip_details_by_zone"));
  EXPECT_TRUE(GlobMatch("R???rt?*", "Reports"));
  EXPECT_TRUE(GlobMatch("R???rt?*", "Reports_2019"));
  EXPECT_FALSE(GlobMatch("R???rt?*", "Report"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_TRUE(GlobMatch("a.c", "a.c"));
  EXPECT_FALSE(GlobMatch("a.c", "abc"));          // '.' is literal, not a regex
  EXPECT_FALSE(GlobMatch("trip", "Trip"));        // case-sensitive
  EXPECT_TRUE(GlobMatch("caf?", "caf\xc3\xa9"));  // '?' is one UTF-8 character
  EXPECT_TRUE(GlobMatch("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaab"));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

TEST(Values, CompareAs) {
  EXPECT_EQ(CompareAs(ValueKind::kNumber, 3, "3"), 0);
  EXPECT_EQ(CompareAs(ValueKind::kNumber, 2.5, 3), -1);
  EXPECT_EQ(CompareAs(ValueKind::kDate, 1704067200000, "2024-01-01"), 0);
  EXPECT_EQ(CompareAs(ValueKind::kString, "b", "a"), 1);
  EXPECT_EQ(CompareForAggregate(ValueKind::kString, "B", "a"), 1);
  EXPECT_EQ(CompareAs(ValueKind::kBoolean, false, "false"), 0);
  EXPECT_EQ(CompareAs(ValueKind::kNumber, "x", 3), std::nullopt);
}

}  // namespace
}  // namespace meridian::dsl
