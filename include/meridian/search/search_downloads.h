// SearchDownloads: search results as CSV files a user asks for and fetches
// later (Atlas's search/{basic,dsl}/download/create_file, download/status,
// download/{filename}).
//
// A request runs the search (up to SearchOptions::max_limit results) and
// writes `<dir>/<user>/<fileName>` before it answers; the file's record
// (AtlasSearchDownloadRecord: status COMPLETE, fileName, userName,
// createdTime, startTime) is kept in the catalog's user_data family under
// `download \0 <user> \0 <fileName>`. Users see and fetch only their own
// files: another user's file name is 404 ATLAS-404-00-004.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/search/search_service.h"
#include "meridian/status.h"

namespace meridian::search {

class SearchDownloads {
 public:
  // `dir` is created on first use. `catalog` and `search` must outlive this object.
  SearchDownloads(catalog::Catalog* catalog, const SearchService* search, std::string dir)
      : catalog_(catalog), search_(search), dir_(std::move(dir)) {}

  // Body {"searchParameters": SearchParameters, "attributeLabelMap": {label: attribute}}.
  Status CreateBasic(const std::string& user, const json& body, const Deadline& deadline = {});
  // Body {"query", "typeName", "classification", "limit", "offset"}.
  Status CreateDsl(const std::string& user, const json& body);
  // {"searchDownloadRecords": [...]}, newest first.
  json Records(const std::string& user) const;
  // The CSV text of one of `user`'s files.
  Result<std::string> Read(const std::string& user, const std::string& file_name) const;

 private:
  Status Save(const std::string& user, const std::string& kind, const std::string& csv, int64_t start);

  catalog::Catalog* catalog_;
  const SearchService* search_;
  std::string dir_;
};

}  // namespace meridian::search
