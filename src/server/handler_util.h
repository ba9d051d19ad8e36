// Small helpers shared by the REST handlers.
#pragma once

#include <string>
#include <vector>

#include "meridian/catalog/catalog.h"
#include "meridian/server/http.h"

namespace meridian::server {

// Returns the error response of a failed Result/Status, else the JSON of the value.
template <typename T>
HttpResponse JsonOr(const Result<T>& r, int status = 200) {
  return r.ok() ? HttpResponse::Json(*r, status) : HttpResponse::Error(r.status());
}
inline HttpResponse NoContentOr(const Status& s) { return s.ok() ? HttpResponse::NoContent() : HttpResponse::Error(s); }

// The attr:<name>=<value> selectors of a unique-attribute request.
std::vector<std::pair<std::string, std::string>> UniqueSelectors(const HttpRequest& req, const std::string& prefix);

// Resolves /uniqueAttribute/type/{typeName}?attr:qualifiedName=... to a guid.
Result<std::string> GuidFromUniqueAttributes(const catalog::Catalog& catalog, const HttpRequest& req);

// The uploaded file of a multipart/form-data body (the part named "file", else
// the first part); any other body is taken as the file itself (glossary_handlers.cc).
Result<std::string> UploadedFile(const HttpRequest& req);

}  // namespace meridian::server
