// Business metadata on entities (Atlas's businessAttributes), its CSV import,
// and the classification sync calls (bulk/headers, bulk/setClassifications).
#include <map>
#include <set>

#include "meridian/catalog/csv.h"
#include "write_context.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::catalog {

namespace {

constexpr const char* kField = "businessAttributes";

// Business-metadata name -> its attributes that apply to `entity_type`.
using Applicable = std::map<std::string, std::map<std::string, const types::AttributeDef*>>;

Applicable ApplicableTo(const types::TypeRegistry& reg, const types::TypeDef& entity_type) {
  Applicable out;
  for (const auto& [name, def] : reg.all()) {
    if (def.category != types::Category::kBusinessMetadata) continue;
    for (const auto& [attr, ad] : def.attributes)
      if (types::AppliesTo(ad, entity_type)) out[name][attr] = &ad;
  }
  return out;
}

size_t MaxStrLength(const types::AttributeDef& a) {
  auto opts = a.json.find("options");
  if (opts == a.json.end() || !opts->is_object() || !opts->contains("maxStrLength")) return 0;
  const json& v = (*opts)["maxStrLength"];
  if (v.is_number_unsigned()) return v.get<size_t>();
  if (v.is_string()) {
    try {
      return std::stoul(v.get<std::string>());
    } catch (...) {
    }
  }
  return 0;
}

Status InvalidParams(const std::vector<std::string>& messages) {
  return Status::NotFound("Invalid instance creation/updation parameters passed : " + json(messages).dump(),
                          atlas_code::kInstanceCrudInvalidParams);
}

// Validates and normalises `update` ({bm: {attr: value}}) for the entity
// `record`, collecting Atlas's messages; returns the normalised update.
json Validate(const types::TypeRegistry& reg, const types::TypeDef& type, const json& record, const json& update,
              bool overwrite, std::vector<std::string>* messages) {
  const Applicable applicable = ApplicableTo(reg, type);
  const json current = record.value(kField, json::object());
  json out = json::object();
  for (auto bm = update.begin(); bm != update.end(); ++bm) {
    auto defs = applicable.find(bm.key());
    if (defs == applicable.end()) {
      messages->push_back(bm.key() + ": invalid business-metadata for entity type " + type.name);
      continue;
    }
    if (!bm->is_object() && !bm->is_null()) {
      messages->push_back(bm.key() + ": business attributes must be an object");
      continue;
    }
    const json given = bm->is_object() ? *bm : json::object();
    json& attrs = out[bm.key()] = json::object();
    for (auto a = given.begin(); a != given.end(); ++a)
      if (!defs->second.count(a.key()))
        messages->push_back(type.name + "." + bm.key() + "." + a.key() +
                            ": invalid business-metadata attribute for entity type " + type.name);
    for (const auto& [name, ad] : defs->second) {
      const std::string field = type.name + "." + bm.key() + "." + name;
      auto v = given.find(name);
      if (v != given.end() && !v->is_null()) {
        json value = *v;
        Status s = internal::NormalizeValue(reg, ad->value_type, field, value);
        if (!s.ok()) {
          messages->push_back(s.message());
          continue;
        }
        size_t max = MaxStrLength(*ad);
        if (max > 0 && value.is_string() && value.get<std::string>().size() > max) {
          messages->push_back(field + ":  Business attribute-value exceeds maximum length limit");
          continue;
        }
        attrs[name] = std::move(value);
      } else if (!ad->is_optional) {
        bool present = !overwrite && current.contains(bm.key()) && current[bm.key()].contains(name);
        if (!present)
          messages->push_back(field + ": mandatory business-metadata attribute value missing in type " + type.name);
      }
    }
  }
  return out;
}

// Applies a validated update to `record`; true when something changed.
bool Apply(json& record, const json& update, bool overwrite) {
  json before = record.value(kField, json::object());
  json after = overwrite ? json::object() : before;
  for (auto bm = update.begin(); bm != update.end(); ++bm)
    for (auto a = bm->begin(); a != bm->end(); ++a) after[bm.key()][a.key()] = *a;
  if (after == before) return false;
  if (after.empty()) record.erase(kField);
  else record[kField] = std::move(after);
  return true;
}

// Validates and applies `update` to the loaded entity `guid` inside `ctx`.
Status Change(WriteContext& ctx, const std::string& guid, const json& update, bool overwrite) {
  if (!update.is_object() || update.empty())
    return Status::InvalidArgument("invalid parameters: businessAttributes is null/empty", atlas_code::kInvalidParameters);
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
  if (!type) return Status::Internal("entity " + guid + " has an unknown type");
  std::vector<std::string> messages;
  json clean = Validate(ctx.reg(), *type, *rec, update, overwrite, &messages);
  if (!messages.empty()) return InvalidParams(messages);
  if (Apply(*rec, clean, overwrite))
    ctx.Touch(guid, "BUSINESS_ATTRIBUTE_UPDATE", "Updated business attributes: " + clean.dump());
  return Status::Ok();
}

}  // namespace

