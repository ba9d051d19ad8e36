#include "lexer.h"

#include <array>
#include <cctype>
#include <utility>

#include "parse_exception.h"

namespace meridian::dsl {
namespace {

struct KeywordEntry {
  std::string_view word;
  TokenKind kind;
};

constexpr std::array<KeywordEntry, 29> kKeywords = {{
    {"from", TokenKind::kFrom},       {"where", TokenKind::kWhere},
    {"select", TokenKind::kSelect},   {"as", TokenKind::kAs},
    {"limit", TokenKind::kLimit},     {"offset", TokenKind::kOffset},
    {"orderby", TokenKind::kOrderBy}, {"groupby", TokenKind::kGroupBy},
    {"asc", TokenKind::kAsc},         {"desc", TokenKind::kDesc},
    {"isa", TokenKind::kIsA},         {"is", TokenKind::kIs},
    {"has", TokenKind::kHas},         {"hasterm", TokenKind::kHasTerm},
    {"like", TokenKind::kLike},       {"and", TokenKind::kAnd},
    {"or", TokenKind::kOr},           {"count", TokenKind::kCount},
    {"min", TokenKind::kMin},         {"max", TokenKind::kMax},
    {"sum", TokenKind::kSum},         {"true", TokenKind::kTrue},
    {"false", TokenKind::kFalse},     {"lt", TokenKind::kLt},
    {"lte", TokenKind::kLte},         {"eq", TokenKind::kEq},
    {"neq", TokenKind::kNeq},         {"gt", TokenKind::kGt},
    {"gte", TokenKind::kGte},
}};

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentPart(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

TokenKind KeywordOrIdentifier(std::string_view word) {
  for (const auto& entry : kKeywords) {
    if (EqualsIgnoreCase(word, entry.word)) return entry.kind;
  }
  return TokenKind::kIdentifier;
}

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

// Appends instead of `"'" + s + "'"`, which trips GCC 12's -Wrestrict false positive.
std::string Wrap(std::string_view prefix, std::string_view text, std::string_view suffix) {
  std::string out;
  out.reserve(prefix.size() + text.size() + suffix.size());
  out.append(prefix).append(text).append(suffix);
  return out;
}

}  // namespace

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of query";
    case TokenKind::kIdentifier:
      return Wrap("'", Excerpt(token.text), "'");
    case TokenKind::kQuoted:
      return Wrap("quoted text '", Excerpt(token.text), "'");
    case TokenKind::kInteger:
    case TokenKind::kFloat:
      return Wrap("number ", Excerpt(token.text), "");
    default:
      break;
  }
  if (std::isalpha(static_cast<unsigned char>(token.text.empty() ? ' ' : token.text[0]))) {
    return Wrap("keyword '", token.text, "'");
  }
  return Wrap("'", token.text, "'");
}

std::vector<Token> Tokenize(std::string_view query) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = query.size();
  auto emit = [&](TokenKind kind, size_t start, size_t end, std::string text) {
    tokens.push_back(Token{kind, start, end - start, std::move(text)});
  };
  while (i < n) {
    const unsigned char c = query[i];
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && query[i + 1] == '-') {
      while (i < n && query[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && query[i + 1] == '*') {
      const size_t end = query.find("*/", i + 2);
      if (end == std::string_view::npos) throw ParseException(i, "unterminated comment");
      i = end + 2;
      continue;
    }
    const size_t start = i;
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = query.find(static_cast<char>(c), i + 1);
      if (end == std::string_view::npos) {
        throw ParseException(
            i, std::string("unterminated quoted text: missing closing ") + static_cast<char>(c));
      }
      emit(TokenKind::kQuoted, start, end + 1, std::string(query.substr(i + 1, end - i - 1)));
      i = end + 1;
      continue;
    }
    if (IsIdentStart(c)) {
      ++i;
      while (i < n) {
        const unsigned char d = query[i];
        if (IsIdentPart(d)) {
          ++i;
        } else if (d == '.' && i + 1 < n && IsIdentStart(query[i + 1])) {
          i += 2;
        } else {
          break;
        }
      }
      const std::string_view word = query.substr(start, i - start);
      emit(KeywordOrIdentifier(word), start, i, std::string(word));
      continue;
    }
    if (IsDigit(c) || (c == '.' && i + 1 < n && IsDigit(query[i + 1]))) {
      bool is_float = false;
      while (i < n && IsDigit(query[i])) ++i;
      if (i + 1 < n && query[i] == '.' && IsDigit(query[i + 1])) {
        is_float = true;
        ++i;
        while (i < n && IsDigit(query[i])) ++i;
      }
      if (i < n && (query[i] == 'e' || query[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (query[j] == '+' || query[j] == '-')) ++j;
        if (j < n && IsDigit(query[j])) {
          is_float = true;
          i = j;
          while (i < n && IsDigit(query[i])) ++i;
        }
      }
      if (i < n && IsIdentStart(query[i])) {
        throw ParseException(i, "unexpected character '" + std::string(1, query[i]) +
                                    "' after number " +
                                    std::string(query.substr(start, i - start)));
      }
      emit(is_float ? TokenKind::kFloat : TokenKind::kInteger, start, i,
           std::string(query.substr(start, i - start)));
      continue;
    }
    auto two = [&](char next) { return i + 1 < n && query[i + 1] == next; };
    TokenKind kind;
    size_t len = 1;
    switch (c) {
      case '=':
        kind = TokenKind::kEq;
        break;
      case '!':
        if (!two('=')) throw ParseException(i, "unexpected character '!' (did you mean '!=')");
        kind = TokenKind::kNeq;
        len = 2;
        break;
      case '<':
        kind = two('=') ? (len = 2, TokenKind::kLte) : TokenKind::kLt;
        break;
      case '>':
        kind = two('=') ? (len = 2, TokenKind::kGte) : TokenKind::kGt;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        kind = TokenKind::kMinus;
        break;
      case '*':
        kind = TokenKind::kStar;
        break;
      case '/':
        kind = TokenKind::kSlash;
        break;
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case '[':
        kind = TokenKind::kLBracket;
        break;
      case ']':
        kind = TokenKind::kRBracket;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string shown;
        if (std::isprint(c)) {
          shown.push_back(static_cast<char>(c));
        } else {
          shown = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
        }
        throw ParseException(i, "unexpected character '" + shown + "'");
      }
    }
    emit(kind, start, i + len, std::string(query.substr(i, len)));
    i += len;
  }
  tokens.push_back(Token{TokenKind::kEnd, n, 0, ""});
  return tokens;
}

}  // namespace meridian::dsl
