// Internal error type of the lexer and parser; the public entry points turn it into a
// Status with ATLAS-400-00-059 and the 1-based position.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace meridian::dsl {

class ParseException : public std::runtime_error {
 public:
  ParseException(size_t offset, const std::string& message)
      : std::runtime_error(message), offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;  // 0-based
};

}  // namespace meridian::dsl