Status Catalog::SetBusinessAttributes(const std::string& guid, const json& business_attributes, bool overwrite,
                                      const std::string& user) {
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  RETURN_IF_ERROR(Change(ctx, guid, business_attributes, overwrite));
  return ctx.Commit(nullptr);
}

Status Catalog::RemoveBusinessAttributes(const std::string& guid, const json& business_attributes,
                                         const std::string& user) {
  if (!business_attributes.is_object() || business_attributes.empty())
    return Status::InvalidArgument("invalid parameters: businessAttributes is null/empty", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
  const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
  if (!type) return Status::Internal("entity " + guid + " has an unknown type");
  const Applicable applicable = ApplicableTo(ctx.reg(), *type);
  std::vector<std::string> messages;
  for (auto bm = business_attributes.begin(); bm != business_attributes.end(); ++bm)
    if (!applicable.count(bm.key()))
      messages.push_back(bm.key() + ": invalid business-metadata for entity type " + type->name);
  if (!messages.empty()) return InvalidParams(messages);
  json current = rec->value(kField, json::object());
  json next = current;
  for (auto bm = business_attributes.begin(); bm != business_attributes.end(); ++bm) {
    if (!next.contains(bm.key())) continue;
    if (!bm->is_object() || bm->empty()) {
      next.erase(bm.key());
      continue;
    }
    for (auto a = bm->begin(); a != bm->end(); ++a) next[bm.key()].erase(a.key());
    if (next[bm.key()].empty()) next.erase(bm.key());
  }
  if (next == current) return Status::Ok();
  if (next.empty()) rec->erase(kField);
  else (*rec)[kField] = next;
  ctx.Touch(guid, "BUSINESS_ATTRIBUTE_UPDATE", "Removed business attributes: " + business_attributes.dump());
  return ctx.Commit(nullptr);
}

std::string Catalog::BusinessMetadataTemplate() {
  return "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,"
         "EntityUniqueAttributeName[optional]\n";
}

Result<json> Catalog::ImportBusinessMetadataCsv(const std::string& text, const std::string& user) {
  auto rows = csv::Parse(text);
  if (!rows.empty() && !rows[0].empty() && rows[0][0] == "EntityType") rows.erase(rows.begin());
  if (rows.empty()) return Status::InvalidArgument("No data found in the uploaded file", atlas_code::kNoDataFound);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  json failed = json::array(), succeeded = json::array();
  auto fail = [&](size_t line, const std::string& msg) {
    failed.push_back({{"parentObjectName", ""}, {"childObjectName", ""}, {"importStatus", "FAILED"},
                      {"remarks", "Line #" + std::to_string(line) + ": " + msg}});
  };
  // Rows grouped per entity, in first-seen order: {bm: {attr: value}}.
  std::vector<std::string> order;
  std::map<std::string, json> updates;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const size_t line = i + 2;  // after the header line
    if (r.size() < 4 || r[0].empty() || r[1].empty() || r[2].empty() || r[3].empty()) {
      fail(line, "missing fields");
      continue;
    }
    const types::TypeDef* type = ctx.reg().FindEntity(r[0]);
    if (!type) {
      fail(line, "invalid entity-type '" + r[0] + "'");
      continue;
    }
    const std::string unique_attr = r.size() > 4 && !r[4].empty() ? r[4] : "qualifiedName";
    const types::AttributeDef* ua = type->FindAttribute(unique_attr);
    if (!ua || !ua->is_unique) {
      fail(line, "attribute '" + unique_attr + "' is not an unique attribute in entity-type '" + r[0] + "'");
      continue;
    }
    auto guid = ctx.FindUnique(r[0], unique_attr, r[1]);
    if (!guid) {
      fail(line, "no " + r[0] + " entity found with " + unique_attr + "=" + r[1]);
      continue;
    }
    const size_t dot = r[2].find('.');
    const std::string bm = dot == std::string::npos ? "" : r[2].substr(0, dot);
    const std::string attr = dot == std::string::npos ? "" : r[2].substr(dot + 1);
    const Applicable applicable = ApplicableTo(ctx.reg(), *type);
    auto defs = applicable.find(bm);
    if (defs == applicable.end() || !defs->second.count(attr)) {
      fail(line, "invalid business-metadata '" + r[2] + "' for entity type '" + r[0] + "'");
      continue;
    }
    json value = r[3];
    if (defs->second.at(attr)->value_type.kind == types::ValueType::Kind::kArray) {
      value = json::array();
      for (const auto& item : csv::SplitList(r[3])) value.push_back(item);
    }
    if (!updates.count(*guid)) order.push_back(*guid);
    updates[*guid][bm][attr] = std::move(value);
  }
  for (const auto& guid : order) {
    // Each entity's rows succeed or fail together (Change validates before it writes).
    Status s = Change(ctx, guid, updates[guid], false);
    if (!s.ok()) {
      failed.push_back({{"parentObjectName", guid}, {"childObjectName", updates[guid].dump()},
                        {"importStatus", "FAILED"}, {"remarks", s.message()}});
      continue;
    }
    succeeded.push_back({{"parentObjectName", guid}, {"childObjectName", updates[guid].dump()},
                         {"importStatus", "SUCCESS"}, {"remarks", ""}});
  }
  json response = {{"successImportInfoList", succeeded}, {"failedImportInfoList", failed}};
  if (!succeeded.empty()) {
    ctx.AddAdminAudit("IMPORT", json{{"kind", "businessmetadata"}, {"rows", rows.size()}},
                      json{{"succeeded", succeeded.size()}, {"failed", failed.size()}},
                      static_cast<int>(succeeded.size()));
    RETURN_IF_ERROR(ctx.Commit(nullptr));
  }
  return response;
}

