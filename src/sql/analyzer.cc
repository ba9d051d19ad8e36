// Binds parsed statements to tables and computes column lineage.

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ast.h"
#include "lexer.h"
#include "meridian/sql/hive_lineage.h"
#include "parser.h"

namespace meridian::sql {
namespace {

struct AnalysisError {
  std::string message;
};

[[noreturn]] void Fail(std::string message) { throw AnalysisError{std::move(message)}; }

// Where a value comes from: base columns, whether it is a plain copy, and the
// expression text in terms of base-table aliases. `opaque` marks values whose
// expression Hive does not report (UNION merges); `expr` then only names them
// for use inside larger expressions.
struct Derivation {
  std::vector<ColumnSource> sources;
  bool simple = false;
  bool opaque = false;
  std::string expr;
};

Derivation BaseColumn(const TableName& table, const std::string& column, const std::string& alias) {
  Derivation d;
  d.sources.push_back({table, column});
  d.simple = true;
  d.expr = alias + "." + column;
  return d;
}

void AddSources(std::vector<ColumnSource>* to, const std::vector<ColumnSource>& from) {
  for (const auto& s : from) {
    bool seen = false;
    for (const auto& t : *to) seen = seen || t == s;
    if (!seen) to->push_back(s);
  }
}

struct OutCol {
  std::string name;
  Derivation d;
};

struct Relation {
  std::string alias;
  std::optional<TableName> base;
  bool schema_known = true;
  bool star_visible = true;  // false for the right side of LEFT SEMI / ANTI JOIN
  std::vector<OutCol> cols;
};

struct Scope {
  std::vector<Relation> rels;
  std::set<std::string> using_columns;
  Scope* parent = nullptr;
  const std::vector<std::pair<std::string, std::unique_ptr<WindowSpec>>>* windows = nullptr;
};

struct CteFrame;
struct CteEntry {
  const Cte* cte = nullptr;
  CteFrame* frame = nullptr;
  bool analyzing = false;
  bool done = false;
  std::vector<OutCol> cols;
};

struct CteFrame {
  CteFrame* parent = nullptr;
  std::map<std::string, CteEntry> entries;
};

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

using SchemaOverlay = std::map<TableName, std::vector<std::string>>;

class Analyzer {
 public:
  Analyzer(const SchemaProvider& provider, const SchemaOverlay& overlay, std::string default_db)
      : provider_(provider), overlay_(overlay), default_db_(std::move(default_db)) {}

  TableName Qualify(const std::vector<std::string>& name) const {
    if (name.size() == 2) return {ToLower(name[0]), ToLower(name[1])};
    return {default_db_, ToLower(name.back())};
  }

  std::optional<std::vector<std::string>> Columns(const TableName& table) const {
    auto it = overlay_.find(table);
    if (it != overlay_.end()) return it->second;
    auto cols = provider_.Columns(table);
    if (cols) {
      for (auto& c : *cols) c = ToLower(c);
    }
    return cols;
  }

  std::vector<OutCol> AnalyzeQuery(const Query& q, CteFrame* env, Scope* outer, const TableRef* shared_from = nullptr);

  const std::set<TableName>& inputs() const { return inputs_; }

 private:
  std::vector<OutCol> AnalyzeSelect(const Select& s, CteFrame* env, Scope* outer, const TableRef* shared_from);
  void AddRelations(const TableRef& ref, CteFrame* env, Scope* scope);
  const std::vector<OutCol>& CteColumns(CteEntry* entry);
  Derivation AnalyzeExpr(const Expr& e, Scope& scope, CteFrame* env);
  Derivation ResolveColumn(const Expr& e, Scope& scope);
  std::optional<Derivation> FindInScope(const std::vector<std::string>& path, Scope& scope);
  void CollectSubqueryInputs(const Expr* e, Scope& scope, CteFrame* env);
  static std::string ColumnText(const Relation& rel, const OutCol& col) {
    if (!col.d.expr.empty()) return col.d.expr;
    return rel.alias.empty() ? col.name : rel.alias + "." + col.name;
  }

