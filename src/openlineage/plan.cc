// The entities of one OpenLineage event (docs/openlineage.md describes the mapping).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "openlineage_internal.h"

namespace meridian::openlineage::internal {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string TrimSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/' && s.find("://") + 3 != s.size()) s.pop_back();
  return s;
}

json UniqueRef(const std::string& type, const std::string& qn, const std::string& relationship = {}) {
  json ref = {{"typeName", type}, {"uniqueAttributes", {{"qualifiedName", qn}}}};
  if (!relationship.empty()) ref["relationshipType"] = relationship;
  return ref;
}

std::string AliasKey(const std::string& ns, const std::string& name) {
  std::string k("openlineage");
  k.push_back('\0');
  k += "alias";
  k.push_back('\0');
  k += TrimSlash(ns);
  k.push_back('\0');
  k += name;
  return k;
}

// A metastore namespace in the form the cluster map uses: hive://host:port, lower case.
std::optional<std::string> MetastoreNamespace(const std::string& ns) {
  std::string l = Lower(TrimSlash(ns));
  if (l.rfind("hive://", 0) == 0) return l;
  if (l.rfind("thrift://", 0) == 0) return "hive://" + l.substr(9);
  return std::nullopt;
}

// Where a dataset lands.
struct Target {
  bool hive = false;
  std::string type;  // hive_table or ol_dataset
  std::string qn;
  std::string ns, name;               // ol_dataset: the OpenLineage identifier
  std::string db, table, cluster;     // hive_table
  std::string metastore;              // hive_table named by a metastore identifier: its namespace
  std::string ColumnQn(const std::string& column) const {
    if (hive) return db + "." + table + "." + Lower(column) + "@" + cluster;
    return name + "." + column + "@" + ns;
  }
  std::string ColumnType() const { return hive ? "hive_column" : "ol_column"; }
};

Target HiveTarget(const std::string& db, const std::string& table, const std::string& cluster) {
  Target t;
  t.hive = true;
  t.type = "hive_table";
  t.db = Lower(db);
  t.table = Lower(table);
  t.cluster = cluster;
  t.qn = t.db + "." + t.table + "@" + t.cluster;
  return t;
}

// Builds the entity list: each entity once, keyed by (type, qualifiedName), merged.
class Planner {
 public:
  Planner(const catalog::Catalog& c, const Options& o, const Event& e, const Remembered& r)
      : catalog_(c), options_(o), event_(e), remembered_(r) {}

  Result<Plan> Run() {
    if (event_.kind == Kind::kDataset) {
      Target t = Resolve(event_.dataset);
      PlanRename(event_.dataset, t);
      AddDataset(t, *event_.dataset.facets, /*prune_columns=*/false);
      return Finish();
    }
    const std::string job_qn = event_.job_name + "@" + event_.job_ns;
    // Failed and aborted runs add no lineage.
    const bool lineage = event_.kind == Kind::kJob || (event_.event_type != "FAIL" && event_.event_type != "ABORT");
    const bool complete = event_.kind == Kind::kRun && event_.event_type == "COMPLETE";
    std::vector<Target> ins, outs;
    std::vector<const Dataset*> out_datasets;
    for (const Dataset& d : event_.inputs) {
      ins.push_back(Resolve(d));
      AddDataset(ins.back(), *d.facets, /*prune_columns=*/false);
    }
    for (const Dataset& d : event_.outputs) {
      const std::string change = LifecycleChange(*d.facets);
      Target t = Resolve(d);
      // §6.3: a dropped output is deleted when its run completes, and never written or linked.
      if (change == "DROP") {
        if (complete)
          if (auto guid = catalog_.FindByUniqueAttribute(t.type, "qualifiedName", t.qn); guid.ok())
            plan_.deletes.push_back(*guid);
        continue;
      }
      if (lineage) PlanRename(d, t);
      AddDataset(t, *d.facets, complete && (change == "CREATE" || change == "OVERWRITE" || change == "ALTER"));
      outs.push_back(t);
      out_datasets.push_back(&d);
    }
    RETURN_IF_ERROR(AddJob(job_qn, lineage ? ins : std::vector<Target>{}, lineage ? outs : std::vector<Target>{}));
    if (event_.kind == Kind::kRun) RETURN_IF_ERROR(AddRun(job_qn));
    if (lineage)
      for (size_t i = 0; i < outs.size(); ++i) AddColumnLineage(job_qn, *out_datasets[i], outs[i]);
    return Finish();
  }