// ---- Classification sync ----

Result<json> Catalog::ClassificationChangesSince(int64_t from_ms) const {
  const int64_t now = NowMillis();
  if (from_ms > now)
    return Status::InvalidArgument("fromTimestamp should be less than toTimestamp", atlas_code::kBadRequest);
  static const std::set<std::string> kActions = {"CLASSIFICATION_ADD", "CLASSIFICATION_DELETE",
                                                 "CLASSIFICATION_UPDATE"};
  std::set<std::string> guids;
  RETURN_IF_ERROR(store_->Scan(store::Family::kAudit, "", [&](std::string_view, std::string_view v) {
    auto ev = store::DecodeRecord(v);
    if (ev.ok() && ev->value("timestamp", int64_t{0}) >= from_ms && kActions.count(ev->value("action", "")))
      guids.insert(ev->value("entityId", ""));
    return true;
  }));
  json map = json::object();
  for (const auto& g : guids) {
    auto rec = LoadRecord(g);
    if (!rec.ok()) continue;  // purged since
    json h = Header(*rec, true);
    // Only the entity's own tags: propagated copies are synced at their source.
    json own = json::array();
    for (const json& c : h["classifications"])
      if (c.value("entityGuid", g) == g) own.push_back(c);
    h["classifications"] = own;
    map[g] = std::move(h);
  }
  return json{{"guidHeaderMap", map}};
}

Status Catalog::SetClassifications(const json& guid_header_map, bool override, const std::string& user) {
  if (!guid_header_map.is_object())
    return Status::InvalidArgument("invalid parameters: guidHeaderMap must be an object", atlas_code::kInvalidParameters);
  std::lock_guard<std::mutex> lock(write_mu_);
  WriteContext ctx(*this, user);
  for (auto it = guid_header_map.begin(); it != guid_header_map.end(); ++it) {
    const json& header = *it;
    if (!header.is_object()) return Status::InvalidArgument("invalid entity header for " + it.key());
    std::string guid = header.value("guid", it.key());
    if (!ctx.Exists(guid)) {
      // Atlas finds the entity by type and qualifiedName when the guid is not known here.
      auto attrs = header.value("attributes", json::object());
      const std::string type = header.value("typeName", "");
      std::optional<std::string> found;
      if (attrs.is_object() && attrs.contains("qualifiedName") && attrs["qualifiedName"].is_string() &&
          ctx.reg().FindEntity(type))
        found = ctx.FindUnique(type, "qualifiedName", attrs["qualifiedName"]);
      if (!found) return internal::GuidNotFound(guid);
      guid = *found;
    }
    ASSIGN_OR_RETURN(json* rec, ctx.Load(guid));
    if ((*rec)["status"] != "ACTIVE")
      return Status::NotFound("Given instance guid " + guid + " has been deleted", atlas_code::kInstanceGuidDeleted);
    const types::TypeDef* type = ctx.reg().FindEntity((*rec)["typeName"].get<std::string>());
    json incoming = header.value("classifications", json::array());
    if (incoming.is_null()) incoming = json::array();
    std::map<std::string, json> wanted;
    for (json c : incoming) {
      if (c.is_object() && c.contains("entityGuid") && c["entityGuid"].is_string() && c["entityGuid"] != guid &&
          c["entityGuid"] != it.key())
        continue;  // a propagated copy: not this entity's own
      RETURN_IF_ERROR(internal::ValidateClassification(ctx.reg(), *type, c));
      std::string name = c["typeName"];
      wanted[name] = std::move(c);  // the name first: json's operator= takes its argument by value
    }
    json next = json::array();
    for (const json& existing : (*rec)["classifications"]) {
      const std::string name = existing["typeName"];
      auto w = wanted.find(name);
      if (w == wanted.end()) {
        if (!override) next.push_back(existing);
        else {
          ctx.Touch(guid, "CLASSIFICATION_DELETE", "Deleted classification: " + name);
          ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", name}});
        }
        continue;
      }
      next.push_back(w->second);
      if (w->second != existing) {
        ctx.Touch(guid, "CLASSIFICATION_UPDATE", "Updated classification: " + w->second.dump());
        ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", name}});
      }
      wanted.erase(w);
    }
    for (auto& [name, c] : wanted) {
      ctx.Touch(guid, "CLASSIFICATION_ADD", "Added classification: " + c.dump());
      if (c.value("propagate", true))
        ctx.QueuePropagation({{"kind", "classification"}, {"guid", guid}, {"name", name}});
      next.push_back(std::move(c));
    }
    (*rec)["classifications"] = std::move(next);
  }
  return ctx.Commit(nullptr);
}

}  // namespace meridian::catalog
