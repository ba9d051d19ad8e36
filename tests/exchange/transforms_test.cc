// Import transforms: Atlas's `transforms` ('~' parameters) and `transformers` rules.
#include "transforms.h"

#include <gtest/gtest.h>

namespace meridian::exchange {
namespace {

using nlohmann::json;

const types::TypeRegistry& Registry() {
  static auto reg = types::TypeRegistry::Build(types::BuiltinModelDocs());
  return **reg;
}

json Table() {
  return {{"typeName", "hive_table"},
          {"guid", "g1"},
          {"attributes", {{"qualifiedName", "sales.orders@cl1"}, {"name", "Orders"}, {"owner", "etl"}}},
          {"classifications", json::array({{{"typeName", "PII"}, {"entityGuid", "g1"}}})}};
}

TEST(Transforms, ReplaceOnASuperTypeAppliesToSubTypes) {
  auto t = Transforms::Parse({{"transforms", R"({"Referenceable":{"qualifiedName":["replace~@cl1~@cl2"]}})"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  json e = Table();
  t->Apply(e, true, Registry());
  EXPECT_EQ(e["attributes"]["qualifiedName"], "sales.orders@cl2");
}

TEST(Transforms, TheColonSeparatorIsRefused) {
  auto t = Transforms::Parse({{"transforms", json{{"hive_table", {{"qualifiedName", {"replace:@cl1:@cl2"}}}}}}});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("'~'"), std::string::npos);
}

TEST(Transforms, EntityLevelTransforms) {
  auto t = Transforms::Parse({{"transforms", json{{"hive_table", {{"*", {"removeClassification~PII",
                                                                          "addClassification~copied~topLevel",
                                                                          "clearAttrValue~owner", "add~comment=moved"}},
                                                                  {"name", {"lowercase"}}}}}.dump()}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  json top = Table(), referred = Table();
  t->Apply(top, true, Registry());
  t->Apply(referred, false, Registry());
  EXPECT_EQ(top["classifications"].size(), 1u);
  EXPECT_EQ(top["classifications"][0]["typeName"], "copied");
  EXPECT_TRUE(referred["classifications"].empty());
  EXPECT_FALSE(top["attributes"].contains("owner"));
  EXPECT_EQ(top["attributes"]["comment"], "moved");
  EXPECT_EQ(top["attributes"]["name"], "orders");
  EXPECT_EQ(t->added_classifications(), std::vector<std::string>{"copied"});
}

TEST(Transforms, RulesOfOtherTypesDoNotApply) {
  auto t = Transforms::Parse({{"transforms", R"({"hive_column":{"name":["uppercase"]}})"}});
  ASSERT_TRUE(t.ok());
  json e = Table();
  t->Apply(e, true, Registry());
  EXPECT_EQ(e["attributes"]["name"], "Orders");
}

TEST(Transforms, TransformersConditionsAndActions) {
  json rules = json::array(
      {{{"conditions", {{"hive_table.qualifiedName", "STARTS_WITH_IGNORE_CASE: SALES."}}},
        {"action", {{"hive_table.qualifiedName", "REPLACE_PREFIX: = :sales.=:archive."}, {"__entity", "REMOVE_CLASSIFICATION: PII"}}}},
       {{"conditions", {{"hive_table.owner", "EQUALS: nobody"}}}, {"action", {{"hive_table.name", "TO_UPPER:"}}}}});
  auto t = Transforms::Parse({{"transformers", rules.dump()}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  json e = Table();
  t->Apply(e, true, Registry());
  EXPECT_EQ(e["attributes"]["qualifiedName"], "archive.orders@cl1");
  EXPECT_TRUE(e["classifications"].empty());
  EXPECT_EQ(e["attributes"]["name"], "Orders");
}

TEST(Transforms, UnknownSpecsAreRefused) {
  EXPECT_FALSE(Transforms::Parse({{"transforms", R"({"hive_table":{"name":["reverse"]}})"}}).ok());
  EXPECT_FALSE(Transforms::Parse({{"transforms", "not json"}}).ok());
  EXPECT_FALSE(Transforms::Parse({{"transformers", R"([{"conditions":{"__entity":"sometimes:"},"action":{}}])"}}).ok());
}

}  // namespace
}  // namespace meridian::exchange
