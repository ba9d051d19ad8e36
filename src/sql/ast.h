// Syntax tree for the HiveQL subset that carries lineage. Names are kept as
// written; the analyzer lower-cases and resolves them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace meridian::sql {

struct Query;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind : unsigned char {
  kColumn,    // path = [qualifier...,] column [, struct fields]
  kStar,      // path = qualifier parts (empty for a bare *)
  kLiteral,   // text = rendered literal
  kFunction,  // text = name; args; distinct; star_arg for count(*); over
  kUnary,     // text = operator; args[0]
  kBinary,    // text = operator; args[0], args[1]
  kCase,      // args = [operand] (when, then)... [else]
  kCast,      // args[0]; text = target type
  kIn,        // args[0] IN (args[1..]) or IN (subquery); negated
  kBetween,   // args = value, low, high; negated
  kIsNull,    // args[0]; negated
  kExists,    // subquery (NOT EXISTS is kUnary NOT over it)
  kSubquery,  // scalar subquery
  kIndex,     // args[0][args[1]]
  kField,     // args[0].text
};

struct WindowSpec {
  std::string base_name;  // OVER w / OVER (w ...) refers to WINDOW w AS (...)
  std::vector<ExprPtr> partition_by;
  std::vector<ExprPtr> order_by;
};

struct Expr {
  ExprKind kind;
  int line = 0;
  int depth = 1;  // height of the subtree, bounded by the parser
  std::vector<std::string> path;
  std::string text;
  std::vector<ExprPtr> args;
  bool distinct = false;
  bool negated = false;
  bool star_arg = false;
  bool case_operand = false;
  bool case_else = false;
  std::unique_ptr<WindowSpec> over;
  std::unique_ptr<Query> subquery;

  explicit Expr(ExprKind k) : kind(k) {}
};

enum class TableRefKind : unsigned char { kTable, kSubquery, kJoin, kLateral };

enum class JoinKind : unsigned char { kInner, kLeft, kRight, kFull, kCross, kLeftSemi, kLeftAnti };

struct TableRef {
  TableRefKind kind;
  int line = 0;
  std::vector<std::string> name;            // kTable: [db,] table
  std::string alias;                        // kTable / kSubquery / kLateral (table alias)
  std::vector<std::string> column_aliases;  // kSubquery t(a, b); kLateral AS a, b
  std::unique_ptr<Query> subquery;
  // kJoin: left, right; kLateral: left is the source the view applies to.
  std::unique_ptr<TableRef> left;
  std::unique_ptr<TableRef> right;
  JoinKind join = JoinKind::kInner;
  ExprPtr on;
  std::vector<std::string> using_columns;
  ExprPtr lateral_function;
  bool lateral_outer = false;

  explicit TableRef(TableRefKind k) : kind(k) {}
};

struct SelectItem {
  ExprPtr expr;
  std::vector<std::string> aliases;  // one alias, or AS (a, b) for table functions
};

struct Select {
  int line = 0;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::unique_ptr<TableRef> from;  // null: no FROM, or the shared FROM of a multi-insert
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<std::pair<std::string, std::unique_ptr<WindowSpec>>> windows;
};

// A SELECT or a parenthesized query; terms of a query are joined by UNION,
// INTERSECT, EXCEPT or MINUS, which all merge column lineage the same way.
struct QueryTerm {
  std::unique_ptr<Select> select;
  std::unique_ptr<Query> nested;
};

struct Cte {
  std::string name;
  std::vector<std::string> columns;
  std::unique_ptr<Query> query;
};

struct Query {
  int line = 0;
  std::vector<Cte> ctes;
  std::vector<QueryTerm> terms;
};

struct ColumnDef {
  std::string name;
  std::string type;  // empty when not declared (views)
};

struct PartitionColumn {
  std::string name;
  bool is_static = false;  // PARTITION (dt = '2024-01-01')
};

struct InsertClause {
  int line = 0;
  std::vector<std::string> target;
  bool overwrite = false;
  std::vector<PartitionColumn> partition;
  std::vector<std::string> columns;  // INSERT INTO t (a, b)
  std::unique_ptr<Query> query;      // null for INSERT … VALUES
};

enum class StatementKind : unsigned char {
  kCreateTableAsSelect,
  kCreateView,
  kAlterViewAs,
  kInsert,       // one or more InsertClauses
  kCreateTable,  // DDL without AS SELECT; remembered for later statements
  kUse,
  kSet,
  kNotLineage,   // parsed or recognised, carries no lineage
  kUnsupported,  // lineage-relevant but not handled (MERGE, …)
};

struct Statement {
  StatementKind kind = StatementKind::kNotLineage;
  std::string reason;                        // kNotLineage / kUnsupported
  std::vector<std::string> target;           // CTAS / views / kCreateTable
  std::vector<ColumnDef> columns;            // declared column list
  std::vector<ColumnDef> partition_columns;  // kCreateTable PARTITIONED BY
  std::unique_ptr<Query> query;              // CTAS / views
  std::vector<Cte> ctes;                     // WITH … INSERT
  std::unique_ptr<TableRef> from;            // FROM … INSERT … (multi-insert)
  std::vector<InsertClause> inserts;
  std::string use_db;
};

}  // namespace meridian::sql
