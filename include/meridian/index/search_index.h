// SearchIndex: Meridian's full-text index of entities, on Xapian (glass).
//
// One document per entity, identified by the boolean term "Q<guid>". Terms:
//   T<type>      the entity's type and each of its super-types (boolean)
//   XE<type>     the exact type (boolean)
//   K<name>      every classification, direct or propagated (boolean)
//   XC<name>     direct classifications; XP<name> propagated ones
//   XHC          present when the entity has any classification
//   L<label>     labels; XS<status> status; XM<term> glossary meanings
//   XV<attr>:<v> the lower-cased whole value of string attribute <attr> (truncated):
//                each attribute's own field, for equality and prefix matches
//   XA<attr>:<w> the lower-cased words of <attr> when its value is prose (three or
//                more space-separated words, e.g. a description)
//   <w>          the words of every string attribute (free text); identifiers
//                also by their parts (customer_id -> customer, id); positions
//                only for prose, where phrase search needs them
//   XW<w>        the words that occur at least 5 times in the document, with that wdf:
//                a one-word search by relevance ranks these first, and when they
//                fill the page it weighs only them
// Value slots: see Slot. Document data: the guid.
// Long terms: Xapian refuses terms over 245 bytes, so any longer term (a long
// guid, label, type, classification or glossary term name, or attribute name)
// is stored and looked up as its first 228 bytes + '#' + a 64-bit hash of the
// whole; documents are never rejected for their content.
//
// Thread-safety: one writer (Upsert/Remove/Commit from a single thread at a
// time); any number of concurrent readers, each on its own pooled read-only
// handle that is reopened after commits; a read overtaken by two commits is redone
// while writes wait for it. Xapian::Error never escapes: every
// method returns Status.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meridian/status.h"
#include "meridian/types/type_registry.h"

namespace meridian::index {

// Sortable value slots.
enum class Slot : unsigned {
  kCreateTime = 0,     // record createTime (__timestamp), ms
  kUpdateTime = 1,     // record updateTime (__modificationTimestamp), ms
  kName = 2,           // lower-cased name
  kQualifiedName = 3,  // lower-cased qualifiedName
  kTypeName = 4,       // exact type name (for aggregation)
  kGuid = 5,
};

// A query tree over the terms above. Values: build with the static helpers.
struct Query {
  enum class Kind : uint8_t {
    kAll, kNone, kTerm, kWildcard, kText, kRange, kAnd, kOr, kAndNot,
  };
  Kind kind = Kind::kAll;
  std::string term;        // kTerm: full term; kWildcard: term prefix; kText: the text
  Slot slot = Slot::kCreateTime;
  double lo = 0, hi = 0;   // kRange, inclusive
  std::vector<Query> children;

  static Query All() { return {}; }
  static Query None() { Query q; q.kind = Kind::kNone; return q; }
  static Query Term(std::string term) { Query q; q.kind = Kind::kTerm; q.term = std::move(term); return q; }
  static Query Prefix(std::string prefix) { Query q; q.kind = Kind::kWildcard; q.term = std::move(prefix); return q; }
  // Free text: words must all occur (any field); "quoted phrases"; a trailing * is a prefix.
  static Query Text(std::string text) { Query q; q.kind = Kind::kText; q.term = std::move(text); return q; }
  static Query Range(Slot s, double lo, double hi) {
    Query q; q.kind = Kind::kRange; q.slot = s; q.lo = lo; q.hi = hi; return q;
  }
  static Query And(std::vector<Query> c);
  static Query Or(std::vector<Query> c);
  static Query AndNot(Query a, Query b);

