// HiveQL lineage analysis: which tables a script reads and writes, and where
// every written column comes from, in the shape Apache Atlas's Hive hook
// records it.
//
// AnalyzeScript splits a script into statements (`;`), follows `USE db`,
// ignores `SET`, and for each lineage-relevant statement (CREATE TABLE … AS
// SELECT, INSERT INTO/OVERWRITE … SELECT including multi-insert, CREATE VIEW,
// ALTER VIEW … AS) reports input tables and per-output-column lineage. Other
// statements are reported as skipped; statements that cannot be parsed or
// resolved are reported with their line and a reason, never guessed.
//
// Model limits: a view read by a query is treated as a table (its columns are
// the sources; Hive would trace through the view), temporary tables get
// ordinary names, and SELECT TRANSFORM, MERGE and LOAD DATA are reported as
// unsupported.
//
// Thread-safety: the functions are pure; a SchemaProvider must be safe to call
// from the analysing thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::sql {

// A Hive table name; both parts lower-cased.
struct TableName {
  std::string db;
  std::string table;

  std::string ToString() const { return db + "." + table; }
  friend bool operator==(const TableName&, const TableName&) = default;
  friend auto operator<=>(const TableName&, const TableName&) = default;
};

// One base-table column a written column is computed from.
struct ColumnSource {
  TableName table;
  std::string column;  // lower-cased

  friend bool operator==(const ColumnSource&, const ColumnSource&) = default;
};

inline constexpr char kDependencySimple[] = "SIMPLE";          // copied as is
inline constexpr char kDependencyExpression[] = "EXPRESSION";  // computed

struct ColumnLineage {
  std::string output_column;
  std::vector<ColumnSource> sources;  // first-use order, no duplicates; may be empty (literals)
  std::string dependency_type;        // kDependencySimple or kDependencyExpression
  // Rendered expression in terms of the FROM aliases, composed through
  // subqueries and CTEs: lower-case function names, binary operators in
  // parentheses, e.g. `(sum(o.amount) * 1.21)`. Empty for SIMPLE and for
  // columns merged by UNION (as Hive reports them).
  std::string expression;
};

struct TableWrite {
  TableName table;
  // "INSERT" or "INSERT_OVERWRITE"; CTAS and views replace the whole content
  // and report "INSERT_OVERWRITE".
  std::string write_type;
  std::vector<std::string> columns;           // written columns, in table order
  std::vector<std::string> declared_types;    // parallel to columns when the statement declares them, else empty
  std::vector<ColumnLineage> column_lineage;  // one per written column with a source expression
};

inline constexpr char kOpCreateTableAsSelect[] = "CREATETABLE_AS_SELECT";
inline constexpr char kOpQuery[] = "QUERY";
inline constexpr char kOpCreateView[] = "CREATEVIEW";
inline constexpr char kOpAlterViewAs[] = "ALTERVIEW_AS";

struct StatementLineage {
  int line = 0;                   // 1-based line of the statement's first token
  std::string query_text;         // the statement as written, without the trailing `;`
  std::string operation;          // one of the kOp* values
  std::vector<TableName> inputs;  // tables read, sorted, no duplicates
  std::vector<TableWrite> outputs;
};

struct StatementIssue {
  int line = 0;
  std::string query_text;
  std::string reason;  // for parse errors includes "line L, column C"
  // True for statements that parsed but carry no lineage (plain SELECT, DDL,
  // DROP, …); false for statements that could not be parsed or resolved.
  bool skipped_not_lineage = false;
};

struct ScriptResult {
  std::vector<StatementLineage> statements;
  std::vector<StatementIssue> issues;
};

// Supplies table schemas from a catalog.
class SchemaProvider {
 public:
  virtual ~SchemaProvider() = default;
  // Ordered column names of the table (partition keys last), or nullopt if the
  // table is unknown.
  virtual std::optional<std::vector<std::string>> Columns(const TableName& table) const = 0;
};

// A provider that knows no table: `*` cannot be expanded, but qualified and
// unambiguous columns still resolve.
class EmptySchemaProvider : public SchemaProvider {
 public:
  std::optional<std::vector<std::string>> Columns(const TableName&) const override { return std::nullopt; }
};

// Analyses every statement of `script`. Unqualified table names use
// `default_db` until a `USE` statement changes it. Tables created by earlier
// statements of the script (CTAS, views, CREATE TABLE with columns) are known
// to later ones.
ScriptResult AnalyzeScript(std::string_view script, std::string_view default_db, const SchemaProvider& schemas);

// JSON view of a ScriptResult for API responses:
// {"statements": [{"line", "queryText", "operation", "inputs": ["db.t"],
//   "outputs": [{"table", "writeType", "columns", "columnLineage": [{"column",
//   "sources": ["db.t.c"], "dependencyType", "expression"}]}]}],
//  "issues": [{"line", "queryText", "reason", "skipped"}]}
nlohmann::json ScriptResultToJson(const ScriptResult& result);

struct EntityContext {
  std::string cluster = "primary";  // metadata namespace used in qualifiedNames
  std::string user = "hive";
  std::string host_name = "localhost";  // hive_process_execution.hostName
  int64_t now_ms = 0;                   // start/end time and create time of new tables
  // Create time (ms) of an existing table, from the catalog; nullopt if unknown.
  std::function<std::optional<int64_t>(const TableName&)> table_create_time;
  // Hive type text of an existing column; nullopt if unknown.
  std::function<std::optional<std::string>(const TableName&, const std::string& column)> column_type;
};

// Atlas entities for one statement as a `POST /api/atlas/v2/entity/bulk` body
// ({"entities": [...]}): the hive_process, one hive_process_execution, one
// hive_column_lineage per output column with at least one source, and for
// CTAS / CREATE VIEW / ALTER VIEW AS the target hive_table with its
// hive_column entities. Entities created in the request are referenced with
// placeholder guids ("-1", "-2", …); existing ones by uniqueAttributes.
// Column lineage qualifiedNames are `<process qn>:<column>`; when several
// outputs of a multi-insert share a column name, `<db>.<table>.<column>` is
// used instead so that they stay distinct.
nlohmann::json BuildAtlasEntities(const StatementLineage& statement, const EntityContext& context);

// The hive_process qualifiedName the Hive hook builds for `statement`.
std::string ProcessQualifiedName(const StatementLineage& statement, const EntityContext& context);

}  // namespace meridian::sql
