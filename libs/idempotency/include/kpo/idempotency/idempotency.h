#pragma once

// Safe retries of mutations (AIP request_id). Inside the mutation's own transaction:
// Replay first — if the organization already used this request_id for this method, the
// stored response is returned and nothing else should happen; otherwise do the work
// and Remember the response. Functions are stateless and thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpo/core/errors.h"
#include "kpo/storage/database.h"

namespace kpo::idempotency {

// Migrations of component "idempotency".
const std::vector<kpo::storage::Migration>& Migrations();

// Empty (no idempotency asked for) or 1-64 printable ASCII characters.
bool IsValidRequestId(absl::string_view request_id);
// The same as a field violation of "request_id", or as an INVALID_ARGUMENT status.
void CheckRequestId(absl::string_view request_id, kpo::core::FieldViolations& v);
absl::Status ValidateRequestId(absl::string_view request_id);

// true with `response` filled when `request_id` was already used for `method`;
// INVALID_ARGUMENT (field request_id) when it was used for another method; false when
// unseen or empty.
absl::StatusOr<bool> Replay(kpo::storage::Transaction& tx, const std::string& org,
                            const std::string& request_id, absl::string_view method,
                            google::protobuf::Message& response);

// Stores `response` for `request_id` (no-op when empty).
absl::Status Remember(kpo::storage::Transaction& tx, const std::string& org,
                      const std::string& request_id, absl::string_view method,
                      const google::protobuf::Message& response, absl::Time now);

}  // namespace kpo::idempotency
