#include "parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "lexer.h"
#include "meridian/dsl/dsl.h"
#include "parse_exception.h"

namespace meridian::dsl {
namespace {

bool IsNotWord(const Token& t) {
  return t.kind == TokenKind::kIdentifier && t.text.size() == 3 &&
         std::tolower(static_cast<unsigned char>(t.text[0])) == 'n' &&
         std::tolower(static_cast<unsigned char>(t.text[1])) == 'o' &&
         std::tolower(static_cast<unsigned char>(t.text[2])) == 't';
}

bool IsName(const Token& t) {
  return t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kQuoted;
}

bool IsNumber(const Token& t) {
  return t.kind == TokenKind::kInteger || t.kind == TokenKind::kFloat;
}

bool IsAggregate(const Token& t) {
  return t.kind == TokenKind::kCount || t.kind == TokenKind::kMin || t.kind == TokenKind::kMax ||
         t.kind == TokenKind::kSum;
}

bool StartsOperand(const Token& t) {
  switch (t.kind) {
    case TokenKind::kIdentifier:
    case TokenKind::kQuoted:
    case TokenKind::kInteger:
    case TokenKind::kFloat:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kLParen:
    case TokenKind::kLBracket:
    case TokenKind::kMinus:
    case TokenKind::kPlus:
      return true;
    default:
      return IsAggregate(t);
  }
}

bool IsCompareOp(TokenKind k) {
  return k == TokenKind::kEq || k == TokenKind::kNeq || k == TokenKind::kLt ||
         k == TokenKind::kLte || k == TokenKind::kGt || k == TokenKind::kGte ||
         k == TokenKind::kLike;
}

// Tokens that make a leading name part of an expression rather than a source type.
bool ContinuesExpr(TokenKind k) {
  return IsCompareOp(k) || k == TokenKind::kIsA || k == TokenKind::kIs || k == TokenKind::kHas ||
         k == TokenKind::kHasTerm || k == TokenKind::kAnd || k == TokenKind::kOr ||
         k == TokenKind::kPlus || k == TokenKind::kMinus || k == TokenKind::kStar ||
         k == TokenKind::kSlash;
}

bool StartsSource(const Token& t) {
  return t.kind == TokenKind::kFrom || t.kind == TokenKind::kWhere || IsName(t) ||
         t.kind == TokenKind::kLParen || t.kind == TokenKind::kComma;
}

CompareOp ToCompareOp(TokenKind k) {
  switch (k) {
    case TokenKind::kNeq:
      return CompareOp::kNeq;
    case TokenKind::kLt:
      return CompareOp::kLt;
    case TokenKind::kLte:
      return CompareOp::kLte;
    case TokenKind::kGt:
      return CompareOp::kGt;
    case TokenKind::kGte:
      return CompareOp::kGte;
    case TokenKind::kLike:
      return CompareOp::kLike;
    default:
      return CompareOp::kEq;
  }
}

std::unique_ptr<Expr> MakeExpr(ExprKind kind, size_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

class Parser {
 public:
  Parser(std::string_view query, std::vector<Token> tokens)
      : query_(query), tokens_(std::move(tokens)) {}

  Query ParseQuery() {
    Query q;
    if (Peek().kind == TokenKind::kEnd) Fail(Peek(), "a type name or a condition");
    do {
      if (!q.sources.empty() && Peek().kind == TokenKind::kComma) {
        Next();
        if (!StartsSource(Peek()) || Peek().kind == TokenKind::kComma) {
          Fail(Peek(), "a source after ','");
        }
      }
      q.sources.push_back(ParseSource());
    } while (StartsSource(Peek()));

    std::string next = "a condition, 'groupby', 'select', 'orderby', 'limit' or end of query";
    if (Accept(TokenKind::kGroupBy)) {
      Expect(TokenKind::kLParen, "'(' after 'groupby'");
      q.group_by = ParseSelectItems(/*allow_aggregates=*/false, "groupby");
      Expect(TokenKind::kRParen, "',' or ')' to close 'groupby'");
      next = "'select', 'orderby', 'limit' or end of query";
    }
    if (Accept(TokenKind::kSelect)) {
      q.select = ParseSelectItems(/*allow_aggregates=*/true, "select");
      next = "',', 'orderby', 'limit' or end of query";
    }
    if (Peek().kind == TokenKind::kOrderBy) {
      OrderBy order;
      order.offset = Next().offset;
      order.path = ExpectName("an attribute name after 'orderby'");
      if (Accept(TokenKind::kDesc)) {
        order.descending = true;
      } else {
        Accept(TokenKind::kAsc);
      }
      q.order_by = std::move(order);
      next = "'limit' or end of query";
    }
    if (Accept(TokenKind::kLimit)) {
      q.limit = ExpectCount("a number after 'limit'");
      next = "'offset' or end of query";
      if (Accept(TokenKind::kOffset)) {
        q.offset = ExpectCount("a number after 'offset'");
        next = "end of query";
      }
    }
    if (Peek().kind != TokenKind::kEnd) Fail(Peek(), next);
    return q;
  }

 private:
  class DepthGuard {
   public:
    DepthGuard(Parser* parser, size_t offset) : parser_(parser) {
      if (++parser_->depth_ > kMaxExpressionDepth) {
        throw ParseException(offset, "expression nested too deeply (more than " +
                                         std::to_string(kMaxExpressionDepth) + " levels)");
      }
    }
    ~DepthGuard() { --parser_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser* parser_;
  };

  // The token as written in the query (quotes included).
  std::string Raw(const Token& t) const { return std::string(query_.substr(t.offset, t.length)); }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != TokenKind::kEnd) ++pos_;
    return t;
  }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }
  [[noreturn]] static void Fail(const Token& at, const std::string& expected) {
    throw ParseException(at.offset, "expected " + expected + " but found " + DescribeToken(at));
  }
  void Expect(TokenKind kind, const std::string& what) {
    if (!Accept(kind)) Fail(Peek(), what);
  }
  std::string ExpectName(const std::string& what) {
    if (!IsName(Peek())) Fail(Peek(), what);
    return Next().text;
  }
  int64_t ExpectCount(const std::string& what) {
    const Token& t = Peek();
    int64_t value = 0;
    if (t.kind != TokenKind::kInteger) Fail(t, what);
    auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (ec != std::errc() || ptr != t.text.data() + t.text.size()) {
      throw ParseException(t.offset, "number " + t.text + " is too large");
    }
    Next();
    return value;
  }

