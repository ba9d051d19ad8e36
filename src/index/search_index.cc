#include "meridian/index/search_index.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include <xapian.h>

namespace meridian::index {

using nlohmann::json;

namespace {

constexpr size_t kMaxTermBytes = 245;       // glass refuses longer terms ("Term too long")
constexpr size_t kHashTagBytes = 17;        // '#' and 16 hex digits
constexpr size_t kMaxValueTermBytes = 200;  // of the value in an XV term (prefix matches see these)
constexpr size_t kMaxWordBytes = 64;
constexpr size_t kPositionalMinWords = 3;   // shorter values are identifiers, not prose
// A word that occurs this often in a document (its wdf) is also a strong word of it:
// "XW<w>". Relevance grows with wdf alone (BM25 without length normalisation), so the
// best matches of a one-word query come first from its strong documents.
constexpr Xapian::termcount kStrongWdf = 5;
constexpr std::string_view kStrongPrefix = "XW";
constexpr unsigned kDateSlotBase = 16;
constexpr unsigned kDateSlots = 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// Every term the index stores or looks up goes through here: a term that fits
// is unchanged; a longer one keeps its first bytes and ends in '#' and a hash of
// the whole, so it stays distinct and the same value always maps to the same term.
std::string Bounded(std::string term) {
  if (term.size() <= kMaxTermBytes) return term;
  char tag[kHashTagBytes + 1];
  std::snprintf(tag, sizeof tag, "#%016llx", static_cast<unsigned long long>(Fnv1a64(term)));
  term.resize(kMaxTermBytes - kHashTagBytes);
  return term + tag;
}

// A prefix to match with OP_WILDCARD or allterms: cut to what Bounded keeps, so a
// long prefix still matches the shortened terms that begin with it.
std::string BoundedPrefix(std::string prefix) {
  if (prefix.size() > kMaxTermBytes - kHashTagBytes) prefix.resize(kMaxTermBytes - kHashTagBytes);
  return prefix;
}

std::string ValueTerm(std::string_view attr, std::string_view value) {
  std::string t = "XV";
  t.append(attr).push_back(':');
  std::string v = Lower(value);
  if (v.size() > kMaxValueTermBytes) v.resize(kMaxValueTermBytes);
  return t + v;
}

// Maximal runs of word characters, lower-cased (identifiers stay whole).
std::vector<std::string> Runs(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordChar(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && IsWordChar(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > kMaxWordBytes) continue;
    std::string run = Lower(text.substr(start, i - start));
    if (run.find_first_not_of('_') != std::string::npos) out.push_back(std::move(run));
  }
  return out;
}

// The parts of an identifier run ("customer_id" -> customer, id); empty if none.
std::vector<std::string> Parts(const std::string& run) {
  std::vector<std::string> out;
  if (run.find('_') == std::string::npos) return out;
  size_t p = 0;
  while (p < run.size()) {
    size_t q = run.find('_', p);
    if (q == std::string::npos) q = run.size();
    if (q > p) out.push_back(run.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

Status FromXapian(const Xapian::Error& e, std::string_view what) {
  return Status::Internal("index: " + std::string(what) + ": " + e.get_type() + ": " + e.get_msg());
}

// Storing a document: Xapian's InvalidArgumentError means the document itself
// was refused (InvalidArgument); anything else is the index's failure (Internal).
Status FromXapianWrite(const Xapian::Error& e, std::string_view what) {
  if (std::string_view(e.get_type()) == "InvalidArgumentError")
    return Status::InvalidArgument("index: " + std::string(what) + ": document refused: " + e.get_msg());
  return FromXapian(e, what);
}

// One part of a free-text query: a word, a word prefix (trailing *) or a "quoted phrase".
struct TextPart {
  enum Kind { kWord, kPrefix, kPhrase } kind;
  std::vector<std::string> words;
};

std::vector<TextPart> ParseText(std::string_view text) {
  std::vector<TextPart> parts;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (text[i] == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) end = text.size();
      std::vector<std::string> runs = Runs(text.substr(i + 1, end - i - 1));
      if (runs.size() == 1) parts.push_back({TextPart::kWord, std::move(runs)});
      else if (!runs.empty()) parts.push_back({TextPart::kPhrase, std::move(runs)});
      i = end + 1;
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '"') ++end;
    std::string_view token = text.substr(i, end - i);
    std::vector<std::string> runs = Runs(token);
    for (size_t r = 0; r < runs.size(); ++r) {
      const bool prefix = token.back() == '*' && r + 1 == runs.size();
      parts.push_back({prefix ? TextPart::kPrefix : TextPart::kWord, {std::move(runs[r])}});
    }
    i = end;
  }
  return parts;
}

bool HasText(const Query& q) {
  if (q.kind == Query::Kind::kText || q.kind == Query::Kind::kWildcard) return true;
  return std::any_of(q.children.begin(), q.children.end(), HasText);
}

// For a query whose only weighted term is one free-text word (the word alone, or
// AND-ed with filters — types, status, ... — whose boolean terms weigh nothing): the
// same query with the word replaced by its strong term. Ranked, it gives the word's
// strong documents in the order the whole query ranks them. Empty for other queries.
std::optional<Query> StrongVariant(const Query& q) {
  auto strong_term = [](const Query& text) -> std::optional<Query> {
    if (text.kind != Query::Kind::kText) return std::nullopt;
    std::vector<TextPart> parts = ParseText(text.term);
    if (parts.size() != 1 || parts[0].kind != TextPart::kWord) return std::nullopt;
    return Query::Term(std::string(kStrongPrefix) + parts[0].words[0]);
  };
  if (q.kind != Query::Kind::kAnd) return strong_term(q);
  Query out = q;
  bool replaced = false;
  for (Query& c : out.children) {
    if (c.kind == Query::Kind::kText && !replaced) {
      std::optional<Query> t = strong_term(c);
      if (!t) return std::nullopt;
      c = std::move(*t);
      replaced = true;
    } else if (HasText(c)) {
      return std::nullopt;
    }
  }
  if (!replaced) return std::nullopt;
  return out;
}

Xapian::Query ToXapian(const Query& q) {
  using XQ = Xapian::Query;
  switch (q.kind) {
    case Query::Kind::kAll: return XQ::MatchAll;
    case Query::Kind::kNone: return XQ::MatchNothing;
    case Query::Kind::kTerm: return XQ(Bounded(q.term));
    case Query::Kind::kWildcard: return XQ(XQ::OP_WILDCARD, BoundedPrefix(q.term));
    case Query::Kind::kRange:
      return XQ(XQ::OP_VALUE_RANGE, static_cast<unsigned>(q.slot), Xapian::sortable_serialise(q.lo),
                Xapian::sortable_serialise(q.hi));
    case Query::Kind::kText: {
      std::vector<XQ> parts;
      for (const TextPart& part : ParseText(q.term)) {
        if (part.kind == TextPart::kPhrase) parts.emplace_back(XQ::OP_PHRASE, part.words.begin(), part.words.end());
        else if (part.kind == TextPart::kPrefix) parts.emplace_back(XQ::OP_WILDCARD, part.words[0]);
        else parts.emplace_back(part.words[0]);
      }
      if (parts.empty()) return XQ::MatchAll;
      return XQ(XQ::OP_AND, parts.begin(), parts.end());
    }
    case Query::Kind::kAnd:
    case Query::Kind::kOr: {
      std::vector<XQ> parts;
      for (const auto& c : q.children) parts.push_back(ToXapian(c));
      if (parts.empty()) return q.kind == Query::Kind::kAnd ? XQ(XQ::MatchAll) : XQ(XQ::MatchNothing);
      return XQ(q.kind == Query::Kind::kAnd ? XQ::OP_AND : XQ::OP_OR, parts.begin(), parts.end());
    }
    case Query::Kind::kAndNot:
      return XQ(XQ::OP_AND_NOT, ToXapian(q.children.at(0)), ToXapian(q.children.at(1)));
  }
  return XQ::MatchNothing;
}

unsigned DateSlot(std::string_view attr) {
  uint32_t h = 2166136261u;
  for (char c : attr) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kDateSlotBase + h % kDateSlots;
}

// The document of one entity record (see the header for its terms and values).
Xapian::Document MakeDocument(const json& record, const types::TypeRegistry& reg) {
  Xapian::Document doc;
  auto add_bool = [&doc](std::string term) { doc.add_boolean_term(Bounded(std::move(term))); };
  const std::string guid = record.value("guid", "");
  const std::string type = record.value("typeName", "");
  doc.set_data(guid);
  add_bool("Q" + guid);
  add_bool("T" + type);
  add_bool("XE" + type);
  if (const types::TypeDef* t = reg.FindEntity(type))
    for (const auto& s : t->all_super_types) add_bool("T" + s);
  add_bool("XS" + record.value("status", "ACTIVE"));
  bool classified = false;
  auto add_classes = [&](const char* key, const char* prefix) {
    auto it = record.find(key);
    if (it == record.end() || !it->is_array()) return;
    for (const json& c : *it) {
      std::string name = c.value("typeName", "");
      if (name.empty()) continue;
      add_bool("K" + name);
      add_bool(prefix + name);
      classified = true;
    }
  };
  add_classes("classifications", "XC");
  add_classes("propagatedClassifications", "XP");
  if (classified) add_bool("XHC");
  if (auto it = record.find("labels"); it != record.end() && it->is_array())
    for (const json& l : *it)
      if (l.is_string()) add_bool("L" + l.get<std::string>());
  if (auto it = record.find("meanings"); it != record.end() && it->is_array())
    for (const json& m : *it)
      for (const char* f : {"displayText", "qualifiedName", "termGuid"})
        if (m.is_object() && m.contains(f) && (*m.find(f)).is_string())
          add_bool("XM" + Lower(m[f].get<std::string>()));

  Xapian::termpos pos = 0;
  auto add_string = [&](const std::string& attr, const std::string& value) {
    if (value.empty()) return;
    add_bool(ValueTerm(attr, value));
    std::vector<std::string> runs = Runs(value);
    // Prose (several space-separated words) gets positions for phrases and its
    // words as field terms; identifiers are covered by the value term.
    const bool prose = runs.size() >= kPositionalMinWords && value.find(' ') != std::string::npos;
    const std::string field = "XA" + attr + ":";
    for (const auto& run : runs) {
      std::vector<std::string> words = Parts(run);
      words.push_back(run);
      ++pos;
      for (const auto& w : words) {
        if (prose) {
          add_bool(field + w);
          doc.add_posting(w, pos);
        } else {
          doc.add_term(w);
        }
      }
    }
    pos += 10;  // no phrase across attributes
  };
  const types::TypeDef* t = reg.FindEntity(type);
  if (auto it = record.find("attributes"); it != record.end() && it->is_object()) {
    for (auto a = it->begin(); a != it->end(); ++a) {
      const json& v = a.value();
      if (v.is_string()) {
        add_string(a.key(), v.get<std::string>());
      } else if (v.is_array()) {
        for (const json& e : v)
          if (e.is_string()) add_string(a.key(), e.get<std::string>());
      } else if (v.is_number() && t) {
        const types::AttributeDef* ad = t->FindAttribute(a.key());
        if (ad && ad->type_name == "date") doc.add_value(DateSlot(a.key()), Xapian::sortable_serialise(v.get<double>()));
      }
    }
    auto str = [&](const char* k) {
      auto v = it->find(k);
      return v != it->end() && v->is_string() ? Lower(v->get<std::string>()) : std::string();
    };
    doc.add_value(static_cast<unsigned>(Slot::kName), str("name"));
    doc.add_value(static_cast<unsigned>(Slot::kQualifiedName), str("qualifiedName"));
  }
  auto num = [&](const char* k) {
    auto v = record.find(k);
    return v != record.end() && v->is_number() ? v->get<double>() : 0.0;
  };
  doc.add_value(static_cast<unsigned>(Slot::kCreateTime), Xapian::sortable_serialise(num("createTime")));
  doc.add_value(static_cast<unsigned>(Slot::kUpdateTime), Xapian::sortable_serialise(num("updateTime")));
  doc.add_value(static_cast<unsigned>(Slot::kTypeName), type);
  doc.add_value(static_cast<unsigned>(Slot::kGuid), guid);
  // Strong words, with the word's own wdf: ranked alone they give its documents' order.
  std::vector<std::pair<std::string, Xapian::termcount>> strong;  // free-text words: lower case
  for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    const std::string& term = *t;
    if (t.get_wdf() >= kStrongWdf && !(term[0] >= 'A' && term[0] <= 'Z')) strong.emplace_back(term, t.get_wdf());
  }
  for (const auto& [w, wdf] : strong) doc.add_term(Bounded(std::string(kStrongPrefix) + w), wdf);
  return doc;
}

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  for (auto& run : Runs(text)) {
    std::vector<std::string> parts = Parts(run);
    out.push_back(std::move(run));
    for (auto& p : parts) out.push_back(std::move(p));
  }
  return out;
}

Query Query::And(std::vector<Query> c) {
  std::vector<Query> kept;
  for (auto& x : c) {
    if (x.kind == Kind::kAll) continue;
    if (x.kind == Kind::kNone) return None();
    kept.push_back(std::move(x));
  }
  if (kept.empty()) return All();
  if (kept.size() == 1) return std::move(kept[0]);
  Query q;
  q.kind = Kind::kAnd;
  q.children = std::move(kept);
  return q;
}

Query Query::Or(std::vector<Query> c) {
  std::vector<Query> kept;
  for (auto& x : c) {
    if (x.kind == Kind::kAll) return All();
    if (x.kind == Kind::kNone) continue;
    kept.push_back(std::move(x));
  }
  if (kept.empty()) return None();
  if (kept.size() == 1) return std::move(kept[0]);
  Query q;
  q.kind = Kind::kOr;
  q.children = std::move(kept);
  return q;
}

Query Query::AndNot(Query a, Query b) {
  if (b.kind == Kind::kNone) return a;
  Query q;
  q.kind = Kind::kAndNot;
  q.children = {std::move(a), std::move(b)};
  return q;
}

Query Query::Type(std::string_view type, bool with_sub_types) {
  return Term((with_sub_types ? "T" : "XE") + std::string(type));
}
Query Query::Classification(std::string_view name) { return Term("K" + std::string(name)); }
Query Query::DirectClassification(std::string_view name) { return Term("XC" + std::string(name)); }
Query Query::PropagatedClassification(std::string_view name) { return Term("XP" + std::string(name)); }
Query Query::Classified() { return Term("XHC"); }
Query Query::Status(std::string_view status) { return Term("XS" + std::string(status)); }
Query Query::Guid(std::string_view guid) { return Term("Q" + std::string(guid)); }
Query Query::Label(std::string_view label) { return Term("L" + std::string(label)); }
Query Query::Meaning(std::string_view term) { return Term("XM" + Lower(term)); }
Query Query::AttributeEquals(std::string_view attr, std::string_view value) { return Term(ValueTerm(attr, value)); }
Query Query::AttributePrefix(std::string_view attr, std::string_view prefix) {
  return Prefix(ValueTerm(attr, prefix));
}

// ---------------------------------------------------------------------------

class SearchIndex::Impl {
 public:
  Impl(std::string dir, Options options) : dir_(std::move(dir)), options_(options) {}

