#include "kpo/core/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace kpo::core {
namespace {

void AttachErrorInfo(absl::Status& status, absl::string_view reason,
                     const std::map<std::string, std::string>& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
}

}  // namespace

void FieldViolations::Merge(absl::string_view prefix, const std::vector<FieldViolation>& other) {
  for (const auto& v : other) {
    violations_.push_back({absl::StrCat(prefix, v.field), v.description});
  }
}

namespace {
constexpr size_t kMaxInMessage = 5;
}  // namespace

std::string FieldViolations::Summary() const {
  std::string message;
  for (size_t i = 0; i < violations_.size() && i < kMaxInMessage; ++i) {
    if (i > 0) message += "; ";
    absl::StrAppend(&message, violations_[i].field, ": ",
                    violations_[i].description.substr(0, 200));
  }
  if (violations_.size() > kMaxInMessage) {
    absl::StrAppend(&message, "; and ", violations_.size() - kMaxInMessage, " more");
  }
  return message;
}

absl::Status FieldViolations::ToStatus(absl::string_view reason) const {
  if (violations_.empty()) return absl::OkStatus();
  // Error details travel in gRPC metadata (8 KiB by default): bound them. The total
  // is in the ErrorInfo metadata ("violation_count").
  constexpr size_t kMaxDetails = 50;
  const std::string message = "invalid request: " + Summary();
  google::rpc::BadRequest bad;
  for (size_t i = 0; i < violations_.size() && i < kMaxDetails; ++i) {
    auto* fv = bad.add_field_violations();
    fv->set_field(violations_[i].field);
    fv->set_description(violations_[i].description.substr(0, 200));
  }
  absl::Status status(absl::StatusCode::kInvalidArgument, message);
  AttachErrorInfo(status, reason, {{"violation_count", std::to_string(violations_.size())}});
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad.SerializeAsString()));
  return status;
}

absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  AttachErrorInfo(status, reason, metadata);
  return status;
}

absl::Status NotFound(absl::string_view resource_name) {
  return Error(absl::StatusCode::kNotFound, "RESOURCE_NOT_FOUND",
               absl::StrCat(resource_name, " not found"),
               {{"resource", std::string(resource_name)}});
}

absl::Status AlreadyExists(absl::string_view resource_name) {
  return Error(absl::StatusCode::kAlreadyExists, "RESOURCE_ALREADY_EXISTS",
               absl::StrCat(resource_name, " already exists"),
               {{"resource", std::string(resource_name)}});
}

absl::Status EtagMismatch(absl::string_view resource_name) {
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(resource_name,
                            " was changed by someone else since it was read (etag mismatch); "
                            "read it again and retry"),
               {{"resource", std::string(resource_name)}});
}

absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message,
                                const std::map<std::string, std::string>& metadata) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message, metadata);
}

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  FieldViolations v;
  v.Add(std::string(field), std::string(description));
  return v.ToStatus();
}

std::optional<std::string> ErrorReason(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  if (!payload) return std::nullopt;
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return info.reason();
}

std::map<std::string, std::string> ErrorMetadata(const absl::Status& status) {
  std::map<std::string, std::string> out;
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  if (!payload) return out;
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return out;
  for (const auto& [k, v] : info.metadata()) out[k] = v;
  return out;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload) return out;
  google::rpc::BadRequest bad;
  if (!bad.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : bad.field_violations()) out.push_back({fv.field(), fv.description()});
  return out;
}

}  // namespace kpo::core