 private:
  Plan Finish() {
    for (auto& [key, entity] : entities_) plan_.entities.push_back(std::move(entity));
    return std::move(plan_);
  }

  // The entity (type, qn), created empty on first use.
  json& Entity(const std::string& type, const std::string& qn) {
    json& e = entities_[EntityKey(type, qn)];
    if (e.is_null())
      e = {{"typeName", type}, {"attributes", {{"qualifiedName", qn}}}, {"relationshipAttributes", json::object()}};
    return e;
  }
  bool Planned(const std::string& type, const std::string& qn) const { return entities_.count(EntityKey(type, qn)) > 0; }
  bool Exists(const std::string& type, const std::string& qn) const {
    return renamed_.count(EntityKey(type, qn)) || remembered_(EntityKey(type, qn)) ||
           catalog_.FindByUniqueAttribute(type, "qualifiedName", qn).ok();
  }
  // Guid of the active entity, also when this event renames it to (type, qn).
  std::optional<std::string> GuidOf(const std::string& type, const std::string& qn) const {
    if (auto it = renamed_.find(EntityKey(type, qn)); it != renamed_.end()) return it->second;
    auto guid = catalog_.FindByUniqueAttribute(type, "qualifiedName", qn);
    if (!guid.ok()) return std::nullopt;
    return *guid;
  }

  // §6.2: a Hive metastore identifier wins; else an alias recorded by an earlier event; else ol_dataset.
  Target Resolve(const Dataset& d) {
    const std::string key = d.ns + '\n' + d.name;
    if (auto it = resolved_.find(key); it != resolved_.end()) return it->second;
    std::vector<std::pair<std::string, std::string>> ids = {{d.ns, d.name}};
    auto links = d.facets->find("symlinks");
    if (links != d.facets->end() && links->is_object() && links->contains("identifiers") &&
        (*links)["identifiers"].is_array())
      for (const json& id : (*links)["identifiers"])
        if (id.is_object() && id.contains("namespace") && id["namespace"].is_string() && id.contains("name") &&
            id["name"].is_string())
          ids.emplace_back(id["namespace"], id["name"]);
    std::optional<Target> found;
    for (const auto& [ns, name] : ids) {
      auto metastore = MetastoreNamespace(ns);
      if (!metastore) continue;
      auto dot = name.rfind('.');
      std::string db = dot == std::string::npos ? "default" : name.substr(0, dot);
      if (auto dot2 = db.rfind('.'); dot2 != std::string::npos) db = db.substr(dot2 + 1);  // catalog.db.table
      auto cluster = options_.metastore_clusters.find(*metastore);
      found = HiveTarget(db, dot == std::string::npos ? name : name.substr(dot + 1),
                         cluster == options_.metastore_clusters.end() ? options_.default_cluster : cluster->second);
      found->metastore = *metastore;
      // A table renamed away from this name: its old name is in the alias index.
      if (!Exists("hive_table", found->qn))
        if (auto renamed = AliasTarget(HiveAliasKey(*metastore, found->db, found->table))) found = renamed;
      break;
    }
    for (size_t i = 0; !found && i < ids.size(); ++i) found = AliasTarget(AliasKey(ids[i].first, ids[i].second));
    if (!found) found = OlTarget(d.ns, d.name);
    // Remember every other identifier of this dataset.
    for (const auto& [ns, name] : ids) {
      if (MetastoreNamespace(ns) || (!found->hive && ns == found->ns && name == found->name)) continue;
      std::string k = AliasKey(ns, name);
      if (aliased_.count(k) || remembered_(AliasCacheKey(k))) continue;
      PutAlias(k, AliasValue(*found));
    }
    resolved_[key] = *found;
    return *found;
  }

