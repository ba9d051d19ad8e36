#include "meridian/exchange/zip.h"
#include "meridian/atlas_error_codes.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>

namespace meridian::exchange {

namespace {

std::string ZipErrorText(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

// A libzip source reading one entry's bytes from the spool file.
struct SpoolSource {
  int fd;
  uint64_t offset;
  uint64_t length;
  uint64_t pos = 0;
  zip_error_t error;
};

zip_int64_t SpoolCallback(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* s = static_cast<SpoolSource*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      s->pos = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      uint64_t n = std::min<uint64_t>(len, s->length - s->pos);
      if (n == 0) return 0;
      ssize_t got = ::pread(s->fd, data, n, static_cast<off_t>(s->offset + s->pos));
      if (got <= 0) {
        zip_error_set(&s->error, ZIP_ER_READ, errno);
        return -1;
      }
      s->pos += static_cast<uint64_t>(got);
      return got;
    }
    case ZIP_SOURCE_CLOSE:
      return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = s->length;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&s->error, data, len);
    case ZIP_SOURCE_FREE:
      zip_error_fini(&s->error);
      delete s;
      return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                            ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
      zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
      return -1;
  }
}

}  // namespace

// ---- ZipWriter ----

struct ZipWriter::Impl {
  std::string path;
  std::string spool_path;
  int spool_fd = -1;
  uint64_t spool_size = 0;
  zip_t* archive = nullptr;
  size_t entries = 0;
  bool finished = false;
};

ZipWriter::ZipWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZipWriter::~ZipWriter() {
  if (impl_->archive) zip_discard(impl_->archive);
  if (impl_->spool_fd >= 0) ::close(impl_->spool_fd);
  ::unlink(impl_->spool_path.c_str());
  if (!impl_->finished) ::unlink(impl_->path.c_str());
}

Result<std::unique_ptr<ZipWriter>> ZipWriter::Create(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->spool_path = path + ".spool";
  impl->spool_fd = ::open(impl->spool_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (impl->spool_fd < 0) return Status::InvalidArgument("cannot create " + impl->spool_path);
  int err = 0;
  impl->archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!impl->archive) {
    ::close(impl->spool_fd);
    ::unlink(impl->spool_path.c_str());
    return Status::InvalidArgument("cannot create " + path + ": " + ZipErrorText(err));
  }
  return std::unique_ptr<ZipWriter>(new ZipWriter(std::move(impl)));
}

Status ZipWriter::Add(const std::string& name, std::string_view content) {
  Impl& m = *impl_;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::pwrite(m.spool_fd, content.data() + done, content.size() - done,
                         static_cast<off_t>(m.spool_size + done));
    if (n <= 0) return Status::Internal("cannot write the export spool " + m.spool_path);
    done += static_cast<size_t>(n);
  }
  auto* state = new SpoolSource{m.spool_fd, m.spool_size, content.size()};
  zip_error_init(&state->error);
  m.spool_size += content.size();
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_function_create(SpoolCallback, state, &err);
  if (!src) {
    zip_error_fini(&state->error);
    delete state;
    zip_error_fini(&err);
    return Status::Internal("cannot add " + name + " to the archive");
  }
  zip_error_fini(&err);
  zip_int64_t index = zip_file_add(m.archive, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
  if (index < 0) {
    zip_source_free(src);
    return Status::Internal("cannot add " + name + ": " + zip_strerror(m.archive));
  }
  zip_set_file_compression(m.archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 6);
  ++m.entries;
  return Status::Ok();
}

Status ZipWriter::Finish() {
  Impl& m = *impl_;
  struct DropSpool {  // the spool is not needed once the archive is written (or failed)
    Impl& m;
    ~DropSpool() {
      if (m.spool_fd >= 0) ::close(m.spool_fd);
      m.spool_fd = -1;
      ::unlink(m.spool_path.c_str());
    }
  } drop{m};
  // An archive without entries: libzip writes no file at all, so write the end record.
  if (m.entries == 0) {
    zip_discard(m.archive);
    m.archive = nullptr;
    static const unsigned char kEmpty[22] = {0x50, 0x4b, 0x05, 0x06};
    FILE* f = std::fopen(m.path.c_str(), "wb");
    if (!f || std::fwrite(kEmpty, 1, sizeof(kEmpty), f) != sizeof(kEmpty)) {
      if (f) std::fclose(f);
      return Status::Internal("cannot write " + m.path);
    }
    std::fclose(f);
    m.finished = true;
    return Status::Ok();
  }
  if (zip_close(m.archive) != 0) {
    std::string why = zip_strerror(m.archive);
    zip_discard(m.archive);
    m.archive = nullptr;
    return Status::Internal("cannot write " + m.path + ": " + why);
  }
  m.archive = nullptr;
  m.finished = true;
  return Status::Ok();
}

