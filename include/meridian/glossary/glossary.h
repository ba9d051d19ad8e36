// GlossaryService: Atlas's business glossary (glossaries, terms, categories and
// term assignments) on top of the catalog. Glossary objects are entities of the
// built-in types AtlasGlossary, AtlasGlossaryTerm and AtlasGlossaryCategory and
// their links are relationships (AtlasGlossaryTermAnchor,
// AtlasGlossarySemanticAssignment, ...), so they are audited, indexed and
// durable like every other entity. The service derives qualified names
// (glossary: its name; term: "term@glossary"; category: "cat@glossary" or
// "child.parent@glossary"), enforces name rules and renders Atlas's glossary
// JSON shapes (AtlasGlossary, AtlasGlossaryTerm, AtlasGlossaryCategory and
// their headers).
//
// Errors use Atlas's codes: unknown or deleted guid → NotFound ATLAS-404-00-005,
// duplicate glossary/term/category → AlreadyExists ATLAS-409-00-007/-009/-00A,
// bad names or anchors → InvalidArgument (ATLAS-400-00-072, -079, -07A, -082, -083, ...).
//
// Thread-safety: reads are safe concurrently; mutations serialise on an
// internal mutex (name checks and writes happen under it).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/catalog/catalog.h"
#include "meridian/status.h"

namespace meridian::glossary {

using nlohmann::json;

// Paging of list endpoints: sorted by name, then offset/limit applied.
struct Page {
  int limit = -1;  // Default: -1 = everything; values <= 0 mean everything
  int offset = 0;
  bool ascending = true;  // sort=ASC (default) or DESC
};

class GlossaryService {
 public:
  // `catalog` must outlive the service.
  explicit GlossaryService(catalog::Catalog* catalog) : catalog_(catalog) {}

  // ---- Glossaries ----
  Result<json> ListGlossaries(const Page& page) const;
  Result<json> CreateGlossary(const json& body, const std::string& user);
  Result<json> GetGlossary(const std::string& guid) const;
  // AtlasGlossaryExtInfo: the glossary plus termInfo and categoryInfo maps.
  Result<json> GetGlossaryDetailed(const std::string& guid) const;
  Result<json> UpdateGlossary(const std::string& guid, const json& body, const std::string& user);
  Result<json> PartialUpdateGlossary(const std::string& guid, const json& attributes, const std::string& user);
  // Deletes the glossary with its terms and categories. Fails while one of its
  // terms is assigned to an entity (ATLAS-400-00-086).
  Status DeleteGlossary(const std::string& guid, const std::string& user);
  Result<json> GlossaryTerms(const std::string& guid, const Page& page) const;
  Result<json> GlossaryTermHeaders(const std::string& guid, const Page& page) const;
  Result<json> GlossaryCategories(const std::string& guid, const Page& page) const;
  Result<json> GlossaryCategoryHeaders(const std::string& guid, const Page& page) const;

  // ---- Terms ----
  Result<json> CreateTerm(const json& body, const std::string& user);
  // All or nothing: one catalog write for the whole list.
  Result<json> CreateTerms(const json& bodies, const std::string& user);
  Result<json> GetTerm(const std::string& guid) const;
  Result<json> UpdateTerm(const std::string& guid, const json& body, const std::string& user);
  Result<json> PartialUpdateTerm(const std::string& guid, const json& attributes, const std::string& user);
  // Fails while the term is assigned to an entity (ATLAS-400-00-086).
  Status DeleteTerm(const std::string& guid, const std::string& user);
  // Related terms keyed by relation attribute ("seeAlso", "synonyms", ...); empty relations omitted.
  Result<json> RelatedTerms(const std::string& guid) const;
  // [AtlasRelatedObjectId] of the entities the term is assigned to.
  Result<json> AssignedEntities(const std::string& guid, const Page& page) const;
  // `entities`: [AtlasRelatedObjectId] (guid, or typeName + uniqueAttributes; optional
  // relationshipAttributes.attributes for the assignment). Already assigned entities are skipped.
  Status AssignTerm(const std::string& guid, const json& entities, const std::string& user);
  // `entities`: [{"guid", "relationshipGuid"}]; either identifies the assignment.
  Status RemoveTermAssignment(const std::string& guid, const json& entities, const std::string& user);

  // ---- Categories ----
  Result<json> CreateCategory(const json& body, const std::string& user);
  Result<json> CreateCategories(const json& bodies, const std::string& user);
  Result<json> GetCategory(const std::string& guid) const;
  Result<json> UpdateCategory(const std::string& guid, const json& body, const std::string& user);
  Result<json> PartialUpdateCategory(const std::string& guid, const json& attributes, const std::string& user);
  // Deletes the category; its children lose their parent (and are renamed accordingly).
  Status DeleteCategory(const std::string& guid, const std::string& user);
  // {"parent": [header], "children": [headers]} (empty keys omitted).
  Result<json> RelatedCategories(const std::string& guid) const;
  Result<json> CategoryTerms(const std::string& guid, const Page& page) const;

  // ---- Import (Atlas's glossary CSV) ----
  // The CSV header line and an example row (GET /glossary/import/template).
  static std::string ImportTemplate();
  // Creates one term per CSV row (creating missing glossaries), then links the
  // relation columns ("Glossary:Term|..."; the glossary defaults to the row's).
  // Rows fail independently. BulkImportResponse:
  // {"successImportInfoList": [ImportInfo], "failedImportInfoList": [ImportInfo]},
  // ImportInfo = {parentObjectName, childObjectName, importStatus, remarks}.
  Result<json> ImportCsv(const std::string& csv, const std::string& user);

 private:
  // The term entity body (attributes + relationshipAttributes) for a create or full
  // update; `relation_attributes` receives the attributes its relation headers carry
  // (applied after the write by ApplyRelationAttributes in glossary_internal.h).
  Result<json> TermEntity(const json& body, const std::string& existing_guid, std::string* qualified_name,
                          json* relation_attributes);
  Result<json> CategoryEntity(const json& body, const std::string& existing_guid, std::string* glossary_guid,
                              json* relation_attributes);
  // Rewrites qualifiedName of the category's descendants after a rename or move.
  Status RequalifyChildren(const std::string& category_guid, const std::string& user);
  Status CheckGlossaryNameFree(const std::string& name, const std::string& except_guid) const;

  catalog::Catalog* catalog_;
  std::mutex mu_;  // serialises glossary mutations
};

}  // namespace meridian::glossary
