// Routes of Atlas's export/import (AdminResource):
//   POST /api/atlas/admin/export      AtlasExportRequest → application/zip (204 when empty and
//                                     options.omitZipResponseForEmptyExport); admin only
//   POST /api/atlas/admin/import      multipart/form-data: `data` = the ZIP, `request` = AtlasImportRequest
//   POST /api/atlas/admin/importfile  AtlasImportRequest with options.fileName (under the import folder)
//   GET  /api/atlas/admin/expimp/audit ExportImportAuditEntry list
#pragma once

#include "meridian/exchange/exchange.h"
#include "meridian/server/http.h"

namespace meridian::exchange {

// `service` must outlive the router.
void RegisterExchangeRoutes(server::Router& router, ExchangeService* service);

}  // namespace meridian::exchange
