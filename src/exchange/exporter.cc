// Export: start entities from the request, a walk over relationships (full,
// connected or incremental), one ZIP entry per top-level entity, then the
// order file, the typedef closure and the export result.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <regex>
#include <set>
#include <unordered_set>

#include "exchange_internal.h"

namespace meridian::exchange::internal {

namespace {

enum class Direction { kBoth, kOut, kIn };

// Resolves the request's itemsToExport into start guids; fills each item's status.
Result<std::vector<std::string>> StartGuids(const catalog::Catalog& catalog, const json& items, const json& options,
                                            std::vector<std::string>* statuses) {
  auto reg = catalog.types();
  const std::string match = OptionText(options, "matchType");
  std::vector<std::string> out;
  for (const json& item : items) {
    if (!item.is_object()) return Status::InvalidArgument("itemsToExport: each item is an AtlasObjectId object");
    size_t before = out.size();
    const std::string guid = item.value("guid", "");
    const std::string type = item.value("typeName", "");
    if (!guid.empty()) {
      if (catalog.TypeNameOf(guid).ok()) out.push_back(guid);
    } else if (match == "forType") {
      size_t start = 0;
      for (size_t pos = 0; pos != std::string::npos; start = pos + 1) {
        pos = type.find(',', start);
        std::string t = type.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
        if (!reg->FindEntity(t)) continue;
        for (const auto& sub : reg->SelfAndSubTypes(t))
          RETURN_IF_ERROR(catalog.ScanTypeGuids(sub, [&](std::string_view g) {
            out.emplace_back(g);
            return true;
          }));
      }
    } else if (reg->FindEntity(type) && item.contains("uniqueAttributes") && item["uniqueAttributes"].is_object()) {
      for (auto& [attr, value] : item["uniqueAttributes"].items()) {
        if (!value.is_string()) continue;
        const std::string v = value.get<std::string>();
        if (match.empty()) {
          if (auto g = catalog.FindByUniqueAttribute(type, attr, v); g.ok()) out.push_back(*g);
          continue;
        }
        std::function<bool(const std::string&)> test;
        if (match == "startsWith") test = [v](const std::string& s) { return s.rfind(v, 0) == 0; };
        else if (match == "endsWith") test = [v](const std::string& s) { return s.size() >= v.size() && s.compare(s.size() - v.size(), v.size(), v) == 0; };
        else if (match == "contains") test = [v](const std::string& s) { return s.find(v) != std::string::npos; };
        else if (match == "matches") {
          std::regex re;
          try {
            re = std::regex(v);
          } catch (const std::regex_error&) {
            return Status::InvalidArgument("matchType matches: invalid regular expression " + v);
          }
          test = [re](const std::string& s) { return std::regex_match(s, re); };
        } else {
          return Status::InvalidArgument("unknown matchType " + match + " (startsWith, endsWith, contains, matches, forType)");
        }
        for (const auto& sub : reg->SelfAndSubTypes(type))
          RETURN_IF_ERROR(catalog.ScanTypeGuids(sub, [&](std::string_view g) {
            auto rec = catalog.LoadRecord(std::string(g));
            if (!rec.ok()) return true;
            auto a = (*rec)["attributes"].find(attr);
            if (a != (*rec)["attributes"].end() && a->is_string() && test(a->get<std::string>())) out.emplace_back(g);
            return true;
          }));
      }
    }
    statuses->push_back(out.size() > before ? "SUCCESS" : "FAIL");
  }
  return out;
}

// The typedef closure of what was exported: entity types with their super-types, the
// enums and structs their attributes use, relationship types between them, the
// classification types used, and business metadata present on the entities.
json TypesDef(const types::TypeRegistry& reg, const std::set<std::string>& entity_types,
              const std::set<std::string>& classification_types, const std::set<std::string>& business_types) {
  std::set<std::string> names;
  std::function<void(const types::ValueType&)> add_value;
  std::function<void(const std::string&)> add = [&](const std::string& name) {
    const types::TypeDef* def = reg.Find(name);
    if (!def || !names.insert(name).second) return;
    for (const auto& s : def->all_super_types) add(s);
    for (const auto& [attr, ad] : def->attributes) add_value(ad.value_type);
  };
  add_value = [&](const types::ValueType& v) {
    using K = types::ValueType::Kind;
    if (v.kind == K::kEnum || v.kind == K::kStruct) add(v.name);
    if (v.element) add_value(*v.element);
    if (v.key) add_value(*v.key);
  };
  for (const auto& t : entity_types) add(t);
  for (const auto& t : classification_types) add(t);
  for (const auto& t : business_types) add(t);
  std::set<std::string> entities;
  for (const auto& n : names)
    if (const types::TypeDef* d = reg.Find(n); d && d->category == types::Category::kEntity) entities.insert(n);
  for (const auto& [name, def] : reg.all())
    if (def.category == types::Category::kRelationship && def.end1 && def.end2 && entities.count(def.end1->type) &&
        entities.count(def.end2->type))
      names.insert(name);
  json out = {{"enumDefs", json::array()},         {"structDefs", json::array()},
              {"classificationDefs", json::array()}, {"entityDefs", json::array()},
              {"relationshipDefs", json::array()},   {"businessMetadataDefs", json::array()}};
  for (const auto& n : names) {
    const types::TypeDef* d = reg.Find(n);
    const char* key = nullptr;
    switch (d->category) {
      case types::Category::kEnum: key = "enumDefs"; break;
      case types::Category::kStruct: key = "structDefs"; break;
      case types::Category::kClassification: key = "classificationDefs"; break;
      case types::Category::kEntity: key = "entityDefs"; break;
      case types::Category::kRelationship: key = "relationshipDefs"; break;
      case types::Category::kBusinessMetadata: key = "businessMetadataDefs"; break;
    }
    out[key].push_back(reg.ToJson(*d));
  }
  return out;
}

std::string OperationStatus(const std::vector<std::string>& statuses) {
  if (statuses.empty()) return "FAIL";
  for (const auto& s : statuses)
    if (s != statuses.front()) return "PARTIAL_SUCCESS";
  return statuses.front();
}

}  // namespace

Result<ExportOutput> WriteExport(catalog::Catalog& catalog, const ExchangeOptions& options, const json& request,
                                 const Caller& caller, const Deadline& cancel) {
  const int64_t started = catalog::NowMillis();
  // Every mutation that stamped an updateTime before `started` has committed once this returns,
  // so the next incremental export from `started` misses nothing.
  catalog.RunExclusive([] {});
  if (!request.is_object()) return Status::InvalidArgument("AtlasExportRequest must be an object");
  json items = request.value("itemsToExport", json::array());
  if (items.is_null()) items = json::array();
  if (!items.is_array()) return Status::InvalidArgument("itemsToExport must be a list of AtlasObjectIds");
  json opts = request.value("options", json::object());
  if (opts.is_null()) opts = json::object();
  if (!opts.is_object()) return Status::InvalidArgument("options must be an object");
  std::string fetch = OptionText(opts, "fetchType");
  for (auto& ch : fetch) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const bool incremental = fetch == "incremental";
  bool connected = fetch == "connected";
  const bool skip_lineage = OptionTrue(opts, "skipLineage");
  int64_t change_marker = 0;
  if (incremental) {
    const std::string m = OptionText(opts, "changeMarker");
    if (!m.empty()) {
      try {
        change_marker = std::stoll(m);
      } catch (const std::exception&) {
        return Status::InvalidArgument("changeMarker must be a number (epoch ms), got " + m);
      }
    }
  }

  std::vector<std::string> statuses;
  ASSIGN_OR_RETURN(std::vector<std::string> starts, StartGuids(catalog, items, opts, &statuses));
  auto reg = catalog.types();
  // As in Atlas, an incremental export of tables walks like a connected one.
  if (incremental && !starts.empty())
    connected = std::all_of(starts.begin(), starts.end(), [&](const std::string& g) {
      auto type = catalog.TypeNameOf(g);
      return type.ok() && *type == "hive_table";
    });

  static std::atomic<uint64_t> counter{0};
  ExportOutput out;
  out.zip_path = options.work_dir + "/export-" + std::to_string(::getpid()) + "-" + std::to_string(started) + "-" +
                 std::to_string(counter.fetch_add(1)) + ".zip";
  ASSIGN_OR_RETURN(auto zip, ZipWriter::Create(out.zip_path));

  std::unordered_set<std::string> queued;   // reached by the walk
  std::unordered_set<std::string> written;  // in some entry, as its main or a referred entity
  std::deque<std::pair<std::string, Direction>> queue, lineage;
  for (const auto& g : starts)
    if (queued.insert(g).second) queue.emplace_back(g, Direction::kBoth);
  json order = json::array();
  json metrics = json::object();
  std::set<std::string> entity_types, classification_types, business_types;
  auto is_process = [&](const std::string& type) {
    const types::TypeDef* t = reg->FindEntity(type);
    return t && t->IsA("Process");
  };
  // Follows the edges of `guid` (of `type`) reached in direction `dir`.
  auto follow = [&](const std::string& guid, const std::string& type, Direction dir) {
    const types::TypeDef* t = reg->FindEntity(type);
    for (const auto& edge : catalog.Edges(guid)) {
      if (!edge.active || queued.count(edge.other)) continue;
      auto other_type = catalog.TypeNameOf(edge.other);
      if (!other_type.ok()) continue;
      const bool lineage_edge = is_process(*other_type);
      if (lineage_edge && skip_lineage) continue;
      Direction next = dir;
      if (connected) {
        // Outward: this entity is end 1 of the relationship (a table to its database).
        const types::TypeDef* rel = reg->Find(edge.type);
        const bool outward = rel && rel->end1 && t && rel->end1->name == edge.attribute && t->IsA(rel->end1->type);
        if ((dir == Direction::kOut && !outward) || (dir == Direction::kIn && outward)) continue;
        next = outward ? Direction::kOut : Direction::kIn;
        // Entering a lineage process turns around: from it, its other datasets.
        if (lineage_edge) next = next == Direction::kOut ? Direction::kIn : Direction::kOut;
      }
      queued.insert(edge.other);
      (lineage_edge ? lineage : queue).emplace_back(edge.other, next);
    }
  };
  auto count = [&](const json& e) {
    const std::string type = e.value("typeName", "");
    metrics["entity:" + type] = metrics.value("entity:" + type, 0) + 1;
    entity_types.insert(type);
    for (const json& c : e.value("classifications", json::array())) classification_types.insert(c.value("typeName", ""));
    if (e.contains("businessAttributes") && e["businessAttributes"].is_object())
      for (auto& [bm, v] : e["businessAttributes"].items()) business_types.insert(bm);
  };

  size_t steps = 0;
  while (!queue.empty() || !lineage.empty()) {
    if (++steps % 256 == 0 && cancel.Cancelled()) return cancel.Check("export");
    auto& from = queue.empty() ? lineage : queue;
    auto [guid, dir] = from.front();
    from.pop_front();
    if (written.count(guid)) continue;
    auto ext = catalog.GetEntity(guid, catalog::ReadOptions{});
    if (!ext.ok()) continue;
    json& entity = (*ext)["entity"];
    json& referred = (*ext)["referredEntities"];
    for (auto it = referred.begin(); it != referred.end();) it = written.count(it.key()) ? referred.erase(it) : std::next(it);
    written.insert(guid);
    for (auto& [g, e] : referred.items()) written.insert(g);
    const std::string type = entity.value("typeName", "");
    follow(guid, type, dir);
    for (auto& [g, e] : referred.items()) follow(g, e.value("typeName", ""), dir);
    if (incremental) {
      bool changed = entity.value("updateTime", int64_t{0}) >= change_marker;
      for (auto& [g, e] : referred.items()) changed = changed || e.value("updateTime", int64_t{0}) >= change_marker;
      if (!changed) continue;
    }
    count(entity);
    for (auto& [g, e] : referred.items()) count(e);
    RETURN_IF_ERROR(zip->Add(guid + ".json", ext->dump()));
    order.push_back(guid);
  }

  metrics["entity:withExtInfo"] = order.size();
  json result = {{"request", request},
                 {"userName", caller.user},
                 {"clientIpAddress", caller.client_ip},
                 {"hostName", HostName(options)},
                 {"timeStamp", started},
                 {"metrics", metrics},
                 {"operationStatus", OperationStatus(statuses)},
                 {"sourceClusterName", options.cluster_name},
                 {"changeMarker", started}};
  result["metrics"]["duration"] = catalog::NowMillis() - started;
  RETURN_IF_ERROR(zip->Add(kOrderEntry, order.dump()));
  RETURN_IF_ERROR(zip->Add(kTypesEntry, TypesDef(*reg, entity_types, classification_types, business_types).dump()));
  RETURN_IF_ERROR(zip->Add(kInfoEntry, result.dump()));
  RETURN_IF_ERROR(zip->Finish());
  out.result = std::move(result);
  out.entity_files = order.size();
  out.exported = order.get<std::vector<std::string>>();
  return out;
}

}  // namespace meridian::exchange::internal
