// Hand-written recursive-descent parser for one HiveQL statement.
#pragma once

#include <span>
#include <string>

#include "ast.h"
#include "lexer.h"

namespace meridian::sql {

struct ParseError {
  int line = 0;
  int column = 0;
  std::string message;
};

// Parses the tokens of one statement (without the `;`). `terminator` is the
// token after it (`;` or end) and positions errors at the end of input.
// Returns false and fills `error` when the statement is not valid HiveQL for
// this parser; recursion is bounded, so hostile input fails cleanly.
bool ParseStatement(std::span<const Token> tokens, const Token& terminator, Statement* out, ParseError* error);

}  // namespace meridian::sql
