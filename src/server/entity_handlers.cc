// /api/atlas/v2/entity/... : entities, classifications, labels, audit.
#include "handler_util.h"
#include "routes.h"
#include "meridian/server/api.h"
#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;

std::vector<std::pair<std::string, std::string>> UniqueSelectors(const HttpRequest& req, const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : req.query)
    if (k.rfind(prefix, 0) == 0) out.emplace_back(k.substr(prefix.size()), v);
  return out;
}

Result<std::string> GuidFromUniqueAttributes(const catalog::Catalog& catalog, const HttpRequest& req) {
  const std::string type = req.params.at("typeName");
  if (!catalog.types()->FindEntity(type))
    return Status::InvalidArgument("Given typename " + type + " was invalid", atlas_code::kTypeNameInvalid);
  auto sel = UniqueSelectors(req, "attr:");
  if (sel.empty())
    return Status::InvalidArgument("no unique attribute given: use attr:qualifiedName=<value>", atlas_code::kInvalidParameters);
  return catalog.FindByUniqueAttribute(type, sel.front().first, sel.front().second);
}

namespace {

catalog::ReadOptions ReadOpts(const HttpRequest& req) {
  return {req.QueryBool("minExtInfo", false), req.QueryBool("ignoreRelationships", false)};
}

HttpResponse MutationOr(const Result<catalog::Mutation>& m) {
  return m.ok() ? HttpResponse::Json(m->response) : HttpResponse::Error(m.status());
}

}  // namespace

