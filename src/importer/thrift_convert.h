// Conversions between the generated Thrift structs and the plain Hive model.
// Internal to src/importer: the only place besides the client and the
// stand-in that sees generated code.
#pragma once

#include "ThriftHiveMetastore.h"
#include "meridian/importer/hive_model.h"

namespace meridian::importer {

HiveDatabase FromThrift(const hms::Database& db);
HiveTable FromThrift(const hms::Table& table);

hms::Database ToThrift(const HiveDatabase& db);
hms::Table ToThrift(const HiveTable& table);

}  // namespace meridian::importer