  Status OpenWriter(int mode = Xapian::DB_CREATE_OR_OPEN) {
    try {
      std::filesystem::create_directories(dir_);
      int flags = mode | Xapian::DB_BACKEND_GLASS;
      if (!options_.sync) flags |= Xapian::DB_NO_SYNC;
      writer_ = std::make_unique<Xapian::WritableDatabase>(dir_, flags);
    } catch (const Xapian::Error& e) {
      return FromXapian(e, "open " + dir_);
    } catch (const std::exception& e) {
      return Status::Internal("index: open " + dir_ + ": " + e.what());
    }
    return Status::Ok();
  }

  // Runs `fn(writer)`, reopening the writer first when an earlier failure closed
  // it. A failed commit (e.g. a full disk) leaves Xapian's database closed: the
  // writer is dropped so that the next write reopens it at the last committed
  // revision; the indexer replays the lost round from the store's queue.
  template <typename Fn>
  Status Write(std::string_view what, Fn fn, bool drop_on_error = false) {
    struct statvfs fs {};
    if (statvfs(dir_.c_str(), &fs) == 0 && uint64_t{fs.f_bavail} * fs.f_frsize < options_.min_free_bytes)
      return Status::InsufficientStorage("index: " + std::string(what) + ": less than " +
                                         std::to_string(options_.min_free_bytes >> 20) + " MiB free in " + dir_);
    if (!writer_) RETURN_IF_ERROR(OpenWriter());
    try {
      std::unique_lock wait_for_retrying_readers(writes_mu_);
      fn(*writer_);
      return Status::Ok();
    } catch (const Xapian::DatabaseClosedError& e) {
      DropWriter();
      return FromXapian(e, what);
    } catch (const Xapian::Error& e) {
      if (drop_on_error) DropWriter();
      return FromXapianWrite(e, what);
    }
  }

