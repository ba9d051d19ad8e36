// Parser: tree shape, offsets and error messages.
#include <gtest/gtest.h>

#include <string>

#include "meridian/dsl/dsl.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::dsl {
namespace {

std::string ParseError(const std::string& query) {
  Result<Query> q = Parse(query);
  if (q.ok()) return "ok";
  EXPECT_EQ(q.status().atlas_code(), atlas_code::kInvalidDslQuery);
  return q.status().message();
}

TEST(Parser, FromWhereSelectOrderLimit) {
  Result<Query> q = Parse(
      "from hive_table as t where t.owner = \"etl\" and db.name like 'a*' "
      "select t.name as Table, count() orderby name desc limit 10 offset 5");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->sources.size(), 1u);
  const Source& s = q->sources[0];
  EXPECT_TRUE(s.has_name);
  EXPECT_EQ(s.name, "hive_table");
  EXPECT_EQ(s.alias, "t");
  ASSERT_NE(s.condition, nullptr);
  EXPECT_EQ(s.condition->kind, ExprKind::kLogical);
  ASSERT_EQ(s.condition->children.size(), 2u);
  EXPECT_EQ(s.condition->logical_ops[0], LogicalOp::kAnd);
  const Expr& cmp = *s.condition->children[0];
  EXPECT_EQ(cmp.kind, ExprKind::kComparison);
  EXPECT_EQ(cmp.offset, 27u);
  EXPECT_EQ(cmp.children[0]->text, "t.owner");
  EXPECT_EQ(cmp.children[1]->text, "etl");
  EXPECT_TRUE(cmp.children[1]->quoted);
  EXPECT_EQ(s.condition->children[1]->compare_op, CompareOp::kLike);
  ASSERT_EQ(q->select.size(), 2u);
  EXPECT_EQ(q->select[0].label, "Table");
  EXPECT_EQ(q->select[1].label, "count()");
  ASSERT_TRUE(q->order_by.has_value());
  EXPECT_TRUE(q->order_by->descending);
  EXPECT_EQ(q->limit, 10);
  EXPECT_EQ(q->offset, 5);
}

TEST(Parser, AndOrHaveEqualPrecedenceLeftToRight) {
  Result<Query> q = Parse("hive_table where a = 1 or b = 2 and c = 3");
  ASSERT_TRUE(q.ok());
  const Expr& e = *q->sources[0].condition;
  ASSERT_EQ(e.kind, ExprKind::kLogical);
  ASSERT_EQ(e.logical_ops.size(), 2u);
  EXPECT_EQ(e.logical_ops[0], LogicalOp::kOr);
  EXPECT_EQ(e.logical_ops[1], LogicalOp::kAnd);
}

TEST(Parser, SourcesWithoutWhere) {
  Result<Query> q = Parse("hive_table name = \"orders\"");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->sources.size(), 2u);
  EXPECT_TRUE(q->sources[0].has_name);
  EXPECT_FALSE(q->sources[1].has_name);
  EXPECT_EQ(q->sources[1].condition->kind, ExprKind::kComparison);

  q = Parse("hive_table isa PII");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->sources.size(), 1u);
  EXPECT_EQ(q->sources[0].condition->kind, ExprKind::kIsA);
  EXPECT_EQ(q->sources[0].condition->text, "PII");

  q = Parse("`Log Data`");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->sources[0].name, "Log Data");
}

TEST(Parser, KeywordsAreCaseInsensitiveAndWordOperatorsAlias) {
  Result<Query> q = Parse("FROM hive_column WHERE position GTE 3 SELECT name ORDERBY name ASC");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->sources[0].condition->compare_op, CompareOp::kGte);
}

TEST(Parser, LiteralsAndLists) {
  Result<Query> q = Parse(
      "t where a = [\"x\", 'y', z, 3] and b = -3 and c = 1e3 and d = 3.5 "
      "and e = true /* comment */ -- trailing comment");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Expr& e = *q->sources[0].condition;
  EXPECT_EQ(e.children[0]->children[1]->kind, ExprKind::kList);
  EXPECT_EQ(e.children[0]->children[1]->children.size(), 4u);
  EXPECT_EQ(e.children[1]->children[1]->value, -3);
  EXPECT_EQ(e.children[2]->children[1]->value, 1000.0);
  EXPECT_EQ(e.children[3]->children[1]->value, 3.5);
  EXPECT_EQ(e.children[4]->children[1]->value, true);
}

