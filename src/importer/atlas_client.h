// The Atlas v2 (and Meridian lineage) calls import-hive and lineage-sql need.
//
// Error mapping: 401 -> kUnauthenticated, 403 -> kPermissionDenied, other 4xx
// -> kInvalidArgument carrying the server's errorCode and errorMessage, 5xx ->
// kInternal (503: kUnavailable), lost connection -> kUnavailable.
// Thread-safety: one client per thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "meridian/status.h"
#include "meridian/client/rest_client.h"

namespace meridian::importer {

using client::Base64Encode;
using client::HttpResponse;
using client::RestClient;
using client::RestClientOptions;
using client::UrlEncode;

class AtlasClient {
 public:
  explicit AtlasClient(std::unique_ptr<RestClient> rest) : rest_(std::move(rest)) {}

  // POST /api/atlas/admin/export: the ZIP's bytes (empty for 204).
  Result<std::string> PostExport(const nlohmann::json& request);
  // POST /api/atlas/admin/import (multipart: `zip` as data, `request` as request): AtlasImportResult.
  Result<nlohmann::json> PostImport(const std::string& zip, const nlohmann::json& request);
  // POST /api/atlas/v2/entity/bulk; returns the EntityMutationResponse.
  Result<nlohmann::json> PostBulk(const nlohmann::json& request);
  // GET /api/atlas/v2/entity/uniqueAttribute/type/{type}?attr:qualifiedName=..
  // (minExtInfo, relationships kept). nullopt when there is no ACTIVE entity.
  Result<std::optional<nlohmann::json>> GetByQualifiedName(const std::string& type,
                                                           const std::string& qualified_name);
  // GET /api/atlas/v2/entity/guid/{guid}?minExtInfo=true; the "entity" object.
  Result<nlohmann::json> GetByGuid(const std::string& guid);
  // POST /api/atlas/v2/search/basic, paging through all results; entity headers.
  Result<std::vector<nlohmann::json>> SearchAll(nlohmann::json params, int page_size = 1000);
  // DELETE /api/atlas/v2/entity/guid/{guid}; returns the EntityMutationResponse.
  Result<nlohmann::json> DeleteGuid(const std::string& guid);
  // POST /api/meridian/v1/lineage/sql?defaultDb=..&cluster=..[&user=..] with
  // the SQL as text/plain; `user` (when not empty) is recorded as the process
  // user. nullopt when the server answers 404 (endpoint not available).
  Result<std::optional<nlohmann::json>> PostLineageSql(const std::string& sql,
                                                       const std::string& default_db,
                                                       const std::string& cluster,
                                                       const std::string& user = "");

  // POST /api/meridian/v1/admin/backup {"to": dir}: a backup written by the
  // server into `dir` (a folder on the server's machine); the server's summary.
  Result<nlohmann::json> PostBackup(const std::string& dir);

  const std::string& base_url() const { return rest_->base_url(); }

 private:
  Result<nlohmann::json> Call(std::string_view method, const std::string& target,
                              const std::string& body, std::string_view content_type,
                              bool not_found_is_null);

  std::unique_ptr<RestClient> rest_;
};

// The Status for a non-2xx response (see the error mapping above).
Status StatusFromResponse(const HttpResponse& response, const std::string& what);

// Fatal for a whole run: wrong credentials, no permission, server gone.
bool IsFatal(const Status& status);

}  // namespace meridian::importer
