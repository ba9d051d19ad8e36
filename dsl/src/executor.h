// Executor: streams candidates from the catalog, filters them and builds the answer.
#pragma once

#include "meridian/deadline.h"
#include "meridian/dsl/catalog_view.h"
#include "meridian/dsl/dsl.h"
#include "plan.h"

namespace meridian::dsl {

// Runs a plan. Entity queries and non-aggregating selects without orderby stop reading the
// catalog as soon as the requested page is complete. Throws StatusException (planner.h) with
// the deadline's Status once `deadline` expires (checked every few hundred entities read).
QueryResult RunPlan(const CatalogView& catalog, const Plan& plan, const Deadline& deadline);

}  // namespace meridian::dsl
