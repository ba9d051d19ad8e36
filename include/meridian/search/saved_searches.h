// SavedSearches: Atlas's per-user saved searches (AtlasUserSavedSearch:
// guid, ownerName, name, searchType BASIC|ADVANCED|BASIC_RELATIONSHIP,
// searchParameters, uiParameters), kept in the catalog's user_data family
// under `saved_search \0 <guid>` (docs/storage-format.md).
//
// Ownership follows Atlas's EntityDiscoveryService: a user sees, changes,
// deletes and runs only their own searches; naming another user (ownerName,
// ?user=) or another user's guid is refused with 400 ATLAS-400-00-029
// "invalid data". A missing search is 404 (by name ATLAS-404-00-009, by guid
// ATLAS-404-00-005); a second search of the same name for one owner is 409
// ATLAS-409-00-006; an update that moves a search to another owner is 400
// ATLAS-400-00-056.
//
// Thread-safety: all methods may be called concurrently (writes go through
// Catalog::ChangeUserRecords, one batch each).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/search/search_service.h"
#include "meridian/status.h"

namespace meridian::search {

class SavedSearches {
 public:
  // Both must outlive this object.
  SavedSearches(catalog::Catalog* catalog, const SearchService* search) : catalog_(catalog), search_(search) {}

  Result<json> Add(const std::string& current_user, const json& saved_search);
  Result<json> Update(const std::string& current_user, const json& saved_search);
  // `user` empty: the current user's.
  Result<json> List(const std::string& current_user, const std::string& user) const;
  Result<json> GetByName(const std::string& current_user, const std::string& user, const std::string& name) const;
  Result<json> GetByGuid(const std::string& current_user, const std::string& guid) const;
  Status Delete(const std::string& current_user, const std::string& guid);
  // Runs a saved search: BASIC as basic search, ADVANCED as DSL (with its
  // typeName/classification), BASIC_RELATIONSHIP as relations search.
  Result<json> Execute(const json& saved_search, const Deadline& deadline = {}) const;

 private:
  catalog::Catalog* catalog_;
  const SearchService* search_;
};

}  // namespace meridian::search