size_t ZipWriter::entry_count() const { return impl_->entries; }

// ---- ZipReader ----

struct ZipReader::Impl {
  std::string data;  // the archive's bytes when read from memory
  zip_t* archive = nullptr;
  ZipLimits limits;
  uint64_t expanded = 0;  // bytes expanded so far
};

ZipReader::ZipReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZipReader::~ZipReader() {
  if (impl_->archive) zip_discard(impl_->archive);
}

namespace {

Status CheckDirectory(zip_t* archive, const ZipLimits& limits) {
  zip_int64_t n = zip_get_num_entries(archive, 0);
  if (n < 0) return Status::InvalidArgument("not a ZIP archive");
  if (static_cast<uint64_t>(n) > limits.max_entries)
    return Status::TooLarge("the ZIP has " + std::to_string(n) + " entries; the limit is " +
                            std::to_string(limits.max_entries));
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) continue;
    if (st.size > limits.max_entry_bytes)
      return Status::TooLarge(std::string("ZIP entry ") + (st.name ? st.name : "?") + " expands to " +
                              std::to_string(st.size) + " bytes; the limit is " + std::to_string(limits.max_entry_bytes));
    total += st.size;
    if (total > limits.max_expanded_bytes)
      return Status::TooLarge("the ZIP expands to more than the limit of " + std::to_string(limits.max_expanded_bytes) +
                              " bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ZipReader>> ZipReader::OpenFile(const std::string& path, const ZipLimits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  int err = 0;
  impl->archive = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!impl->archive) {
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN) return Status::InvalidArgument("cannot open " + path);
    return Status::InvalidArgument(path + " is not a ZIP archive: " + ZipErrorText(err));
  }
  RETURN_IF_ERROR(CheckDirectory(impl->archive, limits));
  return std::unique_ptr<ZipReader>(new ZipReader(std::move(impl)));
}

Result<std::unique_ptr<ZipReader>> ZipReader::OpenBuffer(std::string data, const ZipLimits& limits) {
  if (data.empty()) return Status::InvalidArgument("the upload is empty, not a ZIP archive");
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->data = std::move(data);
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(impl->data.data(), impl->data.size(), 0, &err);
  if (src) impl->archive = zip_open_from_source(src, ZIP_RDONLY, &err);
  if (!impl->archive) {
    if (src) zip_source_free(src);
    std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    return Status::InvalidArgument("the upload is not a ZIP archive: " + why);
  }
  zip_error_fini(&err);
  RETURN_IF_ERROR(CheckDirectory(impl->archive, limits));
  return std::unique_ptr<ZipReader>(new ZipReader(std::move(impl)));
}

size_t ZipReader::entry_count() const {
  zip_int64_t n = zip_get_num_entries(impl_->archive, 0);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

std::vector<std::string> ZipReader::names() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < entry_count(); ++i)
    if (const char* n = zip_get_name(impl_->archive, i, 0)) out.emplace_back(n);
  return out;
}

bool ZipReader::Has(const std::string& name) const { return zip_name_locate(impl_->archive, name.c_str(), 0) >= 0; }

Result<std::string> ZipReader::Read(const std::string& name) {
  Impl& m = *impl_;
  zip_int64_t index = zip_name_locate(m.archive, name.c_str(), 0);
  if (index < 0) return Status::NotFound("the ZIP has no entry " + name, atlas_code::kInstanceNotFound);
  zip_file_t* f = zip_fopen_index(m.archive, static_cast<zip_uint64_t>(index), 0);
  if (!f) return Status::InvalidArgument("cannot read ZIP entry " + name + ": " + zip_strerror(m.archive));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    zip_int64_t n = zip_fread(f, buf, sizeof(buf));
    if (n < 0) {
      std::string why = zip_file_strerror(f);
      zip_fclose(f);
      return Status::InvalidArgument("corrupt ZIP entry " + name + ": " + why);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    m.expanded += static_cast<uint64_t>(n);
    if (out.size() > m.limits.max_entry_bytes || m.expanded > m.limits.max_expanded_bytes) {
      zip_fclose(f);
      return Status::TooLarge("ZIP entry " + name + " expands past the configured limit");
    }
  }
  if (zip_fclose(f) != 0) return Status::InvalidArgument("corrupt ZIP entry " + name);
  return out;
}

}  // namespace meridian::exchange
