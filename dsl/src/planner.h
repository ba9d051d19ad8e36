// Planner: resolves a parsed query against the catalog and picks how to find candidates
// (index lookup for `=`/IN on an attribute, explicit guids, or a scan per concrete type).
#pragma once

#include <stdexcept>
#include <utility>

#include "meridian/dsl/ast.h"
#include "meridian/dsl/catalog_view.h"
#include "meridian/dsl/dsl.h"
#include "meridian/status.h"
#include "plan.h"

namespace meridian::dsl {

// Internal carrier of semantic errors; the public entry point returns its Status.
class StatusException : public std::runtime_error {
 public:
  explicit StatusException(Status status)
      : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// Throws StatusException (ATLAS-400-00-05x/06x) on unknown names or invalid clauses.
Plan BuildPlan(const CatalogView& catalog, const Query& query, const QueryOptions& options);

}  // namespace meridian::dsl
