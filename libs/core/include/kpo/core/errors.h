#pragma once

// Errors as values. Every failure the platform reports is an absl::Status with a
// canonical code (which maps one-to-one to a gRPC code) and, attached as payloads,
// the google.rpc details a client needs: an ErrorInfo (an UPPER_SNAKE reason in the
// "kpo.platform" domain, with metadata) and a BadRequest listing every offending field.
// libs/rpc turns these payloads into the `grpc-status-details-bin` trailer.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kpo::core {

inline constexpr absl::string_view kErrorDomain = "kpo.platform";
inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation&) const = default;
};

// Collects field violations, then becomes one INVALID_ARGUMENT status naming all of
// them. Not thread-safe.
class FieldViolations {
 public:
  void Add(std::string field, std::string description) {
    violations_.push_back({std::move(field), std::move(description)});
  }
  // Adds the violations of `other` with `prefix` prepended to each field path.
  void Merge(absl::string_view prefix, const std::vector<FieldViolation>& other);
  bool empty() const { return violations_.empty(); }
  size_t size() const { return violations_.size(); }
  // Whether `field` already has a violation.
  bool Has(absl::string_view field) const {
    for (const auto& v : violations_) {
      if (v.field == field) return true;
    }
    return false;
  }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // "field: description; field: description" (the first five, then "and N more"), for
  // a message of another code (e.g. a FAILED_PRECONDITION listing what is missing).
  std::string Summary() const;

  // OkStatus() when empty; otherwise INVALID_ARGUMENT with reason `reason`, a message
  // that names every field, and a BadRequest detail.
  absl::Status ToStatus(absl::string_view reason = "INVALID_ARGUMENT") const;

 private:
  std::vector<FieldViolation> violations_;
};

// A text field: a violation of `field` when required and empty, or longer than `max`
// bytes.
inline void CheckText(const std::string& value, const std::string& field, size_t max, bool required,
                      FieldViolations& v) {
  if (required && value.empty()) {
    v.Add(field, "is required");
  } else if (value.size() > max) {
    v.Add(field, absl::StrCat("at most ", max, " characters"));
  }
}

// Builds a status with an ErrorInfo detail.
absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   const std::map<std::string, std::string>& metadata = {});

// Shorthands with a reason.
absl::Status NotFound(absl::string_view resource_name);
absl::Status AlreadyExists(absl::string_view resource_name);
absl::Status EtagMismatch(absl::string_view resource_name);
absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message,
                                const std::map<std::string, std::string>& metadata = {});
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// Reads the details back (for mapping to gRPC and for tests).
std::optional<std::string> ErrorReason(const absl::Status& status);
std::map<std::string, std::string> ErrorMetadata(const absl::Status& status);
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace kpo::core