  Source ParseSource() {
    Source s;
    const Token& t = Peek();
    s.offset = t.offset;
    if (Accept(TokenKind::kFrom)) {
      ParseNamedSource(s, "a type name after 'from'");
    } else if (Accept(TokenKind::kWhere)) {
      s.condition = ParseExpr("a condition after 'where'");
    } else if (IsName(t) && !(IsNotWord(t) && StartsOperand(Peek(1))) &&
               !ContinuesExpr(Peek(1).kind)) {
      ParseNamedSource(s, "a type name");
    } else {
      s.condition = ParseExpr("a type name or a condition");
    }
    return s;
  }

  void ParseNamedSource(Source& s, const std::string& what) {
    s.has_name = true;
    s.name = ExpectName(what);
    if (Accept(TokenKind::kAs)) {
      s.alias_offset = Peek().offset;
      s.alias = ExpectName("an alias after 'as'");
    }
    if (Accept(TokenKind::kWhere)) s.condition = ParseExpr("a condition after 'where'");
  }

  std::vector<SelectItem> ParseSelectItems(bool allow_aggregates, const std::string& clause) {
    std::vector<SelectItem> items;
    do {
      SelectItem item;
      const Token& t = Peek();
      item.offset = t.offset;
      // Column labels keep the text as written, quotes included: count() as 'count' -> 'count'.
      if (IsAggregate(t) && allow_aggregates) {
        const std::string fn = t.text;
        const size_t argument = pos_ + 2;  // fn ( argument )
        item.expr = ParseAggregate();
        item.label = fn + "(" + (item.expr->text.empty() ? "" : Raw(tokens_[argument])) + ")";
      } else if (IsName(t)) {
        item.expr = MakeExpr(ExprKind::kName, t.offset);
        item.expr->quoted = t.kind == TokenKind::kQuoted;
        item.label = Raw(t);
        item.expr->text = Next().text;
      } else {
        Fail(t, allow_aggregates ? "an attribute name or aggregate in '" + clause + "'"
                                 : "an attribute name in '" + clause + "'");
      }
      if (Accept(TokenKind::kAs)) {
        const std::string label = IsName(Peek()) ? Raw(Peek()) : std::string();
        item.alias = ExpectName("an alias after 'as'");
        item.label = label;
      }
      items.push_back(std::move(item));
    } while (Accept(TokenKind::kComma));
    return items;
  }

