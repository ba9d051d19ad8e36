#include <unistd.h>

#include <filesystem>

#include <spdlog/spdlog.h>

#include "exchange_internal.h"
#include "meridian/exchange/exchange.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::exchange {

namespace internal {

bool OptionTrue(const json& options, const char* key) { return OptionText(options, key) == "true"; }

std::string OptionText(const json& options, const char* key) {
  if (!options.is_object()) return "";
  auto it = options.find(key);
  if (it == options.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

Result<json> UpsertServer(catalog::Catalog& catalog, const std::string& full_name, const std::string& user) {
  const size_t dollar = full_name.find('$');
  const std::string name = dollar == std::string::npos ? full_name : full_name.substr(dollar + 1);
  json server = {{"typeName", "AtlasServer"},
                 {"attributes", {{"name", name}, {"displayName", name}, {"fullName", full_name}}}};
  RETURN_IF_ERROR(catalog.CreateOrUpdate(json::array({server}), json(), user).status());
  ASSIGN_OR_RETURN(std::string guid, catalog.FindByUniqueAttribute("AtlasServer", "fullName", full_name));
  return json{{"guid", guid}, {"typeName", "AtlasServer"}};
}

std::string HostName(const ExchangeOptions& options) {
  if (!options.host_name.empty()) return options.host_name;
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace internal

namespace {

// Atlas's lock-busy answer (AtlasErrorCode.FAILED_TO_OBTAIN_IMPORT_EXPORT_LOCK; its code really says 500).
Status Busy() {
  return Status(StatusCode::kFailedPrecondition, atlas_code::kImportExportInProgress, "Another import or export is in progress");
}

// Holds the exclusive lock unless the operation runs beside others.
class ExclusiveGuard {
 public:
  ExclusiveGuard(std::mutex& mu, bool needed) : mu_(mu), held_(needed && mu.try_lock()), busy_(needed && !held_) {}
  ~ExclusiveGuard() {
    if (held_) mu_.unlock();
  }
  bool busy() const { return busy_; }

 private:
  std::mutex& mu_;
  bool held_;
  bool busy_;
};

}  // namespace

ExchangeService::ExchangeService(catalog::Catalog* catalog, ExchangeOptions options)
    : catalog_(catalog), options_(std::move(options)) {
  std::error_code ec;
  std::filesystem::create_directories(options_.work_dir, ec);
  // Left-overs of a previous run (a crash while sending).
  for (const auto& f : std::filesystem::directory_iterator(options_.work_dir, ec))
    if (f.path().filename().string().rfind("export-", 0) == 0) std::filesystem::remove(f.path(), ec);
}

Result<ExportOutput> ExchangeService::Export(const json& request, const Caller& caller, const Deadline& cancel) {
  const json opts = request.is_object() ? request.value("options", json::object()) : json::object();
  ExclusiveGuard guard(exclusive_, !internal::OptionTrue(opts, "skipLineage") &&
                                       internal::OptionText(opts, "replicatedTo").empty());
  if (guard.busy()) return Busy();
  const int64_t started = catalog::NowMillis();
  auto out = internal::WriteExport(*catalog_, options_, request, caller, cancel);
  if (!out.ok()) return out.status();
  const json& r = out->result;
  json entry = {{"userName", caller.user},
                {"operation", "EXPORT"},
                {"sourceServerName", options_.cluster_name},
                {"targetServerName", internal::OptionText(opts, "replicatedTo")},
                {"operationParams", request.dump()},
                {"operationStartTime", started},
                {"operationEndTime", catalog::NowMillis()},
                {"resultSummary", r["metrics"].dump()}};
  Status s = catalog_->RecordExchange("EXPORT", caller.user, started, request, r["metrics"],
                                      static_cast<int>(out->entity_files), entry);
  if (!s.ok()) spdlog::warn("export audit not recorded: {}", s.ToString());
  // Replication mode: the target as an AtlasServer, and replicatedTo on every exported entity.
  const std::string target = internal::OptionText(opts, "replicatedTo");
  if (!target.empty() && !internal::OptionTrue(opts, "skipUpdateReplicationAttr")) {
    auto server = internal::UpsertServer(*catalog_, target, caller.user);
    Status marked = server.ok() ? catalog_->MarkReplicated(out->exported, "replicatedTo", *server, caller.user)
                                : server.status();
    if (!marked.ok()) {
      std::filesystem::remove(out->zip_path);
      return marked;
    }
  }
  return out;
}

Result<json> ExchangeService::ImportBytes(std::string zip, const json& request, const Caller& caller) {
  ASSIGN_OR_RETURN(auto reader, ZipReader::OpenBuffer(std::move(zip), options_.limits));
  return Import(*reader, request, caller);
}

Result<json> ExchangeService::ImportFile(const json& request, const Caller& caller) {
  const json opts = request.is_object() ? request.value("options", json::object()) : json::object();
  const std::string file = internal::OptionText(opts, "fileName");
  if (file.empty()) return Status::InvalidArgument("FILENAME parameter not found", atlas_code::kInvalidPartialUpdateAttr);
  if (options_.import_folder.empty())
    return Status::InvalidArgument("importfile is disabled: no import folder is configured ([exchange] import_folder)",
                                   atlas_code::kInvalidParameters);
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(options_.import_folder, ec);
  fs::path path = fs::path(file).is_absolute() ? fs::path(file) : folder / file;
  path = fs::weakly_canonical(path, ec);
  auto rel = path.lexically_relative(folder);
  if (ec || rel.empty() || *rel.begin() == "..")
    return Status::InvalidArgument(file + " is not under the import folder " + folder.string(), atlas_code::kInvalidParameters);
  if (!fs::is_regular_file(path, ec)) return Status::InvalidArgument("file " + file + " not found", atlas_code::kInvalidParameters);
  ASSIGN_OR_RETURN(auto reader, ZipReader::OpenFile(path.string(), options_.limits));
  return Import(*reader, request, caller);
}

Result<json> ExchangeService::Import(ZipReader& zip, const json& request, const Caller& caller) {
  if (!request.is_null() && !request.is_object()) return Status::InvalidArgument("AtlasImportRequest must be an object");
  const json opts = request.is_object() ? request.value("options", json::object()) : json::object();
  const std::string replicated_from = internal::OptionText(opts, "replicatedFrom");
  ExclusiveGuard guard(exclusive_, replicated_from.empty());
  if (guard.busy()) return Busy();
  const int64_t started = catalog::NowMillis();
  auto result = internal::ReadImport(*catalog_, options_, zip, request, caller);
  json entry = {{"userName", caller.user},
                {"operation", "IMPORT"},
                {"sourceServerName", result.ok() ? result->value("exportResult", json::object()).value("sourceClusterName", replicated_from)
                                                 : replicated_from},
                {"targetServerName", options_.cluster_name},
                {"operationParams", request.is_null() ? "{}" : request.dump()},
                {"operationStartTime", started},
                {"operationEndTime", catalog::NowMillis()},
                {"resultSummary", result.ok() ? (*result)["metrics"].dump() : result.status().ToString()}};
  json summary = result.ok() ? (*result)["metrics"] : json(result.status().ToString());
  int count = result.ok() ? static_cast<int>((*result)["processedEntities"].size()) : 0;
  Status s = catalog_->RecordExchange("IMPORT", caller.user, started, request.is_null() ? json::object() : request,
                                      summary, count, entry);
  if (!s.ok()) spdlog::warn("import audit not recorded: {}", s.ToString());
  return result;
}

std::vector<json> ExchangeService::Audits(const AuditFilter& f) const {
  std::vector<json> all = catalog_->ExchangeAudits();
  std::vector<json> out;
  int skipped = 0;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const json& e = *it;
    if (!f.user.empty() && e.value("userName", "") != f.user) continue;
    if (!f.operation.empty() && e.value("operation", "") != f.operation) continue;
    if (!f.source_cluster.empty() && e.value("sourceServerName", "") != f.source_cluster) continue;
    if (!f.target_cluster.empty() && e.value("targetServerName", "") != f.target_cluster) continue;
    const int64_t t = e.value("operationStartTime", int64_t{0});
    if ((f.start_ms && t < f.start_ms) || (f.end_ms && t > f.end_ms)) continue;
    if (skipped++ < f.offset) continue;
    if (static_cast<int>(out.size()) >= f.limit) break;
    out.push_back(e);
  }
  return out;
}

}  // namespace meridian::exchange
