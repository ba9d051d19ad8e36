// JSON fixture format for meridian-hms-standin and the importer tests.
//
//   {"databases": [{
//      "name": "atlas_emr", "description": "...", "locationUri": "s3://...",
//      "ownerName": "hadoop", "ownerType": "USER", "parameters": {...},
//      "catalogName": "hive",                       // optional
//      "tables": [{
//        "tableName": "trip_details", "owner": "hadoop", "createTime": 1700000001,
//        "lastAccessTime": 0, "retention": 0, "tableType": "EXTERNAL_TABLE",
//        "temporary": false, "ownerType": "USER", "parameters": {...},
//        "viewOriginalText": "...", "viewExpandedText": "...",   // views only
//        "partitionKeys": [{"name": "dt", "type": "string", "comment": "..."}],
//        "sd": {"cols": [{"name": ..., "type": ..., "comment": ...}],
//               "location": "s3://...", "inputFormat": "...", "outputFormat": "...",
//               "compressed": false, "numBuckets": -1,
//               "serdeInfo": {"name": ..., "serializationLib": ..., "parameters": {...}},
//               "bucketCols": [...], "sortCols": [{"col": ..., "order": 1}],
//               "parameters": {...}, "storedAsSubDirectories": false}}]}]}
//
// Field names are the Thrift names of hive_metastore.thrift. A missing string
// field is a null on the wire; createTime is in seconds like the metastore's.
#pragma once

#include <string>

#include "meridian/importer/hive_model.h"
#include "meridian/status.h"

namespace meridian::importer {

// Parses fixture JSON. Errors: kInvalidArgument naming the offending field.
Result<HiveCatalog> ParseFixture(const std::string& json_text);

// Reads and parses a fixture file. Errors: kNotFound, kInvalidArgument.
Result<HiveCatalog> LoadFixture(const std::string& path);

}  // namespace meridian::importer
