#include "planner.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "values.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::dsl {
namespace {

constexpr std::string_view kClassified = "_CLASSIFIED";
constexpr std::string_view kNotClassified = "_NOT_CLASSIFIED";

struct SystemAttrEntry {
  std::string_view name;
  SystemAttr attr;
  ValueKind kind;
};

constexpr SystemAttrEntry kSystemAttrs[] = {
    {"__guid", SystemAttr::kGuid, ValueKind::kString},
    {"__typeName", SystemAttr::kTypeName, ValueKind::kString},
    {"__state", SystemAttr::kState, ValueKind::kString},
    {"__createdBy", SystemAttr::kCreatedBy, ValueKind::kString},
    {"__modifiedBy", SystemAttr::kModifiedBy, ValueKind::kString},
    {"__timestamp", SystemAttr::kTimestamp, ValueKind::kDate},
    {"__modificationTimestamp", SystemAttr::kModificationTimestamp, ValueKind::kDate},
    {"__classificationNames", SystemAttr::kClassificationNames, ValueKind::kString},
    {"__propagatedClassificationNames", SystemAttr::kPropagatedClassificationNames,
     ValueKind::kString},
    {"__labels", SystemAttr::kLabels, ValueKind::kString},
    {"__customAttributes", SystemAttr::kCustomAttributes, ValueKind::kString},
    {"__isIncomplete", SystemAttr::kIsIncomplete, ValueKind::kNumber},
    {"__historicalGuids", SystemAttr::kHistoricalGuids, ValueKind::kString},
    {"__classificationsText", SystemAttr::kClassificationsText, ValueKind::kString},
    {"__pendingTasks", SystemAttr::kPendingTasks, ValueKind::kString},
};

const SystemAttrEntry* FindSystemAttr(std::string_view name) {
  for (const auto& entry : kSystemAttrs) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

[[noreturn]] void ThrowSemantic(const char* code, const std::string& message) {
  throw StatusException(Status::InvalidArgument("DSL Semantic Error - " + message, code));
}

[[noreturn]] void ThrowSyntax(size_t offset, const std::string& message) {
  throw StatusException(Status::InvalidArgument(
      "Invalid DSL query: at position " + std::to_string(offset + 1) + ": " + message,
      atlas_code::kInvalidDslQuery));
}

std::vector<std::string> SplitPath(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

ValueKind TerminalKind(const AttributeInfo& info) {
  switch (info.kind) {
    case ValueKind::kArray: {
      const ValueKind element = KindOfTypeName(info.type_name);
      return element == ValueKind::kOther ? ValueKind::kString : element;
    }
    default:
      return info.kind;
  }
}

bool IsPrimitivePath(const BoundPath& p) {
  return !p.terminal_reference && p.keys.empty() && p.kind != ValueKind::kMap &&
         p.kind != ValueKind::kStruct;
}

ValueKind LiteralKind(const nlohmann::json& v) {
  if (v.is_number()) return ValueKind::kNumber;
  if (v.is_boolean()) return ValueKind::kBoolean;
  return ValueKind::kString;
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

BoundExpr Constant(bool value) {
  BoundExpr b;
  b.kind = BoundExpr::Kind::kConst;
  b.constant = value;
  return b;
}

// A value written on the right of a comparison, with its text as written.
struct RhsLiteral {
  nlohmann::json value;
  std::string raw;
  size_t offset;
};

class Binder {
 public:
  Binder(const CatalogView& catalog, const QueryOptions& options)
      : catalog_(catalog), options_(options) {}

  Plan Bind(const Query& q) {
    Plan plan;
    const Source& first = q.sources.front();
    std::string primary;
    if (first.has_name) {
      primary = first.name;
    } else {
      const Expr* lead = first.condition.get();
      while (lead != nullptr && !lead->children.empty() && lead->kind != ExprKind::kNot &&
             lead->kind != ExprKind::kList && lead->kind != ExprKind::kAggregate) {
        lead = lead->children.front().get();
      }
      if (lead == nullptr || lead->kind != ExprKind::kName) {
        ThrowSyntax(first.offset, "expected a type name at the start of the query");
      }
      primary = lead->text;
      if (!IsSourceName(primary) && primary.find('.') != std::string::npos) {
        ThrowSyntax(lead->offset,
                    "expected a type name at the start of the query but found " + Quoted(primary));
      }
    }
    SetPrimary(primary);
    self_names_.insert(primary);
    std::unordered_map<std::string, std::string> aliases;
    auto add_alias = [&](const Source& s) {
      if (s.alias.empty()) return;
      auto [it, inserted] = aliases.emplace(s.alias, s.name);
      if (!inserted) {
        ThrowSemantic(atlas_code::kInvalidDslDuplicateAlias, "Duplicate alias found: '" + s.alias + "' for type '" +
                                              it->second + "' already present.");
      }
      self_names_.insert(s.alias);
    };
    add_alias(first);
    for (size_t i = 1; i < q.sources.size(); ++i) {
      if (q.sources[i].has_name) {
        add_alias(q.sources[i]);
        if (q.sources[i].name == primary) continue;
        if (!IsSourceName(q.sources[i].name)) {
          ThrowSemantic(atlas_code::kInvalidDslUnknownType, q.sources[i].name + " type not found");
        }
      }
    }

    std::vector<BoundExpr> conjuncts;
    if (kind_ != SourceKind::kEntity) conjuncts.push_back(SourceTagTest());
    for (size_t i = 0; i < q.sources.size(); ++i) {
      const Source& s = q.sources[i];
      if (i > 0 && s.has_name && s.name != primary) {
        conjuncts.push_back(*NameCondition(s.name));
      }
      if (s.condition) conjuncts.push_back(BindCondition(*s.condition));
    }

    if (kind_ == SourceKind::kEntity) {
      plan.scan_types = catalog_.SelfAndSubTypes(source_);
    } else {
      plan.scan_types = catalog_.EntityTypeNames();
    }
    plan.type_set.insert(plan.scan_types.begin(), plan.scan_types.end());
    ChooseLookup(conjuncts, plan);
    if (conjuncts.size() == 1) {
      plan.filter = std::move(conjuncts.front());
    } else if (!conjuncts.empty()) {
      BoundExpr all;
      all.kind = BoundExpr::Kind::kLogical;
      all.ops.assign(conjuncts.size() - 1, LogicalOp::kAnd);
      all.children = std::move(conjuncts);
      plan.filter = std::move(all);
    }

    BindSelect(q, plan);
    BindOrderBy(q, plan);
    BindLimits(q, plan);
    plan.exclude_deleted = options_.exclude_deleted && !mentions_state_;
    plan.needs_relationships = mentions_relationships_;
    return plan;
  }

 private:
  enum class SourceKind : uint8_t { kEntity, kClassification, kClassified, kNotClassified };

  bool IsSourceName(const std::string& name) const {
    return name == kClassified || name == kNotClassified || catalog_.IsEntityType(name) ||
           catalog_.IsClassificationType(name);
  }

  void SetPrimary(const std::string& name) {
    source_ = name;
    if (name == kClassified) {
      kind_ = SourceKind::kClassified;
    } else if (name == kNotClassified) {
      kind_ = SourceKind::kNotClassified;
    } else if (catalog_.IsEntityType(name)) {
      kind_ = SourceKind::kEntity;
    } else if (catalog_.IsClassificationType(name)) {
      kind_ = SourceKind::kClassification;
      source_types_ = catalog_.SelfAndSubTypes(name);
    } else {
      ThrowSemantic(atlas_code::kInvalidDslUnknownType, name + " type not found");
    }
  }

  // `name` is an entity type the source type inherits from (not an attribute of the source):
  // `Asset.owner` on hive_db reads hive_db's owner, as in Atlas.
  bool IsSuperTypeOfSource(const std::string& name) const {
    if (kind_ != SourceKind::kEntity || catalog_.FindAttribute(source_, name) ||
        !catalog_.IsEntityType(name)) {
      return false;
    }
    const std::vector<std::string> subs = catalog_.SelfAndSubTypes(name);
    return std::find(subs.begin(), subs.end(), source_) != subs.end();
  }

  BoundExpr SourceTagTest() const {
    BoundExpr b;
    b.kind = BoundExpr::Kind::kIsA;
    if (kind_ == SourceKind::kClassified) {
      b.tag_test = TagTest::kAnyTag;
    } else if (kind_ == SourceKind::kNotClassified) {
      b.tag_test = TagTest::kNoTag;
    } else {
      b.names.insert(source_types_.begin(), source_types_.end());
    }
    return b;
  }

  // A bare name used as a condition: a type, classification or alias; nullopt otherwise.
  std::optional<BoundExpr> NameCondition(const std::string& name) const {
    if (self_names_.count(name)) return Constant(true);
    BoundExpr b;
    if (name == kClassified || name == kNotClassified) {
      b.kind = BoundExpr::Kind::kIsA;
      b.tag_test = name == kClassified ? TagTest::kAnyTag : TagTest::kNoTag;
      return b;
    }
    if (catalog_.IsClassificationType(name)) {
      b.kind = BoundExpr::Kind::kIsA;
      for (auto& t : catalog_.SelfAndSubTypes(name)) b.names.insert(std::move(t));
      return b;
    }
    if (catalog_.IsEntityType(name)) {
      b.kind = BoundExpr::Kind::kTypeIn;
      for (auto& t : catalog_.SelfAndSubTypes(name)) b.names.insert(std::move(t));
      return b;
    }
    return std::nullopt;
  }

  [[noreturn]] void UnknownAttribute(const std::string& attr, const std::string& type) const {
    if (has_mode_) {
      ThrowSemantic(atlas_code::kInvalidDslHasAttribute, "No attribute " + attr + " exists for type " + type);
    }
    ThrowSemantic(atlas_code::kInvalidDslUnknownAttrType, attr + " attribute not found for type " + type);
  }

  BoundPath ResolvePath(const std::string& text, bool allow_self) {
    const std::vector<std::string> segs = SplitPath(text);
    BoundPath p;
    p.text = text;
    size_t i = 0;
    if ((segs.size() > 1 || allow_self) && self_names_.count(segs[0])) i = 1;
    if (i == 0 && segs.size() > 1 && IsSuperTypeOfSource(segs[0])) i = 1;  // Asset.owner
    if (i == segs.size()) {
      if (allow_self) return p;
      UnknownAttribute(text, source_);
    }
    // Classification attributes: `level` on a classification source, or `PII.level`.
    std::string classification;
    if (kind_ == SourceKind::kClassification && FindSystemAttr(segs[i]) == nullptr &&
        catalog_.FindAttribute(source_, segs[i])) {
      classification = source_;
      p.classification_types = source_types_;
    } else if (i == 0 && segs.size() >= 2 && catalog_.IsClassificationType(segs[0]) &&
               !(kind_ == SourceKind::kEntity && catalog_.FindAttribute(source_, segs[0]))) {
      classification = segs[0];
      p.classification_types = catalog_.SelfAndSubTypes(segs[0]);
      i = 1;
    }
    if (!classification.empty()) {
      auto info = catalog_.FindAttribute(classification, segs[i]);
      if (!info) UnknownAttribute(segs[i], classification);
      p.kind = TerminalKind(*info);
      p.terminal_reference = info->kind == ValueKind::kReference;
      p.steps.push_back(PathStep{segs[i], SystemAttr::kNone, *info});
      AppendKeys(segs, i + 1, *info, p);
      return p;
    }
    std::string type = kind_ == SourceKind::kEntity ? source_ : std::string();
    for (size_t j = i; j < segs.size(); ++j) {
      const std::string& seg = segs[j];
      const bool last = j + 1 == segs.size();
      if (seg.size() > 2 && seg[0] == '_' && seg[1] == '_') {
        const SystemAttrEntry* sys = FindSystemAttr(seg);
        if (sys == nullptr) UnknownAttribute(seg, type.empty() ? source_ : type);
        if (!last) UnknownAttribute(segs[j + 1], seg);
        p.steps.push_back(PathStep{seg, sys->attr, AttributeInfo{}});
        p.kind = sys->kind;
        if (sys->attr == SystemAttr::kState) mentions_state_ = true;
        return p;
      }
      if (type.empty()) UnknownAttribute(seg, source_);
      auto info = catalog_.FindAttribute(type, seg);
      if (!info && j > i) {
        // A reference to a super-type (DataSet, Process) may lead to sub-type attributes.
        for (const auto& sub : catalog_.SelfAndSubTypes(type)) {
          if ((info = catalog_.FindAttribute(sub, seg))) break;
        }
      }
      if (!info) UnknownAttribute(seg, type);
      if (info->is_relationship || info->kind == ValueKind::kReference) mentions_relationships_ = true;
      p.steps.push_back(PathStep{seg, SystemAttr::kNone, *info});
      if (last) {
        p.kind = TerminalKind(*info);
        p.terminal_reference = info->kind == ValueKind::kReference;
        return p;
      }
      if (info->kind == ValueKind::kReference) {
        type = info->referenced_type;
        continue;
      }
      AppendKeys(segs, j + 1, *info, p);
      return p;
    }
    return p;
  }

  void AppendKeys(const std::vector<std::string>& segs, size_t from, const AttributeInfo& info,
                  BoundPath& p) const {
    if (from >= segs.size()) return;
    if (info.kind != ValueKind::kMap && info.kind != ValueKind::kStruct) {
      UnknownAttribute(segs[from], info.type_name);
    }
    p.keys.assign(segs.begin() + static_cast<std::ptrdiff_t>(from), segs.end());
    p.kind = ValueKind::kOther;
  }

  // The entity itself, or a path of references to related entities.
  BoundPath BindSubject(const Expr& e, const char* op) {
    if (e.kind != ExprKind::kName) {
      ThrowSyntax(e.offset, std::string("expected a type name or alias before '") + op + "'");
    }
    BoundPath p = ResolvePath(e.text, /*allow_self=*/true);
    if (!p.steps.empty() && (!p.terminal_reference || !p.classification_types.empty())) {
      ThrowSyntax(e.offset, std::string("expected a type name, alias or reference attribute "
                                        "before '") +
                                op + "' but found " + Quoted(e.text));
    }
    return p;
  }

  BoundExpr BindCondition(const Expr& e) {
    BoundExpr b;
    switch (e.kind) {
      case ExprKind::kLogical:
        b.kind = BoundExpr::Kind::kLogical;
        b.ops = e.logical_ops;
        for (const auto& child : e.children) b.children.push_back(BindCondition(*child));
        return b;
      case ExprKind::kNot:
        b.kind = BoundExpr::Kind::kNot;
        b.children.push_back(BindCondition(*e.children[0]));
        return b;
      case ExprKind::kComparison:
        return BindComparison(e);
      case ExprKind::kIsA:
        b.kind = BoundExpr::Kind::kIsA;
        b.subject = BindSubject(*e.children[0], "isa");
        if (e.text == kClassified) {
          b.tag_test = TagTest::kAnyTag;
        } else if (e.text == kNotClassified) {
          b.tag_test = TagTest::kNoTag;
        } else if (catalog_.IsClassificationType(e.text)) {
          for (auto& t : catalog_.SelfAndSubTypes(e.text)) b.names.insert(std::move(t));
        } else {
          ThrowSemantic(atlas_code::kInvalidDslUnknownClassification, e.text + " classification not found");
        }
        return b;
      case ExprKind::kHas: {
        b.kind = BoundExpr::Kind::kHas;
        b.subject = BindSubject(*e.children[0], "has");
        if (!b.subject.steps.empty()) {
          ThrowSyntax(e.offset, "expected a type name or alias before 'has'");
        }
        has_mode_ = true;
        b.attribute = ResolvePath(e.text, /*allow_self=*/false);
        has_mode_ = false;
        if (!IsPrimitivePath(b.attribute)) {
          ThrowSemantic(atlas_code::kInvalidDslHasProperty, "Property needs to be a primitive type: " + e.text);
        }
        return b;
      }
      case ExprKind::kHasTerm:
        mentions_relationships_ = true;  // terms are read from relationshipAttributes.meanings
        b.kind = BoundExpr::Kind::kHasTerm;
        b.subject = BindSubject(*e.children[0], "hasTerm");
        b.term = e.text;
        return b;
      case ExprKind::kName: {
        if (auto named = NameCondition(e.text)) return *named;
        BoundPath p = ResolvePath(e.text, /*allow_self=*/false);
        if (p.kind != ValueKind::kBoolean) {
          ThrowSyntax(e.offset, "expected a condition but found " + Quoted(e.text));
        }
        b.kind = BoundExpr::Kind::kCompare;
        b.lhs.kind = BoundValue::Kind::kPath;
        b.lhs.path = std::move(p);
        b.compare_kind = ValueKind::kBoolean;
        b.rhs.push_back(true);
        return b;
      }
      case ExprKind::kLiteral:
        if (e.value.is_boolean()) return Constant(e.value.get<bool>());
        break;
      default:
        break;
    }
    ThrowSyntax(e.offset, "expected a condition");
  }

  BoundValue BindValue(const Expr& e) {
    BoundValue v;
    switch (e.kind) {
      case ExprKind::kName:
        v.kind = BoundValue::Kind::kPath;
        v.path = ResolvePath(e.text, /*allow_self=*/false);
        return v;
      case ExprKind::kLiteral:
        v.kind = BoundValue::Kind::kLiteral;
        v.literal = e.value;
        return v;
      case ExprKind::kArithmetic:
        v.kind = BoundValue::Kind::kArithmetic;
        v.op = e.arith_op;
        v.children.push_back(BindValue(*e.children[0]));
        v.children.push_back(BindValue(*e.children[1]));
        return v;
      case ExprKind::kAggregate:
        ThrowSyntax(e.offset, "aggregate functions are only allowed in 'select'");
      default:
        ThrowSyntax(e.offset, "expected an attribute name or a value");
    }
  }

  RhsLiteral RhsValue(const Expr& e, bool allow_list_item_only) {
    switch (e.kind) {
      case ExprKind::kName:
        return RhsLiteral{e.text, e.text, e.offset};
      case ExprKind::kLiteral:
        return RhsLiteral{e.value, e.text, e.offset};
      case ExprKind::kArithmetic: {
        if (allow_list_item_only) break;
        RhsLiteral l = RhsValue(*e.children[0], false);
        RhsLiteral r = RhsValue(*e.children[1], false);
        auto result = ApplyArith(e.arith_op, l.value, r.value);
        if (!l.value.is_number() || !r.value.is_number() || !result) {
          ThrowSyntax(e.offset, "expected a number in arithmetic on the right-hand side");
        }
        return RhsLiteral{*result, result->dump(), e.offset};
      }
      case ExprKind::kAggregate:
        ThrowSyntax(e.offset, "aggregate functions are only allowed in 'select'");
      default:
        break;
    }
    ThrowSyntax(e.offset, "expected a value");
  }

  static nlohmann::json Coerce(ValueKind kind, const RhsLiteral& lit) {
    const nlohmann::json& v = lit.value;
    switch (kind) {
      case ValueKind::kNumber: {
        if (v.is_number()) return v;
        if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
        const std::string& s = lit.raw;
        int64_t integer = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), integer);
        if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size()) return integer;
        if (auto d = ToNumber(nlohmann::json(s))) return *d;
        ThrowSyntax(lit.offset, "expected a number but found " + Quoted(s));
      }
      case ValueKind::kDate: {
        if (v.is_number()) {
          if (auto ms = ToEpochMillis(v)) return *ms;
        } else if (v.is_string()) {
          if (auto ms = ParseDslDate(v.get<std::string>())) return *ms;
        }
        ThrowSemantic(atlas_code::kInvalidDslInvalidDate, "Date format: " + lit.raw + ".");
      }
      case ValueKind::kBoolean: {
        if (v.is_boolean()) return v;
        std::string s = lit.raw;
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (s == "true" || s == "1") return true;
        if (s == "false" || s == "0") return false;
        ThrowSyntax(lit.offset, "expected true or false but found " + Quoted(lit.raw));
      }
      default:
        return v.is_string() ? v : nlohmann::json(lit.raw);
    }
  }

  BoundExpr BindComparison(const Expr& e) {
    const Expr& lhs = *e.children[0];
    const Expr& rhs = *e.children[1];
    BoundExpr b;
    b.kind = BoundExpr::Kind::kCompare;
    b.op = e.compare_op;
    b.lhs = BindValue(lhs);
    switch (b.lhs.kind) {
      case BoundValue::Kind::kPath:
        if (!IsPrimitivePath(b.lhs.path) && !b.lhs.path.terminal_reference) {
          b.compare_kind = ValueKind::kString;
        } else {
          b.compare_kind = b.lhs.path.kind;
        }
        break;
      case BoundValue::Kind::kLiteral:
        b.compare_kind = LiteralKind(b.lhs.literal);
        break;
      case BoundValue::Kind::kArithmetic:
        b.compare_kind = ValueKind::kNumber;
        break;
    }
    if (rhs.kind == ExprKind::kList) {
      b.in_list = true;
      for (const auto& item : rhs.children) {
        b.rhs.push_back(Coerce(b.compare_kind, RhsValue(*item, true)));
      }
    } else if (b.op == CompareOp::kLike) {
      b.rhs.push_back(RhsValue(rhs, false).raw);
    } else {
      b.rhs.push_back(Coerce(b.compare_kind, RhsValue(rhs, false)));
    }
    return b;
  }

  static void Flatten(const BoundExpr& e, std::vector<const BoundExpr*>& out) {
    if (e.kind == BoundExpr::Kind::kLogical &&
        std::all_of(e.ops.begin(), e.ops.end(),
                    [](LogicalOp op) { return op == LogicalOp::kAnd; })) {
      for (const auto& child : e.children) Flatten(child, out);
    } else {
      out.push_back(&e);
    }
  }

  void ChooseLookup(const std::vector<BoundExpr>& conjuncts, Plan& plan) const {
    if (kind_ != SourceKind::kEntity) return;
    std::vector<const BoundExpr*> flat;
    for (const auto& c : conjuncts) Flatten(c, flat);
    const BoundExpr* best = nullptr;
    const BoundExpr* via = nullptr;  // `ref.attr = v`: answered through reverse edges
    auto indexable = [](const PathStep& step) {
      const ValueKind k = step.info.kind;
      return step.system == SystemAttr::kNone &&
             (k == ValueKind::kString || k == ValueKind::kNumber || k == ValueKind::kBoolean ||
              k == ValueKind::kDate || k == ValueKind::kEnum);
    };
    for (const BoundExpr* c : flat) {
      if (c->kind != BoundExpr::Kind::kCompare || c->lhs.kind != BoundValue::Kind::kPath) continue;
      if (c->op != CompareOp::kEq && !c->in_list) continue;
      const BoundPath& p = c->lhs.path;
      if (!p.classification_types.empty() || !p.keys.empty()) continue;
      if (p.steps.size() == 2 && p.steps[0].system == SystemAttr::kNone &&
          p.steps[0].info.kind == ValueKind::kReference && indexable(p.steps[1])) {
        if (via == nullptr) via = c;
        continue;
      }
      if (p.steps.size() != 1) continue;
      const PathStep& step = p.steps[0];
      if (step.system == SystemAttr::kGuid) {
        std::vector<std::string> guids;
        for (const auto& v : c->rhs) {
          if (v.is_string()) guids.push_back(v.get<std::string>());
        }
        plan.guids = std::move(guids);
        plan.lookup_attr.clear();
        return;
      }
      if (step.system != SystemAttr::kNone) continue;
      const ValueKind k = step.info.kind;
      if (k != ValueKind::kString && k != ValueKind::kNumber && k != ValueKind::kBoolean &&
          k != ValueKind::kDate && k != ValueKind::kEnum) {
        continue;
      }
      if (best == nullptr || step.name == "qualifiedName") best = c;
    }
    if (best != nullptr) {
      plan.lookup_attr = best->lhs.path.steps[0].name;
      plan.lookup_values = best->rhs;
    } else if (via != nullptr) {
      plan.lookup_via = via->lhs.path.steps[0].name;
      plan.lookup_via_type = via->lhs.path.steps[0].info.referenced_type;
      plan.lookup_attr = via->lhs.path.steps[1].name;
      plan.lookup_values = via->rhs;
    }
  }

  void BindSelect(const Query& q, Plan& plan) {
    plan.is_select = !q.select.empty() || !q.group_by.empty();
    if (!plan.is_select) return;
    // `select d` naming the source itself (its alias or type) returns the entities, as Atlas.
    if (q.group_by.empty() &&
        std::any_of(q.select.begin(), q.select.end(), [&](const SelectItem& item) {
          return item.expr->kind == ExprKind::kName && self_names_.count(item.expr->text) &&
                 !catalog_.FindAttribute(source_, item.expr->text);
        })) {
      plan.is_select = false;
      return;
    }
    for (const auto& item : q.group_by) {
      BoundPath p = ResolvePath(item.expr->text, /*allow_self=*/false);
      // Atlas groups by an own primitive attribute only (a reference or a referred attribute
      // such as db.name is refused with -061).
      const bool referred = p.classification_types.empty() && !p.steps.empty() &&
                            p.steps[0].info.kind == ValueKind::kReference;
      if (referred || !IsPrimitivePath(p)) {
        ThrowSemantic(atlas_code::kInvalidDslSelectInvalidAgg,
                      "Select clause has aggregation on referred attributes " + item.expr->text);
      }
      plan.group_by.push_back(std::move(p));
    }
    const auto& items = q.select.empty() ? q.group_by : q.select;
    std::vector<std::string> referenced;
    bool has_own = false, has_aggregate = false;
    for (const auto& item : items) {
      BoundSelectItem s;
      s.label = item.label;
      const Expr& e = *item.expr;
      if (e.kind == ExprKind::kAggregate) {
        s.is_aggregate = true;
        has_aggregate = true;
        s.fn = e.aggregate_fn;
        if (s.fn != AggregateFn::kCount) {
          s.path = ResolvePath(e.text, /*allow_self=*/false);
          s.has_path = true;
          if (s.path.steps.size() > 1 || !IsPrimitivePath(s.path)) {
            ThrowSemantic(atlas_code::kInvalidDslSelectInvalidAgg,
                          "Select clause has aggregation on referred attributes " + e.text);
          }
        }
      } else {
        s.path = ResolvePath(e.text, /*allow_self=*/false);
        s.has_path = true;
        // A reference (`columns`) or an attribute reached through one (`db.name`).
        if (!s.path.steps.empty() && s.path.classification_types.empty() &&
            s.path.steps[0].info.kind == ValueKind::kReference) {
          if (std::find(referenced.begin(), referenced.end(), s.path.steps[0].name) ==
              referenced.end()) {
            referenced.push_back(s.path.steps[0].name);
          }
        } else {
          has_own = true;
        }
      }
      plan.select.push_back(std::move(s));
    }
    if (!referenced.empty() && !has_aggregate && plan.group_by.empty()) {
      if (has_own) {
        ThrowSemantic(atlas_code::kInvalidDslSelectAttrMixing, "Select clause has simple and referred attributes");
      }
      if (referenced.size() > 1) {
        std::string names;
        for (const auto& r : referenced) names += (names.empty() ? "" : ", ") + r;
        ThrowSemantic(atlas_code::kInvalidDslSelectReferredAttr,
                      "Select clause has multiple referred attributes " + names);
      }
      // select db.name, db.owner: one row per related entity. (select columns: one row per
      // entity, its cell the related entities' headers.)
      if (std::all_of(plan.select.begin(), plan.select.end(),
                      [](const BoundSelectItem& s) { return s.path.steps.size() >= 2; })) {
        plan.select_reference = plan.select.front().path.steps.front();
        for (auto& s : plan.select) s.path.steps.erase(s.path.steps.begin());
      }
    }
    plan.is_aggregate = has_aggregate || !plan.group_by.empty();
    if (plan.is_aggregate && plan.group_by.empty()) {
      for (const auto& s : plan.select) {
        if (!s.is_aggregate) plan.group_by.push_back(s.path);
      }
    }
  }

  void BindOrderBy(const Query& q, Plan& plan) {
    if (!q.order_by) return;
    const OrderBy& order = *q.order_by;
    plan.order_descending = order.descending;
    if (plan.is_select) {
      const auto& items = q.select.empty() ? q.group_by : q.select;
      for (size_t i = 0; i < items.size(); ++i) {
        const SelectItem& item = items[i];
        const bool by_text = item.expr->kind == ExprKind::kName && item.expr->text == order.path;
        if (by_text || item.label == order.path) {
          plan.order_column = i;
          const BoundSelectItem& s = plan.select[i];
          plan.order_kind = s.is_aggregate && s.fn != AggregateFn::kMin && s.fn != AggregateFn::kMax
                                ? ValueKind::kNumber
                                : s.path.kind;
          return;
        }
      }
    }
    BoundPath p = ResolvePath(order.path, /*allow_self=*/false);
    if (!IsPrimitivePath(p)) {
      ThrowSemantic(atlas_code::kInvalidDslOrderBy, "OrderBy attribute " + order.path + " is non-primitive");
    }
    plan.order_kind = p.kind;
    plan.order_path = std::move(p);
  }

  void BindLimits(const Query& q, Plan& plan) const {
    const int64_t max_limit = std::max(options_.max_limit, 0);
    if (q.limit) {
      plan.limit = std::min(*q.limit, max_limit);
      plan.offset = q.offset.value_or(0);
      return;
    }
    if (plan.is_aggregate) {
      plan.unlimited = true;
      return;
    }
    plan.limit =
        options_.limit <= 0 || options_.limit > max_limit ? options_.default_limit : options_.limit;
    plan.offset = std::max(options_.offset, 0);
  }

  const CatalogView& catalog_;
  const QueryOptions& options_;
  SourceKind kind_ = SourceKind::kEntity;
  std::string source_;
  std::vector<std::string> source_types_;  // classification source: self and sub-types
  std::unordered_set<std::string> self_names_;
  bool mentions_state_ = false;
  bool mentions_relationships_ = false;
  bool has_mode_ = false;
};

}  // namespace

Plan BuildPlan(const CatalogView& catalog, const Query& query, const QueryOptions& options) {
  return Binder(catalog, options).Bind(query);
}

}  // namespace meridian::dsl
