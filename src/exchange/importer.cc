// Import: the ZIP's typedefs merged into the local ones, then its entities in
// the order file, in batches (one store WriteBatch each), guids kept.
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "exchange_internal.h"
#include "meridian/request_json.h"
#include "transforms.h"

namespace meridian::exchange::internal {

namespace {

constexpr const char* kLists[] = {"enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs",
                                  "businessMetadataDefs"};
// Atlas's metric names per list: typedef:<kind>.
constexpr const char* kMetricKinds[] = {"enum", "struct", "classification", "entitydef", "relationship",
                                        "businessmetadata"};

Result<json> ReadJsonEntry(ZipReader& zip, const std::string& name) {
  ASSIGN_OR_RETURN(std::string text, zip.Read(name));
  auto parsed = ParseRequestJson(text, name);
  if (!parsed.ok()) return Status::InvalidArgument("ZIP entry " + name + " is not valid JSON: " + parsed.status().message());
  return *parsed;
}

// Incoming defs missing locally are created; existing ones gain the attributes
// (and enum values) they lack, locally defined ones are never removed.
Status MergeTypes(catalog::Catalog& catalog, const json& incoming, const std::string& user, json& metrics) {
  if (!incoming.is_object()) return Status::InvalidArgument(std::string(kTypesEntry) + " must be an AtlasTypesDef object");
  auto reg = catalog.types();
  json create = json::object(), update = json::object();
  for (size_t i = 0; i < std::size(kLists); ++i) {
    const char* list = kLists[i];
    json defs = incoming.value(list, json::array());
    if (!defs.is_array()) continue;
    metrics[std::string("typedef:") + kMetricKinds[i]] = defs.size();
    int updated = 0;
    for (const json& def : defs) {
      if (!def.is_object() || !def.contains("name") || !def["name"].is_string()) continue;
      const types::TypeDef* local = reg->Find(def["name"].get<std::string>());
      if (!local) {
        json d = def;
        for (const char* k : {"subTypes", "relationshipAttributeDefs"}) d.erase(k);
        create[list].push_back(std::move(d));
        continue;
      }
      json merged = local->json;
      bool changed = false;
      const char* member = std::string_view(list) == "enumDefs" ? "elementDefs" : "attributeDefs";
      if (std::string_view(list) != "relationshipDefs" && def.contains(member) && def[member].is_array()) {
        std::set<std::string> have;
        const char* key = std::string_view(list) == "enumDefs" ? "value" : "name";
        if (!merged.contains(member) || !merged[member].is_array()) merged[member] = json::array();
        for (const json& a : merged[member])
          if (a.is_object()) have.insert(a.value(key, ""));
        // Attributes inherited locally are not added again.
        for (const json& a : def[member]) {
          if (!a.is_object() || have.count(a.value(key, ""))) continue;
          if (std::string_view(list) != "enumDefs" && local->FindAttribute(a.value("name", ""))) continue;
          merged[member].push_back(a);
          changed = true;
        }
      }
      if (changed) {
        update[list].push_back(std::move(merged));
        ++updated;
      }
    }
    if (updated) metrics[std::string("typedef:") + kMetricKinds[i] + ":update"] = updated;
  }
  if (!create.empty()) {
    auto r = catalog.CreateTypes(create, user);
    if (!r.ok()) return Status(r.status().code(), r.status().atlas_code(), "importing the ZIP's typedefs: " + r.status().message());
  }
  if (!update.empty()) {
    auto r = catalog.UpdateTypes(update, user);
    if (!r.ok()) return Status(r.status().code(), r.status().atlas_code(), "extending local typedefs: " + r.status().message());
  }
  return Status::Ok();
}

// The object ids inside an entity's attributes and relationshipAttributes:
// fn(attribute, id) returns false to drop the id.
template <typename Fn>
void ForEachRef(json& entity, Fn&& fn) {
  for (const char* section : {"attributes", "relationshipAttributes"}) {
    auto s = entity.find(section);
    if (s == entity.end() || !s->is_object()) continue;
    for (auto& [name, value] : s->items()) {
      auto is_ref = [](const json& v) { return v.is_object() && v.contains("guid") && v["guid"].is_string() && v.contains("typeName"); };
      if (is_ref(value)) {
        if (!fn(name, value)) value = nullptr;
      } else if (value.is_array()) {
        for (auto it = value.begin(); it != value.end();) it = is_ref(*it) && !fn(name, *it) ? value.erase(it) : std::next(it);
      }
    }
  }
}

// Direct classifications only: propagated copies are recomputed here.
void DropPropagated(json& entity) {
  auto list = entity.find("classifications");
  if (list == entity.end() || !list->is_array()) return;
  const std::string guid = entity.value("guid", "");
  for (auto it = list->begin(); it != list->end();) {
    std::string source = it->is_object() ? it->value("entityGuid", "") : "";
    it = !source.empty() && source != guid ? list->erase(it) : std::next(it);
  }
}

// Atlas's table replication: an incremental, skipLineage export of hive_tables, imported with
// replicatedFrom, mirrors the tables of their databases. Tables of those databases here that
// came from the same server (their replicatedFrom names it) and are not in the import were
// dropped there: they are deleted here. Tables created here are never touched.
Status MirrorReplicatedTables(catalog::Catalog& catalog, const json& request, const json& processed,
                              const json& server, const std::string& user, json& metrics) {
  const json items = request.value("itemsToExport", json::array());
  const json opts = request.value("options", json::object());
  if (!items.is_array() || items.empty() || OptionText(opts, "fetchType") != "incremental" ||
      !OptionTrue(opts, "skipLineage"))
    return Status::Ok();
  for (const json& item : items)
    if (!item.is_object() || item.value("typeName", "") != "hive_table") return Status::Ok();
  std::unordered_set<std::string> imported;
  std::set<std::string> databases;
  for (const json& g : processed) {
    const std::string guid = g.get<std::string>();
    imported.insert(guid);
    if (!catalog.IsEntityOfType(guid, "hive_table")) continue;
    for (const auto& e : catalog.Edges(guid, "db"))
      if (e.active) databases.insert(e.other);
  }
  std::vector<std::string> dropped;
  for (const auto& db : databases) {
    std::vector<std::string> tables;
    for (const auto& e : catalog.Edges(db, "tables"))
      if (e.active && !imported.count(e.other)) tables.push_back(e.other);
    RETURN_IF_ERROR(catalog.LoadRecords(tables, [&](const std::string& guid, Result<json> rec) {
      if (!rec.ok() || (*rec).value("status", "") != "ACTIVE") return true;
      const json marks = (*rec)["attributes"].value("replicatedFrom", json::array());
      for (const json& m : marks.is_array() ? marks : json::array())
        if (m.is_object() && m.value("guid", "") == server.value("guid", "")) {
          dropped.push_back(guid);
          break;
        }
      return true;
    }));
  }
  if (dropped.empty()) return Status::Ok();
  RETURN_IF_ERROR(catalog.DeleteEntities(dropped, user).status());
  metrics["entity:hive_table:deleted"] = metrics.value("entity:hive_table:deleted", 0) + dropped.size();
  return Status::Ok();
}

// One <guid>.json, transformed.
struct Item {
  size_t position;
  std::string guid;
  json ext;
};

class Run {
 public:
  Run(catalog::Catalog& catalog, const ExchangeOptions& options, ZipReader& zip, const Transforms& transforms,
      const std::string& user, json& metrics, json replicated_from)
      : catalog_(catalog), options_(options), zip_(zip), transforms_(transforms), user_(user), metrics_(metrics),
        replicated_from_(std::move(replicated_from)) {}

