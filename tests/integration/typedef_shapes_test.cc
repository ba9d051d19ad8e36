// Every typedef shape Atlas's clients send (nulls for unset fields, empty lists,
// fields left out) is accepted where Atlas accepts it and reads back through every
// typedef GET and the web UI's start-up calls, before and after a restart.
#include <gtest/gtest.h>

#include "test_server.h"

namespace meridian::testing {
namespace {

using nlohmann::json;

// What the Python client sends for a def it built with only a name: every field null.
json NullBase(const std::string& name, const std::string& category) {
  return {{"category", category}, {"guid", nullptr}, {"createdBy", nullptr}, {"updatedBy", nullptr},
          {"createTime", nullptr}, {"updateTime", nullptr}, {"version", nullptr}, {"name", name},
          {"description", nullptr}, {"typeVersion", nullptr}, {"serviceType", nullptr}, {"options", nullptr}};
}

json NullAttr(const std::string& name, const std::string& type) {
  return {{"name", name}, {"typeName", type}, {"isOptional", true}, {"cardinality", nullptr},
          {"valuesMinCount", nullptr}, {"valuesMaxCount", nullptr}, {"isUnique", nullptr}, {"isIndexable", nullptr},
          {"includeInNotification", nullptr}, {"defaultValue", nullptr}, {"description", nullptr},
          {"searchWeight", -1}, {"indexType", nullptr}, {"constraints", nullptr}, {"options", nullptr},
          {"displayName", nullptr}};
}

json Shapes() {
  json e_null = NullBase("shape_enum_null", "ENUM");
  e_null["elementDefs"] = {{{"value", "A"}, {"description", nullptr}, {"ordinal", nullptr}}};
  e_null["defaultValue"] = nullptr;
  json s_null = NullBase("shape_struct_null", "STRUCT");
  s_null["attributeDefs"] = nullptr;
  json s_attr = NullBase("shape_struct_attr", "STRUCT");
  s_attr["attributeDefs"] = {NullAttr("a", "string"), nullptr};
  json c_null = NullBase("shape_class_null", "CLASSIFICATION");
  for (const char* k : {"attributeDefs", "superTypes", "entityTypes", "subTypes"}) c_null[k] = nullptr;
  json c_empty = {{"name", "shape_class_empty"}, {"attributeDefs", json::array()}, {"superTypes", json::array()},
                  {"entityTypes", json::array()}};
  json c_sub = {{"name", "shape_class_sub"}, {"superTypes", {"shape_class_null"}}, {"entityTypes", {"DataSet"}},
                {"attributeDefs", {NullAttr("level", "shape_enum_null")}}};
  json ent_null = NullBase("shape_entity_null", "ENTITY");
  for (const char* k : {"attributeDefs", "superTypes", "subTypes", "relationshipAttributeDefs", "businessAttributeDefs"})
    ent_null[k] = nullptr;
  json ent_missing = {{"name", "shape_entity_missing"}};
  json ent_full = NullBase("shape_entity_full", "ENTITY");
  ent_full["superTypes"] = {"DataSet"};
  ent_full["attributeDefs"] = {NullAttr("s", "shape_struct_attr"), NullAttr("e", "shape_enum_null")};
  ent_full["subTypes"] = nullptr;
  json rel = NullBase("shape_rel", "RELATIONSHIP");
  rel["attributeDefs"] = nullptr;  // as the sample app's relationship defs
  rel["relationshipCategory"] = "AGGREGATION";
  rel["relationshipLabel"] = nullptr;
  rel["propagateTags"] = nullptr;
  rel["endDef1"] = {{"type", "shape_entity_full"}, {"name", "owner"}, {"isContainer", false}, {"cardinality", "SINGLE"},
                    {"isLegacyAttribute", nullptr}, {"description", nullptr}};
  rel["endDef2"] = {{"type", "shape_entity_null"}, {"name", "owned"}, {"isContainer", true}, {"cardinality", "SET"},
                    {"isLegacyAttribute", false}};
  json bm = NullBase("shape_bm", "BUSINESS_METADATA");
  json bm_attr = NullAttr("team", "string");
  bm_attr["options"] = {{"applicableEntityTypes", "[\"shape_entity_full\"]"}, {"maxStrLength", 50}};
  bm["attributeDefs"] = {bm_attr};
  return {{"enumDefs", {e_null}},
          {"structDefs", {s_null, s_attr}},
          {"classificationDefs", {c_null, c_empty, c_sub}},
          {"entityDefs", {ent_null, ent_missing, ent_full}},
          {"relationshipDefs", {rel}},
          {"businessMetadataDefs", {bm}},
          {"unknownDefs", nullptr}};
}

const std::map<std::string, std::string> kCategoryPath = {
    {"enumDefs", "enumdef"}, {"structDefs", "structdef"}, {"classificationDefs", "classificationdef"},
    {"entityDefs", "entitydef"}, {"relationshipDefs", "relationshipdef"},
    {"businessMetadataDefs", "businessmetadatadef"}};

// No null anywhere in what a reader gets.
void ExpectNoNulls(const json& j, const std::string& where) {
  if (j.is_null()) ADD_FAILURE() << "null at " << where;
  if (j.is_object())
    for (auto& [k, v] : j.items()) ExpectNoNulls(v, where + "." + k);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) ExpectNoNulls(j[i], where + "[" + std::to_string(i) + "]");
}

void ExpectAllShapesRead(const TestServer& server) {
  const json shapes = Shapes();
  // The web UI starts with the session, all typedefs and the metrics.
  EXPECT_EQ(server.Get("/api/atlas/admin/session").status, 200);
  HttpResult all = server.Get("/api/atlas/v2/types/typedefs");
  ASSERT_EQ(all.status, 200) << all.body;
  HttpResult headers = server.Get("/api/atlas/v2/types/typedefs/headers");
  ASSERT_EQ(headers.status, 200) << headers.body;
  const json all_defs = all.Json(), all_headers = headers.Json();
  EXPECT_EQ(server.Get("/api/atlas/admin/metrics").status, 200);
  for (const auto& [list, path] : kCategoryPath) {
    for (const json& def : shapes[list]) {
      const std::string name = def["name"];
      SCOPED_TRACE(name);
      bool listed = false;
      for (const json& d : all_defs[list]) listed = listed || d["name"] == name;
      EXPECT_TRUE(listed);
      bool in_headers = false;
      for (const json& h : all_headers) in_headers = in_headers || h["name"] == name;
      EXPECT_TRUE(in_headers);
      HttpResult by_name = server.Get("/api/atlas/v2/types/typedef/name/" + name);
      ASSERT_EQ(by_name.status, 200) << by_name.body;
      json got = by_name.Json();
      ExpectNoNulls(got, name);
      if (list != "enumDefs") EXPECT_TRUE(got["attributeDefs"].is_array());
      const std::string guid = got["guid"];
      EXPECT_EQ(server.Get("/api/atlas/v2/types/typedef/guid/" + guid).status, 200);
      EXPECT_EQ(server.Get("/api/atlas/v2/types/" + path + "/name/" + name).Json()["name"], name);
      EXPECT_EQ(server.Get("/api/atlas/v2/types/" + path + "/guid/" + guid).Json()["name"], name);
    }
  }
  for (const char* type : {"entity", "classification", "struct", "enum", "relationship", "business_metadata"}) {
    EXPECT_EQ(server.Get(std::string("/api/atlas/v2/types/typedefs?type=") + type).status, 200);
    EXPECT_EQ(server.Get(std::string("/api/atlas/v2/types/typedefs/headers?type=") + type).status, 200);
  }
}

TEST(TypedefShapes, EveryClientShapeReadsBackThroughEveryTypedefGet) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  HttpResult created = server.Post("/api/atlas/v2/types/typedefs", Shapes());
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Json()["entityDefs"].size(), 3u);
  ExpectAllShapesRead(server);

  json got = server.Get("/api/atlas/v2/types/entitydef/name/shape_entity_null").Json();
  EXPECT_EQ(got["superTypes"], json::array());
  EXPECT_EQ(got["attributeDefs"], json::array());
  json owned;
  for (const json& a : got["relationshipAttributeDefs"])
    if (a["name"] == "owned") owned = a;
  EXPECT_EQ(owned.value("relationshipTypeName", ""), "shape_rel");
  // Atlas's attribute defaults fill what the client left null.
  json attr = server.Get("/api/atlas/v2/types/structdef/name/shape_struct_attr").Json()["attributeDefs"][0];
  EXPECT_EQ(attr["cardinality"], "SINGLE");
  EXPECT_EQ(attr["isUnique"], false);
  EXPECT_EQ(attr["isIndexable"], false);
  // Options are a map of strings in Atlas.
  json bm = server.Get("/api/atlas/v2/types/businessmetadatadef/name/shape_bm").Json();
  EXPECT_EQ(bm["attributeDefs"][0]["options"]["maxStrLength"], "50");

  // The same request again: everything exists, so Atlas refuses the duplicates...
  HttpResult dup = server.Post("/api/atlas/v2/types/typedefs", Shapes());
  EXPECT_EQ(dup.status, 409) << dup.body;
  // ...and a request with nothing left to create (what the sample app sends on its second run) answers 200.
  json nothing = {{"enumDefs", json::array()}, {"structDefs", json::array()}, {"classificationDefs", json::array()},
                  {"entityDefs", json::array()}, {"relationshipDefs", json::array()},
                  {"businessMetadataDefs", json::array()}};
  HttpResult empty = server.Post("/api/atlas/v2/types/typedefs", nothing);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json(), nothing);
  EXPECT_EQ(server.Put("/api/atlas/v2/types/typedefs", nothing).status, 200);

  // A def read back and sent again unchanged (computed fields included) is a valid update.
  json entity = server.Get("/api/atlas/v2/types/entitydef/name/shape_entity_full").Json();
  entity["description"] = "changed";
  HttpResult put = server.Put("/api/atlas/v2/types/typedefs", {{"entityDefs", {entity}}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(server.Get("/api/atlas/v2/types/entitydef/name/shape_entity_full").Json()["description"], "changed");

  server.Stop();
  ASSERT_TRUE(server.Start());
  ExpectAllShapesRead(server);
}

TEST(TypedefShapes, ShapesNoClientCanSendAreRefusedWithAtlasErrors) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  auto expect_400 = [&](const json& body) {
    HttpResult r = server.Post("/api/atlas/v2/types/typedefs", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " -> " << r.body;
    EXPECT_FALSE(r.Json().value("errorCode", "").empty()) << r.body;
  };
  expect_400({{"entityDefs", {{{"name", "bad1"}, {"attributeDefs", "x"}}}}});
  expect_400({{"entityDefs", {{{"name", "bad2"}, {"superTypes", {1}}}}}});
  expect_400({{"entityDefs", {{{"name", "bad3"}, {"attributeDefs", {{{"name", "a"}}}}}}}});
  expect_400({{"entityDefs", {{{"name", "bad4"}, {"attributeDefs", {{{"name", "a"}, {"typeName", "string"},
                                                                     {"cardinality", "MANY"}}}}}}}});
  expect_400({{"enumDefs", {{{"name", "bad5"}, {"elementDefs", {{{"value", "A"}}, {{"value", "a"}}}}}}}});
  expect_400({{"relationshipDefs", {{{"name", "bad6"}, {"endDef1", nullptr}}}}});
  expect_400({{"entityDefs", {{{"name", nullptr}}}}});
  // None of them was stored: the listing still works.
  EXPECT_EQ(server.Get("/api/atlas/v2/types/typedefs").status, 200);
  EXPECT_EQ(server.Get("/api/atlas/v2/types/typedef/name/bad1").status, 404);
}

TEST(TypedefShapes, UpdatesFollowAtlasRules) {
  TestServer server;
  ASSERT_TRUE(server.Start());
  json def = {{"name", "upd"}, {"superTypes", {"DataSet"}},
              {"attributeDefs", {{{"name", "a"}, {"typeName", "string"}, {"isOptional", true}}}}};
  ASSERT_EQ(server.Post("/api/atlas/v2/types/typedefs", {{"entityDefs", {def}}}).status, 200);
  json enum_def = {{"name", "upd_enum"}, {"elementDefs", {{{"value", "A"}, {"ordinal", 1}}}}};
  ASSERT_EQ(server.Post("/api/atlas/v2/types/typedefs", {{"enumDefs", {enum_def}}}).status, 200);

  auto put = [&](const json& body) { return server.Put("/api/atlas/v2/types/typedefs", body); };
  json added = def;
  added["attributeDefs"].push_back({{"name", "b"}, {"typeName", "int"}, {"isOptional", true}});
  EXPECT_EQ(put({{"entityDefs", {added}}}).status, 200);
  enum_def["elementDefs"].push_back({{"value", "B"}, {"ordinal", 2}});
  EXPECT_EQ(put({{"enumDefs", {enum_def}}}).status, 200);
  EXPECT_EQ(server.Get("/api/atlas/v2/types/enumdef/name/upd_enum").Json()["elementDefs"].size(), 2u);

  json mandatory = added;
  mandatory["attributeDefs"].push_back({{"name", "c"}, {"typeName", "int"}, {"isOptional", false}});
  HttpResult r = put({{"entityDefs", {mandatory}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-00C") << r.body;
  r = put({{"entityDefs", {def}}});  // drops b
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-00D") << r.body;
  json retyped = added;
  retyped["attributeDefs"][1]["typeName"] = "string";
  r = put({{"entityDefs", {retyped}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-029") << r.body;
  json no_super = added;
  no_super["superTypes"] = json::array();
  r = put({{"entityDefs", {no_super}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["errorCode"], "ATLAS-400-00-00E") << r.body;
}

}  // namespace
}  // namespace meridian::testing