TEST(Parser, IdentifiersMayContainKeywords) {
  Result<Query> q =
      Parse("hive_table where order_limit = 1 and is_active = true and db.select = 2");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
}

TEST(Parser, ErrorMessagesGivePositionAndExpectation) {
  EXPECT_EQ(ParseError("from hive_table where name ="),
            "Invalid DSL query: at position 29: expected a value after '=' but found end of query");
  EXPECT_EQ(ParseError(""),
            "Invalid DSL query: at position 1: expected a type name or a condition but found end "
            "of query");
  EXPECT_EQ(ParseError("hive_table where"),
            "Invalid DSL query: at position 17: expected a condition after 'where' but found end "
            "of query");
  EXPECT_EQ(ParseError("hive_table where name = 'x"),
            "Invalid DSL query: at position 25: unterminated quoted text: missing closing '");
  EXPECT_EQ(ParseError("hive_table limit x"),
            "Invalid DSL query: at position 18: expected a number after 'limit' but found 'x'");
  EXPECT_EQ(ParseError("hive_table select"),
            "Invalid DSL query: at position 18: expected an attribute name or aggregate in "
            "'select' but found end of query");
  EXPECT_EQ(ParseError("hive_table where (name = 'a'"),
            "Invalid DSL query: at position 29: expected ')' but found end of query");
  EXPECT_EQ(ParseError("hive_table where name = 'a' limit 1 select name"),
            "Invalid DSL query: at position 37: expected 'offset' or end of query but found "
            "keyword 'select'");
  EXPECT_EQ(ParseError("hive_table # x"),
            "Invalid DSL query: at position 12: unexpected character '#'");
  EXPECT_EQ(ParseError("hive_table where name isa"),
            "Invalid DSL query: at position 26: expected a classification name after 'isa' but "
            "found end of query");
  EXPECT_EQ(ParseError("hive_table select max()"),
            "Invalid DSL query: at position 23: expected an attribute name inside 'max()' but "
            "found ')'");
  EXPECT_EQ(ParseError("hive_table groupby owner"),
            "Invalid DSL query: at position 20: expected '(' after 'groupby' but found 'owner'");
  EXPECT_EQ(ParseError("hive_table offset 3"),
            "Invalid DSL query: at position 12: expected a condition, 'groupby', 'select', "
            "'orderby', 'limit' or end of query but found keyword 'offset'");
  EXPECT_EQ(ParseError("hive_table where a = [1,"),
            "Invalid DSL query: at position 25: expected a value in the list but found end of "
            "query");
  EXPECT_EQ(ParseError("hive_table /* open"),
            "Invalid DSL query: at position 12: unterminated comment");
  EXPECT_EQ(ParseError("hive_table where a ! 3"),
            "Invalid DSL query: at position 20: unexpected character '!' (did you mean '!=')");
}

TEST(Parser, NestingDepthIsBounded) {
  std::string deep = "hive_table where ";
  for (int i = 0; i < 70; ++i) deep += "(";
  deep += "name = 'x'";
  for (int i = 0; i < 70; ++i) deep += ")";
  std::string message = ParseError(deep);
  EXPECT_NE(message.find("expression nested too deeply"), std::string::npos) << message;

  std::string ok = "hive_table where ";
  for (int i = 0; i < 20; ++i) ok += "(";
  ok += "name = 'x'";
  for (int i = 0; i < 20; ++i) ok += ")";
  EXPECT_EQ(ParseError(ok), "ok");

  std::string nots = "hive_table where ";
  for (int i = 0; i < 100; ++i) nots += "not ";
  nots += "name = 'x'";
  EXPECT_NE(ParseError(nots).find("nested too deeply"), std::string::npos);

  std::string sums = "hive_table where position = 1";
  for (int i = 0; i < 100; ++i) sums += " + 1";
  EXPECT_NE(ParseError(sums).find("nested too deeply"), std::string::npos);

  std::string flat = "hive_table where name = 'x'";
  for (int i = 0; i < 500; ++i) flat += " or name = 'y'";
  EXPECT_EQ(ParseError(flat), "ok");
}

}  // namespace
}  // namespace meridian::dsl
