#include "hive_importer.h"

#include <algorithm>
#include <iomanip>
#include <regex>
#include <set>
#include <sstream>

namespace meridian::importer {
namespace {

using nlohmann::json;

constexpr size_t kMaxColumnsPerRequest = 5000;

bool IsPattern(const std::string& s) {
  return s.find_first_of(".*+?[](){}|^$\\") != std::string::npos;
}

bool MatchesAny(const std::string& name, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return MatchesPattern(name, p); });
}

// "db.table@ns" -> "table" for a table of `db`.
std::string TableNameFromQualifiedName(const std::string& qn, const std::string& db) {
  std::string s = qn.substr(0, qn.rfind('@'));
  if (s.rfind(db + ".", 0) == 0) return s.substr(db.size() + 1);
  return s.substr(s.find('.') + 1);
}

std::string QualifiedNameOf(const json& ref) {
  if (ref.contains("qualifiedName") && ref["qualifiedName"].is_string()) {
    return ref["qualifiedName"].get<std::string>();
  }
  if (ref.contains("uniqueAttributes")) return ref["uniqueAttributes"].value("qualifiedName", "");
  if (ref.contains("attributes")) return ref["attributes"].value("qualifiedName", "");
  return "";
}

void CountFailedTable(const HiveTable& table, ImportSummary* summary) {
  summary->counts["tables"].failed += 1;
  summary->counts["columns"].failed +=
      static_cast<int>(table.sd.cols.size() + table.partition_keys.size());
  summary->counts["other"].failed += 1;
}

}  // namespace

std::string SummaryKind(const std::string& type_name) {
  if (type_name == "hive_db") return "databases";
  if (type_name == "hive_table") return "tables";
  if (type_name == "hive_column") return "columns";
  if (type_name == "hive_process" || type_name == "hive_column_lineage") return "processes";
  return "other";
}

void CountMutations(const json& response, ImportSummary* summary) {
  if (!response.is_object() || !response.contains("mutatedEntities")) return;
  const json* mutated = &response["mutatedEntities"];
  // The lineage endpoint may embed a whole EntityMutationResponse.
  if (mutated->is_object() && mutated->contains("mutatedEntities")) {
    mutated = &(*mutated)["mutatedEntities"];
  }
  if (!mutated->is_object()) return;
  for (const auto& [op, headers] : mutated->items()) {
    if (!headers.is_array()) continue;
    for (const auto& h : headers) {
      EntityCounts& c = summary->counts[SummaryKind(h.value("typeName", ""))];
      if (op == "CREATE") {
        ++c.created;
      } else if (op == "UPDATE" || op == "PARTIAL_UPDATE") {
        ++c.updated;
      } else if (op == "DELETE") {
        ++c.deleted;
      }
    }
  }
}

bool MatchesPattern(const std::string& name, const std::string& pattern) {
  if (!IsPattern(pattern)) return ToLower(name) == ToLower(pattern);
  try {
    return std::regex_match(name, std::regex(pattern, std::regex::icase));
  } catch (const std::regex_error&) {
    return false;
  }
}

std::string ImportSummary::ToString() const {
  std::ostringstream out;
  out << std::left << std::setw(12) << "" << std::right << std::setw(9) << "created"
      << std::setw(9) << "updated" << std::setw(9) << "deleted" << std::setw(9) << "failed\n";
  for (const char* kind : {"databases", "tables", "columns", "processes", "other"}) {
    auto it = counts.find(kind);
    const EntityCounts c = it == counts.end() ? EntityCounts{} : it->second;
    out << std::left << std::setw(12) << kind << std::right << std::setw(9) << c.created
        << std::setw(9) << c.updated << std::setw(9) << c.deleted << std::setw(8) << c.failed
        << "\n";
  }
  return out.str();
}

HiveImporter::HiveImporter(MetastoreClient* metastore, AtlasClient* atlas, ImportOptions options,
                           std::ostream& log, bool terminal)
    : metastore_(metastore),
      atlas_(atlas),
      options_(std::move(options)),
      log_(log),
      terminal_(terminal) {}

ImportSummary HiveImporter::Run() {
  ImportSummary summary;
  if (options_.delete_non_existing) {
    summary.fatal = DeleteNonExisting(&summary);
    return summary;
  }
  std::vector<DbPlan> plans;
  summary.fatal = Plan(&plans, &summary);
  if (!summary.fatal.ok()) return summary;
  size_t total = 0;
  for (const auto& p : plans) total += p.tables.size();
  Progress progress(log_, terminal_, total);
  for (const auto& plan : plans) {
    summary.fatal = ImportDatabase(plan, &progress, &summary);
    if (!summary.fatal.ok()) break;
  }
  progress.Finish();
  return summary;
}