  json processed = json::array();

  // Reads and transforms the entry of `guid`.
  Result<Item> Load(size_t position, const std::string& guid) {
    ASSIGN_OR_RETURN(json ext, ReadJsonEntry(zip_, guid + ".json"));
    if (!ext.is_object() || !ext.contains("entity") || !ext["entity"].is_object())
      return Status::InvalidArgument("ZIP entry " + guid + ".json is not an AtlasEntityWithExtInfo");
    auto reg = catalog_.types();
    json& entity = ext["entity"];
    if (!entity.contains("guid")) entity["guid"] = guid;
    transforms_.Apply(entity, true, *reg);
    DropPropagated(entity);
    MarkReplicated(entity);
    if (ext.contains("referredEntities") && ext["referredEntities"].is_object()) {
      for (auto& [g, e] : ext["referredEntities"].items()) {
        if (!e.is_object()) continue;
        if (!e.contains("guid")) e["guid"] = g;
        transforms_.Apply(e, false, *reg);
        DropPropagated(e);
        MarkReplicated(e);
      }
    } else {
      ext["referredEntities"] = json::object();
    }
    return Item{position, guid, std::move(ext)};
  }

  // With replicatedFrom: the entity's replicatedFrom names the source AtlasServer.
  void MarkReplicated(json& entity) const {
    if (replicated_from_.is_null()) return;
    json& attrs = entity["attributes"];
    if (!attrs.is_object()) attrs = json::object();
    attrs["replicatedFrom"] = json::array({replicated_from_});
  }