  const SchemaProvider& provider_;
  const SchemaOverlay& overlay_;
  std::string default_db_;
  std::set<TableName> inputs_;
  std::vector<const WindowSpec*> windows_in_use_;  // named windows being expanded
};

std::vector<OutCol> Analyzer::AnalyzeQuery(const Query& q, CteFrame* env, Scope* outer, const TableRef* shared_from) {
  CteFrame frame;
  if (!q.ctes.empty()) {
    frame.parent = env;
    for (const auto& cte : q.ctes) {
      CteEntry entry;
      entry.cte = &cte;
      entry.frame = &frame;
      frame.entries[ToLower(cte.name)] = std::move(entry);
    }
    env = &frame;
  }
  std::vector<std::vector<OutCol>> branches;
  for (const auto& term : q.terms) {
    branches.push_back(term.select ? AnalyzeSelect(*term.select, env, outer, shared_from)
                                   : AnalyzeQuery(*term.nested, env, outer, shared_from));
  }
  if (branches.size() == 1) return std::move(branches[0]);
  std::vector<OutCol> merged = std::move(branches[0]);
  for (auto& col : merged) {
    col.d.simple = false;
    col.d.opaque = true;
    col.d.expr.clear();
  }
  for (size_t b = 1; b < branches.size(); ++b) {
    if (branches[b].size() != merged.size()) {
      Fail("UNION branches produce " + std::to_string(merged.size()) + " and " + std::to_string(branches[b].size()) +
           " columns");
    }
    for (size_t i = 0; i < merged.size(); ++i) AddSources(&merged[i].d.sources, branches[b][i].d.sources);
  }
  return merged;
}

const std::vector<OutCol>& Analyzer::CteColumns(CteEntry* entry) {
  if (entry->done) return entry->cols;
  if (entry->analyzing) Fail("recursive reference to CTE " + entry->cte->name);
  entry->analyzing = true;
  entry->cols = AnalyzeQuery(*entry->cte->query, entry->frame, nullptr);
  if (!entry->cte->columns.empty()) {
    if (entry->cte->columns.size() != entry->cols.size()) {
      Fail("CTE " + entry->cte->name + " names " + std::to_string(entry->cte->columns.size()) +
           " columns but its query produces " + std::to_string(entry->cols.size()));
    }
    for (size_t i = 0; i < entry->cols.size(); ++i) entry->cols[i].name = ToLower(entry->cte->columns[i]);
  }
  entry->analyzing = false;
  entry->done = true;
  return entry->cols;
}

void Analyzer::AddRelations(const TableRef& ref, CteFrame* env, Scope* scope) {
  switch (ref.kind) {
    case TableRefKind::kTable: {
      if (ref.name.size() == 1) {
        std::string key = ToLower(ref.name[0]);
        for (CteFrame* f = env; f != nullptr; f = f->parent) {
          auto it = f->entries.find(key);
          if (it == f->entries.end()) continue;
          Relation rel;
          rel.alias = ToLower(ref.alias.empty() ? ref.name[0] : ref.alias);
          rel.cols = CteColumns(&it->second);
          scope->rels.push_back(std::move(rel));
          return;
        }
      }
      TableName table = Qualify(ref.name);
      inputs_.insert(table);
      Relation rel;
      rel.alias = ref.alias.empty() ? table.table : ToLower(ref.alias);
      rel.base = table;
      auto cols = Columns(table);
      rel.schema_known = cols.has_value();
      if (cols) {
        for (const auto& c : *cols) {
          rel.cols.push_back({c, BaseColumn(table, c, rel.alias)});
        }
      }
      scope->rels.push_back(std::move(rel));
      return;
    }
    case TableRefKind::kSubquery: {
      Relation rel;
      rel.alias = ToLower(ref.alias);
      rel.cols = AnalyzeQuery(*ref.subquery, env, nullptr);
      if (!ref.column_aliases.empty()) {
        if (ref.column_aliases.size() != rel.cols.size()) {
          Fail("subquery " + ref.alias + " names " + std::to_string(ref.column_aliases.size()) +
               " columns but produces " + std::to_string(rel.cols.size()));
        }
        for (size_t i = 0; i < rel.cols.size(); ++i) rel.cols[i].name = ToLower(ref.column_aliases[i]);
      }
      scope->rels.push_back(std::move(rel));
      return;
    }
    case TableRefKind::kJoin: {
      AddRelations(*ref.left, env, scope);
      size_t right_begin = scope->rels.size();
      AddRelations(*ref.right, env, scope);
      if (ref.join == JoinKind::kLeftSemi || ref.join == JoinKind::kLeftAnti) {
        for (size_t i = right_begin; i < scope->rels.size(); ++i) scope->rels[i].star_visible = false;
      }
      for (const auto& c : ref.using_columns) scope->using_columns.insert(ToLower(c));
      CollectSubqueryInputs(ref.on.get(), *scope, env);
      return;
    }
    case TableRefKind::kLateral: {
      AddRelations(*ref.left, env, scope);
      Derivation d = AnalyzeExpr(*ref.lateral_function, *scope, env);
      d.simple = false;
      std::vector<std::string> names;
      for (const auto& a : ref.column_aliases) names.push_back(ToLower(a));
      if (names.empty()) {
        const std::string& fn = ref.lateral_function->text;
        if (fn == "explode") {
          names = {"col"};
        } else if (fn == "posexplode") {
          names = {"pos", "val"};
        } else {
          Fail("LATERAL VIEW " + fn + " needs AS column aliases");
        }
      }
      Relation rel;
      rel.alias = ToLower(ref.alias);
      for (auto& n : names) rel.cols.push_back({n, d});
      scope->rels.push_back(std::move(rel));
      return;
    }
  }
}

// Subqueries in WHERE / ON / GROUP BY / HAVING read tables but feed no output
// column: only their inputs are recorded.
void Analyzer::CollectSubqueryInputs(const Expr* e, Scope& scope, CteFrame* env) {
  if (e == nullptr) return;
  if (e->subquery) {
    try {
      AnalyzeQuery(*e->subquery, env, &scope);
    } catch (const AnalysisError&) {
      // Columns of a filter subquery do not reach the output; its tables are
      // recorded before any column is resolved.
    }
  }
  for (const auto& a : e->args) CollectSubqueryInputs(a.get(), scope, env);
}

std::vector<OutCol> Analyzer::AnalyzeSelect(const Select& s, CteFrame* env, Scope* outer, const TableRef* shared_from) {
  Scope scope;
  scope.parent = outer;
  scope.windows = &s.windows;
  const TableRef* from = s.from ? s.from.get() : shared_from;
  if (from != nullptr) AddRelations(*from, env, &scope);
  CollectSubqueryInputs(s.where.get(), scope, env);
  for (const auto& g : s.group_by) CollectSubqueryInputs(g.get(), scope, env);
  CollectSubqueryInputs(s.having.get(), scope, env);

  std::vector<OutCol> out;
  std::set<std::string> using_emitted;
  for (size_t i = 0; i < s.items.size(); ++i) {
    const SelectItem& item = s.items[i];
    const Expr& e = *item.expr;
    if (e.kind == ExprKind::kStar) {
      bool matched = false;
      for (const Relation& rel : scope.rels) {
        if (e.path.empty()) {
          if (!rel.star_visible) continue;
        } else {
          std::string q = ToLower(e.path.back());
          bool db_ok = e.path.size() < 2 || (rel.base && rel.base->db == ToLower(e.path[0]));
          if (rel.alias != q || !db_ok) continue;
        }
        matched = true;
        if (!rel.schema_known) {
          Fail("cannot expand " + (e.path.empty() ? std::string("*") : Join(e.path, ".") + ".*") + ": columns of " +
               rel.base->ToString() + " are unknown");
        }
        for (const OutCol& col : rel.cols) {
          if (e.path.empty() && scope.using_columns.count(col.name) && !using_emitted.insert(col.name).second) {
            continue;
          }
          out.push_back(col);
          if (out.back().d.expr.empty()) out.back().d.expr = ColumnText(rel, col);
        }
      }
      if (!matched) {
        Fail(e.path.empty() ? "SELECT * without a FROM clause" : "unknown table alias " + Join(e.path, ".") + " in .*");
      }
      continue;
    }
    Derivation d = AnalyzeExpr(e, scope, env);
    if (item.aliases.size() > 1) {
      d.simple = false;
      for (const auto& a : item.aliases) out.push_back({ToLower(a), d});
      continue;
    }
    std::string name;
    if (!item.aliases.empty()) {
      name = ToLower(item.aliases[0]);
    } else if (e.kind == ExprKind::kColumn) {
      name = ToLower(e.path.back());
    } else if (e.kind == ExprKind::kField) {
      name = ToLower(e.text);
    } else {
      name = "_c" + std::to_string(i);
    }
    out.push_back({std::move(name), std::move(d)});
  }
  return out;
}

std::optional<Derivation> Analyzer::FindInScope(const std::vector<std::string>& path, Scope& scope) {
  auto found = [](Relation& rel, const std::string& col) -> const OutCol* {
    const OutCol* hit = nullptr;
    for (const OutCol& c : rel.cols) {
      if (c.name != col) continue;
      if (hit != nullptr) Fail("ambiguous column " + col + " in " + (rel.alias.empty() ? "subquery" : rel.alias));
      hit = &c;
    }
    return hit;
  };
  auto lazily_add = [](Relation& rel, const std::string& col) -> const OutCol* {
    rel.cols.push_back({col, BaseColumn(*rel.base, col, rel.alias)});
    return &rel.cols.back();
  };
  auto with_fields = [](const OutCol& c, const Relation& rel, size_t first_field, const std::vector<std::string>& p) {
    Derivation d = c.d;
    if (d.expr.empty()) d.expr = ColumnText(rel, c);
    for (size_t i = first_field; i < p.size(); ++i) {
      d.simple = false;
      d.opaque = false;
      d.expr += "." + p[i];
    }
    return d;
  };

  // Qualified: alias.col[.field…] or db.table.col[.field…].
  if (path.size() >= 2) {
    for (Relation& rel : scope.rels) {
      size_t col_index;
      if (rel.alias == path[0]) {
        col_index = 1;
      } else if (path.size() >= 3 && rel.base && rel.base->db == path[0] && rel.base->table == path[1]) {
        col_index = 2;
      } else {
        continue;
      }
      const std::string& col = path[col_index];
      const OutCol* c = found(rel, col);
      if (c == nullptr) {
        if (rel.schema_known) Fail("column " + col + " not found in " + rel.alias);
        c = lazily_add(rel, col);
      }
      return with_fields(*c, rel, col_index + 1, path);
    }
  }
  // `q.col` where q is an alias of an enclosing query: resolved there, never
  // as a struct column `q` of an unknown table here.
  if (path.size() >= 2) {
    for (Scope* s = scope.parent; s != nullptr; s = s->parent) {
      for (const Relation& rel : s->rels) {
        if (rel.alias == path[0]) return std::nullopt;
      }
    }
  }
  // Unqualified column, possibly with struct fields.
  const std::string& col = path[0];
  Relation* match_rel = nullptr;
  const OutCol* match = nullptr;
  std::vector<Relation*> unknown;
  std::vector<std::string> matched_in;
  for (Relation& rel : scope.rels) {
    if (!rel.star_visible) continue;  // LEFT SEMI JOIN columns are not selectable
    const OutCol* c = found(rel, col);
    if (c == nullptr) {
      if (!rel.schema_known) unknown.push_back(&rel);
      continue;
    }
    matched_in.push_back(rel.alias.empty() ? "subquery" : rel.alias);
    if (match == nullptr) {
      match = c;
      match_rel = &rel;
    }
  }
  if (matched_in.size() > 1 && !scope.using_columns.count(col)) {
    Fail("ambiguous column " + col + " (in " + Join(matched_in, ", ") + ")");
  }
  if (match != nullptr) return with_fields(*match, *match_rel, 1, path);
  if (unknown.size() == 1) return with_fields(*lazily_add(*unknown[0], col), *unknown[0], 1, path);
  if (unknown.size() > 1) {
    std::vector<std::string> names;
    for (Relation* r : unknown) names.push_back(r->base->ToString());
    Fail("cannot resolve column " + col + ": columns of " + Join(names, ", ") + " are unknown");
  }
  return std::nullopt;
}

Derivation Analyzer::ResolveColumn(const Expr& e, Scope& scope) {
  std::vector<std::string> path;
  for (const auto& p : e.path) path.push_back(ToLower(p));
  for (Scope* s = &scope; s != nullptr; s = s->parent) {
    auto d = FindInScope(path, *s);
    if (d) return *d;
  }
  Fail("unknown column " + Join(path, "."));
}

Derivation Analyzer::AnalyzeExpr(const Expr& e, Scope& scope, CteFrame* env) {
  Derivation out;
  auto sub = [&](const Expr& child) {
    Derivation d = AnalyzeExpr(child, scope, env);
    AddSources(&out.sources, d.sources);
    return d.expr;
  };
  auto list = [&](size_t from) {
    std::vector<std::string> parts;
    for (size_t i = from; i < e.args.size(); ++i) parts.push_back(sub(*e.args[i]));
    return Join(parts, ", ");
  };
  switch (e.kind) {
    case ExprKind::kColumn:
      return ResolveColumn(e, scope);
    case ExprKind::kStar:
      Fail("* is only allowed in the select list or in count(*)");
    case ExprKind::kLiteral:
      out.expr = e.text;
      return out;
    case ExprKind::kFunction: {
      std::string args = e.star_arg ? "*" : list(0);
      out.expr = e.text + "(" + (e.distinct ? "DISTINCT " : "") + args + ")";
      if (e.over) {
        std::vector<const WindowSpec*> specs{e.over.get()};
        std::string base = ToLower(e.over->base_name);
        for (int hops = 0; !base.empty() && hops < 16; ++hops) {
          const WindowSpec* named = nullptr;
          for (Scope* s = &scope; s != nullptr && named == nullptr; s = s->parent) {
            if (s->windows == nullptr) continue;
            for (const auto& [name, spec] : *s->windows) {
              if (ToLower(name) == base) named = spec.get();
            }
          }
          if (named == nullptr) Fail("unknown window " + base);
          if (std::find(windows_in_use_.begin(), windows_in_use_.end(), named) != windows_in_use_.end()) {
            Fail("window " + base + " refers to itself");
          }
          specs.push_back(named);
          base = ToLower(named->base_name);
        }
        // An AnalysisError abandons the whole analyzer, so no unwinding is needed.
        size_t in_use = windows_in_use_.size();
        windows_in_use_.insert(windows_in_use_.end(), specs.begin() + 1, specs.end());
        std::vector<std::string> partition, order;
        for (const WindowSpec* spec : specs) {
          for (const auto& p : spec->partition_by) partition.push_back(sub(*p));
          for (const auto& o : spec->order_by) order.push_back(sub(*o));
        }
        windows_in_use_.resize(in_use);
        std::string window;
        if (!partition.empty()) window += "PARTITION BY " + Join(partition, ", ");
        if (!order.empty()) window += (window.empty() ? "" : " ") + std::string("ORDER BY ") + Join(order, ", ");
        out.expr += " OVER (" + window + ")";
      }
      return out;
    }
    case ExprKind::kUnary: {
      std::string operand = sub(*e.args[0]);
      out.expr = e.text == "NOT" ? "(NOT " + operand + ")" : e.text + operand;
      return out;
    }
    case ExprKind::kBinary: {
      std::string l = sub(*e.args[0]);
      std::string r = sub(*e.args[1]);
      out.expr = "(" + l + " " + e.text + " " + r + ")";
      return out;
    }
    case ExprKind::kCase: {
      size_t i = 0;
      out.expr = "CASE";
      if (e.case_operand) out.expr += " " + sub(*e.args[i++]);
      size_t pairs_end = e.args.size() - (e.case_else ? 1 : 0);
      for (; i + 1 < pairs_end; i += 2) {
        out.expr += " WHEN " + sub(*e.args[i]);
        out.expr += " THEN " + sub(*e.args[i + 1]);
      }
      if (e.case_else) out.expr += " ELSE " + sub(*e.args.back());
      out.expr += " END";
      return out;
    }
    case ExprKind::kCast:
      out.expr = "CAST(" + sub(*e.args[0]) + " AS " + e.text + ")";
      return out;
    case ExprKind::kIn: {
      std::string value = sub(*e.args[0]);
      std::string rhs;
      if (e.subquery) {
        auto cols = AnalyzeQuery(*e.subquery, env, &scope);
        for (const auto& c : cols) AddSources(&out.sources, c.d.sources);
        rhs = "(subquery)";
      } else {
        rhs = "(" + list(1) + ")";
      }
      out.expr = "(" + value + (e.negated ? " NOT IN " : " IN ") + rhs + ")";
      return out;
    }
    case ExprKind::kBetween: {
      std::string v = sub(*e.args[0]);
      std::string lo = sub(*e.args[1]);
      std::string hi = sub(*e.args[2]);
      out.expr = "(" + v + (e.negated ? " NOT BETWEEN " : " BETWEEN ") + lo + " AND " + hi + ")";
      return out;
    }
    case ExprKind::kIsNull:
      out.expr = "(" + sub(*e.args[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
      return out;
    case ExprKind::kExists:
      AnalyzeQuery(*e.subquery, env, &scope);  // records the tables it reads
      out.expr = "EXISTS (subquery)";
      return out;
    case ExprKind::kSubquery: {
      auto cols = AnalyzeQuery(*e.subquery, env, &scope);
      if (cols.size() != 1) Fail("scalar subquery must produce one column");
      AddSources(&out.sources, cols[0].d.sources);
      out.expr = "(SELECT " + (cols[0].d.expr.empty() ? cols[0].name : cols[0].d.expr) + ")";
      return out;
    }
    case ExprKind::kIndex: {
      std::string base = sub(*e.args[0]);
      out.expr = base + "[" + sub(*e.args[1]) + "]";
      return out;
    }
    case ExprKind::kField:
      out.expr = sub(*e.args[0]) + "." + ToLower(e.text);
      return out;
  }
  Fail("unsupported expression");
}

// ===================================================================== statements

std::vector<ColumnLineage> ToLineage(const std::vector<std::string>& names, const std::vector<OutCol>& cols) {
  std::vector<ColumnLineage> out;
  for (size_t i = 0; i < names.size(); ++i) {
    ColumnLineage cl;
    cl.output_column = names[i];
    cl.sources = cols[i].d.sources;
    cl.dependency_type = cols[i].d.simple ? kDependencySimple : kDependencyExpression;
    if (!cols[i].d.simple && !cols[i].d.opaque) cl.expression = cols[i].d.expr;
    out.push_back(std::move(cl));
  }
  return out;
}

class ScriptAnalyzer {
 public:
  ScriptAnalyzer(std::string_view script, std::string_view default_db, const SchemaProvider& schemas)
      : script_(script), default_db_(ToLower(default_db)), schemas_(schemas) {}

  ScriptResult Run() {
    std::vector<Token> tokens = Tokenize(script_);
    size_t start = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      bool separator =
          t.kind == TokenKind::kEnd || t.kind == TokenKind::kError || (t.kind == TokenKind::kSymbol && t.text == ";");
      if (!separator) continue;
      if (t.kind == TokenKind::kError) {
        int line = start < i ? tokens[start].line : t.line;
        size_t begin = start < i ? tokens[start].begin : t.begin;
        result_.issues.push_back(
            {line, std::string(script_.substr(begin, script_.size() - begin)),
             "line " + std::to_string(t.line) + ", column " + std::to_string(t.column) + ": " + t.text, false});
        break;
      }
      if (i > start) AnalyzeStatement(std::span<const Token>(tokens.data() + start, i - start), t);
      start = i + 1;
    }
    return std::move(result_);
  }

 private:
  void AnalyzeStatement(std::span<const Token> tokens, const Token& terminator) {
    int line = tokens.front().line;
    std::string text(script_.substr(tokens.front().begin, tokens.back().end - tokens.front().begin));
    Statement stmt;
    ParseError error;
    if (!ParseStatement(tokens, terminator, &stmt, &error)) {
      result_.issues.push_back(
          {line, text,
           "line " + std::to_string(error.line) + ", column " + std::to_string(error.column) + ": " + error.message,
           false});
      return;
    }
    try {
      Analyze(stmt, line, text);
    } catch (const AnalysisError& e) {
      result_.issues.push_back({line, text, e.message, false});
    } catch (const std::exception& e) {
      result_.issues.push_back({line, text, std::string("internal error: ") + e.what(), false});
    }
  }

  void Analyze(const Statement& stmt, int line, const std::string& text) {
    Analyzer analyzer(schemas_, overlay_, default_db_);
    switch (stmt.kind) {
      case StatementKind::kUse:
        default_db_ = ToLower(stmt.use_db);
        return;
      case StatementKind::kSet:
        return;
      case StatementKind::kNotLineage:
        result_.issues.push_back({line, text, stmt.reason, true});
        return;
      case StatementKind::kUnsupported:
        result_.issues.push_back({line, text, stmt.reason, false});
        return;
      case StatementKind::kCreateTable: {
        std::vector<std::string> cols;
        for (const auto& c : stmt.columns) cols.push_back(ToLower(c.name));
        for (const auto& c : stmt.partition_columns) cols.push_back(ToLower(c.name));
        if (!cols.empty()) overlay_[analyzer.Qualify(stmt.target)] = cols;
        result_.issues.push_back({line, text, "CREATE TABLE without AS SELECT carries no lineage", true});
        return;
      }
      case StatementKind::kCreateTableAsSelect:
      case StatementKind::kCreateView:
      case StatementKind::kAlterViewAs:
        AnalyzeCreate(stmt, analyzer, line, text);
        return;
      case StatementKind::kInsert:
        AnalyzeInsert(stmt, analyzer, line, text);
        return;
    }
  }

  void AnalyzeCreate(const Statement& stmt, Analyzer& analyzer, int line, const std::string& text) {
    TableName target = analyzer.Qualify(stmt.target);
    std::vector<OutCol> cols = analyzer.AnalyzeQuery(*stmt.query, nullptr, nullptr);
    TableWrite write;
    write.table = target;
    write.write_type = "INSERT_OVERWRITE";
    if (!stmt.columns.empty()) {
      if (stmt.columns.size() != cols.size()) {
        Fail(target.ToString() + " declares " + std::to_string(stmt.columns.size()) +
             " columns but the query produces " + std::to_string(cols.size()));
      }
      bool typed = false;
      for (const auto& c : stmt.columns) {
        write.columns.push_back(ToLower(c.name));
        write.declared_types.push_back(c.type);
        typed = typed || !c.type.empty();
      }
      if (!typed) write.declared_types.clear();
    } else {
      for (const auto& c : cols) write.columns.push_back(c.name);
    }
    std::set<std::string> seen;
    for (const auto& c : write.columns) {
      if (!seen.insert(c).second) Fail("duplicate column name " + c + " in " + target.ToString());
    }
    write.column_lineage = ToLineage(write.columns, cols);
    overlay_[target] = write.columns;
    StatementLineage st;
    st.line = line;
    st.query_text = text;
    st.operation = stmt.kind == StatementKind::kCreateTableAsSelect ? kOpCreateTableAsSelect
                   : stmt.kind == StatementKind::kCreateView        ? kOpCreateView
                                                                    : kOpAlterViewAs;
    st.inputs.assign(analyzer.inputs().begin(), analyzer.inputs().end());
    if (st.inputs.empty()) {
      result_.issues.push_back({line, text, "statement reads no table", true});
      return;
    }
    st.outputs.push_back(std::move(write));
    result_.statements.push_back(std::move(st));
  }

  void AnalyzeInsert(const Statement& stmt, Analyzer& analyzer, int line, const std::string& text) {
    StatementLineage st;
    st.line = line;
    st.query_text = text;
    st.operation = kOpQuery;
    for (const InsertClause& clause : stmt.inserts) {
      TableName target = analyzer.Qualify(clause.target);
      std::vector<OutCol> cols;
      if (!stmt.ctes.empty()) {
        CteFrame frame;
        for (const auto& cte : stmt.ctes) {
          CteEntry entry;
          entry.cte = &cte;
          entry.frame = &frame;
          frame.entries[ToLower(cte.name)] = std::move(entry);
        }
        cols = analyzer.AnalyzeQuery(*clause.query, &frame, nullptr, stmt.from.get());
      } else {
        cols = analyzer.AnalyzeQuery(*clause.query, nullptr, nullptr, stmt.from.get());
      }
      std::vector<std::string> names;
      std::set<std::string> partition_names;
      for (const auto& p : clause.partition) partition_names.insert(ToLower(p.name));
      if (!clause.columns.empty()) {
        for (const auto& c : clause.columns) names.push_back(ToLower(c));
      } else {
        auto table_cols = analyzer.Columns(target);
        if (!table_cols) {
          Fail("columns of target table " + target.ToString() + " are unknown; cannot map the query's columns to it");
        }
        for (const auto& c : *table_cols) {
          if (!partition_names.count(c)) names.push_back(c);
        }
      }
      for (const auto& p : clause.partition) {
        if (!p.is_static) names.push_back(ToLower(p.name));
      }
      if (names.size() != cols.size()) {
        Fail("target " + target.ToString() + " takes " + std::to_string(names.size()) +
             " columns but the query produces " + std::to_string(cols.size()));
      }
      TableWrite write;
      write.table = target;
      write.write_type = clause.overwrite ? "INSERT_OVERWRITE" : "INSERT";
      write.columns = names;
      write.column_lineage = ToLineage(names, cols);
      st.outputs.push_back(std::move(write));
    }
    st.inputs.assign(analyzer.inputs().begin(), analyzer.inputs().end());
    if (st.inputs.empty()) {
      result_.issues.push_back({line, text, "statement reads no table", true});
      return;
    }
    std::set<TableName> outs;
    for (const auto& w : st.outputs) outs.insert(w.table);
    if (std::set<TableName>(st.inputs.begin(), st.inputs.end()) == outs) {
      result_.issues.push_back({line, text, "statement only reads the table it writes (self lineage)", true});
      return;
    }
    result_.statements.push_back(std::move(st));
  }

  std::string_view script_;
  std::string default_db_;
  const SchemaProvider& schemas_;
  SchemaOverlay overlay_;
  ScriptResult result_;
};

}  // namespace

ScriptResult AnalyzeScript(std::string_view script, std::string_view default_db, const SchemaProvider& schemas) {
  return ScriptAnalyzer(script, default_db, schemas).Run();
}

}  // namespace meridian::sql