Status HiveImporter::Plan(std::vector<DbPlan>* plans, ImportSummary* summary) {
  std::vector<Selector> selectors = options_.selectors;
  if (selectors.empty()) selectors.push_back({".*", std::nullopt});
  std::optional<std::vector<std::string>> all_dbs;
  std::map<std::string, size_t> index;  // lower-cased db name -> plans index
  std::map<std::string, std::vector<std::string>> patterns;
  std::set<std::string> all_tables;
  for (const auto& sel : selectors) {
    std::vector<std::string> names;
    if (IsPattern(sel.db)) {
      if (!all_dbs) {
        ASSIGN_OR_RETURN(all_dbs, metastore_->GetAllDatabases());
      }
      for (const auto& n : *all_dbs) {
        if (MatchesPattern(n, sel.db)) names.push_back(n);
      }
      if (names.empty()) {
        summary->failures.push_back(options_.selectors.empty()
                                        ? "the metastore has no databases"
                                        : "no database matching '" + sel.db + "' in the metastore");
      }
    } else {
      names.push_back(sel.db);
    }
    for (const auto& name : names) {
      const std::string key = ToLower(name);
      if (!index.count(key)) {
        ASSIGN_OR_RETURN(auto db, metastore_->GetDatabase(name));
        if (!db) {
          summary->failures.push_back("database '" + name + "' not found in the metastore");
          continue;
        }
        index[key] = plans->size();
        plans->push_back({std::move(*db), std::nullopt, {}});
      }
      if (sel.table) {
        patterns[key].push_back(*sel.table);
      } else {
        all_tables.insert(key);
      }
    }
  }
  for (auto& plan : *plans) {
    const std::string key = ToLower(plan.db.name);
    ASSIGN_OR_RETURN(std::vector<std::string> tables, metastore_->GetAllTables(plan.db.name));
    for (const auto& t : tables) {
      if (all_tables.count(key) || MatchesAny(t, patterns[key])) plan.tables.push_back(t);
    }
    for (const auto& p : patterns[key]) {
      if (!all_tables.count(key) && !IsPattern(p) &&
          std::none_of(tables.begin(), tables.end(),
                       [&](const std::string& t) { return MatchesPattern(t, p); })) {
        summary->failures.push_back("table '" + plan.db.name + "." + p +
                                    "' not found in the metastore");
      }
    }
  }
  return Status::Ok();
}

Status HiveImporter::ImportDatabase(const DbPlan& plan, Progress* progress,
                                    ImportSummary* summary) {
  EntityBatch batch;
  batch.Add(MapDatabase(plan.db, options_.mapper, &batch));
  auto response = atlas_->PostBulk(batch.ToRequest());
  if (!response.ok()) {
    if (IsFatal(response.status())) return response.status();
    summary->failures.push_back("database '" + plan.db.name +
                                "' refused by the server: " + response.status().message());
    summary->counts["databases"].failed += 1;
    summary->counts["tables"].failed += static_cast<int>(plan.tables.size());
    for (const auto& t : plan.tables) progress->Step(plan.db.name + "." + t);
    return Status::Ok();
  }
  CountMutations(*response, summary);
  const size_t step = std::max<size_t>(1, options_.tables_per_request);
  for (size_t i = 0; i < plan.tables.size(); i += step) {
    std::vector<std::string> chunk(plan.tables.begin() + i,
                                   plan.tables.begin() + std::min(plan.tables.size(), i + step));
    ASSIGN_OR_RETURN(std::vector<HiveTable> tables, metastore_->GetTables(plan.db.name, chunk));
    // Tables dropped between listing and fetching are simply gone.
    for (size_t gone = tables.size(); gone < chunk.size(); ++gone) progress->Step("");
    // Wide tables get requests of their own to keep request bodies bounded.
    std::vector<HiveTable> group;
    size_t group_columns = 0;
    for (auto& t : tables) {
      const size_t columns = t.sd.cols.size() + t.partition_keys.size();
      if (!group.empty() && group_columns + columns > kMaxColumnsPerRequest) {
        RETURN_IF_ERROR(ImportTables(plan.db, group, progress, summary));
        group.clear();
        group_columns = 0;
      }
      group_columns += columns;
      group.push_back(std::move(t));
    }
    RETURN_IF_ERROR(ImportTables(plan.db, group, progress, summary));
  }
  return Status::Ok();
}

