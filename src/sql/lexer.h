// HiveQL tokenizer. Comments (`--`, `/* */`) are dropped; identifiers keep
// their spelling (keywords are plain identifiers compared case-insensitively).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::sql {

enum class TokenKind : unsigned char {
  kIdent,        // bare word, including keywords and ${var} substitutions
  kQuotedIdent,  // `backticked`
  kString,       // 'text' or "text"; `text` holds the unescaped value
  kNumber,
  kSymbol,  // operators and punctuation
  kError,   // unterminated string, identifier or comment; `text` says which
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  size_t begin = 0;  // byte offsets in the script
  size_t end = 0;
  int line = 1;
  int column = 1;
};

// Tokenizes the whole script. The result always ends with one kEnd token; a
// kError token stops tokenizing.
std::vector<Token> Tokenize(std::string_view script);

// True if `token` is a bare word equal to `keyword` (upper-case ASCII).
bool IsKeyword(const Token& token, std::string_view keyword);

std::string ToLower(std::string_view s);

}  // namespace meridian::sql
