#include "values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace meridian::dsl {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int Sign(double d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

std::optional<bool> ToBool(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) {
    const std::string s = Lower(v.get<std::string>());
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  return std::nullopt;
}

std::optional<int> CompareImpl(ValueKind kind, const nlohmann::json& a, const nlohmann::json& b,
                               bool fold_case) {
  switch (kind) {
    case ValueKind::kNumber: {
      if (a.is_number_integer() && b.is_number_integer()) {
        const int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      auto x = ToNumber(a), y = ToNumber(b);
      if (!x || !y || std::isnan(*x) || std::isnan(*y)) return std::nullopt;
      return Sign(*x - *y);
    }
    case ValueKind::kDate: {
      auto x = ToEpochMillis(a), y = ToEpochMillis(b);
      if (!x || !y) return std::nullopt;
      return *x < *y ? -1 : (*x > *y ? 1 : 0);
    }
    case ValueKind::kBoolean: {
      auto x = ToBool(a), y = ToBool(b);
      if (!x || !y) return std::nullopt;
      return static_cast<int>(*x) - static_cast<int>(*y);
    }
    default: {
      if (a.is_number() && b.is_number()) return CompareImpl(ValueKind::kNumber, a, b, false);
      std::string x = ToText(a), y = ToText(b);
      if (fold_case) {
        x = Lower(std::move(x));
        y = Lower(std::move(y));
      }
      const int c = x.compare(y);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

}  // namespace

std::optional<int64_t> ParseDslDate(std::string_view s) {
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (s.size() != 10 && s.size() != 24) return std::nullopt;
  if (!ReadDigits(s, 0, 4, year) || s[4] != '-' || !ReadDigits(s, 5, 2, month) || s[7] != '-' ||
      !ReadDigits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (s.size() == 24) {
    if (s[10] != 'T' || !ReadDigits(s, 11, 2, hour) || s[13] != ':' ||
        !ReadDigits(s, 14, 2, minute) || s[16] != ':' || !ReadDigits(s, 17, 2, second) ||
        s[19] != '.' || !ReadDigits(s, 20, 3, millis) || s[23] != 'Z') {
      return std::nullopt;
    }
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
}

namespace {

// Decodes the UTF-8 code point at text[pos] (a stray byte reads as itself) and its length.
uint32_t CodePointAt(std::string_view text, size_t pos, size_t& length) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  length = std::min(Utf8Length(lead), text.size() - pos);
  if (length == 1) return lead;
  uint32_t cp = lead & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  return cp;
}

// Matches the bracket expression starting at pattern[p] ('[') against code point `c`:
// members and ranges ("[0-2a-c]"), negated by a leading '^' (regex syntax, as Atlas passes
// the pattern to a regex). Sets `end` past the closing ']'; false when there is none.
bool ParseClass(std::string_view pattern, size_t p, uint32_t c, bool& matched, size_t& end) {
  size_t i = p + 1;
  const bool negated = i < pattern.size() && pattern[i] == '^';
  if (negated) ++i;
  bool found = false;
  bool first = true;
  while (i < pattern.size() && (pattern[i] != ']' || first)) {
    first = false;
    size_t len = 0;
    const uint32_t lo = CodePointAt(pattern, i, len);
    i += len;
    uint32_t hi = lo;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      hi = CodePointAt(pattern, i + 1, len);
      i += 1 + len;
    }
    if (lo <= c && c <= hi) found = true;
  }
  if (i >= pattern.size()) return false;
  end = i + 1;
  matched = found != negated;
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    size_t char_len = 0;
    const uint32_t c = CodePointAt(text, t, char_len);
    bool class_matched = false;
    size_t class_end = 0;
    if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += char_len;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '[' &&
               ParseClass(pattern, p, c, class_matched, class_end) && class_matched) {
      p = class_end;
      t += char_len;
    } else if (p < pattern.size() && pattern[p] == text[t] &&
               !(pattern[p] == '[' && class_end != 0)) {
      ++p;
      ++t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      size_t skip = 0;
      CodePointAt(text, star_t, skip);
      star_t += skip;
      t = star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<int64_t> DoubleToInt64(double d) {
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (!std::isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

std::optional<int64_t> ToEpochMillis(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return DoubleToInt64(v.get<double>());
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (auto d = ParseDslDate(s)) return d;
    int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size()) return ms;
  }
  return std::nullopt;
}

std::string ToText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::optional<double> ToNumber(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) return d;
  }
  return std::nullopt;
}

std::optional<int> CompareAs(ValueKind kind, const nlohmann::json& a, const nlohmann::json& b) {
  return CompareImpl(kind, a, b, /*fold_case=*/false);
}

std::optional<int> CompareForAggregate(ValueKind kind, const nlohmann::json& a,
                                       const nlohmann::json& b) {
  return CompareImpl(kind, a, b, /*fold_case=*/true);
}

std::optional<nlohmann::json> ApplyArith(ArithOp op, const nlohmann::json& a,
                                         const nlohmann::json& b) {
  if (a.is_number_integer() && b.is_number_integer() && op != ArithOp::kDiv) {
    const int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case ArithOp::kAdd:
        overflow = __builtin_add_overflow(x, y, &r);
        break;
      case ArithOp::kSub:
        overflow = __builtin_sub_overflow(x, y, &r);
        break;
      default:
        overflow = __builtin_mul_overflow(x, y, &r);
        break;
    }
    if (!overflow) return nlohmann::json(r);
  }
  auto x = ToNumber(a), y = ToNumber(b);
  if (!x || !y) return std::nullopt;
  switch (op) {
    case ArithOp::kAdd:
      return nlohmann::json(*x + *y);
    case ArithOp::kSub:
      return nlohmann::json(*x - *y);
    case ArithOp::kMul:
      return nlohmann::json(*x * *y);
    case ArithOp::kDiv:
      if (*y == 0) return std::nullopt;
      return nlohmann::json(*x / *y);
  }
  return std::nullopt;
}

bool IsTextKind(ValueKind kind) {
  return kind != ValueKind::kNumber && kind != ValueKind::kDate && kind != ValueKind::kBoolean;
}

ValueKind KindOfTypeName(std::string_view type_name) {
  for (std::string_view prefix : {"array<", "set<"}) {
    if (type_name.substr(0, prefix.size()) == prefix && type_name.size() > prefix.size() &&
        type_name.back() == '>') {
      type_name = type_name.substr(prefix.size(), type_name.size() - prefix.size() - 1);
      break;
    }
  }
  if (type_name == "string") return ValueKind::kString;
  if (type_name == "boolean") return ValueKind::kBoolean;
  if (type_name == "date") return ValueKind::kDate;
  for (std::string_view numeric :
       {"byte", "short", "int", "long", "float", "double", "biginteger", "bigdecimal"}) {
    if (type_name == numeric) return ValueKind::kNumber;
  }
  return ValueKind::kOther;
}

}  // namespace meridian::dsl
