// Syntax tree of an Atlas DSL query, as produced by Parse().
//
// The tree is purely syntactic: names are not resolved against any type system. Every
// node records the 0-based byte offset of its first token in the query text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace meridian::dsl {

enum class CompareOp : uint8_t { kEq, kNeq, kLt, kLte, kGt, kGte, kLike };
enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv };
enum class LogicalOp : uint8_t { kAnd, kOr };
enum class AggregateFn : uint8_t { kCount, kMin, kMax, kSum };

enum class ExprKind : uint8_t {
  kName,        // identifier or quoted text: a path, type, alias, or an unquoted value
  kLiteral,     // number, boolean or (in value position) quoted text
  kList,        // [v1, v2, ...]: children are literals or names
  kAggregate,   // count() / min(path) / max(path) / sum(path)
  kArithmetic,  // children[0] op children[1]
  kComparison,  // children[0] op children[1]
  kIsA,         // children[0] isa|is text
  kHas,         // children[0] has text
  kHasTerm,     // children[0] hasTerm text
  kNot,         // not children[0] (extension: Atlas has no negation)
  kLogical,     // children joined left to right by logical_ops, all of equal precedence
};

struct Expr {
  ExprKind kind = ExprKind::kName;
  size_t offset = 0;
  // kName: the identifier/path or unquoted text; kLiteral: the token as written;
  // kIsA: classification; kHas: attribute; kHasTerm: term; kAggregate: path (may be empty).
  std::string text;
  bool quoted = false;   // kName/kLiteral: came from '...', "..." or `...`
  nlohmann::json value;  // kLiteral: string, integer, float or boolean
  CompareOp compare_op = CompareOp::kEq;
  ArithOp arith_op = ArithOp::kAdd;
  AggregateFn aggregate_fn = AggregateFn::kCount;
  std::vector<LogicalOp> logical_ops;  // kLogical: logical_ops[i] joins children[i], children[i+1]
  std::vector<std::unique_ptr<Expr>> children;
};

// One query source: `[from] name [as alias] [where cond]` (has_name) or `[where] cond`.
struct Source {
  size_t offset = 0;
  bool has_name = false;
  std::string name;
  std::string alias;
  size_t alias_offset = 0;
  std::unique_ptr<Expr> condition;  // may be null for a named source
};

struct SelectItem {
  size_t offset = 0;
  std::unique_ptr<Expr> expr;  // kName (path) or kAggregate
  std::string alias;           // empty when no `as`
  std::string label;           // column label: the alias, else the item, as written (quotes kept)
};

struct OrderBy {
  size_t offset = 0;
  std::string path;
  bool descending = false;
};

struct Query {
  std::vector<Source> sources;
  std::vector<SelectItem> group_by;
  std::vector<SelectItem> select;
  std::optional<OrderBy> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

}  // namespace meridian::dsl
