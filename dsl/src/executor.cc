#include "executor.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "planner.h"
#include "values.h"

namespace meridian::dsl {
namespace {

using Json = nlohmann::json;
using EntityPtr = std::shared_ptr<const Json>;

constexpr size_t kRelatedCacheSize = 10000;
// Entities read between two checks of the query's deadline.
constexpr size_t kDeadlineStride = 256;

const Json* Member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* Member(const Json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string StringMember(const Json& object, const char* key) {
  const Json* v = Member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// Guids named by a reference value: an object id, an array of them, or a bare guid.
// skip_deleted: leave out references whose relationship is DELETED.
std::vector<std::string> ReferencedGuids(const Json& raw, bool skip_deleted = false) {
  std::vector<std::string> guids;
  auto add = [&](const Json& v) {
    if (skip_deleted && StringMember(v, "relationshipStatus") == "DELETED") return;
    if (v.is_string()) {
      guids.push_back(v.get<std::string>());
    } else if (const Json* g = Member(v, "guid"); g != nullptr && g->is_string()) {
      guids.push_back(g->get<std::string>());
    } else if (const Json* t = Member(v, "termGuid"); t != nullptr && t->is_string()) {
      guids.push_back(t->get<std::string>());  // a meanings entry of the entity header form
    }
  };
  if (raw.is_array()) {
    for (const auto& v : raw) add(v);
  } else {
    add(raw);
  }
  return guids;
}

// Direct (entityGuid absent or equal to the entity's guid) or propagated classification names.
std::vector<std::string> ClassificationNames(const Json& entity, bool propagated) {
  std::vector<std::string> names;
  const Json* list = Member(entity, "classifications");
  if (list == nullptr || !list->is_array()) return names;
  const std::string guid = StringMember(entity, "guid");
  for (const auto& c : *list) {
    const std::string source = StringMember(c, "entityGuid");
    const bool is_propagated = !source.empty() && source != guid;
    if (is_propagated == propagated) {
      const std::string name = StringMember(c, "typeName");
      if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
      }
    }
  }
  return names;
}

Json PipeList(const std::vector<std::string>& names) {
  if (names.empty()) return nullptr;
  std::string out = "|";
  for (const auto& n : names) out += n + "|";
  return out;
}

Json SystemValue(const Json& e, SystemAttr attr) {
  auto copy = [&](const char* key) -> Json {
    const Json* v = Member(e, key);
    return v != nullptr ? *v : Json();
  };
  switch (attr) {
    case SystemAttr::kGuid:
      return copy("guid");
    case SystemAttr::kTypeName:
      return copy("typeName");
    case SystemAttr::kState: {
      Json s = copy("status");
      return s.is_null() ? Json("ACTIVE") : s;
    }
    case SystemAttr::kCreatedBy:
      return copy("createdBy");
    case SystemAttr::kModifiedBy:
      return copy("updatedBy");
    case SystemAttr::kTimestamp:
      return copy("createTime");
    case SystemAttr::kModificationTimestamp:
      return copy("updateTime");
    case SystemAttr::kClassificationNames:
      return PipeList(ClassificationNames(e, false));
    case SystemAttr::kPropagatedClassificationNames:
      return PipeList(ClassificationNames(e, true));
    case SystemAttr::kLabels: {
      std::vector<std::string> labels;
      if (const Json* l = Member(e, "labels"); l != nullptr && l->is_array()) {
        for (const auto& v : *l) {
          if (v.is_string()) labels.push_back(v.get<std::string>());
        }
      }
      return PipeList(labels);
    }
    case SystemAttr::kCustomAttributes: {
      const Json* c = Member(e, "customAttributes");
      if (c == nullptr || (c->is_object() && c->empty())) return nullptr;
      return c->dump();
    }
    case SystemAttr::kIsIncomplete: {
      const Json* v = Member(e, "isIncomplete");
      return v != nullptr && v->is_boolean() && v->get<bool>() ? 1 : 0;
    }
    case SystemAttr::kClassificationsText: {
      std::string text;
      for (bool propagated : {false, true}) {
        for (const auto& n : ClassificationNames(e, propagated))
          text += (text.empty() ? "" : " ") + n;
      }
      return text.empty() ? Json() : Json(text);
    }
    default:
      return nullptr;
  }
}

Json MakeHeader(const Json& e) {
  Json header = Json::object();
  for (const char* key : {"typeName", "guid", "status"}) {
    if (const Json* v = Member(e, key)) header[key] = *v;
  }
  Json attributes = Json::object();
  std::string display;
  if (const Json* attrs = Member(e, "attributes")) {
    for (const char* key : {"qualifiedName", "name"}) {
      if (const Json* v = Member(*attrs, key)) attributes[key] = *v;
    }
    for (const char* key : {"name", "displayName", "qualifiedName"}) {
      if (const Json* v = Member(*attrs, key); v != nullptr && v->is_string() && display.empty()) {
        display = v->get<std::string>();
      }
    }
  }
  header["displayText"] = display;
  header["attributes"] = std::move(attributes);
  return header;
}

// A term reference as Atlas reads it: "term@glossary" names the term's qualifiedName, a bare
// name its `name` (in any glossary).
bool TermMatches(const Json& term_attributes, const std::string& term) {
  if (term.find('@') != std::string::npos) return StringMember(term_attributes, "qualifiedName") == term;
  return StringMember(term_attributes, "name") == term;
}

class Executor {
 public:
  Executor(const CatalogView& catalog, const Plan& plan, const Deadline& deadline)
      : catalog_(catalog), plan_(plan), deadline_(deadline) {}

  QueryResult Run() {
    QueryResult result;
    result.is_select = plan_.is_select;
    if (!plan_.is_select) {
      RunEntities(result);
    } else {
      for (const auto& item : plan_.select) result.column_names.push_back(item.label);
      if (plan_.is_aggregate) {
        if (!CountFromView(result)) RunAggregate(result);
      } else {
        RunSelect(result);
      }
    }
    result.matched_entities = matched_;
    return result;
  }

 private:
  // Counts one entity read; every kDeadlineStride reads, stops the query (by throwing its
  // Status) once the deadline has passed.
  void CountRead() {
    if (++reads_ % kDeadlineStride == 0) {
      Status s = deadline_.Check("DSL query");
      if (!s.ok()) throw StatusException(std::move(s));
    }
  }

  // Calls fn once for each distinct entity that passes the filter; fn returns false to stop.
  void ForEachMatch(const std::function<bool(const Json&)>& fn) {
    // exact_type: the candidate came from a lookup for that type (which may answer a superset).
    auto visit = [&](const std::string& guid, const std::string* exact_type) -> bool {
      CountRead();
      std::optional<Json> entity = plan_.needs_relationships ? catalog_.LoadEntity(guid)
                                                             : catalog_.LoadEntityShallow(guid);
      if (!entity || !entity->is_object()) return true;
      const std::string type = StringMember(*entity, "typeName");
      if (exact_type != nullptr ? type != *exact_type : !plan_.type_set.count(type)) return true;
      if (!Visible(*entity)) return true;
      if (plan_.filter && !Eval(*plan_.filter, *entity)) return true;
      ++matched_;
      return fn(*entity);
    };
    if (plan_.guids) {
      std::unordered_set<std::string> seen;
      for (const auto& guid : *plan_.guids) {
        if (seen.insert(guid).second && !visit(guid, nullptr)) return;
      }
      return;
    }
    // A lookup may answer guids of any type: each entity is taken under its own type only,
    // so an entity found by the lookups of several scanned types is visited once.
    for (const auto& type : plan_.scan_types) {
      if (!plan_.lookup_attr.empty()) {
        if (auto guids = Lookup(type)) {
          for (const auto& guid : *guids) {
            if (!visit(guid, &type)) return;
          }
          continue;
        }
      }
      bool stopped = false;
      catalog_.ScanType(type, [&](const std::string& guid) {
        stopped = !visit(guid, nullptr);
        return !stopped;
      });
      if (stopped) return;
    }
  }

  // DELETED entities are invisible unless the plan keeps them.
  bool Visible(const Json& e) const {
    return !plan_.exclude_deleted || StringMember(e, "status") != "DELETED";
  }

  std::optional<std::vector<std::string>> Lookup(const std::string& type) const {
    std::vector<std::string> guids;
    std::unordered_set<std::string> seen;
    for (const auto& value : plan_.lookup_values) {
      if (plan_.lookup_via.empty()) {
        auto found = catalog_.LookupEquals(type, plan_.lookup_attr, value);
        if (!found) return std::nullopt;
        for (auto& g : *found) {
          if (seen.insert(g).second) guids.push_back(std::move(g));
        }
        continue;
      }
      for (const auto& target_type : catalog_.SelfAndSubTypes(plan_.lookup_via_type)) {
        auto targets = catalog_.LookupEquals(target_type, plan_.lookup_attr, value);
        if (!targets) return std::nullopt;
        for (const auto& target : *targets) {
          auto found = catalog_.Referrers(type, plan_.lookup_via, target);
          if (!found) return std::nullopt;
          for (auto& g : *found) {
            if (seen.insert(g).second) guids.push_back(std::move(g));
          }
        }
      }
    }
    return guids;
  }

  EntityPtr LoadRelated(const std::string& guid) {
    auto it = related_.find(guid);
    if (it != related_.end()) return it->second;
    if (related_.size() >= kRelatedCacheSize) related_.clear();
    CountRead();
    std::optional<Json> loaded = catalog_.LoadEntity(guid);
    EntityPtr entity = loaded ? std::make_shared<const Json>(std::move(*loaded)) : nullptr;
    related_.emplace(guid, entity);
    return entity;
  }

  static const Json* AttributeValue(const Json& e, const PathStep& step) {
    const Json* attrs = Member(e, "attributes");
    const Json* rels = Member(e, "relationshipAttributes");
    const Json* first = step.info.is_relationship ? rels : attrs;
    const Json* second = step.info.is_relationship ? attrs : rels;
    if (first != nullptr) {
      if (const Json* v = Member(*first, step.name)) return v;
    }
    if (second != nullptr &&
        (step.info.is_relationship || step.info.kind == ValueKind::kReference)) {
      return Member(*second, step.name);
    }
    return nullptr;
  }

  // An attribute's value, or what Atlas reads for it when the entity left it unset.
  static const Json* OrDefault(const Json* value, const PathStep& step) {
    if (value != nullptr || step.info.default_value.is_null()) return value;
    return &step.info.default_value;
  }

  // Entities reached from `e` through reference steps [0, count).
  std::vector<EntityPtr> Traverse(const std::vector<PathStep>& steps, size_t count, const Json& e) {
    std::vector<EntityPtr> current;
    std::vector<const Json*> frontier = {&e};
    for (size_t j = 0; j < count; ++j) {
      std::vector<EntityPtr> next;
      std::unordered_set<std::string> seen;
      for (const Json* entity : frontier) {
        const Json* raw = AttributeValue(*entity, steps[j]);
        if (raw == nullptr) continue;
        for (const auto& guid : ReferencedGuids(*raw, plan_.exclude_deleted)) {
          if (!seen.insert(guid).second) continue;
          if (EntityPtr related = LoadRelated(guid); related != nullptr && Visible(*related)) {
            next.push_back(std::move(related));
          }
        }
      }
      current = std::move(next);
      frontier.clear();
      for (const auto& p : current) frontier.push_back(p.get());
    }
    return current;
  }

  // Values of `path` on `e`. expand: arrays become their elements and references their
  // guids (for comparisons); otherwise raw values (for select cells). `reached` tells
  // whether any entity or classification holding the terminal attribute was found.
  std::vector<Json> Values(const BoundPath& p, const Json& e, bool expand,
                           bool* reached = nullptr) {
    std::vector<Json> out;
    if (reached != nullptr) *reached = false;
    auto emit = [&](const Json* raw) {
      for (const auto& key : p.keys) {
        if (raw == nullptr) return;
        raw = Member(*raw, key);
      }
      if (raw == nullptr || raw->is_null()) return;
      if (expand && p.terminal_reference) {
        for (auto& guid : ReferencedGuids(*raw)) out.push_back(std::move(guid));
      } else if (expand && raw->is_array()) {
        for (const auto& v : *raw) {
          if (!v.is_null()) out.push_back(v);
        }
      } else {
        out.push_back(*raw);
      }
    };
    if (p.steps.empty()) return out;
    if (!p.classification_types.empty()) {
      const Json* list = Member(e, "classifications");
      if (list == nullptr || !list->is_array()) return out;
      for (const auto& c : *list) {
        const std::string name = StringMember(c, "typeName");
        if (std::find(p.classification_types.begin(), p.classification_types.end(), name) ==
            p.classification_types.end()) {
          continue;
        }
        if (reached != nullptr) *reached = true;
        const Json* attrs = Member(c, "attributes");
        emit(OrDefault(attrs != nullptr ? Member(*attrs, p.steps[0].name) : nullptr, p.steps[0]));
      }
      return out;
    }
    std::vector<EntityPtr> holders;
    std::vector<const Json*> terminal = {&e};
    if (p.steps.size() > 1) {
      holders = Traverse(p.steps, p.steps.size() - 1, e);
      terminal.clear();
      for (const auto& h : holders) terminal.push_back(h.get());
    }
    if (reached != nullptr) *reached = !terminal.empty();
    const PathStep& last = p.steps.back();
    for (const Json* entity : terminal) {
      if (last.system != SystemAttr::kNone) {
        Json v = SystemValue(*entity, last.system);
        emit(&v);
      } else {
        emit(OrDefault(AttributeValue(*entity, last), last));
      }
    }
    return out;
  }

  Json FirstValue(const BoundPath& p, const Json& e) {
    std::vector<Json> values = Values(p, e, /*expand=*/true);
    return values.empty() ? Json() : std::move(values.front());
  }

  // A select cell: "" when missing, the value, or an array when several entities hold one.
  Json Cell(const BoundPath& p, const Json& e) {
    std::vector<Json> values = Values(p, e, /*expand=*/false);
    if (p.terminal_reference) {
      for (auto& v : values) {
        Json headers = Json::array();
        for (const auto& guid : ReferencedGuids(v, plan_.exclude_deleted)) {
          if (EntityPtr related = LoadRelated(guid); related != nullptr && Visible(*related)) {
            headers.push_back(MakeHeader(*related));
          }
        }
        v = v.is_array() ? std::move(headers) : (headers.empty() ? v : headers[0]);
      }
    }
    if (values.empty()) return "";
    if (values.size() == 1) return std::move(values.front());
    return Json(std::move(values));
  }

  std::optional<Json> EvalValue(const BoundValue& v, const Json& e) {
    switch (v.kind) {
      case BoundValue::Kind::kLiteral:
        return v.literal;
      case BoundValue::Kind::kPath: {
        Json first = FirstValue(v.path, e);
        if (first.is_null()) return std::nullopt;
        return first;
      }
      case BoundValue::Kind::kArithmetic: {
        auto a = EvalValue(v.children[0], e);
        auto b = EvalValue(v.children[1], e);
        if (!a || !b) return std::nullopt;
        return ApplyArith(v.op, *a, *b);
      }
    }
    return std::nullopt;
  }

  bool EvalCompare(const BoundExpr& b, const Json& e) {
    std::vector<Json> values;
    bool reached = true;
    if (b.lhs.kind == BoundValue::Kind::kPath) {
      values = Values(b.lhs.path, e, /*expand=*/true, &reached);
      if (!reached) return false;
    } else if (auto v = EvalValue(b.lhs, e)) {
      values.push_back(std::move(*v));
    }
    const ValueKind kind = b.compare_kind;
    if (b.in_list) {
      for (const auto& v : values) {
        for (const auto& r : b.rhs) {
          if (CompareAs(kind, v, r) == 0) return true;
        }
      }
      return false;
    }
    const Json& rhs = b.rhs.front();
    if (b.op == CompareOp::kLike) {
      const std::string pattern = ToText(rhs);
      return std::any_of(values.begin(), values.end(),
                         [&](const Json& v) { return GlobMatch(pattern, ToText(v)); });
    }
    if (b.op == CompareOp::kNeq && values.empty()) return IsTextKind(kind);
    for (const auto& v : values) {
      auto c = CompareAs(kind, v, rhs);
      if (!c) continue;
      bool ok = false;
      switch (b.op) {
        case CompareOp::kEq:
          ok = *c == 0;
          break;
        case CompareOp::kNeq:
          ok = *c != 0;
          break;
        case CompareOp::kLt:
          ok = *c < 0;
          break;
        case CompareOp::kLte:
          ok = *c <= 0;
          break;
        case CompareOp::kGt:
          ok = *c > 0;
          break;
        case CompareOp::kGte:
          ok = *c >= 0;
          break;
        case CompareOp::kLike:
          break;
      }
      if (ok) return true;
    }
    return false;
  }

  std::vector<EntityPtr> Subjects(const BoundPath& subject, const Json& e) {
    if (subject.steps.empty()) return {std::shared_ptr<const Json>(&e, [](const Json*) {})};
    return Traverse(subject.steps, subject.steps.size(), e);
  }

  bool EvalIsA(const BoundExpr& b, const Json& e) {
    for (const auto& s : Subjects(b.subject, e)) {
      std::vector<std::string> names = ClassificationNames(*s, false);
      for (auto& n : ClassificationNames(*s, true)) names.push_back(std::move(n));
      switch (b.tag_test) {
        case TagTest::kAnyTag:
          if (!names.empty()) return true;
          break;
        case TagTest::kNoTag:
          if (names.empty()) return true;
          break;
        case TagTest::kAnyOf:
          for (const auto& n : names) {
            if (b.names.count(n)) return true;
          }
          break;
      }
    }
    return false;
  }

  // Terms are assigned through the `meanings` relationship: its active entries name the term
  // entities, whose name / qualifiedName are compared (see TermMatches).
  bool EvalHasTerm(const BoundExpr& b, const Json& e) {
    for (const auto& s : Subjects(b.subject, e)) {
      const Json* lists[2] = {Member(*s, "meanings"), nullptr};
      if (const Json* rels = Member(*s, "relationshipAttributes")) lists[1] = Member(*rels, "meanings");
      for (const Json* list : lists) {
        if (list == nullptr) continue;
        for (const auto& guid : ReferencedGuids(*list, /*skip_deleted=*/true)) {
          EntityPtr term = LoadRelated(guid);
          if (term == nullptr || StringMember(*term, "status") == "DELETED") continue;
          if (const Json* attrs = Member(*term, "attributes"); attrs != nullptr && TermMatches(*attrs, b.term)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  bool Eval(const BoundExpr& b, const Json& e) {
    switch (b.kind) {
      case BoundExpr::Kind::kConst:
        return b.constant;
      case BoundExpr::Kind::kCompare:
        return EvalCompare(b, e);
      case BoundExpr::Kind::kIsA:
        return EvalIsA(b, e);
      case BoundExpr::Kind::kHas: {
        std::vector<Json> values = Values(b.attribute, e, /*expand=*/false);
        return std::any_of(values.begin(), values.end(), [](const Json& v) {
          return !((v.is_array() || v.is_object()) && v.empty());
        });
      }
      case BoundExpr::Kind::kHasTerm:
        return EvalHasTerm(b, e);
      case BoundExpr::Kind::kTypeIn:
        return b.names.count(StringMember(e, "typeName")) > 0;
      case BoundExpr::Kind::kNot:
        return !Eval(b.children[0], e);
      case BoundExpr::Kind::kLogical: {
        bool result = Eval(b.children[0], e);
        for (size_t i = 0; i < b.ops.size(); ++i) {
          if (b.ops[i] == LogicalOp::kAnd) {
            result = result && Eval(b.children[i + 1], e);
          } else {
            result = result || Eval(b.children[i + 1], e);
          }
        }
        return result;
      }
    }
    return false;
  }

  // A sort key comparable with one consistent order: a number, a string, or null for a
  // missing or unconvertible value.
  Json SortKey(const Json& v) const {
    if (v.is_null()) return nullptr;
    switch (plan_.order_kind) {
      case ValueKind::kNumber:
      case ValueKind::kBoolean: {
        auto d = ToNumber(v);
        return d && !std::isnan(*d) ? Json(*d) : Json();
      }
      case ValueKind::kDate: {
        auto ms = ToEpochMillis(v);
        return ms ? Json(*ms) : Json();
      }
      default: {
        std::string text = ToText(v);
        return text.empty() ? Json() : Json(std::move(text));
      }
    }
  }

  // Sorts by key (see SortKey); missing values go last in either direction.
  template <typename T>
  void SortByKey(std::vector<std::pair<Json, T>>& items) const {
    for (auto& item : items) item.first = SortKey(item.first);
    const bool descending = plan_.order_descending;
    std::stable_sort(items.begin(), items.end(), [descending](const auto& a, const auto& b) {
      if (a.first.is_null() || b.first.is_null()) return !a.first.is_null() && b.first.is_null();
      return descending ? b.first < a.first : a.first < b.first;
    });
  }

  template <typename T>
  std::vector<T> Page(std::vector<T> items) const {
    if (plan_.unlimited) return items;
    const size_t offset = static_cast<size_t>(std::max<int64_t>(plan_.offset, 0));
    const size_t limit = static_cast<size_t>(std::max<int64_t>(plan_.limit, 0));
    if (offset >= items.size()) return {};
    const size_t end = offset + std::min(limit, items.size() - offset);
    return std::vector<T>(
        std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(offset)),
        std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(end)));
  }

  void RunEntities(QueryResult& result) {
    if (plan_.limit <= 0) return;
    if (!plan_.order_path) {
      int64_t skip = plan_.offset;
      ForEachMatch([&](const Json& e) {
        if (skip > 0) {
          --skip;
          return true;
        }
        result.entity_guids.push_back(StringMember(e, "guid"));
        return static_cast<int64_t>(result.entity_guids.size()) < plan_.limit;
      });
      return;
    }
    std::vector<std::pair<Json, std::string>> keyed;
    ForEachMatch([&](const Json& e) {
      keyed.emplace_back(FirstValue(*plan_.order_path, e), StringMember(e, "guid"));
      return true;
    });
    SortByKey(keyed);
    for (auto& item : Page(std::move(keyed))) result.entity_guids.push_back(std::move(item.second));
  }

  std::vector<std::vector<Json>> ProjectRows(const Json& e) {
    std::vector<std::vector<Json>> rows;
    auto project = [&](const Json& source) {
      std::vector<Json> row;
      for (const auto& item : plan_.select) row.push_back(Cell(item.path, source));
      rows.push_back(std::move(row));
    };
    if (plan_.select_reference) {
      for (const auto& related : Traverse({*plan_.select_reference}, 1, e)) project(*related);
    } else {
      project(e);
    }
    return rows;
  }

  void RunSelect(QueryResult& result) {
    if (plan_.limit <= 0) return;
    std::unordered_set<std::string> seen;
    const bool ordered = plan_.order_path || plan_.order_column;
    std::vector<std::pair<Json, std::vector<Json>>> keyed;
    int64_t skip = plan_.offset;
    ForEachMatch([&](const Json& e) {
      for (auto& row : ProjectRows(e)) {
        if (!seen.insert(Json(row).dump()).second) continue;
        if (ordered) {
          Json key =
              plan_.order_column ? row[*plan_.order_column] : FirstValue(*plan_.order_path, e);
          keyed.emplace_back(std::move(key), std::move(row));
        } else if (skip > 0) {
          --skip;
        } else {
          result.rows.push_back(std::move(row));
          if (static_cast<int64_t>(result.rows.size()) >= plan_.limit) return false;
        }
      }
      return true;
    });
    if (!ordered) return;
    SortByKey(keyed);
    for (auto& item : Page(std::move(keyed))) result.rows.push_back(std::move(item.second));
  }

  // The filter is one `like "prefix*"` on an own string attribute: sets attr and prefix.
  static bool PrefixLike(const BoundExpr& f, std::string& attr, std::string& prefix) {
    if (f.kind != BoundExpr::Kind::kCompare || f.op != CompareOp::kLike || f.in_list ||
        f.lhs.kind != BoundValue::Kind::kPath || f.rhs.size() != 1 || !f.rhs[0].is_string()) {
      return false;
    }
    const BoundPath& p = f.lhs.path;
    if (p.steps.size() != 1 || p.steps[0].system != SystemAttr::kNone ||
        !p.classification_types.empty() || !p.keys.empty() || p.steps[0].info.kind != ValueKind::kString) {
      return false;
    }
    const std::string& pattern = f.rhs[0].get_ref<const std::string&>();
    if (pattern.size() < 2 || pattern.back() != '*') return false;
    prefix = pattern.substr(0, pattern.size() - 1);
    if (prefix.find_first_of("*?[") != std::string::npos) return false;
    attr = p.steps[0].name;
    return true;
  }

  // count() alone over the source types (all their entities, or those matching one `like
  // "prefix*"`), or groupby(attr) selecting attr and count() over all of them: answered from
  // the view's counts without reading any entity, when the view can. False: run the scan.
  bool CountFromView(QueryResult& result) {
    if (plan_.guids || !plan_.lookup_attr.empty() || plan_.order_path) return false;
    std::string like_attr, prefix;
    if (plan_.filter && !PrefixLike(*plan_.filter, like_attr, prefix)) return false;
    const bool active_only = plan_.exclude_deleted;
    auto count_type = [&](const std::string& type) {
      return like_attr.empty() ? catalog_.CountType(type, active_only)
                               : catalog_.CountAttributePrefix(type, like_attr, prefix, active_only);
    };
    std::vector<std::pair<Json, std::vector<Json>>> keyed;
    if (plan_.group_by.empty()) {
      for (const auto& item : plan_.select) {
        if (!item.is_aggregate || item.fn != AggregateFn::kCount) return false;
      }
      uint64_t total = 0;
      for (const auto& type : plan_.scan_types) {
        auto n = count_type(type);
        if (!n) return false;
        total += *n;
      }
      matched_ = total;
      keyed.emplace_back(Json(), std::vector<Json>(plan_.select.size(), Json(total)));
    } else {
      const BoundPath& g = plan_.group_by.front();
      if (plan_.group_by.size() != 1 || !like_attr.empty() || g.steps.size() != 1 ||
          g.steps[0].system != SystemAttr::kNone || !g.classification_types.empty() ||
          !g.keys.empty() || g.kind != ValueKind::kString) {
        return false;
      }
      const std::string& attr = g.steps[0].name;
      for (const auto& item : plan_.select) {
        const bool is_count = item.is_aggregate && item.fn == AggregateFn::kCount;
        const bool is_group = !item.is_aggregate && item.path.steps.size() == 1 &&
                              item.path.classification_types.empty() && item.path.keys.empty() &&
                              item.path.steps[0].name == attr;
        if (!is_count && !is_group) return false;
      }
      // Groups in the order the view lists them; entities without a value form the "" group.
      std::vector<std::pair<std::string, uint64_t>> groups;
      std::unordered_map<std::string, size_t> index;
      uint64_t total = 0, valued = 0;
      for (const auto& type : plan_.scan_types) {
        auto counts = catalog_.CountByValue(type, attr, active_only);
        auto n = catalog_.CountType(type, active_only);
        if (!counts || !n) return false;
        total += *n;
        for (auto& [value, count] : *counts) {
          if (count == 0) continue;
          valued += count;
          auto [it, inserted] = index.emplace(value, groups.size());
          if (inserted) groups.emplace_back(value, 0);
          groups[it->second].second += count;
        }
      }
      if (total > valued) {
        auto [it, inserted] = index.emplace("", groups.size());
        if (inserted) groups.emplace_back("", 0);
        groups[it->second].second += total - valued;
      }
      matched_ = total;
      for (const auto& [value, count] : groups) {
        std::vector<Json> row;
        for (const auto& item : plan_.select) row.push_back(item.is_aggregate ? Json(count) : Json(value));
        Json key = plan_.order_column ? row[*plan_.order_column] : Json();
        keyed.emplace_back(std::move(key), std::move(row));
      }
      if (plan_.order_column) SortByKey(keyed);
    }
    for (auto& item : Page(std::move(keyed))) result.rows.push_back(std::move(item.second));
    return true;
  }

  struct Accumulator {
    bool has_value = false;
    Json best;
    bool any_double = false;
    int64_t int_sum = 0;
    double double_sum = 0;
  };

  struct Group {
    std::vector<Json> first_cells;
    Json order_key;
    int64_t count = 0;
    std::vector<Accumulator> accumulators;
  };

  void Accumulate(const BoundSelectItem& item, const Json& e, Accumulator& acc) {
    for (const auto& v : Values(item.path, e, /*expand=*/true)) {
      if (item.fn == AggregateFn::kSum) {
        int64_t next = 0;
        if (v.is_number_integer() && !acc.any_double &&
            !__builtin_add_overflow(acc.int_sum, v.get<int64_t>(), &next)) {
          acc.int_sum = next;
        } else if (auto d = ToNumber(v); d && !v.is_string()) {
          if (!acc.any_double) acc.double_sum = static_cast<double>(acc.int_sum);
          acc.any_double = true;
          acc.double_sum += *d;
        }
        continue;
      }
      if (!acc.has_value) {
        acc.has_value = true;
        acc.best = v;
        continue;
      }
      std::optional<int> c = CompareForAggregate(item.path.kind, v, acc.best);
      if (c &&
          ((item.fn == AggregateFn::kMin && *c < 0) || (item.fn == AggregateFn::kMax && *c > 0))) {
        acc.best = v;
      }
    }
  }

  Json AggregateCell(const BoundSelectItem& item, const Group& g, size_t index) const {
    const Accumulator& acc = g.accumulators[index];
    switch (item.fn) {
      case AggregateFn::kCount:
        return g.count;
      case AggregateFn::kSum:
        return acc.any_double ? Json(acc.double_sum) : Json(acc.int_sum);
      default:
        return acc.has_value ? acc.best : Json("");
    }
  }

  void RunAggregate(QueryResult& result) {
    std::vector<Group> groups;
    std::unordered_map<std::string, size_t> index;
    ForEachMatch([&](const Json& e) {
      Json key = Json::array();
      for (const auto& p : plan_.group_by) key.push_back(Cell(p, e));
      auto [it, inserted] = index.emplace(key.dump(), groups.size());
      if (inserted) {
        Group g;
        for (const auto& item : plan_.select) {
          g.first_cells.push_back(item.is_aggregate ? Json() : Cell(item.path, e));
        }
        if (plan_.order_path) g.order_key = FirstValue(*plan_.order_path, e);
        g.accumulators.resize(plan_.select.size());
        groups.push_back(std::move(g));
      }
      Group& g = groups[it->second];
      ++g.count;
      for (size_t i = 0; i < plan_.select.size(); ++i) {
        const BoundSelectItem& item = plan_.select[i];
        if (item.is_aggregate && item.has_path) Accumulate(item, e, g.accumulators[i]);
      }
      return true;
    });
    if (groups.empty() && plan_.group_by.empty()) {
      Group g;
      g.first_cells.resize(plan_.select.size());
      g.accumulators.resize(plan_.select.size());
      groups.push_back(std::move(g));
    }
    std::vector<std::pair<Json, std::vector<Json>>> keyed;
    for (const auto& g : groups) {
      std::vector<Json> row;
      for (size_t i = 0; i < plan_.select.size(); ++i) {
        const BoundSelectItem& item = plan_.select[i];
        row.push_back(item.is_aggregate ? AggregateCell(item, g, i) : g.first_cells[i]);
      }
      Json key = plan_.order_column ? row[*plan_.order_column] : g.order_key;
      keyed.emplace_back(std::move(key), std::move(row));
    }
    if (plan_.order_column || plan_.order_path) SortByKey(keyed);
    for (auto& item : Page(std::move(keyed))) result.rows.push_back(std::move(item.second));
  }

  const CatalogView& catalog_;
  const Plan& plan_;
  const Deadline& deadline_;
  std::unordered_map<std::string, EntityPtr> related_;
  size_t matched_ = 0;
  size_t reads_ = 0;
};

}  // namespace

QueryResult RunPlan(const CatalogView& catalog, const Plan& plan, const Deadline& deadline) {
  return Executor(catalog, plan, deadline).Run();
}

}  // namespace meridian::dsl
