// Status and Result<T>: how Meridian modules report expected errors.
//
// A Status carries a code (modelled on absl::StatusCode), an Atlas error code
// such as "ATLAS-404-00-005" and a human-readable message. The server maps it
// to an HTTP status and Atlas's error body in one place (server/error_mapping).
// Thread-safety: values; safe to copy between threads.
#pragma once

#include "meridian/atlas_error_codes.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace meridian {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 3,   // 400: bad input
  kNotFound = 5,          // 404: no such guid / type / unique attribute
  kAlreadyExists = 6,     // 409: type or relationship already there
  kPermissionDenied = 7,  // 403: authenticated but not allowed
  kFailedPrecondition = 9,  // 409: e.g. type in use
  kResourceExhausted = 8,   // 413: request or result too large
  kRateLimited = 17,        // 429: too many attempts; retry later
  kUnauthenticated = 16,    // 401
  kInternal = 13,           // 500
  kUnavailable = 14,        // 503
  kDeadlineExceeded = 4,    // 504: the request's deadline passed or it was cancelled
  kInsufficientStorage = 15,  // 507: the store cannot persist a write (disk full, I/O error)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string atlas_code, std::string message)
      : code_(code), atlas_code_(std::move(atlas_code)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string atlas = atlas_code::kInvalidParameters) {
    return {StatusCode::kInvalidArgument, std::move(atlas), std::move(msg)};
  }
  static Status NotFound(std::string msg, std::string atlas = atlas_code::kInstanceGuidNotFound) {
    return {StatusCode::kNotFound, std::move(atlas), std::move(msg)};
  }
  static Status AlreadyExists(std::string msg, std::string atlas = atlas_code::kTypeAlreadyExists) {
    return {StatusCode::kAlreadyExists, std::move(atlas), std::move(msg)};
  }
  static Status Conflict(std::string msg, std::string atlas = atlas_code::kTypeHasReferences) {
    return {StatusCode::kFailedPrecondition, std::move(atlas), std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, atlas_code::kUnauthorizedAccess, std::move(msg)};
  }
  static Status Unauthenticated(std::string msg) {
    return {StatusCode::kUnauthenticated, atlas_code::kUnauthenticated, std::move(msg)};
  }
  static Status TooLarge(std::string msg) {
    return {StatusCode::kResourceExhausted, atlas_code::kInvalidParameters, std::move(msg)};
  }
  static Status RateLimited(std::string msg) {
    return {StatusCode::kRateLimited, atlas_code::kTooManyAttempts, std::move(msg)};
  }
  static Status Internal(std::string msg) {
    return {StatusCode::kInternal, atlas_code::kInternalError, std::move(msg)};
  }
  static Status Unavailable(std::string msg) {
    return {StatusCode::kUnavailable, atlas_code::kUnavailable, std::move(msg)};
  }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, atlas_code::kDeadlineExceeded, std::move(msg)};
  }
  static Status InsufficientStorage(std::string msg) {
    return {StatusCode::kInsufficientStorage, atlas_code::kInsufficientStorage, std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& atlas_code() const { return atlas_code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "OK" : atlas_code_ + ": " + message_; }
  // Marks a deliberately ignored error so that it stays greppable.
  void PermitUnchecked() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string atlas_code_;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}         // NOLINT
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace meridian

#define MERIDIAN_CONCAT_INNER(a, b) a##b
#define MERIDIAN_CONCAT(a, b) MERIDIAN_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::meridian::Status _st = (expr);            \
    if (!_st.ok()) return _st;                  \
  } while (0)

// Declares `lhs` from a Result-returning `expr`, or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto MERIDIAN_CONCAT(_res_, __LINE__) = (expr);                    \
  if (!MERIDIAN_CONCAT(_res_, __LINE__).ok())                        \
    return MERIDIAN_CONCAT(_res_, __LINE__).status();                \
  lhs = std::move(MERIDIAN_CONCAT(_res_, __LINE__)).value()
