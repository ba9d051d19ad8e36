#include "atlas_client.h"
#include "meridian/atlas_error_codes.h"

#include <random>

namespace meridian::importer {

using nlohmann::json;

Status StatusFromResponse(const HttpResponse& response, const std::string& what) {
  std::string code;
  std::string message;
  try {
    json body = json::parse(response.body);
    if (body.is_object()) {
      code = body.value("errorCode", "");
      message = body.value("errorMessage", "");
    }
  } catch (const json::exception&) {
    message = response.body.substr(0, 200);
  }
  const std::string text = what + ": HTTP " + std::to_string(response.status) +
                           (message.empty() ? "" : ": " + message);
  if (response.status == 401) {
    return {StatusCode::kUnauthenticated, code.empty() ? atlas_code::kUnauthenticated : code,
            what + ": the server rejected the user name or password (HTTP 401)"};
  }
  if (response.status == 403) {
    return {StatusCode::kPermissionDenied, code.empty() ? atlas_code::kUnauthorizedAccess : code, text};
  }
  if (response.status == 404) {
    return {StatusCode::kNotFound, code.empty() ? atlas_code::kInstanceGuidNotFound : code, text};
  }
  if (response.status >= 400 && response.status < 500) {
    return {StatusCode::kInvalidArgument, code.empty() ? atlas_code::kUnknownType : code, text};
  }
  if (response.status == 503) {
    return {StatusCode::kUnavailable, code.empty() ? atlas_code::kUnavailable : code, text};
  }
  return {StatusCode::kInternal, code.empty() ? atlas_code::kInternalError : code, text};
}

bool IsFatal(const Status& status) {
  return status.code() == StatusCode::kUnauthenticated ||
         status.code() == StatusCode::kPermissionDenied ||
         status.code() == StatusCode::kUnavailable;
}

Result<json> AtlasClient::Call(std::string_view method, const std::string& target,
                               const std::string& body, std::string_view content_type,
                               bool not_found_is_null) {
  ASSIGN_OR_RETURN(HttpResponse response, rest_->Request(method, target, body, content_type));
  const std::string what = std::string(method) + " " + target.substr(0, target.find('?'));
  if (response.status == 404 && not_found_is_null) return json();
  if (response.status < 200 || response.status >= 300) return StatusFromResponse(response, what);
  if (response.body.empty()) return json::object();
  try {
    return json::parse(response.body);
  } catch (const json::exception& e) {
    return Status::Internal(what + ": server sent invalid JSON: " + e.what());
  }
}

Result<std::string> AtlasClient::PostExport(const json& request) {
  ASSIGN_OR_RETURN(HttpResponse response, rest_->Request("POST", "/api/atlas/admin/export", request.dump()));
  if (response.status < 200 || response.status >= 300) return StatusFromResponse(response, "POST /api/atlas/admin/export");
  return std::move(response.body);
}

Result<json> AtlasClient::PostImport(const std::string& zip, const json& request) {
  std::random_device rd;
  const std::string boundary = "meridian-import-" + std::to_string(rd()) + std::to_string(rd()) + std::to_string(rd());
  std::string body;
  body.reserve(zip.size() + 512);
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n";
  body += request.dump();
  body += "\r\n--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"export.zip\"\r\n"
          "Content-Type: application/zip\r\n\r\n";
  body += zip;
  body += "\r\n--" + boundary + "--\r\n";
  return Call("POST", "/api/atlas/admin/import", body, "multipart/form-data; boundary=" + boundary, false);
}

Result<json> AtlasClient::PostBackup(const std::string& dir) {
  return Call("POST", "/api/meridian/v1/admin/backup", json{{"to", dir}}.dump(), "application/json", false);
}

Result<json> AtlasClient::PostBulk(const json& request) {
  return Call("POST", "/api/atlas/v2/entity/bulk", request.dump(), "application/json", false);
}

Result<std::optional<json>> AtlasClient::GetByQualifiedName(const std::string& type,
                                                            const std::string& qualified_name) {
  ASSIGN_OR_RETURN(json body, Call("GET",
                                   "/api/atlas/v2/entity/uniqueAttribute/type/" + UrlEncode(type) +
                                       "?attr:qualifiedName=" + UrlEncode(qualified_name) +
                                       "&minExtInfo=true",
                                   "", "", true));
  if (body.is_null() || !body.contains("entity")) return std::optional<json>();
  return std::optional<json>(body["entity"]);
}

Result<json> AtlasClient::GetByGuid(const std::string& guid) {
  ASSIGN_OR_RETURN(json body, Call("GET", "/api/atlas/v2/entity/guid/" + UrlEncode(guid) +
                                              "?minExtInfo=true",
                                   "", "", false));
  return body.value("entity", json::object());
}

Result<std::vector<json>> AtlasClient::SearchAll(json params, int page_size) {
  std::vector<json> out;
  params["limit"] = page_size;
  for (int offset = 0;; offset += page_size) {
    params["offset"] = offset;
    ASSIGN_OR_RETURN(json body, Call("POST", "/api/atlas/v2/search/basic", params.dump(),
                                     "application/json", false));
    const json entities = body.value("entities", json::array());
    for (const auto& e : entities) out.push_back(e);
    if (static_cast<int>(entities.size()) < page_size) break;
  }
  return out;
}

Result<json> AtlasClient::DeleteGuid(const std::string& guid) {
  return Call("DELETE", "/api/atlas/v2/entity/guid/" + UrlEncode(guid), "", "", false);
}

Result<std::optional<json>> AtlasClient::PostLineageSql(const std::string& sql,
                                                        const std::string& default_db,
                                                        const std::string& cluster,
                                                        const std::string& user) {
  std::string target = "/api/meridian/v1/lineage/sql?defaultDb=" + UrlEncode(default_db) +
                       "&cluster=" + UrlEncode(cluster);
  if (!user.empty()) target += "&user=" + UrlEncode(user);
  ASSIGN_OR_RETURN(json body, Call("POST", target, sql, "text/plain", true));
  if (body.is_null()) return std::optional<json>();
  return std::optional<json>(std::move(body));
}

}  // namespace meridian::importer