void RegisterEntityRoutes(Router& r, const Services& s) {
  catalog::Catalog* c = s.catalog;
  const std::string base = "/api/atlas/v2/entity";

  r.Add("POST", base, Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    if (!body->is_object() || !body->contains("entity"))
      return HttpResponse::Error(Status::InvalidArgument("body must be {\"entity\": {...}}", atlas_code::kInvalidParameters));
    return MutationOr(c->CreateOrUpdate(json::array({(*body)["entity"]}), body->value("referredEntities", json()),
                                        req.principal.user));
  });
  r.Add("POST", base + "/bulk", Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    if (!body->is_object() || !body->contains("entities"))
      return HttpResponse::Error(Status::InvalidArgument("body must be {\"entities\": [...]}", atlas_code::kInvalidParameters));
    return MutationOr(c->CreateOrUpdate((*body)["entities"], body->value("referredEntities", json()),
                                        req.principal.user));
  });
  r.Add("GET", base + "/guid/{guid}", Access::kRead,
        [c](HttpRequest& req) { return JsonOr(c->GetEntity(req.params["guid"], ReadOpts(req))); });
  r.Add("GET", base + "/guid/{guid}/header", Access::kRead,
        [c](HttpRequest& req) { return JsonOr(c->HeaderByGuid(req.params["guid"])); });
  r.Add("PUT", base + "/guid/{guid}", Access::kWrite, [c](HttpRequest& req) {
    std::string attr = req.Query("name");
    if (attr.empty())
      return HttpResponse::Error(Status::InvalidArgument("query parameter name=<attribute> is required", atlas_code::kInvalidParameters));
    auto value = req.JsonBody();
    if (!value.ok()) return HttpResponse::Error(value.status());
    // Unlike a full update, which ignores attributes the type does not define, Atlas
    // refuses to set one by name (AtlasEntityStoreV2.updateEntityAttributeByGuid).
    auto rec = c->LoadRecord(req.params["guid"]);
    if (!rec.ok()) return HttpResponse::Error(rec.status());
    const types::TypeDef* type = c->types()->FindEntity(types::StringField(*rec, "typeName"));
    if (type && !type->FindAttribute(attr) && !type->relationship_attributes.count(attr))
      return HttpResponse::Error(Status::InvalidArgument("Attribute " + attr + " not found for type " + type->name,
                                                         atlas_code::kUnknownAttribute));
    return MutationOr(c->PartialUpdate(req.params["guid"], json{{attr, *value}}, json::object(), req.principal.user));
  });
  r.Add("DELETE", base + "/guid/{guid}", Access::kWrite, [c](HttpRequest& req) {
    return MutationOr(c->DeleteEntities({req.params["guid"]}, req.principal.user));
  });
  r.Add("GET", base + "/bulk", Access::kRead, [c](HttpRequest& req) {
    auto guids = req.QueryAll("guid");
    if (guids.empty()) return HttpResponse::Error(Status::InvalidArgument("guid parameter is required", atlas_code::kInvalidParameters));
    json out = {{"entities", json::array()}, {"referredEntities", json::object()}};
    for (const auto& g : guids) {
      auto e = c->GetEntity(g, ReadOpts(req));
      if (!e.ok()) return HttpResponse::Error(e.status());
      out["entities"].push_back((*e)["entity"]);
      out["referredEntities"].update((*e)["referredEntities"]);
    }
    return HttpResponse::Json(out);
  });
  r.Add("DELETE", base + "/bulk", Access::kWrite, [c](HttpRequest& req) {
    auto guids = req.QueryAll("guid");
    if (guids.empty()) return HttpResponse::Error(Status::InvalidArgument("guid parameter is required", atlas_code::kInvalidParameters));
    return MutationOr(c->DeleteEntities(guids, req.principal.user));
  });

  // Unique-attribute forms.
  const std::string ua = base + "/uniqueAttribute/type/{typeName}";
  r.Add("GET", ua, Access::kRead, [c](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    return JsonOr(c->GetEntity(*guid, ReadOpts(req)));
  });
  r.Add("GET", ua + "/header", Access::kRead, [c](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    return JsonOr(c->HeaderByGuid(*guid));
  });
  r.Add("PUT", ua, Access::kWrite, [c](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    json entity = body->is_object() && body->contains("entity") ? (*body)["entity"] : *body;
    return MutationOr(c->PartialUpdate(*guid, entity.value("attributes", json::object()),
                                       entity.value("relationshipAttributes", json::object()), req.principal.user));
  });
  r.Add("DELETE", ua, Access::kWrite, [c](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    return MutationOr(c->DeleteEntities({*guid}, req.principal.user));
  });
  r.Add("GET", base + "/bulk/uniqueAttribute/type/{typeName}", Access::kRead, [c](HttpRequest& req) {
    const std::string type = req.params["typeName"];
    json out = {{"entities", json::array()}, {"referredEntities", json::object()}};
    for (int i = 0;; ++i) {
      auto sel = UniqueSelectors(req, "attr_" + std::to_string(i) + ":");
      if (sel.empty()) break;
      auto guid = c->FindByUniqueAttribute(type, sel.front().first, sel.front().second);
      if (!guid.ok()) return HttpResponse::Error(guid.status());
      auto e = c->GetEntity(*guid, ReadOpts(req));
      if (!e.ok()) return HttpResponse::Error(e.status());
      out["entities"].push_back((*e)["entity"]);
      out["referredEntities"].update((*e)["referredEntities"]);
    }
    return HttpResponse::Json(out);
  });

  // Classifications.
  r.Add("GET", base + "/guid/{guid}/classifications", Access::kRead, [c](HttpRequest& req) {
    auto rec = c->LoadRecord(req.params["guid"]);
    if (!rec.ok()) return HttpResponse::Error(rec.status());
    json list = c->Classifications(*rec);
    return HttpResponse::Json({{"list", list}, {"startIndex", 0}, {"pageSize", list.size()},
                               {"totalCount", list.size()}, {"sortType", "NONE"}});
  });
  r.Add("GET", base + "/guid/{guid}/classification/{name}", Access::kRead, [c](HttpRequest& req) {
    auto rec = c->LoadRecord(req.params["guid"]);
    if (!rec.ok()) return HttpResponse::Error(rec.status());
    for (const json& cl : c->Classifications(*rec))
      if (cl["typeName"] == req.params["name"]) return HttpResponse::Json(cl);
    return HttpResponse::Error(Status::NotFound("Classification " + req.params["name"] + " is not associated with entity",
                                                atlas_code::kClassificationNotFound));
  });
  auto add_classes = [c](const std::string& guid, HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    return NoContentOr(c->AddClassifications(guid, *body, req.principal.user));
  };
  auto update_classes = [c](const std::string& guid, HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    return NoContentOr(c->UpdateClassifications(guid, *body, req.principal.user));
  };
  r.Add("POST", base + "/guid/{guid}/classifications", Access::kWrite,
        [=](HttpRequest& req) { return add_classes(req.params["guid"], req); });
  r.Add("PUT", base + "/guid/{guid}/classifications", Access::kWrite,
        [=](HttpRequest& req) { return update_classes(req.params["guid"], req); });
  r.Add("DELETE", base + "/guid/{guid}/classification/{name}", Access::kWrite, [c](HttpRequest& req) {
    return NoContentOr(c->DeleteClassification(req.params["guid"], req.params["name"],
                                               req.Query("associatedEntityGuid"), req.principal.user));
  });
  r.Add("POST", ua + "/classifications", Access::kWrite, [=](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    return guid.ok() ? add_classes(*guid, req) : HttpResponse::Error(guid.status());
  });
  r.Add("PUT", ua + "/classifications", Access::kWrite, [=](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    return guid.ok() ? update_classes(*guid, req) : HttpResponse::Error(guid.status());
  });
  r.Add("DELETE", ua + "/classification/{name}", Access::kWrite, [c](HttpRequest& req) {
    auto guid = GuidFromUniqueAttributes(*c, req);
    if (!guid.ok()) return HttpResponse::Error(guid.status());
    return NoContentOr(c->DeleteClassification(*guid, req.params["name"], req.Query("associatedEntityGuid"),
                                               req.principal.user));
  });
  r.Add("POST", base + "/bulk/classification", Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    types::DropNulls(*body);  // Atlas reads null as absent
    if (!body->is_object() || !body->contains("classification"))
      return HttpResponse::Error(Status::InvalidArgument("body must carry classification and entityGuids", atlas_code::kInvalidParameters));
    std::vector<std::string> guids;
    for (const json& g : body->value("entityGuids", json::array()))
      if (g.is_string()) guids.push_back(g);
    std::string type = body->value("entityTypeName", "");
    for (const json& ua : body->value("entitiesUniqueAttributes", json::array())) {
      auto g = c->FindByUniqueAttribute(type, "qualifiedName", ua.value("qualifiedName", ""));
      if (!g.ok()) return HttpResponse::Error(g.status());
      guids.push_back(*g);
    }
    if (guids.empty()) return HttpResponse::Error(Status::InvalidArgument("no entities given", atlas_code::kInvalidParameters));
    return NoContentOr(c->AddClassificationToEntities((*body)["classification"], guids, req.principal.user));
  });

  // Labels.
  auto labels = [c](catalog::Catalog::LabelOp op) {
    return [c, op](HttpRequest& req) {
      auto body = req.JsonBody();
      if (!body.ok()) return HttpResponse::Error(body.status());
      return NoContentOr(c->ChangeLabels(req.params["guid"], *body, op, req.principal.user));
    };
  };
  r.Add("POST", base + "/guid/{guid}/labels", Access::kWrite, labels(catalog::Catalog::LabelOp::kSet));
  r.Add("PUT", base + "/guid/{guid}/labels", Access::kWrite, labels(catalog::Catalog::LabelOp::kAdd));
  r.Add("DELETE", base + "/guid/{guid}/labels", Access::kWrite, labels(catalog::Catalog::LabelOp::kRemove));
  auto labels_by_unique = [c](catalog::Catalog::LabelOp op) {
    return [c, op](HttpRequest& req) {
      auto guid = GuidFromUniqueAttributes(*c, req);
      if (!guid.ok()) return HttpResponse::Error(guid.status());
      auto body = req.JsonBody();
      if (!body.ok()) return HttpResponse::Error(body.status());
      return NoContentOr(c->ChangeLabels(*guid, *body, op, req.principal.user));
    };
  };
  r.Add("POST", ua + "/labels", Access::kWrite, labels_by_unique(catalog::Catalog::LabelOp::kSet));
  r.Add("PUT", ua + "/labels", Access::kWrite, labels_by_unique(catalog::Catalog::LabelOp::kAdd));
  r.Add("DELETE", ua + "/labels", Access::kWrite, labels_by_unique(catalog::Catalog::LabelOp::kRemove));

  // Classification sync (Ranger's tag sync): what changed since a time, and set them wholesale.
  r.Add("GET", base + "/bulk/headers", Access::kRead, [c](HttpRequest& req) {
    std::string from = req.Query("tagUpdateStartTime", "0");
    int64_t ms = 0;
    try {
      ms = std::stoll(from);
    } catch (...) {
      return HttpResponse::Error(Status::InvalidArgument("invalid tagUpdateStartTime " + from, atlas_code::kBadRequest));
    }
    return JsonOr(c->ClassificationChangesSince(ms));
  }, RouteClass::kHeavy);  // a scan of the audit log
  r.Add("POST", base + "/bulk/setClassifications", Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    if (!body.ok()) return HttpResponse::Error(body.status());
    if (!body->is_object() || !body->contains("guidHeaderMap"))
      return HttpResponse::Error(Status::InvalidArgument("body must be {\"guidHeaderMap\": {...}}", atlas_code::kInvalidParameters));
    Status s = c->SetClassifications((*body)["guidHeaderMap"], req.QueryBool("overrideClassifications", true),
                                     req.principal.user);
    return s.ok() ? HttpResponse::Json(json::object()) : HttpResponse::Error(s);
  });

  // Audit: note the path has no guid/ segment.
  r.Add("GET", base + "/{guid}/audit", Access::kRead, [c](HttpRequest& req) {
    if (!c->LoadRecord(req.params["guid"]).ok() && c->Audit(req.params["guid"], {})->empty())
      return HttpResponse::Error(Status::NotFound("Given instance guid " + req.params["guid"] + " is invalid/not found"));
    catalog::AuditQuery q;
    q.count = std::clamp(req.QueryInt("count", 100), 1, 10000);
    q.offset = std::max(0, req.QueryInt("offset", 0));
    q.action = req.Query("auditAction");
    q.sort_by = req.Query("sortBy", "timestamp");
    q.ascending = req.Query("sortOrder", "desc") == "asc" || req.Query("sortOrder") == "ASCENDING";
    return JsonOr(c->Audit(req.params["guid"], q));
  });
}

void RegisterRelationshipRoutes(Router& r, const Services& s) {
  catalog::Catalog* c = s.catalog;
  const std::string base = "/api/atlas/v2/relationship";
  r.Add("POST", base, Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    return body.ok() ? JsonOr(c->CreateRelationship(*body, req.principal.user)) : HttpResponse::Error(body.status());
  });
  r.Add("PUT", base, Access::kWrite, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    return body.ok() ? JsonOr(c->UpdateRelationship(*body, req.principal.user)) : HttpResponse::Error(body.status());
  });
  r.Add("GET", base + "/guid/{guid}", Access::kRead, [c](HttpRequest& req) {
    return JsonOr(c->GetRelationship(req.params["guid"], req.QueryBool("extendedInfo", false)));
  });
  r.Add("DELETE", base + "/guid/{guid}", Access::kWrite, [c](HttpRequest& req) {
    return NoContentOr(c->DeleteRelationship(req.params["guid"], req.principal.user));
  });
}

}  // namespace meridian::server