Status HiveImporter::ImportTables(const HiveDatabase& db, const std::vector<HiveTable>& tables,
                                  Progress* progress, ImportSummary* summary) {
  if (tables.empty()) return Status::Ok();
  std::vector<const HiveTable*> all;
  for (const auto& t : tables) all.push_back(&t);
  Status st = SendTables(db, all);
  if (IsFatal(st)) return st;
  std::vector<const HiveTable*> views;
  if (st.ok()) {
    CountMutations(last_response_, summary);
    for (const auto& t : tables) {
      progress->Step(t.db_name + "." + t.table_name);
      if (RecordViewLineage(t, progress, summary)) views.push_back(&t);
    }
    return ReassertViews(db, views, progress, summary);
  }
  // The server refused the batch: find the tables it refuses one by one.
  for (const auto& t : tables) {
    const std::string name = t.db_name + "." + t.table_name;
    Status one = tables.size() == 1 ? st : SendTables(db, {&t});
    if (IsFatal(one)) return one;
    if (one.ok()) {
      CountMutations(last_response_, summary);
      if (RecordViewLineage(t, progress, summary)) views.push_back(&t);
    } else {
      const std::string line = "table '" + name + "' refused by the server: " + one.message();
      summary->failures.push_back(line);
      progress->Message("error: " + line);
      CountFailedTable(t, summary);
    }
    progress->Step(name);
  }
  return ReassertViews(db, views, progress, summary);
}

Status HiveImporter::ReassertViews(const HiveDatabase& db, const std::vector<const HiveTable*>& views,
                                   Progress* progress, ImportSummary* summary) {
  if (views.empty()) return Status::Ok();
  // Not counted: it restores what this run has just written.
  Status st = SendTables(db, views);
  if (st.ok() || IsFatal(st)) return st;
  const std::string line = "views of '" + db.name + "' not restored after lineage: " + st.message();
  summary->warnings.push_back(line);
  progress->Message("warning: " + line);
  return Status::Ok();
}

Status HiveImporter::SendTables(const HiveDatabase& db, const std::vector<const HiveTable*>& tables) {
  EntityBatch batch;
  for (const HiveTable* t : tables) {
    bool with_process = IsExternalTable(*t) && t->sd.location && !t->sd.location->empty();
    if (with_process) {
      // Like Atlas, create the process only once: it carries the run's time.
      auto existing = atlas_->GetByQualifiedName(
          "hive_process", CreateProcessQualifiedName(*t, options_.mapper.cluster));
      if (!existing.ok() && IsFatal(existing.status())) return existing.status();
      with_process = !existing.ok() || !existing->has_value();
    }
    AddTable(db, *t, options_.mapper, with_process, &batch);
  }
  ASSIGN_OR_RETURN(last_response_, atlas_->PostBulk(batch.ToRequest()));
  return Status::Ok();
}

bool HiveImporter::RecordViewLineage(const HiveTable& table, Progress* progress,
                                     ImportSummary* summary) {
  if (lineage_endpoint_missing_) return false;
  const std::string sql = ViewCreateStatement(table);
  if (sql.empty()) return false;
  const std::string name = table.db_name + "." + table.table_name;
  // The CREATE VIEW process has the create-table process's name; recording it
  // again would only add another execution, so a re-import leaves it alone.
  auto existing = atlas_->GetByQualifiedName(
      "hive_process", CreateProcessQualifiedName(table, options_.mapper.cluster));
  if (existing.ok() && existing->has_value()) return false;
  auto response = atlas_->PostLineageSql(sql, table.db_name, options_.mapper.cluster,
                                         table.owner);
  if (!response.ok()) {
    const std::string line = "lineage of view '" + name + "' not recorded: " +
                             response.status().message();
    summary->warnings.push_back(line);
    progress->Message("warning: " + line);
    return false;
  }
  if (!response->has_value()) {
    lineage_endpoint_missing_ = true;
    const std::string line =
        "the server has no SQL lineage endpoint (/api/meridian/v1/lineage/sql); "
        "views are imported without lineage";
    summary->warnings.push_back(line);
    progress->Message("warning: " + line);
    return false;
  }
  const json& body = **response;
  CountMutations(body, summary);
  for (const auto& issue : body.value("issues", json::array())) {
    const std::string line = "view '" + name + "' line " + std::to_string(issue.value("line", 0)) +
                             ": " + issue.value("reason", "");
    summary->warnings.push_back(line);
    progress->Message("warning: " + line);
  }
  return !body.value("statements", json::array()).empty();
}

Status HiveImporter::DeleteEntity(const std::string& guid, const std::string& what,
                                  ImportSummary* summary) {
  auto response = atlas_->DeleteGuid(guid);
  if (!response.ok()) {
    if (IsFatal(response.status())) return response.status();
    summary->failures.push_back("cannot delete " + what + ": " + response.status().message());
    return Status::Ok();
  }
  log_ << "deleted " << what << "\n";
  CountMutations(*response, summary);
  return Status::Ok();
}

