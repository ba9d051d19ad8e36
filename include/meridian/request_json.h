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
#include "meridian/atlas_error_codes.h"

namespace meridian {

inline constexpr int kMaxRequestJsonDepth = 64;

namespace request_json_internal {

// nlohmann's DOM builder with a depth check on each container start (the SAX
// interface is static, so these shadow the base's handlers). Stops the parse
// at the first container past the limit. (A parser_callback_t would do the
// same but makes parsing about 5 times slower.)
class DepthLimitedDom : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
  explicit DepthLimitedDom(nlohmann::json& result) : Base(result, /*allow_exceptions=*/false) {}
  bool start_object(std::size_t n) { return Enter() && Base::start_object(n); }
  bool start_array(std::size_t n) { return Enter() && Base::start_array(n); }
  bool end_object() { --depth_; return Base::end_object(); }
  bool end_array() { --depth_; return Base::end_array(); }
  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    too_deep_ = ++depth_ > kMaxRequestJsonDepth;
    return !too_deep_;
  }
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace request_json_internal

// `what` names the input in error messages ("request body", "filter value").
inline Result<nlohmann::json> ParseRequestJson(std::string_view text, std::string_view what = "request body") {
  if (text.empty()) return Status::InvalidArgument(std::string(what) + " is empty; JSON expected", atlas_code::kInvalidParameters);
  nlohmann::json j;
  request_json_internal::DepthLimitedDom dom(j);
  if (nlohmann::json::sax_parse(text, &dom)) return j;
  if (dom.too_deep())
    return Status::InvalidArgument(std::string(what) + " nests JSON deeper than " +
                                       std::to_string(kMaxRequestJsonDepth) + " levels",
                                   atlas_code::kInvalidParameters);
  return Status::InvalidArgument(std::string(what) + " is not valid JSON", atlas_code::kInvalidParameters);
}

}  // namespace meridian
