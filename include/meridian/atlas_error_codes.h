// Atlas error codes (the errorCode of an error response), named once. Each is the
// code Atlas gives the same condition; Status carries one to HttpResponse::Error.
#pragma once

namespace meridian::atlas_code {

inline constexpr char kUnknownType[] = "ATLAS-400-00-001";  // unknown type
inline constexpr char kUnknownTypename[] = "ATLAS-400-00-00A";  // unknown or invalid type name
inline constexpr char kCannotAddMandatoryAttribute[] = "ATLAS-400-00-00C";  // a type update adds a mandatory attribute
inline constexpr char kAttributeDeletionNotSupported[] = "ATLAS-400-00-00D";  // a type update removes an attribute
inline constexpr char kSuperTypeRemovalNotSupported[] = "ATLAS-400-00-00E";  // a type update removes a super-type
inline constexpr char kTypeMatchFailed[] = "ATLAS-400-00-010";  // a name is taken by a type of another category
inline constexpr char kTypeNameInvalid[] = "ATLAS-400-00-014";  // no type of that name
inline constexpr char kInvalidParameters[] = "ATLAS-400-00-01A";  // invalid parameters (the default 400)
inline constexpr char kClassificationAlreadyAssociated[] = "ATLAS-400-00-01B";  // the entity already has the classification
inline constexpr char kInvalidObjectId[] = "ATLAS-400-00-021";  // an invalid guid or object id
inline constexpr char kUnknownAttribute[] = "ATLAS-400-00-023";  // the type has no such attribute
inline constexpr char kBadRequest[] = "ATLAS-400-00-029";  // bad request
inline constexpr char kMissingMandatoryAttribute[] = "ATLAS-400-00-02B";  // a mandatory attribute is missing or null
inline constexpr char kUnknownClassification[] = "ATLAS-400-00-046";  // unknown or invalid classification
inline constexpr char kInvalidSearchParams[] = "ATLAS-400-00-047";  // a search without any search parameter
inline constexpr char kSavedSearchChangeUser[] = "ATLAS-400-00-056";  // a saved search cannot change its owner
inline constexpr char kInvalidQueryLength[] = "ATLAS-400-00-058";  // the query is too long
inline constexpr char kInvalidDslQuery[] = "ATLAS-400-00-059";  // a DSL query that does not parse
inline constexpr char kInvalidDslUnknownType[] = "ATLAS-400-00-05B";  // DSL: type not found
inline constexpr char kInvalidDslUnknownClassification[] = "ATLAS-400-00-05C";  // DSL: classification not found
inline constexpr char kInvalidDslUnknownAttrType[] = "ATLAS-400-00-05D";  // DSL: attribute not found for the type
inline constexpr char kInvalidDslOrderBy[] = "ATLAS-400-00-05E";  // DSL: orderby on a non-primitive attribute
inline constexpr char kInvalidDslSelectReferredAttr[] = "ATLAS-400-00-060";  // DSL: select with several referred attributes
inline constexpr char kInvalidDslSelectInvalidAgg[] = "ATLAS-400-00-061";  // DSL: aggregation on referred attributes
inline constexpr char kInvalidDslSelectAttrMixing[] = "ATLAS-400-00-062";  // DSL: select mixes simple and referred attributes
inline constexpr char kInvalidDslHasAttribute[] = "ATLAS-400-00-063";  // DSL: no such attribute for the type
inline constexpr char kInvalidDslDuplicateAlias[] = "ATLAS-400-00-066";  // DSL: duplicate alias
inline constexpr char kInvalidDslInvalidDate[] = "ATLAS-400-00-067";  // DSL: invalid date format
inline constexpr char kInvalidDslHasProperty[] = "ATLAS-400-00-068";  // DSL: property of a non-primitive type
inline constexpr char kClassificationUpdateFromPropagatedEntity[] = "ATLAS-400-00-06B";  // a propagated classification updated on its target
inline constexpr char kClassificationDeleteFromPropagatedEntity[] = "ATLAS-400-00-06C";  // a propagated classification deleted on its target
inline constexpr char kMissingMandatoryAnchor[] = "ATLAS-400-00-072";  // a glossary term or category without its anchor
inline constexpr char kInvalidPartialUpdateAttr[] = "ATLAS-400-00-074";  // an invalid attribute for a partial update
inline constexpr char kMissingTermIdForCategorization[] = "ATLAS-400-00-076";  // a category's term without a guid
inline constexpr char kTermDissociationMissingRelationGuid[] = "ATLAS-400-00-078";  // a term dissociation without its relationship guid
inline constexpr char kGlossaryQualifiedNameCantBeDerived[] = "ATLAS-400-00-079";  // a glossary without a usable name
inline constexpr char kGlossaryTermQualifiedNameCantBeDerived[] = "ATLAS-400-00-07A";  // a glossary term without a usable name
inline constexpr char kInvalidTermRelationToSelf[] = "ATLAS-400-00-07E";  // a term related to itself
inline constexpr char kInvalidChildCategoryDifferentGlossary[] = "ATLAS-400-00-07F";  // a child category of another glossary
inline constexpr char kInvalidTermDissociation[] = "ATLAS-400-00-080";  // a term dissociation with a wrong relationship guid
inline constexpr char kMissingCategoryDisplayName[] = "ATLAS-400-00-082";  // a glossary category without a usable name
inline constexpr char kInvalidDisplayName[] = "ATLAS-400-00-083";  // a glossary name with '@' or '.'
inline constexpr char kTermHasEntityAssociation[] = "ATLAS-400-00-086";  // a term still assigned to entities
inline constexpr char kInvalidLabelLength[] = "ATLAS-400-00-08F";  // a label longer than allowed
inline constexpr char kInvalidLabelCharacters[] = "ATLAS-400-00-090";  // a label with characters outside [A-Za-z0-9_-]
inline constexpr char kBusinessMetadataAttributeTypeInvalid[] = "ATLAS-400-00-094";  // a business-metadata attribute of a non-primitive type
inline constexpr char kNoDataFound[] = "ATLAS-400-00-09B";  // an uploaded file without data
inline constexpr char kInvalidTopicName[] = "ATLAS-400-00-0A7";  // a notification topic other than ATLAS_HOOK or ATLAS_ENTITIES
inline constexpr char kUnauthenticated[] = "ATLAS-401-00-001";  // authentication required
inline constexpr char kUnauthorizedAccess[] = "ATLAS-403-00-001";  // the user's role does not allow the operation
inline constexpr char kNoSuchApi[] = "ATLAS-404-00-000";  // no API at the path
inline constexpr char kTypeNameNotFound[] = "ATLAS-404-00-001";  // no type of that name
inline constexpr char kEmptyResults[] = "ATLAS-404-00-004";  // no result
inline constexpr char kInstanceGuidNotFound[] = "ATLAS-404-00-005";  // no entity with that guid
inline constexpr char kInstanceCrudInvalidParams[] = "ATLAS-404-00-007";  // invalid entity create or update parameters
inline constexpr char kClassificationNotFound[] = "ATLAS-404-00-008";  // no such classification
inline constexpr char kInstanceByUniqueAttributeNotFound[] = "ATLAS-404-00-009";  // no entity with that unique attribute
inline constexpr char kInstanceNotFound[] = "ATLAS-404-00-00B";  // the given instance is invalid or not found
inline constexpr char kRelationshipGuidNotFound[] = "ATLAS-404-00-00C";  // no relationship with that guid
inline constexpr char kInstanceGuidNotDataset[] = "ATLAS-404-00-011";  // the entity is not a DataSet or Process
inline constexpr char kInstanceGuidDeleted[] = "ATLAS-404-00-012";  // the entity is deleted
inline constexpr char kMethodNotAllowed[] = "ATLAS-405-00-001";  // the path does not take that method
inline constexpr char kTypeAlreadyExists[] = "ATLAS-409-00-001";  // a type of that name exists
inline constexpr char kTypeHasReferences[] = "ATLAS-409-00-002";  // the type is in use (the default 409)
inline constexpr char kRelationshipAlreadyExists[] = "ATLAS-409-00-004";  // the relationship exists between the entities
inline constexpr char kSavedSearchAlreadyExists[] = "ATLAS-409-00-006";  // a saved search of that name exists
inline constexpr char kGlossaryAlreadyExists[] = "ATLAS-409-00-007";  // a glossary of that name exists
inline constexpr char kGlossaryTermAlreadyExists[] = "ATLAS-409-00-009";  // a glossary term of that name exists
inline constexpr char kGlossaryCategoryAlreadyExists[] = "ATLAS-409-00-00A";  // a glossary category of that name exists
inline constexpr char kUniqueAttributeTaken[] = "ATLAS-409-00-011";  // another entity holds the unique attribute value
inline constexpr char kTooManyAttempts[] = "ATLAS-429-00-001";  // too many failed sign-ins; retry later
inline constexpr char kInternalError[] = "ATLAS-500-00-001";  // internal server error
inline constexpr char kImportExportInProgress[] = "ATLAS-500-00-006";  // another import or export is running (Atlas answers it with 409)
inline constexpr char kUnavailable[] = "ATLAS-503-00-001";  // the server cannot take the request now
inline constexpr char kDeadlineExceeded[] = "ATLAS-504-00-001";  // the request's deadline passed
inline constexpr char kInsufficientStorage[] = "ATLAS-507-00-001";  // the store cannot persist the write

}  // namespace meridian::atlas_code
