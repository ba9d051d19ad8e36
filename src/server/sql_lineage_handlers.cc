// POST /api/meridian/v1/lineage/sql: records the lineage of HiveQL statements.
// The analyser (src/sql) knows no catalog; this handler gives it the catalog's
// table schemas and create times, then writes each statement's entities.
#include <functional>

#include "handler_util.h"
#include "routes.h"
#include "meridian/server/api.h"
#include "meridian/sql/hive_lineage.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

namespace {

std::string TableQualifiedName(const sql::TableName& t, const std::string& cluster) {
  return t.db + "." + t.table + "@" + cluster;
}

// Columns (by position) of hive_table db.table@cluster, from the catalog.
class CatalogSchemas : public sql::SchemaProvider {
 public:
  CatalogSchemas(const catalog::Catalog& c, std::string cluster) : catalog_(c), cluster_(std::move(cluster)) {}

  std::optional<std::vector<std::string>> Columns(const sql::TableName& t) const override {
    auto guid = catalog_.FindByUniqueAttribute("hive_table", "qualifiedName", TableQualifiedName(t, cluster_));
    if (!guid.ok()) return std::nullopt;
    std::vector<std::pair<int64_t, std::string>> cols, keys;
    for (const char* attr : {"columns", "partitionKeys"}) {
      for (const auto& e : catalog_.Edges(*guid, attr)) {
        if (!e.active) continue;
        auto rec = catalog_.LoadRecord(e.other);
        if (!rec.ok() || (*rec)["status"] != "ACTIVE") continue;
        const json& a = (*rec)["attributes"];
        (std::string(attr) == "columns" ? cols : keys)
            .emplace_back(a.value("position", int64_t{0}), a.value("name", ""));
      }
    }
    std::sort(cols.begin(), cols.end());
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> out;
    for (auto& [p, n] : cols) out.push_back(n);
    for (auto& [p, n] : keys) out.push_back(n);
    return out;
  }

