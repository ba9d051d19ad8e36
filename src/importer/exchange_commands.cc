// `meridian export` and `meridian import`: Atlas's export ZIPs to and from a server.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client_args.h"
#include "meridian/exchange/zip.h"
#include "meridian/importer/commands.h"
#include "meridian/request_json.h"
#include "progress.h"

namespace meridian::importer {

using nlohmann::json;

namespace {

json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail(kExitBadArgs, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseRequestJson(ss.str(), path);
  if (!j.ok()) Fail(kExitBadArgs, j.status().message());
  return *j;
}

json ParseOption(const std::string& text, const char* what) {
  auto j = ParseRequestJson(text, what);
  if (!j.ok()) Fail(kExitBadArgs, j.status().message());
  return *j;
}

struct ExportArgs {
  std::string request_file;
  std::vector<std::string> guids;
  std::string type;
  std::vector<std::string> attrs;
  std::string fetch_type = "full";
  std::string match_type;
  bool skip_lineage = false;
  int64_t change_marker = -1;
  std::string output;
  ServerArgs server;
};

void RunExport(const ExportArgs& args) {
  json request;
  if (!args.request_file.empty()) {
    request = ReadJsonFile(args.request_file);
  } else {
    json items = json::array();
    for (const auto& g : args.guids) items.push_back({{"guid", g}});
    if (!args.type.empty()) {
      json unique = json::object();
      for (const auto& a : args.attrs) {
        auto eq = a.find('=');
        if (eq == std::string::npos || eq == 0) Fail(kExitBadArgs, "--attr takes name=value, got " + a);
        unique[a.substr(0, eq)] = a.substr(eq + 1);
      }
      if (unique.empty() && args.match_type != "forType") Fail(kExitBadArgs, "--type needs --attr name=value (or --match-type forType)");
      items.push_back({{"typeName", args.type}, {"uniqueAttributes", unique}});
    }
    if (items.empty()) Fail(kExitBadArgs, "nothing to export: give --guid, --type with --attr, or --request");
    json options = {{"fetchType", args.fetch_type}};
    if (!args.match_type.empty()) options["matchType"] = args.match_type;
    if (args.skip_lineage) options["skipLineage"] = true;
    if (args.change_marker >= 0) options["changeMarker"] = args.change_marker;
    request = {{"itemsToExport", items}, {"options", options}};
  }
  std::unique_ptr<AtlasClient> atlas = ConnectServer(args.server);
  const bool terminal = isatty(STDERR_FILENO);
  Progress progress(std::cerr, terminal, 1, "exports");
  progress.Message("exporting from " + atlas->base_url() + " ...");
  auto zip = atlas->PostExport(request);
  if (!zip.ok()) Fail(kExitFailed, "export failed: " + zip.status().message());
  progress.Step(args.output);
  progress.Finish();
  if (zip->empty()) {
    std::cout << "nothing to export (the server answered 204)\n";
    return;
  }
  {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out.write(zip->data(), static_cast<std::streamsize>(zip->size()));
    if (!out) Fail(kExitFailed, "cannot write " + args.output);
  }
  auto reader = exchange::ZipReader::OpenFile(args.output, exchange::ZipLimits{});
  if (!reader.ok()) Fail(kExitFailed, "the server sent an unreadable ZIP: " + reader.status().message());
  auto info = (*reader)->Read("atlas-export-info.json");
  json result = info.ok() ? json::parse(*info, nullptr, false) : json::object();
  if (!result.is_object()) result = json::object();
  int64_t entities = 0;
  json export_metrics = result.value("metrics", json::object());
  if (!export_metrics.is_object()) export_metrics = json::object();
  for (auto& [k, v] : export_metrics.items())
    if (k.rfind("entity:", 0) == 0 && k != "entity:withExtInfo" && v.is_number()) entities += v.get<int64_t>();
  std::cout << "exported " << entities << " entities (" << export_metrics.value("entity:withExtInfo", 0)
            << " entity files) from " << atlas->base_url() << " to " << args.output << " ("
            << zip->size() << " bytes), status " << result.value("operationStatus", "?") << ", changeMarker "
            << result.value("changeMarker", int64_t{0}) << "\n";
  if (result.value("operationStatus", "") == "FAIL") Fail(kExitFailed, "no item of the request matched");
}

struct ImportArgs {
  std::string zip;
  std::string request_file;
  std::string transforms;
  std::string transformers;
  bool keep_types = false;
  size_t start_position = 0;
  size_t batch = 2000;
  ServerArgs server;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The ZIP's entity files from `begin` to `end` of the order list, as a ZIP of their own
// (with the typedefs when `with_types`), so that each request stays small.
Result<std::string> Chunk(exchange::ZipReader& zip, const json& order, size_t begin, size_t end, bool with_types,
                          const std::string& work) {
  ASSIGN_OR_RETURN(auto writer, exchange::ZipWriter::Create(work));
  json slice = json::array();
  for (size_t i = begin; i < end; ++i) {
    const std::string name = order[i].get<std::string>() + ".json";
    ASSIGN_OR_RETURN(std::string bytes, zip.Read(name));
    RETURN_IF_ERROR(writer->Add(name, bytes));
    slice.push_back(order[i]);
  }
  RETURN_IF_ERROR(writer->Add("atlas-export-order.json", slice.dump()));
  for (const char* name : {"atlas-export-info.json", "atlas-typesdef.json"}) {
    if ((!with_types && std::string_view(name) == "atlas-typesdef.json") || !zip.Has(name)) continue;
    ASSIGN_OR_RETURN(std::string bytes, zip.Read(name));
    RETURN_IF_ERROR(writer->Add(name, bytes));
  }
  RETURN_IF_ERROR(writer->Finish());
  std::string out = ReadFile(work);
  std::remove(work.c_str());
  return out;
}

void RunImport(const ImportArgs& args) {
  json request = args.request_file.empty() ? json{{"options", json::object()}} : ReadJsonFile(args.request_file);
  if (!request.is_object()) Fail(kExitBadArgs, "the request file must hold an AtlasImportRequest object");
  json& options = request["options"];
  if (!options.is_object()) options = json::object();
  if (!args.transforms.empty()) options["transforms"] = ParseOption(args.transforms, "--transforms").dump();
  if (!args.transformers.empty()) options["transformers"] = ParseOption(args.transformers, "--transformers").dump();
  if (args.keep_types) options["updateTypeDefinition"] = "false";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(args.zip, ec)) Fail(kExitBadArgs, "no such file " + args.zip);
  std::unique_ptr<AtlasClient> atlas = ConnectServer(args.server);