Status HiveImporter::DeleteNonExisting(ImportSummary* summary) {
  const std::string& ns = options_.mapper.cluster;
  json params{{"typeName", "hive_db"},
              {"excludeDeletedEntities", true},
              {"attributes", json::array({"clusterName"})},
              {"entityFilters",
               {{"attributeName", "clusterName"}, {"operator", "eq"}, {"attributeValue", ns}}}};
  auto searched = atlas_->SearchAll(params);
  std::vector<json> server_dbs;
  if (searched.ok()) {
    server_dbs = std::move(searched).value();
  } else if (searched.status().code() == StatusCode::kNotFound) {
    // No basic search on this server: look up the databases the metastore
    // has and those named by the selectors.
    const std::string line =
        "the server has no basic search (/api/atlas/v2/search/basic); only databases that the "
        "metastore has or that -d/-f name exactly are checked";
    summary->warnings.push_back(line);
    log_ << "warning: " << line << "\n";
    ASSIGN_OR_RETURN(std::vector<std::string> names, metastore_->GetAllDatabases());
    for (const auto& sel : options_.selectors) {
      if (!IsPattern(sel.db)) names.push_back(sel.db);
    }
    std::set<std::string> seen;
    for (const auto& name : names) {
      HiveDatabase db;
      db.name = name;
      const std::string qn = DbQualifiedName(db, ns);
      if (!seen.insert(qn).second) continue;
      ASSIGN_OR_RETURN(auto entity, atlas_->GetByQualifiedName("hive_db", qn));
      if (entity) server_dbs.push_back(json{{"guid", (*entity)["guid"]}, {"attributes", {{"qualifiedName", qn}}}});
    }
  } else {
    return searched.status();
  }
  for (const auto& header : server_dbs) {
    const std::string guid = header.value("guid", "");
    const std::string qn = QualifiedNameOf(header);
    if (guid.empty() || qn.size() <= ns.size() + 1 || qn.substr(qn.size() - ns.size() - 1) != "@" + ns) {
      continue;
    }
    std::string db_name = qn.substr(0, qn.size() - ns.size() - 1);
    if (auto colon = db_name.find(':'); colon != std::string::npos) db_name = db_name.substr(colon + 1);
    // Selected by -d/-t/-f? Collect the table patterns that apply.
    bool selected = options_.selectors.empty();
    bool whole_db = options_.selectors.empty();
    std::vector<std::string> table_patterns;
    for (const auto& sel : options_.selectors) {
      if (!MatchesPattern(db_name, sel.db)) continue;
      selected = true;
      if (sel.table) {
        table_patterns.push_back(*sel.table);
      } else {
        whole_db = true;
      }
    }
    if (!selected) continue;

    ASSIGN_OR_RETURN(auto hive_db, metastore_->GetDatabase(db_name));
    std::set<std::string> hive_tables;
    if (hive_db) {
      ASSIGN_OR_RETURN(std::vector<std::string> names, metastore_->GetAllTables(db_name));
      for (const auto& n : names) hive_tables.insert(ToLower(n));
    }

    ASSIGN_OR_RETURN(json db_entity, atlas_->GetByGuid(guid));
    std::vector<json> server_tables;
    const json rel = db_entity.value("relationshipAttributes", json::object());
    if (rel.contains("tables") && rel["tables"].is_array()) {
      for (const auto& t : rel["tables"]) {
        if (t.value("entityStatus", "ACTIVE") == "ACTIVE" &&
            t.value("relationshipStatus", "ACTIVE") == "ACTIVE") {
          server_tables.push_back(t);
        }
      }
    } else {
      json table_params{
          {"typeName", "hive_table"},
          {"excludeDeletedEntities", true},
          {"entityFilters",
           {{"condition", "AND"},
            {"criterion",
             json::array({{{"attributeName", "qualifiedName"}, {"operator", "startsWith"},
                           {"attributeValue", db_name + "."}},
                          {{"attributeName", "qualifiedName"}, {"operator", "endsWith"},
                           {"attributeValue", "@" + ns}}})}}}};
      auto found = atlas_->SearchAll(table_params);
      if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
      if (found.ok()) server_tables = std::move(found).value();
    }
    for (const auto& t : server_tables) {
      const std::string table_qn = QualifiedNameOf(t);
      const std::string table = TableNameFromQualifiedName(table_qn, db_name);
      if (!whole_db && !MatchesAny(table, table_patterns)) continue;
      if (hive_tables.count(ToLower(table))) continue;
      RETURN_IF_ERROR(DeleteEntity(t.value("guid", ""), "hive_table " + table_qn, summary));
    }
    if (!hive_db && whole_db) {
      RETURN_IF_ERROR(DeleteEntity(guid, "hive_db " + qn, summary));
    }
  }
  return Status::Ok();
}

}  // namespace meridian::importer
