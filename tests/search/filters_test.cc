// Basic-search filter operators evaluated on records.
#include "meridian/search/filters.h"

#include <gtest/gtest.h>

namespace meridian::search {
namespace {

const json kRecord = {
    {"guid", "g-1"},
    {"typeName", "hive_table"},
    {"status", "ACTIVE"},
    {"createdBy", "alice"},
    {"updatedBy", "bob"},
    {"createTime", 1700000000000},
    {"updateTime", 1700000500000},
    {"labels", {"gold", "daily"}},
    {"classifications", {{{"typeName", "PII"}}}},
    {"propagatedClassifications", {{{"typeName", "Finance"}, {"entityGuid", "g-0"}}}},
    {"attributes",
     {{"name", "trip_details"}, {"owner", "hadoop"}, {"retention", 30}, {"temporary", false},
      {"comment", nullptr}, {"description", ""}, {"aliases", {"trips", "rides"}},
      {"createTime", 1700000000000}}}};

bool Match(const std::string& attr, const std::string& op, const json& value, int64_t now = 1700000600000) {
  json node = {{"attributeName", attr}, {"operator", op}, {"attributeValue", value}};
  auto f = ParseFilter(node, nullptr);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) return false;
  return Evaluate(*f, [](const std::string& a) { return EntityValue(kRecord, a); }, now);
}

TEST(Filters, OperatorSpellings) {
  for (const char* s : {"<", "lt", ">", "gt", "<=", "lte", ">=", "gte", "=", "eq", "!=", "neq", "in", "like",
                        "startsWith", "begins_with", "endsWith", "ends_with", "contains", "not_contains",
                        "containsAny", "containsAll", "isNull", "notNull", "notEmpty", "timerange", "TIME_RANGE"})
    EXPECT_TRUE(ParseOp(s).ok()) << s;
  EXPECT_FALSE(ParseOp("approximately").ok());
  EXPECT_EQ(OpName(*ParseOp("begins_with")), "startsWith");
  EXPECT_EQ(OpName(*ParseOp("gte")), ">=");
}

TEST(Filters, Equality) {
  EXPECT_TRUE(Match("name", "=", "trip_details"));
  EXPECT_FALSE(Match("name", "eq", "TRIP_DETAILS"));
  EXPECT_TRUE(Match("name", "!=", "other"));
  EXPECT_FALSE(Match("name", "neq", "trip_details"));
  EXPECT_TRUE(Match("retention", "=", "30"));
  EXPECT_TRUE(Match("retention", "=", 30));
  EXPECT_TRUE(Match("temporary", "=", "false"));
  EXPECT_TRUE(Match("aliases", "=", "rides"));
  EXPECT_TRUE(Match("aliases", "!=", "bikes"));
  EXPECT_FALSE(Match("aliases", "!=", "trips"));
}

TEST(Filters, Ordering) {
  EXPECT_TRUE(Match("retention", "<", "31"));
  EXPECT_FALSE(Match("retention", "lt", "30"));
  EXPECT_TRUE(Match("retention", "<=", "30"));
  EXPECT_TRUE(Match("retention", ">", "29.5"));
  EXPECT_FALSE(Match("retention", "gt", "30"));
  EXPECT_TRUE(Match("retention", ">=", "30"));
  EXPECT_TRUE(Match("name", ">", "trip"));
  EXPECT_TRUE(Match("createTime", ">=", "2023-11-14T00:00:00.000Z"));
  EXPECT_FALSE(Match("createTime", "<", "2023-11-14"));
}

TEST(Filters, InAndStrings) {
  EXPECT_TRUE(Match("name", "in", "a,trip_details,b"));
  EXPECT_TRUE(Match("name", "in", json::array({"x", "trip_details"})));
  EXPECT_FALSE(Match("name", "in", "a,b"));
  EXPECT_TRUE(Match("retention", "in", "10,30"));
  EXPECT_TRUE(Match("name", "like", "trip_*"));
  EXPECT_TRUE(Match("name", "like", "*DETAIL?"));
  EXPECT_FALSE(Match("name", "like", "trip"));
  EXPECT_TRUE(Match("name", "startsWith", "Trip"));
  EXPECT_TRUE(Match("name", "begins_with", "trip_"));
  EXPECT_FALSE(Match("name", "startsWith", "details"));
  EXPECT_TRUE(Match("name", "endsWith", "details"));
  EXPECT_TRUE(Match("name", "ends_with", "_DETAILS"));
  EXPECT_TRUE(Match("name", "contains", "p_de"));
  EXPECT_FALSE(Match("name", "contains", "zone"));
  EXPECT_TRUE(Match("name", "not_contains", "zone"));
  EXPECT_FALSE(Match("name", "not_contains", "trip"));
}

TEST(Filters, Collections) {
  EXPECT_TRUE(Match("aliases", "containsAny", "bikes,rides"));
  EXPECT_FALSE(Match("aliases", "containsAny", "bikes,cars"));
  EXPECT_TRUE(Match("aliases", "containsAll", "rides,trips"));
  EXPECT_FALSE(Match("aliases", "containsAll", "rides,bikes"));
  EXPECT_TRUE(Match("aliases", "contains", "rid"));
}

TEST(Filters, Nulls) {
  EXPECT_TRUE(Match("comment", "isNull", ""));
  EXPECT_TRUE(Match("missing", "isNull", ""));
  EXPECT_TRUE(Match("description", "isNull", ""));
  EXPECT_FALSE(Match("name", "isNull", ""));
  EXPECT_TRUE(Match("name", "notNull", ""));
  EXPECT_FALSE(Match("comment", "notNull", ""));
  EXPECT_TRUE(Match("description", "notNull", ""));
  EXPECT_FALSE(Match("description", "notEmpty", ""));
  EXPECT_TRUE(Match("aliases", "notEmpty", ""));
}

TEST(Filters, TimeRange) {
  const int64_t now = 1700000600000;  // 2023-11-14T22:23:20Z
  EXPECT_TRUE(Match("__timestamp", "timerange", "1699999999000,1700000001000", now));
  EXPECT_FALSE(Match("__timestamp", "timerange", "1,2", now));
  EXPECT_TRUE(Match("__timestamp", "timerange", "TODAY", now));
  EXPECT_TRUE(Match("__timestamp", "timerange", "LAST_7_DAYS", now));
  EXPECT_TRUE(Match("__timestamp", "timerange", "THIS_MONTH", now));
  EXPECT_TRUE(Match("__timestamp", "timerange", "THIS_YEAR", now));
  EXPECT_FALSE(Match("__timestamp", "timerange", "YESTERDAY", now));
  EXPECT_FALSE(Match("__timestamp", "timerange", "LAST_MONTH", now));
  EXPECT_FALSE(Match("__timestamp", "timerange", "LAST_YEAR", now));
  int64_t s = 0, e = 0;
  ASSERT_TRUE(TimeRange("LAST_QUARTER", now, &s, &e));
  EXPECT_EQ(s, 1688169600000);  // 2023-07-01
  EXPECT_EQ(e, 1696118399999);  // 2023-09-30T23:59:59.999
}

TEST(Filters, SystemAttributes) {
  EXPECT_TRUE(Match("__guid", "=", "g-1"));
  EXPECT_TRUE(Match("__typeName", "=", "hive_table"));
  EXPECT_TRUE(Match("__state", "=", "ACTIVE"));
  EXPECT_TRUE(Match("__createdBy", "=", "alice"));
  EXPECT_TRUE(Match("__modifiedBy", "=", "bob"));
  EXPECT_TRUE(Match("__timestamp", "=", "1700000000000"));
  EXPECT_TRUE(Match("__modificationTimestamp", ">", "1700000000000"));
  EXPECT_TRUE(Match("__classificationNames", "=", "PII"));
  EXPECT_FALSE(Match("__classificationNames", "=", "Finance"));
  EXPECT_TRUE(Match("__propagatedClassificationNames", "=", "Finance"));
  EXPECT_TRUE(Match("__labels", "=", "gold"));
  EXPECT_TRUE(Match("__labels", "containsAll", "gold,daily"));
  EXPECT_TRUE(Match("__isIncomplete", "isNull", ""));
}

TEST(Filters, NestedGroups) {
  json node = {{"condition", "AND"},
               {"criterion",
                {{{"attributeName", "owner"}, {"operator", "="}, {"attributeValue", "hadoop"}},
                 {{"condition", "OR"},
                  {"criterion",
                   {{{"attributeName", "name"}, {"operator", "="}, {"attributeValue", "nope"}},
                    {{"attributeName", "retention"}, {"operator", ">"}, {"attributeValue", "10"}}}}}}}};
  auto f = ParseFilter(node, nullptr);
  ASSERT_TRUE(f.ok());
  auto get = [](const std::string& a) { return EntityValue(kRecord, a); };
  EXPECT_TRUE(Evaluate(*f, get, 0));
  node["criterion"][1]["condition"] = "AND";
  f = ParseFilter(node, nullptr);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(Evaluate(*f, get, 0));
}

TEST(Filters, Errors) {
  EXPECT_FALSE(ParseFilter({{"attributeName", "name"}, {"operator", "~"}, {"attributeValue", "x"}}, nullptr).ok());
  EXPECT_FALSE(ParseFilter({{"operator", "="}, {"attributeValue", "x"}}, nullptr).ok());
  EXPECT_FALSE(ParseFilter({{"condition", "XOR"}, {"criterion", {{{"attributeName", "a"}, {"operator", "="}}}}},
                           nullptr).ok());
}

}  // namespace
}  // namespace meridian::search
