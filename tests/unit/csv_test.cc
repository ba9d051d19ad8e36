// CSV as the import templates and search-result downloads use it.
#include <gtest/gtest.h>

#include "meridian/catalog/csv.h"

namespace meridian::catalog::csv {
namespace {

TEST(Csv, ParsesQuotedFieldsAcrossLinesAndSkipsBlankLines) {
  auto rows = Parse("a, \"b, c\" ,\"say \"\"hi\"\"\"\r\n\n\"multi\nline\",x\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b, c", "say \"hi\""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"multi\nline", "x"}));
}

TEST(Csv, SplitsListCells) {
  EXPECT_EQ(SplitList(" a | b ||c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(Csv, RowsQuoteEveryFieldAndDefuseFormulas) {
  EXPECT_EQ(Row({"plain", "with \"quote\"", "a,b"}), "\"plain\",\"with \"\"quote\"\"\",\"a,b\"\r\n");
  EXPECT_EQ(Row({"=HYPERLINK(\"x\")", "-2+3", "@SUM(A1)", "ok=1"}),
            "\"'=HYPERLINK(\"\"x\"\")\",\"'-2+3\",\"'@SUM(A1)\",\"ok=1\"\r\n");
  EXPECT_EQ(Row({"-2", "+1.5"}), "\"-2\",\"+1.5\"\r\n");  // numbers stay numbers
  // What Row writes, Parse reads back (the defused prefix stays).
  EXPECT_EQ(Parse(Row({"x\ny", "q\"q"}))[0], (std::vector<std::string>{"x\ny", "q\"q"}));
}

}  // namespace
}  // namespace meridian::catalog::csv
