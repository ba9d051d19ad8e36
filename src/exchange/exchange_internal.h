// Shared by the export and import halves of the exchange module.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "meridian/exchange/exchange.h"

namespace meridian::exchange::internal {

inline constexpr const char* kOrderEntry = "atlas-export-order.json";
inline constexpr const char* kTypesEntry = "atlas-typesdef.json";
inline constexpr const char* kInfoEntry = "atlas-export-info.json";

// An option given as a boolean or as the string "true".
bool OptionTrue(const json& options, const char* key);
// An option's text: strings as they are, numbers and booleans printed.
std::string OptionText(const json& options, const char* key);
std::string HostName(const ExchangeOptions& options);
// Creates or updates the AtlasServer entity of a replication peer named as Atlas names
// them ("dc1$cl1": name cl1, fullName dc1$cl1); its AtlasObjectId {guid, typeName}.
Result<json> UpsertServer(catalog::Catalog& catalog, const std::string& full_name, const std::string& user);

Result<ExportOutput> WriteExport(catalog::Catalog& catalog, const ExchangeOptions& options, const json& request,
                                 const Caller& caller, const Deadline& cancel);
Result<json> ReadImport(catalog::Catalog& catalog, const ExchangeOptions& options, ZipReader& zip,
                        const json& request, const Caller& caller);

}  // namespace meridian::exchange::internal