  // Drops the references of `item` to entities neither stored nor in this batch: a
  // relationship is written from whichever end comes second (both ends list it). Each
  // dropped one is remembered, so that an end listed on one side only is linked at the end.
  void DropUnresolved(Item& item) {
    std::unordered_set<std::string> own{item.guid};
    for (auto& [g, e] : item.ext["referredEntities"].items()) own.insert(g);
    auto visit = [&](const std::string& owner) {
      return [&, owner](const std::string& attr, json& ref) {
        if (auto alias = aliases_.find(ref["guid"].get<std::string>()); alias != aliases_.end()) ref["guid"] = alias->second;
        const std::string g = ref["guid"].get<std::string>();
        if (own.count(g) || known_.count(g) || pending_.count(g) || catalog_.TypeNameOf(g).ok()) return true;
        dropped_.push_back({item.position, owner, attr, g});
        return false;
      };
    };
    ForEachRef(item.ext["entity"], visit(item.guid));
    for (auto& [g, e] : item.ext["referredEntities"].items()) ForEachRef(e, visit(g));
  }

  // Order positions of entries with a dropped reference whose target exists now but is
  // still not linked (the other end did not list it).
  std::vector<size_t> Unlinked() {
    std::set<size_t> out;
    for (const auto& d : dropped_) {
      if (out.count(d.position) || !catalog_.TypeNameOf(d.target).ok()) continue;
      bool linked = false;
      for (const auto& e : catalog_.Edges(d.owner, d.attribute)) linked = linked || (e.active && e.other == d.target);
      if (!linked) out.insert(d.position);
    }
    dropped_.clear();
    return {out.begin(), out.end()};
  }

  void Add(Item item) {
    pending_.insert(item.guid);
    entities_.push_back(std::move(item.ext["entity"]));
    for (auto& [g, e] : item.ext["referredEntities"].items()) {
      pending_.insert(g);
      referred_[g] = std::move(e);
    }
    last_position_ = item.position;
    if (first_position_ == SIZE_MAX) first_position_ = item.position;
    if (entities_.size() + referred_.size() >= options_.batch_entities) flush_needed_ = true;
  }

  bool flush_needed() const { return flush_needed_; }

  Status Flush() {
    flush_needed_ = false;
    if (entities_.empty()) return Status::Ok();
    auto m = catalog_.ImportEntities(entities_, referred_, user_);
    if (!m.ok()) {
      return Status(m.status().code(), m.status().atlas_code(),
                    "import stopped in the batch of order positions " + std::to_string(first_position_) + ".." +
                        std::to_string(last_position_) + ", which was not written (the batches before it were; "
                        "resume with startPosition " + std::to_string(first_position_) + "): " + m.status().message());
    }
    const json assigned = m->response.value("guidAssignments", json::object());
    for (auto& [incoming, local] : assigned.items()) aliases_[incoming] = local.get<std::string>();
    std::unordered_set<std::string> created;
    for (const json& h : m->response.value("mutatedEntities", json::object()).value("CREATE", json::array()))
      created.insert(h.value("guid", ""));
    auto tally = [&](const json& e) {
      const std::string g = e.value("guid", "");
      if (!known_.insert(g).second) return;  // counted once, as Atlas does
      const std::string key = "entity:" + e.value("typeName", "") + (created.count(g) ? ":created" : ":updated");
      metrics_[key] = metrics_.value(key, 0) + 1;
      processed.push_back(g);
    };
    for (const json& e : entities_) tally(e);
    for (auto& [g, e] : referred_.items()) tally(e);
    entities_ = json::array();
    referred_ = json::object();
    pending_.clear();
    first_position_ = SIZE_MAX;
    return Status::Ok();
  }

