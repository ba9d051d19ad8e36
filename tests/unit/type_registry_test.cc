#include <gtest/gtest.h>

#include "meridian/types/type_registry.h"

namespace meridian::types {
namespace {

std::shared_ptr<const TypeRegistry> Builtins() {
  auto r = TypeRegistry::Build(BuiltinModelDocs());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

TEST(TypeRegistry, BuiltinHiveModelResolves) {
  auto reg = Builtins();
  const TypeDef* table = reg->FindEntity("hive_table");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->IsA("DataSet"));
  EXPECT_TRUE(table->IsA("Referenceable"));
  ASSERT_NE(table->FindAttribute("qualifiedName"), nullptr);
  EXPECT_TRUE(table->FindAttribute("qualifiedName")->is_unique);
  EXPECT_FALSE(table->FindAttribute("name")->is_optional);
  EXPECT_EQ(table->FindAttribute("parameters")->value_type.kind, ValueType::Kind::kMap);
  // Relationship attributes, both directions.
  const RelationshipEnd* db = table->FindRelationshipEnd("db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->relationship, "hive_table_db");
  EXPECT_FALSE(db->multi);
  EXPECT_EQ(db->other_name, "tables");
  const RelationshipEnd* cols = table->FindRelationshipEnd("columns");
  ASSERT_NE(cols, nullptr);
  EXPECT_TRUE(cols->is_container);
  EXPECT_EQ(cols->category, "COMPOSITION");
  EXPECT_NE(table->FindRelationshipEnd("inputToProcesses"), nullptr);
  // hive_column.table is shared by two relationship defs.
  const TypeDef* column = reg->FindEntity("hive_column");
  EXPECT_EQ(column->FindRelationshipEnd("table", "hive_table_partitionkeys")->relationship, "hive_table_partitionkeys");
  EXPECT_EQ(column->FindAttribute("table"), nullptr);  // served by the relationship
  // The misspelt attribute clients rely on.
  EXPECT_NE(reg->FindEntity("hive_column_lineage")->FindAttribute("depenendencyType"), nullptr);
  // Patches applied: position on hive_column, display text option on executions.
  EXPECT_NE(column->FindAttribute("position"), nullptr);
  EXPECT_EQ(reg->Find("hive_process_execution")->json["options"]["displayTextAttribute"], "queryText");
  EXPECT_EQ(reg->Find("hive_table")->json["serviceType"], "hive");
  for (const char* t : {"hdfs_path", "aws_s3_v2_directory", "aws_s3_v2_bucket", "fs_path", "hive_process",
                        "hive_storagedesc", "hive_process_execution", "AtlasGlossaryTerm"})
    EXPECT_NE(reg->FindEntity(t), nullptr) << t;
}

TEST(TypeRegistry, SubTypesAreTransitive) {
  auto reg = Builtins();
  auto subs = reg->SelfAndSubTypes("DataSet");
  EXPECT_NE(std::find(subs.begin(), subs.end(), "hive_table"), subs.end());
  EXPECT_NE(std::find(subs.begin(), subs.end(), "hdfs_path"), subs.end());
  EXPECT_EQ(std::find(subs.begin(), subs.end(), "hive_process"), subs.end());
}

TEST(TypeRegistry, RejectsUnknownSuperTypeAndAttributeType) {
  nlohmann::json doc = {{"entityDefs", {{{"name", "a"}, {"superTypes", {"missing"}}}}}};
  EXPECT_FALSE(TypeRegistry::Build({doc}).ok());
  nlohmann::json doc2 = {{"entityDefs", {{{"name", "b"}, {"attributeDefs", {{{"name", "x"}, {"typeName", "nope"}}}}}}}};
  auto r = TypeRegistry::Build({doc2});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
  nlohmann::json cyc = {{"entityDefs", {{{"name", "c"}, {"superTypes", {"d"}}}, {{"name", "d"}, {"superTypes", {"c"}}}}}};
  EXPECT_FALSE(TypeRegistry::Build({cyc}).ok());
}

TEST(ValueTypeParser, Containers) {
  auto v = ParseValueType("map<string,array<int>>");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind, ValueType::Kind::kMap);
  EXPECT_EQ(v->element->kind, ValueType::Kind::kArray);
  EXPECT_EQ(v->element->element->name, "int");
  EXPECT_FALSE(ParseValueType("map<string>").ok());
  EXPECT_FALSE(ParseValueType("").ok());
}

}  // namespace
}  // namespace meridian::types
