#include "meridian/search/search_downloads.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "meridian/catalog/csv.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

namespace {

namespace fs = std::filesystem;

const std::string kPrefix = std::string("download") + '\0';

std::string UserPrefix(const std::string& user) { return kPrefix + user + '\0'; }

// A name safe as one path segment: letters, digits, '_', '-', '.', '@'; never "." or "..".
bool SafeName(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@';
  });
}

std::string SafeUser(const std::string& user) {
  std::string out;
  for (char c : user) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_');
  return out.empty() ? "_" : out;
}

std::string Stamp(int64_t ms) {
  std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d_%02d%02d%02d_%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string Cell(const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const json& e : v) {
      if (!out.empty()) out.push_back('|');
      out += e.is_object() ? e.value("guid", e.dump()) : Cell(e);
    }
    return out;
  }
  if (v.is_object() && v.contains("guid")) return v.value("guid", "");
  return v.dump();
}

std::string Join(const json& list) {
  std::string out;
  for (const json& e : list) {
    if (!out.empty()) out.push_back('|');
    out += Cell(e);
  }
  return out;
}

// Entity headers as Atlas's download: Type Name, Name, Classifications, Terms, then the labelled attributes.
std::string EntitiesCsv(const json& result, const json& label_map) {
  std::vector<std::string> header = {"Type Name", "Name", "Classifications", "Terms"};
  std::vector<std::string> attrs;
  for (auto it = label_map.begin(); it != label_map.end(); ++it) {
    header.push_back(it.key());
    attrs.push_back(it->is_string() ? it->get<std::string>() : it.key());
  }
  std::string out = catalog::csv::Row(header);
  for (const json& e : result.value("entities", json::array())) {
    std::vector<std::string> row = {e.value("typeName", ""), e.value("displayText", e.value("guid", "")),
                                    Join(e.value("classificationNames", json::array())),
                                    Join(e.value("meaningNames", json::array()))};
    const json a = e.value("attributes", json::object());
    for (const auto& name : attrs) row.push_back(a.contains(name) ? Cell(a[name]) : std::string());
    out += catalog::csv::Row(row);
  }
  return out;
}

// A DSL select: its column names and rows.
std::string SelectCsv(const json& result) {
  const json& attrs = result["attributes"];
  std::vector<std::string> header;
  for (const json& n : attrs.value("name", json::array())) header.push_back(Cell(n));
  std::string out = catalog::csv::Row(header);
  for (const json& row : attrs.value("values", json::array())) {
    std::vector<std::string> cells;
    for (const json& v : row) cells.push_back(Cell(v));
    out += catalog::csv::Row(cells);
  }
  return out;
}

}  // namespace

Status SearchDownloads::CreateBasic(const std::string& user, const json& body, const Deadline& deadline) {
  const int64_t start = catalog::NowMillis();
  if (!body.is_object()) return Status::InvalidArgument("invalid parameters: body must be an object");
  json params = body.value("searchParameters", json::object());
  if (params.is_null()) params = json::object();
  json labels = body.value("attributeLabelMap", json::object());
  if (!labels.is_object()) labels = json::object();
  json attrs = params.value("attributes", json::array());
  if (!attrs.is_array()) attrs = json::array();
  for (auto it = labels.begin(); it != labels.end(); ++it)
    if (it->is_string()) attrs.push_back(*it);
  params["attributes"] = attrs;
  params["limit"] = 10000;
  params["offset"] = 0;
  ASSIGN_OR_RETURN(json result, search_->Basic(params, deadline));
  return Save(user, "BASIC", EntitiesCsv(result, labels), start);
}

Status SearchDownloads::CreateDsl(const std::string& user, const json& body) {
  const int64_t start = catalog::NowMillis();
  if (!body.is_object()) return Status::InvalidArgument("invalid parameters: body must be an object");
  DslSearch dsl;
  dsl.query = body.value("query", json("")).is_string() ? body.value("query", std::string()) : "";
  dsl.type_name = body.value("typeName", json("")).is_string() ? body.value("typeName", std::string()) : "";
  dsl.classification =
      body.value("classification", json("")).is_string() ? body.value("classification", std::string()) : "";
  dsl.limit = 10000;
  ASSIGN_OR_RETURN(json result, search_->Dsl(dsl));
  std::string csv = result.contains("attributes") ? SelectCsv(result) : EntitiesCsv(result, json::object());
  return Save(user, "DSL", csv, start);
}

Status SearchDownloads::Save(const std::string& user, const std::string& kind, const std::string& csv, int64_t start) {
  const int64_t now = catalog::NowMillis();
  const std::string name = SafeUser(user) + "_" + kind + "_" + Stamp(now) + ".csv";
  const fs::path dir = fs::path(dir_) / SafeUser(user);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << csv;
    out.close();
    if (!out) return Status::InsufficientStorage("cannot write the download file " + (dir / name).string());
  }
  json record = {{"status", "COMPLETE"}, {"fileName", name}, {"userName", user},
                 {"createdTime", now},   {"startTime", start}, {"searchType", kind}};
  return catalog_->ChangeUserRecords([&]() -> Result<catalog::Catalog::UserRecordChanges> {
    return catalog::Catalog::UserRecordChanges{{UserPrefix(user) + name, record}};
  });
}

json SearchDownloads::Records(const std::string& user) const {
  json list = json::array();
  auto recs = catalog_->ScanUserRecords(UserPrefix(user));
  for (auto it = recs.rbegin(); it != recs.rend(); ++it) list.push_back(it->second);
  std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
    return a.value("createdTime", int64_t{0}) > b.value("createdTime", int64_t{0});
  });
  return json{{"searchDownloadRecords", list}};
}

Result<std::string> SearchDownloads::Read(const std::string& user, const std::string& file_name) const {
  auto not_found = Status::NotFound("No result found for " + file_name, atlas_code::kEmptyResults);
  if (!SafeName(file_name)) return not_found;
  if (!catalog_->GetUserRecord(UserPrefix(user) + file_name).ok()) return not_found;
  std::ifstream in(fs::path(dir_) / SafeUser(user) / file_name, std::ios::binary);
  if (!in) return not_found;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace meridian::search
