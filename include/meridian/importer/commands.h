// CLI commands of the importer, registered on the main `meridian` app.
//
// Each command's callback throws CLI::RuntimeError(code) on failure after it
// has printed its own message: 1 when the work failed, 2 for bad arguments.
// CLI::App::exit() prints nothing for RuntimeError and returns that code.
#pragma once

namespace CLI {
class App;
}

namespace meridian::importer {

// `meridian import-hive --metastore thrift://host:9083 [-d DB] [-t TABLE]
//  [-f FILE] [--cluster NAME] [--delete-non-existing] [--url URL] [--user U]
//  [--password-file F]`.
void RegisterImportHiveCommand(CLI::App& app);

// `meridian lineage-sql [--default-db D] [--cluster C] [--url URL] [--user U]
//  [--password-file F] [FILE.sql...]` (stdin when no file or "-").
void RegisterLineageSqlCommand(CLI::App& app);

// `meridian backup --to DIR [--url URL] [--user U] [--password-file F]`: asks
// the server for a backup in DIR (made absolute; a folder on the server's machine).
void RegisterBackupCommand(CLI::App& app);

// `meridian export -o FILE.zip [--guid G | --type T --attr name=value] [--fetch-type full|connected|incremental]
//  [--match-type M] [--skip-lineage] [--change-marker MS] [--request FILE] [--url URL] [--user U] [--password-file F]`.
void RegisterExportCommand(CLI::App& app);

// `meridian import FILE.zip [--request FILE] [--transforms JSON] [--transformers JSON] [--keep-types]
//  [--start-position N] [--batch-size N] [--url URL] ...`: one request per --batch-size entity files.
void RegisterImportCommand(CLI::App& app);

}  // namespace meridian::importer