  std::unique_ptr<Expr> ParseAggregate() {
    const Token& fn = Next();
    auto e = MakeExpr(ExprKind::kAggregate, fn.offset);
    switch (fn.kind) {
      case TokenKind::kMin:
        e->aggregate_fn = AggregateFn::kMin;
        break;
      case TokenKind::kMax:
        e->aggregate_fn = AggregateFn::kMax;
        break;
      case TokenKind::kSum:
        e->aggregate_fn = AggregateFn::kSum;
        break;
      default:
        e->aggregate_fn = AggregateFn::kCount;
        break;
    }
    Expect(TokenKind::kLParen, "'(' after '" + fn.text + "'");
    if (e->aggregate_fn == AggregateFn::kCount) {
      Expect(TokenKind::kRParen, "')' after 'count('");
    } else {
      e->text = ExpectName("an attribute name inside '" + fn.text + "()'");
      Expect(TokenKind::kRParen, "')' after '" + fn.text + "(" + e->text + "'");
    }
    return e;
  }

  std::unique_ptr<Expr> ParseExpr(const std::string& what) {
    DepthGuard guard(this, Peek().offset);
    auto first = ParseTerm(what);
    if (Peek().kind != TokenKind::kAnd && Peek().kind != TokenKind::kOr) return first;
    auto node = MakeExpr(ExprKind::kLogical, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().kind == TokenKind::kAnd || Peek().kind == TokenKind::kOr) {
      const Token& op = Next();
      node->logical_ops.push_back(op.kind == TokenKind::kAnd ? LogicalOp::kAnd : LogicalOp::kOr);
      node->children.push_back(ParseTerm("a condition after '" + op.text + "'"));
    }
    return node;
  }

  std::unique_ptr<Expr> ParseTerm(const std::string& what) {
    if (IsNotWord(Peek()) && StartsOperand(Peek(1))) {
      const Token& t = Next();
      DepthGuard guard(this, t.offset);
      auto node = MakeExpr(ExprKind::kNot, t.offset);
      node->children.push_back(ParseTerm("a condition after 'not'"));
      return node;
    }
    auto lhs = ParseArith(what);
    const Token& op = Peek();
    if (IsCompareOp(op.kind)) {
      Next();
      auto node = MakeExpr(ExprKind::kComparison, lhs->offset);
      node->compare_op = ToCompareOp(op.kind);
      node->children.push_back(std::move(lhs));
      node->children.push_back(ParseArith("a value after '" + op.text + "'"));
      return node;
    }
    ExprKind kind;
    std::string expected;
    switch (op.kind) {
      case TokenKind::kIsA:
      case TokenKind::kIs:
        kind = ExprKind::kIsA;
        expected = "a classification name after '" + op.text + "'";
        break;
      case TokenKind::kHas:
        kind = ExprKind::kHas;
        expected = "an attribute name after '" + op.text + "'";
        break;
      case TokenKind::kHasTerm:
        kind = ExprKind::kHasTerm;
        expected = "a glossary term after '" + op.text + "'";
        break;
      default:
        return lhs;
    }
    Next();
    auto node = MakeExpr(kind, lhs->offset);
    node->children.push_back(std::move(lhs));
    node->text = ExpectName(expected);
    return node;
  }

  std::unique_ptr<Expr> ParseArith(const std::string& what) {
    auto lhs = ParseProduct(what);
    size_t chain = 0;
    while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
      lhs = ParseArithTail(std::move(lhs), ++chain,
                           [this](const std::string& w) { return ParseProduct(w); });
    }
    return lhs;
  }

