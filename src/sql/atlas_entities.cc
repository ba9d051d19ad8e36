// Atlas entities for one analysed statement, shaped like the Hive hook's.

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "lexer.h"
#include "meridian/sql/hive_lineage.h"

namespace meridian::sql {
namespace {

using nlohmann::json;

std::string TableQn(const TableName& t, const EntityContext& ctx) { return t.db + "." + t.table + "@" + ctx.cluster; }

std::string ColumnQn(const TableName& t, const std::string& column, const EntityContext& ctx) {
  return t.db + "." + t.table + "." + column + "@" + ctx.cluster;
}

json UniqueRef(const std::string& type, const std::string& qn, const char* relationship = nullptr) {
  json ref = {{"typeName", type}, {"uniqueAttributes", {{"qualifiedName", qn}}}};
  if (relationship != nullptr) ref["relationshipType"] = relationship;
  return ref;
}

json GuidRef(const std::string& type, const std::string& guid, const char* relationship) {
  return {{"guid", guid}, {"typeName", type}, {"relationshipType", relationship}};
}

bool CreatesTarget(const StatementLineage& st) {
  return st.operation == kOpCreateTableAsSelect || st.operation == kOpCreateView || st.operation == kOpAlterViewAs;
}

std::optional<int64_t> CreateTime(const TableName& t, const EntityContext& ctx) {
  if (ctx.table_create_time) return ctx.table_create_time(t);
  return std::nullopt;
}

// The hook orders entities by their Hive name `db@table`.
std::vector<TableName> SortedUnique(std::vector<TableName> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const TableName& a, const TableName& b) { return a.db + "@" + a.table < b.db + "@" + b.table; });
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  return tables;
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string ProcessQualifiedName(const StatementLineage& st, const EntityContext& ctx) {
  if (CreatesTarget(st)) {
    std::vector<TableName> outs;
    for (const auto& w : st.outputs) outs.push_back(w.table);
    outs = SortedUnique(outs);
    if (outs.empty()) return {};
    return TableQn(outs[0], ctx) + ":" + std::to_string(CreateTime(outs[0], ctx).value_or(ctx.now_ms));
  }
  std::string qn = st.operation;
  auto append = [&](const TableName& t) {
    qn += ":" + TableQn(t, ctx);
    auto ct = CreateTime(t, ctx);
    if (ct && *ct != 0) qn += ":" + std::to_string(*ct);
  };
  for (const auto& t : SortedUnique(st.inputs)) append(t);
  qn += "->";
  std::map<TableName, std::string> write_type;
  std::vector<TableName> outs;
  for (const auto& w : st.outputs) {
    outs.push_back(w.table);
    write_type.emplace(w.table, w.write_type);
  }
  for (const auto& t : SortedUnique(outs)) {
    if (st.operation == kOpQuery) qn += ":" + write_type[t];
    append(t);
  }
  return qn;
}

json BuildAtlasEntities(const StatementLineage& st, const EntityContext& ctx) {
  json entities = json::array();
  int next_guid = 0;
  auto new_guid = [&] { return std::to_string(--next_guid); };
  const std::string process_qn = ProcessQualifiedName(st, ctx);
  const bool creates = CreatesTarget(st);
  const std::string process_guid = new_guid();

  // Target tables and columns the request creates: table qn -> guid, column qn -> guid.
  std::map<std::string, std::string> table_guid, column_guid;
  if (creates) {
    for (const auto& w : st.outputs) {
      const std::string tqn = TableQn(w.table, ctx);
      if (table_guid.count(tqn)) continue;
      const std::string tguid = new_guid();
      table_guid[tqn] = tguid;
      const int64_t create_time = CreateTime(w.table, ctx).value_or(ctx.now_ms);
      json columns = json::array();
      std::vector<json> column_entities;
      for (size_t i = 0; i < w.columns.size(); ++i) {
        const std::string& name = w.columns[i];
        std::string type = i < w.declared_types.size() ? w.declared_types[i] : "";
        if (type.empty()) {
          for (const auto& cl : w.column_lineage) {
            if (cl.output_column == name && cl.dependency_type == kDependencySimple && cl.sources.size() == 1 &&
                ctx.column_type) {
              type = ctx.column_type(cl.sources[0].table, cl.sources[0].column).value_or("");
            }
          }
        }
        if (type.empty()) type = "string";
        const std::string cguid = new_guid();
        const std::string cqn = ColumnQn(w.table, name, ctx);
        column_guid[cqn] = cguid;
        columns.push_back(GuidRef("hive_column", cguid, "hive_table_columns"));
        column_entities.push_back(
            {{"typeName", "hive_column"},
             {"guid", cguid},
             {"attributes",
              {{"qualifiedName", cqn}, {"name", name}, {"type", type}, {"position", i}, {"owner", ctx.user}}},
             {"relationshipAttributes", {{"table", GuidRef("hive_table", tguid, "hive_table_columns")}}}});
      }
      const bool view = st.operation != kOpCreateTableAsSelect;
      json table = {
          {"typeName", "hive_table"},
          {"guid", tguid},
          {"attributes",
           {{"qualifiedName", tqn},
            {"name", w.table.table},
            {"owner", ctx.user},
            {"createTime", create_time},
            {"lastAccessTime", create_time},
            {"tableType", view ? "VIRTUAL_VIEW" : "MANAGED_TABLE"},
            {"temporary", false}}},
          {"relationshipAttributes",
           {{"db", UniqueRef("hive_db", w.table.db + "@" + ctx.cluster, "hive_table_db")}, {"columns", columns}}}};
      if (view) table["attributes"]["viewOriginalText"] = st.query_text;
      entities.push_back(std::move(table));
      for (auto& c : column_entities) entities.push_back(std::move(c));
    }
  }

  json inputs = json::array();
  for (const auto& t : SortedUnique(st.inputs)) {
    inputs.push_back(UniqueRef("hive_table", TableQn(t, ctx), "dataset_process_inputs"));
  }
  json outputs = json::array();
  std::vector<TableName> out_tables;
  for (const auto& w : st.outputs) out_tables.push_back(w.table);
  for (const auto& t : SortedUnique(out_tables)) {
    const std::string tqn = TableQn(t, ctx);
    auto it = table_guid.find(tqn);
    outputs.push_back(it != table_guid.end() ? GuidRef("hive_table", it->second, "process_dataset_outputs")
                                             : UniqueRef("hive_table", tqn, "process_dataset_outputs"));
  }
  char query_id[64];
  std::snprintf(query_id, sizeof(query_id), "meridian_%lld_%016llx", static_cast<long long>(ctx.now_ms),
                static_cast<unsigned long long>(Fnv1a(st.query_text)));
  entities.push_back({{"typeName", "hive_process"},
                      {"guid", process_guid},
                      {"attributes",
                       {{"qualifiedName", process_qn},
                        {"name", process_qn},
                        {"operationType", st.operation},
                        {"queryText", st.query_text},
                        {"userName", ctx.user},
                        {"startTime", ctx.now_ms},
                        {"endTime", ctx.now_ms},
                        {"queryId", query_id},
                        {"queryPlan", "Not Supported"},
                        {"recentQueries", json::array({ToLower(st.query_text)})},
                        {"clusterName", ctx.cluster}}},
                      {"relationshipAttributes", {{"inputs", inputs}, {"outputs", outputs}}}});

  const std::string exec_qn = process_qn + ":" + std::to_string(ctx.now_ms) + ":" + std::to_string(ctx.now_ms);
  entities.push_back({{"typeName", "hive_process_execution"},
                      {"guid", new_guid()},
                      {"attributes",
                       {{"qualifiedName", exec_qn},
                        {"name", exec_qn},
                        {"startTime", ctx.now_ms},
                        {"endTime", ctx.now_ms},
                        {"userName", ctx.user},
                        {"queryText", st.query_text},
                        {"queryId", query_id},
                        {"queryPlan", "Not Supported"},
                        {"hostName", ctx.host_name}}},
                      {"relationshipAttributes",
                       {{"process", GuidRef("hive_process", process_guid, "hive_process_process_executions")}}}});

  // Column names that occur in several outputs get the table in their
  // qualifiedName so that they stay distinct.
  std::map<std::string, int> name_count;
  for (const auto& w : st.outputs) {
    for (const auto& cl : w.column_lineage) ++name_count[cl.output_column];
  }
  std::set<std::string> emitted;
  for (const auto& w : st.outputs) {
    for (const auto& cl : w.column_lineage) {
      if (cl.sources.empty()) continue;  // the hook records lineage only for columns with inputs
      std::string suffix = name_count[cl.output_column] > 1 ? w.table.db + "." + w.table.table + "." + cl.output_column
                                                            : cl.output_column;
      const std::string qn = process_qn + ":" + suffix;
      if (!emitted.insert(qn).second) continue;
      json col_inputs = json::array();
      for (const auto& src : cl.sources)
        col_inputs.push_back(UniqueRef("hive_column", ColumnQn(src.table, src.column, ctx)));
      const std::string out_qn = ColumnQn(w.table, cl.output_column, ctx);
      auto it = column_guid.find(out_qn);
      json out_ref = it != column_guid.end() ? json{{"guid", it->second}, {"typeName", "hive_column"}}
                                             : UniqueRef("hive_column", out_qn);
      json attrs = {{"qualifiedName", qn}, {"name", qn}, {"depenendencyType", cl.dependency_type}};
      if (!cl.expression.empty()) attrs["expression"] = cl.expression;
      entities.push_back({{"typeName", "hive_column_lineage"},
                          {"guid", new_guid()},
                          {"attributes", attrs},
                          {"relationshipAttributes",
                           {{"inputs", col_inputs},
                            {"outputs", json::array({out_ref})},
                            {"query", GuidRef("hive_process", process_guid, "hive_process_column_lineage")}}}});
    }
  }
  return {{"entities", entities}};
}

json ScriptResultToJson(const ScriptResult& result) {
  json statements = json::array();
  for (const auto& st : result.statements) {
    json inputs = json::array();
    for (const auto& t : st.inputs) inputs.push_back(t.ToString());
    json outputs = json::array();
    for (const auto& w : st.outputs) {
      json lineage = json::array();
      for (const auto& cl : w.column_lineage) {
        json sources = json::array();
        for (const auto& s : cl.sources) sources.push_back(s.table.ToString() + "." + s.column);
        lineage.push_back({{"column", cl.output_column},
                           {"sources", sources},
                           {"dependencyType", cl.dependency_type},
                           {"expression", cl.expression}});
      }
      outputs.push_back({{"table", w.table.ToString()},
                         {"writeType", w.write_type},
                         {"columns", w.columns},
                         {"columnLineage", lineage}});
    }
    statements.push_back({{"line", st.line},
                          {"queryText", st.query_text},
                          {"operation", st.operation},
                          {"inputs", inputs},
                          {"outputs", outputs}});
  }
  json issues = json::array();
  for (const auto& i : result.issues) {
    issues.push_back(
        {{"line", i.line}, {"queryText", i.query_text}, {"reason", i.reason}, {"skipped", i.skipped_not_lineage}});
  }
  return {{"statements", statements}, {"issues", issues}};
}

}  // namespace meridian::sql
