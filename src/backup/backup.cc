#include "meridian/backup/backup.h"

#include <openssl/evp.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <spdlog/spdlog.h>

#include "meridian/catalog/catalog.h"

namespace meridian::backup {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "meridian-backup/1";
constexpr const char* kManifest = "manifest.json";

// Hex SHA-256 of a file's content.
Result<std::string> Sha256File(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + path.string());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return Status::Internal("sha256 unavailable");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::Internal("cannot read " + path.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

Status IoError(const std::string& what, const std::error_code& ec) {
  if (ec == std::errc::no_space_on_device) return Status::InsufficientStorage(what + ": " + ec.message());
  return Status::Internal(what + ": " + ec.message());
}

// `dir` must be absent or an empty folder; it is created.
Status PrepareEmptyDir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
    return Status::InvalidArgument(what + " " + dir + " exists and is not an empty folder");
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir, ec);
  return Status::Ok();
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec(errno, std::generic_category());
      return IoError("cannot write " + tmp.string(), ec);
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoError("cannot write " + path.string(), ec);
  return Status::Ok();
}

Result<json> CreateInEmptyDir(const catalog::Catalog& catalog, const std::string& users_file, const fs::path& root) {
  uint64_t sequence = 0;
  RETURN_IF_ERROR(catalog.Checkpoint((root / "store").string(), &sequence));
  std::error_code ec;
  if (fs::exists(users_file, ec)) {
    fs::copy_file(users_file, root / "users.json", ec);
    if (ec) return IoError("cannot copy the users file", ec);
  }
  json files = json::array();
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    ASSIGN_OR_RETURN(std::string sha, Sha256File(entry.path()));
    files.push_back({{"path", fs::relative(entry.path(), root).string()}, {"bytes", entry.file_size()}, {"sha256", sha}});
    bytes += entry.file_size();
  }
  json manifest = {{"format", kFormat},
                   {"createdAt", UtcNow()},
                   {"storeSequence", sequence},
                   {"index", "not copied; rebuilt from the store on restore"},
                   {"bytes", bytes},
                   {"files", files}};
  RETURN_IF_ERROR(WriteFileAtomically(root / kManifest, manifest.dump(2) + "\n"));
  return manifest;
}

}  // namespace

Result<json> CreateBackup(const catalog::Catalog& catalog, const std::string& users_file, const std::string& dir) {
  if (dir.empty() || !fs::path(dir).is_absolute())
    return Status::InvalidArgument("the backup folder must be an absolute path on the server, got '" + dir + "'");
  RETURN_IF_ERROR(PrepareEmptyDir(dir, "backup folder"));
  auto start = std::chrono::steady_clock::now();
  auto manifest = CreateInEmptyDir(catalog, users_file, dir);
  if (!manifest.ok()) {
    // Leave no half backup behind: without its manifest a folder is not a backup anyway.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    return manifest.status();
  }
  spdlog::info("backup to {}: sequence {}, {} files, {} bytes in {} ms", dir, (*manifest)["storeSequence"].get<uint64_t>(),
               (*manifest)["files"].size(), (*manifest)["bytes"].get<uint64_t>(),
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  return manifest;
}

Result<json> VerifyBackup(const std::string& dir) {
  fs::path root(dir);
  std::ifstream in(root / kManifest);
  if (!in) return Status::InvalidArgument(dir + " holds no " + kManifest + ": not a complete backup");
  json manifest = json::parse(in, nullptr, false);
  if (!manifest.is_object() || manifest.value("format", "") != kFormat || !manifest["files"].is_array() ||
      !manifest["storeSequence"].is_number_unsigned())
    return Status::InvalidArgument(dir + "/" + kManifest + " is not a " + kFormat + " manifest");
  for (const json& f : manifest["files"]) {
    std::string rel = f.value("path", "");
    fs::path p = root / rel;
    if (rel.empty() || rel.find("..") != std::string::npos)
      return Status::InvalidArgument("manifest lists an invalid path '" + rel + "'");
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) return Status::InvalidArgument("backup file " + rel + " is missing");
    if (size != f.value("bytes", uint64_t{0}))
      return Status::InvalidArgument("backup file " + rel + " has " + std::to_string(size) + " bytes, the manifest says " +
                                     std::to_string(f.value("bytes", uint64_t{0})));
    ASSIGN_OR_RETURN(std::string sha, Sha256File(p));
    if (sha != f.value("sha256", "")) return Status::InvalidArgument("backup file " + rel + " fails its SHA-256 check");
  }
  uint64_t sequence = 0;
  RETURN_IF_ERROR(catalog::Catalog::ReadCheckpointSequence((root / "store").string(), &sequence));
  if (sequence != manifest["storeSequence"].get<uint64_t>())
    return Status::InvalidArgument("the store copy holds sequence " + std::to_string(sequence) +
                                   ", the manifest says " + manifest["storeSequence"].dump());
  return manifest;
}

Result<json> RestoreBackup(const std::string& dir, const std::string& data_dir) {
  ASSIGN_OR_RETURN(json manifest, VerifyBackup(dir));
  RETURN_IF_ERROR(PrepareEmptyDir(data_dir, "data directory"));
  std::error_code ec;
  fs::copy(fs::path(dir) / "store", fs::path(data_dir) / "store", fs::copy_options::recursive, ec);
  if (ec) return IoError("cannot copy the store into " + data_dir, ec);
  if (fs::exists(fs::path(dir) / "users.json", ec)) {
    fs::copy_file(fs::path(dir) / "users.json", fs::path(data_dir) / "users.json", ec);
    if (ec) return IoError("cannot copy the users file into " + data_dir, ec);
  }
  return manifest;
}

}  // namespace meridian::backup