  std::unique_ptr<Expr> ParseProduct(const std::string& what) {
    auto lhs = ParseOperand(what);
    size_t chain = 0;
    while (Peek().kind == TokenKind::kStar || Peek().kind == TokenKind::kSlash) {
      lhs = ParseArithTail(std::move(lhs), ++chain,
                           [this](const std::string& w) { return ParseOperand(w); });
    }
    return lhs;
  }

  template <typename Operand>
  std::unique_ptr<Expr> ParseArithTail(std::unique_ptr<Expr> lhs, size_t chain,
                                       const Operand& operand) {
    const Token& op = Next();
    if (depth_ + chain > kMaxExpressionDepth) {
      throw ParseException(op.offset, "expression nested too deeply (more than " +
                                          std::to_string(kMaxExpressionDepth) + " levels)");
    }
    auto node = MakeExpr(ExprKind::kArithmetic, lhs->offset);
    switch (op.kind) {
      case TokenKind::kMinus:
        node->arith_op = ArithOp::kSub;
        break;
      case TokenKind::kStar:
        node->arith_op = ArithOp::kMul;
        break;
      case TokenKind::kSlash:
        node->arith_op = ArithOp::kDiv;
        break;
      default:
        node->arith_op = ArithOp::kAdd;
        break;
    }
    node->children.push_back(std::move(lhs));
    node->children.push_back(operand("a value after '" + op.text + "'"));
    return node;
  }

  std::unique_ptr<Expr> ParseOperand(const std::string& what) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kLParen: {
        Next();
        auto inner = ParseExpr("a condition after '('");
        Expect(TokenKind::kRParen, "')'");
        return inner;
      }
      case TokenKind::kLBracket:
        return ParseList();
      case TokenKind::kIdentifier:
      case TokenKind::kQuoted: {
        auto e = MakeExpr(ExprKind::kName, t.offset);
        e->quoted = t.kind == TokenKind::kQuoted;
        e->text = Next().text;
        return e;
      }
      default:
        break;
    }
    if (IsAggregate(t)) return ParseAggregate();
    if (auto literal = TryParseLiteral()) return literal;
    Fail(t, what);
  }

  // A number (optionally signed), true/false, or nullptr without consuming anything.
  std::unique_ptr<Expr> TryParseLiteral() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kTrue || t.kind == TokenKind::kFalse) {
      auto e = MakeExpr(ExprKind::kLiteral, t.offset);
      e->text = t.text;
      e->value = t.kind == TokenKind::kTrue;
      Next();
      return e;
    }
    std::string sign;
    size_t offset = t.offset;
    if ((t.kind == TokenKind::kMinus || t.kind == TokenKind::kPlus) && IsNumber(Peek(1))) {
      if (t.kind == TokenKind::kMinus) sign = "-";
      Next();
    } else if (!IsNumber(t)) {
      return nullptr;
    }
    const Token& num = Next();
    auto e = MakeExpr(ExprKind::kLiteral, offset);
    e->text = sign + num.text;
    int64_t integer = 0;
    auto [ptr, ec] = std::from_chars(e->text.data(), e->text.data() + e->text.size(), integer);
    if (num.kind == TokenKind::kInteger && ec == std::errc() &&
        ptr == e->text.data() + e->text.size()) {
      e->value = integer;
    } else {
      e->value = std::strtod(e->text.c_str(), nullptr);
    }
    return e;
  }

  std::unique_ptr<Expr> ParseList() {
    auto list = MakeExpr(ExprKind::kList, Next().offset);
    do {
      const Token& t = Peek();
      if (IsName(t)) {
        auto e = MakeExpr(ExprKind::kName, t.offset);
        e->quoted = t.kind == TokenKind::kQuoted;
        e->text = Next().text;
        list->children.push_back(std::move(e));
      } else if (auto literal = TryParseLiteral()) {
        list->children.push_back(std::move(literal));
      } else {
        Fail(t, "a value in the list");
      }
    } while (Accept(TokenKind::kComma));
    Expect(TokenKind::kRBracket, "',' or ']' to close the list");
    return list;
  }

  std::string_view query_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t depth_ = 0;
};

}  // namespace

Query ParseQueryText(std::string_view query) { return Parser(query, Tokenize(query)).ParseQuery(); }

}  // namespace meridian::dsl
