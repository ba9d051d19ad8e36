// Route groups, one per API area (src/server/*_handlers.cc), registered by the Api
// from its Services.
#pragma once

#include "meridian/server/api.h"
#include "meridian/server/http.h"

namespace meridian::server {

void RegisterTypeRoutes(Router& r, const Services& s);
void RegisterEntityRoutes(Router& r, const Services& s);
void RegisterRelationshipRoutes(Router& r, const Services& s);
void RegisterAdminRoutes(Router& r, const Services& s, const ApiOptions& o);
// GET /api/meridian/v1/admin/index/failures (admin): what the indexer and the
// propagation worker skipped (WorkerFailures::ToJson of each; null when absent).
void RegisterWorkerFailureRoutes(Router& r, const Services& s);
// POST /api/meridian/v1/lineage/sql?defaultDb=&cluster= with HiveQL text: records its lineage.
void RegisterSqlLineageRoutes(Router& r, const Services& s);
// /v2/search (search_handlers.cc).
void RegisterSearchRoutes(Router& r, const Services& s);
// /v2/entity/.../businessmetadata (business_metadata_handlers.cc).
void RegisterBusinessMetadataRoutes(Router& r, const Services& s);
// /v2/search/saved... and search-result downloads kept under s.download_dir
// (saved_search_handlers.cc).
void RegisterSavedSearchRoutes(Router& r, const Services& s);
// Atlas's glossary API, /api/atlas/v2/glossary/... (glossary_handlers.cc).
void RegisterGlossaryRoutes(Router& r, const Services& s);
// lineage_handlers.cc:
//   GET  /api/atlas/v2/lineage/{guid}?direction=&depth=&hideProcess=&excludeDeletedEntities=&maxNodes=
//   GET  /api/atlas/v2/lineage/uniqueAttribute/type/{typeName}?attr:qualifiedName=...
//   POST /api/atlas/v2/lineage/{guid}   on-demand: {"<guid>": {direction, depth, inputRelationsLimit, outputRelationsLimit}}
//   GET  /api/meridian/v1/propagation   background propagation status {pending, done, idle}
void RegisterLineageRoutes(Router& r, const Services& s);
// notification_handlers.cc:
//   GET /api/meridian/v1/notifications?after=N&limit=M&wait=ms&consumer=name   (read role)
//       {"notifications":[{"sequence":..,"message":<Atlas envelope>}...],
//        "lastSequence":.., "oldestSequence":.., "truncated":bool}
//       after: default 0; limit: default 100, 1..1000; wait: long-poll ms when nothing
//       follows `after` (default 0, capped); consumer: records `after` as that
//       consumer's acknowledged position.
//   GET /api/meridian/v1/admin/notifications   (admin) NotificationFeed::Positions
void RegisterNotificationRoutes(Router& r, const Services& s);
// openlineage_handlers.cc: POST /api/v1/lineage (Marquez's path): one event (201, no body) or a JSON array of events
// (200 with {"status", "summary": {"received", "successful", "failed"}, "failed_events": [...]});
// `Content-Encoding: gzip` accepted. An array is checked whole before any event is applied:
// one malformed event rejects the request with 400 naming its index.
void RegisterOpenLineageRoutes(Router& r, const Services& s);
// exchange_handlers.cc: Routes of Atlas's export/import (AdminResource):
//   POST /api/atlas/admin/export      AtlasExportRequest → application/zip (204 when empty and
//                                     options.omitZipResponseForEmptyExport); admin only
//   POST /api/atlas/admin/import      multipart/form-data: `data` = the ZIP, `request` = AtlasImportRequest
//   POST /api/atlas/admin/importfile  AtlasImportRequest with options.fileName (under the import folder)
//   GET  /api/atlas/admin/expimp/audit ExportImportAuditEntry list
void RegisterExchangeRoutes(Router& r, const Services& s);
// hook_handlers.cc: POST /api/atlas/v2/notification/topic/{topicName}  (admin) Atlas's REST notification: a JSON array
//        of records, each a string holding the record's JSON or the record object itself (a body
//        that is one object is one record).
//        ATLAS_HOOK: queued durably (HookWorker::Submit), then 204. ATLAS_ENTITIES: handed to
//        `publish_entities` (Kafka), 503 when there is none. Other topics: 400 ATLAS-400-00-0A7.
//   GET  /api/meridian/v1/admin/hook/failures?offset=&limit=  (admin) failed messages with their
//        errors, oldest first, and the worker's counters.
void RegisterHookRoutes(Router& r, const Services& s);
// POST /api/meridian/v1/admin/backup {"to": "/absolute/folder/on/the/server"} (ADMIN):
// 200 with {to, storeSequence, files, bytes}; 400 bad target, 409 a backup is
// running, 507 out of space (backup_handlers.cc).
void RegisterBackupRoutes(Router& r, const Services& s);
// High availability: the leader's log and checkpoints for followers (cluster secret only),
// and every member's status for operators.
void RegisterReplicationRoutes(Router& r, const Services& s);

}  // namespace meridian::server