  // Replaces the database by an empty one at once; pooled readers reopen at their next use,
  // and a read caught in the swap is redone (WithReader).
  Status Overwrite() {
    std::unique_lock wait_for_retrying_readers(writes_mu_);
    if (writer_) {
      try {
        writer_->close();
      } catch (const Xapian::Error&) {
      }
      writer_.reset();
    }
    RETURN_IF_ERROR(OpenWriter(Xapian::DB_CREATE_OR_OVERWRITE));
    ++generation_;
    return Status::Ok();
  }

  void DropWriter() {
    std::unique_lock wait_for_retrying_readers(writes_mu_);  // closing commits
    try {
      writer_->close();
    } catch (const Xapian::Error&) {
    }
    writer_.reset();
  }

  // A read-only handle from the pool, current as of the last commit.
  struct Reader {
    std::unique_ptr<Xapian::Database> db;
    uint64_t generation = 0;
  };

  Reader Acquire() const {
    Reader r;
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (!pool_.empty()) {
        r = std::move(pool_.back());
        pool_.pop_back();
      }
    }
    uint64_t gen = generation_.load();
    if (!r.db) {
      r.db = std::make_unique<Xapian::Database>(dir_);
      r.generation = gen;
    } else if (r.generation != gen) {
      r.db->reopen();
      r.generation = gen;
    }
    return r;
  }