  auto reader = exchange::ZipReader::OpenFile(args.zip, exchange::ZipLimits{});
  json order;
  if (reader.ok() && (*reader)->Has("atlas-export-order.json")) {
    auto text = (*reader)->Read("atlas-export-order.json");
    if (text.ok()) order = json::parse(*text, nullptr, false);
  }
  json metrics = json::object();
  size_t processed = 0;
  if (!order.is_array() || order.empty()) {
    // Not an export ZIP, or an empty one: the server says what it makes of it.
    auto result = atlas->PostImport(ReadFile(args.zip), request);
    if (!result.ok()) Fail(kExitFailed, "import failed: " + result.status().message());
    metrics = result->value("metrics", json::object());
    processed = result->value("processedEntities", json::array()).size();
  } else {
    // One request per slice of the order list (the server takes bodies up to its max_body_bytes).
    for (const json& g : order)
      if (!g.is_string()) Fail(kExitFailed, "atlas-export-order.json must be a list of guids");
    if (args.start_position >= order.size()) Fail(kExitBadArgs, "--start-position is past the end of the order list");
    Progress progress(std::cerr, isatty(STDERR_FILENO), order.size() - args.start_position, "entity files");
    const std::string work = std::filesystem::temp_directory_path().string() + "/meridian-import-" +
                             std::to_string(::getpid()) + ".zip";
    for (size_t begin = args.start_position; begin < order.size(); begin += args.batch) {
      const size_t end = std::min(order.size(), begin + args.batch);
      const bool first = begin == args.start_position;
      auto chunk = Chunk(**reader, order, begin, end, first && !args.keep_types, work);
      if (!chunk.ok()) Fail(kExitFailed, args.zip + ": " + chunk.status().message());
      json part = request;
      if (!first) part["options"]["updateTypeDefinition"] = "false";  // merged with the first slice
      auto result = atlas->PostImport(*chunk, part);
      if (!result.ok()) {
        progress.Finish();
        Fail(kExitFailed, "import failed in entity files " + std::to_string(begin) + ".." + std::to_string(end - 1) +
                              " (earlier ones are imported; resume with --start-position " + std::to_string(begin) +
                              "): " + result.status().message());
      }
      const json part_metrics = result->value("metrics", json::object());
      for (auto& [k, v] : part_metrics.items())
        if (v.is_number() && k != "duration") metrics[k] = metrics.value(k, int64_t{0}) + v.get<int64_t>();
      processed += result->value("processedEntities", json::array()).size();
      progress.Advance(end - begin, order[end - 1].get<std::string>());
    }
    progress.Finish();
  }
  int64_t created = 0, updated = 0;
  for (auto& [k, v] : metrics.items()) {
    if (!v.is_number()) continue;
    if (k.size() > 8 && k.compare(k.size() - 8, 8, ":created") == 0) created += v.get<int64_t>();
    if (k.size() > 8 && k.compare(k.size() - 8, 8, ":updated") == 0) updated += v.get<int64_t>();
  }
  std::cout << "imported " << processed << " entities from " << args.zip << " into " << atlas->base_url() << ": "
            << created << " created, " << updated << " updated\n";
}

}  // namespace

void RegisterExportCommand(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export entities and their types as Atlas's export ZIP");
  cmd->add_option("-o,--output", args->output, "ZIP file to write")->required();
  cmd->add_option("--request", args->request_file, "AtlasExportRequest JSON file (instead of the options below)");
  cmd->add_option("--guid", args->guids, "start entity guid (repeatable)");
  cmd->add_option("--type", args->type, "start entity type, with --attr");
  cmd->add_option("--attr", args->attrs, "unique attribute of --type as name=value (repeatable)");
  cmd->add_option("--fetch-type", args->fetch_type, "full, connected or incremental")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "connected", "incremental"}));
  cmd->add_option("--match-type", args->match_type, "startsWith, endsWith, contains, matches or forType")
      ->check(CLI::IsMember({"startsWith", "endsWith", "contains", "matches", "forType"}));
  cmd->add_flag("--skip-lineage", args->skip_lineage, "do not follow lineage processes");
  cmd->add_option("--change-marker", args->change_marker,
                  "with --fetch-type incremental: the changeMarker of the previous export (0: everything)");
  AddServerOptions(cmd, &args->server);
  cmd->footer("Exit codes: 0 ok, 1 failed, 2 bad arguments.");
  cmd->callback([args] { RunExport(*args); });
}

void RegisterImportCommand(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Import an export ZIP (from Meridian or Apache Atlas) into a server");
  cmd->add_option("zip", args->zip, "the export ZIP")->required();
  cmd->add_option("--request", args->request_file, "AtlasImportRequest JSON file (options)");
  cmd->add_option("--transforms", args->transforms,
                  "Atlas transforms JSON, e.g. {\"Referenceable\":{\"qualifiedName\":[\"replace~@cl1~@cl2\"]}}");
  cmd->add_option("--transformers", args->transformers, "Atlas transformers JSON (list of {conditions, action})");
  cmd->add_flag("--keep-types", args->keep_types, "do not import the ZIP's typedefs (updateTypeDefinition false)");
  cmd->add_option("--start-position", args->start_position, "skip the first entity files of the order list (resume)");
  cmd->add_option("--batch-size", args->batch, "entity files per request")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  AddServerOptions(cmd, &args->server);
  cmd->footer("Exit codes: 0 ok, 1 failed (what was imported is kept; resume with --start-position), 2 bad arguments.");
  cmd->callback([args] { RunImport(*args); });
}

}  // namespace meridian::importer
