// Lexer for the Atlas DSL: turns query text into tokens with their offsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::dsl {

enum class TokenKind : uint8_t {
  kEnd,
  kIdentifier,  // letters, digits, '_' and inner dots: name, db.name, __guid
  kQuoted,      // '...', "..." or `...`; text holds the content without quotes
  kInteger,
  kFloat,
  // Operators (word forms lt/lte/eq/neq/gt/gte map onto the symbolic kinds).
  kEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kLike,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  // Keywords (case-insensitive).
  kFrom,
  kWhere,
  kSelect,
  kAs,
  kLimit,
  kOffset,
  kOrderBy,
  kGroupBy,
  kAsc,
  kDesc,
  kIsA,
  kIs,
  kHas,
  kHasTerm,
  kAnd,
  kOr,
  kCount,
  kMin,
  kMax,
  kSum,
  kTrue,
  kFalse,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // 0-based byte offset in the query
  size_t length = 0;  // bytes in the query, quotes included
  std::string text;   // as written (quoted: content only)
};

// Describes a token for error messages: "end of query", "'='", "keyword 'select'", ...
std::string DescribeToken(const Token& token);

// Splits `query` into tokens ending with a kEnd token. Throws ParseException (parser.h)
// on unterminated quotes or comments and on characters outside the language.
std::vector<Token> Tokenize(std::string_view query);

}  // namespace meridian::dsl
