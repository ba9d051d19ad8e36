// Import transforms: Atlas's `transforms` (per type and attribute, parameters
// separated by '~') and `transformers` (condition/action rules), applied to
// each entity of an import before it is stored.
// Thread-safety: immutable once parsed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"
#include "meridian/types/type_registry.h"

namespace meridian::exchange {

class Transforms {
 public:
  // From an AtlasImportRequest's options: `transforms` and `transformers`, each
  // JSON text or JSON. InvalidArgument naming the bad spec (a ':' separator is
  // refused, as Atlas refuses it).
  static Result<Transforms> Parse(const nlohmann::json& options);
  bool empty() const { return rules_.empty(); }
  // Rewrites `entity` (an AtlasEntity). `top_level`: it is the main entity of its
  // ZIP entry, not a referred one. Sub-types match their super-type's rules.
  void Apply(nlohmann::json& entity, bool top_level, const types::TypeRegistry& reg) const;
  // Classification types the rules add; the import creates missing ones.
  const std::vector<std::string>& added_classifications() const { return added_; }

  struct Rule;

 private:
  std::vector<std::shared_ptr<const Rule>> rules_;
  std::vector<std::string> added_;
};

}  // namespace meridian::exchange