  void Release(Reader r) const {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (pool_.size() < 16) pool_.push_back(std::move(r));
  }

  // Runs `fn(db)` on a pooled reader. A read that outlives two commits meets blocks the
  // writer has reused: Xapian says DatabaseModifiedError, or DatabaseCorruptError when the
  // reused block comes first (the files are fine); a read that outlives Clear meets files
  // replaced under it (DatabaseError). It is redone once, at the latest
  // revision, with writes held off until it is done, so no commit can overtake it again.
  // Opening or reopening a reader reads blocks too, so the redo holds writes off first.
  template <typename Fn>
  Status WithReader(std::string_view what, Fn fn) const {
    auto read = [&](bool retry) {
      std::shared_lock hold_writes(writes_mu_, std::defer_lock);
      if (retry) hold_writes.lock();
      Reader r = Acquire();
      if (retry) r.db->reopen();
      fn(*r.db);
      Release(std::move(r));
    };
    try {
      read(false);
      return Status::Ok();
    } catch (const Xapian::DatabaseError&) {  // modified, "corrupt", or its files replaced by Clear
    } catch (const Xapian::Error& e) {
      return FromXapian(e, what);
    }
    try {
      read(true);
      return Status::Ok();
    } catch (const Xapian::Error& e) {
      return FromXapian(e, what);
    }
  }

