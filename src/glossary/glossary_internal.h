// Helpers shared by the glossary service's .cc files: loading, validation,
// paging and the rendering of Atlas's glossary JSON shapes.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "meridian/glossary/glossary.h"

namespace meridian::glossary {

inline constexpr char kGlossaryType[] = "AtlasGlossary";
inline constexpr char kTermType[] = "AtlasGlossaryTerm";
inline constexpr char kCategoryType[] = "AtlasGlossaryCategory";
inline constexpr char kAssignmentType[] = "AtlasGlossarySemanticAssignment";

// Term-to-term relation attributes of AtlasGlossaryTerm.
extern const std::vector<std::string> kTermRelations;

// The ACTIVE entity `guid` of type `type`; NotFound ATLAS-404-00-005 otherwise.
Result<json> LoadActive(const catalog::Catalog& c, const std::string& guid, std::string_view type);
// Guids of all AtlasGlossary entities (any status).
std::vector<std::string> GlossaryGuids(const catalog::Catalog& c);
// The ACTIVE glossary named `name`, or empty.
std::string GlossaryGuidByName(const catalog::Catalog& c, const std::string& name);
std::vector<catalog::Catalog::Edge> ActiveEdges(const catalog::Catalog& c, const std::string& guid,
                                                std::string_view attr);
// The single active neighbour on `attr` (e.g. a term's anchor), or empty.
std::string ActiveNeighbour(const catalog::Catalog& c, const std::string& guid, std::string_view attr);

std::string StringAttr(const json& record, const std::string& name);
// A display name: non-empty string without '@' or '.'. `missing_code` when absent.
Result<std::string> ValidName(const json& body, const std::string& missing_code, const std::string& what);
// The guid in `obj[key]` (e.g. anchor.glossaryGuid), or empty.
std::string GuidField(const json& obj, const char* key);
Status RequireObject(const json& body, const std::string& what);

// Copies the `names` attributes present in `body` (or, with `clear_absent`, null for absent ones).
void CopyAttributes(const json& body, const std::vector<std::string>& names, bool clear_absent, json* attributes);
// Checks a PUT .../partial body against the attributes that may be changed.
Status CheckPartial(const json& attributes, const std::vector<std::string>& allowed, const std::string& what);

// The attributes of relationship type `relationship_type` present in `source`,
// checked against their types (InvalidArgument otherwise).
Result<json> CheckRelationshipAttributes(const types::TypeRegistry& reg, const std::string& relationship_type,
                                         const json& source);
// For the headers in body[key] (relation attribute `key` of `type`, header guid in `guid_key`):
// {other guid: {attribute: value}} of those that carry relationship attributes.
Result<json> RelationAttributes(const types::TypeRegistry& reg, const types::TypeDef& type, const json& body,
                                const std::string& key, const char* guid_key);
// Applies {key: {other guid: attributes}} to the active relationships of `guid`.
Status ApplyRelationAttributes(catalog::Catalog& c, const std::string& guid, const json& pending,
                               const std::string& user);

// Attributes of the relationship `rel_guid` ({} when unknown).
json RelationshipAttributes(const catalog::Catalog& c, const std::string& rel_guid);

// Sorts by `key`, then applies offset/limit.
json Paged(std::vector<json> items, const Page& page, const std::function<std::string(const json&)>& key);

// Atlas shapes.
json RenderGlossary(const catalog::Catalog& c, const json& record);
json RenderTerm(const catalog::Catalog& c, const json& record);
json RenderCategory(const catalog::Catalog& c, const json& record);
// AtlasRelatedTermHeader {termGuid, relationGuid, displayText, + relationship attributes}.
json TermHeader(const catalog::Catalog& c, const catalog::Catalog::Edge& edge, bool with_attributes);
// AtlasRelatedCategoryHeader {categoryGuid, parentCategoryGuid, relationGuid, displayText}.
json CategoryHeader(const catalog::Catalog& c, const catalog::Catalog::Edge& edge);
// AtlasRelatedObjectId of an assigned entity.
json AssignedEntity(const catalog::Catalog& c, const catalog::Catalog::Edge& edge);

}  // namespace meridian::glossary
