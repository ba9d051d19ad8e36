#include "meridian/search/filters.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <map>

#include "meridian/request_json.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::search {

namespace {

constexpr int64_t kDayMs = 86400000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSystemAttribute(const std::string& a) { return a.size() > 2 && a[0] == '_' && a[1] == '_'; }

// Parses a number, an epoch-ms string or an ISO date (yyyy-MM-dd[THH:mm:ss[.SSS]][Z]).
bool ToNumber(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (end && *end == '\0') {
    *out = d;
    return true;
  }
  std::tm tm{};
  int ms = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                      &tm.tm_min, &tm.tm_sec, &ms);
  if (n < 3) return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = static_cast<double>(timegm(&tm)) * 1000.0 + ms;
  return true;
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

// Splits an `in`/containsAny list: a JSON array text or comma-separated values.
std::vector<std::string> ListOf(const std::string& value) {
  std::vector<std::string> out;
  if (!value.empty() && value.front() == '[') {
    auto j = ParseRequestJson(value, "filter value");
    if (j.ok() && j->is_array()) {
      for (const json& e : *j) out.push_back(Text(e));
      return out;
    }
  }
  size_t p = 0;
  while (p <= value.size()) {
    size_t q = value.find(',', p);
    if (q == std::string::npos) q = value.size();
    std::string item = value.substr(p, q - p);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    p = q + 1;
  }
  return out;
}

// Glob match with * and ?, case-insensitive (both already lower-cased).
bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

int Compare(const json& v, const std::string& value, bool* comparable) {
  *comparable = true;
  double a = 0, b = 0;
  if (v.is_number() && ToNumber(value, &b)) {
    a = v.get<double>();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (v.is_boolean()) {
    std::string lv = Lower(value);
    if (lv != "true" && lv != "false") {
      *comparable = false;
      return 0;
    }
    return static_cast<int>(v.get<bool>()) - static_cast<int>(lv == "true");
  }
  if (v.is_string()) {
    int c = v.get_ref<const std::string&>().compare(value);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  *comparable = false;
  return 0;
}

// One scalar against the leaf.
bool ScalarMatches(const Filter& f, const json& v, int64_t now_ms) {
  bool comparable = false;
  switch (f.op) {
    case Op::kEq: {
      if (v.is_string()) return v.get_ref<const std::string&>() == f.value;
      int c = Compare(v, f.value, &comparable);
      return comparable && c == 0;
    }
    case Op::kNeq: {
      if (v.is_string()) return v.get_ref<const std::string&>() != f.value;
      int c = Compare(v, f.value, &comparable);
      return !comparable || c != 0;
    }
    case Op::kLt: return Compare(v, f.value, &comparable) < 0 && comparable;
    case Op::kGt: return Compare(v, f.value, &comparable) > 0 && comparable;
    case Op::kLte: return Compare(v, f.value, &comparable) <= 0 && comparable;
    case Op::kGte: return Compare(v, f.value, &comparable) >= 0 && comparable;
    case Op::kIn: {
      for (const auto& item : ListOf(f.value)) {
        if (v.is_string() ? v.get_ref<const std::string&>() == item : (Compare(v, item, &comparable) == 0 && comparable))
          return true;
      }
      return false;
    }
    case Op::kLike: return Like(Lower(Text(v)), Lower(f.value));
    case Op::kStartsWith: return Lower(Text(v)).starts_with(Lower(f.value));
    case Op::kEndsWith: return Lower(Text(v)).ends_with(Lower(f.value));
    case Op::kContains: return Lower(Text(v)).find(Lower(f.value)) != std::string::npos;
    case Op::kNotContains: return Lower(Text(v)).find(Lower(f.value)) == std::string::npos;
    case Op::kTimeRange: {
      int64_t start = 0, end = 0;
      double t = 0;
      if (!TimeRange(f.value, now_ms, &start, &end)) return false;
      if (v.is_number()) t = v.get<double>();
      else if (!ToNumber(Text(v), &t)) return false;
      return t >= static_cast<double>(start) && t <= static_cast<double>(end);
    }
    default: return false;
  }
}

bool IsEmpty(const json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         ((v.is_array() || v.is_object()) && v.empty());
}

bool LeafMatches(const Filter& f, const json& v, int64_t now_ms) {
  switch (f.op) {
    case Op::kIsNull: return IsEmpty(v);
    case Op::kNotNull: return !v.is_null();
    case Op::kNotEmpty: return !IsEmpty(v);
    default: break;
  }
  if (v.is_array()) {
    if (f.op == Op::kContainsAny || f.op == Op::kContainsAll) {
      std::vector<std::string> items = ListOf(f.value);
      auto has = [&](const std::string& item) {
        return std::any_of(v.begin(), v.end(), [&](const json& e) { return Text(e) == item; });
      };
      if (items.empty()) return false;
      return f.op == Op::kContainsAny ? std::any_of(items.begin(), items.end(), has)
                                      : std::all_of(items.begin(), items.end(), has);
    }
    // Negative operators hold when no element matches the positive form.
    if (f.op == Op::kNeq || f.op == Op::kNotContains) {
      Filter pos = f;
      pos.op = f.op == Op::kNeq ? Op::kEq : Op::kContains;
      return std::none_of(v.begin(), v.end(), [&](const json& e) { return ScalarMatches(pos, e, now_ms); });
    }
    return std::any_of(v.begin(), v.end(), [&](const json& e) { return ScalarMatches(f, e, now_ms); });
  }
  if (v.is_null()) return f.op == Op::kNeq || f.op == Op::kNotContains;
  if (f.op == Op::kContainsAny || f.op == Op::kContainsAll) {
    std::vector<std::string> items = ListOf(f.value);
    std::string s = Text(v);
    if (f.op == Op::kContainsAny) return std::find(items.begin(), items.end(), s) != items.end();
    return items.size() == 1 && items[0] == s;
  }
  return ScalarMatches(f, v, now_ms);
}

index::Query TranslateLeaf(const Filter& f, const types::TypeDef* type, int64_t now_ms) {
  using index::Query;
  const std::string& a = f.attribute;
  auto values = [&]() { return f.op == Op::kIn ? ListOf(f.value) : std::vector<std::string>{f.value}; };
  auto any_of = [&](const std::function<Query(const std::string&)>& make) {
    std::vector<Query> qs;
    for (const auto& v : values()) qs.push_back(make(v));
    return Query::Or(std::move(qs));
  };
  bool eq = f.op == Op::kEq || f.op == Op::kIn;
  if (IsSystemAttribute(a)) {
    if (a == "__timestamp" || a == "__modificationTimestamp") {
      index::Slot slot = a == "__timestamp" ? index::Slot::kCreateTime : index::Slot::kUpdateTime;
      double v = 0;
      int64_t start = 0, end = 0;
      switch (f.op) {
        case Op::kLt: case Op::kLte:
          return ToNumber(f.value, &v) ? Query::Range(slot, -1e18, v) : Query::All();
        case Op::kGt: case Op::kGte:
          return ToNumber(f.value, &v) ? Query::Range(slot, v, 1e18) : Query::All();
        case Op::kEq:
          return ToNumber(f.value, &v) ? Query::Range(slot, v, v) : Query::All();
        case Op::kTimeRange:
          return TimeRange(f.value, now_ms, &start, &end)
                     ? Query::Range(slot, static_cast<double>(start), static_cast<double>(end))
                     : Query::All();
        default: return Query::All();
      }
    }
    if (!eq && f.op != Op::kContainsAny) return Query::All();
    auto list = [&]() { return f.op == Op::kEq ? std::vector<std::string>{f.value} : ListOf(f.value); };
    auto make_or = [&](const std::function<Query(const std::string&)>& make) {
      std::vector<Query> qs;
      for (const auto& v : list()) qs.push_back(make(v));
      return Query::Or(std::move(qs));
    };
    if (a == "__guid") return make_or([](const std::string& v) { return Query::Guid(v); });
    if (a == "__typeName") return make_or([](const std::string& v) { return Query::Type(v, false); });
    if (a == "__state") return make_or([](const std::string& v) { return Query::Status(v); });
    if (a == "__classificationNames")
      return make_or([](const std::string& v) { return Query::DirectClassification(v); });
    if (a == "__propagatedClassificationNames")
      return make_or([](const std::string& v) { return Query::PropagatedClassification(v); });
    if (a == "__labels") return make_or([](const std::string& v) { return Query::Label(v); });
    return Query::All();
  }
  const types::AttributeDef* ad = type ? type->FindAttribute(a) : nullptr;
  // Without a type only the universal string attributes are known to be strings.
  bool is_string = ad ? (ad->type_name == "string" || ad->type_name == "array<string>")
                      : (!type && (a == "name" || a == "qualifiedName"));
  if (!is_string) return Query::All();
  if (eq) return any_of([&](const std::string& v) { return v.empty() ? Query::All() : Query::AttributeEquals(a, v); });
  std::string prefix;
  if (f.op == Op::kStartsWith) prefix = f.value;
  if (f.op == Op::kLike) prefix = f.value.substr(0, f.value.find_first_of("*?"));
  // Short prefixes expand to too many terms to be worth it.
  if (prefix.size() >= 2) return Query::AttributePrefix(a, prefix);
  return Query::All();
}

}  // namespace

Result<Op> ParseOp(std::string_view spelling) {
  static const std::map<std::string, Op> kOps = {
      {"<", Op::kLt}, {"lt", Op::kLt}, {">", Op::kGt}, {"gt", Op::kGt}, {"<=", Op::kLte}, {"lte", Op::kLte},
      {"le", Op::kLte}, {">=", Op::kGte}, {"gte", Op::kGte}, {"ge", Op::kGte}, {"=", Op::kEq}, {"eq", Op::kEq},
      {"==", Op::kEq}, {"!=", Op::kNeq}, {"neq", Op::kNeq}, {"ne", Op::kNeq}, {"in", Op::kIn}, {"like", Op::kLike},
      {"startswith", Op::kStartsWith}, {"starts_with", Op::kStartsWith}, {"begins_with", Op::kStartsWith},
      {"endswith", Op::kEndsWith}, {"ends_with", Op::kEndsWith}, {"contains", Op::kContains},
      {"not_contains", Op::kNotContains}, {"notcontains", Op::kNotContains}, {"containsany", Op::kContainsAny},
      {"contains_any", Op::kContainsAny}, {"containsall", Op::kContainsAll}, {"contains_all", Op::kContainsAll},
      {"isnull", Op::kIsNull}, {"is_null", Op::kIsNull}, {"is null", Op::kIsNull}, {"notnull", Op::kNotNull},
      {"not_null", Op::kNotNull}, {"not null", Op::kNotNull}, {"notempty", Op::kNotEmpty},
      {"not_empty", Op::kNotEmpty}, {"timerange", Op::kTimeRange}, {"time_range", Op::kTimeRange}};
  auto it = kOps.find(Lower(spelling));
  if (it == kOps.end())
    return Status::InvalidArgument("Invalid filter operator: " + std::string(spelling), atlas_code::kInvalidParameters);
  return it->second;
}

std::string_view OpName(Op op) {
  static constexpr std::string_view kNames[] = {
      "<", ">", "<=", ">=", "=", "!=", "in", "like", "startsWith", "endsWith", "contains", "not_contains",
      "containsAny", "containsAll", "isNull", "notNull", "notEmpty", "timerange"};
  return kNames[static_cast<int>(op)];
}

Result<Filter> ParseFilter(const json& node, const types::TypeDef* type) {
  if (!node.is_object()) return Status::InvalidArgument("filter criteria must be an object", atlas_code::kInvalidParameters);
  Filter f;
  auto crit = node.find("criterion");
  if (crit != node.end() && crit->is_array() && !crit->empty()) {
    f.is_group = true;
    std::string cond = Lower(node.value("condition", "AND"));
    if (cond != "and" && cond != "or")
      return Status::InvalidArgument("Invalid filter condition: " + cond, atlas_code::kInvalidParameters);
    f.is_or = cond == "or";
    for (const json& c : *crit) {
      ASSIGN_OR_RETURN(Filter child, ParseFilter(c, type));
      f.children.push_back(std::move(child));
    }
    return f;
  }
  f.attribute = node.value("attributeName", "");
  if (f.attribute.empty()) return Status::InvalidArgument("filter criteria without attributeName", atlas_code::kInvalidParameters);
  if (type && !IsSystemAttribute(f.attribute) && !type->FindAttribute(f.attribute) &&
      !IsBusinessAttribute(f.attribute))
    return Status::InvalidArgument("Attribute " + f.attribute + " not found for type " + type->name,
                                   atlas_code::kInvalidParameters);
  auto op = node.find("operator");
  if (op == node.end() || !op->is_string())
    return Status::InvalidArgument("filter criteria without operator", atlas_code::kInvalidParameters);
  ASSIGN_OR_RETURN(f.op, ParseOp(op->get<std::string>()));
  auto v = node.find("attributeValue");
  if (v != node.end()) f.value = v->is_array() ? v->dump() : Text(*v);
  return f;
}

bool Evaluate(const Filter& f, const ValueGetter& get, int64_t now_ms) {
  if (f.is_group) {
    if (f.is_or)
      return std::any_of(f.children.begin(), f.children.end(), [&](const Filter& c) { return Evaluate(c, get, now_ms); });
    return std::all_of(f.children.begin(), f.children.end(), [&](const Filter& c) { return Evaluate(c, get, now_ms); });
  }
  return LeafMatches(f, get(f.attribute), now_ms);
}

json EntityValue(const json& record, const std::string& a) {
  auto field = [&](const char* k) -> json {
    auto it = record.find(k);
    return it == record.end() ? json() : *it;
  };
  auto names = [&](const char* k) {
    json out = json::array();
    auto it = record.find(k);
    if (it != record.end() && it->is_array())
      for (const json& c : *it) out.push_back(c.value("typeName", ""));
    return out;
  };
  if (IsSystemAttribute(a)) {
    if (a == "__guid") return field("guid");
    if (a == "__typeName") return field("typeName");
    if (a == "__state") return field("status");
    if (a == "__createdBy") return field("createdBy");
    if (a == "__modifiedBy") return field("updatedBy");
    if (a == "__timestamp") return field("createTime");
    if (a == "__modificationTimestamp") return field("updateTime");
    if (a == "__classificationNames") return names("classifications");
    if (a == "__propagatedClassificationNames") return names("propagatedClassifications");
    if (a == "__labels") return field("labels");
    if (a == "__customAttributes") {
      json c = field("customAttributes");
      return c.is_object() && !c.empty() ? json(c.dump()) : json();
    }
    if (a == "__isIncomplete") return field("isIncomplete");
    if (a == "__version") return field("version");
    if (a == "__provenanceType") return field("provenanceType");
    return json();
  }
  auto attrs = record.find("attributes");
  if (attrs != record.end() && attrs->is_object()) {
    auto it = attrs->find(a);
    if (it != attrs->end()) return *it;
  }
  return IsBusinessAttribute(a) ? BusinessValue(record, a) : json();
}

index::Query Translate(const Filter& f, const types::TypeDef* type, int64_t now_ms) {
  if (!f.is_group) return TranslateLeaf(f, type, now_ms);
  std::vector<index::Query> parts;
  for (const auto& c : f.children) parts.push_back(Translate(c, type, now_ms));
  return f.is_or ? index::Query::Or(std::move(parts)) : index::Query::And(std::move(parts));
}

bool TimeRange(const std::string& value, int64_t now_ms, int64_t* start, int64_t* end) {
  size_t comma = value.find(',');
  if (comma != std::string::npos) {
    double a = 0, b = 0;
    if (!ToNumber(value.substr(0, comma), &a) || !ToNumber(value.substr(comma + 1), &b)) return false;
    *start = static_cast<int64_t>(a);
    *end = static_cast<int64_t>(b);
    return true;
  }
  std::time_t now_s = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&now_s, &tm);
  auto at = [](int year, int mon, int day) {  // mon may be out of range: normalised
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = mon;
    t.tm_mday = day;
    return static_cast<int64_t>(timegm(&t)) * 1000;
  };
  const int y = tm.tm_year + 1900, m = tm.tm_mon;
  const int64_t today = at(y, m, tm.tm_mday);
  const int q = m / 3 * 3;
  std::string v = value;
  for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (v == "TODAY") { *start = today; *end = today + kDayMs - 1; }
  else if (v == "YESTERDAY") { *start = today - kDayMs; *end = today - 1; }
  else if (v == "LAST_7_DAYS") { *start = today - 6 * kDayMs; *end = now_ms; }
  else if (v == "LAST_30_DAYS") { *start = today - 29 * kDayMs; *end = now_ms; }
  else if (v == "THIS_MONTH") { *start = at(y, m, 1); *end = at(y, m + 1, 1) - 1; }
  else if (v == "LAST_MONTH") { *start = at(y, m - 1, 1); *end = at(y, m, 1) - 1; }
  else if (v == "THIS_QUARTER") { *start = at(y, q, 1); *end = at(y, q + 3, 1) - 1; }
  else if (v == "LAST_QUARTER") { *start = at(y, q - 3, 1); *end = at(y, q, 1) - 1; }
  else if (v == "LAST_3_MONTHS") { *start = at(y, m - 3, tm.tm_mday); *end = now_ms; }
  else if (v == "LAST_6_MONTHS") { *start = at(y, m - 6, tm.tm_mday); *end = now_ms; }
  else if (v == "LAST_12_MONTHS") { *start = at(y, m - 12, tm.tm_mday); *end = now_ms; }
  else if (v == "THIS_YEAR") { *start = at(y, 0, 1); *end = at(y + 1, 0, 1) - 1; }
  else if (v == "LAST_YEAR") { *start = at(y - 1, 0, 1); *end = at(y, 0, 1) - 1; }
  else return false;
  return true;
}

}  // namespace meridian::search
