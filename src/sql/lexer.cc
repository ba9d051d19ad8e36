#include "lexer.h"

#include <cctype>
#include <optional>

namespace meridian::sql {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      if (error_) {
        out.push_back(std::move(*error_));
        break;
      }
      if (pos_ >= s_.size()) break;
      Token t = Next();
      bool stop = t.kind == TokenKind::kError;
      out.push_back(std::move(t));
      if (stop) break;
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.begin = end.end = s_.size();
    end.line = line_;
    end.column = Column();
    out.push_back(std::move(end));
    return out;
  }

 private:
  int Column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void Advance() {
    if (s_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

  void SkipSpaceAndComments() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < s_.size() && s_[pos_] != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        Token t = Start();
        Advance();
        Advance();
        while (pos_ < s_.size() && !(s_[pos_] == '*' && Peek(1) == '/')) Advance();
        if (pos_ >= s_.size()) {
          t.kind = TokenKind::kError;
          t.text = "unterminated /* comment";
          t.end = pos_;
          error_ = std::move(t);
          return;
        }
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  Token Start() const {
    Token t;
    t.begin = pos_;
    t.line = line_;
    t.column = Column();
    return t;
  }

  Token Next() {
    Token t = Start();
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      LexString(t, c);
    } else if (c == '`') {
      LexQuotedIdent(t);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      LexNumberOrIdent(t);
    } else if (IsIdentChar(c) || static_cast<unsigned char>(c) >= 0x80) {
      while (pos_ < s_.size() && (IsIdentChar(s_[pos_]) || static_cast<unsigned char>(s_[pos_]) >= 0x80)) {
        Advance();
      }
      t.kind = TokenKind::kIdent;
    } else if (c == '$' && Peek(1) == '{') {
      while (pos_ < s_.size() && s_[pos_] != '}') Advance();
      if (pos_ >= s_.size()) {
        t.kind = TokenKind::kError;
        t.text = "unterminated ${ variable";
        t.end = pos_;
        return t;
      }
      Advance();
      t.kind = TokenKind::kIdent;
    } else {
      LexSymbol(t);
    }
    t.end = pos_;
    if (t.kind == TokenKind::kIdent || t.kind == TokenKind::kNumber || t.kind == TokenKind::kSymbol) {
      t.text = std::string(s_.substr(t.begin, t.end - t.begin));
    }
    return t;
  }

  void LexString(Token& t, char quote) {
    Advance();
    std::string value;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        Advance();
        char e = s_[pos_];
        switch (e) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case 'r':
            value += '\r';
            break;
          case '0':
            value += '\0';
            break;
          default:
            value += e;
            break;
        }
      } else {
        value += s_[pos_];
      }
      Advance();
    }
    if (pos_ >= s_.size()) {
      t.kind = TokenKind::kError;
      t.text = "unterminated string literal";
      return;
    }
    Advance();
    t.kind = TokenKind::kString;
    t.text = std::move(value);
  }

  void LexQuotedIdent(Token& t) {
    Advance();
    std::string value;
    while (pos_ < s_.size()) {
      if (s_[pos_] == '`') {
        if (Peek(1) == '`') {
          value += '`';
          Advance();
          Advance();
          continue;
        }
        break;
      }
      value += s_[pos_];
      Advance();
    }
    if (pos_ >= s_.size()) {
      t.kind = TokenKind::kError;
      t.text = "unterminated `quoted identifier`";
      return;
    }
    Advance();
    t.kind = TokenKind::kQuotedIdent;
    t.text = std::move(value);
  }

  // Hive identifiers may start with a digit (`2019_sales`), so a number that
  // runs into identifier characters is re-read as an identifier.
  void LexNumberOrIdent(Token& t) {
    size_t start = pos_;
    int line = line_;
    size_t line_start = line_start_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
    if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      Advance();
      while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
    } else if (Peek() == '.' && !IsIdentChar(Peek(1))) {
      Advance();
    }
    if ((Peek() == 'e' || Peek() == 'E') &&
        (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
         ((Peek(1) == '+' || Peek(1) == '-') && std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      Advance();
      Advance();
      while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
    }
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(Peek())));
    if (c == 'B' && std::toupper(static_cast<unsigned char>(Peek(1))) == 'D' && !IsIdentChar(Peek(2))) {
      Advance();
      Advance();
    } else if ((c == 'L' || c == 'S' || c == 'Y' || c == 'D') && !IsIdentChar(Peek(1))) {
      Advance();
    }
    if (IsIdentChar(Peek()) && s_[start] != '.') {
      pos_ = start;
      line_ = line;
      line_start_ = line_start;
      while (pos_ < s_.size() && IsIdentChar(s_[pos_])) Advance();
      t.kind = TokenKind::kIdent;
      return;
    }
    t.kind = TokenKind::kNumber;
  }

  void LexSymbol(Token& t) {
    static constexpr std::string_view kThree[] = {"<=>"};
    static constexpr std::string_view kTwo[] = {"<=", ">=", "<>", "!=", "==", "||", "&&"};
    t.kind = TokenKind::kSymbol;
    std::string_view rest = s_.substr(pos_);
    for (std::string_view op : kThree) {
      if (rest.starts_with(op)) {
        for (size_t i = 0; i < op.size(); ++i) Advance();
        return;
      }
    }
    for (std::string_view op : kTwo) {
      if (rest.starts_with(op)) {
        for (size_t i = 0; i < op.size(); ++i) Advance();
        return;
      }
    }
    Advance();
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  std::optional<Token> error_;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view script) { return Lexer(script).Run(); }

bool IsKeyword(const Token& token, std::string_view keyword) {
  if (token.kind != TokenKind::kIdent || token.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(token.text[i])) != keyword[i]) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace meridian::sql