 private:
  catalog::Catalog& catalog_;
  const ExchangeOptions& options_;
  ZipReader& zip_;
  const Transforms& transforms_;
  const std::string& user_;
  json& metrics_;
  const json replicated_from_;  // AtlasObjectId of the source AtlasServer, or null
  json entities_ = json::array();
  json referred_ = json::object();
  struct Dropped {
    size_t position;
    std::string owner, attribute, target;
  };
  std::vector<Dropped> dropped_;
  std::unordered_set<std::string> pending_, known_;
  // Incoming guid → local guid of entities that existed here under another guid.
  std::unordered_map<std::string, std::string> aliases_;
  size_t first_position_ = SIZE_MAX, last_position_ = 0;
  bool flush_needed_ = false;
};

}  // namespace

Result<json> ReadImport(catalog::Catalog& catalog, const ExchangeOptions& options, ZipReader& zip,
                        const json& request, const Caller& caller) {
  const int64_t started = catalog::NowMillis();
  json opts = request.is_object() ? request.value("options", json::object()) : json::object();
  if (!opts.is_object()) return Status::InvalidArgument("AtlasImportRequest options must be an object");
  json result = {{"request", request.is_object() ? request : json::object()},
                 {"userName", caller.user},
                 {"clientIpAddress", caller.client_ip},
                 {"hostName", HostName(options)},
                 {"timeStamp", started},
                 {"metrics", json::object()},
                 {"processedEntities", json::array()},
                 {"operationStatus", "SUCCESS"}};
  if (zip.entry_count() == 0) return result;  // Atlas: an empty ZIP imports nothing
  if (!zip.Has(kOrderEntry)) return Status::InvalidArgument(std::string("invalid export ZIP: it has no ") + kOrderEntry);
  ASSIGN_OR_RETURN(json order, ReadJsonEntry(zip, kOrderEntry));
  if (!order.is_array()) return Status::InvalidArgument(std::string(kOrderEntry) + " must be a list of guids");
  for (const json& g : order)
    if (!g.is_string()) return Status::InvalidArgument(std::string(kOrderEntry) + " must be a list of guids");
  if (zip.Has(kInfoEntry)) {
    ASSIGN_OR_RETURN(json info, ReadJsonEntry(zip, kInfoEntry));
    result["exportResult"] = std::move(info);
  }
  if (order.empty()) return result;

  // Everything that can be refused is checked before anything is written.
  ASSIGN_OR_RETURN(Transforms transforms, Transforms::Parse(opts));
  size_t start = 0;
  const std::string start_guid = OptionText(opts, "startGuid");
  const std::string start_position = OptionText(opts, "startPosition");
  if (!start_guid.empty()) {
    auto it = std::find(order.begin(), order.end(), json(start_guid));
    if (it == order.end()) return Status::InvalidArgument("startGuid " + start_guid + " is not in " + kOrderEntry);
    start = static_cast<size_t>(it - order.begin());
  } else if (!start_position.empty()) {
    try {
      start = std::stoul(start_position);
    } catch (const std::exception&) {
      return Status::InvalidArgument("startPosition must be a number, got " + start_position);
    }
  }
  json typesdef;
  const std::string update_types = OptionText(opts, "updateTypeDefinition");
  if ((update_types.empty() || update_types == "true") && zip.Has(kTypesEntry)) {
    ASSIGN_OR_RETURN(typesdef, ReadJsonEntry(zip, kTypesEntry));
  }

  json& metrics = result["metrics"];
  if (!typesdef.is_null()) RETURN_IF_ERROR(MergeTypes(catalog, typesdef, caller.user, metrics));
  {
    json missing = json::array();
    auto reg = catalog.types();
    for (const auto& name : transforms.added_classifications())
      if (!reg->Find(name)) missing.push_back({{"name", name}, {"description", name}, {"attributeDefs", json::array()}});
    if (!missing.empty()) RETURN_IF_ERROR(catalog.CreateTypes({{"classificationDefs", missing}}, caller.user).status());
  }

  // replicatedFrom: the source server as an AtlasServer entity ("dc1$cl1": name cl1, fullName dc1$cl1).
  json replicated_from, replicated_from_server;
  const std::string source_server = OptionText(opts, "replicatedFrom");
  if (!source_server.empty()) {
    ASSIGN_OR_RETURN(replicated_from_server, UpsertServer(catalog, source_server, caller.user));
    if (OptionText(opts, "skipUpdateReplicationAttr") != "true") replicated_from = replicated_from_server;
  }

  Run run(catalog, options, zip, transforms, caller.user, metrics, std::move(replicated_from));
  auto import = [&](size_t i) -> Status {
    ASSIGN_OR_RETURN(Item item, run.Load(i, order[i].get<std::string>()));
    run.DropUnresolved(item);
    run.Add(std::move(item));
    return run.flush_needed() ? run.Flush() : Status::Ok();
  };
  for (size_t i = start; i < order.size(); ++i) RETURN_IF_ERROR(import(i));
  RETURN_IF_ERROR(run.Flush());
  // Entries that referred to an entity imported after them, which did not refer back, once more.
  for (size_t i : run.Unlinked()) RETURN_IF_ERROR(import(i));
  RETURN_IF_ERROR(run.Flush());
  if (!replicated_from_server.is_null() && result.contains("exportResult"))
    RETURN_IF_ERROR(MirrorReplicatedTables(catalog, result["exportResult"].value("request", json::object()),
                                           run.processed, replicated_from_server, caller.user, metrics));
  result["processedEntities"] = std::move(run.processed);
  metrics["duration"] = catalog::NowMillis() - started;
  return result;
}

}  // namespace meridian::exchange::internal
