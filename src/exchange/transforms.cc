#include "transforms.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "meridian/request_json.h"

namespace meridian::exchange {

using nlohmann::json;

// One rule: on entities of `type` (empty: any) that satisfy `when`, do `action`.
struct Transforms::Rule {
  std::string type;
  std::function<bool(const json& entity, bool top_level)> when;
  std::function<void(json& entity)> action;
};

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
std::string ReplaceAll(std::string s, const std::string& find, const std::string& with) {
  if (find.empty()) return s;
  for (size_t pos = s.find(find); pos != std::string::npos; pos = s.find(find, pos + with.size()))
    s.replace(pos, find.size(), with);
  return s;
}
std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1) out.push_back(s.substr(start, pos - start));
  out.push_back(s.substr(start));
  return out;
}

// The option's value as JSON: JSON text inside a string, or JSON itself.
Result<json> OptionJson(const json& options, const char* key) {
  auto it = options.find(key);
  if (it == options.end() || it->is_null()) return json();
  if (!it->is_string()) return *it;
  if (Trim(it->get<std::string>()).empty()) return json();
  auto parsed = ParseRequestJson(it->get<std::string>(), key);
  if (!parsed.ok()) return Status::InvalidArgument(std::string("invalid ") + key + ": " + parsed.status().message());
  return *parsed;
}

void MapString(json& entity, const std::string& attr, const std::function<std::string(const std::string&)>& fn) {
  auto attrs = entity.find("attributes");
  if (attrs == entity.end() || !attrs->is_object()) return;
  auto v = attrs->find(attr);
  if (v != attrs->end() && v->is_string()) *v = fn(v->get<std::string>());
}

void AddClassification(json& entity, const std::string& name) {
  json& list = entity["classifications"];
  if (!list.is_array()) list = json::array();
  for (const json& c : list)
    if (c.value("typeName", "") == name) return;
  list.push_back({{"typeName", name}, {"entityGuid", entity.value("guid", "")}, {"propagate", false}});
}

void RemoveClassification(json& entity, const std::string& name) {
  auto list = entity.find("classifications");
  if (list == entity.end() || !list->is_array()) return;
  for (auto it = list->begin(); it != list->end();) it = it->value("typeName", "") == name ? list->erase(it) : it + 1;
}

// v1: one '~'-separated spec for `attr` ("*": the entity).
Result<std::function<void(json&)>> ParseV1Action(const std::string& attr, const std::string& spec,
                                                 bool* top_level_only, std::vector<std::string>* added) {
  if (spec.find(':') != std::string::npos && spec.find('~') == std::string::npos)
    return Status::InvalidArgument("transform '" + spec + "': parameter separator ':' is no longer supported, use '~'");
  std::vector<std::string> p = Split(spec, '~');
  const std::string op = Lower(Trim(p[0]));
  auto need = [&](size_t n) -> Status {
    if (p.size() < n + 1) return Status::InvalidArgument("transform '" + spec + "' needs " + std::to_string(n) + " parameter(s)");
    return Status::Ok();
  };
  if (op == "lowercase") return std::function<void(json&)>([attr](json& e) { MapString(e, attr, Lower); });
  if (op == "uppercase") return std::function<void(json&)>([attr](json& e) { MapString(e, attr, Upper); });
  if (op == "replace") {
    RETURN_IF_ERROR(need(2));
    std::string find = p[1], with = p[2];
    return std::function<void(json&)>(
        [attr, find, with](json& e) { MapString(e, attr, [&](const std::string& v) { return ReplaceAll(v, find, with); }); });
  }
  if (op == "addclassification") {
    RETURN_IF_ERROR(need(1));
    std::string name = p[1];
    *top_level_only = p.size() > 2 && Lower(p[2]) == "toplevel";
    added->push_back(name);
    return std::function<void(json&)>([name](json& e) { AddClassification(e, name); });
  }
  if (op == "removeclassification") {
    RETURN_IF_ERROR(need(1));
    std::string name = p[1];
    return std::function<void(json&)>([name](json& e) { RemoveClassification(e, name); });
  }
  if (op == "clearattrvalue") {
    RETURN_IF_ERROR(need(1));
    std::vector<std::string> names = Split(p[1], ',');
    return std::function<void(json&)>([names](json& e) {
      for (const auto& n : names)
        if (e.contains("attributes") && e["attributes"].is_object()) e["attributes"].erase(Trim(n));
    });
  }
  if (op == "add") {
    RETURN_IF_ERROR(need(1));
    size_t eq = p[1].find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("transform '" + spec + "': expected add~attr=value");
    std::string name = p[1].substr(0, eq), value = p[1].substr(eq + 1);
    return std::function<void(json&)>([name, value](json& e) { e["attributes"][name] = value; });
  }
  if (op == "setdeleted") return std::function<void(json&)>([](json& e) { e["status"] = "DELETED"; });
  return Status::InvalidArgument("unknown transform '" + spec + "'");
}