  // The alias key of a renamed Hive table's old name.
  static std::string HiveAliasKey(const std::string& metastore, const std::string& db, const std::string& table) {
    return AliasKey(metastore, db + "." + table);
  }

  // The target alias record `key` names, if any.
  std::optional<Target> AliasTarget(const std::string& key) const {
    auto alias = catalog_.GetUserRecord(key);
    if (!alias.ok() || !alias->is_object()) return std::nullopt;
    const std::string type = alias->value("typeName", ""), qn = alias->value("qualifiedName", "");
    if (type == "hive_table") {
      auto at = qn.rfind('@'), dot = qn.find('.');
      if (at != std::string::npos && dot != std::string::npos && dot < at)
        return HiveTarget(qn.substr(0, dot), qn.substr(dot + 1, at - dot - 1), qn.substr(at + 1));
    } else if (type == "ol_dataset") {
      return OlTarget(alias->value("namespace", ""), alias->value("name", ""));
    }
    return std::nullopt;
  }

  static json AliasValue(const Target& t) {
    json value = {{"typeName", t.type}, {"qualifiedName", t.qn}};
    if (!t.hive) value.update({{"namespace", t.ns}, {"name", t.name}});
    return value;
  }

  // Plans alias record `key` -> `value` unless stored already.
  void PutAlias(const std::string& key, const json& value) {
    if (!aliased_.insert(key).second) return;
    auto current = catalog_.GetUserRecord(key);
    if (current.ok() && *current == value) plan_.stored_aliases.push_back(key);
    else plan_.aliases.emplace_back(key, value);
  }

  // The lifecycleStateChange facet's value (CREATE, DROP, RENAME, ...), or "".
  static std::string LifecycleChange(const json& facets) {
    const json& lc = Facet(facets, "lifecycleStateChange");
    auto it = lc.find("lifecycleStateChange");
    return it != lc.end() && it->is_string() ? it->get<std::string>() : "";
  }

