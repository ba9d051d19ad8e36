#include <string>

#include "meridian/types/type_registry.h"

namespace meridian::types {

// Defined in the generated builtin_models_data.cc: (relative path, JSON text).
extern const std::vector<std::pair<std::string_view, std::string_view>> kBuiltinModelFiles;

std::vector<nlohmann::json> BuiltinModelDocs() {
  std::vector<nlohmann::json> docs;
  for (const auto& [path, text] : kBuiltinModelFiles)
    if (path.find("/patches/") == std::string_view::npos) docs.push_back(nlohmann::json::parse(text));
  // Patches apply in file order, after every model is present.
  for (const auto& [path, text] : kBuiltinModelFiles)
    if (path.find("/patches/") != std::string_view::npos) ApplyModelPatches(docs, nlohmann::json::parse(text));
  return docs;
}

}  // namespace meridian::types