// v2: "OP: value" → (OP, value).
std::pair<std::string, std::string> OpAndValue(const std::string& s) {
  size_t colon = s.find(':');
  if (colon == std::string::npos) return {"EQUALS", Trim(s)};
  return {Upper(Trim(s.substr(0, colon))), s.substr(colon + 1)};
}

Result<std::function<bool(const json&, bool)>> ParseV2Condition(const std::string& key, const std::string& spec,
                                                               std::string* type) {
  auto [op, raw] = OpAndValue(spec);
  std::string value = Trim(raw);
  if (key == "__entity") {
    if (op == "TOPLEVEL") return std::function<bool(const json&, bool)>([](const json&, bool top) { return top; });
    if (op == "EQUALS" && value.empty()) return std::function<bool(const json&, bool)>([](const json&, bool) { return true; });
    return Status::InvalidArgument("unknown transformer condition '" + spec + "' for __entity");
  }
  size_t dot = key.find('.');
  if (dot == std::string::npos) return Status::InvalidArgument("transformer condition key '" + key + "' must be type.attribute");
  *type = key.substr(0, dot);
  std::string attr = key.substr(dot + 1);
  std::function<bool(const std::string&)> test;
  if (op == "EQUALS") test = [value](const std::string& v) { return v == value; };
  else if (op == "EQUALS_IGNORE_CASE") test = [value](const std::string& v) { return Lower(v) == Lower(value); };
  else if (op == "STARTS_WITH") test = [value](const std::string& v) { return v.rfind(value, 0) == 0; };
  else if (op == "STARTS_WITH_IGNORE_CASE") test = [value](const std::string& v) { return Lower(v).rfind(Lower(value), 0) == 0; };
  else if (op == "HAS_VALUE") test = [](const std::string& v) { return !v.empty(); };
  else return Status::InvalidArgument("unknown transformer condition '" + spec + "'");
  return std::function<bool(const json&, bool)>([attr, test](const json& e, bool) {
    auto attrs = e.find("attributes");
    if (attrs == e.end() || !attrs->is_object()) return false;
    auto v = attrs->find(attr);
    if (v == attrs->end() || v->is_null()) return false;
    return test(v->is_string() ? v->get<std::string>() : v->dump());
  });
}

Result<std::function<void(json&)>> ParseV2Action(const std::string& key, const std::string& spec,
                                                 std::vector<std::string>* added) {
  auto [op, raw] = OpAndValue(spec);
  std::string value = Trim(raw);
  if (key == "__entity") {
    if (op == "ADD_CLASSIFICATION") {
      added->push_back(value);
      return std::function<void(json&)>([value](json& e) { AddClassification(e, value); });
    }
    if (op == "REMOVE_CLASSIFICATION")
      return std::function<void(json&)>([value](json& e) { RemoveClassification(e, value); });
    return Status::InvalidArgument("unknown transformer action '" + spec + "' for __entity");
  }
  size_t dot = key.find('.');
  std::string attr = dot == std::string::npos ? key : key.substr(dot + 1);
  if (op == "TO_LOWER") return std::function<void(json&)>([attr](json& e) { MapString(e, attr, Lower); });
  if (op == "TO_UPPER") return std::function<void(json&)>([attr](json& e) { MapString(e, attr, Upper); });
  if (op == "SET") return std::function<void(json&)>([attr, value](json& e) { e["attributes"][attr] = value; });
  if (op == "CLEAR")
    return std::function<void(json&)>([attr](json& e) {
      if (e.contains("attributes") && e["attributes"].is_object()) e["attributes"].erase(attr);
    });
  if (op == "REPLACE_PREFIX") {
    // "REPLACE_PREFIX: = :from=:to": the first character is the separator, each part follows "<sep>:".
    if (value.size() < 2) return Status::InvalidArgument("transformer action '" + spec + "': expected REPLACE_PREFIX: = :from=:to");
    std::string sep = value.substr(0, 1);
    std::string rest = Trim(value.substr(1));
    if (rest.empty() || rest[0] != ':') return Status::InvalidArgument("transformer action '" + spec + "': expected REPLACE_PREFIX: = :from=:to");
    rest = rest.substr(1);
    size_t mid = rest.find(sep + ":");
    if (mid == std::string::npos) return Status::InvalidArgument("transformer action '" + spec + "': expected REPLACE_PREFIX: = :from=:to");
    std::string from = rest.substr(0, mid), to = rest.substr(mid + 2);
    return std::function<void(json&)>([attr, from, to](json& e) {
      MapString(e, attr, [&](const std::string& v) { return v.rfind(from, 0) == 0 ? to + v.substr(from.size()) : v; });
    });
  }
  return Status::InvalidArgument("unknown transformer action '" + spec + "'");
}

}  // namespace

