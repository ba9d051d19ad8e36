// libFuzzer target: parses and runs arbitrary query text against the tutorial catalog.
// Any crash, sanitizer report or timeout is a bug; error Statuses are expected.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "memory_catalog.h"
#include "meridian/dsl/dsl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const meridian::dsl::testing::MemoryCatalog* catalog =
      meridian::dsl::testing::BuildTutorialCatalog().release();
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  meridian::dsl::Parse(query).status().PermitUnchecked();
  meridian::dsl::QueryOptions options;
  options.exclude_deleted = size % 2 == 0;
  meridian::dsl::ExecuteQuery(*catalog, query, options).status().PermitUnchecked();
  return 0;
}
