// Reading an OpenLineage event: its kind (from schemaURL, else its shape) and the
// fields the mapping needs. Everything else (unknown fields and facets) is ignored.
#include <cctype>
#include <cstdio>
#include <ctime>

#include "openlineage_internal.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::openlineage::internal {

namespace {

Status Bad(const std::string& what) {
  return Status::InvalidArgument("invalid OpenLineage event: " + what, atlas_code::kInvalidParameters);
}

// The object at `key`, or an empty object when absent or null.
Result<const json*> ObjectField(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return &NoFacets();
  if (!it->is_object()) return Bad(where + key + " must be an object");
  return &*it;
}

Result<std::string> RequiredString(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
    return Bad(where + key + " is required (a non-empty string)");
  return it->get<std::string>();
}

Result<Dataset> ParseDataset(const json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where + " must be an object");
  Dataset d;
  ASSIGN_OR_RETURN(d.ns, RequiredString(j, "namespace", where + "."));
  ASSIGN_OR_RETURN(d.name, RequiredString(j, "name", where + "."));
  ASSIGN_OR_RETURN(d.facets, ObjectField(j, "facets", where + "."));
  return d;
}

Result<std::vector<Dataset>> ParseDatasets(const json& j, const char* key) {
  std::vector<Dataset> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return Bad(std::string(key) + " must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    ASSIGN_OR_RETURN(Dataset d, ParseDataset((*it)[i], std::string(key) + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

// RunEvent, DatasetEvent or JobEvent from the last segment of schemaURL (as Marquez
// reads it), else from which of run / dataset / job is present.
Result<Kind> KindOf(const json& j) {
  std::string url = j.contains("schemaURL") && j["schemaURL"].is_string() ? j["schemaURL"].get<std::string>() : "";
  auto slash = url.find_last_of("/");
  std::string last = slash == std::string::npos ? url : url.substr(slash + 1);
  if (last == "RunEvent") return Kind::kRun;
  if (last == "DatasetEvent") return Kind::kDataset;
  if (last == "JobEvent") return Kind::kJob;
  if (j.contains("run")) return Kind::kRun;
  if (j.contains("dataset")) return Kind::kDataset;
  if (j.contains("job")) return Kind::kJob;
  return Bad("it has no run, job or dataset (not a RunEvent, DatasetEvent or JobEvent)");
}

int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

const json& NoFacets() {
  static const json kEmpty = json::object();
  return kEmpty;
}

std::optional<int64_t> ParseTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  int year = Digits(s, 0, 4), mon = Digits(s, 5, 2), day = Digits(s, 8, 2);
  int hour = Digits(s, 11, 2), min = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59 ||
      sec < 0 || sec > 60 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
      if (oh < 0 || om < 0) return std::nullopt;
      offset_s = (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  const int64_t epoch = static_cast<int64_t>(timegm(&tm));
  return (epoch - offset_s) * 1000 + millis;
}

Result<Event> ParseEvent(const json& j) {
  if (!j.is_object()) return Bad("an event must be a JSON object");
  Event e;
  ASSIGN_OR_RETURN(e.kind, KindOf(j));
  ASSIGN_OR_RETURN(std::string time, RequiredString(j, "eventTime", ""));
  auto ms = ParseTime(time);
  if (!ms) return Bad("eventTime '" + time + "' is not an RFC 3339 date-time");
  e.event_time_ms = *ms;
  if (j.contains("producer") && j["producer"].is_string()) e.producer = j["producer"];

  if (e.kind == Kind::kDataset) {
    if (!j.contains("dataset")) return Bad("a DatasetEvent needs dataset {namespace, name}");
    ASSIGN_OR_RETURN(e.dataset, ParseDataset(j["dataset"], "dataset"));
    return e;
  }
  auto job = j.find("job");
  if (job == j.end() || !job->is_object()) return Bad("job {namespace, name} is required");
  ASSIGN_OR_RETURN(e.job_ns, RequiredString(*job, "namespace", "job."));
  ASSIGN_OR_RETURN(e.job_name, RequiredString(*job, "name", "job."));
  ASSIGN_OR_RETURN(e.job_facets, ObjectField(*job, "facets", "job."));
  ASSIGN_OR_RETURN(e.inputs, ParseDatasets(j, "inputs"));
  ASSIGN_OR_RETURN(e.outputs, ParseDatasets(j, "outputs"));
  if (e.kind == Kind::kJob) return e;

  auto run = j.find("run");
  if (run == j.end() || !run->is_object()) return Bad("run {runId} is required in a RunEvent");
  ASSIGN_OR_RETURN(e.run_id, RequiredString(*run, "runId", "run."));
  ASSIGN_OR_RETURN(e.run_facets, ObjectField(*run, "facets", "run."));
  auto type = j.find("eventType");
  if (type == j.end() || type->is_null()) {
    e.event_type = "OTHER";  // optional in the spec
  } else {
    static const char* kTypes[] = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"};
    if (type->is_string())
      for (const char* t : kTypes)
        if (*type == t) e.event_type = t;
    if (e.event_type.empty())
      return Bad("eventType " + type->dump() + " is not one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER");
  }
  return e;
}

}  // namespace meridian::openlineage::internal
