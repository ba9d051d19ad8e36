// Import of glossary terms from Atlas's glossary CSV format.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "glossary_internal.h"
#include "meridian/catalog/csv.h"
#include "meridian/atlas_error_codes.h"

namespace meridian::glossary {

namespace {

using catalog::csv::SplitList;
using catalog::csv::Trim;

// Column headers of Atlas's template, in its order; relation columns map to term attributes.
const std::vector<std::string> kColumns = {
    "GlossaryName", "TermName", "ShortDescription", "LongDescription", "Examples", "Abbreviation", "Usage",
    "AdditionalAttributes", "TranslationTerms", "ValidValuesFor", "Synonyms", "ReplacedBy", "ValidValues",
    "ReplacementTerms", "SeeAlso", "TranslatedTerms", "IsA", "Antonyms", "Classifies", "PreferredToTerms",
    "PreferredTerms"};

// Columns from TranslationTerms on are term relations.
constexpr size_t kFirstRelationColumn = 8;

// The term attribute of a column: its name with a lower-case initial ("SeeAlso" -> "seeAlso").
std::string AttributeOf(std::string column) {
  column[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(column[0])));
  return column;
}

bool IsHeader(const std::vector<std::string>& row) {
  if (row.empty()) return false;
  std::string first = row[0];
  std::transform(first.begin(), first.end(), first.begin(), ::tolower);
  return first == "glossaryname";
}

json Info(const std::string& glossary, const std::string& term, bool ok, const std::string& remarks) {
  json info = {{"parentObjectName", glossary}, {"childObjectName", term}, {"importStatus", ok ? "SUCCESS" : "FAILED"}};
  if (!remarks.empty()) info["remarks"] = remarks;
  return info;
}

}  // namespace

std::string GlossaryService::ImportTemplate() {
  std::string header;
  for (const auto& c : kColumns) header += (header.empty() ? "" : ",") + c;
  return header +
         "\n\"sales\",\"revenue\",\"Money earned\",\"Income from the sale of goods\",\"Q1 revenue|Q2 revenue\","
         "\"REV\",\"finance reports\",\"owner:finance|domain:sales\",,,\"sales:turnover\",,,,,,,,,,\n";
}

Result<json> GlossaryService::ImportCsv(const std::string& csv, const std::string& user) {
  std::vector<std::vector<std::string>> rows = catalog::csv::Parse(csv);
  std::vector<std::string> columns = kColumns;
  if (!rows.empty() && IsHeader(rows.front())) {
    columns = rows.front();
    rows.erase(rows.begin());
  }
  if (rows.empty()) return Status::InvalidArgument("the glossary CSV file has no term rows", atlas_code::kInvalidParameters);

  json succeeded = json::array(), failed = json::array();
  struct Created {
    std::string glossary, term, guid;
    std::map<std::string, std::vector<std::string>> relations;  // attribute -> "Glossary:Term" references
  };
  std::vector<Created> created;
  // Pass 1: glossaries and terms.
  for (const auto& row : rows) {
    std::map<std::string, std::string> cell;
    for (size_t i = 0; i < row.size() && i < columns.size(); ++i) cell[Trim(columns[i])] = row[i];
    const std::string glossary = cell["GlossaryName"], name = cell["TermName"];
    if (glossary.empty() || name.empty()) {
      failed.push_back(Info(glossary, name, false, "GlossaryName and TermName are required"));
      continue;
    }
    std::string glossary_guid = GlossaryGuidByName(*catalog_, glossary);
    if (glossary_guid.empty()) {
      auto g = CreateGlossary({{"name", glossary}}, user);
      if (!g.ok()) {
        failed.push_back(Info(glossary, name, false, g.status().message()));
        continue;
      }
      glossary_guid = (*g)["guid"];
    }
    json body = {{"name", name}, {"anchor", {{"glossaryGuid", glossary_guid}}}};
    for (const char* column : {"ShortDescription", "LongDescription", "Abbreviation", "Usage"})
      if (!cell[column].empty()) body[AttributeOf(column)] = cell[column];
    if (!cell["Examples"].empty()) body["examples"] = SplitList(cell["Examples"]);
    if (!cell["AdditionalAttributes"].empty()) {
      json extra = json::object();
      for (const auto& kv : SplitList(cell["AdditionalAttributes"])) {
        size_t colon = kv.find(':');
        if (colon != std::string::npos) extra[Trim(kv.substr(0, colon))] = Trim(kv.substr(colon + 1));
      }
      body["additionalAttributes"] = extra;
    }
    auto term = CreateTerm(body, user);
    if (!term.ok()) {
      failed.push_back(Info(glossary, name, false, term.status().message()));
      continue;
    }
    Created c{glossary, name, (*term)["guid"], {}};
    for (size_t i = kFirstRelationColumn; i < kColumns.size(); ++i)
      if (!cell[kColumns[i]].empty()) c.relations[AttributeOf(kColumns[i])] = SplitList(cell[kColumns[i]]);
    created.push_back(std::move(c));
  }
  // Pass 2: relations, now that every term of the file exists.
  for (const Created& c : created) {
    std::string remarks;
    json rel = json::object();
    for (const auto& [attr, refs] : c.relations) {
      std::set<std::string> targets;
      for (const auto& e : ActiveEdges(*catalog_, c.guid, attr)) targets.insert(e.other);
      for (const auto& ref : refs) {
        size_t colon = ref.find(':');
        std::string glossary = colon == std::string::npos ? c.glossary : Trim(ref.substr(0, colon));
        std::string term = colon == std::string::npos ? ref : Trim(ref.substr(colon + 1));
        std::string glossary_guid = GlossaryGuidByName(*catalog_, glossary);
        auto g = glossary_guid.empty() ? Result<json>(Status::NotFound("")) : catalog_->LoadRecord(glossary_guid);
        auto guid = g.ok() ? catalog_->FindByUniqueAttribute(kTermType, "qualifiedName",
                                                             term + "@" + StringAttr(*g, "qualifiedName"))
                           : Result<std::string>(g.status());
        if (!guid.ok() || *guid == c.guid) {
          remarks += (remarks.empty() ? "" : "; ") + attr + ": unknown term " + glossary + ":" + term;
          continue;
        }
        targets.insert(*guid);
      }
      json list = json::array();
      for (const auto& t : targets) list.push_back({{"guid", t}});
      rel[attr] = list;
    }
    if (!rel.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      Status s = catalog_->PartialUpdate(c.guid, json::object(), rel, user).status();
      if (!s.ok()) remarks += (remarks.empty() ? "" : "; ") + s.message();
    }
    if (remarks.empty())
      succeeded.push_back(Info(c.glossary, c.term, true, ""));
    else
      failed.push_back(Info(c.glossary, c.term, false, "term created, but: " + remarks));
  }
  return json{{"successImportInfoList", succeeded}, {"failedImportInfoList", failed}};
}

}  // namespace meridian::glossary