  static void ApplySort(Xapian::Enquire& enquire, SortKey sort, bool descending) {
    switch (sort) {
      case SortKey::kRelevance:
        // BM25 without length normalisation (b = 0): metadata fields are short, and
        // reading every match's document length was half the cost of a search.
        enquire.set_weighting_scheme(Xapian::BM25Weight(1, 0, 1, 0, 0.5));
        return;
      case SortKey::kDocument:
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.set_docid_order(descending ? Xapian::Enquire::DESCENDING : Xapian::Enquire::ASCENDING);
        return;
      default: break;
    }
    Slot slot = sort == SortKey::kCreateTime      ? Slot::kCreateTime
                : sort == SortKey::kUpdateTime    ? Slot::kUpdateTime
                : sort == SortKey::kName          ? Slot::kName
                : sort == SortKey::kQualifiedName ? Slot::kQualifiedName
                : sort == SortKey::kTypeName      ? Slot::kTypeName
                                                  : Slot::kGuid;
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_sort_by_value_then_relevance(static_cast<unsigned>(slot), descending);
  }

  std::string dir_;
  Options options_;
  std::unique_ptr<Xapian::WritableDatabase> writer_;
  std::atomic<uint64_t> generation_{0};
  // Shared by a reader retrying after a commit overtook it; exclusive around every write.
  mutable std::shared_mutex writes_mu_;
  mutable std::mutex pool_mu_;
  mutable std::vector<Reader> pool_;  // GUARDED_BY(pool_mu_)
};

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() {
  if (!impl_ || !impl_->writer_) return;
  try {
    impl_->writer_->close();
  } catch (const Xapian::Error&) {
    // Uncommitted changes are replayed from the store's queue on the next start.
  }
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::Open(const std::string& dir, Options options) {
  auto impl = std::make_unique<Impl>(dir, options);
  RETURN_IF_ERROR(impl->OpenWriter());
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

struct PreparedDocument::Rep {
  std::string guid;
  Xapian::Document doc;
};

PreparedDocument::PreparedDocument(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
PreparedDocument::PreparedDocument(PreparedDocument&&) noexcept = default;
PreparedDocument& PreparedDocument::operator=(PreparedDocument&&) noexcept = default;
PreparedDocument::~PreparedDocument() = default;

Result<PreparedDocument> SearchIndex::Prepare(const json& record, const types::TypeRegistry& reg) {
  try {
    auto rep = std::make_unique<PreparedDocument::Rep>();
    rep->guid = record.value("guid", "");
    if (rep->guid.empty()) return Status::InvalidArgument("index: record without guid");
    rep->doc = MakeDocument(record, reg);
    return PreparedDocument(std::move(rep));
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "prepare");
  } catch (const json::exception& e) {
    return Status::Internal(std::string("index: malformed record: ") + e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("index: cannot build the document: ") + e.what());
  }
}

Status SearchIndex::Put(PreparedDocument doc) {
  return impl_->Write("put", [&](Xapian::WritableDatabase& w) { w.replace_document(Bounded("Q" + doc.rep_->guid), doc.rep_->doc); });
}

Status SearchIndex::Add(PreparedDocument doc) {
  return impl_->Write("add", [&](Xapian::WritableDatabase& w) { w.add_document(doc.rep_->doc); });
}

Status SearchIndex::Upsert(const json& record, const types::TypeRegistry& reg) {
  ASSIGN_OR_RETURN(PreparedDocument doc, Prepare(record, reg));
  return Put(std::move(doc));
}

Status SearchIndex::Remove(const std::string& guid) {
  return impl_->Write("remove", [&](Xapian::WritableDatabase& w) { w.delete_document(Bounded("Q" + guid)); });
}

Status SearchIndex::Clear() { return impl_->Overwrite(); }

Status SearchIndex::Commit() {
  RETURN_IF_ERROR(impl_->Write("commit", [](Xapian::WritableDatabase& w) { w.commit(); }, /*drop_on_error=*/true));
  ++impl_->generation_;
  return Status::Ok();
}

Status SearchIndex::SetMetadata(const std::string& key, const std::string& value) {
  return impl_->Write("metadata", [&](Xapian::WritableDatabase& w) { w.set_metadata(key, value); });
}

std::string SearchIndex::GetMetadata(const std::string& key) const {
  try {
    return impl_->writer_ ? impl_->writer_->get_metadata(key) : std::string();
  } catch (const Xapian::Error&) {
    return {};
  }
}

uint64_t SearchIndex::DocumentCount() const {
  uint64_t n = 0;
  impl_->WithReader("count", [&](Xapian::Database& db) { n = db.get_doccount(); }).PermitUnchecked();
  return n;
}

Result<uint64_t> SearchIndex::TermFrequency(const std::string& term) const {
  uint64_t n = 0;
  Status s = impl_->WithReader("termfreq", [&](Xapian::Database& db) { n = db.get_termfreq(term); });
  if (!s.ok()) return s;
  return n;
}

Result<uint64_t> SearchIndex::Count(const Query& query) const {
  uint64_t n = 0;
  Status s = impl_->WithReader("count", [&](Xapian::Database& db) {
    Xapian::Enquire enquire(db);
    enquire.set_query(ToXapian(query));
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    // Checking at least every document makes the estimate the exact count.
    n = enquire.get_mset(0, 0, db.get_doccount()).get_matches_estimated();
  });
  if (!s.ok()) return s;
  return n;
}

Result<SearchHits> SearchIndex::Search(const SearchRequest& request) const {
  SearchHits hits;
  Status s = impl_->WithReader("search", [&](Xapian::Database& db) {
    hits = SearchHits{};
    const Xapian::Query query = ToXapian(request.query);
    const size_t wanted = request.offset + request.limit;
    // A one-word query by relevance: when the word's strong documents hold a whole page
    // (and the count asked for exactly is smaller than the matches), that page is the
    // page of the whole query, as every strong document outranks every other one. The
    // matcher then reads the strong term's short posting list instead of weighing every
    // posting of the word; the page's scores are the word's, from a second query
    // limited to the page's documents.
    std::optional<Query> strong_variant;
    if (request.sort == SortKey::kRelevance && !request.count_types && wanted > 0 &&
        request.check_at_least <= wanted)
      strong_variant = StrongVariant(request.query);
    if (strong_variant) {
      Xapian::Enquire strong(db);
      strong.set_query(ToXapian(*strong_variant));
      Impl::ApplySort(strong, request.sort, request.descending);
      Xapian::MSet page = strong.get_mset(static_cast<Xapian::doccount>(request.offset),
                                          static_cast<Xapian::doccount>(request.limit),
                                          static_cast<Xapian::doccount>(wanted));
      Xapian::doccount estimated = 0;
      if (page.get_matches_lower_bound() >= wanted) {  // the whole query's count, only when the page stands
        Xapian::Enquire all(db);
        all.set_query(query);
        estimated = all.get_mset(0, 0).get_matches_estimated();
      }
      if (estimated > request.check_at_least) {
        std::vector<std::string> ids;
        for (auto it = page.begin(); it != page.end(); ++it) {
          hits.guids.push_back(it.get_document().get_data());
          ids.push_back(Bounded("Q" + hits.guids.back()));
        }
        Xapian::Enquire scored(db);
        scored.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query,
                                       Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end())));
        Impl::ApplySort(scored, request.sort, request.descending);
        Xapian::MSet weights = scored.get_mset(0, static_cast<Xapian::doccount>(ids.size()));
        std::unordered_map<Xapian::docid, double> weight_of;
        for (auto it = weights.begin(); it != weights.end(); ++it) weight_of[*it] = it.get_weight();
        for (auto it = page.begin(); it != page.end(); ++it) hits.scores.push_back(weight_of[*it]);
        hits.estimated = std::max<uint64_t>(estimated, page.get_matches_lower_bound());
        return;
      }
    }
    Xapian::Enquire enquire(db);
    enquire.set_query(query);
    Impl::ApplySort(enquire, request.sort, request.descending);
    Xapian::ValueCountMatchSpy spy(static_cast<unsigned>(Slot::kTypeName));
    Xapian::doccount check = static_cast<Xapian::doccount>(request.check_at_least);
    if (request.count_types) {
      enquire.add_matchspy(&spy);
      check = std::max<Xapian::doccount>(check, 100000);
    }
    Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                                         static_cast<Xapian::doccount>(request.limit), check);
    hits.estimated = mset.get_matches_estimated();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      hits.guids.push_back(it.get_document().get_data());
      hits.scores.push_back(it.get_weight());
    }
    if (request.count_types)
      for (auto it = spy.values_begin(); it != spy.values_end(); ++it)
        hits.type_counts.emplace_back(*it, it.get_termfreq());
  });
  if (!s.ok()) return s;
  return hits;
}

