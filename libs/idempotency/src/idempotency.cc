#include "kpo/idempotency/idempotency.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/errors.h"

namespace kpo::idempotency {

bool IsValidRequestId(absl::string_view id) {
  if (id.size() > 64) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

void CheckRequestId(absl::string_view request_id, kpo::core::FieldViolations& v) {
  if (!IsValidRequestId(request_id)) {
    v.Add("request_id", "must be at most 64 printable characters (a UUID is ideal)");
  }
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  kpo::core::FieldViolations v;
  CheckRequestId(request_id, v);
  return v.ToStatus();
}

absl::StatusOr<bool> Replay(kpo::storage::Transaction& tx, const std::string& org,
                            const std::string& request_id, absl::string_view method,
                            google::protobuf::Message& response) {
  if (request_id.empty()) return false;
  auto rows = tx.Query("SELECT method, response FROM idempotency WHERE org = ? AND request_id = ?",
                       {org, request_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return false;
  if (rows->front().Text(0) != method) {
    return kpo::core::InvalidField(
        "request_id", absl::StrCat("was already used for ", rows->front().Text(0),
                                   "; use a new request_id for each distinct request"));
  }
  if (!response.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("stored idempotent response is corrupt");
  }
  return true;
}

absl::Status Remember(kpo::storage::Transaction& tx, const std::string& org,
                      const std::string& request_id, absl::string_view method,
                      const google::protobuf::Message& response, absl::Time now) {
  if (request_id.empty()) return absl::OkStatus();
  return tx
      .Exec(
          "INSERT INTO idempotency (org, request_id, method, response, created_us) VALUES "
          "(?, ?, ?, ?, ?)",
          {org, request_id, std::string(method), kpo::storage::Blob{response.SerializeAsString()},
           absl::ToUnixMicros(now)})
      .status();
}

}  // namespace kpo::idempotency
