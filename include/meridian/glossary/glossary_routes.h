// REST routes of Atlas's glossary API (/api/atlas/v2/glossary/...), served by
// a GlossaryService over the catalog in `services`. Defined in
// src/server/glossary_handlers.cc; call once before the server starts.
#pragma once

#include "meridian/server/api.h"
#include "meridian/server/http.h"

namespace meridian::server {

void RegisterGlossaryRoutes(Router& r, const Services& s);

}  // namespace meridian::server