Status SearchIndex::ForEach(const Query& query, SortKey sort, bool descending,
                            const std::function<bool(const std::string& guid)>& fn) const {
  Xapian::Query xq = ToXapian(query);
  Xapian::doccount start = 0, page = 500;
  for (;;) {
    std::vector<std::string> guids;
    Status s = impl_->WithReader("scan", [&](Xapian::Database& db) {
      guids.clear();
      Xapian::Enquire enquire(db);
      enquire.set_query(xq);
      Impl::ApplySort(enquire, sort, descending);
      Xapian::MSet mset = enquire.get_mset(start, page);
      for (auto it = mset.begin(); it != mset.end(); ++it) guids.push_back(it.get_document().get_data());
    });
    RETURN_IF_ERROR(s);
    for (const auto& g : guids)
      if (!fn(g)) return Status::Ok();
    if (guids.size() < page) return Status::Ok();
    start += page;
    page = std::min<Xapian::doccount>(page * 2, 8000);
  }
}

Result<std::vector<std::string>> SearchIndex::GuidsWithTerm(const std::string& term, size_t limit) const {
  std::vector<std::string> out;
  Status s = impl_->WithReader("postings", [&](Xapian::Database& db) {
    out.clear();
    const std::string bounded = Bounded(term);
    for (auto it = db.postlist_begin(bounded); it != db.postlist_end(bounded) && out.size() < limit; ++it)
      out.push_back(db.get_document(*it, Xapian::DOC_ASSUME_VALID).get_data());
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SearchIndex::TermsWithPrefix(const std::string& prefix,
                                                                                     size_t limit) const {
  std::vector<std::pair<std::string, std::string>> out;
  Status s = impl_->WithReader("terms", [&](Xapian::Database& db) {
    out.clear();
    std::vector<std::pair<Xapian::doccount, std::string>> terms;
    size_t scanned = 0;
    const std::string bounded = BoundedPrefix(prefix);
    for (auto it = db.allterms_begin(bounded); it != db.allterms_end(bounded) && scanned < 10000; ++it, ++scanned)
      terms.emplace_back(it.get_termfreq(), *it);
    std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < terms.size() && out.size() < limit; ++i) {
      auto pl = db.postlist_begin(terms[i].second);
      if (pl == db.postlist_end(terms[i].second)) continue;
      out.emplace_back(terms[i].second, db.get_document(*pl).get_data());
    }
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace meridian::index
