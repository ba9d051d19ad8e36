// Online backup and restore.
//
// A backup is a folder:
//   store/          a RocksDB checkpoint of the running store (hard links where possible)
//   users.json      the users file
//   manifest.json   written last: format, creation time, the store sequence the copy
//                   holds (every write acknowledged before the backup began is in it),
//                   and each file's size and SHA-256
// The search index is not copied: it is derived from the store, and restore
// rebuilds it, so the restored index agrees with the restored store by construction.
//
// Errors: InvalidArgument for a bad target or a folder that is not a complete
// backup, InsufficientStorage when the copy does not fit, Internal otherwise.
// Thread-safety: CreateBackup may run while the store serves reads and writes;
// one backup at a time per server (the route answers 409 to a second one).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace meridian::catalog {
class Catalog;
}  // namespace meridian::catalog

namespace meridian::backup {

// Writes a backup into `dir` (absolute; must not exist or be empty). Returns the manifest.
Result<nlohmann::json> CreateBackup(const catalog::Catalog& catalog, const std::string& users_file, const std::string& dir);

// Checks every file listed in dir/manifest.json (present, size, SHA-256) and
// that the store copy opens at the recorded sequence. Returns the manifest.
Result<nlohmann::json> VerifyBackup(const std::string& dir);

// Verifies the backup in `dir`, then copies it into `data_dir` (must not exist
// or be empty): data_dir/store and data_dir/users.json. The caller rebuilds the
// search index (data_dir/index) before serving.
Result<nlohmann::json> RestoreBackup(const std::string& dir, const std::string& data_dir);

}  // namespace meridian::backup
