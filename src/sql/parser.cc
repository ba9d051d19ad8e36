#include "parser.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

namespace meridian::sql {
namespace {

// Recursion budget: about 8 units per parenthesized expression level, so
// roughly 100 levels of nesting.
constexpr int kMaxDepth = 800;
// Bound on expression tree depth plus parser recursion, which bounds the
// analyzer's recursion over the tree.
constexpr int kMaxExprDepth = 1000;

// Words that end an expression or a FROM item, so they are never read as an
// implicit alias.
constexpr std::array<std::string_view, 50> kReserved = {
    "FROM",  "WHERE",   "GROUP",  "HAVING", "ORDER",     "LIMIT",      "UNION",  "INTERSECT", "EXCEPT",      "MINUS",
    "JOIN",  "INNER",   "LEFT",   "RIGHT",  "FULL",      "CROSS",      "OUTER",  "SEMI",      "ANTI",        "ON",
    "USING", "LATERAL", "WINDOW", "SORT",   "CLUSTER",   "DISTRIBUTE", "INSERT", "SELECT",    "AS",          "AND",
    "OR",    "NOT",     "IS",     "IN",     "LIKE",      "RLIKE",      "REGEXP", "BETWEEN",   "WHEN",        "THEN",
    "ELSE",  "END",     "CASE",   "OVER",   "PARTITION", "BY",         "WITH",   "QUALIFY",   "TABLESAMPLE", "NATURAL"};

bool IsReservedWord(const Token& t) {
  if (t.kind != TokenKind::kIdent) return false;
  return std::any_of(kReserved.begin(), kReserved.end(), [&](std::string_view kw) { return IsKeyword(t, kw); });
}

std::string ToUpperWord(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct ParseFailure {
  ParseError error;
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

class Parser {
 public:
  Parser(std::span<const Token> tokens, const Token& terminator) : tokens_(tokens), terminator_(terminator) {}

  Statement ParseStatement();

 private:
  // ---- token helpers
  const Token& Peek(size_t k = 0) const { return pos_ + k < tokens_.size() ? tokens_[pos_ + k] : terminator_; }
  bool AtEnd() const { return pos_ >= tokens_.size(); }
  const Token& Take() {
    const Token& t = Peek();
    if (!AtEnd()) ++pos_;
    return t;
  }
  bool Kw(std::string_view kw, size_t k = 0) const { return IsKeyword(Peek(k), kw); }
  bool AcceptKw(std::string_view kw) {
    if (!Kw(kw)) return false;
    ++pos_;
    return true;
  }
  void ExpectKw(std::string_view kw) {
    if (!AcceptKw(kw)) Fail("expected " + std::string(kw));
  }
  bool Sym(std::string_view s, size_t k = 0) const {
    const Token& t = Peek(k);
    return t.kind == TokenKind::kSymbol && t.text == s;
  }
  bool AcceptSym(std::string_view s) {
    if (!Sym(s)) return false;
    ++pos_;
    return true;
  }
  void ExpectSym(std::string_view s) {
    if (!AcceptSym(s)) Fail("expected '" + std::string(s) + "'");
  }
  bool IsIdentToken(const Token& t) const {
    return t.kind == TokenKind::kQuotedIdent || (t.kind == TokenKind::kIdent && !IsReservedWord(t));
  }
  [[noreturn]] void Fail(const std::string& message) const {
    const Token& t = Peek();
    std::string found;
    if (t.kind == TokenKind::kEnd || (AtEnd() && t.kind == TokenKind::kSymbol)) {
      found = "end of statement";
    } else if (t.kind == TokenKind::kError) {
      found = t.text;
    } else if (t.kind == TokenKind::kString) {
      found = Quote(t.text);
    } else {
      found = "'" + t.text + "'";
    }
    throw ParseFailure{{t.line, t.column, message + ", found " + found}};
  }

  std::string Ident(const char* what = "identifier") {
    const Token& t = Peek();
    if (t.kind == TokenKind::kQuotedIdent || t.kind == TokenKind::kIdent) {
      if (t.kind == TokenKind::kIdent && IsReservedWord(t)) Fail(std::string("expected ") + what);
      ++pos_;
      return t.text;
    }
    Fail(std::string("expected ") + what);
  }

  std::vector<std::string> QualifiedName() {
    std::vector<std::string> parts{Ident("name")};
    while (Sym(".") && (Peek(1).kind == TokenKind::kIdent || Peek(1).kind == TokenKind::kQuotedIdent)) {
      ++pos_;
      parts.push_back(Take().text);
    }
    if (parts.size() > 2) Fail("table names have at most two parts");
    return parts;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p_(p) {
      if (++p_->depth_ > kMaxDepth) p_->Fail("nesting too deep");
    }
    ~DepthGuard() { --p_->depth_; }
    Parser* p_;
  };

  // Skips one token, or a balanced (...) group.
  void SkipBalanced() {
    if (!Sym("(")) {
      Take();
      return;
    }
    int depth = 0;
    do {
      if (AtEnd()) Fail("unbalanced parentheses");
      if (Sym("(")) ++depth;
      if (Sym(")")) --depth;
      ++pos_;
    } while (depth > 0);
  }

  // ---- statements
  Statement ParseCreate();
  Statement ParseInsertStatement(std::vector<Cte> ctes);
  Statement ParseFromFirst(std::vector<Cte> ctes);
  Statement NotLineage(std::string reason) {
    Statement s;
    s.kind = StatementKind::kNotLineage;
    s.reason = std::move(reason);
    return s;
  }
  std::vector<ColumnDef> ParseColumnDefs();
  std::string ParseTypeText();
  // Returns false for INSERT OVERWRITE [LOCAL] DIRECTORY, which writes no table.
  bool ParseInsertHeader(InsertClause* clause);
  std::vector<PartitionColumn> ParsePartitionSpec();

  // ---- queries
  std::unique_ptr<Query> ParseQuery();
  void ParseCtes(std::vector<Cte>* ctes);
  QueryTerm ParseTerm();
  std::unique_ptr<Select> ParseSelect(bool allow_from);
  void ParseSelectTail(Select* select);
  void ParseTrailing();
  std::unique_ptr<TableRef> ParseFrom();
  std::unique_ptr<TableRef> ParseJoinSource();
  std::unique_ptr<TableRef> ParseSourceWithLaterals();
  std::unique_ptr<TableRef> WrapLateral(std::unique_ptr<TableRef> base);
  std::unique_ptr<TableRef> ParsePrimarySource();
  bool StartsQuery(size_t k = 0) const { return Kw("SELECT", k) || Kw("WITH", k) || Kw("FROM", k); }
  std::string ParseOptionalAlias();

  // ---- expressions
  ExprPtr ParseExpr();
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseNot();
  ExprPtr ParsePredicate();
  ExprPtr ParseBinaryLevel(int level);
  ExprPtr ParseUnary();
  ExprPtr ParsePostfix();
  ExprPtr ParsePrimary();
  ExprPtr ParseFunction(std::vector<std::string> name, int line);
  std::unique_ptr<WindowSpec> ParseWindowSpec();
  std::vector<ExprPtr> ParseOrderList();
  // Records the depth of a node whose children are complete and bounds it:
  // long operator chains build deep trees without deep parser recursion.
  ExprPtr Finish(ExprPtr e) {
    int depth = 0;
    for (const auto& a : e->args) depth = std::max(depth, a->depth);
    if (e->over) {
      for (const auto& p : e->over->partition_by) depth = std::max(depth, p->depth);
      for (const auto& o : e->over->order_by) depth = std::max(depth, o->depth);
    }
    e->depth = depth + 1;
    if (e->depth + depth_ > kMaxExprDepth) Fail("expression too deeply nested");
    return e;
  }
  ExprPtr Make(ExprKind kind, int line) {
    auto e = std::make_unique<Expr>(kind);
    e->line = line;
    return e;
  }

  std::span<const Token> tokens_;
  const Token& terminator_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// ===================================================================== statements

Statement Parser::ParseStatement() {
  static constexpr std::string_view kNoLineage[] = {
      "DROP",   "SHOW",   "DESCRIBE", "DESC",    "MSCK",    "ANALYZE", "TRUNCATE", "GRANT",
      "REVOKE", "ADD",    "DELETE",   "UPDATE",  "DFS",     "RELOAD",  "EXPLAIN",  "LOCK",
      "UNLOCK", "COMMIT", "ROLLBACK", "START",   "ABORT",   "KILL",    "REFRESH",  "EXPORT",
      "IMPORT", "LIST",   "COMPILE",  "PREPARE", "EXECUTE", "REPL",    "SOURCE",   "CACHE"};
  if (AcceptKw("USE")) {
    Statement s;
    s.kind = StatementKind::kUse;
    s.use_db = Ident("database name");
    if (!AtEnd()) Fail("expected end of statement");
    return s;
  }
  if (Kw("SET") || Kw("RESET")) {
    Statement s;
    s.kind = StatementKind::kSet;
    return s;
  }
  for (std::string_view kw : kNoLineage) {
    if (Kw(kw)) return NotLineage(std::string(kw) + " statement carries no lineage");
  }
  if (Kw("MERGE")) {
    Statement s;
    s.kind = StatementKind::kUnsupported;
    s.reason = "MERGE statements are not supported";
    return s;
  }
  if (Kw("LOAD")) {
    Statement s;
    s.kind = StatementKind::kUnsupported;
    s.reason = "LOAD DATA (path to table lineage) is not supported";
    return s;
  }
  if (Kw("CREATE")) return ParseCreate();
  if (AcceptKw("ALTER")) {
    if (!AcceptKw("VIEW")) return NotLineage("ALTER statement carries no lineage");
    Statement s;
    s.target = QualifiedName();
    if (!AcceptKw("AS")) return NotLineage("ALTER VIEW without AS SELECT carries no lineage");
    s.kind = StatementKind::kAlterViewAs;
    s.query = ParseQuery();
    if (!AtEnd()) Fail("expected end of statement");
    return s;
  }
  std::vector<Cte> ctes;
  if (Kw("WITH") && !(Sym("(", 1))) {
    ++pos_;
    ParseCtes(&ctes);
  }
  if (Kw("INSERT")) return ParseInsertStatement(std::move(ctes));
  if (Kw("FROM")) return ParseFromFirst(std::move(ctes));
  if (Kw("SELECT") || Sym("(")) {
    auto q = std::make_unique<Query>();
    q->ctes = std::move(ctes);
    q->terms.push_back(ParseTerm());
    while (Kw("UNION") || Kw("INTERSECT") || Kw("EXCEPT") || Kw("MINUS")) {
      ++pos_;
      if (!AcceptKw("ALL")) AcceptKw("DISTINCT");
      q->terms.push_back(ParseTerm());
    }
    ParseTrailing();
    if (!AtEnd()) Fail("expected end of statement");
    return NotLineage("SELECT without INSERT writes no table");
  }
  if (Peek().kind == TokenKind::kError) Fail("cannot tokenize");
  Fail("expected a statement");
}

Statement Parser::ParseCreate() {
  ExpectKw("CREATE");
  // Modifiers that do not change lineage.
  if (AcceptKw("OR")) ExpectKw("REPLACE");
  if (!AcceptKw("TEMPORARY")) AcceptKw("TEMP");
  AcceptKw("EXTERNAL");
  AcceptKw("TRANSACTIONAL");
  AcceptKw("MANAGED");
  if (Kw("MATERIALIZED")) {
    Statement s;
    s.kind = StatementKind::kUnsupported;
    s.reason = "CREATE MATERIALIZED VIEW is not supported";
    return s;
  }
  if (AcceptKw("VIEW")) {
    Statement s;
    s.kind = StatementKind::kCreateView;
    if (AcceptKw("IF")) {
      ExpectKw("NOT");
      ExpectKw("EXISTS");
    }
    s.target = QualifiedName();
    if (Sym("(")) s.columns = ParseColumnDefs();
    while (!AtEnd() && !(Kw("AS") && (StartsQuery(1) || Sym("(", 1)))) SkipBalanced();
    ExpectKw("AS");
    s.query = ParseQuery();
    if (!AtEnd()) Fail("expected end of statement");
    return s;
  }
  if (!AcceptKw("TABLE")) {
    return NotLineage("CREATE " + (AtEnd() ? std::string() : ToUpperWord(Peek().text)) + " carries no lineage");
  }
  Statement s;
  s.kind = StatementKind::kCreateTable;
  if (AcceptKw("IF")) {
    ExpectKw("NOT");
    ExpectKw("EXISTS");
  }
  s.target = QualifiedName();
  if (AcceptKw("LIKE")) return NotLineage("CREATE TABLE LIKE carries no lineage");
  if (Sym("(")) s.columns = ParseColumnDefs();
  while (!AtEnd()) {
    if (Kw("AS") && (StartsQuery(1) || Sym("(", 1))) {
      ++pos_;
      s.kind = StatementKind::kCreateTableAsSelect;
      s.query = ParseQuery();
      if (!AtEnd()) Fail("expected end of statement");
      return s;
    }
    if (Kw("PARTITIONED") && Kw("BY", 1) && Sym("(", 2)) {
      pos_ += 2;
      s.partition_columns = ParseColumnDefs();
      continue;
    }
    SkipBalanced();
  }
  return s;
}

// (name type [COMMENT '…'] [constraints], …); types may be omitted (views,
// partitioned CTAS).
std::vector<ColumnDef> Parser::ParseColumnDefs() {
  ExpectSym("(");
  std::vector<ColumnDef> cols;
  while (true) {
    if (Kw("PRIMARY") || Kw("CONSTRAINT") || Kw("FOREIGN") || Kw("UNIQUE") || Kw("CHECK")) {
      while (!AtEnd() && !Sym(",") && !Sym(")")) SkipBalanced();
    } else {
      ColumnDef def;
      def.name = Ident("column name");
      def.type = ParseTypeText();
      while (!AtEnd() && !Sym(",") && !Sym(")")) SkipBalanced();
      cols.push_back(std::move(def));
    }
    if (AcceptSym(",")) continue;
    ExpectSym(")");
    return cols;
  }
}

// Type text such as `decimal(10,2)` or `array<struct<a:int,b:string>>`,
// lower-cased. Stops at a top-level `,` or `)` or a clause keyword.
std::string Parser::ParseTypeText() {
  std::string type;
  int angle = 0;
  int paren = 0;
  const Token* prev = nullptr;
  while (!AtEnd()) {
    const Token& t = Peek();
    if (angle == 0 && paren == 0) {
      if (t.kind == TokenKind::kSymbol && (t.text == "," || t.text == ")")) break;
      if (IsKeyword(t, "COMMENT") || IsKeyword(t, "NOT") || IsKeyword(t, "DEFAULT") || IsKeyword(t, "PRIMARY") ||
          IsKeyword(t, "CONSTRAINT") || IsKeyword(t, "CHECK") || IsKeyword(t, "REFERENCES") || IsKeyword(t, "UNIQUE") ||
          IsKeyword(t, "ENABLE") || IsKeyword(t, "DISABLE"))
        break;
    }
    if (t.kind == TokenKind::kSymbol) {
      if (t.text == "<") ++angle;
      if (t.text == ">") --angle;
      if (t.text == "(") ++paren;
      if (t.text == ")") {
        if (paren == 0) break;
        --paren;
      }
    }
    if (prev != nullptr && prev->kind != TokenKind::kSymbol && t.kind != TokenKind::kSymbol) type += ' ';
    type += t.kind == TokenKind::kQuotedIdent ? t.text : ToLower(t.text);
    prev = &t;
    ++pos_;
  }
  return type;
}

std::vector<PartitionColumn> Parser::ParsePartitionSpec() {
  ExpectSym("(");
  std::vector<PartitionColumn> cols;
  do {
    PartitionColumn c;
    c.name = Ident("partition column");
    if (AcceptSym("=")) {
      c.is_static = true;
      ParseUnary();
    }
    cols.push_back(std::move(c));
  } while (AcceptSym(","));
  ExpectSym(")");
  return cols;
}

bool Parser::ParseInsertHeader(InsertClause* out) {
  InsertClause& clause = *out;
  clause.line = Peek().line;
  ExpectKw("INSERT");
  if (AcceptKw("OVERWRITE")) {
    clause.overwrite = true;
    if (Kw("LOCAL") || Kw("DIRECTORY")) return false;
    ExpectKw("TABLE");
  } else {
    ExpectKw("INTO");
    AcceptKw("TABLE");
  }
  clause.target = QualifiedName();
  if (AcceptKw("PARTITION")) clause.partition = ParsePartitionSpec();
  if (AcceptKw("IF")) {
    ExpectKw("NOT");
    ExpectKw("EXISTS");
  }
  if (Sym("(") && !StartsQuery(1) && !Sym("(", 1)) {
    ++pos_;
    do {
      clause.columns.push_back(Ident("column name"));
    } while (AcceptSym(","));
    ExpectSym(")");
  }
  return true;
}

Statement Parser::ParseInsertStatement(std::vector<Cte> ctes) {
  Statement s;
  s.kind = StatementKind::kInsert;
  s.ctes = std::move(ctes);
  InsertClause clause;
  if (!ParseInsertHeader(&clause)) return NotLineage("INSERT OVERWRITE DIRECTORY writes no table");
  if (AcceptKw("VALUES")) return NotLineage("INSERT … VALUES reads no table");
  clause.query = ParseQuery();
  if (!AtEnd()) Fail("expected end of statement");
  s.inserts.push_back(std::move(clause));
  return s;
}

// FROM src INSERT … SELECT … [INSERT … SELECT …]…, or FROM src SELECT ….
Statement Parser::ParseFromFirst(std::vector<Cte> ctes) {
  ExpectKw("FROM");
  Statement s;
  s.kind = StatementKind::kInsert;
  s.ctes = std::move(ctes);
  s.from = ParseFrom();
  if (Kw("SELECT")) {
    ParseSelect(/*allow_from=*/false);
    if (!AtEnd()) Fail("expected end of statement");
    return NotLineage("SELECT without INSERT writes no table");
  }
  if (!Kw("INSERT")) Fail("expected INSERT or SELECT");
  while (Kw("INSERT")) {
    InsertClause clause;
    if (!ParseInsertHeader(&clause)) {
      // A directory target carries no table lineage; its SELECT is skipped.
      while (!AtEnd() && !Kw("SELECT")) SkipBalanced();
      ParseSelect(/*allow_from=*/false);
      continue;
    }
    auto q = std::make_unique<Query>();
    q->line = Peek().line;
    QueryTerm term;
    term.select = ParseSelect(/*allow_from=*/false);
    q->terms.push_back(std::move(term));
    clause.query = std::move(q);
    s.inserts.push_back(std::move(clause));
  }
  if (!AtEnd()) Fail("expected INSERT or end of statement");
  if (s.inserts.empty()) return NotLineage("INSERT OVERWRITE DIRECTORY writes no table");
  return s;
}

// ===================================================================== queries

std::unique_ptr<Query> Parser::ParseQuery() {
  DepthGuard guard(this);
  auto q = std::make_unique<Query>();
  q->line = Peek().line;
  if (AcceptKw("WITH")) ParseCtes(&q->ctes);
  q->terms.push_back(ParseTerm());
  while (Kw("UNION") || Kw("INTERSECT") || Kw("EXCEPT") || Kw("MINUS")) {
    ++pos_;
    if (!AcceptKw("ALL")) AcceptKw("DISTINCT");
    q->terms.push_back(ParseTerm());
  }
  ParseTrailing();
  return q;
}

void Parser::ParseCtes(std::vector<Cte>* ctes) {
  do {
    Cte cte;
    cte.name = Ident("CTE name");
    if (AcceptSym("(")) {
      do {
        cte.columns.push_back(Ident("column name"));
      } while (AcceptSym(","));
      ExpectSym(")");
    }
    ExpectKw("AS");
    ExpectSym("(");
    cte.query = ParseQuery();
    ExpectSym(")");
    ctes->push_back(std::move(cte));
  } while (AcceptSym(","));
}

QueryTerm Parser::ParseTerm() {
  DepthGuard guard(this);
  QueryTerm term;
  if (AcceptSym("(")) {
    term.nested = ParseQuery();
    ExpectSym(")");
    ParseTrailing();
    return term;
  }
  if (AcceptKw("FROM")) {
    auto from = ParseFrom();
    term.select = ParseSelect(/*allow_from=*/false);
    term.select->from = std::move(from);
    return term;
  }
  if (Kw("WITH")) {
    term.nested = ParseQuery();
    return term;
  }
  term.select = ParseSelect(/*allow_from=*/true);
  return term;
}

std::unique_ptr<Select> Parser::ParseSelect(bool allow_from) {
  auto select = std::make_unique<Select>();
  select->line = Peek().line;
  ExpectKw("SELECT");
  if (AcceptKw("DISTINCT")) {
    select->distinct = true;
  } else {
    AcceptKw("ALL");
  }
  if (Kw("TRANSFORM")) Fail("SELECT TRANSFORM (script) is not supported");
  do {
    SelectItem item;
    item.expr = ParseExpr();
    if (AcceptKw("AS")) {
      if (AcceptSym("(")) {
        do {
          item.aliases.push_back(Ident("column alias"));
        } while (AcceptSym(","));
        ExpectSym(")");
      } else if (Peek().kind == TokenKind::kString) {
        item.aliases.push_back(Take().text);
      } else {
        item.aliases.push_back(Ident("column alias"));
      }
    } else if (IsIdentToken(Peek())) {
      item.aliases.push_back(Take().text);
    }
    select->items.push_back(std::move(item));
  } while (AcceptSym(","));
  if (allow_from && AcceptKw("FROM")) select->from = ParseFrom();
  ParseSelectTail(select.get());
  return select;
}

void Parser::ParseSelectTail(Select* select) {
  if (AcceptKw("WHERE")) select->where = ParseExpr();
  if (AcceptKw("GROUP")) {
    ExpectKw("BY");
    if (Kw("GROUPING") && Kw("SETS", 1)) {
      pos_ += 2;
      SkipBalanced();
    } else {
      do {
        if ((Kw("ROLLUP") || Kw("CUBE")) && Sym("(", 1)) {
          ++pos_;
          SkipBalanced();
        } else {
          select->group_by.push_back(ParseExpr());
        }
      } while (AcceptSym(","));
      if (Kw("WITH") && (Kw("ROLLUP", 1) || Kw("CUBE", 1))) pos_ += 2;
      if (Kw("GROUPING") && Kw("SETS", 1)) {
        pos_ += 2;
        SkipBalanced();
      }
    }
  }
  if (AcceptKw("HAVING")) select->having = ParseExpr();
  if (AcceptKw("WINDOW")) {
    do {
      std::string name = Ident("window name");
      ExpectKw("AS");
      select->windows.emplace_back(std::move(name), ParseWindowSpec());
    } while (AcceptSym(","));
  }
  if (AcceptKw("QUALIFY")) ParseExpr();
  ParseTrailing();
}

// ORDER BY / SORT BY / CLUSTER BY / DISTRIBUTE BY / LIMIT / OFFSET.
void Parser::ParseTrailing() {
  while (true) {
    if ((Kw("ORDER") || Kw("SORT")) && Kw("BY", 1)) {
      pos_ += 2;
      ParseOrderList();
    } else if ((Kw("CLUSTER") || Kw("DISTRIBUTE")) && Kw("BY", 1)) {
      pos_ += 2;
      do {
        ParseExpr();
      } while (AcceptSym(","));
    } else if (AcceptKw("LIMIT")) {
      ParseUnary();
      if (AcceptSym(",")) ParseUnary();
    } else if (AcceptKw("OFFSET")) {
      ParseUnary();
      if (!AcceptKw("ROWS")) AcceptKw("ROW");
    } else {
      return;
    }
  }
}

std::vector<ExprPtr> Parser::ParseOrderList() {
  std::vector<ExprPtr> out;
  do {
    out.push_back(ParseExpr());
    if (!AcceptKw("ASC")) AcceptKw("DESC");
    if (AcceptKw("NULLS")) {
      if (!AcceptKw("FIRST")) ExpectKw("LAST");
    }
  } while (AcceptSym(","));
  return out;
}

std::unique_ptr<TableRef> Parser::ParseFrom() {
  DepthGuard guard(this);
  auto ref = ParseJoinSource();
  while (AcceptSym(",")) {
    auto join = std::make_unique<TableRef>(TableRefKind::kJoin);
    join->line = ref->line;
    join->join = JoinKind::kCross;
    join->left = std::move(ref);
    join->right = ParseJoinSource();
    ref = std::move(join);
  }
  return ref;
}

std::unique_ptr<TableRef> Parser::ParseJoinSource() {
  auto left = ParseSourceWithLaterals();
  while (true) {
    JoinKind kind;
    if (Kw("JOIN")) {
      kind = JoinKind::kInner;
    } else if (Kw("INNER") && Kw("JOIN", 1)) {
      kind = JoinKind::kInner;
      ++pos_;
    } else if (Kw("CROSS") && Kw("JOIN", 1)) {
      kind = JoinKind::kCross;
      ++pos_;
    } else if (Kw("LEFT") && Kw("SEMI", 1)) {
      kind = JoinKind::kLeftSemi;
      pos_ += 2;
    } else if (Kw("LEFT") && Kw("ANTI", 1)) {
      kind = JoinKind::kLeftAnti;
      pos_ += 2;
    } else if (Kw("LEFT") || Kw("RIGHT") || Kw("FULL")) {
      kind = Kw("LEFT") ? JoinKind::kLeft : Kw("RIGHT") ? JoinKind::kRight : JoinKind::kFull;
      ++pos_;
      AcceptKw("OUTER");
    } else if (Kw("LATERAL")) {
      left = WrapLateral(std::move(left));
      continue;
    } else if (Kw("NATURAL")) {
      Fail("NATURAL JOIN is not supported");
    } else {
      return left;
    }
    ExpectKw("JOIN");
    auto join = std::make_unique<TableRef>(TableRefKind::kJoin);
    join->line = left->line;
    join->join = kind;
    join->left = std::move(left);
    join->right = ParseSourceWithLaterals();
    if (AcceptKw("ON")) {
      join->on = ParseExpr();
    } else if (AcceptKw("USING")) {
      ExpectSym("(");
      do {
        join->using_columns.push_back(Ident("column name"));
      } while (AcceptSym(","));
      ExpectSym(")");
    }
    left = std::move(join);
  }
}

std::unique_ptr<TableRef> Parser::ParseSourceWithLaterals() {
  auto src = ParsePrimarySource();
  while (Kw("LATERAL")) src = WrapLateral(std::move(src));
  return src;
}

// LATERAL VIEW [OUTER] udtf(expr) tableAlias [AS col [, col]…]
std::unique_ptr<TableRef> Parser::WrapLateral(std::unique_ptr<TableRef> base) {
  auto view = std::make_unique<TableRef>(TableRefKind::kLateral);
  view->line = Peek().line;
  ExpectKw("LATERAL");
  ExpectKw("VIEW");
  view->lateral_outer = AcceptKw("OUTER");
  view->lateral_function = ParsePostfix();
  if (view->lateral_function->kind != ExprKind::kFunction) Fail("expected a table function after LATERAL VIEW");
  view->alias = Ident("lateral view alias");
  if (AcceptKw("AS")) {
    do {
      view->column_aliases.push_back(Ident("column alias"));
    } while (AcceptSym(","));
  }
  view->left = std::move(base);
  return view;
}

std::string Parser::ParseOptionalAlias() {
  if (AcceptKw("AS")) return Ident("alias");
  if (IsIdentToken(Peek())) return Take().text;
  return {};
}

std::unique_ptr<TableRef> Parser::ParsePrimarySource() {
  DepthGuard guard(this);
  int line = Peek().line;
  if (Sym("(")) {
    bool is_query = StartsQuery(1);
    if (!is_query && Sym("(", 1)) {
      // `((select …) union …) t` or `((a join b))`: try a query first.
      size_t saved = pos_;
      try {
        ++pos_;
        ParseQuery();
        is_query = Sym(")");
      } catch (const ParseFailure&) {
        is_query = false;
      }
      pos_ = saved;
    }
    ++pos_;
    if (is_query) {
      auto ref = std::make_unique<TableRef>(TableRefKind::kSubquery);
      ref->line = line;
      ref->subquery = ParseQuery();
      ExpectSym(")");
      ref->alias = ParseOptionalAlias();
      if (!ref->alias.empty() && AcceptSym("(")) {
        do {
          ref->column_aliases.push_back(Ident("column alias"));
        } while (AcceptSym(","));
        ExpectSym(")");
      }
      return ref;
    }
    if (Kw("VALUES")) Fail("VALUES tables are not supported");
    auto inner = ParseFrom();
    ExpectSym(")");
    return inner;
  }
  auto ref = std::make_unique<TableRef>(TableRefKind::kTable);
  ref->line = line;
  ref->name = QualifiedName();
  if (Sym("(")) Fail("table functions in FROM are not supported");
  if (AcceptKw("TABLESAMPLE")) SkipBalanced();
  ref->alias = ParseOptionalAlias();
  return ref;
}

// ===================================================================== expressions

ExprPtr Parser::ParseExpr() {
  DepthGuard guard(this);
  return ParseOr();
}

ExprPtr Parser::ParseOr() {
  auto left = ParseAnd();
  while (Kw("OR")) {
    int line = Take().line;
    auto e = Make(ExprKind::kBinary, line);
    e->text = "OR";
    e->args.push_back(std::move(left));
    e->args.push_back(ParseAnd());
    left = Finish(std::move(e));
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  auto left = ParseNot();
  while (Kw("AND") || Sym("&&")) {
    int line = Take().line;
    auto e = Make(ExprKind::kBinary, line);
    e->text = "AND";
    e->args.push_back(std::move(left));
    e->args.push_back(ParseNot());
    left = Finish(std::move(e));
  }
  return left;
}

ExprPtr Parser::ParseNot() {
  if (Kw("NOT") || Sym("!")) {
    DepthGuard guard(this);
    int line = Take().line;
    auto e = Make(ExprKind::kUnary, line);
    e->text = "NOT";
    e->args.push_back(ParseNot());
    return Finish(std::move(e));
  }
  return ParsePredicate();
}

ExprPtr Parser::ParsePredicate() {
  static constexpr std::string_view kCompare[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">=", "<=>"};
  auto left = ParseBinaryLevel(0);
  while (true) {
    int line = Peek().line;
    if (AcceptKw("IS")) {
      bool negated = AcceptKw("NOT");
      if (AcceptKw("NULL")) {
        auto e = Make(ExprKind::kIsNull, line);
        e->negated = negated;
        e->args.push_back(std::move(left));
        left = Finish(std::move(e));
        continue;
      }
      std::string what;
      if (AcceptKw("TRUE")) {
        what = "TRUE";
      } else if (AcceptKw("FALSE")) {
        what = "FALSE";
      } else {
        Fail("expected NULL, TRUE or FALSE after IS");
      }
      auto e = Make(ExprKind::kBinary, line);
      e->text = negated ? "IS NOT" : "IS";
      e->args.push_back(std::move(left));
      auto lit = Make(ExprKind::kLiteral, line);
      lit->text = what;
      e->args.push_back(std::move(lit));
      left = Finish(std::move(e));
      continue;
    }
    bool negated = false;
    if (Kw("NOT") &&
        (Kw("BETWEEN", 1) || Kw("IN", 1) || Kw("LIKE", 1) || Kw("RLIKE", 1) || Kw("REGEXP", 1) || Kw("ILIKE", 1))) {
      negated = true;
      ++pos_;
    }
    if (AcceptKw("BETWEEN")) {
      auto e = Make(ExprKind::kBetween, line);
      e->negated = negated;
      e->args.push_back(std::move(left));
      e->args.push_back(ParseBinaryLevel(0));
      ExpectKw("AND");
      e->args.push_back(ParseBinaryLevel(0));
      left = Finish(std::move(e));
      continue;
    }
    if (AcceptKw("IN")) {
      auto e = Make(ExprKind::kIn, line);
      e->negated = negated;
      e->args.push_back(std::move(left));
      ExpectSym("(");
      if (StartsQuery()) {
        e->subquery = ParseQuery();
      } else {
        do {
          e->args.push_back(ParseExpr());
        } while (AcceptSym(","));
      }
      ExpectSym(")");
      left = Finish(std::move(e));
      continue;
    }
    if (Kw("LIKE") || Kw("RLIKE") || Kw("REGEXP") || Kw("ILIKE")) {
      auto e = Make(ExprKind::kBinary, line);
      e->text = (negated ? "NOT " : "") + ToUpperWord(Take().text);
      e->args.push_back(std::move(left));
      if (Kw("ANY") || Kw("ALL")) {
        auto f = Make(ExprKind::kFunction, line);
        f->text = ToLower(Take().text);
        ExpectSym("(");
        do {
          f->args.push_back(ParseExpr());
        } while (AcceptSym(","));
        ExpectSym(")");
        e->args.push_back(Finish(std::move(f)));
      } else {
        e->args.push_back(ParseBinaryLevel(0));
      }
      left = Finish(std::move(e));
      continue;
    }
    if (negated) Fail("expected BETWEEN, IN or LIKE after NOT");
    const Token& t = Peek();
    if (t.kind == TokenKind::kSymbol &&
        std::find(std::begin(kCompare), std::end(kCompare), t.text) != std::end(kCompare)) {
      auto e = Make(ExprKind::kBinary, line);
      e->text = t.text == "==" ? "=" : t.text;
      ++pos_;
      e->args.push_back(std::move(left));
      e->args.push_back(ParseBinaryLevel(0));
      left = Finish(std::move(e));
      continue;
    }
    return left;
  }
}

// Binary levels, loosest first: | & || (+ -) (* / % DIV) ^
ExprPtr Parser::ParseBinaryLevel(int level) {
  static constexpr int kLevels = 6;
  if (level == kLevels) return ParseUnary();
  DepthGuard guard(this);
  auto matches = [&](std::string* op) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kSymbol) {
      bool ok = false;
      switch (level) {
        case 0:
          ok = t.text == "|";
          break;
        case 1:
          ok = t.text == "&";
          break;
        case 2:
          ok = t.text == "||";
          break;
        case 3:
          ok = t.text == "+" || t.text == "-";
          break;
        case 4:
          ok = t.text == "*" || t.text == "/" || t.text == "%";
          break;
        case 5:
          ok = t.text == "^";
          break;
      }
      if (ok) *op = t.text;
      return ok;
    }
    if (level == 4 && IsKeyword(t, "DIV")) {
      *op = "DIV";
      return true;
    }
    return false;
  };
  auto left = ParseBinaryLevel(level + 1);
  std::string op;
  while (matches(&op)) {
    int line = Take().line;
    auto e = Make(ExprKind::kBinary, line);
    e->text = op;
    e->args.push_back(std::move(left));
    e->args.push_back(ParseBinaryLevel(level + 1));
    left = Finish(std::move(e));
  }
  return left;
}

ExprPtr Parser::ParseUnary() {
  if (Sym("-") || Sym("+") || Sym("~")) {
    DepthGuard guard(this);
    const Token& t = Take();
    auto operand = ParseUnary();
    if (t.text == "+") return operand;
    if (t.text == "-" && operand->kind == ExprKind::kLiteral && !operand->text.empty() &&
        std::isdigit(static_cast<unsigned char>(operand->text[0]))) {
      operand->text = "-" + operand->text;
      return operand;
    }
    auto e = Make(ExprKind::kUnary, t.line);
    e->text = t.text;
    e->args.push_back(std::move(operand));
    return Finish(std::move(e));
  }
  return ParsePostfix();
}

ExprPtr Parser::ParsePostfix() {
  auto e = ParsePrimary();
  while (true) {
    if (Sym("[")) {
      int line = Take().line;
      auto idx = Make(ExprKind::kIndex, line);
      idx->args.push_back(std::move(e));
      idx->args.push_back(ParseExpr());
      ExpectSym("]");
      e = Finish(std::move(idx));
    } else if (Sym(".") && e->kind != ExprKind::kColumn &&
               (Peek(1).kind == TokenKind::kIdent || Peek(1).kind == TokenKind::kQuotedIdent)) {
      int line = Take().line;
      auto field = Make(ExprKind::kField, line);
      field->text = Take().text;
      field->args.push_back(std::move(e));
      e = Finish(std::move(field));
    } else {
      return e;
    }
  }
}

ExprPtr Parser::ParsePrimary() {
  DepthGuard guard(this);
  const Token& t = Peek();
  int line = t.line;
  if (t.kind == TokenKind::kNumber) {
    auto e = Make(ExprKind::kLiteral, line);
    e->text = Take().text;
    return e;
  }
  if (t.kind == TokenKind::kString) {
    std::string value;
    while (Peek().kind == TokenKind::kString) value += Take().text;
    auto e = Make(ExprKind::kLiteral, line);
    e->text = Quote(value);
    return e;
  }
  if (t.kind == TokenKind::kSymbol) {
    if (t.text == "*") {
      ++pos_;
      return Make(ExprKind::kStar, line);
    }
    if (t.text == "(") {
      ++pos_;
      if (StartsQuery()) {
        auto e = Make(ExprKind::kSubquery, line);
        e->subquery = ParseQuery();
        ExpectSym(")");
        return e;
      }
      auto inner = ParseExpr();
      if (Sym(",")) {
        auto tuple = Make(ExprKind::kFunction, line);
        tuple->args.push_back(std::move(inner));
        while (AcceptSym(",")) tuple->args.push_back(ParseExpr());
        ExpectSym(")");
        return Finish(std::move(tuple));
      }
      ExpectSym(")");
      return inner;
    }
    Fail("expected an expression");
  }
  if (t.kind == TokenKind::kError) Fail("cannot tokenize");
  if (t.kind == TokenKind::kEnd) Fail("expected an expression");
  if (t.kind == TokenKind::kIdent) {
    if (IsKeyword(t, "NULL") || IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE")) {
      auto e = Make(ExprKind::kLiteral, line);
      e->text = ToUpperWord(Take().text);
      return e;
    }
    if ((IsKeyword(t, "DATE") || IsKeyword(t, "TIMESTAMP") || IsKeyword(t, "TIMESTAMPLOCALTZ")) &&
        Peek(1).kind == TokenKind::kString) {
      auto e = Make(ExprKind::kLiteral, line);
      e->text = ToUpperWord(Take().text);
      e->text += " " + Quote(Take().text);
      return e;
    }
    if (IsKeyword(t, "INTERVAL")) {
      ++pos_;
      auto e = Make(ExprKind::kLiteral, line);
      auto value = ParsePrimary();
      e->text = "INTERVAL " + value->text;
      if (Peek().kind == TokenKind::kIdent && !IsReservedWord(Peek())) {
        e->text += " " + ToUpperWord(Take().text);
        if (AcceptKw("TO")) e->text += " TO " + ToUpperWord(Take().text);
      }
      return e;
    }
    if (IsKeyword(t, "EXISTS") && Sym("(", 1)) {
      pos_ += 2;
      auto e = Make(ExprKind::kExists, line);
      e->subquery = ParseQuery();
      ExpectSym(")");
      return e;
    }
    if (IsKeyword(t, "CASE")) {
      ++pos_;
      auto e = Make(ExprKind::kCase, line);
      if (!Kw("WHEN")) {
        e->case_operand = true;
        e->args.push_back(ParseExpr());
      }
      if (!Kw("WHEN")) Fail("expected WHEN");
      while (AcceptKw("WHEN")) {
        e->args.push_back(ParseExpr());
        ExpectKw("THEN");
        e->args.push_back(ParseExpr());
      }
      if (AcceptKw("ELSE")) {
        e->case_else = true;
        e->args.push_back(ParseExpr());
      }
      ExpectKw("END");
      return Finish(std::move(e));
    }
    if (IsKeyword(t, "CAST") && Sym("(", 1)) {
      pos_ += 2;
      auto e = Make(ExprKind::kCast, line);
      e->args.push_back(ParseExpr());
      ExpectKw("AS");
      e->text = ParseTypeText();
      if (e->text.empty()) Fail("expected a type");
      ExpectSym(")");
      return Finish(std::move(e));
    }
  }
  // Identifier: column path, t.*, or function call.
  if (t.kind == TokenKind::kIdent && IsReservedWord(t) && !Sym("(", 1)) Fail("expected an expression");
  if (t.kind == TokenKind::kIdent &&
      (IsKeyword(t, "SELECT") || IsKeyword(t, "FROM") || IsKeyword(t, "WHERE") || IsKeyword(t, "ON") ||
       IsKeyword(t, "AS") || IsKeyword(t, "AND") || IsKeyword(t, "OR") || IsKeyword(t, "IN"))) {
    Fail("expected an expression");
  }
  std::vector<std::string> path{Take().text};
  while (Sym(".")) {
    if (Sym("*", 1)) {
      pos_ += 2;
      auto e = Make(ExprKind::kStar, line);
      e->path = std::move(path);
      return e;
    }
    const Token& next = Peek(1);
    if (next.kind != TokenKind::kIdent && next.kind != TokenKind::kQuotedIdent) Fail("expected a name after '.'");
    pos_ += 2;
    path.push_back(next.text);
  }
  if (Sym("(")) return ParseFunction(std::move(path), line);
  auto e = Make(ExprKind::kColumn, line);
  e->path = std::move(path);
  return e;
}

ExprPtr Parser::ParseFunction(std::vector<std::string> name, int line) {
  auto e = Make(ExprKind::kFunction, line);
  for (const auto& part : name) e->text += (e->text.empty() ? "" : ".") + ToLower(part);
  ExpectSym("(");
  if (AcceptKw("DISTINCT")) {
    e->distinct = true;
  } else {
    AcceptKw("ALL");
  }
  if (Sym("*") && Sym(")", 1)) {
    ++pos_;
    e->star_arg = true;
  } else if (!Sym(")")) {
    do {
      e->args.push_back(ParseExpr());
    } while (AcceptSym(","));
  }
  ExpectSym(")");
  if (Kw("WITHIN") && Kw("GROUP", 1)) {
    pos_ += 2;
    SkipBalanced();
  }
  if ((Kw("IGNORE") || Kw("RESPECT")) && Kw("NULLS", 1)) pos_ += 2;
  if (AcceptKw("OVER")) {
    if (Sym("(")) {
      e->over = ParseWindowSpec();
    } else {
      e->over = std::make_unique<WindowSpec>();
      e->over->base_name = Ident("window name");
    }
  }
  return Finish(std::move(e));
}

std::unique_ptr<WindowSpec> Parser::ParseWindowSpec() {
  auto spec = std::make_unique<WindowSpec>();
  ExpectSym("(");
  if (IsIdentToken(Peek()) && !Kw("ROWS") && !Kw("RANGE")) spec->base_name = Take().text;
  if ((Kw("PARTITION") || Kw("DISTRIBUTE")) && Kw("BY", 1)) {
    pos_ += 2;
    do {
      spec->partition_by.push_back(ParseExpr());
    } while (AcceptSym(","));
  }
  if ((Kw("ORDER") || Kw("SORT")) && Kw("BY", 1)) {
    pos_ += 2;
    spec->order_by = ParseOrderList();
  } else if (Kw("CLUSTER") && Kw("BY", 1)) {
    pos_ += 2;
    do {
      spec->partition_by.push_back(ParseExpr());
    } while (AcceptSym(","));
  }
  // Frame clause (ROWS|RANGE BETWEEN … AND …): no effect on lineage.
  while (!AtEnd() && !Sym(")")) SkipBalanced();
  ExpectSym(")");
  return spec;
}

}  // namespace

bool ParseStatement(std::span<const Token> tokens, const Token& terminator, Statement* out, ParseError* error) {
  try {
    Parser parser(tokens, terminator);
    *out = parser.ParseStatement();
    return true;
  } catch (const ParseFailure& failure) {
    *error = failure.error;
    return false;
  }
}

}  // namespace meridian::sql
