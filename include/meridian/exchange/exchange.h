// Export and import of catalog content as Atlas's export ZIP
// (atlas-export-info.json, atlas-export-order.json, atlas-typesdef.json and one
// <guid>.json AtlasEntityWithExtInfo per top-level entity), both ways: ZIPs this
// service writes import into Apache Atlas, and Atlas's import into this one.
//
// Export: AtlasExportRequest → a ZIP file written under `work_dir` (entities are
// spooled to disk as they are found; memory grows only with the set of exported guids).
// Import: typedefs merged first, then the entities in the order file with their
// guids kept, in batches of `batch_entities`, each one store WriteBatch: a batch
// that fails stops the import with its error (earlier batches stay; resume with
// startPosition/startGuid), nothing of the failed batch is written.
//
// Thread-safety: all methods may be called concurrently; one export or import
// runs at a time (others get 409 ATLAS-500-00-006) except skipLineage/replicatedTo
// exports and replicatedFrom imports, as in Atlas.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/deadline.h"
#include "meridian/exchange/zip.h"
#include "meridian/status.h"

namespace meridian::exchange {

using nlohmann::json;

struct ExchangeOptions {
  // Folder for export ZIPs while they are written and sent. Required.
  std::string work_dir;
  // /importfile reads only files under this folder. Default: empty, /importfile refused.
  std::string import_folder;
  // Limits applied to every ZIP imported (zip bombs). Default: ZipLimits's defaults.
  ZipLimits limits;
  // Entities (top-level and referred) per import batch. Default: 1000.
  size_t batch_entities = 1000;
  // sourceClusterName written in exports. Default: "primary".
  std::string cluster_name = "primary";
  // hostName in results. Default: empty (the machine's host name).
  std::string host_name;
};

// Who asks.
struct Caller {
  std::string user;
  std::string client_ip;
};

struct ExportOutput {
  std::string zip_path;  // a file under work_dir; the caller removes it once sent
  json result;           // AtlasExportResult (as in atlas-export-info.json)
  size_t entity_files = 0;
  std::vector<std::string> exported;  // guids of the entity files, in the order file's order
};

class ExchangeService {
 public:
  ExchangeService(catalog::Catalog* catalog, ExchangeOptions options);

  // AtlasExportRequest → ZIP. InvalidArgument for a malformed request; 409 when
  // another export or import runs; DeadlineExceeded when `cancel` is cancelled
  // (only cancellation is honoured: exports are not bound by the request deadline).
  Result<ExportOutput> Export(const json& request, const Caller& caller, const Deadline& cancel);

  // AtlasImportRequest (null: {}) + the ZIP's bytes → AtlasImportResult.
  Result<json> ImportBytes(std::string zip, const json& request, const Caller& caller);
  // AtlasImportRequest with options.fileName, a file under import_folder.
  Result<json> ImportFile(const json& request, const Caller& caller);

  // ExportImportAuditEntry records, newest first, filtered like Atlas's
  // GET admin/expimp/audit (userName, operation, sourceClusterName,
  // targetClusterName, startTime/endTime ms bounds, limit, offset).
  struct AuditFilter {
    std::string user, operation, source_cluster, target_cluster;
    int64_t start_ms = 0, end_ms = 0;
    int limit = 100, offset = 0;
  };
  std::vector<json> Audits(const AuditFilter& filter) const;

  const ExchangeOptions& options() const { return options_; }

 private:
  Result<json> Import(ZipReader& zip, const json& request, const Caller& caller);
  catalog::Catalog* catalog_;
  ExchangeOptions options_;
  std::mutex exclusive_;  // held by the export or import that takes the lock
};

}  // namespace meridian::exchange