  // Term builders.
  static Query Type(std::string_view type, bool with_sub_types);
  static Query Classification(std::string_view name);  // direct or propagated
  static Query Classified();
  static Query Status(std::string_view status);
  static Query Guid(std::string_view guid);
  static Query Label(std::string_view label);
  static Query Meaning(std::string_view term);
  static Query DirectClassification(std::string_view name);
  static Query PropagatedClassification(std::string_view name);
  // Lower-cased whole-value equality / prefix on a string attribute.
  static Query AttributeEquals(std::string_view attr, std::string_view value);
  static Query AttributePrefix(std::string_view attr, std::string_view prefix);
};

enum class SortKey : uint8_t { kRelevance, kDocument, kCreateTime, kUpdateTime, kName, kQualifiedName, kTypeName, kGuid };

struct SearchRequest {
  Query query;
  SortKey sort = SortKey::kRelevance;
  bool descending = false;
  size_t offset = 0;
  size_t limit = 100;
  // Count matches exactly up to this many (approximate beyond). Default: 0 = estimate only.
  size_t check_at_least = 0;
  // Count matches per exact type name (Slot::kTypeName).
  bool count_types = false;
};

struct SearchHits {
  std::vector<std::string> guids;
  std::vector<double> scores;
  uint64_t estimated = 0;  // matches estimated (exact when <= check_at_least)
  std::vector<std::pair<std::string, uint64_t>> type_counts;  // count_types
};

// Lower-cases ASCII and splits into the index's words (letters and digits runs;
// identifiers like customer_id also as a whole).
std::vector<std::string> Words(std::string_view text);

// A document built from an entity record, ready for SearchIndex::Put. Building
// is independent of the index, so it may run on another thread than the writer.
class PreparedDocument {
 public:
  PreparedDocument(PreparedDocument&&) noexcept;
  PreparedDocument& operator=(PreparedDocument&&) noexcept;
  ~PreparedDocument();

 private:
  friend class SearchIndex;
  struct Rep;
  explicit PreparedDocument(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

class SearchIndex {
 public:
  struct Options {
    // Default: false. fsync on commit; without it a commit survives kill -9 but
    // not a power loss (matches StoreOptions::sync_writes).
    bool sync = false;
    // Default: 64 MiB. Writes fail with InsufficientStorage while the index's
    // file system has less free space: Xapian 1.4 can abort the process when a
    // commit runs out of space, so the index stops short of that and the
    // indexer retries once there is room.
    uint64_t min_free_bytes = uint64_t{64} << 20;
  };

  // Opens or creates the index in `dir`.
  static Result<std::unique_ptr<SearchIndex>> Open(const std::string& dir, Options options);
  ~SearchIndex();

  // ---- Writer ----
  // Builds the document of `record` (a catalog entity record). Thread-safe.
  // An error means the record itself cannot be indexed (malformed).
  static Result<PreparedDocument> Prepare(const nlohmann::json& record, const types::TypeRegistry& reg);
  // Stores a prepared document, replacing the entity's previous one.
  // InvalidArgument when Xapian refuses the document itself; Xapian then also
  // drops every other change since the last Commit, so the caller redoes them.
  // Other failures (I/O) are Internal.
  Status Put(PreparedDocument doc);
  // Stores a prepared document of an entity the index does not hold (no lookup;
  // for rebuilds after Clear). Errors as Put.
  Status Add(PreparedDocument doc);
  // Prepare + Put.
  Status Upsert(const nlohmann::json& record, const types::TypeRegistry& reg);
  Status Remove(const std::string& guid);
  // Removes every document and every metadata key at once (before a rebuild): the database
  // is replaced by an empty one, visible to readers immediately, not at the next Commit.
  Status Clear();
  // Makes pending changes durable and visible to readers.
  Status Commit();
  // Index-wide markers kept with the documents (committed with them).
  Status SetMetadata(const std::string& key, const std::string& value);
  std::string GetMetadata(const std::string& key) const;

  // ---- Readers ----
  Result<SearchHits> Search(const SearchRequest& request) const;
  // Streams matching guids in `sort` order, `batch` at a time, until `fn` returns false.
  Status ForEach(const Query& query, SortKey sort, bool descending,
                 const std::function<bool(const std::string& guid)>& fn) const;
  // Guids of the documents holding `term` (a posting-list walk, no ranking), at most `limit`.
  Result<std::vector<std::string>> GuidsWithTerm(const std::string& term, size_t limit) const;
  // Terms beginning with `prefix`, most frequent first (at most `limit`), each
  // with the guid of one document holding it.
  Result<std::vector<std::pair<std::string, std::string>>> TermsWithPrefix(const std::string& prefix,
                                                                          size_t limit) const;
  uint64_t DocumentCount() const;
  // Number of documents holding `term` (its term frequency: no posting is read).
  Result<uint64_t> TermFrequency(const std::string& term) const;
  // Exact number of documents matching `query` (counted, not estimated).
  Result<uint64_t> Count(const Query& query) const;

 private:
  class Impl;
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::index