  // §6.3 RENAME: the entity the previousIdentifier resolves to takes `t`'s qualifiedName and
  // name (its columns follow), in place: guid, classifications and lineage stay. The old
  // identifier, and every alias that pointed at the old entity, then name `t`. Nothing
  // happens when `t` exists already as another entity or the types differ.
  void PlanRename(const Dataset& d, const Target& t) {
    if (LifecycleChange(*d.facets) != "RENAME") return;
    const json& prev = Facet(*d.facets, "lifecycleStateChange").value("previousIdentifier", json::object());
    if (!prev.is_object() || !prev.contains("namespace") || !prev["namespace"].is_string() || !prev.contains("name") ||
        !prev["name"].is_string())
      return;
    const Target old = Resolve(Dataset{prev["namespace"], prev["name"]});
    if (old.type != t.type) return;
    if (old.qn != t.qn) {
      auto guid = GuidOf(old.type, old.qn);
      if (guid && Exists(t.type, t.qn)) return;
      if (guid) {
        // The old table name, in the metastore that named it (or names the new one), reaches it too.
        const std::string& metastore = !old.metastore.empty() ? old.metastore : t.metastore;
        if (old.hive && !metastore.empty()) PutAlias(HiveAliasKey(metastore, old.db, old.table), AliasValue(t));
        catalog::Catalog::EntityChanges::Update table{*guid};
        table.attributes = {{"qualifiedName", t.qn}, {"name", t.hive ? t.table : t.name}};
        if (!t.hive) table.attributes.update({{"olNamespace", t.ns}, {"olName", t.name}});
        if (t.hive && t.db + "@" + t.cluster != old.db + "@" + old.cluster && Exists("hive_db", t.db + "@" + t.cluster))
          table.relationship_attributes["db"] = UniqueRef("hive_db", t.db + "@" + t.cluster, "hive_table_db");
        plan_.renames.push_back(std::move(table));
        renamed_[EntityKey(t.type, t.qn)] = *guid;
        if (t.hive) existing_tables_.insert(t.qn);
        // Column qualifiedNames are {dataset prefix}{column}{dataset suffix}.
        const std::string marker = old.hive ? old.db + "." + old.table + "." : old.name + ".";
        const std::string suffix = old.ColumnQn("").substr(marker.size());
        for (const auto& e : catalog_.Edges(*guid, "columns")) {
          if (!e.active) continue;
          auto rec = catalog_.LoadRecord(e.other);
          if (!rec.ok() || rec->value("status", "") != "ACTIVE") continue;
          const std::string cqn = (*rec)["attributes"].value("qualifiedName", "");
          if (cqn.size() < marker.size() + suffix.size() || cqn.compare(0, marker.size(), marker) != 0 ||
              cqn.compare(cqn.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
          const std::string column = cqn.substr(marker.size(), cqn.size() - marker.size() - suffix.size());
          const std::string new_cqn = t.ColumnQn(column);
          plan_.renames.push_back({e.other, {{"qualifiedName", new_cqn}}, json::object()});
          renamed_[EntityKey(t.ColumnType(), new_cqn)] = e.other;
        }
        // Aliases of the old entity follow it.
        const json old_value = AliasValue(old);
        std::string prefix = AliasKey("", "");
        prefix.pop_back();  // every alias key
        for (const auto& [key, value] : catalog_.ScanUserRecords(prefix))
          if (value.is_object() && value.value("typeName", "") == old.type &&
              value.value("qualifiedName", "") == old.qn)
            PutAlias(key, AliasValue(t));
      }
    }
    if (!MetastoreNamespace(prev["namespace"])) PutAlias(AliasKey(prev["namespace"], prev["name"]), AliasValue(t));
  }

  static Target OlTarget(const std::string& ns, const std::string& name) {
    Target t;
    t.type = "ol_dataset";
    t.ns = TrimSlash(ns);
    t.name = name;
    t.qn = name + "@" + t.ns;
    return t;
  }

  // The table or dataset entity: a shell table (and database) when the catalog has
  // none; an existing Hive table keeps its own attributes.
  void EnsureDataset(const Target& t) {
    if (Planned(t.type, t.qn)) return;
    if (t.hive) {
      if (Exists("hive_table", t.qn)) {
        existing_tables_.insert(t.qn);
        return;
      }
      json& table = Entity("hive_table", t.qn);
      table["isIncomplete"] = true;
      table["attributes"]["name"] = t.table;
      table["relationshipAttributes"]["db"] = UniqueRef("hive_db", t.db + "@" + t.cluster, "hive_table_db");
      const std::string db_qn = t.db + "@" + t.cluster;
      if (!Planned("hive_db", db_qn) && !Exists("hive_db", db_qn)) {
        json& db = Entity("hive_db", db_qn);
        db["isIncomplete"] = true;
        db["attributes"].update({{"name", t.db}, {"clusterName", t.cluster}});
      }
      return;
    }
    Entity("ol_dataset", t.qn)["attributes"].update({{"name", t.name}, {"olNamespace", t.ns}, {"olName", t.name}});
  }

  // Adds the dataset with what its facets say (schema, documentation, ownership, ...).
  // With `prune_columns`, the active columns the schema facet does not list are deleted.
  void AddDataset(const Target& t, const json& facets, bool prune_columns) {
    EnsureDataset(t);
    const bool existing_hive = t.hive && existing_tables_.count(t.qn);
    if (!existing_hive) {
      json& attrs = Entity(t.type, t.qn)["attributes"];
      if (const json& doc = Facet(facets, "documentation"); doc.contains("description") && doc["description"].is_string())
        attrs[t.hive ? "comment" : "description"] = doc["description"];
      if (!t.hive) {
        if (auto owners = Owners(facets); !owners.empty()) {
          attrs["owners"] = owners;
          attrs["owner"] = owners[0];
        }
        if (const json& dt = Facet(facets, "datasetType"); dt.contains("datasetType") && dt["datasetType"].is_string())
          attrs["datasetType"] = dt["datasetType"];
        if (const json& ds = Facet(facets, "dataSource"); ds.contains("uri") && ds["uri"].is_string())
          attrs["dataSourceUri"] = ds["uri"];
        const json& links = Facet(facets, "symlinks");
        if (links.contains("identifiers") && links["identifiers"].is_array()) {
          std::set<std::string> ids;
          for (const json& id : links["identifiers"])
            if (id.is_object())
              ids.insert(id.value("namespace", "") + "|" + id.value("name", "") + "|" + id.value("type", ""));
          attrs["symlinks"] = ids;
        }
      }
    }
    const json& schema = Facet(facets, "schema");
    if (!schema.contains("fields") || !schema["fields"].is_array()) return;
    std::set<std::string> listed;
    AddColumns(t, schema["fields"], "", existing_hive, listed);
    if (!prune_columns) return;
    auto guid = GuidOf(t.type, t.qn);
    if (!guid) return;
    for (const auto& e : catalog_.Edges(*guid, "columns")) {
      if (!e.active) continue;
      auto rec = catalog_.LoadRecord(e.other);
      if (rec.ok() && rec->value("status", "") == "ACTIVE" &&
          !listed.count((*rec)["attributes"].value("qualifiedName", "")))
        plan_.deletes.push_back(e.other);
    }
  }

  // The columns of schema `fields`. A struct's nested `fields` are columns too, named by
  // their dotted path from the top-level field (`address.city`), as OpenLineage's
  // columnLineage facet and Spark name nested fields; `position` is the field's place
  // among its siblings (or its ordinal_position). Adds every qualifiedName to `listed`.
  void AddColumns(const Target& t, const json& fields, const std::string& parent, bool existing_hive,
                  std::set<std::string>& listed) {
    int index = 0;
    for (const json& f : fields) {
      const int position = index++;
      if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || f["name"].get<std::string>().empty())
        continue;
      const std::string name = parent + f["name"].get<std::string>();
      const std::string cqn = t.ColumnQn(name);
      listed.insert(cqn);
      if (f.contains("fields") && f["fields"].is_array())
        AddColumns(t, f["fields"], name + ".", existing_hive, listed);
      if (existing_hive && (Planned("hive_column", cqn) || Exists("hive_column", cqn))) continue;
      json& col = Entity(t.ColumnType(), cqn);
      json& attrs = col["attributes"];
      attrs["name"] = t.hive ? Lower(name) : name;
      std::string type = f.contains("type") && f["type"].is_string() ? f["type"].get<std::string>() : "";
      if (!type.empty() || t.hive) attrs["type"] = type.empty() ? "string" : type;
      int64_t pos = position;
      if (f.contains("ordinal_position") && f["ordinal_position"].is_number_integer())
        pos = f["ordinal_position"].get<int64_t>() - 1;
      attrs["position"] = pos;
      if (f.contains("description") && f["description"].is_string())
        attrs[t.hive ? "comment" : "description"] = f["description"];
      LinkColumn(t, col);
    }
  }

  void LinkColumn(const Target& t, json& col) {
    col["relationshipAttributes"][t.hive ? "table" : "dataset"] =
        UniqueRef(t.type, t.qn, t.hive ? "hive_table_columns" : "ol_dataset_columns");
  }

  // A reference to column `name` of `t`, creating it (and its dataset) when unknown.
  json ColumnRef(const Target& t, const std::string& name) {
    const std::string cqn = t.ColumnQn(name);
    const std::string type = t.ColumnType();
    if (!Planned(type, cqn) && !Exists(type, cqn)) {
      EnsureDataset(t);
      json& col = Entity(type, cqn);
      col["attributes"]["name"] = t.hive ? Lower(name) : name;
      if (t.hive) col["attributes"]["type"] = "string";
      LinkColumn(t, col);
    }
    return UniqueRef(type, cqn);
  }

  Status AddJob(const std::string& job_qn, const std::vector<Target>& ins, const std::vector<Target>& outs) {
    json& job = Entity("ol_job", job_qn);
    json& attrs = job["attributes"];
    attrs.update({{"name", event_.job_name}, {"olNamespace", event_.job_ns}, {"olName", event_.job_name}});
    const json& f = *event_.job_facets;
    if (const json& sql = Facet(f, "sql"); sql.contains("query") && sql["query"].is_string()) {
      attrs["queryText"] = sql["query"];
      if (sql.contains("dialect") && sql["dialect"].is_string()) attrs["sqlDialect"] = sql["dialect"];
    }
    if (const json& doc = Facet(f, "documentation"); doc.contains("description") && doc["description"].is_string())
      attrs["description"] = doc["description"];
    if (auto owners = Owners(f); !owners.empty()) {
      attrs["owners"] = owners;
      attrs["owner"] = owners[0];
    }
    const json& jt = Facet(f, "jobType");
    for (const char* k : {"integration", "processingType", "jobType"})
      if (jt.contains(k) && jt[k].is_string()) attrs[k] = jt[k];
    if (ins.empty() && outs.empty()) return Status::Ok();
    // Lineage accumulates: the job's datasets so far, plus this event's.
    auto guid = catalog_.FindByUniqueAttribute("ol_job", "qualifiedName", job_qn);
    for (const auto& [attr, rel, targets] :
         {std::tuple{"inputs", "dataset_process_inputs", &ins}, std::tuple{"outputs", "process_dataset_outputs", &outs}}) {
      if (targets->empty()) continue;
      json list = json::array();
      std::set<std::string> seen;
      if (guid.ok())
        for (const auto& e : catalog_.Edges(*guid, attr))
          if (e.active && seen.insert(e.other).second) list.push_back({{"guid", e.other}, {"relationshipType", rel}});
      for (const Target& t : *targets) {
        auto existing = catalog_.FindByUniqueAttribute(t.type, "qualifiedName", t.qn);
        if (existing.ok() && !seen.insert(*existing).second) continue;
        list.push_back(UniqueRef(t.type, t.qn, rel));
      }
      job["relationshipAttributes"][attr] = std::move(list);
    }
    return Status::Ok();
  }

  // Merges this event into the run: status, start (earliest START) and end (terminal) times.
  Status AddRun(const std::string& job_qn) {
    const std::string qn = job_qn + ":" + event_.run_id;
    json current = json::object();
    if (auto guid = catalog_.FindByUniqueAttribute("ol_run", "qualifiedName", qn); guid.ok()) {
      auto rec = catalog_.LoadRecord(*guid);
      if (rec.ok()) current = (*rec)["attributes"];
    }
    json& run = Entity("ol_run", qn);
    json& attrs = run["attributes"];
    attrs.update({{"name", event_.run_id}, {"runId", event_.run_id}});
    const int64_t t = event_.event_time_ms;
    auto time_of = [&](const char* k) -> std::optional<int64_t> {
      if (current.contains(k) && current[k].is_number_integer()) return current[k].get<int64_t>();
      return std::nullopt;
    };
    static const std::set<std::string> kTerminal = {"COMPLETE", "FAIL", "ABORT"};
    const std::string status = current.value("status", "");
    const std::string& type = event_.event_type;
    if (kTerminal.count(type)) {
      // A later terminal event wins over an earlier one; any terminal state over a running one.
      if (!kTerminal.count(status) || t >= time_of("endTime").value_or(0)) {
        attrs["status"] = type;
        attrs["endTime"] = t;
      }
    } else if (!kTerminal.count(status)) {
      if (type == "START" || type == "RUNNING") attrs["status"] = "RUNNING";
      else if (status.empty()) attrs["status"] = "OTHER";
    }
    if (type == "START") attrs["startTime"] = std::min(t, time_of("startTime").value_or(t));
    attrs["lastEventTime"] = std::max(t, time_of("lastEventTime").value_or(t));
    if (!event_.producer.empty() && !current.contains("producer")) attrs["producer"] = event_.producer;
    const json& rf = *event_.run_facets;
    const json& nominal = Facet(rf, "nominalTime");
    for (const auto& [from, to] : {std::pair{"nominalStartTime", "nominalStartTime"}, {"nominalEndTime", "nominalEndTime"}})
      if (nominal.contains(from) && nominal[from].is_string())
        if (auto ms = ParseTime(nominal[from].get<std::string>())) attrs[to] = *ms;
    const json& parent = Facet(rf, "parent");
    if (parent.contains("run") && parent["run"].is_object() && parent["run"].contains("runId") &&
        parent["run"]["runId"].is_string())
      attrs["parentRunId"] = parent["run"]["runId"];
    if (parent.contains("job") && parent["job"].is_object() && parent["job"].contains("name") &&
        parent["job"].contains("namespace"))
      attrs["parentJobQualifiedName"] =
          parent["job"].value("name", "") + "@" + parent["job"].value("namespace", "");
    if (const json& err = Facet(rf, "errorMessage"); err.contains("message") && err["message"].is_string())
      attrs["errorMessage"] = err["message"];
    if (const json& sql = Facet(*event_.job_facets, "sql"); sql.contains("query") && sql["query"].is_string())
      attrs["queryText"] = sql["query"];
    run["relationshipAttributes"]["job"] = UniqueRef("ol_job", job_qn, "ol_job_runs");
    return Status::Ok();
  }

  // §6.4: one ol_column_lineage per output column of the columnLineage facet; the
  // dataset-wide (INDIRECT) inputs go to the job's indirectInputs.
  void AddColumnLineage(const std::string& job_qn, const Dataset& out, const Target& target) {
    const json& facet = Facet(*out.facets, "columnLineage");
    if (facet.contains("fields") && facet["fields"].is_object()) {
      for (auto it = facet["fields"].begin(); it != facet["fields"].end(); ++it) {
        const json& spec = it.value();
        if (!spec.is_object() || !spec.contains("inputFields") || !spec["inputFields"].is_array()) continue;
        json inputs = json::array();
        std::set<std::string> transformations, input_qns;
        bool masking = false;
        std::string description =
            spec.contains("transformationDescription") && spec["transformationDescription"].is_string()
                ? spec["transformationDescription"].get<std::string>() : "";
        for (const json& in : spec["inputFields"]) {
          auto ref = InputColumn(in);
          if (!ref) continue;
          if (input_qns.insert((*ref)["uniqueAttributes"]["qualifiedName"]).second) inputs.push_back(*ref);
          for (const json& tr : in.value("transformations", json::array())) {
            if (!tr.is_object() || !tr.contains("type") || !tr["type"].is_string()) continue;
            std::string s = tr["type"];
            if (tr.contains("subtype") && tr["subtype"].is_string()) s += "/" + tr["subtype"].get<std::string>();
            transformations.insert(s);
            masking = masking || tr.value("masking", false);
            if (description.empty() && tr.contains("description") && tr["description"].is_string())
              description = tr["description"];
          }
        }
        if (inputs.empty()) continue;
        const std::string legacy = spec.contains("transformationType") && spec["transformationType"].is_string()
                                       ? spec["transformationType"].get<std::string>() : "";
        if (transformations.empty() && legacy == "IDENTITY") transformations.insert("DIRECT/IDENTITY");
        if (transformations.empty() && legacy == "MASKED") {
          transformations.insert("DIRECT/TRANSFORMATION");
          masking = true;
        }
        const std::string column = it.key();
        json& cl = Entity("ol_column_lineage", job_qn + ":" + out.name + "." + column);
        cl["attributes"].update({{"name", out.name + "." + column}, {"transformations", transformations},
                                 {"masking", masking}});
        if (!description.empty()) cl["attributes"]["description"] = description;
        json outputs = json::array({ColumnRef(target, column)});
        for (json& r : inputs) r["relationshipType"] = "dataset_process_inputs";
        for (json& r : outputs) r["relationshipType"] = "process_dataset_outputs";
        cl["relationshipAttributes"].update({{"inputs", inputs}, {"outputs", outputs},
                                             {"query", UniqueRef("ol_job", job_qn, "ol_job_column_lineage")}});
      }
    }
    if (facet.contains("dataset") && facet["dataset"].is_array() && !facet["dataset"].empty()) {
      std::set<std::string> indirect;
      if (auto guid = catalog_.FindByUniqueAttribute("ol_job", "qualifiedName", job_qn); guid.ok())
        if (auto rec = catalog_.LoadRecord(*guid); rec.ok())
          for (const json& s : (*rec)["attributes"].value("indirectInputs", json::array()))
            if (s.is_string()) indirect.insert(s.get<std::string>());
      json& attrs = Entity("ol_job", job_qn)["attributes"];
      if (attrs.contains("indirectInputs"))
        for (const json& s : attrs["indirectInputs"]) indirect.insert(s.get<std::string>());
      for (const json& in : facet["dataset"]) {
        auto ref = InputColumn(in);
        if (!ref) continue;
        std::string subtypes;
        for (const json& tr : in.value("transformations", json::array()))
          if (tr.is_object() && tr.contains("subtype") && tr["subtype"].is_string())
            subtypes += (subtypes.empty() ? "" : ",") + tr["subtype"].get<std::string>();
        indirect.insert((*ref)["uniqueAttributes"]["qualifiedName"].get<std::string>() +
                        (subtypes.empty() ? "" : "|" + subtypes));
      }
      attrs["indirectInputs"] = indirect;
    }
  }

  // The column an inputFields entry names ({namespace, name, field}).
  std::optional<json> InputColumn(const json& in) {
    if (!in.is_object()) return std::nullopt;
    for (const char* k : {"namespace", "name", "field"})
      if (!in.contains(k) || !in[k].is_string() || in[k].get<std::string>().empty()) return std::nullopt;
    Target t = Resolve(Dataset{in["namespace"], in["name"]});
    return ColumnRef(t, in["field"]);
  }

  // The facet `name`, or an empty object when absent, not an object or deleted.
  static const json& Facet(const json& facets, const char* name) {
    static const json kNone = json::object();
    auto it = facets.find(name);
    if (it == facets.end() || !it->is_object() || it->value("_deleted", false)) return kNone;
    return *it;
  }

  static std::vector<std::string> Owners(const json& facets) {
    std::vector<std::string> out;
    const json& o = Facet(facets, "ownership");
    if (!o.contains("owners") || !o["owners"].is_array()) return out;
    for (const json& owner : o["owners"])
      if (owner.is_object() && owner.contains("name") && owner["name"].is_string()) out.push_back(owner["name"]);
    return out;
  }

  const catalog::Catalog& catalog_;
  const Options& options_;
  const Event& event_;
  const Remembered& remembered_;
  Plan plan_;
  std::map<std::string, json> entities_;
  std::map<std::string, Target> resolved_;
  std::set<std::string> existing_tables_, aliased_;
  std::map<std::string, std::string> renamed_;  // EntityKey after this event's renames -> guid
};

}  // namespace

std::string EntityKey(const std::string& type, const std::string& qualified_name) {
  return type + '\n' + qualified_name;
}

std::string AliasCacheKey(const std::string& alias_key) { return "\n" + alias_key; }

Result<Plan> PlanEvent(const catalog::Catalog& catalog, const Options& options, const Event& event,
                       const Remembered& remembered) {
  return Planner(catalog, options, event, remembered).Run();
}

}  // namespace meridian::openlineage::internal
