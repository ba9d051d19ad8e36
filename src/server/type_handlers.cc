// /api/atlas/v2/types/... : type definitions.
#include "handler_util.h"
#include "routes.h"
#include "meridian/server/api.h"
#include "meridian/types/typedef_shape.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::server {

using nlohmann::json;
using types::Category;

namespace {

const char* ListKey(Category c) {
  switch (c) {
    case Category::kEnum: return "enumDefs";
    case Category::kStruct: return "structDefs";
    case Category::kClassification: return "classificationDefs";
    case Category::kEntity: return "entityDefs";
    case Category::kRelationship: return "relationshipDefs";
    case Category::kBusinessMetadata: return "businessMetadataDefs";
  }
  return "entityDefs";
}

std::optional<Category> CategoryFilter(const std::string& t) {
  if (t == "entity" || t == "class") return Category::kEntity;
  if (t == "classification" || t == "trait") return Category::kClassification;
  if (t == "struct") return Category::kStruct;
  if (t == "enum") return Category::kEnum;
  if (t == "relationship") return Category::kRelationship;
  if (t == "business_metadata") return Category::kBusinessMetadata;
  return std::nullopt;
}

// Applies the typedefs filters of Atlas's SearchFilter.
bool Matches(const types::TypeDef& def, const HttpRequest& req) {
  std::string type = req.Query("type");
  if (!type.empty()) {
    auto c = CategoryFilter(type);
    if (!c || *c != def.category) return false;
  }
  std::string name = req.Query("name");
  if (!name.empty() && def.name != name) return false;
  std::string sup = req.Query("supertype");
  if (!sup.empty() && !(def.IsA(sup) && def.name != sup)) return false;
  std::string notsup = req.Query("notsupertype");
  if (!notsup.empty() && def.IsA(notsup)) return false;
  std::string service = types::StringField(def.json, "serviceType");
  std::string st = req.Query("servicetype");
  if (!st.empty() && service != st) return false;
  std::string nst = req.Query("notservicetype");
  if (!nst.empty() && service == nst) return false;
  if (req.QueryBool("excludeInternalTypesAndReferences", false) && (def.IsA("__internal") || def.name[0] == '_'))
    return false;
  return true;
}

HttpResponse OneDef(const catalog::Catalog& c, const std::string& name, std::optional<Category> want, bool by_guid) {
  auto reg = c.types();
  const types::TypeDef* def = by_guid ? reg->FindByGuid(name) : reg->Find(name);
  if (!def || (want && def->category != *want))
    return HttpResponse::Error(Status::NotFound("Given typename " + name + " was invalid", atlas_code::kTypeNameNotFound));
  return HttpResponse::Json(reg->ToJson(*def));
}

}  // namespace

void RegisterTypeRoutes(Router& r, const Services& s) {
  catalog::Catalog* c = s.catalog;
  const std::string base = "/api/atlas/v2/types";
  r.Add("GET", base + "/typedefs", Access::kRead, [c](HttpRequest& req) {
    auto reg = c->types();
    json out = {{"enumDefs", json::array()}, {"structDefs", json::array()}, {"classificationDefs", json::array()},
                {"entityDefs", json::array()}, {"relationshipDefs", json::array()},
                {"businessMetadataDefs", json::array()}};
    for (const auto& [name, def] : reg->all())
      if (Matches(def, req)) out[ListKey(def.category)].push_back(reg->ToJson(def));
    return HttpResponse::Json(out);
  });
  r.Add("GET", base + "/typedefs/headers", Access::kRead, [c](HttpRequest& req) {
    auto reg = c->types();
    json out = json::array();
    for (const auto& [name, def] : reg->all())
      if (Matches(def, req))
        out.push_back({{"guid", types::StringField(def.json, "guid")}, {"name", name},
                       {"category", types::CategoryName(def.category)},
                       {"serviceType", types::StringField(def.json, "serviceType")}});
    return HttpResponse::Json(out);
  });
  r.Add("POST", base + "/typedefs", Access::kAdmin, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    return body.ok() ? JsonOr(c->CreateTypes(*body, req.principal.user)) : HttpResponse::Error(body.status());
  });
  r.Add("PUT", base + "/typedefs", Access::kAdmin, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    return body.ok() ? JsonOr(c->UpdateTypes(*body, req.principal.user)) : HttpResponse::Error(body.status());
  });
  r.Add("DELETE", base + "/typedefs", Access::kAdmin, [c](HttpRequest& req) {
    auto body = req.JsonBody();
    return body.ok() ? NoContentOr(c->DeleteTypes(*body, req.principal.user)) : HttpResponse::Error(body.status());
  });
  r.Add("DELETE", base + "/typedef/name/{name}", Access::kAdmin,
        [c](HttpRequest& req) { return NoContentOr(c->DeleteTypeByName(req.params["name"], req.principal.user)); });
  r.Add("GET", base + "/typedef/name/{name}", Access::kRead,
        [c](HttpRequest& req) { return OneDef(*c, req.params["name"], std::nullopt, false); });
  r.Add("GET", base + "/typedef/guid/{guid}", Access::kRead,
        [c](HttpRequest& req) { return OneDef(*c, req.params["guid"], std::nullopt, true); });
  const std::pair<const char*, Category> kinds[] = {
      {"enumdef", Category::kEnum}, {"structdef", Category::kStruct}, {"classificationdef", Category::kClassification},
      {"entitydef", Category::kEntity}, {"relationshipdef", Category::kRelationship},
      {"businessmetadatadef", Category::kBusinessMetadata}};
  for (const auto& [path, cat] : kinds) {
    Category want = cat;
    r.Add("GET", base + "/" + path + "/name/{name}", Access::kRead,
          [c, want](HttpRequest& req) { return OneDef(*c, req.params["name"], want, false); });
    r.Add("GET", base + "/" + path + "/guid/{guid}", Access::kRead,
          [c, want](HttpRequest& req) { return OneDef(*c, req.params["guid"], want, true); });
  }
}

}  // namespace meridian::server