Result<Transforms> Transforms::Parse(const json& options) {
  Transforms t;
  if (!options.is_object()) return t;
  ASSIGN_OR_RETURN(json v1, OptionJson(options, "transforms"));
  if (!v1.is_null()) {
    if (!v1.is_object()) return Status::InvalidArgument("transforms must be an object {typeName: {attribute: [transform, ...]}}");
    for (auto& [type, attrs] : v1.items()) {
      if (!attrs.is_object()) return Status::InvalidArgument("transforms." + type + " must be an object");
      for (auto& [attr, specs] : attrs.items()) {
        json list = specs.is_array() ? specs : json::array({specs});
        for (const json& spec : list) {
          if (!spec.is_string()) return Status::InvalidArgument("transforms." + type + "." + attr + ": a transform is a string");
          bool top_only = false;
          ASSIGN_OR_RETURN(auto action, ParseV1Action(attr, spec.get<std::string>(), &top_only, &t.added_));
          auto rule = std::make_shared<Rule>();
          rule->type = type;
          rule->when = [top_only](const json&, bool top) { return !top_only || top; };
          rule->action = std::move(action);
          t.rules_.push_back(std::move(rule));
        }
      }
    }
  }
  ASSIGN_OR_RETURN(json v2, OptionJson(options, "transformers"));
  if (!v2.is_null()) {
    if (!v2.is_array()) return Status::InvalidArgument("transformers must be a list of {conditions, action}");
    for (const json& r : v2) {
      if (!r.is_object()) return Status::InvalidArgument("a transformer must be an object {conditions, action}");
      auto rule = std::make_shared<Rule>();
      std::vector<std::function<bool(const json&, bool)>> conditions;
      json conds = r.value("conditions", json::object());
      if (!conds.is_object()) return Status::InvalidArgument("transformer conditions must be an object");
      for (auto& [key, spec] : conds.items()) {
        if (!spec.is_string()) return Status::InvalidArgument("transformer condition " + key + " must be a string");
        std::string type;
        ASSIGN_OR_RETURN(auto cond, ParseV2Condition(key, spec.get<std::string>(), &type));
        if (!type.empty()) rule->type = type;
        conditions.push_back(std::move(cond));
      }
      std::vector<std::function<void(json&)>> actions;
      json acts = r.value("action", json::object());
      if (!acts.is_object()) return Status::InvalidArgument("transformer action must be an object");
      for (auto& [key, spec] : acts.items()) {
        if (!spec.is_string()) return Status::InvalidArgument("transformer action " + key + " must be a string");
        ASSIGN_OR_RETURN(auto act, ParseV2Action(key, spec.get<std::string>(), &t.added_));
        if (rule->type.empty() && key != "__entity" && key.find('.') != std::string::npos) rule->type = key.substr(0, key.find('.'));
        actions.push_back(std::move(act));
      }
      rule->when = [conditions](const json& e, bool top) {
        for (const auto& c : conditions)
          if (!c(e, top)) return false;
        return true;
      };
      rule->action = [actions](json& e) {
        for (const auto& a : actions) a(e);
      };
      t.rules_.push_back(std::move(rule));
    }
  }
  return t;
}

void Transforms::Apply(json& entity, bool top_level, const types::TypeRegistry& reg) const {
  if (rules_.empty() || !entity.is_object()) return;
  const types::TypeDef* type = reg.FindEntity(entity.value("typeName", ""));
  for (const auto& rule : rules_) {
    if (!rule->type.empty() && (!type || !type->IsA(rule->type))) continue;
    if (rule->when(entity, top_level)) rule->action(entity);
  }
}

}  // namespace meridian::exchange
