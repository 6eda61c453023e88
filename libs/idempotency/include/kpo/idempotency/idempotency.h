#pragma once

// Safe retries of mutations (AIP request_id): the records behind kpo::command::Runner,
// which is how services use them. Inside the mutation's own transaction: Replay first —
// if the organization already used this request_id, the stored response is returned
// and nothing else should happen; otherwise do the work and Remember the response.
//
// A request_id names one request: reusing it for another method, or with a request
// whose fingerprint differs from the first one's, is refused with INVALID_ARGUMENT,
// reason REQUEST_ID_REUSED and a field violation of "request_id" (as Stripe and the
// IETF Idempotency-Key draft do). Records are kept for a retention window
// (DeleteExpired); a retry older than the window is treated as a new request.
//
// Functions are stateless and thread-safe.

#include <cstdint>
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

inline constexpr char kRequestIdReused[] = "REQUEST_ID_REUSED";

// Empty (no idempotency asked for) or 1-64 printable ASCII characters.
bool IsValidRequestId(absl::string_view request_id);
// The same as a field violation of "request_id", or as an INVALID_ARGUMENT status.
void CheckRequestId(absl::string_view request_id, kpo::core::FieldViolations& v);
absl::Status ValidateRequestId(absl::string_view request_id);

// A stable digest of `request` (deterministic serialization, BLAKE2b), hex.
std::string Fingerprint(const google::protobuf::Message& request);

// The record of one request: which organization, its request_id, the method and the
// fingerprint of the request.
struct Key {
  std::string organization_id;
  std::string request_id;
  std::string method;
  std::string fingerprint;  // empty: not compared
};

// true with `response` filled when `key.request_id` was already used for this method
// and request; REQUEST_ID_REUSED (see above) when it was used for another; false when
// unseen or empty.
absl::StatusOr<bool> Replay(kpo::storage::Transaction& tx, const Key& key,
                            google::protobuf::Message& response);

// Stores `response` for the key (no-op when the request_id is empty).
absl::Status Remember(kpo::storage::Transaction& tx, const Key& key,
                      const google::protobuf::Message& response, absl::Time now);

// Deletes up to `limit` records created before `before`, oldest first, in one short
// transaction; returns how many. Callers loop while it returns `limit`.
absl::StatusOr<int64_t> DeleteExpired(kpo::storage::Database& db, absl::Time before, int limit);

}  // namespace kpo::idempotency