 private:
  const catalog::Catalog& catalog_;
  std::string cluster_;
};

// A CTAS or view target that the catalog already has (imported from the
// metastore, say) keeps its own attributes and columns: the statement's table
// and column entities are dropped and references to them become unique-attribute
// references.
void KeepExistingTargets(const catalog::Catalog& c, json& body) {
  std::map<std::string, json> replaced;  // placeholder guid -> object id
  json kept = json::array();
  std::vector<std::string> existing_tables;
  for (const json& e : body["entities"]) {
    const std::string type = e.value("typeName", "");
    const std::string qn = e["attributes"].value("qualifiedName", "");
    if (type == "hive_table" && c.FindByUniqueAttribute(type, "qualifiedName", qn).ok()) existing_tables.push_back(qn);
  }
  auto owned_by_existing = [&](const json& e) {
    const std::string type = e.value("typeName", "");
    const std::string qn = e["attributes"].value("qualifiedName", "");
    if (type == "hive_table") return std::find(existing_tables.begin(), existing_tables.end(), qn) != existing_tables.end();
    if (type != "hive_column") return false;
    for (const auto& t : existing_tables) {
      // db.table@ns owns db.table.column@ns
      std::string prefix = t.substr(0, t.find('@')) + ".";
      if (qn.rfind(prefix, 0) == 0 && c.FindByUniqueAttribute(type, "qualifiedName", qn).ok()) return true;
    }
    return false;
  };
  for (const json& e : body["entities"]) {
    if (owned_by_existing(e)) {
      replaced[e.value("guid", "")] = {{"typeName", e["typeName"]},
                                       {"uniqueAttributes", {{"qualifiedName", e["attributes"]["qualifiedName"]}}}};
    } else {
      kept.push_back(e);
    }
  }
  std::function<void(json&)> rewrite = [&](json& j) {
    if (j.is_object()) {
      auto g = j.find("guid");
      if (g != j.end() && g->is_string() && replaced.count(g->get<std::string>())) {
        json ref = replaced[g->get<std::string>()];
        if (j.contains("relationshipType")) ref["relationshipType"] = j["relationshipType"];
        j = std::move(ref);
        return;
      }
      for (auto& [k, v] : j.items()) rewrite(v);
    } else if (j.is_array()) {
      for (json& v : j) rewrite(v);
    }
  };
  for (json& e : kept) {
    if (e.contains("attributes")) rewrite(e["attributes"]);
    if (e.contains("relationshipAttributes")) rewrite(e["relationshipAttributes"]);
  }
  body["entities"] = std::move(kept);
}

HttpResponse RecordSqlLineage(catalog::Catalog& c, HttpRequest& req) {
  const std::string cluster = req.Query("cluster", "primary");
  const std::string default_db = req.Query("defaultDb", "default");
  if (req.body.empty()) return HttpResponse::Error(Status::InvalidArgument("request body must hold HiveQL text", atlas_code::kInvalidParameters));
  CatalogSchemas schemas(c, cluster);
  sql::ScriptResult script = sql::AnalyzeScript(req.body, default_db, schemas);

  sql::EntityContext ctx;
  ctx.cluster = cluster;
  ctx.user = req.Query("user", req.principal.user);
  ctx.now_ms = catalog::NowMillis();
  ctx.table_create_time = [&](const sql::TableName& t) -> std::optional<int64_t> {
    auto guid = c.FindByUniqueAttribute("hive_table", "qualifiedName", TableQualifiedName(t, cluster));
    if (!guid.ok()) return std::nullopt;
    auto rec = c.LoadRecord(*guid);
    if (!rec.ok() || !(*rec)["attributes"].contains("createTime")) return std::nullopt;
    return (*rec)["attributes"]["createTime"].get<int64_t>();
  };
  ctx.column_type = [&](const sql::TableName& t, const std::string& column) -> std::optional<std::string> {
    auto guid = c.FindByUniqueAttribute("hive_column", "qualifiedName", t.db + "." + t.table + "." + column + "@" + cluster);
    if (!guid.ok()) return std::nullopt;
    auto rec = c.LoadRecord(*guid);
    if (!rec.ok()) return std::nullopt;
    return (*rec)["attributes"].value("type", "string");
  };

  json out = {{"statements", json::array()}, {"issues", json::array()}, {"mutatedEntities", json::object()}};
  for (const auto& issue : script.issues)
    out["issues"].push_back({{"line", issue.line}, {"reason", issue.reason}, {"queryText", issue.query_text},
                             {"skipped", issue.skipped_not_lineage}});
  for (const auto& st : script.statements) {
    json body = sql::BuildAtlasEntities(st, ctx);
    KeepExistingTargets(c, body);
    auto m = c.CreateOrUpdate(body["entities"], body.value("referredEntities", json()), req.principal.user);
    if (!m.ok()) {
      out["issues"].push_back({{"line", st.line}, {"reason", m.status().message()}, {"queryText", st.query_text},
                               {"skipped", false}});
      continue;
    }
    const json mutated = m->response.value("mutatedEntities", json::object());
    for (auto& [action, list] : mutated.items())
      for (const json& h : list) out["mutatedEntities"][action].push_back(h);
    json inputs = json::array(), outputs = json::array();
    for (const auto& t : st.inputs) inputs.push_back(TableQualifiedName(t, cluster));
    for (const auto& w : st.outputs) outputs.push_back(TableQualifiedName(w.table, cluster));
    out["statements"].push_back({{"line", st.line}, {"operation", st.operation},
                                 {"processQualifiedName", sql::ProcessQualifiedName(st, ctx)},
                                 {"inputs", inputs}, {"outputs", outputs}});
  }
  return HttpResponse::Json(out);
}

}  // namespace

void RegisterSqlLineageRoutes(Router& r, const Services& s) {
  catalog::Catalog* c = s.catalog;
  r.Add("POST", "/api/meridian/v1/lineage/sql", Access::kWrite, [c](HttpRequest& req) { return RecordSqlLineage(*c, req); });
}

}  // namespace meridian::server
