// ZIP archives in the layout Atlas's export and import use (flat, deflated
// entries). libzip stays behind this header.
//
// Thread-safety: one writer or reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meridian/status.h"

namespace meridian::exchange {

// What a reader accepts; beyond them an archive is refused as a zip bomb
// (TooLarge, HTTP 413) before or while it is expanded.
struct ZipLimits {
  uint64_t max_entries = 5'000'000;          // Default: 5 million entries.
  uint64_t max_expanded_bytes = 64ull << 30;  // Default: 64 GiB expanded in all.
  uint64_t max_entry_bytes = 1ull << 30;      // Default: 1 GiB for one entry.
};

// Writes an archive at `path`. Entries added are appended to a spool file
// beside it (memory stays flat however many there are) and deflated into the
// archive by Finish(). A writer destroyed before Finish() leaves no archive.
class ZipWriter {
 public:
  // InvalidArgument when the spool cannot be created.
  static Result<std::unique_ptr<ZipWriter>> Create(const std::string& path);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Internal on an I/O error.
  Status Add(const std::string& name, std::string_view content);
  // Writes the archive; Internal on an I/O error.
  Status Finish();
  size_t entry_count() const;

 private:
  struct Impl;
  explicit ZipWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads entries by name (the central directory gives random access).
class ZipReader {
 public:
  // InvalidArgument when the bytes are not a ZIP archive; TooLarge when the
  // directory announces more entries or expanded bytes than `limits` allow.
  static Result<std::unique_ptr<ZipReader>> OpenFile(const std::string& path, const ZipLimits& limits);
  // Reads from `data`, which the reader keeps.
  static Result<std::unique_ptr<ZipReader>> OpenBuffer(std::string data, const ZipLimits& limits);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  size_t entry_count() const;
  std::vector<std::string> names() const;
  bool Has(const std::string& name) const;
  // The expanded entry. NotFound when absent; TooLarge past the limits (whatever
  // the directory claimed); InvalidArgument when the entry is corrupt.
  Result<std::string> Read(const std::string& name);

 private:
  struct Impl;
  explicit ZipReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::exchange
