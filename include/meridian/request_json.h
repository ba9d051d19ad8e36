// ParseRequestJson: the one way JSON from a client (request bodies, JSON in
// query parameters or in string fields) becomes an nlohmann::json value.
//
// Limit: objects and arrays nest at most kMaxRequestJsonDepth (64) levels; the
// top-level value is level 1. Deeper input is refused while it is being parsed
// (the parser stops at the first container past the limit), so no code after
// it ever walks, copies, dumps or destroys an unbounded tree. Atlas's own
// payloads nest fewer than 10 levels.
//
// Errors: InvalidArgument with Atlas's ATLAS-400-00-01A (HTTP 400) for empty,
// malformed or too deeply nested input. Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "meridian/status.h"

namespace meridian {

inline constexpr int kMaxRequestJsonDepth = 64;

// `what` names the input in error messages ("request body", "query parameter x").
inline Result<nlohmann::json> ParseRequestJson(std::string_view text, std::string_view what = "request body") {
  using nlohmann::json;
  if (text.empty()) return Status::InvalidArgument(std::string(what) + " is empty; JSON expected", "ATLAS-400-00-01A");
  struct TooDeep {};
  // `depth` is the number of containers already open around the one starting.
  json::parser_callback_t limit = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxRequestJsonDepth)
      throw TooDeep{};
    return true;
  };
  json j;
  try {
    j = json::parse(text, limit, /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    return Status::InvalidArgument(std::string(what) + " nests JSON deeper than " +
                                       std::to_string(kMaxRequestJsonDepth) + " levels",
                                   "ATLAS-400-00-01A");
  }
  if (j.is_discarded()) return Status::InvalidArgument(std::string(what) + " is not valid JSON", "ATLAS-400-00-01A");
  return j;
}

}  // namespace meridian
