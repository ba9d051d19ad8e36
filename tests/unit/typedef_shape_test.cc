#include "meridian/types/typedef_shape.h"

#include <gtest/gtest.h>

namespace meridian::types {
namespace {

using nlohmann::json;

TEST(TypedefShape, DropNullsRemovesNullMembersAndElementsAtEveryDepth) {
  json j = {{"a", nullptr}, {"b", {{"c", nullptr}, {"d", 1}}}, {"e", {1, nullptr, {{"f", nullptr}}}}};
  DropNulls(j);
  EXPECT_EQ(j, (json{{"b", {{"d", 1}}}, {"e", {1, json::object()}}}));
}

TEST(TypedefShape, ClientNullsBecomeAtlasDefaults) {
  json def = {{"name", "t"}, {"description", nullptr}, {"superTypes", nullptr}, {"attributeDefs", nullptr},
              {"subTypes", nullptr}, {"relationshipAttributeDefs", {{{"name", "x"}}}}, {"typeVersion", 1.0}};
  ASSERT_TRUE(NormalizeTypeDef("entityDefs", def).ok());
  EXPECT_EQ(def["superTypes"], json::array());
  EXPECT_EQ(def["attributeDefs"], json::array());
  EXPECT_FALSE(def.contains("description"));
  EXPECT_FALSE(def.contains("subTypes"));
  EXPECT_FALSE(def.contains("relationshipAttributeDefs"));  // computed on read, never stored
  EXPECT_EQ(def["typeVersion"], "1.0");                      // Jackson reads a number into a String field

  json attr_def = {{"name", "c"},
                   {"attributeDefs", {{{"name", "a"}, {"typeName", "string"}, {"cardinality", nullptr},
                                       {"options", {{"maxStrLength", 50}, {"x", nullptr}}}}}}};
  ASSERT_TRUE(NormalizeTypeDef("classificationDefs", attr_def).ok());
  const json& a = attr_def["attributeDefs"][0];
  EXPECT_EQ(a["cardinality"], "SINGLE");
  EXPECT_EQ(a["isOptional"], false);  // AtlasAttributeDef's default
  EXPECT_EQ(a["isUnique"], false);
  EXPECT_EQ(a["options"], (json{{"maxStrLength", "50"}}));
  EXPECT_EQ(attr_def["entityTypes"], json::array());

  json rel = {{"name", "r"}, {"endDef1", {{"type", "a"}, {"name", "x"}}}, {"endDef2", {{"type", "b"}, {"name", "y"}}},
              {"propagateTags", nullptr}};
  ASSERT_TRUE(NormalizeTypeDef("relationshipDefs", rel).ok());
  EXPECT_EQ(rel["relationshipCategory"], "ASSOCIATION");
  EXPECT_EQ(rel["propagateTags"], "NONE");
  EXPECT_EQ(rel["endDef1"]["cardinality"], "SINGLE");
  EXPECT_EQ(rel["endDef2"]["isContainer"], false);
}

TEST(TypedefShape, ShapesNoClientSendsAreRefused) {
  auto refused = [](const char* list, json def) {
    Status s = NormalizeTypeDef(list, def);
    return !s.ok() && s.code() == StatusCode::kInvalidArgument && !s.atlas_code().empty();
  };
  EXPECT_TRUE(refused("entityDefs", {{"name", ""}}));
  EXPECT_TRUE(refused("entityDefs", {{"name", "t"}, {"attributeDefs", {{"x", 1}}}}));
  EXPECT_TRUE(refused("entityDefs", {{"name", "t"}, {"superTypes", "DataSet"}}));
  EXPECT_TRUE(refused("entityDefs", {{"name", "t"}, {"description", {{"nested", true}}}}));
  EXPECT_TRUE(refused("entityDefs", {{"name", "t"}, {"attributeDefs", {{{"name", "a"}, {"typeName", "int"},
                                                                         {"isOptional", "maybe"}}}}}));
  EXPECT_TRUE(refused("entityDefs", {{"name", "t"}, {"attributeDefs", {{{"name", "a"}, {"typeName", "int"}},
                                                                        {{"name", "a"}, {"typeName", "int"}}}}}));
  EXPECT_TRUE(refused("enumDefs", {{"name", "e"}, {"elementDefs", {{{"value", "A"}}, {{"value", "a"}}}}}));
  EXPECT_TRUE(refused("relationshipDefs", {{"name", "r"}, {"endDef1", {{"type", "a"}, {"name", "x"}}}}));
  EXPECT_TRUE(refused("relationshipDefs", {{"name", "r"}, {"endDef1", {{"type", "a"}, {"name", "x"}}},
                                           {"endDef2", {{"type", "b"}, {"name", "y"}}},
                                           {"relationshipCategory", "OWNERSHIP"}}));
}

}  // namespace
}  // namespace meridian::types
